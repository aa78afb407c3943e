// Two worker processes on one PostgreSQL share the work and run no step twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { soakOrCrashTest, waitFor } from '../../../test/support/harness.js';
import { spawnNode } from '../../../test/support/processes.js';
import { testSettings } from '../../config.js';
import { assertExactlyOnce, count, crashRig, fiveStepWorkflow, keepWaking, N, seedContacts, WORKER } from './test-crash-support.js';

describe('automation: exactly once on PostgreSQL with two worker processes', { skip: testSettings().databaseUrl ? soakOrCrashTest.skip : 'needs TEST_DATABASE_URL' }, () => {
  const rig = crashRig();
  const workers = rig.workers;

  it('two processes on one PostgreSQL share the work and run no step twice', async () => {
    const t = rig.t();
    const sink = rig.sink();
    const domain = 'two.test';
    const w = await fiveStepWorkflow(t.app, `two-${randomUUID().slice(0, 6)}`);
    // More runs than one fetch takes (the tick job's batch is 100): with N = 60 a single fetch of
    // the first process to poll could take a whole step, and the other then had nothing to share.
    const runs = Math.max(N, 300);
    const ids = await seedContacts(t, runs, domain);
    const url = new URL(sink.url);
    const as = (user: string) => `smtp://${user}:x@${url.host}`;
    const a = spawnNode([WORKER, t.url!, as('one')]);
    const b = spawnNode([WORKER, t.url!, as('two')]);
    workers.push(a, b);
    await Promise.all([a.waitFor(/ready/), b.waitFor(/ready/)]);
    await t.app.automation.enrol(w.id, { contactIds: ids, requestKey: 'two' }, { kind: 'system' });
    const stopWaking = keepWaking(t);
    try {
      await waitFor(async () => (await count(t, `select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'done'`, [w.id])) === runs, { timeoutMs: 180_000, what: 'every run done' });
    } finally {
      stopWaking();
    }
    await assertExactlyOnce(t, sink, w, runs, domain);
    const users = new Set(sink.messages.filter((m) => m.to.endsWith(`@${domain}`)).map((m) => m.user));
    assert.deepEqual([...users].sort(), ['one', 'two'], 'both processes sent mail');
  });
});
