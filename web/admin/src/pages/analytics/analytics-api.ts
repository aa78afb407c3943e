// Traffic analytics (src/modules/analytics/routes.ts), typed for the admin page: the shapes
// come from the server's contract (src/modules/analytics/contract.ts), so a change there fails
// the type check here.
import { apiGet, apiSend, apiUrl, type QueryOf } from '../../api.js';
import type {
  SavedFunnelList,
  Cohorts,
  Dashboard,
  dashboardQuery,
  Dimension,
  FunnelInput,
  funnelQuery,
  FunnelResult,
  Metrics,
  Money,
  monthsQuery,
  MrrMonth,
  PanelName,
  panelQuery,
  PanelRow,
  Period,
  PeriodQuery,
  periodQuery,
  Range,
  Revenue,
  RevenueBreakdown,
  revenueBreakdownQuery,
  revenueDashboardQuery,
  RevenueFigures,
  RevenueRow,
  SavedFunnel,
  SubscriptionMetrics,
} from '../../../../../src/modules/analytics/contract.js';

export type { Cohorts, Dashboard, Dimension, FunnelResult, Metrics, Money, MrrMonth, PanelName, PanelRow, Period, PeriodQuery, Range, Revenue, RevenueBreakdown, RevenueFigures, RevenueRow, SavedFunnel, SubscriptionMetrics };

/** The period as the routes take it: from and to only with a custom period, no empty filter. */
const clean = (q: PeriodQuery): QueryOf<typeof periodQuery> => ({ period: q.period, from: q.period === 'custom' ? q.from : undefined, to: q.period === 'custom' ? q.to : undefined, filter: q.filter || undefined });

export const analytics = {
  dashboard: (q: PeriodQuery) => apiGet<Dashboard, typeof dashboardQuery>('/api/analytics/dashboard', clean(q)),
  csvUrl: (panel: PanelName, q: PeriodQuery): string => apiUrl<typeof panelQuery>(`/api/analytics/panels/${panel}`, { format: 'csv', ...clean(q) }),
};

export const funnels = {
  /** steps as `page:/path` or `event:name` */
  compute: (q: PeriodQuery, steps: string[]) => apiGet<FunnelResult, typeof funnelQuery>('/api/analytics/funnel', { ...clean(q), step: steps }),
  saved: () => apiGet<SavedFunnelList>('/api/analytics/funnels'),
  /** saving the same name again replaces its steps */
  save: (name: string, steps: string[]) => apiSend<SavedFunnel>('POST', '/api/analytics/funnels', { name, steps } satisfies FunnelInput),
  remove: (id: string) => apiSend('DELETE', `/api/analytics/funnels/${id}`),
};

// Revenue, subscriptions and buyer cohorts (src/modules/analytics/revenue.ts, subscriptions.ts, cohorts.ts).
export const revenue = {
  get: (q: PeriodQuery) => apiGet<Revenue, typeof revenueDashboardQuery>('/api/analytics/revenue', clean(q)),
  subscriptions: () => apiGet<SubscriptionMetrics, typeof monthsQuery>('/api/analytics/subscriptions', { months: 12 }),
  cohorts: () => apiGet<Cohorts, typeof monthsQuery>('/api/analytics/cohorts', { months: 12 }),
  csvUrl: (breakdown: RevenueBreakdown, q: PeriodQuery): string => apiUrl<typeof revenueBreakdownQuery>(`/api/analytics/revenue/${breakdown}`, { format: 'csv', ...clean(q) }),
  mrrCsvUrl: apiUrl<typeof monthsQuery>('/api/analytics/subscriptions', { months: 12, format: 'csv' }),
  cohortsCsvUrl: apiUrl<typeof monthsQuery>('/api/analytics/cohorts', { months: 12, format: 'csv' }),
};
