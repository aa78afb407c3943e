// Start-up benchmark: time from process start to /readyz OK, the CPU the process used until then
// (steadier than time on a busy machine), and resident memory once ready, on PGlite (first start
// without templates, from the empty and from the migrated template, then a warm restart, also
// from the TypeScript sources through tsx) and on PostgreSQL. Baseline in the same run: a bare
// Node HTTP server's time to its first answer.
//   npm run bench:startup              (PostgreSQL part needs BENCH_DATABASE_URL or the local server)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPgliteTemplate } from '../src/db/client.js';
import { createReadyTemplate } from '../src/db/ready-template.js';
import { serverBundle } from '../bin/server-bundle.js';

const RUNS = Number(process.argv[2] ?? 3);
const PG_URL = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** CPU time (user + system, all threads) the process has used so far. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
}

async function timeToReady(args: string[], env: Record<string, string>, url: string): Promise<{ ms: number; rss: number; cpu: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
  try {
    for (;;) {
      if (performance.now() - started > 300_000) throw new Error('not ready after 300 s');
      try {
        const res = await fetch(url);
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - started;
    const cpu = cpuMs(child.pid!);
    await new Promise((r) => setTimeout(r, 500));
    return { ms, rss: rssMb(child.pid!), cpu };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function series(label: string, make: (i: number) => Promise<{ ms: number; rss: number; cpu?: number }>) {
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await make(i));
  const row = { label, ms: median(results.map((r) => r.ms)), rss: median(results.map((r) => r.rss)), cpu: median(results.map((r) => r.cpu ?? 0)) };
  console.log(`${label.padEnd(52)} ${row.ms.toFixed(0).padStart(6)} ms   ${row.cpu.toFixed(0).padStart(6)} ms CPU   ${row.rss.toFixed(0).padStart(4)} MB RSS`);
  return row;
}

console.log(`Onehour start-up, median of ${RUNS} runs (${os.cpus().length} cores, Node ${process.version})\n`);
const baseline = await series('baseline: bare node:http server', async () => {
  const port = await freePort();
  return timeToReady(['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`], {}, `http://127.0.0.1:${port}/`);
});
const cli = ['bin/onehour.js', 'start'];
const common = { LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
const dirs: string[] = [];
await serverBundle(); // built before the clock starts, as after any install
// Before/after in the same run: first starts with the templates set aside for the duration (as
// on an install that skipped postinstall), then from the empty template, then from the migrated one.
const template = await createPgliteTemplate();
const ready = await createReadyTemplate();
async function withAside<T>(dirsAside: string[], fn: () => Promise<T>): Promise<T> {
  for (const d of dirsAside) fs.renameSync(d, `${d}.bench-aside-${process.pid}`);
  try {
    return await fn();
  } finally {
    for (const d of dirsAside) fs.renameSync(`${d}.bench-aside-${process.pid}`, d);
  }
}
const throwaway = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-bench-'));
  try {
    const port = await freePort();
    return await timeToReady(cli, { ...common, DATA_DIR: dir, PORT: String(port) }, `http://127.0.0.1:${port}/readyz`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
const firstInitdb = await withAside([ready, template], () => series('PGlite, first start without templates (initdb)', throwaway));
const firstEmpty = await withAside([ready], () => series('PGlite, first start from the empty template', throwaway));
const first = await series('PGlite, first start from the migrated template', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-bench-'));
  dirs.push(dir);
  const port = await freePort();
  return timeToReady(cli, { ...common, DATA_DIR: dir, PORT: String(port) }, `http://127.0.0.1:${port}/readyz`);
});
const warm = await series('PGlite, restart on existing data', async (i) => {
  const port = await freePort();
  return timeToReady(cli, { ...common, DATA_DIR: dirs[i]!, PORT: String(port) }, `http://127.0.0.1:${port}/readyz`);
});
const fromSource = await series('PGlite, restart, sources through tsx', async (i) => {
  const port = await freePort();
  return timeToReady(cli, { ...common, ONEHOUR_FROM_SOURCE: '1', DATA_DIR: dirs[i]!, PORT: String(port) }, `http://127.0.0.1:${port}/readyz`);
});
let pgRow = null;
try {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const name = `onehour_bench_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  await series('PostgreSQL, first start (migrates)', async (i) => {
    if (i > 0) {
      await admin.query(`drop database ${name} with (force)`);
      await admin.query(`create database ${name}`);
    }
    const port = await freePort();
    return timeToReady(cli, { ...common, DATABASE_URL: url.toString(), PORT: String(port) }, `http://127.0.0.1:${port}/readyz`);
  });
  pgRow = await series('PostgreSQL, restart', async () => {
    const port = await freePort();
    return timeToReady(cli, { ...common, DATABASE_URL: url.toString(), PORT: String(port) }, `http://127.0.0.1:${port}/readyz`);
  });
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
} catch (err) {
  console.log(`PostgreSQL part skipped: ${(err as Error).message}`);
}
for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
console.log(`\nPGlite first start: ${firstInitdb.ms.toFixed(0)} ms / ${firstInitdb.rss.toFixed(0)} MB with initdb → ${firstEmpty.ms.toFixed(0)} ms / ${firstEmpty.rss.toFixed(0)} MB from the empty template → ${first.ms.toFixed(0)} ms / ${first.rss.toFixed(0)} MB from the migrated one.`);
console.log(`PGlite restart: ${fromSource.ms.toFixed(0)} ms (${fromSource.cpu.toFixed(0)} ms CPU) from the sources through tsx → ${warm.ms.toFixed(0)} ms (${warm.cpu.toFixed(0)} ms CPU) from the server bundle.`);
console.log(`PGlite warm start is ${(warm.ms / baseline.ms).toFixed(1)}× the bare server's start; first start ${(first.ms / baseline.ms).toFixed(1)}×${pgRow ? `; PostgreSQL restart ${(pgRow.ms / baseline.ms).toFixed(1)}×` : ''}.`);
