// Broadcast throughput: N personalised, DKIM-signed (RSA-2048), tracked messages through the
// real engine (PostgreSQL, pg-boss workers, claims, marks, throttle) to a local SMTP sink in
// another process, beside raw nodemailer (a pool, prebuilt messages, no database, no DKIM)
// to the same sink in the same run.
//
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/broadcast.ts [messages]
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { openDatabase } from '../src/db/client.js';
import { createPgDatabase, testConfig } from '../test/support/harness.js';
import { seedAudience, POSTAL } from '../src/modules/mail/test-helpers.js';

const N = Number(process.argv[2] ?? 100_000);
const here = path.dirname(fileURLToPath(import.meta.url));

function ask(child: ChildProcess, cmd: string): Promise<{ count: number; unique: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as { count: number; unique: number }));
    child.send({ cmd });
  });
}

async function waitCount(child: ChildProcess, n: number): Promise<void> {
  for (;;) {
    if ((await ask(child, 'count')).count >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sink = fork(path.join(here, 'smtp-sink-process.ts'), [], { execArgv: ['--import', 'tsx'] });
const { port } = await new Promise<{ port: number }>((resolve) => sink.once('message', (m) => resolve(m as { port: number })));
const smtpUrl = `smtp://127.0.0.1:${port}`;
console.log(`broadcast benchmark: ${N} messages, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}`);

// ---- baseline: raw nodemailer pool → sink ----------------------------------------------------
const html = `<p>Hello Person,</p>${'<p>Some useful paragraph of a newsletter with a <a href="https://shop.example/guide">link</a>.</p>'.repeat(8)}`;
const raw = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 5, maxMessages: 1000 } as never);
let t0 = performance.now();
await new Promise<void>((resolve, reject) => {
  let next = 0;
  let done = 0;
  const pump = () => {
    while (next < N && next - done < 64) {
      const i = next++;
      raw
        .sendMail({ from: 'Shop <news@shop.example>', to: `user${i}@bench.test`, subject: `Hello Person ${i}`, text: html.replace(/<[^>]+>/g, ''), html, messageId: `<raw${i}@shop.example>` })
        .then(() => {
          done++;
          if (done === N) resolve();
          else pump();
        }, reject);
    }
  };
  pump();
});
const rawSeconds = (performance.now() - t0) / 1000;
raw.close();
await waitCount(sink, N);
const rawRate = N / rawSeconds;
console.log(`raw nodemailer → sink:            ${N} in ${rawSeconds.toFixed(1)} s = ${Math.round(rawRate)} msg/s`);
await ask(sink, 'reset');

// ---- Onehour engine on PostgreSQL → sink -----------------------------------------------------
const created = await createPgDatabase();
const keys = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const database = await openDatabase({ kind: 'pg', url: created.url }, { poolSize: 10 });
const config = testConfig({
  DATABASE_URL: created.url,
  SMTP_URL: smtpUrl,
  MAIL_FROM: 'Shop Example <news@shop.example>',
  MAIL_POSTAL_ADDRESS: POSTAL,
  DKIM_DOMAIN: 'shop.example',
  DKIM_SELECTOR: 'mail',
  DKIM_PRIVATE_KEY: keys.privateKey,
  MAIL_RATE_PER_SECOND: '50000',
  MAIL_SMTP_CONNECTIONS: '8',
  MAIL_SEND_WORKERS: '4',
  JOB_POLL_SECONDS: '0.5',
});
const app = await createApp({ config, database, clock: new ManualClock(new Date()), log: pino({ level: 'warn' }) });
try {
  let s = performance.now();
  const { listId } = await seedAudience(app, N, { domain: 'bench.test' });
  console.log(`(seeded ${N} contacts in ${((performance.now() - s) / 1000).toFixed(1)} s)`);
  const b = await app.mail.broadcasts.create(
    {
      name: 'Benchmark',
      subject: 'Hello {{ contact.first_name | default: "friend" }}, news from {{ contact.city }}',
      body: `# Hi {{ contact.name | default: "there" }}\n\n${'Some useful paragraph of a newsletter with a [link](https://shop.example/guide) for you.\n\n'.repeat(8)}[Unsubscribe]({{ unsubscribe_url }})`,
      listId,
    },
    { kind: 'system' },
  );
  await app.jobs.work(app);
  t0 = performance.now();
  await app.mail.broadcasts.schedule(b.id, null, { kind: 'system' });
  let snapshotAt = 0;
  for (;;) {
    const row = (await app.database.execute<{ status: string }>('select status from broadcasts where id = $1', [b.id])).rows[0]!;
    if (row.status === 'sending' && !snapshotAt) snapshotAt = performance.now();
    if (row.status === 'finished') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  const got = await ask(sink, 'count');
  const stats = await app.mail.broadcasts.stats(b.id);
  const rate = N / seconds;
  console.log(`Onehour engine (PG, DKIM, tracked): ${N} in ${seconds.toFixed(1)} s = ${Math.round(rate)} msg/s (${((rate / rawRate) * 100).toFixed(0)} % of raw); audience snapshot ${((snapshotAt - t0) / 1000).toFixed(1)} s`);
  console.log(`sink received ${got.count} messages, ${got.unique} distinct Message-IDs; engine: sent ${stats.sent}, failed ${stats.failed}`);
  const e = app.mail.engine.stats;
  console.log(`engine time per batch (${e.batches} batches, summed over workers): claim ${(e.claimMs / e.batches).toFixed(1)} ms, render+send+mark ${(e.batchMs / e.batches).toFixed(1)} ms, guard ${(e.afterMs / e.batches).toFixed(1)} ms`);
  console.log(`targets: ≥ 1000 msg/s ${rate >= 1000 ? 'MET' : 'MISSED'}; ≥ 50 % of raw ${rate >= rawRate / 2 ? 'MET' : 'MISSED'}`);
} finally {
  await app.close();
  await created.drop();
  sink.kill();
}
