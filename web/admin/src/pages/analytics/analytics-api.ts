// Traffic analytics (src/modules/analytics/routes.ts), typed for the admin page: the shapes
// come from the server's contract (src/modules/analytics/contract.ts), so a change there fails
// the type check here.
import { apiGet, apiSend } from '../../api.js';
import type {
  SavedFunnelList,
  Cohorts,
  Dashboard,
  Dimension,
  FunnelInput,
  FunnelResult,
  Metrics,
  Money,
  MrrMonth,
  PanelName,
  PanelRow,
  Period,
  PeriodQuery,
  Range,
  Revenue,
  RevenueBreakdown,
  RevenueFigures,
  RevenueRow,
  SavedFunnel,
  SubscriptionMetrics,
} from '../../../../../src/modules/analytics/contract.js';

export type { Cohorts, Dashboard, Dimension, FunnelResult, Metrics, Money, MrrMonth, PanelName, PanelRow, Period, PeriodQuery, Range, Revenue, RevenueBreakdown, RevenueFigures, RevenueRow, SavedFunnel, SubscriptionMetrics };

const clean = (q: PeriodQuery) => ({ period: q.period, from: q.period === 'custom' ? q.from : undefined, to: q.period === 'custom' ? q.to : undefined, filter: q.filter || undefined });

export const analytics = {
  dashboard: (q: PeriodQuery) => apiGet<Dashboard>('/api/analytics/dashboard', clean(q)),
  csvUrl(panel: PanelName, q: PeriodQuery): string {
    const params = new URLSearchParams({ format: 'csv' });
    for (const [k, v] of Object.entries(clean(q))) if (v) params.set(k, v);
    return `/api/analytics/panels/${panel}?${params}`;
  },
};

export const funnels = {
  /** steps as `page:/path` or `event:name` */
  compute(q: PeriodQuery, steps: string[]): Promise<FunnelResult> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(clean(q))) if (v) params.set(k, v);
    for (const s of steps) params.append('step', s);
    return apiGet<FunnelResult>(`/api/analytics/funnel?${params}`);
  },
  saved: () => apiGet<SavedFunnelList>('/api/analytics/funnels'),
  /** saving the same name again replaces its steps */
  save: (name: string, steps: string[]) => apiSend<SavedFunnel>('POST', '/api/analytics/funnels', { name, steps } satisfies FunnelInput),
  remove: (id: string) => apiSend('DELETE', `/api/analytics/funnels/${id}`),
};

// Revenue, subscriptions and buyer cohorts (src/modules/analytics/revenue.ts, subscriptions.ts, cohorts.ts).
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
