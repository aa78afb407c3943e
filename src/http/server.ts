// The Fastify app: security plugins, error mapping, every module's routes, the OpenAPI
// document and the admin single-page app.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../paths.js';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { App } from '../app.js';
import { installErrorHandling } from './errors.js';
import { buildOpenApi } from './openapi.js';
import { CUSTOMER_COOKIE, registerRoutes, SESSION_COOKIE, type AnyRoute, type RouteDeps } from './route.js';
import { allRoutes } from './routes.js';
import { installPageTracking } from '../modules/analytics/index.js';

/** helmet itself, the version @fastify/helmet depends on (no second copy to keep in step). */
export const helmetMiddleware = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'))('helmet') as (
  options: Record<string, unknown>,
) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: (err?: unknown) => void) => void;

/**
 * The headers helmet sets for `options`, read by running its middleware once against a stand-in
 * response. Fails at start if helmet ever needs the request or answers asynchronously (the
 * headers would then not be static), rather than serving pages without them.
 */
export function staticSecurityHeaders(options: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let finished = false;
  const request = new Proxy({}, { get: () => { throw new Error('helmet read the request: its headers are not static'); } });
  helmetMiddleware(options)(request as import('node:http').IncomingMessage, res as unknown as import('node:http').ServerResponse, (err) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished || !headers['content-security-policy']) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

const root = projectRoot;
export const adminDist = path.join(root, 'web/admin/dist');

export interface BuildServerOptions {
  /** extra routes (tests) */
  routes?: AnyRoute[];
}

/** A URL as it may be logged: the path only. Query strings and fragments carry tokens (reset, sign-in, download and unsubscribe links). */
export function loggableUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

const STATIC_PREFIXES = ['/assets/', '/admin/assets/'];
const SESSION_COOKIES = [SESSION_COOKIE, CUSTOMER_COOKIE];

function carriesCredentials(req: FastifyRequest): boolean {
  return Boolean(req.headers.authorization) || SESSION_COOKIES.some((name) => req.cookies?.[name] !== undefined);
}

function setsSessionCookie(header: unknown): boolean {
  const cookies = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return cookies.some((c) => SESSION_COOKIES.some((name) => String(c).startsWith(`${name}=`)));
}

function serializeRequest(req: FastifyRequest) {
  return { method: req.method, url: loggableUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/**
 * TRUST_PROXY for Fastify. A hop count trusts the nearest `hops` peers, whoever they are
 * (Fastify itself reads a bare number as "trust nothing"), so it is a function here; a list
 * of addresses/CIDRs trusts only those peers.
 */
function trustProxyOption(trust: false | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}

export async function buildServer(app: App, opts: BuildServerOptions = {}): Promise<FastifyInstance> {
  const fastify: FastifyInstance = Fastify({
    // Our request serializer replaces Fastify's, whatever logger the app was given.
    loggerInstance: app.log.child({}, { serializers: { req: serializeRequest } }) as FastifyBaseLogger,
    trustProxy: trustProxyOption(app.config.trustProxy),
    bodyLimit: 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
  });
  fastify.decorate('routeTable', [] as AnyRoute[]);
  // Every route Fastify knows, however it was added: the permission test checks each one
  // is declared in the route table (deny by default).
  const registered: { method: string; url: string }[] = [];
  fastify.decorate('registeredRoutes', registered);
  fastify.addHook('onRoute', (r) => {
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) registered.push({ method: m, url: r.url });
  });
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  await fastify.register(cookie);
  // Nothing answered to a signed-in caller (or that signs one in) may be kept by a browser or
  // a shared cache: the back button on a shared computer, a proxy serving it to the next
  // person. Static assets are the same for everyone and stay cacheable. (Added after the cookie
  // plugin, whose own onSend hook writes the Set-Cookie header this looks at.)
  fastify.addHook('onSend', async (req, reply) => {
    if (!STATIC_PREFIXES.some((p) => req.url.startsWith(p)) && (carriesCredentials(req) || setsSessionCookie(reply.getHeader('set-cookie')))) {
      reply.header('cache-control', 'no-store');
    }
  });
  // Public pages wear the business's brand (src/http/html.ts): read once per request from the
  // brand module's per-process cache, before the handler renders anything.
  fastify.decorateRequest('brand', null);
  fastify.addHook('preHandler', async (req) => {
    if (req.method === 'GET' || req.method === 'POST' || req.method === 'HEAD') {
      const skip = ['/api/', '/admin', '/webhooks/', ...STATIC_PREFIXES].some((p) => req.url.startsWith(p));
      if (!skip) req.brand = await app.brand.current();
    }
  });
  await fastify.register(formbody);
  // File uploads (lesson videos, attachments): one file per request, a larger file is a 413.
  await fastify.register(multipart, { limits: { fileSize: app.config.uploads.maxBytes, files: 1, fields: 20 } });
  const securityHeaders: import('@fastify/helmet').FastifyHelmetOptions = {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        mediaSrc: ["'self'", 'https:'],
        frameSrc: ["'self'", 'https://www.youtube-nocookie.com', 'https://player.vimeo.com'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        formAction: ["'self'", 'https://checkout.stripe.com'],
        upgradeInsecureRequests: app.config.secureCookies ? [] : null,
      },
    },
    hsts: app.config.secureCookies,
    crossOriginEmbedderPolicy: false,
    // Not helmet's no-referrer: under it browsers send `Origin: null` on same-site form posts,
    // which the cross-site check must refuse, so no public form would work in a real browser.
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  };
  // Helmet's headers depend on these options only, never on the request: worked out once, then
  // each response gets the same set, except routes declared with `securityHeaders: false`
  // (route.ts). @fastify/helmet's plugin is not registered: it built the
  // middleware anew per request, and running the built middleware per request was still ~6 % of
  // a cached page's CPU.
  const headers = staticSecurityHeaders(securityHeaders as Record<string, unknown>);
  fastify.addHook('onRequest', (req, reply, done) => {
    if ((req.routeOptions.config as { securityHeaders?: false }).securityHeaders !== false) reply.headers(headers);
    done();
  });
  // Per-route limits (sign-in, public forms). Counters are per process; the account
  // lockout in the database holds across processes.
  await fastify.register(rateLimit, { global: false });
  // Public 404s: the owner's redirects first, then a page that suggests posts (content module).
  installErrorHandling(fastify, async (path) => {
    const to = await app.content.followRedirect(path);
    return to ? { redirect: to } : { html: await app.blog.notFound(path) };
  });

  // The routes get the App and the demo loader (src/demo is the wiring's; loaded on first use). The
  // App is the prototype, not a copy, so a service swapped on the App later is the one routes see.
  const deps: RouteDeps = Object.assign(Object.create(app) as App, { loadDemo: async () => (await import('../demo/index.js')).loadDemo(app) });
  registerRoutes(fastify, deps, [...allRoutes, ...(opts.routes ?? [])]);
  // Every public page a visitor is sent counts as a page view (no script needed).
  installPageTracking(fastify, app.analytics, SESSION_COOKIE);

  const openApi = () => buildOpenApi(fastify.routeTable, { version: '0.1.0', serverUrl: app.config.publicUrl });
  let cachedDoc: ReturnType<typeof openApi> | null = null;
  fastify.get('/api/openapi.json', async () => (cachedDoc ??= openApi()));
  fastify.routeTable.push({ method: 'GET', url: '/api/openapi.json', access: 'public', kind: 'page', summary: 'This API, as OpenAPI 3.1', handler: async () => undefined });

  // Styles and images of the public pages.
  await fastify.register(fastifyStatic, { root: path.join(root, 'web/public/assets'), prefix: '/assets/', maxAge: '1h', decorateReply: false });

  // The admin app: built files under /admin/assets, index.html for every other /admin path.
  const hasAdmin = fs.existsSync(path.join(adminDist, 'index.html'));
  if (hasAdmin) {
    await fastify.register(fastifyStatic, { root: path.join(adminDist, 'assets'), prefix: '/admin/assets/', immutable: true, maxAge: '365d', decorateReply: false });
  }
  const adminIndex = hasAdmin ? fs.readFileSync(path.join(adminDist, 'index.html'), 'utf8') : null;
  const serveAdmin = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (!adminIndex) {
      return reply.code(503).type('text/html; charset=utf-8').send('<!doctype html><title>Onehour</title><p>The admin app is not built yet. Run <code>npm run build</code> (npm start does it for you).</p>');
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(adminIndex);
  };
  fastify.get('/admin', serveAdmin);
  fastify.get('/admin/*', serveAdmin);
  for (const url of ['/admin', '/admin/*']) {
    fastify.routeTable.push({ method: 'GET', url, access: 'public', kind: 'page', summary: 'The admin app (its API calls are permission-checked)', handler: async () => undefined });
  }
  if (!fastify.hasRoute({ method: 'GET', url: '/' })) {
    fastify.get('/', async (_req, reply) => reply.redirect('/admin'));
    fastify.routeTable.push({ method: 'GET', url: '/', access: 'public', kind: 'page', summary: 'Home', handler: async () => undefined });
  }
  return fastify;
}
