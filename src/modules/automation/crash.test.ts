// Exactly once under crashes, and with two processes: contacts go through tag → wait →
// condition → email → tag while worker processes on one PostgreSQL are SIGKILLed; every run
// completes every step once, counted in the database and, by Message-ID, at the SMTP sink.
// (The 10 000-contact variant is the same test with AUTOMATION_CRASH_CONTACTS=10000.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestApp, soakOrCrashTest, waitFor, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { spawnNode, type Spawned } from '../../../test/support/processes.js';
import { testSettings } from '../../config.js';

const WORKER = 'src/modules/automation/fixtures/worker.ts';
const N = Number(process.env.AUTOMATION_CRASH_CONTACTS ?? 100);

async function seedContacts(t: TestApp, n: number, domain: string): Promise<string[]> {
  const now = t.clock.now();
  const res = await t.app.database.execute<{ id: string }>(
    `insert into contacts (email, email_normalized, name, status, source, fields, created_at, updated_at)
     select 'c' || g || '@' || $2::text, 'c' || g || '@' || $2::text, 'Person ' || g, 'active', 'import', '{}'::jsonb, $1, $1
       from generate_series(1, $3::int) g returning id`,
    [now, domain, n],
  );
  return res.rows.map((r) => r.id);
}

async function fiveStepWorkflow(t: TestApp, name: string): Promise<{ id: string; first: string; last: string }> {
  const system = { kind: 'system' } as const;
  const made = await t.app.database.transaction((tx) => t.app.audience.ensureTags(tx, [`${name}-started`, `${name}-finished`]));
  const first = made.find((x) => x.name.endsWith('-started'));
  const last = made.find((x) => x.name.endsWith('-finished'));
  const w = await t.app.automation.create(
    {
      name,
      definition: {
        triggers: [{ type: 'manual' }],
        start: 'tag',
        reentry: 'once',
        steps: [
          { id: 'tag', kind: 'tag', action: 'add', tagId: first!.id, next: 'wait' },
          { id: 'wait', kind: 'wait', minutes: 1, next: 'check' },
          { id: 'check', kind: 'condition', condition: { test: 'has_tag', tagId: first!.id }, yes: 'mail', no: null },
          { id: 'mail', kind: 'email', subject: 'Step four', body: 'Hello {{ contact.name }}', marketing: false, next: 'done' },
          { id: 'done', kind: 'tag', action: 'add', tagId: last!.id, next: null },
        ],
      },
    },
    system,
  );
  await t.app.automation.publish(w.id, {}, system);
  return { id: w.id, first: first!.id, last: last!.id };
}

async function count(t: TestApp, sql: string, params: unknown[]): Promise<number> {
  return Number((await t.app.database.execute<{ n: number }>(sql, params)).rows[0]!.n);
}

/** Wakes due waits from the test process: its virtual clock runs ahead, the workers' real one does not matter. */
function keepWaking(t: TestApp): () => void {
  let on = true;
  void (async () => {
    while (on) {
      t.clock.advance(2 * 60_000);
      await t.app.automation.engine.wakeDue(5000).catch(() => {});
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return () => {
    on = false;
  };
}

async function assertExactlyOnce(t: TestApp, sink: SmtpSink, w: { id: string; first: string; last: string }, n: number, domain: string) {
  assert.equal(await count(t, `select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'done'`, [w.id]), n, 'every run done');
  assert.equal(await count(t, `select count(*)::int as n from automation_steps where workflow_id = $1`, [w.id]), 5 * n, 'five step executions per run');
  assert.equal(await count(t, `select count(*)::int as n from automation_steps where workflow_id = $1 and status <> 'done'`, [w.id]), 0);
  assert.equal(await count(t, `select count(*)::int as n from mail_messages where tag = $1`, [`automation:${w.id}`]), n, 'one message queued per run');
  for (const tag of [w.first, w.last]) {
    assert.equal(await count(t, `select count(*)::int as n from events where type = 'contact.tagged' and actor_kind = 'automation' and actor_id = $1 and data->>'tagId' = $2`, [w.id, tag]), n, 'one tag event per run and tag');
  }
  await waitFor(async () => new Set(sink.messages.filter((m) => m.to.endsWith(`@${domain}`)).map((m) => m.messageId)).size >= n, { timeoutMs: 120_000, what: 'every message at the sink' });
  const ids = sink.messages.filter((m) => m.to.endsWith(`@${domain}`)).map((m) => m.messageId);
  assert.equal(new Set(ids).size, n, 'one distinct Message-ID per run');
  assert.ok(ids.every((id) => /^<a[0-9a-f]{32}\.4@/.test(id)), 'every Message-ID derived from (run, step 4)');
  // A copy handed over again after a kill between the SMTP hand-off and the sent mark carries the same Message-ID.
  const runIds = new Set((await t.app.database.execute<{ id: string }>(`select replace(id::text, '-', '') as id from automation_runs where workflow_id = $1`, [w.id])).rows.map((r) => r.id));
  assert.ok(ids.every((id) => runIds.has(id.slice(2, 34))));
}

describe('automation: exactly once on PostgreSQL with killed and parallel workers', { skip: testSettings().databaseUrl ? soakOrCrashTest.skip : 'needs TEST_DATABASE_URL' }, () => {
  let t: TestApp;
  let sink: SmtpSink;
  const workers: Spawned[] = [];
  before(async () => {
    sink = await startSmtpSink();
    // The queues are created here first: their expiry (5 s, as in the workers) is what hands a killed worker's jobs out again.
    t = await createTestApp('pg', { config: { SMTP_URL: sink.url, MAIL_FROM: 'Shop <news@shop.example>', JOB_EXPIRE_SECONDS: '5' } });
  });
  after(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await t.close();
    await sink.close();
  });

  it(`${N} contacts, the worker SIGKILLed three times: every step exactly once`, async () => {
    const domain = 'crash.test';
    const w = await fiveStepWorkflow(t, `crash-${randomUUID().slice(0, 6)}`);
    const ids = await seedContacts(t, N, domain);
    assert.deepEqual(await t.app.automation.enrol(w.id, { contactIds: ids, requestKey: 'crash' }, { kind: 'system' }), { entered: N, refused: 0 });
    const stopWaking = keepWaking(t);
    try {
      const progress = () => count(t, `select count(*)::int as n from automation_steps where workflow_id = $1`, [w.id]);
      for (let kill = 1; kill <= 3; kill++) {
        const worker = spawnNode([WORKER, t.url!, sink.url]);
        workers.push(worker);
        await worker.waitFor(/ready/);
        if (process.env.AUTOMATION_DEBUG) console.error("worker ready", kill);
        const target = Math.floor((5 * N * kill) / 4);
        await waitFor(async () => (await progress()) >= target, { timeoutMs: 120_000, what: `progress ${target}` });
        worker.child.kill('SIGKILL');
        await worker.exited;
      }
      const last = spawnNode([WORKER, t.url!, sink.url]);
      workers.push(last);
      await last.waitFor(/ready/);
      if (process.env.AUTOMATION_DEBUG) {
        const timer = setInterval(async () => {
          const states = await t.app.database.execute(`select state, step_id, count(*)::int as n from automation_runs where workflow_id = $1 group by 1, 2`, [w.id]).catch(() => null);
          const jobs = await t.app.database.execute(`select name, state, count(*)::int as n from pgboss.job group by 1, 2`).catch(() => null);
          console.error(JSON.stringify(states?.rows), JSON.stringify(jobs?.rows));
        }, 5000);
        timer.unref();
      }
      await waitFor(async () => (await count(t, `select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'done'`, [w.id])) === N, { timeoutMs: 180_000, what: 'every run done' });
    } finally {
      stopWaking();
    }
    await assertExactlyOnce(t, sink, w, N, domain);
  });

  it('two processes on one PostgreSQL share the work and run no step twice', async () => {
    const domain = 'two.test';
    const w = await fiveStepWorkflow(t, `two-${randomUUID().slice(0, 6)}`);
    const ids = await seedContacts(t, N, domain);
    const url = new URL(sink.url);
    const as = (user: string) => `smtp://${user}:x@${url.host}`;
    const a = spawnNode([WORKER, t.url!, as('one')]);
    const b = spawnNode([WORKER, t.url!, as('two')]);
    workers.push(a, b);
    await Promise.all([a.waitFor(/ready/), b.waitFor(/ready/)]);
    await t.app.automation.enrol(w.id, { contactIds: ids, requestKey: 'two' }, { kind: 'system' });
    const stopWaking = keepWaking(t);
    try {
      await waitFor(async () => (await count(t, `select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'done'`, [w.id])) === N, { timeoutMs: 180_000, what: 'every run done' });
    } finally {
      stopWaking();
    }
    await assertExactlyOnce(t, sink, w, N, domain);
    const users = new Set(sink.messages.filter((m) => m.to.endsWith(`@${domain}`)).map((m) => m.user));
    assert.deepEqual([...users].sort(), ['one', 'two'], 'both processes sent mail');
  });
});
