// Incremental rollups. Raw events are summed per UTC day for every dimension and every pair
// of dimensions (so a filter on one applies to the breakdown by any other), and per hour and
// channel. Every minute the job folds in only what changed since its watermark: the
// difference the dashboard's raw tail computes (queries.ts, `tailVersionsSql`: the events of
// the visitors seen since the watermark, as they count now minus as the rollups counted them),
// added to the rollup rows it touches — a late event and a visit that goes on after midnight
// included, since every event of those visitors is in the difference. The cost follows the
// last minute's visitors, not the size of the day. Folding and the new watermark commit in one
// transaction, so a retried job either finds its work done or does it once.
// Whole days are recomputed from raw only after a bulk load (`rollUpEverything`, `rollUpRange`).
import type { Database, ExecuteSql } from '../../db/client.js';
import { dayEnd, dayStart, dimensionColumn, dimensions, metricsSql } from './dimensions.js';
import { tailVersionsSql, versionMetricsSql } from './queries.js';

/** Ingest holds it shared while writing a batch; the rollup takes it exclusively to read the watermark. */
export const INGEST_LOCK = 72_610_014;

/** Every grouping set: the day's total, each dimension, each pair. */
function groupingSets(): string[][] {
  const sets: string[][] = [[]];
  for (const d of dimensions) sets.push([d]);
  for (let i = 0; i < dimensions.length; i++) for (let j = i + 1; j < dimensions.length; j++) sets.push([dimensions[i]!, dimensions[j]!]);
  return sets;
}

/** GROUPING(a, b, …) sets bit (n-1-i) when the i-th column is *not* grouped in the row. */
function groupingMask(set: string[]): number {
  let mask = 0;
  dimensions.forEach((d, i) => {
    if (!set.includes(d)) mask |= 1 << (dimensions.length - 1 - i);
  });
  return mask;
}

/** The rollup key columns (d1, v1, d2, v2) of a GROUPING SETS row over events `e`. */
function rollupKeySql(): { keys: string; sets: string } {
  const sets = groupingSets();
  const cols = dimensions.map((d) => `e.${dimensionColumn[d]}`);
  const g = `grouping(${cols.join(', ')})`;
  const pick = (n: 0 | 1, what: 'name' | 'value') =>
    `case ${g} ${sets
      .filter((s) => s.length > n)
      .map((s) => `when ${groupingMask(s)} then ${what === 'name' ? `'${s[n]}'` : `e.${dimensionColumn[s[n] as keyof typeof dimensionColumn]}`}`)
      .join(' ')} else '' end`;
  return {
    keys: `${pick(0, 'name')} as d1, ${pick(0, 'value')} as v1, ${pick(1, 'name')} as d2, ${pick(1, 'value')} as v2`,
    sets: `grouping sets (${sets.map((s) => `(${s.map((d) => `e.${dimensionColumn[d as keyof typeof dimensionColumn]}`).join(', ')})`).join(', ')})`,
  };
}

function buildDailySql(): string {
  const k = rollupKeySql();
  return `
    insert into analytics_daily (day, d1, v1, d2, v2, visitors, visits, entries, pageviews, bounces, duration_s)
    select (e.at at time zone 'UTC')::date, ${k.keys}, ${metricsSql}
      from analytics_events e join analytics_visits v on v.id = e.visit_id
     where e.at >= ${dayStart('$1')} and e.at < ${dayEnd('$2')} and e.name <> 'engagement'
     group by (e.at at time zone 'UTC')::date, ${k.sets}`;
}

const counters = ['visitors', 'visits', 'entries', 'pageviews', 'bounces', 'duration_s'] as const;

/**
 * The tail's difference (now − as rolled up) per day and rollup row, added to the rows it
 * touches (a new row when the day had none). Rows whose difference is zero are left alone.
 * Returns the days changed.
 */
function buildFoldDailySql(): string {
  const k = rollupKeySql();
  return `
    with ${tailVersionsSql('$1')},
    delta as (
      select e.sign, (e.at at time zone 'UTC')::date as day, ${k.keys}, ${versionMetricsSql}
        from versions e
       where e.name <> 'engagement'
       group by e.sign, (e.at at time zone 'UTC')::date, ${k.sets})
    insert into analytics_daily (day, d1, v1, d2, v2, ${counters.join(', ')})
    select day, d1, v1, d2, v2, ${counters.map((c) => `sum(sign * ${c})`).join(', ')}
      from delta
     group by day, d1, v1, d2, v2
    having ${counters.map((c) => `sum(sign * ${c}) <> 0`).join(' or ')}
    on conflict (d1, d2, v1, v2, day) do update set ${counters.map((c) => `${c} = analytics_daily.${c} + excluded.${c}`).join(', ')}
    returning to_char(day, 'YYYY-MM-DD') as day`;
}

/** The same for the hourly rollup (no visit state there: only which events count). */
const foldHourlySql = `
  with tail_visitors as (select distinct visitor_id from analytics_events where id > $1),
  ev as (select e.* from analytics_events e where e.visitor_id in (select visitor_id from tail_visitors) and e.name <> 'engagement'),
  versions as (select 1 as sign, ev.* from ev union all select -1, ev.* from ev where ev.id <= $1),
  delta as (
    select sign, date_trunc('hour', at at time zone 'UTC') at time zone 'UTC' as hour, channel,
           count(distinct visitor_id)::int as visitors, count(distinct visit_id)::int as visits, (count(*) filter (where name = 'pageview'))::int as pageviews
      from versions group by 1, 2, 3)
  insert into analytics_hourly (hour, channel, visitors, visits, pageviews)
  select hour, channel, sum(sign * visitors), sum(sign * visits), sum(sign * pageviews)
    from delta
   group by hour, channel
  having sum(sign * visitors) <> 0 or sum(sign * visits) <> 0 or sum(sign * pageviews) <> 0
  on conflict (hour, channel) do update set visitors = analytics_hourly.visitors + excluded.visitors,
    visits = analytics_hourly.visits + excluded.visits, pageviews = analytics_hourly.pageviews + excluded.pageviews`;

const dailySql = buildDailySql();
const foldDailySql = buildFoldDailySql();

const hourlySql = `
  insert into analytics_hourly (hour, channel, visitors, visits, pageviews)
  select date_trunc('hour', e.at at time zone 'UTC') at time zone 'UTC', e.channel,
         count(distinct e.visitor_id)::int, count(distinct e.visit_id)::int, (count(*) filter (where e.name = 'pageview'))::int
    from analytics_events e
   where e.at >= ${dayStart('$1')} and e.at < ${dayEnd('$2')} and e.name <> 'engagement'
   group by 1, 2`;

/** Recomputes the rollups of the days from..to (inclusive) from their raw events, in one pass. */
export async function rollUpDays(exec: ExecuteSql, from: string, to: string): Promise<void> {
  // The distinct counts sort once per grouping set; with the default 4 MB they spill to disk
  // (on PGlite, a WASM file system: three times slower). Local to the caller's transaction.
  await exec(`set local work_mem = '64MB'`);
  await exec(`delete from analytics_daily where day between $1::date and $2::date`, [from, to]);
  await exec(dailySql, [from, to]);
  await exec(`delete from analytics_hourly where hour >= ${dayStart('$1')} and hour < ${dayEnd('$2')}`, [from, to]);
  await exec(hourlySql, [from, to]);
}

/**
 * Folds the events after the watermark into the rollups and moves the watermark to the last
 * of them. The caller holds INGEST_LOCK exclusively in its transaction: no batch is half
 * written, so every event up to max(id) is committed and none arrives until it commits.
 * Returns the days whose rollups changed.
 */
async function foldTail(exec: ExecuteSql): Promise<string[]> {
  const state = await exec<{ last_event_id: number }>(`select last_event_id from analytics_rollup_state where id = 1`);
  const from = state.rows[0]?.last_event_id ?? 0;
  const top = (await exec<{ id: number | null }>(`select max(id) as id from analytics_events`)).rows[0]?.id ?? from;
  if (top <= from) return [];
  // The planner over-estimates the tail's self-join by orders of magnitude; JIT-compiling it
  // cost seconds for a query that runs in milliseconds (docs/benchmarks.md, Analytics).
  await exec(`set local jit = off`);
  await exec(`set local work_mem = '64MB'`);
  const changed = await exec<{ day: string }>(foldDailySql, [from]);
  await exec(foldHourlySql, [from]);
  await exec(
    `insert into analytics_rollup_state (id, last_event_id) values (1, $1) on conflict (id) do update set last_event_id = excluded.last_event_id`,
    [top],
  );
  return [...new Set(changed.rows.map((r) => r.day))].sort();
}

/** Folds every event since the last run into the rollups; returns the days changed. */
export async function rollUpPending(database: Database): Promise<string[]> {
  // One runner at a time across processes (pg-boss may hand the cron to two in a row).
  return database.withAdvisoryLock(72_610_013, () =>
    database.transaction(async (tx) => {
      const exec = database.executorFor(tx);
      // Waits for batches being written to commit, so no event below the new watermark is missed.
      await exec(`select pg_advisory_xact_lock(${INGEST_LOCK})`);
      return foldTail(exec);
    }),
  );
}

/**
 * After a bulk load (the demo, an import): rolls up the most recent `syncDays` days at once and
 * returns the older days in 30-day chunks, for the caller to hand to the `analytics.roll-up-range` job.
 */
export async function rollUpEverything(database: Database, syncDays = Number.MAX_SAFE_INTEGER): Promise<{ from: string; to: string }[]> {
  return database.transaction(async (tx) => {
    const exec = database.executorFor(tx);
    await exec(`select pg_advisory_xact_lock(${INGEST_LOCK})`);
    const r = (
      await exec<{ from: string | null; to: string | null; top: number | null }>(
        `select to_char(min(at) at time zone 'UTC', 'YYYY-MM-DD') as from, to_char(max(at) at time zone 'UTC', 'YYYY-MM-DD') as to, max(id) as top from analytics_events`,
      )
    ).rows[0]!;
    if (!r.from || !r.to) return [];
    const shift = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const syncFrom = syncDays >= 100_000 ? r.from : [r.from, shift(r.to, -(syncDays - 1))].sort()[1]!;
    await rollUpDays(exec, syncFrom, r.to);
    await exec(`insert into analytics_rollup_state (id, last_event_id) values (1, $1) on conflict (id) do update set last_event_id = excluded.last_event_id`, [r.top]);
    const later: { from: string; to: string }[] = [];
    for (let to = shift(syncFrom, -1); to >= r.from; to = shift(to, -30)) later.push({ from: [r.from, shift(to, -29)].sort()[1]!, to });
    return later;
  });
}

/** Rolls up a range of days (the `analytics.roll-up-range` job, after a bulk load). */
export async function rollUpRange(database: Database, from: string, to: string): Promise<void> {
  // The recomputed days must count exactly the events up to the watermark, or the next fold
  // would add some twice: the tail is folded first, under the same locks, so raw = watermark.
  await database.withAdvisoryLock(72_610_013, () =>
    database.transaction(async (tx) => {
      const exec = database.executorFor(tx);
      await exec(`select pg_advisory_xact_lock(${INGEST_LOCK})`);
      await foldTail(exec);
      await rollUpDays(exec, from, to);
    }),
  );
}
