// Exactly once under crashes: contacts go through tag → wait → condition → email → tag while
// the worker process on one PostgreSQL is SIGKILLed three times; every run completes every step
// once, counted in the database and, by Message-ID, at the SMTP sink. (The 10 000-contact
// variant: AUTOMATION_CRASH_CONTACTS=10000.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { soakOrCrashTest, waitFor } from '../../../test/support/harness.js';
import { spawnNode } from '../../../test/support/processes.js';
import { testSettings } from '../../config.js';
import { assertExactlyOnce, count, crashRig, fiveStepWorkflow, keepWaking, N, seedContacts, WORKER } from './test-crash-support.js';

describe('automation: exactly once on PostgreSQL with killed workers', { skip: testSettings().databaseUrl ? soakOrCrashTest.skip : 'needs TEST_DATABASE_URL' }, () => {
  const rig = crashRig();
  const workers = rig.workers;

  it(`${N} contacts, the worker SIGKILLed three times: every step exactly once`, async () => {
    const t = rig.t();
    const sink = rig.sink();
    const domain = 'crash.test';
    const w = await fiveStepWorkflow(t.app, `crash-${randomUUID().slice(0, 6)}`);
    const ids = await seedContacts(t, N, domain);
    assert.deepEqual(await t.app.automation.enrol(w.id, { contactIds: ids, requestKey: 'crash' }, { kind: 'system' }), { entered: N, refused: 0 });
    const stopWaking = keepWaking(t);
    try {
      const progress = () => count(t, `select count(*)::int as n from automation_steps where workflow_id = $1`, [w.id]);
      for (let kill = 1; kill <= 3; kill++) {
        const worker = spawnNode([WORKER, t.url!, sink.url]);
        workers.push(worker);
        await worker.waitFor(/ready/);
        const target = Math.floor((5 * N * kill) / 4);
        await waitFor(async () => (await progress()) >= target, { timeoutMs: 120_000, what: `progress ${target}` });
        worker.child.kill('SIGKILL');
        await worker.exited;
      }
      const last = spawnNode([WORKER, t.url!, sink.url]);
      workers.push(last);
      await last.waitFor(/ready/);
      await waitFor(async () => (await count(t, `select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'done'`, [w.id])) === N, { timeoutMs: 180_000, what: 'every run done' });
    } finally {
      stopWaking();
    }
    await assertExactlyOnce(t, sink, w, N, domain);
  });

});
