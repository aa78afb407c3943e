// The dimensions every panel breaks down by and every filter narrows to (their list is in
// contract.ts, shared with the admin), and the raw column behind each.
import { dimensions, type Dimension } from './contract.js';

export { dimensions, type Dimension };

export const dimensionColumn: Record<Dimension, string> = {
  browser: 'browser',
  campaign: 'campaign',
  channel: 'channel',
  device: 'device',
  entry: 'entry_path',
  event: 'name',
  page: 'path',
  source: 'source',
};

export interface Filter {
  dim: Dimension;
  value: string;
}

/** The metrics every rollup row and every panel row carries. */
export interface Counts {
  visitors: number;
  visits: number;
  entries: number;
  pageviews: number;
  bounces: number;
  durationS: number;
}

export const zeroCounts = (): Counts => ({ visitors: 0, visits: 0, entries: 0, pageviews: 0, bounces: 0, durationS: 0 });

export function addCounts(a: Counts, b: Counts): Counts {
  return {
    visitors: a.visitors + b.visitors,
    visits: a.visits + b.visits,
    entries: a.entries + b.entries,
    pageviews: a.pageviews + b.pageviews,
    bounces: a.bounces + b.bounces,
    durationS: a.durationS + b.durationS,
  };
}

/**
 * The SQL of every metric over events `e` joined to their visit `v`. Visitor ids change every
 * day (the salt does), so visitors are counted per day and summed over days — the rollups
 * and a direct count agree on that by construction (Plausible counts the same way).
 * `visit` names where the visit's state is read (the joined visit `v`, or a tail row's own copy).
 */
export function metricsSqlOver(visit: { pageviews: string; lastAt: string; startedAt: string }): string {
  return `
  count(distinct e.visitor_id)::int as visitors,
  count(distinct e.visit_id)::int as visits,
  (count(*) filter (where e.entry))::int as entries,
  (count(*) filter (where e.name = 'pageview'))::int as pageviews,
  (count(*) filter (where e.entry and ${visit.pageviews} <= 1))::int as bounces,
  coalesce(sum(extract(epoch from ${visit.lastAt} - ${visit.startedAt})::bigint) filter (where e.entry), 0)::bigint as duration_s`;
}
export const metricsSql = metricsSqlOver({ pageviews: 'v.pageviews', lastAt: 'v.last_at', startedAt: 'v.started_at' });

/** A UTC day's bounds as timestamptz, whatever the server's time zone. */
export const dayStart = (param: string) => `(${param}::date::timestamp at time zone 'UTC')`;
export const dayEnd = (param: string) => `((${param}::date + 1)::timestamp at time zone 'UTC')`;
