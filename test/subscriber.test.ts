import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { backends, createPgDatabase, createTestApp, soakOrCrashTest, testConfig, waitFor } from './support/harness.js';
import { spawnNode } from './support/processes.js';
import { EFFECTS_TABLE, SUBSCRIBERS, testSubscribers } from './support/subscribers.js';
import { createApp } from '../src/app.js';
import { EventLog } from '../src/db/events.js';
import type { App } from '../src/app.js';

const WORKER = 'test/support/subscriber-worker.ts';

async function tagEvents(app: App, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      await app.database.transaction((tx) =>
        app.events.recordInTx(tx, { type: 'contact.tagged', actor: { kind: 'system' }, subject: { type: 'contact', id: `k${i}` }, data: { tagId: 't1', tag: 'vip' } }),
      ),
    );
  }
  return ids;
}

async function effectCounts(app: App): Promise<Map<string, number>> {
  const rows = await app.database.execute<{ event_id: number; subscriber: string; n: number }>('select event_id, subscriber, count(*)::int as n from test_effects group by 1, 2');
  return new Map(rows.rows.map((r) => [`${r.event_id} ${r.subscriber}`, r.n]));
}

for (const backend of backends()) {
  describe(`subscribers [${backend}]`, () => {
    it('apply each event once per subscriber: a second run of the same delivery is skipped, a failed one is retried', async () => {
      let failNext = true;
      const defs = testSubscribers({
        holdMs: 0,
        onApplied: () => {
          if (failNext) {
            failNext = false;
            throw new Error('crash inside the handler');
          }
        },
      });
      const t = await createTestApp(backend, { jobs: defs });
      try {
        await t.app.database.execute(EFFECTS_TABLE);
        const [eventId] = await tagEvents(t.app, 1);
        const queued = await t.app.database.execute<{ name: string; data: { eventId: number; type: string; contactId: string } }>("select name, data from pgboss.job where name like 'test.sub-%' order by name");
        assert.deepEqual(queued.rows.map((r) => r.name), [...SUBSCRIBERS], 'one job per subscriber, enqueued with the event');
        assert.equal(queued.rows[0]!.data.contactId, 'k0');
        const delivery = EventLog.deliveryOf((await t.app.events.get(t.app.db, eventId!))!);
        const info = { id: 'x', name: SUBSCRIBERS[0], retryCount: 0 };
        await assert.rejects(defs[0]!.handler(t.app, delivery, info), /crash inside the handler/);
        assert.equal((await effectCounts(t.app)).size, 0, 'the failed attempt rolled back its effect and its delivery mark');
        await defs[0]!.handler(t.app, delivery, info);
        await defs[0]!.handler(t.app, delivery, info);
        await defs[1]!.handler(t.app, delivery, info);
        assert.deepEqual([...(await effectCounts(t.app))].sort(), [
          [`${eventId} test.sub-a`, 1],
          [`${eventId} test.sub-b`, 1],
        ]);
      } finally {
        await t.close();
      }
    });
  });
}

if (backends().includes('pg')) {
  describe('subscribers survive a killed worker [pg]', () => {
    it('every subscriber applies every event exactly once though workers die mid-delivery and after a commit', soakOrCrashTest, async () => {
      const pgdb = await createPgDatabase({ migrated: true });
      const EVENTS = 30;
      const app = await createApp({ config: testConfig({ DATABASE_URL: pgdb.url }), jobs: testSubscribers({ holdMs: 0 }), log: pino({ level: 'silent' }) });
      const spawned: ReturnType<typeof spawnNode>[] = [];
      try {
        await app.database.execute(EFFECTS_TABLE);
        const ids = await tagEvents(app, EVENTS);
        // First worker: kills itself right after one delivery committed, while other
        // deliveries hold open transactions (350 ms each, 4 at a time).
        const first = spawnNode([WORKER, JSON.stringify({ databaseUrl: pgdb.url, holdMs: 350, dieAfterCommitOf: ids[3] })]);
        spawned.push(first);
        await first.waitFor(/dying after commit/, 60_000);
        await first.exited;
        // Second worker: killed from outside in the middle of a delivery.
        const second = spawnNode([WORKER, JSON.stringify({ databaseUrl: pgdb.url, holdMs: 350 })]);
        spawned.push(second);
        await second.waitFor(/(?:apply \d+ test\.sub-[ab]\n[^]*?){3}/, 60_000);
        second.child.kill('SIGKILL');
        await second.exited;
        // Third worker finishes (the dead workers' jobs expire after 2 s and are retried).
        const third = spawnNode([WORKER, JSON.stringify({ databaseUrl: pgdb.url, holdMs: 20 })]);
        spawned.push(third);
        await third.waitFor(/ready/, 60_000);
        await waitFor(
          async () => (await app.database.execute<{ n: number }>("select count(*)::int as n from pgboss.job where name like 'test.sub-%' and state <> 'completed'")).rows[0]!.n === 0,
          { timeoutMs: 120_000, what: 'every delivery completed' },
        );
        const counts = await effectCounts(app);
        for (const id of ids) for (const s of SUBSCRIBERS) assert.equal(counts.get(`${id} ${s}`), 1, `event ${id} applied once by ${s}`);
        assert.equal(counts.size, EVENTS * SUBSCRIBERS.length);
        const delivered = await app.database.execute<{ n: number }>('select count(*)::int as n from event_deliveries');
        assert.equal(delivered.rows[0]!.n, EVENTS * SUBSCRIBERS.length);
        // The crashes really happened: some deliveries ran more than once.
        const retried = await app.database.execute<{ n: number }>("select count(*)::int as n from pgboss.job where name like 'test.sub-%' and retry_count > 0");
        assert.ok(retried.rows[0]!.n >= 2, `deliveries retried after the crashes: ${retried.rows[0]!.n}`);
        const pids = await app.database.execute<{ n: number }>('select count(distinct pid)::int as n from test_effects');
        assert.ok(pids.rows[0]!.n >= 2, 'effects applied by more than one worker');
      } finally {
        for (const s of spawned) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
        await Promise.all(spawned.map((s) => s.exited));
        await app.close();
        await pgdb.drop();
      }
    });
  });
}
