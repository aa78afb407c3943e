// A real Onehour worker process for the job tests: opens the database (PGlite folder with its
// lock, or PostgreSQL), registers two test jobs and works until killed. Prints "ready".
//   node --import tsx test/support/job-worker.ts '<json options>'
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { testConfig } from './harness.js';
import { lockDataFolder } from '../../src/db/lock.js';
import type { JobDefinition } from '../../src/jobs/types.js';

// noWork: enqueue and exit, without working (a producer).
const opts = JSON.parse(process.argv[2] ?? '{}') as { dataDir?: string; databaseUrl?: string; enqueue?: { name: string; count: number; ms: number }; expireInSeconds?: number; noWork?: boolean };

const record = async (app: import('../../src/app.js').App, jobId: string, phase: string) => {
  await app.database.execute('insert into test_job_runs (job_id, pid, phase) values ($1, $2, $3)', [jobId, process.pid, phase]);
};

const jobs: JobDefinition<any>[] = [
  {
    name: 'test.record',
    description: 'records that it ran, once per attempt',
    concurrency: 2,
    handler: async (app, data: { key: string; ms?: number }) => {
      await record(app, data.key, 'start');
      if (data.ms) await new Promise((r) => setTimeout(r, data.ms));
      await record(app, data.key, 'done');
    },
  },
  {
    name: 'test.slow',
    description: 'takes long enough to be killed in the middle',
    expireInSeconds: opts.expireInSeconds ?? 300,
    retryDelay: 1,
    retryBackoff: false,
    handler: async (app, data: { key: string; ms: number }, job) => {
      await record(app, data.key, 'start');
      process.stdout.write(`job-start ${data.key} attempt ${job.retryCount}\n`);
      // Long on the first attempt (so it can be killed mid-way), short on a retry.
      await new Promise((r) => setTimeout(r, job.retryCount === 0 ? data.ms : 200));
      await record(app, data.key, 'done');
      process.stdout.write(`job-done ${data.key}\n`);
    },
  },
];

const config = testConfig({
  ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : { DATA_DIR: opts.dataDir! }),
  JOB_POLL_SECONDS: '0.5',
  JOB_MAINTENANCE_SECONDS: '1',
});
const lock = config.database.kind === 'pglite' ? await lockDataFolder(config.dataDir, () => process.exit(70)) : null;
const app = await createApp({ config, jobs, log: pino({ level: 'silent' }) });
await app.database.execute('create table if not exists test_job_runs (job_id text not null, pid int not null, phase text not null, at timestamptz not null default now())');
if (opts.enqueue) {
  for (let i = 0; i < opts.enqueue.count; i++) await app.jobs.send(opts.enqueue.name, { key: `${opts.enqueue.name}-${i}`, ms: opts.enqueue.ms });
}
if (opts.noWork) {
  await app.close();
  await lock?.release();
  process.stdout.write('enqueued\n');
  process.exit(0);
}
await app.jobs.recoverAbandoned();
await app.jobs.work(app);
process.stdout.write('ready\n');
const stop = async () => {
  await app.close();
  await lock?.release();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
