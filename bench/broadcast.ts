// Broadcast throughput: N personalised, DKIM-signed (RSA-2048), tracked messages through the
// real engine (PostgreSQL, pg-boss workers, claims, marks, throttle) to a local SMTP sink in
// another process, beside raw nodemailer (a pool, prebuilt messages, no database, no DKIM)
// to the same sink in the same run.
//
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/broadcast.ts [messages]
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

/** CPU seconds (user, system) used so far by these processes, read from /proc. */
function cpuSeconds(pids: number[]): { user: number; sys: number } {
  let user = 0;
  let sys = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      user += Number(fields[11]) / 100;
      sys += Number(fields[12]) / 100;
    } catch {
      // gone
    }
  }
  return { user, sys };
}

/** PostgreSQL's processes on this machine (the benchmark's server is the local one). */
function postgresPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Machine-wide busy and idle CPU seconds from /proc/stat. */
function machineSeconds(): { busy: number; idle: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const all = f.reduce((a, b) => a + b, 0);
  return { busy: (all - idle) / 100, idle: idle / 100 };
}

interface CpuMark {
  self: { user: number; sys: number };
  sink: { user: number; sys: number };
  pg: { user: number; sys: number };
  machine: { busy: number; idle: number };
}

function cpuMark(sinkPid: number): CpuMark {
  return { self: cpuSeconds([process.pid]), sink: cpuSeconds([sinkPid]), pg: cpuSeconds(postgresPids()), machine: machineSeconds() };
}

/** CPU milliseconds per message by process between two marks. */
function cpuReport(a: CpuMark, b: CpuMark, n: number, selfName: string): string {
  const per = (x: { user: number; sys: number }, y: { user: number; sys: number }) =>
    `${(((y.user - x.user) * 1000) / n).toFixed(2)} user + ${(((y.sys - x.sys) * 1000) / n).toFixed(2)} sys`;
  const busy = b.machine.busy - a.machine.busy;
  const idle = b.machine.idle - a.machine.idle;
  return `  CPU ms per message: ${selfName} ${per(a.self, b.self)}; sink ${per(a.sink, b.sink)}; PostgreSQL ${per(a.pg, b.pg)}; machine ${((busy / (busy + idle)) * 100).toFixed(0)} % busy`;
}

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
let cpu0 = cpuMark(sink.pid!);
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
console.log(cpuReport(cpu0, cpuMark(sink.pid!), N, 'nodemailer'));
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
  MAIL_SMTP_CONNECTIONS: process.env.BENCH_CONNS ?? '8',
  MAIL_SEND_WORKERS: process.env.BENCH_WORKERS ?? '4',
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
  const dbStats = async () =>
    (
      await app.database.execute<{ commits: number; updated: number; inserted: number; returned: number }>(
        `select xact_commit::int as commits, tup_updated::int as updated, tup_inserted::int as inserted, tup_returned::int as returned
           from pg_stat_database where datname = current_database()`,
      )
    ).rows[0]!;
  const db0 = await dbStats();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  cpu0 = cpuMark(sink.pid!);
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
  const cpu1 = cpuMark(sink.pid!);
  const got = await ask(sink, 'count');
  const stats = await app.mail.broadcasts.stats(b.id);
  const rate = N / seconds;
  console.log(`Onehour engine (PG, DKIM, tracked): ${N} in ${seconds.toFixed(1)} s = ${Math.round(rate)} msg/s (${((rate / rawRate) * 100).toFixed(0)} % of raw); audience snapshot ${((snapshotAt - t0) / 1000).toFixed(1)} s`);
  console.log(cpuReport(cpu0, cpu1, N, 'engine'));
  await new Promise((r) => setTimeout(r, 600)); // the statistics collector reports every 500 ms
  const db1 = await dbStats();
  if (process.env.BENCH_DEBUG) {
    console.log((await app.database.execute(`select relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables order by seq_tup_read + coalesce(idx_tup_fetch,0) desc limit 8`)).rows);
    console.log((await app.database.execute(`select relname, indexrelname, idx_scan, idx_tup_read, idx_tup_fetch from pg_stat_user_indexes order by idx_tup_read desc limit 8`)).rows);
  }
  console.log(
    `  PostgreSQL per message: ${((db1.commits - db0.commits) / N).toFixed(2)} transactions, ${((db1.updated - db0.updated) / N).toFixed(2)} rows updated, ${((db1.inserted - db0.inserted) / N).toFixed(2)} inserted, ${((db1.returned - db0.returned) / N).toFixed(0)} rows read`,
  );
  console.log(`sink received ${got.count} messages, ${got.unique} distinct Message-IDs; engine: sent ${stats.sent}, failed ${stats.failed}`);
  const e = app.mail.engine.stats;
  console.log(`engine time per batch (${e.batches} batches, summed over workers): claim ${(e.claimMs / e.batches).toFixed(1)} ms, render+send+mark ${(e.batchMs / e.batches).toFixed(1)} ms, guard ${(e.afterMs / e.batches).toFixed(1)} ms`);
  loopDelay.disable();
  const mk = app.mail.engine.marker.stats;
  const lat = app.mail.engine.marker.latency;
  const ms = (us: number) => (us / 1000).toFixed(1);
  console.log(`recipient marks: ${mk.marks} in ${mk.writes} statements (${(mk.marks / mk.writes).toFixed(1)} per statement)`);
  console.log(
    `crash window (server's 250 → mark committed) = event-loop delay + mark latency: ` +
      `mark p50 ${ms(lat.percentile(50))} ms, p99 ${ms(lat.percentile(99))} ms, max ${ms(lat.max)} ms; ` +
      `event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
  );
  console.log(`targets: ≥ 1000 msg/s ${rate >= 1000 ? 'MET' : 'MISSED'}; ≥ 50 % of raw ${rate >= rawRate / 2 ? 'MET' : 'MISSED'}`);
} finally {
  await app.close();
  await created.drop();
  sink.kill();
}
