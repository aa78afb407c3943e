// Reading traffic: complete days from the rollups, today from the raw rows (the rollup job
// has not finished today). `rawBreakdown` computes the same numbers by a plain GROUP BY over
// raw events: the dashboard uses it for today, the property test and the benchmark compare
// the rollups against it.
import type { ExecuteSql } from '../../db/client.js';
import { addCounts, dayEnd, dayStart, dimensionColumn, metricsSql, type Counts, type Dimension, type Filter, zeroCounts } from './dimensions.js';

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

/** One day's raw counts by several dimensions at once: dimension ('' for the total) → value → counts. */
export type DaySlices = Map<Dimension | '', Map<string, Counts>>;

/** Dimensions whose value is the visit's (copied onto each of its events): the same for every event of a visit. */
const visitDimensions: readonly Dimension[] = ['browser', 'campaign', 'channel', 'device', 'entry', 'source'];

/** `grouping(...)` and the value of the one grouped column, for GROUPING SETS ((), (c1), (c2), …). */
function groupingOf(cols: string[]): { g: string; value: string; maskOf: (i: number) => number; all: number } {
  const all = (1 << cols.length) - 1;
  // GROUPING sets bit (n-1-i) for each column i *not* grouped: the set of column i has every bit but its own.
  const maskOf = (i: number) => all & ~(1 << (cols.length - 1 - i));
  if (!cols.length) return { g: '0', value: `''`, maskOf, all };
  return { g: `grouping(${cols.join(', ')})`, value: `case grouping(${cols.join(', ')}) ${cols.map((c, i) => `when ${maskOf(i)} then ${c}`).join(' ')} else '' end`, maskOf, all };
}

/**
 * A day's raw events grouped by the total and every dimension asked for (GROUPING SETS): the
 * dashboard reads today this way once per request, instead of once per panel. Two statements:
 * the dimensions fixed per visit are grouped over the day's visits (each visit's events summed
 * first: a third as many rows to sort for the distinct counts), page and event over events.
 */
export async function rawDaySlices(exec: ExecuteSql, day: string, filter: Filter | null, dims: readonly Dimension[]): Promise<DaySlices> {
  const w = rawWhere(filter, 2);
  const scope = `e.at >= ${dayStart('$1')} and e.at < ${dayEnd('$1')} and e.name <> 'engagement'${w.sql}`;
  // Only entry events need their visit (bounce, duration), and an entry event is its visit's
  // first, so its visit started that day: the join reads the day's visits (an index range), not
  // a lookup per event or a scan of every visit.
  const dayVisits = (alias: string, on: string) =>
    `left join analytics_visits v on v.id = ${alias}.visit_id and ${on} and v.started_at >= ${dayStart('$1')} and v.started_at < ${dayEnd('$1')}`;
  const out: DaySlices = new Map([['', new Map()], ...dims.map((d) => [d, new Map()] as [Dimension, Map<string, Counts>])]);
  const read = (rows: (CountRow & { g: number })[], ds: readonly Dimension[], total: boolean) => {
    const { maskOf, all } = groupingOf(ds.map((d) => d));
    for (const r of rows) {
      if (r.g === all || ds.length === 0) {
        if (total) out.get('')!.set(TOTAL, toCounts(r));
        continue;
      }
      out.get(ds[ds.findIndex((_, k) => r.g === maskOf(k))]!)!.set(r.value, toCounts(r));
    }
  };

  const byVisit = dims.filter((d) => visitDimensions.includes(d));
  const vcols = byVisit.map((d) => `p.${dimensionColumn[d]}`);
  const vg = groupingOf(vcols);
  const visitRows = await exec<CountRow & { g: number }>(
    `with p as (
       select e.visit_id, min(e.visitor_id) as visitor_id, ${byVisit.map((d) => `min(e.${dimensionColumn[d]}) as ${dimensionColumn[d]}, `).join('')}
              (count(*) filter (where e.entry))::int as entries, (count(*) filter (where e.name = 'pageview'))::int as pageviews
         from analytics_events e where ${scope} group by e.visit_id)
     select ${vg.g}::int as g, ${vg.value} as value,
            count(distinct p.visitor_id)::int as visitors, count(*)::int as visits, coalesce(sum(p.entries), 0)::int as entries, coalesce(sum(p.pageviews), 0)::int as pageviews,
            coalesce(sum(p.entries) filter (where v.pageviews <= 1), 0)::int as bounces,
            coalesce(sum(p.entries * extract(epoch from v.last_at - v.started_at)::bigint), 0)::bigint as duration_s
       from p ${dayVisits('p', 'p.entries > 0')}
      group by grouping sets ((), ${vcols.map((c) => `(${c})`).join(', ') || '()'})`,
    [day, ...w.values],
  );
  read(visitRows.rows, byVisit, true);

  const byEvent = dims.filter((d) => !visitDimensions.includes(d));
  if (byEvent.length) {
    const ecols = byEvent.map((d) => `e.${dimensionColumn[d]}`);
    const eg = groupingOf(ecols);
    const eventRows = await exec<CountRow & { g: number }>(
      `select ${eg.g}::int as g, ${eg.value} as value, ${metricsSql}
         from analytics_events e ${dayVisits('e', 'e.entry')}
        where ${scope}
        group by grouping sets (${ecols.map((c) => `(${c})`).join(', ')})`,
      [day, ...w.values],
    );
    read(eventRows.rows, byEvent, false);
  }
  return out;
}

/**
 * Rollups for the days before today, raw rows for today (`todaySlices`: today already read by
 * `rawDaySlices` for this request, else read here).
 */
export async function breakdown(exec: ExecuteSql, range: DayRange, today: string, filter: Filter | null, dim: Dimension | null, todaySlices?: DaySlices): Promise<Map<string, Counts>> {
  const pastTo = range.to < today ? range.to : previousDay(today);
  const past = range.from <= pastTo ? await rollupBreakdown(exec, { from: range.from, to: pastTo }, filter, dim) : new Map<string, Counts>();
  if (range.to < today || range.from > today) return past;
  const slice = todaySlices?.get(dim ?? '');
  return merge(past, slice ?? (await rawBreakdown(exec, { from: today, to: today }, filter, dim)));
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

/** Visitors and pageviews per day (rollups, today raw), or per hour for a one-day range. */
export async function series(exec: ExecuteSql, range: DayRange, today: string, filter: Filter | null, todaySlices?: DaySlices): Promise<SeriesPoint[]> {
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
  const res = await exec<SeriesPoint>(
    `select to_char(day, 'YYYY-MM-DD') as t, sum(visitors)::int as visitors, sum(visits)::int as visits, sum(pageviews)::int as pageviews
       from analytics_daily where day between $1::date and $2::date and ${s.where} group by day order by day`,
    [range.from, range.to, ...s.values],
  );
  const byDay = new Map(res.rows.map((r) => [r.t, r]));
  if (range.from <= today && today <= range.to) {
    const t = (todaySlices?.get('') ?? (await rawBreakdown(exec, { from: today, to: today }, filter, null))).get(TOTAL);
    if (t) byDay.set(today, { t: today, visitors: t.visitors, visits: t.visits, pageviews: t.pageviews });
  }
  const out: SeriesPoint[] = [];
  for (let d = range.from; d <= range.to; d = nextDay(d)) out.push(byDay.get(d) ?? { t: d, visitors: 0, visits: 0, pageviews: 0 });
  return out;
}

export const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

function fillHours(day: string, rows: SeriesPoint[]): SeriesPoint[] {
  const byHour = new Map(rows.map((r) => [r.t, r]));
  return Array.from({ length: 24 }, (_, h) => {
    const t = `${day}T${String(h).padStart(2, '0')}:00:00Z`;
    return byHour.get(t) ?? { t, visitors: 0, visits: 0, pageviews: 0 };
  });
}
