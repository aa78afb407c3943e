// The dashboard's JSON and CSV, and POST /api/event for custom events (the tracking script
// and the owner's own sites). Page views need no route: the server records them itself.
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { assertCleanInput } from '../../http/input-guard.js';
import { routesFor, SESSION_COOKIE, type AnyRoute } from '../../http/route.js';
import type { Config } from '../../config.js';
import type { AnalyticsService } from './index.js';
import { ENGAGEMENT } from './ingest.js';
import { resolveRange, type Metrics } from './service.js';
import type { RevenueRow } from './revenue.js';
import {
  cohortsShape,
  dashboardQuery,
  dashboardShape,
  funnelBody,
  funnelQuery,
  funnelResultShape,
  monthsQuery,
  panelNames,
  panelQuery,
  periodQuery,
  revenueBreakdownNames,
  revenueBreakdownQuery,
  revenueDashboardQuery,
  revenueShape,
  savedFunnelShape,
  subscriptionMetricsShape,
  savedFunnelListShape,
} from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface AnalyticsRouteDeps {
  analytics: AnalyticsService;
  config: Config;
}
const defineRoute = routesFor<AnalyticsRouteDeps>();

// ---- shapes (the staff API's are in contract.ts, shared with the admin) ----------------------

const cut = (max: number) => z.string().transform((s) => s.slice(0, max));
/** The body the script and other sites send; text/plain (no CORS preflight) or JSON. */
const eventBody = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      return v;
    }
    // The route's NUL and depth guard saw only the text; the parsed JSON gets the same check.
    assertCleanInput('body', parsed);
    return parsed;
  },
  z.object({
    name: cut(100).pipe(z.string().trim().min(1, 'an event needs a name')),
    url: cut(2000).pipe(z.string().min(1)),
    referrer: cut(2000).nullable().optional(),
    props: z
      .record(cut(50), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .transform((p) => (p ? Object.fromEntries(Object.entries(p).slice(0, 20).map(([k, v]) => [k, String(v).slice(0, 300)])) : undefined)),
  }),
);

const revenueColumns: (keyof RevenueRow)[] = ['gross', 'refunds', 'net', 'orders', 'averageOrderValue', 'visitors', 'conversionRate'];

const csvColumns: (keyof Metrics)[] = ['visitors', 'visits', 'pageviews', 'bounceRate', 'visitDuration', 'viewsPerVisit'];

export const analyticsRoutes: AnyRoute<AnalyticsRouteDeps>[] = [
  defineRoute({
    method: 'GET', url: '/api/analytics/dashboard', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'Traffic for a period beside the period before: totals, a chart series and every panel (top 10 rows), under one optional filter',
    query: dashboardQuery,
    response: dashboardShape,
    handler: async ({ app, query }) => app.analytics.dashboard(query),
  }),
  defineRoute({
    method: 'GET', url: '/api/analytics/panels/:panel', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'Every row of one panel (pages, entryPages, channels, sources, campaigns, devices, browsers, goals); `format=csv` for a spreadsheet',
    params: z.object({ panel: z.enum(panelNames) }),
    query: panelQuery,
    handler: async ({ app, params, query, reply }) => {
      const r = resolveRange(query, app.analytics.today());
      const rows = await app.analytics.panel(params.panel, r, query.filter ?? null);
      if (query.format === 'json') return { range: r, rows };
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${params.panel}-${r.from}-${r.to}.csv"`);
      reply.header('cache-control', 'no-store');
      return reply.send(stringify([[params.panel, ...csvColumns], ...rows.map((x) => [x.value, ...csvColumns.map((c) => x[c])])]));
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/analytics/funnel', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'A funnel of 2–8 steps (`step=page:/p/bowls`, `step=event:order_paid`, repeated in order): visitors, conversion and drop-off per step, by source',
    query: funnelQuery,
    response: funnelResultShape,
    handler: async ({ app, query }) => app.analytics.funnel(query, query.step),
  }),
  defineRoute({
    method: 'GET', url: '/api/analytics/funnels', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'The saved funnels (name and steps)',
    response: savedFunnelListShape,
    handler: async ({ app }) => ({ funnels: await app.analytics.savedFunnels() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/analytics/funnels', access: { permission: 'analytics.write' }, tags: ['analytics'], audit: 'analytics.funnel_saved',
    summary: 'Save a funnel: a name and 2–8 steps (`page:/p/bowls`, `page:/learn/*`, `event:order_paid`); saving the same name again replaces its steps',
    body: funnelBody,
    response: savedFunnelShape,
    handler: async ({ app, body, auditTarget }) => {
      const f = await app.analytics.saveFunnel(body);
      auditTarget('funnel', f.id, { name: f.name });
      return f;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/analytics/funnels/:id', access: { permission: 'analytics.write' }, tags: ['analytics'], audit: 'analytics.funnel_saved',
    summary: 'Rename a saved funnel or change its steps',
    params: z.object({ id: z.uuid() }),
    body: funnelBody,
    response: savedFunnelShape,
    handler: async ({ app, params, body, auditTarget }) => {
      auditTarget('funnel', params.id, { name: body.name });
      return app.analytics.saveFunnel({ ...body, id: params.id });
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/analytics/funnels/:id', access: { permission: 'analytics.write' }, tags: ['analytics'], audit: 'analytics.funnel_deleted',
    summary: 'Delete a saved funnel (its numbers come from the raw events, so nothing else is lost)',
    params: z.object({ id: z.uuid() }),
    handler: async ({ app, params, reply, auditTarget }) => {
      auditTarget('funnel', params.id);
      await app.analytics.deleteFunnel(params.id);
      return reply.code(204).send();
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/analytics/funnels/:id', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'A saved funnel computed for a period (and a filter): visitors, conversion and drop-off per step, by source',
    params: z.object({ id: z.uuid() }),
    query: periodQuery,
    response: z.object({ funnel: savedFunnelShape, result: funnelResultShape }),
    handler: async ({ app, params, query }) => app.analytics.savedFunnel(params.id, query),
  }),
  defineRoute({
    method: 'GET', url: '/api/analytics/revenue', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'Revenue from the orders of a period beside the period before: gross, refunds, net, orders, average order value, conversion rate; a daily series; breakdowns by product, channel, source, entry page and campaign (top 10 rows); the dashboard’s `filter` applies through the visit each order is attributed to',
    query: revenueDashboardQuery,
    response: revenueShape,
    handler: async ({ app, query }) => app.analytics.revenue(query),
  }),
  defineRoute({
    method: 'GET', url: '/api/analytics/revenue/:breakdown', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'Every row of one revenue breakdown (products, channels, sources, entryPages, campaigns); `format=csv` for a spreadsheet (amounts in minor units)',
    params: z.object({ breakdown: z.enum(revenueBreakdownNames) }),
    query: revenueBreakdownQuery,
    handler: async ({ app, params, query, reply }) => {
      const r = resolveRange(query, app.analytics.today());
      const { currency, rows } = await app.analytics.revenueRows(params.breakdown, r, query.currency, query.filter ?? null);
      if (query.format === 'json') return { range: r, currency, rows };
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="revenue-${params.breakdown}-${r.from}-${r.to}.csv"`);
      reply.header('cache-control', 'no-store');
      return reply.send(stringify([[params.breakdown, 'currency', ...revenueColumns], ...rows.map((x) => [x.value, currency, ...revenueColumns.map((c) => x[c] ?? '')])]));
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/analytics/subscriptions', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'Subscriptions: MRR (Stripe’s definition) and its movements per calendar month, logo and revenue churn, ARPA, LTV; payment plans (completion rate, amount outstanding); recurring and one-time money per month',
    query: monthsQuery,
    response: subscriptionMetricsShape,
    handler: async ({ app, query, reply }) => {
      const m = await app.analytics.subscriptions(query);
      if (query.format === 'json') return m;
      const cols = ['startMrr', 'newMrr', 'expansion', 'reactivation', 'contraction', 'churned', 'mrr', 'startCustomers', 'newCustomers', 'churnedCustomers', 'customers', 'logoChurnRate', 'revenueChurnRate', 'arpa', 'recurringRevenue', 'oneTimeRevenue'] as const;
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="mrr-${m.months[0]?.month}-${m.months.at(-1)?.month}.csv"`);
      reply.header('cache-control', 'no-store');
      return reply.send(stringify([['month', 'currency', ...cols], ...m.months.map((x) => [x.month, m.currency, ...cols.map((c) => x[c])])]));
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/analytics/cohorts', access: { permission: 'analytics.read' }, tags: ['analytics'],
    summary: 'Monthly buyer cohorts (month of the first order): per month since, the share who ordered again and the net money per customer so far',
    query: monthsQuery,
    response: cohortsShape,
    handler: async ({ app, query, reply }) => {
      const c = await app.analytics.cohorts(query);
      if (query.format === 'json') return c;
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="buyer-cohorts.csv"');
      reply.header('cache-control', 'no-store');
      return reply.send(stringify([['cohort', 'currency', 'customers', 'month', 'repeatRate', 'revenuePerCustomer'], ...c.cohorts.flatMap((r) => r.cells.map((x, k) => [r.cohort, c.currency, r.customers, k, x.repeatRate, x.revenuePerCustomer]))]));
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/event', access: 'public', kind: 'api', tags: ['analytics'], crossOrigin: true, bodyLimit: 8192, status: 202, securityHeaders: false,
    summary: 'A custom event (a goal, an outbound click, time on page) from this site or one listed in ANALYTICS_ALLOWED_ORIGINS; no cookie, no IP kept. 202 once buffered (written within ANALYTICS_FLUSH_MS); 503 with Retry-After when the buffer is full',
    body: eventBody,
    handler: async ({ app, req, reply, body }) => {
      const origin = req.headers.origin;
      if (origin && origin !== 'null') {
        const own = new URL(app.config.publicUrl).origin;
        if (origin !== own && !app.analytics.settings.allowedOrigins.includes(origin)) throw new DomainError('forbidden', 'This site may not send events here');
        reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      }
      if (!req.cookies?.[SESSION_COOKIE]) {
        const accepted = app.analytics.record({
          name: body.name,
          url: body.name === ENGAGEMENT ? new URL(body.url, app.config.publicUrl).origin : body.url,
          referrer: body.referrer ?? null,
          userAgent: req.headers['user-agent'] ?? '',
          ip: req.ip,
          props: body.props ?? null,
        });
        // The in-memory buffer is full (the database is behind): the sender may try again shortly.
        if (accepted === 'full') return reply.code(503).header('retry-after', '1').send();
      }
      reply.code(202);
      return reply.send();
    },
  }),
];
