// Traffic analytics (src/modules/analytics/routes.ts), typed for the admin page.
import { apiGet } from '../../api.js';

export type Period = 'today' | '7d' | '30d' | '90d' | '12m' | 'custom';
export type PanelName = 'pages' | 'entryPages' | 'channels' | 'sources' | 'campaigns' | 'devices' | 'browsers' | 'goals';
export type Dimension = 'browser' | 'campaign' | 'channel' | 'device' | 'entry' | 'event' | 'page' | 'source';

export interface Metrics {
  visitors: number;
  visits: number;
  pageviews: number;
  bounceRate: number;
  visitDuration: number;
  viewsPerVisit: number;
}
export interface PanelRow extends Metrics {
  value: string;
}
export interface Range {
  from: string;
  to: string;
}
export interface Dashboard {
  range: Range;
  previousRange: Range;
  filter: { dim: Dimension; value: string } | null;
  totals: { current: Metrics; previous: Metrics };
  series: { t: string; visitors: number; visits: number; pageviews: number }[];
  previousSeries: Dashboard['series'];
  panels: Record<PanelName, PanelRow[]>;
}

export interface PeriodQuery {
  period: Period;
  from?: string;
  to?: string;
  /** `dimension:value` */
  filter?: string;
}

const clean = (q: PeriodQuery) => ({ period: q.period, from: q.period === 'custom' ? q.from : undefined, to: q.period === 'custom' ? q.to : undefined, filter: q.filter || undefined });

export const analytics = {
  dashboard: (q: PeriodQuery) => apiGet<Dashboard>('/api/analytics/dashboard', clean(q)),
  csvUrl(panel: PanelName, q: PeriodQuery): string {
    const params = new URLSearchParams({ format: 'csv' });
    for (const [k, v] of Object.entries(clean(q))) if (v) params.set(k, v);
    return `/api/analytics/panels/${panel}?${params}`;
  },
};

export interface FunnelResult {
  steps: { label: string; visitors: number; conversionRate: number; dropOff: number }[];
  bySource: { source: string; visitors: number[] }[];
}

export const funnels = {
  /** steps as `page:/path` or `event:name` */
  compute(q: PeriodQuery, steps: string[]): Promise<FunnelResult> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(clean(q))) if (v) params.set(k, v);
    for (const s of steps) params.append('step', s);
    return apiGet<FunnelResult>(`/api/analytics/funnel?${params}`);
  },
};
