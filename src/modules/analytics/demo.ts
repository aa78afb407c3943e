// A year of traffic for the demo business, made to show what the dashboard and the owner's
// alerts are for: weekly seasonality, slow growth, launches that spike (email and social), a
// source that declines slowly over the last six weeks (Facebook) and one that halves overnight
// (Google, 40 days ago: a search "slap"). Deterministic (seeded) and bulk-inserted, then rolled
// up in one pass.
import type { App } from '../../app.js';
import { DAY_MS, type DemoContext, type Random } from '../../demo/random.js';
import { rollUpEverything } from './rollup.js';
import { ROLL_UP_RANGE_JOB } from './jobs.js';

interface Arrival {
  channel: string;
  source: string;
  campaign?: string;
  /** visits on an ordinary weekday a year ago */
  base: number;
  /** the volume factor on a day, `ago` days before now */
  shape?: (ago: number) => number;
}

const SLAP_DAYS_AGO = 40;
const LAUNCHES_DAYS_AGO = [300, 190, 75, 12];
const launchBoost = (ago: number) => (LAUNCHES_DAYS_AGO.some((l) => ago <= l && ago > l - 3) ? 5 - 1.5 * LAUNCHES_DAYS_AGO.reduce((m, l) => (ago <= l && ago > l - 3 ? l - ago : m), 0) : 1);
const launchCampaign = (ago: number) => {
  const l = LAUNCHES_DAYS_AGO.find((x) => ago <= x && ago > x - 3);
  return l === undefined ? '' : `launch-${365 - l}`;
};

const arrivals: Arrival[] = [
  // Google is the biggest source (about 30 visitors a day before the slap): at half the volume its
  // overnight halving sat just under the owner's sudden-drop threshold (z ≥ 3.5, docs/owner-alerts.md),
  // so whether the demo showed it depended on the noise of two days.
  { channel: 'organic_search', source: 'Google', base: 120, shape: (ago) => (ago < SLAP_DAYS_AGO ? 0.5 : 1) },
  { channel: 'organic_search', source: 'DuckDuckGo', base: 6 },
  { channel: 'organic_search', source: 'Bing', base: 5 },
  { channel: 'direct', source: 'Direct / None', base: 25 },
  // Facebook slides to 40 % over the last six weeks, from about 18 visitors a day (base × 0.25 below). At
  // base 18 (about 4 a day, 27 a week) the slide was never caught: the owner's slow-decline test
  // judges no count under 50 a week (minWeeklyVolume, docs/owner-alerts.md).
  { channel: 'social', source: 'Facebook', base: 72, shape: (ago) => (ago < 42 ? 0.4 + 0.6 * (ago / 42) : 1) },
  { channel: 'social', source: 'Instagram', base: 10, shape: launchBoost },
  { channel: 'social', source: 'YouTube', base: 8 },
  { channel: 'email', source: 'newsletter', base: 10, shape: (ago) => launchBoost(ago) * (ago % 7 === 2 ? 3 : 1) },
  { channel: 'referral', source: 'potteryblog.example', base: 6 },
  { channel: 'paid', source: 'Google', campaign: 'spring-ads', base: 8, shape: (ago) => (ago > 200 && ago < 280 ? 1 : 0) },
  { channel: 'affiliate', source: 'clayqueen', base: 4 },
];
const weekday = [0.65, 1.05, 1.1, 1.05, 1.0, 0.9, 0.6]; // Sunday … Saturday
const devices: [string, string, number][] = [
  ['Desktop', 'Chrome', 0.34],
  ['Desktop', 'Firefox', 0.08],
  ['Desktop', 'Safari', 0.1],
  ['Desktop', 'Edge', 0.06],
  ['Mobile', 'Mobile Safari', 0.22],
  ['Mobile', 'Chrome', 0.14],
  ['Tablet', 'Mobile Safari', 0.06],
];

function pickDevice(r: Random): [string, string] {
  let x = r.next();
  for (const [d, b, p] of devices) if ((x -= p) < 0) return [d, b];
  return ['Desktop', 'Chrome'];
}

/** Poisson-ish count around a mean (deterministic from r). */
const around = (r: Random, mean: number) => Math.max(0, Math.round(mean * (0.8 + 0.4 * r.next())));

export async function seedAnalyticsDemo(app: App, ctx: DemoContext): Promise<void> {
  const r = ctx.random;
  const products = ((ctx.shared.products as { slug: string }[] | undefined) ?? []).map((p) => `/p/${p.slug}`);
  // The blog's posts (the content seed runs first) are pages visitors land on and read too.
  const blog = (ctx.shared.blogPaths as string[] | undefined) ?? [];
  const pages = ['/', ...(products.length ? products : ['/p/wheel-throwing', '/p/glazing']), ...blog];
  const visits: unknown[][] = Array.from({ length: 11 }, () => []);
  const events: unknown[][] = Array.from({ length: 12 }, () => []);
  const first = (await app.database.execute<{ id: number | null }>(`select max(id) as id from analytics_visits`)).rows[0]?.id ?? 0;
  let visitId = first;
  const now = ctx.now.getTime();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  for (let ago = 364; ago >= 0; ago--) {
    const dayStart = today - ago * DAY_MS;
    const dow = new Date(dayStart).getUTCDay();
    const growth = 0.7 + 0.3 * ((364 - ago) / 364);
    for (const a of arrivals) {
      const n = around(r, a.base * weekday[dow]! * growth * (a.shape?.(ago) ?? 1) * 0.25);
      for (let i = 0; i < n; i++) {
        const start = dayStart + r.int(0, DAY_MS - 3_600_000);
        if (start > now) continue;
        const [device, browser] = pickDevice(r);
        const visitor = r.int(1, 2 ** 47);
        const campaign = a.campaign ?? (a.channel === 'email' || a.channel === 'social' ? launchCampaign(ago) : '');
        const entry = r.chance(0.45) ? '/' : r.pick(pages);
        const path = [entry];
        const views = r.chance(0.45) ? 1 : r.int(2, 5);
        while (path.length < views) path.push(r.pick(pages));
        let at = start;
        const stamps = path.map(() => (at += r.int(5, 240) * 1000) - 0);
        const id = ++visitId;
        const buys = views > 2 && r.chance(a.channel === 'email' ? 0.25 : 0.08);
        const lastAt = stamps[stamps.length - 1]! + (buys ? 240_000 : 0);
        pushRow(visits, [id, visitor, new Date(start).toISOString(), new Date(lastAt).toISOString(), views, entry, a.channel, a.source, campaign, device, browser]);
        path.forEach((p, k) => pushRow(events, [new Date(k === 0 ? start : stamps[k]!).toISOString(), 'pageview', visitor, id, k === 0, p, a.channel, a.source, campaign, entry, device, browser]));
        if (buys) {
          pushRow(events, [new Date(lastAt - 180_000).toISOString(), 'checkout_started', visitor, id, false, '/checkout/:priceId', a.channel, a.source, campaign, entry, device, browser]);
          if (r.chance(0.6)) pushRow(events, [new Date(lastAt).toISOString(), 'order_paid', visitor, id, false, '/checkout/thank-you/:orderId', a.channel, a.source, campaign, entry, device, browser]);
        }
        if (r.chance(0.1)) pushRow(events, [new Date(stamps[0]!).toISOString(), 'form_submitted', visitor, id, false, entry, a.channel, a.source, campaign, entry, device, browser]);
      }
    }
  }
  await insertColumns(app, 'analytics_visits', ['id', 'visitor_id', 'started_at', 'last_at', 'pageviews', 'entry_path', 'channel', 'source', 'campaign', 'device', 'browser'], ['bigint', 'bigint', 'timestamptz', 'timestamptz', 'int', 'text', 'text', 'text', 'text', 'text', 'text'], visits);
  await app.database.execute(`select setval(pg_get_serial_sequence('analytics_visits', 'id'), $1)`, [visitId]);
  await insertColumns(app, 'analytics_events', ['at', 'name', 'visitor_id', 'visit_id', 'entry', 'path', 'channel', 'source', 'campaign', 'entry_path', 'device', 'browser'], ['timestamptz', 'text', 'bigint', 'bigint', 'boolean', 'text', 'text', 'text', 'text', 'text', 'text', 'text'], events);
  // The last 61 days now (the 30-day dashboard and the period before it); older months in the background.
  await attachDemoOrders(app);
  for (const chunk of await rollUpEverything(app.database, 61)) await app.jobs.send(ROLL_UP_RANGE_JOB, chunk);
}

/**
 * The demo's paid checkout orders (the sell seed ran before) get the order_paid steps of their
 * day, in order, as the thank-you page would have recorded them: revenue by source then shows
 * real attribution. Orders beyond a day's steps stay "(not tracked)", as bought elsewhere.
 * (A demo seed may write SQL naming checkout's orders; production code reads checkout's views.)
 */
async function attachDemoOrders(app: App): Promise<void> {
  await app.database.execute(`
    with o as (select id, (paid_at at time zone 'UTC')::date as day, row_number() over (partition by (paid_at at time zone 'UTC')::date order by paid_at, id) as n
               from orders where status = 'paid' and kind = 'checkout' and paid_at is not null),
         e as (select id, (at at time zone 'UTC')::date as day, row_number() over (partition by (at at time zone 'UTC')::date order by at, id) as n
               from analytics_events where name = 'order_paid' and props is null)
    update analytics_events ev set props = jsonb_build_object('order', o.id::text)
    from e join o on o.day = e.day and o.n = e.n where ev.id = e.id`);
}

function pushRow(columns: unknown[][], row: unknown[]) {
  row.forEach((v, i) => columns[i]!.push(v));
}

/** Bulk insert through unnest: one statement per 20 000 rows, whatever the driver. */
async function insertColumns(app: App, table: string, names: string[], types: string[], columns: unknown[][]) {
  const total = columns[0]!.length;
  for (let from = 0; from < total; from += 20_000) {
    const slice = columns.map((c) => c.slice(from, from + 20_000));
    await app.database.execute(
      `insert into ${table} (${names.join(', ')}) select * from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
      slice,
    );
  }
}
