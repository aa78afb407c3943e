// Automation benchmark: N contacts enter a 5-step workflow (tag, wait one day, condition, email
// to a local SMTP sink, tag), with the virtual clock advanced past the wait; workers run in this
// process (JOB_CONCURRENCY of them per job). Figures per backend: contact-steps per second for
// the non-email steps (tag + wait with the enrolment, then the condition with the wake-up: they
// run in the tick), for email + the tag after it (step jobs), and the time from a trigger event
// to its first step done (p50 / p95, 50 single triggers on an idle queue).
//   npm run bench:automation   (= node --import tsx bench/automation.ts [contacts=2000] [postgres-url])
//   AUTOMATION_BENCH_ONLY=pglite or =postgres runs one backend.
//   `bench/automation.ts scale [contacts=100000] …` runs bench/automation-scale.ts instead (PostgreSQL, 100 000 contacts).
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createApp, type App } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { openDatabase, openMemoryDatabase, type Database } from '../src/db/client.js';
import { contacts } from '../src/modules/audience/schema.js';
import { startSmtpSink } from '../test/support/smtp-sink.js';
import { fiveStepWorkflow } from '../src/modules/automation/test-crash-support.js';

if (process.argv[2] === 'scale') {
  // The 100 000-contact run on PostgreSQL (tag trigger → wait → tag → split → end, and email vs broadcast).
  await import('./automation-scale.js');
  process.exit(0);
}
const N = Number(process.argv[2] ?? 2000);
const PG_URL = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function until(check: () => Promise<boolean>, timeoutMs = 1_800_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const count = async (app: App, sql: string, params: unknown[] = []) => Number((await app.database.execute<{ n: number }>(sql, params)).rows[0]!.n);

async function run(label: string, database: Database) {
  const sink = await startSmtpSink({ keepRaw: false });
  const clock = new ManualClock(new Date());
  const app = await createApp({
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/onehour-bench-automation', SMTP_URL: sink.url, MAIL_RATE_PER_SECOND: '0', JOB_POLL_SECONDS: '0.5', JOB_CONCURRENCY: '8' }),
    clock,
    database,
    log: pino({ level: 'silent' }),
  });
  const actor = { kind: 'system' as const };
  const [trigger] = await app.database.transaction((tx) => app.audience.ensureTags(tx, ['bench-trigger']));
  const w = await fiveStepWorkflow(app, 'bench', { waitMinutes: 1440, triggerTagId: trigger!.id, reentry: 'always' });
  const now = clock.now();
  const ids: string[] = [];
  for (let i = 0; i < N; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, N - i) }, (_, j) => {
      const email = `b${i + j}@bench.test`;
      return { id: randomUUID(), email, emailNormalized: email, name: 'Bench Person', status: 'active' as const, source: 'bench', fields: {}, createdAt: now, updatedAt: now };
    });
    await app.db.insert(contacts).values(batch);
    ids.push(...batch.map((c) => c.id));
  }
  await app.jobs.work(app);
  const steps = () => count(app, 'select count(*)::int as n from automation_steps where workflow_id = $1', [w.id]);

  let t0 = performance.now();
  for (let i = 0; i < N; i += 1000) await app.automation.enrol(w.id, { contactIds: ids.slice(i, i + 1000), requestKey: `bench-${i}` }, actor);
  const enrolSecs = (performance.now() - t0) / 1000;
  await until(async () => (await steps()) >= 2 * N);
  const beforeSecs = (performance.now() - t0) / 1000;
  const before = (2 * N) / beforeSecs;

  clock.advance(86_400_000 + 60_000);
  t0 = performance.now();
  while ((await app.automation.engine.wakeDue(5000)) > 0);
  // The condition runs in the tick; the email and the tag after it in step jobs.
  await until(async () => (await steps()) >= 3 * N, 1_800_000, 20);
  const conditionSecs = (performance.now() - t0) / 1000;
  const t3 = performance.now();
  await until(async () => (await steps()) >= 5 * N);
  const emailSecs = (performance.now() - t3) / 1000;
  const after = (3 * N) / ((performance.now() - t0) / 1000);
  await until(async () => sink.messages.length >= N);
  const mailDone = performance.now();
  const mailRate = N / ((mailDone - t0) / 1000);

  // Trigger → first step: one contact tagged at a time, on a quiet queue.
  const latencies: number[] = [];
  for (let i = 0; i < 50; i++) {
    const c = ids[i]!;
    const start = performance.now();
    await app.database.transaction((tx) => app.audience.tagContactInTx(tx, c, [trigger!.id], actor));
    await until(async () => (await count(app, `select count(*)::int as n from automation_runs r join automation_steps s on s.run_id = r.id where r.workflow_id = $1 and r.contact_id = $2 and r.trigger_key like 'event:%'`, [w.id, c])) > 0);
    latencies.push(performance.now() - start);
    await app.database.transaction((tx) => app.audience.untagContactInTx(tx, c, trigger!.id, actor));
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  const nonEmail = (3 * N) / (beforeSecs + conditionSecs);
  console.log(
    `${label}: ${N} contacts — non-email steps (tag, wait, condition; enrolment and wake-up included) ${nonEmail.toFixed(0)} contact-steps/s ` +
      `[tag+wait ${before.toFixed(0)}/s, enrolment ${enrolSecs.toFixed(1)} s of ${beforeSecs.toFixed(1)} s; condition ${(N / conditionSecs).toFixed(0)}/s]; ` +
      `email+tag ${((2 * N) / emailSecs).toFixed(0)} contact-steps/s; condition+email+tag ${after.toFixed(0)} contact-steps/s; ` +
      `mail at the sink ${mailRate.toFixed(0)}/s; trigger → first step p50 ${pct(0.5).toFixed(0)} ms, p95 ${pct(0.95).toFixed(0)} ms`,
  );
  // A job still in flight when the app closes fails against the closed pool: expected, not news.
  process.on('unhandledRejection', () => undefined);
  await app.close();
  await sink.close();
}

const only = process.env.AUTOMATION_BENCH_ONLY;
if (only !== 'postgres') await run('PGlite', await openMemoryDatabase());
if (only !== 'pglite') {
  const name = `onehour_bench_automation_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    await run('PostgreSQL', await openDatabase({ kind: 'pg', url: url.toString() }, { poolSize: 10 }));
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
