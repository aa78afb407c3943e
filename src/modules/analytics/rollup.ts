// Incremental rollups. Raw events are summed per UTC day for every dimension and every pair
// of dimensions (so a filter on one applies to the breakdown by any other), and per hour and
// channel. The job recomputes whole days: those holding events newer than its watermark and
// the start days of their visits (a late event changes its visit's bounce and duration).
// Recomputing a day is delete + insert in one transaction, so a retried job is harmless.
import type { Database, ExecuteSql } from '../../db/client.js';
import { dayEnd, dayStart, dimensionColumn, dimensions, metricsSql } from './dimensions.js';

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

function buildDailySql(): string {
  const sets = groupingSets();
  const cols = dimensions.map((d) => `e.${dimensionColumn[d]}`);
  const g = `grouping(${cols.join(', ')})`;
  const pick = (n: 0 | 1, what: 'name' | 'value') =>
    `case ${g} ${sets
      .filter((s) => s.length > n)
      .map((s) => `when ${groupingMask(s)} then ${what === 'name' ? `'${s[n]}'` : `e.${dimensionColumn[s[n] as keyof typeof dimensionColumn]}`}`)
      .join(' ')} else '' end`;
  return `
    insert into analytics_daily (day, d1, v1, d2, v2, visitors, visits, entries, pageviews, bounces, duration_s)
    select (e.at at time zone 'UTC')::date, ${pick(0, 'name')}, ${pick(0, 'value')}, ${pick(1, 'name')}, ${pick(1, 'value')}, ${metricsSql}
      from analytics_events e join analytics_visits v on v.id = e.visit_id
     where e.at >= ${dayStart('$1')} and e.at < ${dayEnd('$2')} and e.name <> 'engagement'
     group by (e.at at time zone 'UTC')::date, grouping sets (${sets.map((s) => `(${s.map((d) => `e.${dimensionColumn[d as keyof typeof dimensionColumn]}`).join(', ')})`).join(', ')})`;
}

const dailySql = buildDailySql();

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

/** Rolls up every day touched since the last run; returns the days recomputed. */
export async function rollUpPending(database: Database): Promise<string[]> {
  // One runner at a time across processes (pg-boss may hand the cron to two in a row).
  return database.withAdvisoryLock(72_610_013, () =>
    database.transaction(async (tx) => {
      const exec = database.executorFor(tx);
      // Waits for batches being written to commit, so no event below the new watermark is missed.
      await exec(`select pg_advisory_xact_lock(${INGEST_LOCK})`);
      const state = await exec<{ last_event_id: number }>(`select last_event_id from analytics_rollup_state where id = 1`);
      const from = state.rows[0]?.last_event_id ?? 0;
      const top = (await exec<{ id: number | null }>(`select max(id) as id from analytics_events`)).rows[0]?.id ?? from;
      if (top <= from) return [];
      const days = await exec<{ day: string }>(
        `select distinct to_char(d, 'YYYY-MM-DD') as day from (
           select (e.at at time zone 'UTC')::date as d from analytics_events e where e.id > $1 and e.id <= $2
           union
           select (v.started_at at time zone 'UTC')::date from analytics_events e join analytics_visits v on v.id = e.visit_id where e.id > $1 and e.id <= $2
         ) x order by 1`,
        [from, top],
      );
      for (const r of days.rows) await rollUpDays(exec, r.day, r.day);
      await exec(
        `insert into analytics_rollup_state (id, last_event_id) values (1, $1) on conflict (id) do update set last_event_id = excluded.last_event_id`,
        [top],
      );
      return days.rows.map((r) => r.day);
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
  await database.transaction(async (tx) => rollUpDays(database.executorFor(tx), from, to));
}
