// The analytics staff API's shapes: the query, request and response schemas its routes validate
// with (routes.ts), and the types the admin's Analytics page uses for them (types only reach
// the browser: src/wire.ts). Plain data: no server code here.
import { z } from 'zod';
import type { Wire } from '../../wire.js';

/** The dimensions every panel breaks down by and every filter narrows to (dimensions.ts: their columns). Alphabetical: a rollup row of two stores them in this order. */
export const dimensions = ['browser', 'campaign', 'channel', 'device', 'entry', 'event', 'page', 'source'] as const;
export const periods = ['today', '7d', '30d', '90d', '12m', 'custom'] as const;
/** The dashboard's panels (service.ts: the dimension of each). */
export const panelNames = ['pages', 'entryPages', 'channels', 'sources', 'campaigns', 'devices', 'browsers', 'goals'] as const;
/** The revenue breakdowns (revenue.ts: the column of each). */
export const revenueBreakdownNames = ['products', 'channels', 'sources', 'entryPages', 'campaigns'] as const;

export const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a real day');

/** `source:Google` — one filter that applies to every panel. */
export const filterParam = z
  .string()
  .max(400)
  .transform((v, ctx) => {
    const i = v.indexOf(':');
    const dim = i > 0 ? v.slice(0, i) : '';
    if (!(dimensions as readonly string[]).includes(dim)) {
      ctx.addIssue({ code: 'custom', message: `a filter is <dimension>:<value>, the dimension one of ${dimensions.join(', ')}` });
      return z.NEVER;
    }
    return { dim: dim as (typeof dimensions)[number], value: v.slice(i + 1) };
  });

export const periodQuery = z
  .object({ period: z.enum(periods).default('30d'), from: day.optional(), to: day.optional(), filter: filterParam.optional() })
  .refine((q) => q.period !== 'custom' || (q.from && q.to && q.from <= q.to), { message: 'a custom period needs from ≤ to' })
  .refine((q) => q.period !== 'custom' || Date.parse(q.to!) - Date.parse(q.from!) <= 800 * 86_400_000, { message: 'a custom period is at most 800 days' });

/** `page:/p/bowls`, `page:/learn/*` or `event:order_paid`; a single step arrives as a string. */
export const stepParam = z
  .string()
  .max(300)
  .transform((v, ctx) => {
    const m = /^(page|event):(.+)$/.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'a step is page:<path> or event:<name>' });
      return z.NEVER;
    }
    return { kind: m[1] as 'page' | 'event', match: m[2]! };
  });
/** GET /api/analytics/dashboard: the period, and how many rows each panel shows. */
export const dashboardQuery = periodQuery.and(z.object({ limit: z.coerce.number().int().min(1).max(1000).default(10) }));
/** GET /api/analytics/panels/:panel: the period; `format=csv` for a spreadsheet. */
export const panelQuery = periodQuery.and(z.object({ format: z.enum(['json', 'csv']).default('json') }));
/**
 * GET /api/analytics/funnel: the period and 2–8 steps, `step` repeated in order. A single step
 * arrives as a string (the query parser makes a list of repeats only), hence the preprocess;
 * its parameter's type is what the query string carries (and so what a client may send).
 */
export const funnelQuery = periodQuery.and(
  z.object({ step: z.preprocess((v: string | string[] | undefined) => (typeof v === 'string' ? [v] : v), z.array(stepParam).min(2, 'a funnel has 2 to 8 steps').max(8, 'a funnel has 2 to 8 steps')) }),
);
const currencyParam = z.string().regex(/^[a-z]{3}$/, 'a currency code, lower case');
/** The revenue pages' period, filter and currency. */
const revenueQuery = z
  .object({ period: z.enum(periods).default('30d'), from: day.optional(), to: day.optional(), filter: filterParam.optional(), currency: currencyParam.optional() })
  .refine((q) => q.period !== 'custom' || (q.from && q.to && q.from <= q.to), { message: 'a custom period needs from ≤ to' })
  .refine((q) => q.period !== 'custom' || Date.parse(q.to!) - Date.parse(q.from!) <= 800 * 86_400_000, { message: 'a custom period is at most 800 days' });
/** GET /api/analytics/revenue: and how many rows each breakdown shows. */
export const revenueDashboardQuery = revenueQuery.and(z.object({ limit: z.coerce.number().int().min(1).max(1000).default(10) }));
/** GET /api/analytics/revenue/:breakdown: `format=csv` for a spreadsheet. */
export const revenueBreakdownQuery = revenueQuery.and(z.object({ format: z.enum(['json', 'csv']).default('json') }));
/** GET /api/analytics/subscriptions and /api/analytics/cohorts: how many months back, one currency; `format=csv` for a spreadsheet. */
export const monthsQuery = z.object({ months: z.coerce.number().int().min(1).max(36).default(12), currency: currencyParam.optional(), format: z.enum(['json', 'csv']).default('json') });

export const funnelBody = z.object({
  name: z.string().trim().min(1, 'a funnel needs a name').max(100),
  steps: z.array(stepParam).min(2, 'a funnel has 2 to 8 steps').max(8, 'a funnel has 2 to 8 steps'),
});

export const metricsShape = z.object({ visitors: z.number(), visits: z.number(), pageviews: z.number(), bounceRate: z.number(), visitDuration: z.number(), viewsPerVisit: z.number() });
export const panelRowShape = metricsShape.extend({ value: z.string() });
export const rangeShape = z.object({ from: z.string(), to: z.string() });
export const filterShape = z.object({ dim: z.enum(dimensions), value: z.string() });
const pointShape = z.object({ t: z.string(), visitors: z.number(), visits: z.number(), pageviews: z.number() });
export const dashboardShape = z.object({
  range: rangeShape,
  previousRange: rangeShape,
  filter: filterShape.nullable(),
  totals: z.object({ current: metricsShape, previous: metricsShape }),
  series: z.array(pointShape),
  previousSeries: z.array(pointShape),
  panels: z.object(Object.fromEntries(panelNames.map((p) => [p, z.array(panelRowShape)])) as Record<(typeof panelNames)[number], z.ZodArray<typeof panelRowShape>>),
});

export const funnelResultShape = z.object({
  steps: z.array(z.object({ label: z.string(), visitors: z.number(), conversionRate: z.number(), dropOff: z.number() })),
  bySource: z.array(z.object({ source: z.string(), visitors: z.array(z.number()) })),
});
/** `createdAt` is already an ISO string here (funnels.ts). */
export const savedFunnelShape = z.object({ id: z.string(), name: z.string(), steps: z.array(z.object({ kind: z.enum(['page', 'event']), match: z.string() })), createdAt: z.string() });

export const moneyShape = z.object({ gross: z.number(), refunds: z.number(), net: z.number(), orders: z.number(), averageOrderValue: z.number() });
export const revenueRowShape = moneyShape.extend({ value: z.string(), visitors: z.number().optional(), conversionRate: z.number().optional() });
export const revenueFiguresShape = moneyShape.extend({ visitors: z.number(), conversionRate: z.number() });
export const revenueShape = z.object({
  range: rangeShape,
  previousRange: rangeShape,
  filter: filterShape.nullable(),
  currency: z.string(),
  totals: z.object({ current: revenueFiguresShape, previous: revenueFiguresShape }),
  series: z.array(moneyShape.extend({ t: z.string() })),
  breakdowns: z.object(Object.fromEntries(revenueBreakdownNames.map((n) => [n, z.array(revenueRowShape)])) as Record<(typeof revenueBreakdownNames)[number], z.ZodArray<typeof revenueRowShape>>),
});

export const mrrMonthShape = z.object({
  month: z.string(),
  startMrr: z.number(),
  mrr: z.number(),
  newMrr: z.number(),
  expansion: z.number(),
  contraction: z.number(),
  churned: z.number(),
  reactivation: z.number(),
  startCustomers: z.number(),
  customers: z.number(),
  newCustomers: z.number(),
  churnedCustomers: z.number(),
  logoChurnRate: z.number(),
  revenueChurnRate: z.number(),
  arpa: z.number(),
  recurringRevenue: z.number(),
  oneTimeRevenue: z.number(),
});
export const subscriptionMetricsShape = z.object({
  currency: z.string(),
  mrr: z.number(),
  customers: z.number(),
  arpa: z.number(),
  logoChurnRate: z.number(),
  ltv: z.number().nullable(),
  months: z.array(mrrMonthShape),
  plans: z.object({ running: z.number(), completed: z.number(), ended: z.number(), completionRate: z.number(), outstanding: z.number() }),
});
export const cohortsShape = z.object({
  currency: z.string(),
  cohorts: z.array(z.object({ cohort: z.string(), customers: z.number(), cells: z.array(z.object({ repeatRate: z.number(), revenuePerCustomer: z.number() })) })),
});

export type Dimension = (typeof dimensions)[number];
export type Period = (typeof periods)[number];
export type PanelName = (typeof panelNames)[number];
export type RevenueBreakdown = (typeof revenueBreakdownNames)[number];
/** The period the admin asks for (the query's input, the period always chosen). */
export type PeriodQuery = z.input<typeof periodQuery> & { period: Period };
export type FunnelInput = z.input<typeof funnelBody>;
/** GET /api/analytics/funnels */
export const savedFunnelListShape = z.object({ funnels: z.array(savedFunnelShape) });

export type Metrics = Wire<z.output<typeof metricsShape>>;
export type PanelRow = Wire<z.output<typeof panelRowShape>>;
export type Range = Wire<z.output<typeof rangeShape>>;
export type Dashboard = Wire<z.output<typeof dashboardShape>>;
export type FunnelResult = Wire<z.output<typeof funnelResultShape>>;
export type SavedFunnel = Wire<z.output<typeof savedFunnelShape>>;
export type Money = Wire<z.output<typeof moneyShape>>;
export type RevenueRow = Wire<z.output<typeof revenueRowShape>>;
export type RevenueFigures = Wire<z.output<typeof revenueFiguresShape>>;
export type Revenue = Wire<z.output<typeof revenueShape>>;
export type MrrMonth = Wire<z.output<typeof mrrMonthShape>>;
export type SubscriptionMetrics = Wire<z.output<typeof subscriptionMetricsShape>>;
export type Cohorts = Wire<z.output<typeof cohortsShape>>;
export type SavedFunnelList = Wire<z.output<typeof savedFunnelListShape>>;
