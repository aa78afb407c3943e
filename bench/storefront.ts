// Storefront benchmark: requests per second and p50/p95 latency of a product sales page (the
// demo's block-built page) and of a blog post (the demo's, with its opt-in and product blocks) under 100 concurrent connections, beside a bare Fastify route in
// the same run, on PGlite and on PostgreSQL. The server runs in a child process; autocannon
// drives it from this one.
//   npm run bench:storefront   (= node --import tsx bench/storefront.ts [seconds=10] [postgres-url])
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import readline from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';

const SECONDS = Number(process.argv[2] ?? 10);
/** The machine is shared and noisy: bare route and sales page alternate, and each figure is the median of the rounds. */
const ROUNDS = 3;
const PG_URL = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';
const CONNECTIONS = 100;

interface Urls {
  app: string;
  bare: string;
  page: string;
  post: string;
}

async function startServer(target: string): Promise<{ child: ChildProcess; urls: Urls }> {
  // BENCH_CPU_PROF=<dir>: a CPU profile of each server process (written when it stops)
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'bench/storefront-server.ts', target], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const urls = await new Promise<Urls>((resolve, reject) => {
    lines.once('line', (l) => resolve(JSON.parse(l) as Urls));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, urls };
}

/** Runs autocannon; p50/p95 come from every response's own latency (autocannon's summary has no p95). */
async function load(url: string, seconds: number, opts: { warmUp?: boolean } = {}) {
  const latencies: number[] = [];
  const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  (instance as unknown as import("node:events").EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  const r = await instance;
  const problem = `${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors (${r.timeouts} timeouts after 10 s)`;
  // A warm-up only fills caches and the JIT: on a loaded machine a few of its first requests may
  // time out, which says nothing of the measured rounds; those still must have no error at all.
  if (r.non2xx) throw new Error(problem);
  // A timeout is reported, not fatal: on a shared, overloaded machine a few requests starve; the
  // count is printed beside the figures and fails the verdict.
  if (r.errors) console.log(`${opts.warmUp ? 'warm-up' : 'measured'}: ${problem}`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10;
  return { rps: r.requests.average, p50: at(0.5), p95: at(0.95), bytes: r.throughput.average, errors: r.errors };
}

function medianOf(runs: { rps: number; p50: number; p95: number; bytes: number; errors: number }[]) {
  const mid = <K extends keyof (typeof runs)[number]>(k: K) => [...runs.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  return { rps: mid('rps'), p50: mid('p50'), p95: mid('p95'), bytes: mid('bytes'), errors: runs.reduce((n, r) => n + r.errors, 0) };
}

async function pgDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const name = `onehour_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

console.log(`Storefront: ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s, medians (${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)})\n`);
const rows: string[] = [];
for (const backend of ['PGlite', 'PostgreSQL'] as const) {
  const db = backend === 'PostgreSQL' ? await pgDatabase() : null;
  if (backend === 'PostgreSQL' && !db) {
    console.log('PostgreSQL: no server at', PG_URL, '— skipped');
    continue;
  }
  const { child, urls } = await startServer(db?.url ?? 'pglite');
  try {
    await load(urls.app + urls.page, 3, { warmUp: true }); // warm-up: JIT, first render into the cache
    await load(urls.app + urls.post, 3, { warmUp: true });
    await load(urls.bare, 2, { warmUp: true });
    const bareRuns = [];
    const pageRuns = [];
    const postRuns = [];
    for (let i = 0; i < ROUNDS; i++) {
      console.log(`round ${i + 1}: load average ${os.loadavg()[0]!.toFixed(1)}`);
      bareRuns.push(await load(urls.bare, SECONDS));
      pageRuns.push(await load(urls.app + urls.page, SECONDS));
      postRuns.push(await load(urls.app + urls.post, SECONDS));
    }
    const bare = medianOf(bareRuns);
    const page = medianOf(pageRuns);
    const post = medianOf(postRuns);
    const ratio = page.rps / bare.rps;
    const postRatio = post.rps / bare.rps;
    for (const [label, m] of [[`${backend}: bare Fastify route`, bare], [`${backend}: sales page /p/…`, page], [`${backend}: blog post /blog/…`, post]] as const) {
      const line = `| ${label} | ${Math.round(m.rps).toLocaleString('en-US')} | ${m.p50} ms | ${m.p95} ms | ${(m.bytes / 1024 / 1024).toFixed(1)} MB/s |${m.errors ? ` ${m.errors} timeouts |` : ''}`;
      rows.push(line);
      console.log(line);
    }
    const verdict = `${backend}: sales page at ${(ratio * 100).toFixed(0)} % of the bare route; p95 ${page.p95} ms (target ≥ 25 %, p95 < 50 ms: ${ratio >= 0.25 && page.p95 < 50 && !page.errors ? 'met' : 'NOT met'})`;
    const postVerdict = `${backend}: blog post at ${(postRatio * 100).toFixed(0)} % of the bare route; p95 ${post.p95} ms (same target: ${postRatio >= 0.25 && post.p95 < 50 && !post.errors ? 'met' : 'NOT met'})`;
    rows.push(`\n${verdict}\n${postVerdict}\n`);
    console.log(verdict, '\n', postVerdict, '\n');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await db?.drop();
  }
}
console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min)`);
console.log('\n| measurement | requests/s | p50 | p95 | throughput |\n|---|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
