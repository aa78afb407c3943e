// Analytics benchmark.
// 1. Ingest: page views through the HTTP page path (GET /) and custom events through
//    POST /api/event, 32 keep-alive connections (autocannon) against the server in a child
//    process, until every event is written; beside a bare Fastify app answering the same
//    requests in the same run, and the server's CPU time per event.
// 2. Dashboard: N synthetic events over 90 days bulk-loaded (SQL generate_series), rolled up,
//    then the 30-day dashboard with every panel (totals, previous period, series, 8 panels)
//    timed against the same panels by plain GROUP BY over the raw table, in the same run.
//   node --import tsx bench/analytics.ts [events=10000000] [postgres-url|pglite] [ingest=20000]
import { spawn } from 'node:child_process';
import os from 'node:os';
import readline from 'node:readline';
import autocannon from 'autocannon';
import pino from 'pino';
import { createApp, type App } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openMemoryDatabase } from '../src/db/client.js';
import { panels, previousRange, rawBreakdown, resolveRange, rollUpEverything, series, toMetrics, type PanelName } from '../src/modules/analytics/index.js';

const EVENTS = Number(process.argv[2] ?? 10_000_000);
const TARGET = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';
const INGEST = Number(process.argv[4] ?? 20_000);
const NOW = '2026-06-30T12:00:00Z';

async function openApp(): Promise<App> {
  const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/onehour-bench-analytics', JOB_POLL_SECONDS: '3600' };
  if (TARGET === 'pglite') return createApp({ config: loadConfig(base), clock: new ManualClock(NOW), database: await openMemoryDatabase(), log: pino({ level: 'silent' }) });
  const url = REUSE ? TARGET.replace(/\/[^/]*$/, '/onehour_bench_analytics') : await freshPgDatabase('onehour_bench_analytics');
  return createApp({ config: loadConfig({ ...base, DATABASE_URL: url }), clock: new ManualClock(NOW), log: pino({ level: 'silent' }) });
}
/** BENCH_REUSE=1 (PostgreSQL): time the dashboard on the events the last run loaded and rolled up (10 M take a long while to build). */
const REUSE = process.env.BENCH_REUSE === '1' && TARGET !== 'pglite';

async function freshPgDatabase(name: string): Promise<string> {
  const admin = new (await import('pg')).default.Client({ connectionString: TARGET });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  return TARGET.replace(/\/[^/]*$/, `/${name}`);
}

/** The server in a child process (bench/analytics-server.ts); answers one JSON line per command. */
async function startServer() {
  // BENCH_CPU_PROF=<dir>: a CPU profile of the server process
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'bench/analytics-server.ts', TARGET === 'pglite' ? 'pglite' : await freshPgDatabase('onehour_bench_analytics_ingest')], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  const lines = readline.createInterface({ input: child.stdout! });
  const queue: ((l: string) => void)[] = [];
  lines.on('line', (l) => queue.shift()?.(l));
  const next = () => new Promise<string>((resolve) => queue.push(resolve));
  const ports = JSON.parse(await next()) as { app: number; bare: number };
  const ask = async <T>(cmd: string): Promise<T> => {
    const answer = next();
    child.stdin!.write(`${cmd}\n`);
    return JSON.parse(await answer) as T;
  };
  return { child, ports, ask };
}

/** `amount` requests, half GET /?utm_source=… (a page view) and half POST /api/event, 32 keep-alive connections, 400 user agents. */
async function drive(port: number, amount: number): Promise<{ seconds: number; rps: number }> {
  let n = 0;
  const ua = () => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + (n++ % 400)}.0 Safari/537.36`;
  const started = performance.now();
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 32,
    amount,
    requests: [
      { method: 'GET', path: '/?utm_source=s1', setupRequest: (req) => ({ ...req, path: `/?utm_source=s${n % 20}`, headers: { ...req.headers, 'user-agent': ua() } }) },
      { method: 'POST', path: '/api/event', setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'content-type': 'text/plain', 'user-agent': ua() }, body: JSON.stringify({ name: 'signup', url: `http://127.0.0.1:${port}/p/x${n % 50}` }) }) },
    ],
  });
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rps: amount / seconds };
}

/** `amount` beacons only (POST `path`), 32 keep-alive connections, 400 user agents. */
async function driveBeacon(port: number, path: string, amount: number): Promise<{ seconds: number; rps: number }> {
  let n = 0;
  const started = performance.now();
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 32,
    amount,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'content-type': 'text/plain', 'user-agent': `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + (n++ % 400)}.0 Safari/537.36` }, body: JSON.stringify({ name: 'signup', url: `http://127.0.0.1:${port}/p/x${n % 50}` }) }),
      },
    ],
  });
  if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rps: amount / seconds };
}

/** The beacon alone: bare route, the real beacon (202 once buffered, events/s until written), the same answering after the write. */
async function beaconOnly() {
  const { child, ports, ask } = await startServer();
  try {
    await driveBeacon(ports.bare, '/api/event', 2000);
    await driveBeacon(ports.app, '/api/event', 2000);
    await ask('drain 2000');
    const out: Record<string, number> = {};
    let expected = 2000;
    for (const round of [1, 2]) {
      const bare = await driveBeacon(ports.bare, '/api/event', INGEST);
      const t0 = performance.now();
      const buffered = await driveBeacon(ports.app, '/api/event', INGEST);
      expected += INGEST;
      await ask(`drain ${expected}`);
      const writtenS = (performance.now() - t0) / 1000;
      const after = await driveBeacon(ports.app, '/bench/event-after-write', INGEST);
      expected += INGEST;
      await ask(`drain ${expected}`);
      out[`bare${round}`] = Math.round(bare.rps);
      out[`answered${round}`] = Math.round(buffered.rps);
      out[`written${round}`] = Math.round(INGEST / writtenS);
      out[`afterWrite${round}`] = Math.round(after.rps);
    }
    return out;
  } finally {
    child.stdin!.write('stop\n');
    await new Promise((r) => child.once('exit', r));
  }
}

async function ingest() {
  const { child, ports, ask } = await startServer();
  try {
    // warm-up (JIT, the store page's caches, the day's salt)
    await drive(ports.bare, 2000);
    await drive(ports.app, 2000);
    await ask('drain 1000');
    const cpuBare = (await ask<{ cpuUs: number }>('cpu')).cpuUs;
    const bare = await drive(ports.bare, INGEST);
    const cpu0 = (await ask<{ cpuUs: number }>('cpu')).cpuUs;
    const started = performance.now();
    const app = await drive(ports.app, INGEST);
    // every event of the run written (the warm-up's 2 000 requests were 2 000 events)
    await ask(`drain ${2000 + INGEST}`);
    const writtenS = (performance.now() - started) / 1000;
    const cpuUs = (await ask<{ cpuUs: number }>('cpu')).cpuUs - cpu0;
    return { bareRps: Math.round(bare.rps), answeredPerS: Math.round(app.rps), writtenPerS: Math.round(INGEST / writtenS), cpuUsPerEvent: Math.round(cpuUs / INGEST), bareCpuUs: Math.round((cpu0 - cpuBare) / INGEST) };
  } finally {
    child.stdin!.write('stop\n');
    await new Promise((r) => child.once('exit', r));
  }
}

async function load(app: App) {
  const visits = Math.ceil(EVENTS / 3);
  const started = performance.now();
  // One visit per three events, spread evenly over the 90 days before NOW.
  await app.database.execute(
    `insert into analytics_visits (id, visitor_id, started_at, last_at, pageviews, entry_path, channel, source, campaign, device, browser)
     select v, v, t, t + interval '3 minutes', 1 + v % 3, '/p/page-' || (v % 40),
            (array['direct','organic_search','social','email','referral','paid','affiliate'])[1 + v % 7], 'source-' || (v % 25),
            case when v % 5 = 0 then 'campaign-' || (v % 12) else '' end,
            (array['Desktop','Mobile','Tablet'])[1 + v % 3], (array['Chrome','Firefox','Safari','Edge','Mobile Safari'])[1 + v % 5]
       from (select v, timestamptz '${NOW}' - interval '90 days' + (v::float8 / $1) * interval '90 days' as t from generate_series(1, $1::int) v) x`,
    [visits],
  );
  await app.database.execute(`select setval(pg_get_serial_sequence('analytics_visits', 'id'), $1)`, [visits]);
  for (let from = 0; from < EVENTS; from += 1_000_000) {
    await app.database.execute(
      `insert into analytics_events (at, name, visitor_id, visit_id, entry, path, channel, source, campaign, entry_path, device, browser)
       select v.started_at + (i % 3) * interval '1 minute', case when i % 17 = 0 then 'signup' else 'pageview' end, v.visitor_id, v.id, i % 3 = 0,
              '/p/page-' || ((i * 13) % 60), v.channel, v.source, v.campaign, v.entry_path, v.device, v.browser
         from generate_series($1::bigint, $2::bigint) i join analytics_visits v on v.id = i / 3 + 1`,
      [from, Math.min(EVENTS, from + 1_000_000) - 1],
    );
  }
  const loaded = performance.now();
  await app.database.execute('analyze analytics_events; analyze analytics_visits');
  await rollUpEverything(app.database);
  await app.database.execute('analyze analytics_daily');
  return { loadS: (loaded - started) / 1000, rollupS: (performance.now() - loaded) / 1000 };
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(runs: number, fn: () => Promise<unknown>) {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return { p95: p95(out), median: median(out) };
}

console.log(`analytics bench on ${TARGET === 'pglite' ? 'pglite' : 'pg'}: ${EVENTS.toLocaleString('en')} events, ingest ${INGEST.toLocaleString('en')} (${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`);
if (INGEST > 0) {
  const ing = await ingest();
  console.log(`ingest over HTTP (half page views GET /, half POST /api/event), 32 connections, server in its own process:`);
  console.log(`  bare Fastify, same requests: ${ing.bareRps} requests/s; server CPU ${ing.bareCpuUs} µs per request`);
  console.log(`  Onehour: ${ing.answeredPerS} requests/s answered, ${ing.writtenPerS} events/s written (${Math.round((100 * ing.writtenPerS) / ing.bareRps)} % of bare); server CPU ${ing.cpuUsPerEvent} µs per event (≈ ${Math.round(1e6 / ing.cpuUsPerEvent)} events/s per core)`);
  console.log(`  load average after: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`beacon only (POST /api/event), 32 connections, two rounds (load average ${os.loadavg()[0]!.toFixed(1)}):`);
  const b = await beaconOnly();
  for (const k of [1, 2]) {
    console.log(`  round ${k}: bare ${b[`bare${k}`]} requests/s; beacon (202 once buffered) ${b[`answered${k}`]} answered/s, ${b[`written${k}`]} events/s written (${Math.round((100 * b[`written${k}`]!) / b[`bare${k}`]!)} % of bare); answered after the write ${b[`afterWrite${k}`]} events/s`);
  }
  console.log(`  load average after: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}
if (EVENTS === 0) process.exit(0);
const app = await openApp();
if (REUSE) {
  const n = (await app.database.execute<{ n: number }>('select count(*)::int as n from analytics_events')).rows[0]!.n;
  console.log(`reusing the last run's ${n.toLocaleString('en')} events and their rollups`);
  await app.database.execute('analyze analytics_visits');
} else {
  const l = await load(app);
  console.log(`bulk load ${l.loadS.toFixed(1)} s, roll-up of 91 days ${l.rollupS.toFixed(1)} s (load average ${os.loadavg()[0]!.toFixed(1)})`);
}
// The raw tail as the roll-up job leaves it. A reused database first folds the previous run's
// tail into the rollups. Then BENCH_FOLD events (default 1 500, ten minutes of the bench's
// traffic: the job fell behind) are written through the real ingest and folded by the job's
// own code (`rollUp`, timed), and BENCH_TAIL events (default 150, the minute or two the job,
// running every minute, leaves unfolded) are written after it: the tail the dashboard reads.
if (REUSE) await app.analytics.rollUp();
const FOLD = Number(process.env.BENCH_FOLD ?? 1500);
const TAIL = Number(process.env.BENCH_TAIL ?? 150);
const tailHits = (n: number, fromMs: number, toMs: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: i % 9 === 0 ? 'signup' : 'pageview',
    url: `http://127.0.0.1:3000/p/page-${i % 40}${i % 5 === 0 ? '?utm_source=s' + (i % 7) : ''}`,
    referrer: null,
    userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + (i % 97)}.0 Safari/537.36`,
    ip: `10.${i % 3}.${Math.floor(i / 3) % 250}.1`,
    at: new Date(fromMs + Math.round((i * (toMs - fromMs)) / n)),
  }));
if (FOLD > 0) {
  await app.analytics.ingest.write(tailHits(FOLD, Date.parse(NOW) - 660_000, Date.parse(NOW) - 60_000));
  const folds: number[] = [];
  const t0 = performance.now();
  const days = await app.analytics.rollUp();
  folds.push(performance.now() - t0);
  console.log(`roll-up job folding ${FOLD} new events (days changed: ${days.join(', ')}): ${folds[0]!.toFixed(0)} ms; load average ${os.loadavg()[0]!.toFixed(1)}`);
  // Baseline, same run: what the job did before (recompute each touched day from its raw events).
  const t1 = performance.now();
  for (const d of days) await app.analytics.rollUpRange(d, d);
  console.log(`  baseline, the same days recomputed whole from raw (the job before): ${(performance.now() - t1).toFixed(0)} ms; load average ${os.loadavg()[0]!.toFixed(1)}`);
}
await app.analytics.ingest.write(tailHits(TAIL, Date.parse(NOW) - 60_000, Date.parse(NOW)));
const tailSize = (await app.database.execute<{ n: number }>(`select count(*)::int as n from analytics_events where id > (select last_event_id from analytics_rollup_state where id = 1)`)).rows[0]!.n;
console.log(`raw tail after the rollup watermark: ${tailSize} events`);
const q = { period: '30d' as const };
const dash = await time(20, () => app.analytics.dashboard(q));
// The tail read apiece by the totals, the chart and each panel (as today was read before 2026-12-03).
const perPanel = await time(EVENTS > 3_000_000 ? 1 : 10, async () => {
  const s = app.analytics;
  const range = resolveRange(q, s.today());
  const prev = previousRange(range);
  await Promise.all([s.totals(range, null), s.totals(prev, null), series(app.database.execute, range, s.today(), null), series(app.database.execute, prev, s.today(), null), ...(Object.keys(panels) as PanelName[]).map((n) => s.panel(n, range, null, 10))]);
});
let rawTotal: Awaited<ReturnType<typeof rawBreakdown>> = new Map();
const raw = await time(EVENTS > 3_000_000 ? 1 : 5, async () => {
  const range = { from: '2026-06-01', to: '2026-06-30' };
  const prev = { from: '2026-05-02', to: '2026-05-31' };
  const exec = app.database.execute;
  await Promise.all([
    rawBreakdown(exec, range, null, null).then((m) => (rawTotal = m)),
    rawBreakdown(exec, prev, null, null),
    rawBreakdown(exec, prev, null, null),
    ...Object.values(panels).map((d) => rawBreakdown(exec, range, null, d)),
  ]);
});
// The dashboard's numbers are the raw ones (rollups + tail), not only fast.
const shown = (await app.analytics.dashboard(q)).totals.current;
const direct = toMetrics(rawTotal.get(''));
if (JSON.stringify(shown) !== JSON.stringify(direct)) throw new Error(`the dashboard's totals ${JSON.stringify(shown)} differ from the raw count ${JSON.stringify(direct)}`);
console.log(`dashboard totals = raw GROUP BY totals: ${JSON.stringify(shown)}`);
const filtered = await time(20, () => app.analytics.dashboard({ ...q, filter: { dim: 'source', value: 'source-3' } }));
console.log(`30-day dashboard, every panel: p95 ${dash.p95.toFixed(0)} ms (median ${dash.median.toFixed(0)}); with a filter p95 ${filtered.p95.toFixed(0)} ms (median ${filtered.median.toFixed(0)}); load average ${os.loadavg()[0]!.toFixed(1)}`);
console.log(`  the same, the raw tail read once per panel instead of once per request: p95 ${perPanel.p95.toFixed(0)} ms (median ${perPanel.median.toFixed(0)})`);
console.log(`same panels by plain GROUP BY over raw: p95 ${raw.p95.toFixed(0)} ms (median ${raw.median.toFixed(0)}) — ratio ${(raw.median / dash.median).toFixed(1)}× (medians)`);
await app.close();
process.exit(0);
