import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backends, createPgDatabase, createTestApp, soakOrCrashTest, waitFor } from '../../test/support/harness.js';
import { spawnNode } from '../../test/support/processes.js';
import { openDatabase } from '../db/client.js';
import { z } from 'zod';
import { defineJob, JobPayloadError, type JobDefinition } from './types.js';
import { JobQueue, runJob } from './queue.js';

const WORKER = 'test/support/job-worker.ts';
const paid = { number: 1001, contactId: 'c-9', kind: 'initial', total: 4900, amountPaid: 4900, currency: 'usd', provider: 'test' };

describe('typed jobs (defineJob)', () => {
  const seen: unknown[] = [];
  const job = defineJob({
    name: 'test.typed',
    description: 'a typed payload',
    data: z.object({ orderId: z.string().uuid(), cents: z.number().int().default(0) }),
    handler: async (deps: { label: string }, data) => void seen.push({ label: deps.label, orderId: data.orderId, cents: data.cents }),
  });
  const info = { id: 'j-1', name: 'test.typed', retryCount: 0 };

  it('hands the handler the payload parsed by its schema, and its narrow dependencies', async () => {
    seen.length = 0;
    await runJob(job, { label: 'deps', unused: true }, { orderId: '5b3c9d8e-1f2a-4b6c-8d7e-9f0a1b2c3d4e' }, info);
    assert.deepEqual(seen, [{ label: 'deps', orderId: '5b3c9d8e-1f2a-4b6c-8d7e-9f0a1b2c3d4e', cents: 0 }]);
  });

  it('fails a job whose payload does not match, without running the handler', async () => {
    seen.length = 0;
    await assert.rejects(runJob(job, { label: 'deps' }, { orderId: 'not-a-uuid', cents: 1.5 }, info), (err: Error) => {
      assert.ok(err instanceof JobPayloadError);
      assert.match(err.message, /test\.typed/);
      assert.match(err.message, /orderId/);
      assert.match(err.message, /cents/);
      return true;
    });
    assert.deepEqual(seen, []);
  });
});

for (const backend of backends()) {
  describe(`jobs and the event outbox [${backend}]`, () => {
    it('enqueues reacting jobs in the event’s transaction: rollback leaves neither, commit runs the job', async () => {
      const seen: unknown[] = [];
      const jobs: JobDefinition<any>[] = [
        { name: 'test.on-paid', description: 'reacts to order.paid', onEvents: ['order.paid'], handler: async (_app, data) => void seen.push(data) },
      ];
      const t = await createTestApp(backend, { jobs, startWorkers: true });
      try {
        await assert.rejects(
          t.app.database.transaction(async (tx) => {
            await t.app.events.recordInTx(tx, { type: 'order.paid', actor: { kind: 'system' }, subject: { type: 'order', id: 'o-1' }, data: paid });
            throw new Error('payment write failed');
          }),
        );
        await t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type: 'order.paid', actor: { kind: 'customer', id: 'c-9' }, subject: { type: 'order', id: 'o-2' }, data: paid }));
        await waitFor(async () => seen.length >= 1, { what: 'the reacting job' });
        // The queue itself shows it: one job for the committed event, none for the rolled-back one.
        const queued = await t.app.database.execute<{ n: number }>("select count(*) as n from pgboss.job where name = 'test.on-paid'");
        assert.equal(queued.rows[0]!.n, 1, 'only the committed event produced a job');
        assert.equal(seen.length, 1);
        assert.deepEqual((seen[0] as { subject: unknown }).subject, { type: 'order', id: 'o-2' });
        const events = await t.app.events.list(t.app.db, { type: 'order.paid' });
        assert.equal(events.length, 1);
        assert.equal(events[0]!.actorKind, 'customer');
        assert.equal(events[0]!.actorId, 'c-9');
      } finally {
        await t.close();
      }
    });

    it('creates missing queues at start and brings changed retry settings to existing ones', async () => {
      const handler = async () => undefined;
      const t = await createTestApp(backend, { jobs: [{ name: 'test.kept', description: 'unchanged', retryLimit: 2, handler }, { name: 'test.tuned', description: 'retry limit changes', retryLimit: 2, handler }] });
      try {
        const queues = async () =>
          Object.fromEntries(
            (await t.app.database.execute<{ name: string; retry_limit: number; retry_delay: number; updated_on: Date }>("select name, retry_limit, retry_delay, updated_on from pgboss.queue where name like 'test.%'")).rows.map((r) => [r.name, r]),
          );
        const before = await queues();
        assert.deepEqual(Object.keys(before).sort(), ['test.kept', 'test.tuned']);
        // The next version of the code: one queue's retries changed, one queue added.
        const next = new JobQueue(t.app.database, t.app.config.jobs, t.app.log, [
          { name: 'test.kept', description: 'unchanged', retryLimit: 2, handler },
          { name: 'test.tuned', description: 'retry limit changes', retryLimit: 7, retryDelay: 30, handler },
          { name: 'test.added', description: 'new', handler },
        ]);
        await next.start();
        await next.stop(2000);
        const after = await queues();
        assert.equal(after['test.tuned']!.retry_limit, 7);
        assert.equal(after['test.tuned']!.retry_delay, 30);
        assert.equal(after['test.added']!.retry_limit, 5, 'a new queue gets the defaults');
        assert.equal(after['test.kept']!.retry_limit, 2);
        assert.equal(String(after['test.kept']!.updated_on), String(before['test.kept']!.updated_on), 'an unchanged queue is not rewritten');
      } finally {
        await t.close();
      }
    });

    it('retries a failing job with backoff until it succeeds', async () => {
      const attempts: number[] = [];
      const jobs: JobDefinition<any>[] = [
        {
          name: 'test.flaky',
          description: 'fails twice',
          retryLimit: 4,
          retryDelay: 1,
          retryBackoff: true,
          handler: async () => {
            attempts.push(Date.now());
            if (attempts.length < 3) throw new Error('transient');
          },
        },
      ];
      const t = await createTestApp(backend, { jobs, startWorkers: true });
      try {
        await t.app.jobs.send('test.flaky', {});
        await waitFor(async () => attempts.length >= 3, { timeoutMs: 30_000, what: 'three attempts' });
        const gap1 = attempts[1]! - attempts[0]!;
        const gap2 = attempts[2]! - attempts[1]!;
        // retryDelay 1 s with backoff: at least 1 s, then at least 2 s (polling only adds to these).
        assert.ok(gap1 >= 900, `first retry waited ${gap1} ms`);
        assert.ok(gap2 >= 1900, `backoff doubled the second wait: ${gap1} ms then ${gap2} ms`);
      } finally {
        await t.close();
      }
    });

    // Workers poll every 60 s here: a job that runs within seconds was woken, not polled for (a
    // worker's first poll is at start, before anything below is queued).
    const slowPolling = { JOB_POLL_SECONDS: '60' };

    it('wakes a worker when a job queued in this process commits; a rolled-back one never runs', async () => {
      const ran: string[] = [];
      const jobs: JobDefinition<any>[] = [{ name: 'test.woken', description: 'records its payload', handler: async (_app, data: { label: string }) => void ran.push(data.label) }];
      const t = await createTestApp(backend, { jobs, startWorkers: true, config: slowPolling });
      try {
        await assert.rejects(
          t.app.database.transaction(async (tx) => {
            await t.app.jobs.sendInTx(tx, 'test.woken', { label: 'rolled back' });
            throw new Error('the write failed');
          }),
        );
        await t.app.database.transaction((tx) => t.app.jobs.sendManyInTx(tx, 'test.woken', [{ label: 'in a transaction' }, { label: 'its sibling' }]));
        await waitFor(async () => ran.length >= 2, { timeoutMs: 20_000, what: 'the committed jobs to run without a poll' });
        await t.app.jobs.send('test.woken', { label: 'outside a transaction' });
        await waitFor(async () => ran.length >= 3, { timeoutMs: 20_000, what: 'the job sent outside a transaction to run' });
        assert.deepEqual([...ran].sort(), ['in a transaction', 'its sibling', 'outside a transaction']);
      } finally {
        await t.close();
      }
    });

    it('a worker that fetched a full batch fetches again at once: a backlog from elsewhere drains without waiting for polls', async () => {
      const ran: number[] = [];
      const jobs: JobDefinition<any>[] = [{ name: 'test.backlog', description: 'counts', concurrency: 1, handler: async (_app, data: { n: number }) => void ran.push(data.n) }];
      const t = await createTestApp(backend, { jobs, config: slowPolling });
      try {
        // Queued past this process's wake-ups (as another process would), before the workers start.
        await t.app.jobs.boss.insert(Array.from({ length: 6 }, (_, n) => ({ name: 'test.backlog', data: { n } })));
        await t.app.jobs.work(t.app);
        await waitFor(async () => ran.length >= 6, { timeoutMs: 20_000, what: 'six jobs one worker fetches one at a time' });
        assert.deepEqual([...ran].sort(), [0, 1, 2, 3, 4, 5]);
      } finally {
        await t.close();
      }
    });
  });
}

describe('a job whose process was killed runs again after restart', () => {
  it('on PGlite (same data folder)', soakOrCrashTest, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-jobs-'));
    try {
      const first = spawnNode([WORKER, JSON.stringify({ dataDir, enqueue: { name: 'test.slow', count: 1, ms: 60_000 } })]);
      await first.waitFor(/job-start test\.slow-0 attempt 0/);
      first.child.kill('SIGKILL'); // mid-job, no chance to clean up
      await first.exited;
      const second = spawnNode([WORKER, JSON.stringify({ dataDir })]);
      try {
        await second.waitFor(/job-done test\.slow-0/);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      const db = await openDatabase({ kind: 'pglite', dataDir });
      const runs = await db.execute<{ phase: string; pid: number }>('select phase, pid from test_job_runs order by at');
      await db.close();
      assert.deepEqual(runs.rows.map((r) => r.phase), ['start', 'start', 'done']);
      assert.notEqual(runs.rows[0]!.pid, runs.rows[1]!.pid, 'the second start is the restarted process');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  if (backends().includes('pg')) {
    it('on PostgreSQL (expired while its worker was dead, then retried)', soakOrCrashTest, async () => {
      const pgdb = await createPgDatabase();
      try {
        const first = spawnNode([WORKER, JSON.stringify({ databaseUrl: pgdb.url, expireInSeconds: 3, enqueue: { name: 'test.slow', count: 1, ms: 4000 } })]);
        await first.waitFor(/ready/);
        const db = await openDatabase({ kind: 'pg', url: pgdb.url });
        try {
          await waitFor(async () => (await db.execute('select 1 from test_job_runs where phase = $1', ['start'])).rows.length > 0, { what: 'the job to start' });
          first.child.kill('SIGKILL');
          await first.exited;
          const second = spawnNode([WORKER, JSON.stringify({ databaseUrl: pgdb.url, expireInSeconds: 3 })]);
          try {
            await second.waitFor(/ready/);
            await waitFor(async () => (await db.execute('select 1 from test_job_runs where phase = $1', ['done'])).rows.length > 0, { timeoutMs: 60_000, what: 'the retried job to finish' });
          } finally {
            second.child.kill('SIGTERM');
            await second.exited;
          }
          const runs = await db.execute<{ phase: string }>('select phase from test_job_runs');
          assert.equal(runs.rows.filter((r) => r.phase === 'done').length, 1, 'finished exactly once');
        } finally {
          await db.close();
        }
      } finally {
        await pgdb.drop();
      }
    });

    it('two processes on one PostgreSQL split the jobs and none runs twice', async () => {
      const pgdb = await createPgDatabase();
      const COUNT = 120;
      try {
        // Both workers are polling before any job exists (the first creates the schema), so neither
        // can finish the lot while the other is still starting on a loaded machine.
        const setup = spawnNode([WORKER, JSON.stringify({ databaseUrl: pgdb.url })]);
        await setup.waitFor(/ready/);
        const other = spawnNode([WORKER, JSON.stringify({ databaseUrl: pgdb.url })]);
        await other.waitFor(/ready/);
        const producer = spawnNode([WORKER, JSON.stringify({ databaseUrl: pgdb.url, enqueue: { name: 'test.record', count: COUNT, ms: 50 }, noWork: true })]);
        await producer.waitFor(/enqueued/);
        assert.equal(await producer.exited, 0);
        const db = await openDatabase({ kind: 'pg', url: pgdb.url });
        try {
          await waitFor(async () => (await db.execute<{ n: number }>("select count(*)::int as n from test_job_runs where phase = 'done'")).rows[0]!.n >= COUNT, { timeoutMs: 60_000, what: 'all jobs' });
          // Once every job is completed in the queue, none can run again: the count below is final.
          await waitFor(async () => (await db.execute<{ n: number }>("select count(*)::int as n from pgboss.job where name = 'test.record' and state <> 'completed'")).rows[0]!.n === 0, { what: 'every job completed' });
          const rows = (await db.execute<{ job_id: string; pid: number }>("select job_id, pid from test_job_runs where phase = 'done'")).rows;
          assert.equal(rows.length, COUNT, 'no job ran twice');
          assert.equal(new Set(rows.map((r) => r.job_id)).size, COUNT);
          const byPid = new Map<number, number>();
          for (const r of rows) byPid.set(r.pid, (byPid.get(r.pid) ?? 0) + 1);
          assert.equal(byPid.size, 2, `both processes took work: ${JSON.stringify([...byPid])}`);
        } finally {
          await db.close();
          for (const p of [setup, other]) p.child.kill('SIGTERM');
          await Promise.all([setup.exited, other.exited]);
        }
      } finally {
        await pgdb.drop();
      }
    });
  }
});


describe('graceful shutdown on SIGTERM', () => {
  it('lets a short job finish, hands a long one back within the bound, and the next start completes it', soakOrCrashTest, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-stop-'));
    try {
      const short = spawnNode([WORKER, JSON.stringify({ dataDir, enqueue: { name: 'test.slow', count: 1, ms: 1500 } })]);
      await short.waitFor(/job-start test\.slow-0 attempt 0/);
      short.child.kill('SIGTERM');
      assert.equal(await short.exited, 0);
      assert.match(short.output(), /job-done test\.slow-0/, 'the in-flight job finished before exit');

      const long = spawnNode([WORKER, JSON.stringify({ dataDir, enqueue: { name: 'test.slow', count: 1, ms: 120_000 } })]);
      await long.waitFor(/job-start test\.slow-0 attempt 0/);
      const stopAt = Date.now();
      long.child.kill('SIGTERM');
      assert.equal(await long.exited, 0);
      const took = Date.now() - stopAt;
      assert.ok(took < 8000, `stopped within the bound (SHUTDOWN_TIMEOUT_MS=2000): took ${took} ms`);
      assert.doesNotMatch(long.output(), /job-done/);

      const next = spawnNode([WORKER, JSON.stringify({ dataDir })]);
      try {
        await next.waitFor(/job-done test\.slow-0/, 30_000);
      } finally {
        next.child.kill('SIGTERM');
        await next.exited;
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
