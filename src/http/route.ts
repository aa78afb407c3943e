// Every HTTP route is declared through defineRoute: its access rule (a permission from the
// one matrix, or explicitly public), its zod schemas, and a thin handler. Registration
// refuses a route without an access rule, so nothing is reachable by accident (deny by
// default), and the same declarations generate /api/openapi.json.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../actor.js';
import type { App } from '../app.js';
import { safeEqual } from '../crypto.js';
import { DomainError } from '../errors.js';
import { can, type Permission, type Role } from '../permissions.js';
import { actorForUser, type AuthenticatedSession } from '../modules/team/index.js';
import { assertCleanInput, assertSomethingToChange } from './input-guard.js';
import type { CustomerSession } from '../modules/portal/index.js';

export type Access =
  /** a staff member whose role holds this permission in src/permissions.ts */
  | { permission: Permission }
  /** any signed-in staff member (their own sessions, profile, two-factor) */
  | 'authenticated'
  /** a signed-in customer (the portal: purchases, downloads, courses) */
  | 'customer'
  /** no sign-in: public pages, sign-in itself, webhooks (each checks its own proof) */
  | 'public';

/**
 * What the wiring hands the routes: the App, and what only the wiring may reach (loading the demo
 * business, src/demo, which seeds every module). src/http/server.ts builds it.
 */
export interface RouteDeps extends App {
  loadDemo(): Promise<boolean>;
}

export type Principal =
  | { type: 'session'; role: Role; userId: string; session: AuthenticatedSession; actor: Actor }
  | { type: 'apiKey'; role: Role; keyId: string; actor: Actor };

export interface CustomerPrincipal {
  type: 'customer';
  contactId: string;
  session: CustomerSession;
  actor: Actor;
}

export interface RouteContext<P, Q, B, D = App> {
  /**
   * What the module's routes may use: its `…RouteDeps` (a module's routes are declared with
   * `routesFor<…RouteDeps>()`), never the whole App. The wiring passes RouteDeps (the App and
   * the demo loader), and the type check proves it provides each module's deps (src/http/routes.ts).
   */
  app: D;
  req: FastifyRequest;
  reply: FastifyReply;
  params: P;
  query: Q;
  body: B;
  /** set on every route that is not public */
  principal: Principal;
  actor: Actor;
  /** what the audit entry of this write is about, and any detail worth keeping */
  auditTarget(type: string, id: string, data?: Record<string, unknown>): void;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<
  PS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  BS extends Schema | undefined = undefined,
  RS extends Schema | undefined = undefined,
  A extends Access = Access,
  D = App,
> {
  method: Method;
  url: string;
  access: A;
  summary: string;
  tags?: string[];
  params?: PS;
  query?: QS;
  body?: BS;
  /** 200 response body; output is parsed through it, so row fields never leak */
  response?: RS;
  /** status for a successful response (default 200, or 204 with no response schema) */
  status?: number;
  /** audit action for a write; default `<METHOD> <url>`; false when the route writes its own */
  audit?: string | false;
  /** per-IP limit bucket: `auth` (sign-in, resets, invitations) or `forms` (public forms); see RATE_LIMIT_* */
  rateLimit?: 'auth' | 'forms';
  /** html / files / webhooks are not part of the JSON API document */
  kind?: 'api' | 'page' | 'webhook';
  /**
   * Accept unsafe requests whatever their Origin. Only for public routes that prove what they
   * need themselves and act with no one's authority (an opt-in form embedded on another site).
   */
  crossOrigin?: boolean;
  /**
   * The body is not parsed: the handler gets it untouched in `req.body`, as a Buffer (webhook
   * signatures are computed over the exact bytes) or as the request stream (file uploads).
   */
  rawBody?: 'buffer' | 'stream';
  /** bytes; overrides the server-wide body limit for this route */
  bodyLimit?: number;
  /**
   * false: no helmet headers (CSP, frame and referrer policies…). Only for an answer with no
   * body that no browser renders (the analytics beacon, a 202 sent thousands of times a
   * second): a dozen headers it has no use for.
   */
  securityHeaders?: false;
  /** With a response schema it returns what the schema parses, or the reply once it sent another answer itself (a CSV). */
  handler: (
    ctx: A extends 'public'
      ? Omit<RouteContext<Out<PS>, Out<QS>, Out<BS>, D>, 'principal' | 'actor'> & { principal: null; actor: null }
      : A extends 'customer'
        ? Omit<RouteContext<Out<PS>, Out<QS>, Out<BS>, D>, 'principal'> & { principal: CustomerPrincipal }
        : RouteContext<Out<PS>, Out<QS>, Out<BS>, D>,
  ) => Promise<RS extends z.ZodType ? z.input<RS> | FastifyReply : unknown>;
}

/** A declared route whose handler needs `D` (a module's `…RouteDeps`; the App for the core routes). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute<D = any> = RouteSpec<any, any, any, any, any, D>;

/**
 * `const defineRoute = routesFor<XRouteDeps>()` in a module's routes file: its handlers see only
 * the dependencies that interface names, and its routes are `AnyRoute<XRouteDeps>[]`. Handlers
 * are contravariant in their context, so the wiring's `AnyRoute<RouteDeps>[]` (src/http/routes.ts)
 * accepts them only when the App provides every one of those dependencies. There is no exported
 * App-wide `defineRoute`: the core routes make their own (src/http/core-routes.ts).
 */
export function routesFor<D>() {
  return function defineRoute<
    PS extends Schema | undefined = undefined,
    QS extends Schema | undefined = undefined,
    BS extends Schema | undefined = undefined,
    RS extends Schema | undefined = undefined,
    A extends Access = Access,
  >(spec: RouteSpec<PS, QS, BS, RS, A, D>): AnyRoute<D> {
    return spec as AnyRoute<D>;
  };
}

export const SESSION_COOKIE = 'oh_session';
export const CUSTOMER_COOKIE = 'oh_customer';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: AnyRoute[];
    registeredRoutes: { method: string; url: string }[];
  }
  interface FastifyRequest {
    principalCache?: Principal | null;
  }
}

/** Who is calling: a session cookie or an API key. Null when neither is valid. */
export async function resolvePrincipal(app: App, req: FastifyRequest): Promise<Principal | null> {
  if (req.principalCache !== undefined) return req.principalCache;
  let principal: Principal | null = null;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const key = await app.team.resolveApiKey(auth.slice(7).trim());
    if (!key) throw new DomainError('unauthenticated', 'The API key is not valid or has been revoked');
    // A key acts with its role's authority and limits, and is recorded as that role: the
    // owner's own role, or an assistant of the key's role (never "automation", which would let
    // a key's work pass as the system running itself).
    const actor: Actor =
      key.role === 'owner' ? { kind: 'owner', id: `apikey:${key.id}`, label: `API key "${key.name}"` } : { kind: 'assistant', id: `apikey:${key.id}`, role: key.role, label: `API key "${key.name}"` };
    principal = { type: 'apiKey', role: key.role, keyId: key.id, actor };
  } else {
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await app.team.resolveSession(token) : null;
    if (session && !session.pendingTwoFactor) {
      principal = { type: 'session', role: session.user.role, userId: session.user.id, session, actor: actorForUser(session.user) };
      // Staff activity in 5-minute windows: the owner's active time in the weekly review.
      await app.owner.noteActivity(session.user.id, session.user.role);
    }
  }
  req.principalCache = principal;
  return principal;
}

async function resolveCustomer(app: App, req: FastifyRequest): Promise<CustomerPrincipal | null> {
  const session = await app.portal.resolveSession(req.cookies[CUSTOMER_COOKIE]);
  if (!session) return null;
  return { type: 'customer', contactId: session.contact.id, session, actor: { kind: 'customer', id: session.contact.id, label: session.contact.email } };
}

function clientMeta(req: FastifyRequest) {
  return { ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id };
}

/** Cross-site requests are refused outright: a browser always sends Origin on unsafe requests. */
function checkOrigin(app: App, req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') {
    // A page served with `Referrer-Policy: no-referrer` (helmet's default) makes the browser send
    // `Origin: null` on its own same-site form posts. Sec-Fetch-Site, which pages cannot forge,
    // tells those apart from sandboxed or opaque cross-site senders.
    if (origin === 'null' && req.headers['sec-fetch-site'] !== 'same-origin') throw new DomainError('forbidden', 'Cross-site request refused');
    return;
  }
  const allowed = new Set([new URL(app.config.publicUrl).origin]);
  if (req.headers.host) allowed.add(`${req.protocol}://${req.headers.host}`);
  if (!allowed.has(origin)) throw new DomainError('forbidden', 'Cross-site request refused');
}

export function registerRoutes(fastify: FastifyInstance, app: RouteDeps, routes: AnyRoute<RouteDeps>[]): void {
  for (const spec of routes) if (!spec.rawBody) registerRoute(fastify, app, spec);
  const raw = routes.filter((r) => r.rawBody);
  if (raw.length === 0) return;
  // Raw-body routes live in their own encapsulated context, so replacing the body parsers
  // there leaves every other route's JSON and form parsing as it is.
  fastify.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const spec of raw.filter((r) => r.rawBody === 'buffer')) registerRoute(child, app, spec);
  });
  fastify.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    for (const spec of raw.filter((r) => r.rawBody === 'stream')) registerRoute(child, app, spec);
  });
}

/** The central checks on what a request carries (src/http/input-guard.ts), before any schema. */
function checkInput(spec: AnyRoute, req: FastifyRequest): void {
  assertCleanInput('params', req.params);
  assertCleanInput('query', req.query);
  if (!spec.rawBody) {
    assertCleanInput('body', req.body);
    if (spec.method === 'PATCH' && spec.body) assertSomethingToChange(req.body);
  }
}

function registerRoute(fastify: FastifyInstance, app: RouteDeps, spec: AnyRoute<RouteDeps>): void {
  const access = spec.access as Access | undefined;
  if (!access || (typeof access === 'object' && !('permission' in access))) {
    throw new Error(`Route ${spec.method} ${spec.url} declares no access rule (deny by default)`);
  }
  if (spec.crossOrigin && access !== 'public') throw new Error(`Route ${spec.method} ${spec.url}: only public routes may accept cross-site requests`);
  fastify.routeTable.push(spec);
  const unsafe = UNSAFE.has(spec.method);
  fastify.route({
    method: spec.method,
    url: spec.url,
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
    config: {
      ...(spec.rateLimit ? { rateLimit: { max: app.config.rateLimits[spec.rateLimit as 'auth' | 'forms'], timeWindow: '1 minute' } } : {}),
      // read by the security-headers hook (src/http/server.ts)
      ...(spec.securityHeaders === false ? { securityHeaders: false } : {}),
    },
    handler: async (req, reply) => {
      if (unsafe && !spec.crossOrigin) checkOrigin(app, req);
      if (access === 'customer') return handleCustomer(app, spec, req, reply, unsafe);
      // Public routes never act with a caller's authority, so they neither look it up nor need CSRF tokens.
      const principal = access === 'public' ? null : await resolvePrincipal(app, req);
      if (access !== 'public') {
        if (!principal) throw new DomainError('unauthenticated', 'Sign in to continue');
        if (typeof access === 'object' && !can(principal.role, access.permission)) {
          await app.audit.write(app.db, {
            actor: principal.actor,
            action: `${spec.method} ${spec.url}`,
            outcome: 'denied',
            ...clientMeta(req),
            data: { permission: access.permission, role: principal.role, path: req.url.split('?')[0] },
          });
          throw new DomainError('forbidden', `Your role (${principal.role}) does not allow this (${access.permission})`);
        }
      }
      // CSRF: a cookie-authenticated write must carry the session's token. API keys are not
      // sent by browsers on their own, so they need none.
      if (unsafe && principal?.type === 'session') {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !safeEqual(sent, principal.session.csrfToken)) {
          throw new DomainError('csrf_failed', 'The request is missing its CSRF token; reload the page and try again');
        }
      }
      checkInput(spec, req);
      const params = spec.params ? spec.params.parse(req.params) : undefined;
      const query = spec.query ? spec.query.parse(req.query) : undefined;
      const body = spec.body ? spec.body.parse(req.body ?? {}) : undefined;
      let target: { type: string; id: string } | undefined;
      let auditData: Record<string, unknown> | undefined;
      const result = await spec.handler({
        app,
        req,
        reply,
        params,
        query,
        body,
        principal: principal as Principal,
        actor: (principal?.actor ?? null) as Actor,
        auditTarget(type: string, id: string, data?: Record<string, unknown>) {
          target = { type, id };
          auditData = data;
        },
      });
      if (unsafe && principal && spec.audit !== false) {
        await app.audit.write(app.db, {
          actor: principal.actor,
          action: spec.audit ?? `${spec.method} ${spec.url}`,
          target,
          ...clientMeta(req),
          data: auditData,
        });
      }
      // The handler sent its own answer (returned the reply, whose onSend hooks may still run): the schema is for JSON.
      if (reply.sent || result === reply) return reply;
      if (spec.response) {
        reply.code(spec.status ?? 200);
        return spec.response.parse(result);
      }
      if (result === undefined) {
        reply.code(spec.status ?? 204);
        return reply.send();
      }
      return result;
    },
  });
}

async function handleCustomer(app: RouteDeps, spec: AnyRoute<RouteDeps>, req: FastifyRequest, reply: FastifyReply, unsafe: boolean) {
  const principal = await resolveCustomer(app, req);
  if (!principal) {
    if (spec.method === 'GET' && spec.kind === 'page') return reply.redirect(`/account/sign-in?next=${encodeURIComponent(req.url)}`);
    throw new DomainError('unauthenticated', 'Sign in to your account to continue');
  }
  if (unsafe) {
    const sent = req.headers['x-csrf-token'] ?? (req.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof sent !== 'string' || !safeEqual(sent, principal.session.csrfToken)) {
      throw new DomainError('forbidden', 'This form has expired. Reload the page and try again.');
    }
  }
  checkInput(spec, req);
  const result = await spec.handler({
    app,
    req,
    reply,
    params: spec.params ? spec.params.parse(req.params) : undefined,
    query: spec.query ? spec.query.parse(req.query) : undefined,
    body: spec.body ? spec.body.parse(req.body ?? {}) : undefined,
    principal,
    actor: principal.actor,
    auditTarget() {},
  });
  if (reply.sent || result === reply) return reply;
  if (spec.response) return spec.response.parse(result);
  if (result === undefined) return reply.code(spec.status ?? 204).send();
  return result;
}

