// Support benchmark on PostgreSQL: (1) intake through the SMTP receiver to stored, threaded
// conversations — C concurrent sending connections, half the messages replies to earlier ones
// (threaded by In-Reply-To) — in messages per second; (2) the inbox list (open, newest first,
// and "mine") over 100 000 conversations: p50 / p95 of 200 requests through the HTTP API.
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/support.ts [messages=1000] [conversations=100000]
import pino from 'pino';
import nodemailer from 'nodemailer';
import { createApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { openDatabase } from '../src/db/client.js';
import { buildServer } from '../src/http/server.js';
import { createPgDatabase, testConfig } from '../test/support/harness.js';
import { SmtpReceiver } from '../src/modules/support/index.js';
import { plainMessage } from '../src/modules/support/test-mail.js';

const MESSAGES = Number(process.argv[2] ?? 1000);
const CONVERSATIONS = Number(process.argv[3] ?? 100_000);
const CONCURRENCY = 8;

const created = await createPgDatabase({ migrated: true });
const database = await openDatabase({ kind: 'pg', url: created.url });
const app = await createApp({ config: testConfig({ DATABASE_URL: created.url, SUPPORT_ADDRESS: 'support@shop.test', JOBS_ENABLED: 'false' }), clock: new ManualClock(new Date()), database, log: pino({ level: 'silent' }) });
const receiver = new SmtpReceiver(app.support, { host: '127.0.0.1', port: 0, maxBytes: 25 * 1_048_576, trustedAuthServ: [], log: pino({ level: 'silent' }) });
await receiver.start();
try {
  // 1. intake
  const transports = Array.from({ length: CONCURRENCY }, () => nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity }));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    transports.map(async (tr) => {
      for (;;) {
        const i = next++;
        if (i >= MESSAGES) return;
        const customer = Math.floor(i / 2);
        const reply = i % 2 === 1;
        const raw = plainMessage({ from: `Customer ${customer} <c${customer}@bench.example>`, subject: reply ? `Re: Question ${customer}` : `Question ${customer}`, messageId: `<b${i}@bench.example>`, inReplyTo: reply ? `<b${i - 1}@bench.example>` : undefined, text: 'Hello, a question about my order.' });
        await tr.sendMail({ envelope: { from: `c${customer}@bench.example`, to: ['support@shop.test'] }, raw });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  transports.forEach((t) => t.close());
  const stored = Number((await database.execute<{ n: number }>('select count(*)::int as n from support_conversations')).rows[0]!.n);
  console.log(`intake: ${MESSAGES} messages in ${seconds.toFixed(1)} s = ${(MESSAGES / seconds).toFixed(0)} messages/s (${CONCURRENCY} connections); ${stored} conversations (expected ${Math.ceil(MESSAGES / 2)})`);

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
