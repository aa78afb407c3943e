// Reading traffic: the daily rollups (every day the rollup job has seen, today's up to its
// watermark) corrected by the raw tail, the events after the watermark (see `readTail`).
// `rawBreakdown` computes the same numbers by a plain GROUP BY over raw events: the tests and
// the benchmark compare the dashboard's reads against it.
import type { ExecuteSql } from '../../db/client.js';
import { addCounts, dayEnd, dayStart, dimensionColumn, metricsSql, metricsSqlOver, type Counts, type Dimension, type Filter, zeroCounts } from './dimensions.js';

/** Inclusive UTC days, YYYY-MM-DD. */
export interface DayRange {
  from: string;
  to: string;
}

export const TOTAL = '';

interface CountRow {
  value: string;
  visitors: number;
  visits: number;
  entries: number;
  pageviews: number;
  bounces: number;
  duration_s: number;
}

const toCounts = (r: CountRow): Counts => ({ visitors: r.visitors, visits: r.visits, entries: r.entries, pageviews: r.pageviews, bounces: r.bounces, durationS: r.duration_s });
const sums = `sum(visitors)::int as visitors, sum(visits)::int as visits, sum(entries)::int as entries, sum(pageviews)::int as pageviews,
  sum(bounces)::int as bounces, sum(duration_s)::bigint as duration_s`;

/** Which rollup rows answer "breakdown by `dim` (or the total) under `filter`", and which column holds the value. */
function rollupSlice(dim: Dimension | null, filter: Filter | null): { where: string; values: string[]; valueCol: string } {
  if (!filter) return dim ? { where: `d1 = $3 and d2 = ''`, values: [dim], valueCol: 'v1' } : { where: `d1 = '' and d2 = ''`, values: [], valueCol: `''` };
  if (!dim || dim === filter.dim) {
    return { where: `d1 = $3 and v1 = $4 and d2 = ''`, values: [filter.dim, filter.value], valueCol: dim ? 'v1' : `''` };
  }
  return filter.dim < dim
    ? { where: `d1 = $3 and v1 = $4 and d2 = $5`, values: [filter.dim, filter.value, dim], valueCol: 'v2' }
    : { where: `d1 = $3 and d2 = $4 and v2 = $5`, values: [dim, filter.dim, filter.value], valueCol: 'v1' };
}

/** Sums of the daily rollups over whole days. */
export async function rollupBreakdown(exec: ExecuteSql, range: DayRange, filter: Filter | null, dim: Dimension | null): Promise<Map<string, Counts>> {
  const s = rollupSlice(dim, filter);
  const res = await exec<CountRow>(
    `select ${s.valueCol} as value, ${sums} from analytics_daily where day between $1::date and $2::date and ${s.where} group by 1`,
    [range.from, range.to, ...s.values],
  );
  return new Map(res.rows.map((r) => [r.value, toCounts(r)]));
}

function rawWhere(filter: Filter | null, first: number): { sql: string; values: string[] } {
  if (!filter) return { sql: '', values: [] };
  return { sql: ` and e.${dimensionColumn[filter.dim]} = $${first}`, values: [filter.value] };
}

/** The same numbers straight from raw events: per day, then summed (visitor ids are daily). */
export async function rawBreakdown(exec: ExecuteSql, range: DayRange, filter: Filter | null, dim: Dimension | null): Promise<Map<string, Counts>> {
  const w = rawWhere(filter, 3);
  const col = dim ? `e.${dimensionColumn[dim]}` : `''`;
  const res = await exec<CountRow>(
    `select value, ${sums} from (
       select (e.at at time zone 'UTC')::date as day, ${col} as value, ${metricsSql}
         from analytics_events e join analytics_visits v on v.id = e.visit_id
        where e.at >= ${dayStart('$1')} and e.at < ${dayEnd('$2')} and e.name <> 'engagement'${w.sql}
        group by 1, 2) per_day
     group by 1`,
    [range.from, range.to, ...w.values],
  );
  return new Map(res.rows.map((r) => [r.value, toCounts(r)]));
}

function merge(a: Map<string, Counts>, b: Map<string, Counts>): Map<string, Counts> {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, addCounts(out.get(k) ?? zeroCounts(), v));
  return out;
}

/** Counts by dimension ('' for the total) → value. */
export type DaySlices = Map<Dimension | '', Map<string, Counts>>;

/**
 * What the raw events after the rollup watermark change in the rollups: per day, dimension and
 * value, the signed difference "now" − "as rolled up". Rollups + this = a direct count over raw.
 */
export interface Tail {
  watermark: number;
  /** the number of raw events after the watermark */
  events: number;
  days: Map<string, DaySlices>;
}

/** The grouping-set value column and its GROUPING() mask per column, for GROUPING SETS ((), (c1), (c2), …). */
function groupingOf(cols: string[]): { g: string; value: string; maskOf: (i: number) => number; all: number } {
  const all = (1 << cols.length) - 1;
  // GROUPING sets bit (n-1-i) for each column i *not* grouped: the set of column i has every bit but its own.
  const maskOf = (i: number) => all & ~(1 << (cols.length - 1 - i));
  if (!cols.length) return { g: '0', value: `''`, maskOf, all };
  return { g: `grouping(${cols.join(', ')})`, value: `case grouping(${cols.join(', ')}) ${cols.map((c, i) => `when ${maskOf(i)} then ${c}`).join(' ')} else '' end`, maskOf, all };
}

/** The rollup job's watermark: events with a higher id are not in the rollups yet. */
export async function rollupWatermark(exec: ExecuteSql): Promise<number> {
  return (await exec<{ id: number }>(`select coalesce((select last_event_id from analytics_rollup_state where id = 1), 0)::bigint as id`)).rows[0]!.id;
}

/**
 * The CTEs `tail_visitors` (the visitors with an event after the watermark, and how many each)
 * and `versions`: every event of those visitors twice, as it counts now (sign 1, with its
 * visit's page views and last event now) and as the rollups counted it at the watermark
 * (sign -1, only events up to the watermark, with the visit as it was then). The dashboard's
 * tail (`readTail`) and the roll-up job (rollup.ts, `foldTail`) both sum over `versions`.
 */
export function tailVersionsSql(watermark: string): string {
  return `tail_visitors as (
       select visitor_id, count(*) as n from analytics_events where id > ${watermark} group by visitor_id),
     ev as (
       -- every event of those visitors (all of a visit's events carry its visitor id), with its
       -- visit's state now and as of the watermark, by window over the visit's events
       select e.*, v.started_at, v.pageviews as pageviews_now, v.last_at as last_now,
              v.pageviews - (count(*) filter (where e.id > ${watermark} and e.name = 'pageview') over w)::int as pageviews_then,
              max(e.at) filter (where e.id <= ${watermark}) over w as last_then
         from analytics_events e join analytics_visits v on v.id = e.visit_id
        where e.visitor_id in (select visitor_id from tail_visitors)
       window w as (partition by e.visit_id)),
     versions as (
       select 1 as sign, ev.*, ev.pageviews_now as visit_pageviews, ev.last_now as visit_last_at from ev
       union all
       select -1, ev.*, ev.pageviews_then, ev.last_then from ev where ev.id <= ${watermark})`;
}

/** `metricsSql` over `versions` rows (each carries its visit's state of its version). */
export const versionMetricsSql = metricsSqlOver({ pageviews: 'e.visit_pageviews', lastAt: 'e.visit_last_at', startedAt: 'e.started_at' });

/**
 * The raw tail: how the events after the watermark change the rollups, for the total and
 * every dimension asked for, under a filter.
 *
 * Why this is exact. Every metric (distinct visitors, distinct visits, entries, page views,
 * bounces, duration) is a sum over visitors: for disjoint sets of visitors the counts add,
 * per day and per value. Split the visitors into T, those with an event after the watermark,
 * and the rest. The rest's events are all at or below the watermark and their visits have not
 * changed since (a visit changes only through a new event of its visitor), so the rollup
 * holds their counts as they are now. For T the rollup holds their counts "as of the
 * watermark": their events up to it, with each visit's page views and last event as they were
 * then (page views now minus those after the watermark; the latest event up to it: ingest
 * keeps a visit's `pageviews` and `last_at` so). So rollups − T as of the watermark + T now
 * = a direct count now. T is the visitors of the last minute or so: a few hundred rows read
 * through `analytics_events_visitor_idx`, whatever the size of the day.
 */
export async function readTail(exec: ExecuteSql, watermark: number, filter: Filter | null, dims: readonly Dimension[]): Promise<Tail> {
  const w = rawWhere(filter, 2);
  const cols = dims.map((d) => `e.${dimensionColumn[d]}`);
  const grouping = groupingOf(cols);
  const res = await exec<CountRow & { sign: number; day: string; g: number; tail: number }>(
    `with ${tailVersionsSql('$1')}
     select e.sign, to_char((e.at at time zone 'UTC')::date, 'YYYY-MM-DD') as day, ${grouping.g}::int as g, ${grouping.value} as value,
            (select coalesce(sum(n), 0) from tail_visitors)::int as tail,
            ${versionMetricsSql}
       from versions e
      where e.name <> 'engagement'${w.sql}
      group by e.sign, (e.at at time zone 'UTC')::date${cols.length ? `, grouping sets ((), ${cols.map((c) => `(${c})`).join(', ')})` : ''}`,
    [watermark, ...w.values],
  );
  const tail: Tail = { watermark, events: res.rows[0]?.tail ?? 0, days: new Map() };
  for (const r of res.rows) {
    let slices = tail.days.get(r.day);
    if (!slices) tail.days.set(r.day, (slices = new Map([['', new Map()], ...dims.map((d) => [d, new Map()] as [Dimension, Map<string, Counts>])])));
    const dim: Dimension | '' = r.g === grouping.all || !dims.length ? '' : dims[dims.findIndex((_, k) => r.g === grouping.maskOf(k))]!;
    const byValue = slices.get(dim)!;
    const c = toCounts(r);
    byValue.set(r.value, addCounts(byValue.get(r.value) ?? zeroCounts(), r.sign > 0 ? c : negate(c)));
  }
  return tail;
}

const negate = (c: Counts): Counts => ({ visitors: -c.visitors, visits: -c.visits, entries: -c.entries, pageviews: -c.pageviews, bounces: -c.bounces, durationS: -c.durationS });

/** The tail's changes over a range of days, for one dimension (or the total). */
function tailOver(tail: Tail, range: DayRange, dim: Dimension | null): Map<string, Counts> {
  let out = new Map<string, Counts>();
  for (const [day, slices] of tail.days) {
    if (day < range.from || day > range.to) continue;
    const byValue = slices.get(dim ?? '');
    if (!byValue) throw new Error(`the tail was read without the dimension ${dim}`);
    out = merge(out, byValue);
  }
  return out;
}

/**
 * Runs `read` with the rollup watermark, again if the rollup job committed meanwhile: the job
 * writes its rollups and its watermark in one transaction, so an unchanged watermark after
 * the reads means every rollup row read was of that watermark.
 */
export async function atWatermark<T>(exec: ExecuteSql, read: (watermark: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const watermark = await rollupWatermark(exec);
    const out = await read(watermark);
    if ((await rollupWatermark(exec)) === watermark || attempt === 4) return out;
  }
}

/**
 * Rollups plus the raw tail (`tail`: read once for the request, else read here for `dim`):
 * the same numbers as `rawBreakdown`, reading the raw events of the last minute's visitors only.
 */
export async function breakdown(exec: ExecuteSql, range: DayRange, filter: Filter | null, dim: Dimension | null, tail?: Tail | Promise<Tail>): Promise<Map<string, Counts>> {
  if (tail) {
    const [rolled, t] = await Promise.all([rollupBreakdown(exec, range, filter, dim), tail]);
    return merge(rolled, tailOver(t, range, dim));
  }
  return atWatermark(exec, async (watermark) => {
    const [rolled, t] = await Promise.all([rollupBreakdown(exec, range, filter, dim), readTail(exec, watermark, filter, dim ? [dim] : [])]);
    return merge(rolled, tailOver(t, range, dim));
  });
}

export function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

export interface SeriesPoint {
  /** a day (YYYY-MM-DD) or an hour (ISO) */
  t: string;
  visitors: number;
  visits: number;
  pageviews: number;
}

/** Visitors and pageviews per day (rollups and the raw tail), or per hour (raw) for a one-day range. */
export async function dailySeries(exec: ExecuteSql, range: DayRange, filter: Filter | null, tail?: Tail | Promise<Tail>): Promise<SeriesPoint[]> {
  if (range.from === range.to) {
    const w = rawWhere(filter, 3);
    const res = await exec<SeriesPoint>(
      `select to_char(date_trunc('hour', e.at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"') as t,
              count(distinct e.visitor_id)::int as visitors, count(distinct e.visit_id)::int as visits, (count(*) filter (where e.name = 'pageview'))::int as pageviews
         from analytics_events e
        where e.at >= ${dayStart('$1')} and e.at < ${dayEnd('$2')} and e.name <> 'engagement'${w.sql}
        group by 1 order by 1`,
      [range.from, range.to, ...w.values],
    );
    return fillHours(range.from, res.rows);
  }
  const s = rollupSlice(null, filter);
  const perDay = async (tailRead: Tail | Promise<Tail>) => {
    const [res, t] = await Promise.all([
      exec<CountRow & { t: string }>(
        `select to_char(day, 'YYYY-MM-DD') as t, ${sums} from analytics_daily where day between $1::date and $2::date and ${s.where} group by day order by day`,
        [range.from, range.to, ...s.values],
      ),
      tailRead,
    ]);
    return { res, t };
  };
  const { res, t } = await (tail ? perDay(tail) : atWatermark(exec, (watermark) => perDay(readTail(exec, watermark, filter, []))));
  const byDay = new Map(res.rows.map((r) => [r.t, toCounts(r)]));
  for (const [day, slices] of t.days) {
    const change = slices.get('')!.get(TOTAL);
    if (change && day >= range.from && day <= range.to) byDay.set(day, addCounts(byDay.get(day) ?? zeroCounts(), change));
  }
  const out: SeriesPoint[] = [];
  for (let d = range.from; d <= range.to; d = nextDay(d)) {
    const c = byDay.get(d);
    out.push({ t: d, visitors: c?.visitors ?? 0, visits: c?.visits ?? 0, pageviews: c?.pageviews ?? 0 });
  }
  return out;
}

/** `dailySeries` as other modules call it (the owner's KPI series); `today` is not needed since the tail replaced "today from raw rows". */
export const series = (exec: ExecuteSql, range: DayRange, _today: string, filter: Filter | null): Promise<SeriesPoint[]> => dailySeries(exec, range, filter);

export const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

function fillHours(day: string, rows: SeriesPoint[]): SeriesPoint[] {
  const byHour = new Map(rows.map((r) => [r.t, r]));
  return Array.from({ length: 24 }, (_, h) => {
    const t = `${day}T${String(h).padStart(2, '0')}:00:00Z`;
    return byHour.get(t) ?? { t, visitors: 0, visits: 0, pageviews: 0 };
  });
}
