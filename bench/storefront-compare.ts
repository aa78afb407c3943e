// Before/after for the storefront: two checkouts' servers (bench/storefront-server.ts, PGlite,
// demo loaded) run side by side, and their sales page and blog post are measured in alternating
// rounds with the bare route, so both see the same machine load. For a change to the served path,
// on a shared machine where two separate runs are minutes and load averages apart. With a
// PostgreSQL URL, each server gets a fresh database of its own on that server instead of PGlite.
//   node --import tsx bench/storefront-compare.ts <baseline-checkout> [seconds=5] [rounds=3] [postgres-url]
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';

const baselineDir = path.resolve(process.argv[2] ?? '../main');
const SECONDS = Number(process.argv[3] ?? 5);
const ROUNDS = Number(process.argv[4] ?? 3);
const PG_URL = process.argv[5];
const databases: string[] = [];

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** `pglite`, or a fresh PostgreSQL database's URL (dropped at the end). */
async function target(label: string): Promise<string> {
  if (!PG_URL) return 'pglite';
  const name = `onehour_bench_compare_${label}_${process.pid}`;
  await adminQuery(`create database ${name}`);
  databases.push(name);
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

interface Urls { app: string; bare: string; page: string; post: string }

async function start(cwd: string, label: string): Promise<{ child: ChildProcess; urls: Urls }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/storefront-server.ts', await target(label)], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = await new Promise<Urls>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as Urls));
    child.once('exit', (code) => reject(new Error(`server in ${cwd} exited with ${code}`)));
  });
  return { child, urls };
}

async function rps(url: string, seconds: number): Promise<{ rps: number; p95: number; errors: number }> {
  const latencies: number[] = [];
  const instance = autocannon({ url, connections: 100, duration: seconds });
  (instance as unknown as import('node:events').EventEmitter).on('response', (_c: unknown, _s: number, _b: number, ms: number) => latencies.push(ms));
  const r = await instance;
  if (r.non2xx) throw new Error(`${url}: ${r.non2xx} non-2xx answers`);
  latencies.sort((a, b) => a - b);
  return { rps: r.requests.average, p95: Math.round((latencies[Math.floor(0.95 * (latencies.length - 1))] ?? NaN) * 10) / 10, errors: r.errors };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`Storefront before/after: baseline ${baselineDir}, this checkout ${process.cwd()}; ${ROUNDS} rounds of ${SECONDS} s, 100 connections, ${PG_URL ? 'PostgreSQL' : 'PGlite'} (${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)})`);
const before = await start(baselineDir, 'before');
const after = await start(process.cwd(), 'after');
try {
  const targets = {
    'bare route': after.urls.bare,
    'sales page, before': before.urls.app + before.urls.page,
    'sales page, after': after.urls.app + after.urls.page,
    'blog post, before': before.urls.app + before.urls.post,
    'blog post, after': after.urls.app + after.urls.post,
  };
  for (const url of Object.values(targets)) await rps(url, 2); // warm-up: JIT, renders into the caches
  const runs: Record<string, { rps: number; p95: number; errors: number }[]> = {};
  for (let i = 0; i < ROUNDS; i++) {
    console.log(`round ${i + 1}: load average ${os.loadavg()[0]!.toFixed(1)}`);
    for (const [name, url] of Object.entries(targets)) {
      const r = await rps(url, SECONDS);
      (runs[name] ??= []).push(r);
      console.log(`  ${name}: ${Math.round(r.rps)} requests/s, p95 ${r.p95} ms${r.errors ? `, ${r.errors} errors` : ''}`);
    }
  }
  console.log('\n| measurement | requests/s (median) | p95 (median) | of the bare route |\n|---|---:|---:|---:|');
  const bare = median(runs['bare route']!.map((r) => r.rps));
  for (const [name, rs] of Object.entries(runs)) {
    const r = median(rs.map((x) => x.rps));
    const errors = rs.reduce((n, x) => n + x.errors, 0);
    console.log(`| ${name} | ${Math.round(r).toLocaleString('en-US')} | ${median(rs.map((x) => x.p95))} ms | ${Math.round((100 * r) / bare)} % |${errors ? ` ${errors} errors |` : ''}`);
  }
} finally {
  for (const s of [before, after]) {
    s.child.kill('SIGTERM');
    await new Promise((r) => s.child.once('exit', r));
  }
  for (const name of databases) await adminQuery(`drop database if exists ${name} with (force)`);
  console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
}
