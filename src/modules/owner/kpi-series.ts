// The owner's KPIs as daily series, for the decline detectors (detectors.ts). Read through the
// other modules' public faces only: analytics' rollups (`series`, `AnalyticsService.panel`),
// checkout's `revenueView`, and the business event log (`events`, the spine every module writes).
//
// Days are the owner's calendar days (`q.timeZone`), except visitors: analytics rolls traffic up by
// UTC day and keeps no hourly history past its raw-event retention, so visitor series are UTC days
// (the weekday pattern the detectors rely on is the same; a day boundary is off by the zone's offset).
// Counts and money list only the days that have something; the detectors count a missing day as 0.
// Rates list only the days with a denominator (no broadcast that day, no rate).
import type { Database } from '../../db/client.js';
import { series as trafficSeries, type AnalyticsService } from '../analytics/index.js';
import { revenueView } from '../checkout/index.js';
import { addDays, type DailyPoint, type KpiSeries } from './detectors.js';

export interface KpiSeriesDeps {
  database: Pick<Database, 'execute'>;
  analytics: Pick<AnalyticsService, 'panel'>;
}

export interface KpiSeriesQuery {
  /** The owner's current day (YYYY-MM-DD); series end the day before. */
  today: string;
  /** How many complete days to read (the detectors want 16 weeks: 112). */
  days: number;
  /** IANA time zone of the owner, e.g. 'Europe/Berlin'. */
  timeZone: string;
}

/** How many traffic sources get their own series (the largest over the period). */
export const TOP_SOURCES = 8;
/** Opens and clicks counted for a broadcast within this many days of its start. */
export const RATE_WINDOW_DAYS = 3;

const DAY = `'YYYY-MM-DD'`;

export async function loadKpiSeries(deps: KpiSeriesDeps, q: KpiSeriesQuery): Promise<KpiSeries[]> {
  if (!Number.isInteger(q.days) || q.days < 1 || q.days > 3 * 366) throw new RangeError(`days must be 1–1098, got ${q.days}`);
  assertTimeZone(q.timeZone);
  const from = addDays(q.today, -q.days);
  const to = addDays(q.today, -1);
  const exec = deps.database.execute;
  const out: KpiSeries[] = [];

  // Visitors: in all and per source (UTC days, from the rollups).
  const range = { from, to };
  const total = await trafficSeries(exec, range, q.today, null);
  out.push(count('visitors', 'Visitors', 'visitors', undefined, total.map((p) => ({ day: p.t, value: p.visitors }))));
  const sources = (await deps.analytics.panel('sources', range, null, TOP_SOURCES)).filter((r) => r.value !== '' && r.visitors > 0).slice(0, TOP_SOURCES);
  for (const s of sources) {
    const points = await trafficSeries(exec, range, q.today, { dim: 'source', value: s.value });
    out.push(count(`visitors:${s.value}`, `Visitors from ${s.value}`, 'visitors', s.value, points.map((p) => ({ day: p.t, value: p.visitors }))));
  }

  // Opt-ins: contacts who subscribed, per day.
  const optIns = await exec<{ day: string; n: number }>(
    `select to_char((occurred_at at time zone $1)::date, ${DAY}) as day, count(distinct coalesce(contact_id, subject_id))::int as n
       from events
      where type = 'contact.subscribed' and occurred_at >= ${zonedStart('$2', '$1')} and occurred_at < ${zonedStart('$3', '$1')}
      group by 1 order by 1`,
    [q.timeZone, from, q.today],
  );
  out.push(count('opt_ins', 'Opt-ins', 'opt_ins', undefined, optIns.rows.map((r) => ({ day: r.day, value: r.n }))));

  // Course completions.
  const completions = await exec<{ day: string; n: number }>(
    `select to_char((occurred_at at time zone $1)::date, ${DAY}) as day, count(*)::int as n
       from events
      where type = 'course.completed' and occurred_at >= ${zonedStart('$2', '$1')} and occurred_at < ${zonedStart('$3', '$1')}
      group by 1 order by 1`,
    [q.timeZone, from, q.today],
  );
  out.push(count('course_completions', 'Course completions', 'course_completions', undefined, completions.rows.map((r) => ({ day: r.day, value: r.n }))));

  // Sales, revenue (per currency) and the refund rate, from checkout's revenue view.
  const money = await exec<{ day: string; currency: string; sales: number; gross: string | number; refunds: number }>(
    `select to_char((r.at at time zone $1)::date, ${DAY}) as day, r.currency,
            (count(distinct r.order_id) filter (where r.line = 'payment' and r.payment_kind = 'initial'))::int as sales,
            coalesce(sum(r.amount) filter (where r.line = 'payment'), 0)::bigint as gross,
            (count(*) filter (where r.line = 'refund'))::int as refunds
       from ${revenueView} r
      where r.at >= ${zonedStart('$2', '$1')} and r.at < ${zonedStart('$3', '$1')}
      group by 1, 2 order by 1, 2`,
    [q.timeZone, from, q.today],
  );
  const salesByDay = new Map<string, number>();
  const refundsByDay = new Map<string, number>();
  const revenueByCurrency = new Map<string, DailyPoint[]>();
  for (const r of money.rows) {
    salesByDay.set(r.day, (salesByDay.get(r.day) ?? 0) + r.sales);
    refundsByDay.set(r.day, (refundsByDay.get(r.day) ?? 0) + r.refunds);
    const gross = Number(r.gross);
    if (gross > 0) {
      const list = revenueByCurrency.get(r.currency) ?? [];
      list.push({ day: r.day, value: gross / 10 ** minorDigits(r.currency) });
      revenueByCurrency.set(r.currency, list);
    }
  }
  out.push(count('sales', 'Sales', 'sales', undefined, [...salesByDay].filter(([, n]) => n > 0).map(([day, value]) => ({ day, value }))));
  for (const [currency, points] of [...revenueByCurrency].sort(([a], [b]) => a.localeCompare(b))) {
    out.push({ key: `revenue:${currency}`, label: `Revenue (${currency.toUpperCase()})`, kpi: 'revenue', dimension: currency, unit: 'money', direction: 'up_is_good', points });
  }
  out.push({
    key: 'refund_rate', label: 'Refund rate', kpi: 'refund_rate', unit: 'rate', direction: 'down_is_good',
    // Refunds on a day over the sales of that day: a proxy (a refund follows its sale by days), steady over weeks.
    points: [...salesByDay].filter(([, n]) => n > 0).map(([day, n]) => ({ day, value: (refundsByDay.get(day) ?? 0) / n, denominator: n })),
  });

  // Open and click rates per broadcast, on the day it started: distinct openers (clickers) within
  // RATE_WINDOW_DAYS of the start over its recipients. Broadcasts younger than that are left out.
  const rates = await exec<{ day: string; recipients: number; opened: number; clicked: number }>(
    `with b as (
       select subject_id as id, occurred_at as at, (data->>'recipients')::int as recipients
         from events
        where type = 'broadcast.started' and occurred_at >= ${zonedStart('$2', '$1')} and occurred_at < ${zonedStart('$3', '$1')} - make_interval(days => $4)
     ), o as (
       select b.id,
              (count(distinct e.contact_id) filter (where e.type = 'email.opened'))::int as opened,
              (count(distinct e.contact_id) filter (where e.type = 'email.clicked'))::int as clicked
         from b join events e on e.data->>'broadcastId' = b.id
        where e.type in ('email.opened', 'email.clicked') and e.occurred_at >= b.at and e.occurred_at < b.at + make_interval(days => $4)
        group by b.id
     )
     select to_char((b.at at time zone $1)::date, ${DAY}) as day, sum(b.recipients)::int as recipients,
            coalesce(sum(o.opened), 0)::int as opened, coalesce(sum(o.clicked), 0)::int as clicked
       from b left join o on o.id = b.id
      where b.recipients > 0
      group by 1 order by 1`,
    [q.timeZone, from, q.today, RATE_WINDOW_DAYS],
  );
  out.push({ key: 'open_rate', label: 'Open rate', kpi: 'open_rate', unit: 'rate', direction: 'up_is_good', points: rates.rows.map((r) => ({ day: r.day, value: Math.min(1, r.opened / r.recipients), denominator: r.recipients })) });
  out.push({ key: 'click_rate', label: 'Click rate', kpi: 'click_rate', unit: 'rate', direction: 'up_is_good', points: rates.rows.map((r) => ({ day: r.day, value: Math.min(1, r.clicked / r.recipients), denominator: r.recipients })) });
  return out;
}

function count(key: string, label: string, kpi: string, dimension: string | undefined, points: DailyPoint[]): KpiSeries {
  return { key, label, kpi, ...(dimension !== undefined ? { dimension } : {}), unit: 'count', direction: 'up_is_good', points: points.filter((p) => p.value > 0) };
}

/** The instant a calendar day starts in a time zone, as SQL (both parameters are SQL placeholders). */
function zonedStart(dayParam: string, zoneParam: string): string {
  return `(${dayParam}::date::timestamp at time zone ${zoneParam})`;
}

function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new RangeError(`unknown time zone: ${JSON.stringify(tz)}`);
  }
}

function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
