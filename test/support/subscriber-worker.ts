// A real worker process for the exactly-once subscriber test: runs the two test subscribers
// on PostgreSQL until killed. With `dieAfterCommitOf`, it kills itself right after that
// event's delivery committed and before pg-boss marks the job done (the retry must skip it).
//   node --import tsx test/support/subscriber-worker.ts '<json options>'
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { testConfig } from './harness.js';
import { testSubscribers } from './subscribers.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as { databaseUrl: string; holdMs: number; dieAfterCommitOf?: number };

const jobs = testSubscribers({ holdMs: opts.holdMs, announce: true }).map((def) => ({
  ...def,
  handler: async (...args: Parameters<typeof def.handler>) => {
    await def.handler(...args);
    if (args[1].eventId === opts.dieAfterCommitOf) {
      process.stdout.write(`dying after commit ${opts.dieAfterCommitOf} ${def.name}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  },
}));

const config = testConfig({ DATABASE_URL: opts.databaseUrl, JOB_POLL_SECONDS: '0.5', JOB_MAINTENANCE_SECONDS: '1' });
const app = await createApp({ config, jobs, log: pino({ level: 'silent' }) });
await app.jobs.work(app);
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});
