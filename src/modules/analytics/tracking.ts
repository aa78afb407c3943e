// Page views recorded by the server itself: every public HTML page a visitor is sent counts,
// with JavaScript off and behind any blocker. Signed-in staff are not counted (their session
// cookie is enough to tell: forging one only hides the forger's own visits).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnalyticsService } from './service.js';
import { PAGEVIEW } from './ingest.js';

/**
 * Business steps a funnel can use, recorded from the request that makes them (the business
 * event log knows the contact, not the anonymous visitor; the request knows the visitor).
 * Route → event name; only when the response is not an error.
 */
export const businessSteps: Record<string, string> = {
  'POST /f/:slug': 'form_submitted',
  'POST /f/:slug/embed': 'form_submitted',
  'POST /checkout/:priceId': 'checkout_started',
  'GET /checkout/thank-you/:orderId': 'order_paid',
  'POST /learn/:slug/lessons/:lessonId/complete': 'lesson_completed',
};

const NOT_PAGES = new Set(['/admin', '/admin/*', '/api/openapi.json']);

/**
 * The path as analytics keeps it: a route's own text, with only a `slug` parameter filled in.
 * Other parameters (order numbers, certificate codes, tokens) stay as `:name`, so nothing
 * personal reaches the analytics tables and such pages group together.
 */
export function trackedPath(route: string, params: unknown): string {
  const p = (params ?? {}) as Record<string, string>;
  return route.replace(/:(\w+)/g, (whole, name: string) => (name === 'slug' && typeof p.slug === 'string' ? p.slug : whole));
}

/** `staffCookie`: the staff session cookie's name (the edge owns it); a request carrying it is not counted. */
export function installPageTracking(fastify: FastifyInstance, analytics: AnalyticsService, staffCookie: string): void {
  let pageRoutes: Set<string> | null = null;
  const isPage = (url: string | undefined) => {
    pageRoutes ??= new Set(fastify.routeTable.filter((r) => r.method === 'GET' && r.kind === 'page' && r.access === 'public' && !NOT_PAGES.has(r.url)).map((r) => r.url));
    return url !== undefined && pageRoutes.has(url);
  };
  fastify.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url;
    if (!route || reply.statusCode >= 400 || req.cookies?.[staffCookie]) return;
    const step = businessSteps[`${req.method} ${route}`];
    // Only HTML is a page: a public route that answers an image (the brand's favicon) is not a page view.
    const html = reply.statusCode === 304 || String(reply.getHeader('content-type') ?? '').startsWith('text/html');
    const view = req.method === 'GET' && (reply.statusCode === 200 || reply.statusCode === 304) && html && isPage(route);
    if (!step && !view) return;
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const hit = {
      url: `${trackedPath(route, req.params)}${query}`,
      referrer: typeof req.headers.referer === 'string' ? req.headers.referer : null,
      userAgent: req.headers['user-agent'] ?? '',
      ip: req.ip,
    };
    if (view) analytics.record({ name: PAGEVIEW, ...hit });
    // order_paid carries its order, so revenue can be attributed to the visit's source (revenue.ts).
    const orderId = (req.params as Record<string, unknown> | undefined)?.orderId;
    if (step) analytics.record({ name: step, ...hit, props: step === 'order_paid' && typeof orderId === 'string' ? { order: orderId.slice(0, 64) } : null });
  });
}
