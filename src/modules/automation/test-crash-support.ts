// Shared by crash.test.ts and two-processes.test.ts: N contacts through tag → wait → condition →
// email → tag on PostgreSQL, worker processes, and the exactly-once checks (database and sink).
import assert from 'node:assert/strict';
import { testSettings } from '../../config.js';
import { after, before } from 'node:test';
import type { App } from '../../app.js';
import { createTestApp, waitFor, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import type { Spawned } from '../../../test/support/processes.js';

export const WORKER = 'src/modules/automation/fixtures/worker.ts';
export const N = testSettings().automationCrashContacts;

export async function seedContacts(t: TestApp, n: number, domain: string): Promise<string[]> {
  const now = t.clock.now();
  const res = await t.app.database.execute<{ id: string }>(
    `insert into contacts (email, email_normalized, name, status, source, fields, created_at, updated_at)
     select 'c' || g || '@' || $2::text, 'c' || g || '@' || $2::text, 'Person ' || g, 'active', 'import', '{}'::jsonb, $1, $1
       from generate_series(1, $3::int) g returning id`,
    [now, domain, n],
  );
  return res.rows.map((r) => r.id);
}

/** tag → wait → condition (has that tag) → email → tag, published; also the benchmark's workflow. */
export async function fiveStepWorkflow(
  app: App,
  name: string,
  opts: { waitMinutes?: number; triggerTagId?: string; reentry?: 'once' | 'always' } = {},
): Promise<{ id: string; first: string; last: string }> {
  const system = { kind: 'system' } as const;
  const made = await app.database.transaction((tx) => app.audience.ensureTags(tx, [`${name}-started`, `${name}-finished`]));
  const first = made.find((x) => x.name.endsWith('-started'))!.id;
  const last = made.find((x) => x.name.endsWith('-finished'))!.id;
  const w = await app.automation.create(
    {
      name,
      definition: {
        triggers: [{ type: 'manual' }, ...(opts.triggerTagId ? [{ type: 'tag.added', tagId: opts.triggerTagId }] : [])],
        start: 'tag',
        reentry: opts.reentry ?? 'once',
        steps: [
          { id: 'tag', kind: 'tag', action: 'add', tagId: first, next: 'wait' },
          { id: 'wait', kind: 'wait', minutes: opts.waitMinutes ?? 1, next: 'check' },
          { id: 'check', kind: 'condition', condition: { test: 'has_tag', tagId: first }, yes: 'mail', no: null },
          { id: 'mail', kind: 'email', subject: 'Step four', body: 'Hello {{ contact.name }}', marketing: false, next: 'done' },
          { id: 'done', kind: 'tag', action: 'add', tagId: last, next: null },
        ],
      },
    },
    system,
  );
  await app.automation.publish(w.id, {}, system);
  return { id: w.id, first, last };
}

/** The test app on PostgreSQL and the SMTP sink of a crash / multi-process test, with their hooks; kills its workers after. */
export function crashRig(): { t: () => TestApp; sink: () => SmtpSink; workers: Spawned[] } {
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
  return { t: () => t, sink: () => sink, workers };
}

export async function count(t: TestApp, sql: string, params: unknown[]): Promise<number> {
  return Number((await t.app.database.execute<{ n: number }>(sql, params)).rows[0]!.n);
}

/** Wakes due waits from the test process: its virtual clock runs ahead, the workers' real one does not matter. */
export function keepWaking(t: TestApp): () => void {
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

export async function assertExactlyOnce(t: TestApp, sink: SmtpSink, w: { id: string; first: string; last: string }, n: number, domain: string) {
  assert.equal(await count(t, `select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'done'`, [w.id]), n, 'every run done');
  assert.equal(await count(t, `select count(*)::int as n from automation_steps where workflow_id = $1`, [w.id]), 5 * n, 'five step executions per run');
  assert.equal(await count(t, `select count(*)::int as n from automation_steps where workflow_id = $1 and status <> 'done'`, [w.id]), 0);
  assert.equal(await count(t, `select count(*)::int as n from mail_messages where tag = $1`, [`automation:${w.id}`]), n, 'one message queued per run');
  for (const tag of [w.first, w.last]) {
    assert.equal(await count(t, `select count(*)::int as n from events where type = 'contact.tagged' and actor_kind = 'automation' and actor_id = $1 and data->>'tagId' = $2`, [w.id, tag]), n, 'one tag event per run and tag');
  }
  await waitFor(async () => new Set(sink.messages.filter((m) => m.to.endsWith(`@${domain}`)).map((m) => m.messageId)).size >= n, { timeoutMs: 200_000, what: 'every message at the sink (a killed send is handed out again after the mail job expiry, 120 s)' });
  const ids = sink.messages.filter((m) => m.to.endsWith(`@${domain}`)).map((m) => m.messageId);
  assert.equal(new Set(ids).size, n, 'one distinct Message-ID per run');
  assert.ok(ids.every((id) => /^<a[0-9a-f]{32}\.4@/.test(id)), 'every Message-ID derived from (run, step 4)');
  // A copy handed over again after a kill between the SMTP hand-off and the sent mark carries the same Message-ID.
  const runIds = new Set((await t.app.database.execute<{ id: string }>(`select replace(id::text, '-', '') as id from automation_runs where workflow_id = $1`, [w.id])).rows.map((r) => r.id));
  assert.ok(ids.every((id) => runIds.has(id.slice(2, 34))));
}

