// Maps errors to HTTP, in one shape: { error: { code, message, details } }. Services throw
// domain errors; this is the only place that knows status codes.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { DomainError, type ErrorCode } from '../errors.js';

const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_token: 400,
  unauthenticated: 401,
  two_factor_required: 401,
  payment_failed: 402,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof DomainError) {
    return { status: statusOf[err.code], body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = details[0];
    return {
      status: 400,
      body: { error: { code: 'validation_failed', message: first ? `${first.path || 'input'}: ${first.message}` : 'The input is not valid', details } },
    };
  }
  const fe = err as FastifyError;
  if (fe.statusCode === 429) {
    return { status: 429, body: { error: { code: 'rate_limited', message: 'Too many requests. Wait a minute and try again.' } } };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    return { status: 413, body: { error: { code: 'too_large', message: 'The request body is too large' } } };
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: { code: fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'bad_request', message: fe.message } } };
  }
  if (isMalformedMultipart(err)) {
    return { status: 400, body: { error: { code: 'bad_request', message: 'The upload is not valid multipart/form-data; send the file again' } } };
  }
  if (isPostgresDataException(err)) {
    // A backstop behind the input checks in route.ts: PostgreSQL refused a value (text it
    // cannot store, a number out of range). The input was bad, not the server.
    return { status: 400, body: { error: { code: 'validation_failed', message: 'A value in the request cannot be stored; check the fields and try again' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'Something went wrong on our side. It has been logged.' } } };
}

/** Errors busboy (under @fastify/multipart) raises on a broken multipart body; they carry no status of their own. */
function isMalformedMultipart(err: unknown): boolean {
  const message = (err as Error | undefined)?.message ?? '';
  return /^(Multipart: Boundary not found|Unexpected end of (form|file)|Malformed part header|Malformed urlencoded form|Unexpected end of multipart data)/.test(message);
}

/** SQLSTATE class 22 (data exception), from pg or PGlite, possibly wrapped by Drizzle. */
function isPostgresDataException(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 3; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  return false;
}

function wantsHtml(req: FastifyRequest): boolean {
  return !req.url.startsWith('/api/') && !req.url.startsWith('/webhooks/') && (req.headers.accept ?? '').includes('text/html');
}

function htmlError(status: number, message: string): string {
  const safe = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${status}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}</style></head><body><h1>${status === 404 ? 'Page not found' : 'Something is not right'}</h1><p>${safe}</p><p><a href="/">Go to the home page</a></p></body></html>`;
}

/** What a public 404 may be instead: a redirect the owner kept, or a page that helps (the blog's suggestions). */
export type NotFoundPage = (path: string) => Promise<{ redirect: string } | { html: string } | null>;

export function installErrorHandling(fastify: FastifyInstance, notFoundPage?: NotFoundPage): void {
  fastify.setErrorHandler((err, req, reply: FastifyReply) => {
    const { status, body } = toErrorBody(err);
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: body.error.code, status }, 'request refused');
    if (wantsHtml(req)) return reply.code(status).type('text/html; charset=utf-8').send(htmlError(status, body.error.message));
    return reply.code(status).send(body);
  });
  fastify.setNotFoundHandler(async (req, reply) => {
    const message = `Nothing is at ${req.method} ${req.url.split('?')[0]}`;
    if (notFoundPage && (req.method === 'GET' || req.method === 'HEAD') && !req.url.startsWith('/api/')) {
      const page = await notFoundPage(req.url.split('?')[0]!).catch((err) => (req.log.error({ err }, 'the 404 page failed'), null));
      if (page && 'redirect' in page) return reply.code(301).header('location', page.redirect).header('cache-control', 'public, max-age=3600').send();
      if (page && wantsHtml(req)) return reply.code(404).type('text/html; charset=utf-8').send(page.html);
    }
    if (wantsHtml(req)) return reply.code(404).type('text/html; charset=utf-8').send(htmlError(404, message));
    return reply.code(404).send({ error: { code: 'not_found', message } } satisfies ErrorBody);
  });
}
