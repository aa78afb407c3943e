// The typed client for Onehour's JSON API. Every call goes through `request`, which sends the
// session cookie, adds the CSRF header to writes, parses the one error shape
// `{ error: { code, message, details } }` and throws it as an ApiError. Module pages add their
// own endpoint functions next to their pages using apiGet / apiSend.
import type { AssignableRole } from './shared.js';

/** An ISO 8601 timestamp as the server sends it. Format with lib/format.ts. */
import type { IsoDate, QueryOf, QuerySchema } from '../../../src/wire.js';
export type { IsoDate, QueryOf };

// ---- errors ---------------------------------------------------------------------------

/** Codes from src/http/errors.ts, plus `network` when the server could not be reached. */
export type ApiErrorCode =
  | 'validation_failed'
  | 'invalid_token'
  | 'unauthenticated'
  | 'two_factor_required'
  | 'payment_failed'
  | 'forbidden'
  | 'csrf_failed'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'too_large'
  | 'locked'
  | 'rate_limited'
  | 'unavailable'
  | 'bad_request'
  | 'internal'
  | 'network'
  | (string & {});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isUnauthenticated(): boolean {
    return this.status === 401;
  }

  get isForbidden(): boolean {
    return this.status === 403;
  }

  /**
   * Which form fields the server objected to, field name → message. Understands both shapes
   * the server sends: zod issues (`[{ path, message }]`) and domain errors (`{ field }`).
   */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    const d = this.details;
    if (Array.isArray(d)) {
      for (const issue of d) {
        if (isRecord(issue) && typeof issue.path === 'string' && typeof issue.message === 'string' && issue.path) {
          out[issue.path.split('.')[0]!] ??= issue.message;
        }
      }
    } else if (isRecord(d) && typeof d.field === 'string') {
      out[d.field] = this.message;
    }
    return out;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toApiError(status: number, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string') {
    const code = typeof body.error.code === 'string' ? body.error.code : 'bad_request';
    return new ApiError(status, code, body.error.message, body.error.details);
  }
  return new ApiError(status, status >= 500 ? 'internal' : 'bad_request', `Onehour answered with an unexpected error (HTTP ${status}). Try again in a moment.`);
}

// ---- the request itself ---------------------------------------------------------------

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

/** The session's CSRF token; set from every response that carries the session shape. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a signed-in request comes back 401 (the session ended elsewhere or expired). */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Sends one file as multipart/form-data in the field "file" (uploads), with the CSRF token. */
export async function apiUploadForm<T>(method: 'POST' | 'PUT', path: string, file: File): Promise<T> {
  const body = new FormData();
  body.append('file', file);
  let res: Response;
  try {
    res = await fetch(path, { method, body, credentials: 'same-origin', headers: { accept: 'application/json', 'x-csrf-token': csrfToken ?? '' } });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach Onehour. Check your connection and try again.');
  }
  const parsed: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = toApiError(res.status, parsed);
    if (err.isUnauthenticated) onUnauthenticated?.();
    throw err;
  }
  return parsed as T;
}

async function request<T>(method: Method, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach Onehour. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const parsed: unknown = (res.headers.get('content-type') ?? '').includes('application/json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const err = toApiError(res.status, parsed);
    // The token went stale (signed in again in another tab): fetch the current one, retry once.
    if (err.code === 'csrf_failed' && !retried) {
      const state = await fetch('/api/auth/session', { credentials: 'same-origin' }).then((r) => r.json() as Promise<{ csrfToken: string | null }>).catch(() => null);
      if (state?.csrfToken) {
        csrfToken = state.csrfToken;
        return request<T>(method, path, body, true);
      }
    }
    // Sign-in endpoints answer 401 for a wrong password; that is a form error, not a lost session.
    if (err.isUnauthenticated && !path.startsWith('/api/auth/')) onUnauthenticated?.();
    throw err;
  }
  return parsed as T;
}

/**
 * The query parameters of a request to a route whose `query:` schema is S (`typeof someQuery`,
 * imported as a type from the route's contract.ts): the names S parses and values of the kinds it
 * takes (src/wire.ts). A request that names no schema sends no parameters.
 */
export type Query<S extends QuerySchema> = [S] extends [never] ? Record<string, never> : QueryOf<S>;

/** `path?query`: undefined and empty values are left out, a list is sent as the parameter repeated. */
export function apiUrl<S extends QuerySchema = never>(path: string, query?: Query<S>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    for (const item of Array.isArray(v) ? v : [v]) if (item !== undefined && item !== null && item !== '') params.append(k, String(item));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A GET; with query parameters, S names the route's query schema (`apiGet<Page, typeof pageQuery>(path, q)`). */
export function apiGet<T, S extends QuerySchema = never>(path: string, query?: Query<S>): Promise<T> {
  return request<T>('GET', apiUrl<S>(path, query));
}

/** Sends a file as the raw request body (CSV imports, downloads); the CSRF header is added. */
export async function apiUpload<T>(method: 'POST' | 'PUT', path: string, file: Blob, contentType = 'application/octet-stream'): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: file, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach Onehour. Check your connection and try again.');
  }
  const parsed: unknown = (res.headers.get('content-type') ?? '').includes('application/json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const err = toApiError(res.status, parsed);
    if (err.isUnauthenticated) onUnauthenticated?.();
    throw err;
  }
  return parsed as T;
}

/** A write (POST/PUT/PATCH/DELETE); the CSRF header is added. */
export function apiSend<T = void>(method: Exclude<Method, 'GET'>, path: string, body?: unknown): Promise<T> {
  return request<T>(method, path, body ?? (method === 'DELETE' ? undefined : {}));
}

// ---- shapes: the server's own response schemas (the contract.ts files beside the routes), as
// they arrive over JSON. Types only: nothing of the server reaches the bundle, and a change to
// a schema fails the type check here rather than drifting.

export type { User, SessionState, Invitation, InvitationPeek, DeviceSession, ApiKey } from '../../../src/modules/team/contract.js';
export type { BusinessEvent, AuditEntry } from '../../../src/http/contract.js';
export type { MessageSummary, Message } from '../../../src/modules/mail/contract.js';
import type { User, SessionState, InvitationPeek, DeviceSessions, RevokedSessions, TwoFactorBegin, Team, Invited, ApiKeys, ApiKeyCreated, SetupInput, LoginInput, CodeInput, ResetRequestInput, ResetInput, TokenInput, AcceptInvitationInput, ChangePasswordInput, PasswordInput, InviteInput, ApiKeyInput } from '../../../src/modules/team/contract.js';
import type { ActivityPage, activityQuery, ActivityTypes, AuditPage, auditQuery, DemoStatus } from '../../../src/http/contract.js';
import type { Message, Outbox, outboxQuery } from '../../../src/modules/mail/contract.js';

// ---- endpoints ------------------------------------------------------------------------

export const auth = {
  session: () => apiGet<SessionState>('/api/auth/session'),
  setup: (body: SetupInput) => apiSend<SessionState>('POST', '/api/setup', body),
  login: (body: LoginInput) => apiSend<SessionState>('POST', '/api/auth/login', body),
  twoFactor: (body: CodeInput) => apiSend<SessionState>('POST', '/api/auth/two-factor', body),
  logout: () => apiSend('POST', '/api/auth/logout'),
  requestPasswordReset: (body: ResetRequestInput) => apiSend('POST', '/api/auth/password-reset/request', body),
  resetPassword: (body: ResetInput) => apiSend('POST', '/api/auth/password-reset', body),
  peekInvitation: (body: TokenInput) => apiSend<InvitationPeek>('POST', '/api/invitations/peek', body),
  acceptInvitation: (body: AcceptInvitationInput) => apiSend<SessionState>('POST', '/api/invitations/accept', body),
};

export const account = {
  changePassword: (body: ChangePasswordInput) => apiSend<SessionState>('POST', '/api/me/password', body),
  rename: (name: string) => apiSend('PATCH', '/api/me', { name }),
  sessions: () => apiGet<DeviceSessions>('/api/me/sessions'),
  revokeSession: (id: string) => apiSend('DELETE', `/api/me/sessions/${encodeURIComponent(id)}`),
  revokeOtherSessions: () => apiSend<RevokedSessions>('POST', '/api/me/sessions/revoke-others'),
  beginTwoFactor: () => apiSend<TwoFactorBegin>('POST', '/api/me/two-factor/begin'),
  confirmTwoFactor: (body: CodeInput) => apiSend('POST', '/api/me/two-factor/confirm', body),
  disableTwoFactor: (body: PasswordInput) => apiSend('POST', '/api/me/two-factor/disable', body),
};

export const team = {
  list: () => apiGet<Team>('/api/team'),
  invite: (body: InviteInput) => apiSend<Invited>('POST', '/api/team/invitations', body),
  revokeInvitation: (id: string) => apiSend('DELETE', `/api/team/invitations/${encodeURIComponent(id)}`),
  changeRole: (id: string, role: AssignableRole) => apiSend<User>('PATCH', `/api/team/members/${encodeURIComponent(id)}`, { role }),
  remove: (id: string) => apiSend('DELETE', `/api/team/members/${encodeURIComponent(id)}`),
};

export const apiKeys = {
  list: () => apiGet<ApiKeys>('/api/api-keys'),
  create: (body: ApiKeyInput) => apiSend<ApiKeyCreated>('POST', '/api/api-keys', body),
  revoke: (id: string) => apiSend('DELETE', `/api/api-keys/${encodeURIComponent(id)}`),
};

export type { WebhookEndpoint, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpointInput } from '../../../src/modules/webhooks/contract.js';
import type {
  deliveryListQuery,
  WebhookCreated,
  WebhookDeliveryList,
  WebhookDeliveryResult,
  WebhookEndpointInput,
  WebhookEndpointList,
  WebhookEndpointPatch,
  WebhookEndpointResult,
  WebhookSecretRotated,
} from '../../../src/modules/webhooks/contract.js';

export const webhooks = {
  list: () => apiGet<WebhookEndpointList>('/api/webhooks'),
  /** the signing secret is in this answer only */
  create: (body: WebhookEndpointInput) => apiSend<WebhookCreated>('POST', '/api/webhooks', body),
  update: (id: string, body: WebhookEndpointPatch) => apiSend<WebhookEndpointResult>('PATCH', `/api/webhooks/${encodeURIComponent(id)}`, body),
  remove: (id: string) => apiSend('DELETE', `/api/webhooks/${encodeURIComponent(id)}`),
  rotateSecret: (id: string) => apiSend<WebhookSecretRotated>('POST', `/api/webhooks/${encodeURIComponent(id)}/rotate-secret`),
  sendTest: (id: string) => apiSend<WebhookDeliveryResult>('POST', `/api/webhooks/${encodeURIComponent(id)}/test`),
  deliveries: (id: string, q: QueryOf<typeof deliveryListQuery> = {}) => apiGet<WebhookDeliveryList, typeof deliveryListQuery>(`/api/webhooks/${encodeURIComponent(id)}/deliveries`, q),
  replay: (deliveryId: string) => apiSend<WebhookDeliveryResult>('POST', `/api/webhook-deliveries/${encodeURIComponent(deliveryId)}/replay`),
};

export const activity = {
  list: (q: QueryOf<typeof activityQuery>) => apiGet<ActivityPage, typeof activityQuery>('/api/activity', q),
  types: () => apiGet<ActivityTypes>('/api/activity/types'),
};

export const audit = {
  list: (q: QueryOf<typeof auditQuery>) => apiGet<AuditPage, typeof auditQuery>('/api/audit', q),
};

export const outbox = {
  list: (q: QueryOf<typeof outboxQuery>) => apiGet<Outbox, typeof outboxQuery>('/api/outbox', q),
  get: (id: string) => apiGet<Message>(`/api/outbox/${encodeURIComponent(id)}`),
};

export const setup = {
  demoStatus: () => apiGet<DemoStatus>('/api/demo'),
  loadDemo: () => apiSend<DemoStatus>('POST', '/api/demo'),
  /** A plain link: the browser downloads the file with the session cookie. */
  exportUrl: '/api/export',
};
