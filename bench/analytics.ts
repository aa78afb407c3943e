// Analytics benchmark.
// 1. Ingest: page views through the HTTP page path (GET /) and custom events through
//    POST /api/event, with concurrent keep-alive clients, until every event is written.
// 2. Dashboard: N synthetic events over 90 days bulk-loaded (SQL generate_series), rolled up,
//    then the 30-day dashboard with every panel (totals, previous period, series, 8 panels)
//    timed against the same panels by plain GROUP BY over the raw table, in the same run.
//   node --import tsx bench/analytics.ts [events=10000000] [postgres-url|pglite] [ingest=20000]
import http from 'node:http';
import pino from 'pino';
import { createApp, type App } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openMemoryDatabase } from '../src/db/client.js';
import { buildServer } from '../src/http/server.js';
import { panels, rawBreakdown, rollUpEverything, series } from '../src/modules/analytics/index.js';

const EVENTS = Number(process.argv[2] ?? 10_000_000);
const TARGET = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';
const INGEST = Number(process.argv[4] ?? 20_000);
const NOW = '2026-06-30T12:00:00Z';

async function openApp(): Promise<App> {
  const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/onehour-bench-analytics', ANALYTICS_MAX_EVENTS_PER_MINUTE: '100000', ANALYTICS_FLUSH_MS: '200', JOB_POLL_SECONDS: '3600' };
  if (TARGET === 'pglite') return createApp({ config: loadConfig(base), clock: new ManualClock(NOW), database: await openMemoryDatabase(), log: pino({ level: 'silent' }) });
  const admin = new (await import('pg')).default.Client({ connectionString: TARGET });
  await admin.connect();
  await admin.query('drop database if exists onehour_bench_analytics');
  await admin.query('create database onehour_bench_analytics');
  await admin.end();
  return createApp({ config: loadConfig({ ...base, DATABASE_URL: TARGET.replace(/\/[^/]*$/, '/onehour_bench_analytics') }), clock: new ManualClock(NOW), log: pino({ level: 'silent' }) });
}

const count = async (app: App) => (await app.database.execute<{ n: number }>('select count(*)::int as n from analytics_events')).rows[0]!.n;

async function ingest(app: App) {
  const server = await buildServer(app);
  await server.listen({ port: 0, host: '127.0.0.1' });
  const port = (server.server.address() as { port: number }).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const send = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const ua = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + (i % 400)}.0 Safari/537.36`;
      const event = i % 2 === 1;
      const body = event ? JSON.stringify({ name: 'signup', url: `http://127.0.0.1:${port}/p/x${i % 50}` }) : undefined;
      const req = http.request({ agent, port, host: '127.0.0.1', method: event ? 'POST' : 'GET', path: event ? '/api/event' : `/?utm_source=s${i % 20}`, headers: { 'user-agent': ua, ...(event ? { 'content-type': 'text/plain' } : {}) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode! < 400 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const before = await count(app);
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < INGEST) await send(next++);
  }));
  const answered = performance.now();
  await app.analytics.ingest.flush();
  for (;;) {
    if ((await count(app)) - before >= INGEST) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const written = performance.now();
  await server.close();
  agent.destroy();
  return { answeredPerS: Math.round(INGEST / ((answered - started) / 1000)), writtenPerS: Math.round(INGEST / ((written - started) / 1000)) };
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

const app = await openApp();
const backend = app.database.kind;
console.log(`analytics bench on ${backend}: ${EVENTS.toLocaleString('en')} events, ingest ${INGEST.toLocaleString('en')}`);
const ing = await ingest(app);
console.log(`ingest over HTTP (half page views GET /, half POST /api/event), 32 clients: ${ing.answeredPerS} requests/s answered, ${ing.writtenPerS} events/s written`);
await app.database.execute('delete from analytics_events; delete from analytics_visits; delete from analytics_daily; delete from analytics_hourly; delete from analytics_rollup_state');
const l = await load(app);
console.log(`bulk load ${l.loadS.toFixed(1)} s, roll-up of 91 days ${l.rollupS.toFixed(1)} s`);
const q = { period: '30d' as const };
const dash = await time(20, () => app.analytics.dashboard(q));
const raw = await time(5, async () => {
  const range = { from: '2026-06-01', to: '2026-06-30' };
  const prev = { from: '2026-05-02', to: '2026-05-31' };
  const exec = app.database.execute;
  await Promise.all([
    rawBreakdown(exec, range, null, null),
    rawBreakdown(exec, prev, null, null),
    rawBreakdown(exec, prev, null, null),
    ...Object.values(panels).map((d) => rawBreakdown(exec, range, null, d)),
  ]);
});
const filtered = await time(20, () => app.analytics.dashboard({ ...q, filter: { dim: 'source', value: 'source-3' } }));
console.log(`30-day dashboard, every panel: p95 ${dash.p95.toFixed(0)} ms (median ${dash.median.toFixed(0)}); with a filter p95 ${filtered.p95.toFixed(0)} ms`);
console.log(`same panels by plain GROUP BY over raw: p95 ${raw.p95.toFixed(0)} ms (median ${raw.median.toFixed(0)}) — ratio ${(raw.median / dash.median).toFixed(1)}× (medians)`);
void series;
await app.close();
process.exit(0);
