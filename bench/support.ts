// Support benchmark on PostgreSQL: (0) a baseline of one-row commits on the same connections,
// (1) intake through the SMTP receiver to stored, threaded conversations — C concurrent sending
// connections from another process, every second message a reply to the one before it sent at
// the same time (threaded by In-Reply-To, whichever arrives first) — in messages per second; (2) the inbox list (open, newest first,
// and "mine") over 100 000 conversations: p50 / p95 of 200 requests through the HTTP API.
// Intake runs `rounds` times each way, in turn: one transaction per message, then group commit
// (BENCH_IN_FLIGHT batches at once, default 3; BENCH_LINGER_MS, default 0).
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/support.ts [messages=1000] [conversations=100000] [rounds=1]
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { openDatabase } from '../src/db/client.js';
import { buildServer } from '../src/http/server.js';
import { createPgDatabase, testConfig } from '../test/support/harness.js';
import { SmtpReceiver } from '../src/modules/support/index.js';

const MESSAGES = Number(process.argv[2] ?? 1000);
const CONVERSATIONS = Number(process.argv[3] ?? 100_000);
const CONCURRENCY = 8;
const ROUNDS = Number(process.argv[4] ?? 1);

const created = await createPgDatabase({ migrated: true });
const database = await openDatabase({ kind: 'pg', url: created.url });
const app = await createApp({ config: testConfig({ DATABASE_URL: created.url, SUPPORT_ADDRESS: 'support@shop.test', JOBS_ENABLED: 'false' }), clock: new ManualClock(new Date()), database, log: pino({ level: 'silent' }) });
const receiver = new SmtpReceiver(app.support, { host: '127.0.0.1', port: 0, maxBytes: 25 * 1_048_576, trustedAuthServ: [], log: pino({ level: 'silent' }) });
await receiver.start();
try {
  // 0. the machine's ceiling right now: the same 8 connections committing one-row transactions
  // (begin, insert, commit). Intake is read against it, since other work on the machine moves both.
  await database.execute('create table bench_floor (id bigserial primary key, v text)');
  const floorN = Math.min(MESSAGES, 1000);
  let f = 0;
  const f0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = f++;
        if (i >= floorN) return;
        await database.transaction(async (tx) => void (await database.executorFor(tx)('insert into bench_floor (v) values ($1)', [`row ${i}`])));
      }
    }),
  );
  const floorRate = floorN / ((performance.now() - f0) / 1000);
  console.log(`baseline: ${floorN} one-row transactions on ${CONCURRENCY} connections = ${floorRate.toFixed(0)} commits/s (load average ${os.loadavg()[0]!.toFixed(1)})`);

  // 1. intake: the sending servers in their own process. The same stream twice per round, in
  // turn: one transaction per message (group commit off: maxItems 1, as many transactions at once
  // as there are connections) and group commit (the default), each with its own senders.
  const sender = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'support-sender-process.ts'), [], { execArgv: ['--import', 'tsx'] });
  await new Promise((r) => sender.once('message', r));
  const defaults = { maxItems: 32, lingerMs: Number(process.env.BENCH_LINGER_MS ?? 0), maxInFlight: Number(process.env.BENCH_IN_FLIGHT ?? 3) };
  const runIntake = async (label: string, tag: string) => {
    const cpu0 = process.cpuUsage();
    const stats0 = app.support.intakeStats();
    const done = new Promise<{ seconds: number; failed: number }>((r) => sender.once('message', (m) => r(m as { seconds: number; failed: number })));
    sender.send({ port: receiver.port, messages: MESSAGES, concurrency: CONCURRENCY, tag });
    const { seconds, failed } = await done;
    const cpu = process.cpuUsage(cpu0);
    const stats1 = app.support.intakeStats();
    const perBatch = (stats1.items - stats0.items) / Math.max(1, stats1.batches - stats0.batches);
    const like = `%.${tag}@bench.example`;
    const stored = Number((await database.execute<{ n: number }>('select count(*)::int as n from support_conversations where email like $1', [like])).rows[0]!.n);
    const messages = Number((await database.execute<{ n: number }>(`select count(*)::int as n from support_messages where direction = 'inbound' and from_address like $1`, [like])).rows[0]!.n);
    const rate = MESSAGES / seconds;
    console.log(
      `intake, ${label}: ${MESSAGES} messages in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} messages/s (${CONCURRENCY} connections; ${((rate / floorRate) * 100).toFixed(0)}% of the baseline); ` +
        `${messages} stored, ${failed} refused; ${stored} conversations (expected ${Math.ceil(MESSAGES / 2)}); ${perBatch.toFixed(1)} messages per transaction; app CPU ${((cpu.user + cpu.system) / 1000 / MESSAGES).toFixed(2)} ms per message; load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    return { rate, stored };
  };
  let intakeConversations = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    app.support.configureIntake({ ...defaults, maxItems: 1, maxInFlight: CONCURRENCY });
    const one = await runIntake(`round ${round}, one transaction per message`, `r${round}o${Date.now()}`);
    app.support.configureIntake(defaults);
    const grouped = await runIntake(`round ${round}, group commit`, `r${round}g${Date.now()}`);
    console.log(`round ${round}: group commit ${(grouped.rate / one.rate).toFixed(1)}× one transaction per message`);
    intakeConversations += one.stored + grouped.stored;
  }
  sender.kill();
  const stored = intakeConversations;

  // 2. the inbox list over CONVERSATIONS rows
  await database.execute(
    `insert into support_conversations (contact_id, email, name, subject, subject_key, status, assignee_id, reply_token, message_count, last_message_at, created_at, updated_at)
     select gen_random_uuid(), 'c' || g || '@bulk.example', 'Customer ' || g, 'Question ' || g, 'question ' || g,
            (array['open','pending','snoozed','closed','closed','closed'])[1 + g % 6],
            case when g % 3 = 0 then null else (array['00000000-0000-4000-8000-000000000001','00000000-0000-4000-8000-000000000002']::uuid[])[1 + g % 2] end,
            md5(g::text), 1, now() - (g || ' seconds')::interval, now(), now()
       from generate_series(1, $1::int) g`,
    [CONVERSATIONS],
  );
  await database.execute('analyze support_conversations');
  const server = await buildServer(app);
  await server.ready();
  const setup = await server.inject({ method: 'POST', url: '/api/setup', payload: { email: 'owner@example.com', name: 'Owner', password: 'correct horse battery' } });
  const cookie = String(setup.headers['set-cookie']).split(';')[0]!;
  for (const [label, url] of [
    ['open, newest first', '/api/support/conversations?status=open&limit=50'],
    ['unassigned open', '/api/support/conversations?status=open&assignee=unassigned&limit=50'],
    ['one assignee, open', '/api/support/conversations?status=open&assignee=00000000-0000-4000-8000-000000000001&limit=50'],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const r = await server.inject({ method: 'GET', url, headers: { cookie } });
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`inbox list (${label}) over ${CONVERSATIONS + stored} conversations: p50 ${times[99]!.toFixed(1)} ms, p95 ${times[189]!.toFixed(1)} ms`);
  }
  await server.close();
} finally {
  await receiver.stop();
  await app.close();
  await created.drop();
}
