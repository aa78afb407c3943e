// Traffic analytics (src/modules/analytics/routes.ts), typed for the admin page.
import { apiGet, apiSend } from '../../api.js';

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
  saved: () => apiGet<{ funnels: SavedFunnel[] }>('/api/analytics/funnels'),
  /** saving the same name again replaces its steps */
  save: (name: string, steps: string[]) => apiSend<SavedFunnel>('POST', '/api/analytics/funnels', { name, steps }),
  remove: (id: string) => apiSend('DELETE', `/api/analytics/funnels/${id}`),
};

export interface SavedFunnel {
  id: string;
  name: string;
  steps: { kind: 'page' | 'event'; match: string }[];
  createdAt: string;
}

// Revenue, subscriptions and buyer cohorts (src/modules/analytics/revenue.ts, subscriptions.ts, cohorts.ts).
export type RevenueBreakdown = 'products' | 'channels' | 'sources' | 'entryPages' | 'campaigns';
export interface Money {
  gross: number;
  refunds: number;
  net: number;
  orders: number;
  averageOrderValue: number;
}
export interface RevenueRow extends Money {
  value: string;
  visitors?: number;
  conversionRate?: number;
}
export interface RevenueFigures extends Money {
  visitors: number;
  conversionRate: number;
}
export interface Revenue {
  range: Range;
  previousRange: Range;
  currency: string;
  totals: { current: RevenueFigures; previous: RevenueFigures };
  series: (Money & { t: string })[];
  breakdowns: Record<RevenueBreakdown, RevenueRow[]>;
}
export interface MrrMonth {
  month: string;
  startMrr: number;
  mrr: number;
  newMrr: number;
  expansion: number;
  contraction: number;
  churned: number;
  reactivation: number;
  startCustomers: number;
  customers: number;
  newCustomers: number;
  churnedCustomers: number;
  logoChurnRate: number;
  revenueChurnRate: number;
  arpa: number;
  recurringRevenue: number;
  oneTimeRevenue: number;
}
export interface SubscriptionMetrics {
  currency: string;
  mrr: number;
  customers: number;
  arpa: number;
  logoChurnRate: number;
  ltv: number | null;
  months: MrrMonth[];
  plans: { running: number; completed: number; ended: number; completionRate: number; outstanding: number };
}
export interface Cohorts {
  currency: string;
  cohorts: { cohort: string; customers: number; cells: { repeatRate: number; revenuePerCustomer: number }[] }[];
}


export const revenue = {
  get: (q: PeriodQuery) => apiGet<Revenue>('/api/analytics/revenue', clean(q)),
  subscriptions: () => apiGet<SubscriptionMetrics>('/api/analytics/subscriptions', { months: '12' }),
  cohorts: () => apiGet<Cohorts>('/api/analytics/cohorts', { months: '12' }),
  csvUrl(breakdown: RevenueBreakdown, q: PeriodQuery): string {
    const params = new URLSearchParams({ format: 'csv' });
    for (const [k, v] of Object.entries(clean(q))) if (v) params.set(k, v);
    return `/api/analytics/revenue/${breakdown}?${params}`;
  },
  mrrCsvUrl: '/api/analytics/subscriptions?months=12&format=csv',
  cohortsCsvUrl: '/api/analytics/cohorts?months=12&format=csv',
};
