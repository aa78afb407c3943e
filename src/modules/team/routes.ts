// Team, sign-in and account routes. Each line of the table below is one route and the
// access it needs; handlers validate, call the service, return.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { permissionsOf } from '../../permissions.js';
import { PASSWORD_RESET_REQUEST_JOB } from './jobs.js';
import { routesFor, SESSION_COOKIE, type AnyRoute } from '../../http/route.js';
import type { Config } from '../../config.js';
import type { AuditLog } from '../../db/audit.js';
import type { Db } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { TeamService } from './index.js';
import {
  acceptInvitationBody,
  apiKeyBody,
  apiKeyCreatedShape,
  apiKeysShape,
  changePasswordBody,
  codeBody,
  deviceSessionsShape,
  invitationPeekShape,
  inviteBody,
  invitedShape,
  loginBody,
  passwordBody,
  renameBody,
  resetBody,
  resetRequestBody,
  revokedSessionsShape,
  roleBody,
  sessionStateShape as sessionState,
  setupBody,
  teamShape,
  tokenBody,
  twoFactorBeginShape,
  userShape,
} from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface TeamRouteDeps {
  /** the wiring's: loads the demo business (src/demo seeds every module) */
  loadDemo(): Promise<boolean>;
  audit: AuditLog;
  config: Config;
  db: Db;
  jobs: JobQueue;
  team: TeamService;
}
const defineRoute = routesFor<TeamRouteDeps>();

const idParam = z.object({ id: z.uuid() });

export function setSessionCookie(app: TeamRouteDeps, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.config.secureCookies,
    maxAge: Math.floor(app.config.sessionTtlHours * 3600),
  });
}

function clearSessionCookie(app: TeamRouteDeps, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: app.config.secureCookies });
}

async function sessionStateOf(app: TeamRouteDeps, token: string | undefined) {
  const needsSetup = !(await app.team.hasOwner());
  const session = token ? await app.team.resolveSession(token) : null;
  if (!session) return { user: null, csrfToken: null, twoFactorRequired: false, needsSetup, permissions: [] };
  if (session.pendingTwoFactor) return { user: null, csrfToken: null, twoFactorRequired: true, needsSetup, permissions: [] };
  return { user: session.user, csrfToken: session.csrfToken, twoFactorRequired: false, needsSetup, permissions: permissionsOf(session.user.role) };
}

export const teamRoutes: AnyRoute<TeamRouteDeps>[] = [
  // ---- first run & sign-in (public: they establish who you are) ----------------------------
  defineRoute({
    method: 'GET', url: '/api/auth/session', access: 'public', tags: ['auth'],
    summary: 'Who is signed in, their CSRF token and permissions; whether first-run setup is needed',
    response: sessionState,
    handler: ({ app, req }) => sessionStateOf(app, req.cookies[SESSION_COOKIE]),
  }),
  defineRoute({
    method: 'POST', url: '/api/setup', access: 'public', tags: ['auth'], rateLimit: 'auth',
    summary: 'First run: create the owner account (refused once an owner exists) and sign in',
    body: setupBody,
    response: sessionState,
    handler: async ({ app, req, reply, body }) => {
      const owner = await app.team.createOwner(body);
      await app.audit.write(app.db, { actor: { kind: 'owner', id: owner.id, label: owner.email }, action: 'setup.owner_created', ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id });
      const { token } = await app.team.login({ email: body.email, password: body.password, ip: req.ip, userAgent: req.headers['user-agent'] });
      setSessionCookie(app, reply, token);
      if (body.loadDemo) await app.loadDemo();
      return sessionStateOf(app, token);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/auth/login', access: 'public', tags: ['auth'], rateLimit: 'auth',
    summary: 'Sign in with email and password (a TOTP code follows when two-factor is on)',
    body: loginBody,
    response: sessionState,
    handler: async ({ app, req, reply, body }) => {
      try {
        const { token } = await app.team.login({ ...body, ip: req.ip, userAgent: req.headers['user-agent'] });
        setSessionCookie(app, reply, token);
        return sessionStateOf(app, token);
      } catch (err) {
        if (err instanceof DomainError) {
          await app.audit.write(app.db, { actor: { kind: 'system', label: body.email }, action: 'auth.login_failed', outcome: 'denied', ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id, data: { email: body.email, reason: err.code } });
        }
        throw err;
      }
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/auth/two-factor', access: 'public', tags: ['auth'], rateLimit: 'auth',
    summary: 'Second sign-in step: the 6-digit code from the authenticator app',
    body: codeBody,
    response: sessionState,
    handler: async ({ app, req, reply, body }) => {
      const token = req.cookies[SESSION_COOKIE];
      const pending = token ? await app.team.resolveSession(token) : null;
      if (!pending?.pendingTwoFactor) throw new DomainError('unauthenticated', 'Sign in with your password first');
      const opened = await app.team.completeTwoFactor(pending.sessionId, body.code, { ip: req.ip, userAgent: req.headers['user-agent'] });
      setSessionCookie(app, reply, opened.token);
      return sessionStateOf(app, opened.token);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/auth/password-reset/request', access: 'public', tags: ['auth'], rateLimit: 'auth',
    summary: 'Mail a password-reset link (the answer is the same whether or not the address exists)',
    body: resetRequestBody,
    handler: async ({ app, body }) => {
      // The lookup and the mail happen in a job: the answer says nothing, not even by its timing.
      await app.jobs.send(PASSWORD_RESET_REQUEST_JOB, { email: body.email });
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/auth/password-reset', access: 'public', tags: ['auth'], rateLimit: 'auth',
    summary: 'Choose a new password with a reset link token; every session of the account ends',
    body: resetBody,
    handler: async ({ app, body }) => {
      await app.team.resetPassword(body.token, body.password);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/invitations/peek', access: 'public', tags: ['team'], rateLimit: 'auth',
    summary: 'What an invitation link is for (email and role), before accepting it',
    body: tokenBody,
    response: invitationPeekShape,
    handler: ({ app, body }) => app.team.peekInvitation(body.token),
  }),
  defineRoute({
    method: 'POST', url: '/api/invitations/accept', access: 'public', tags: ['team'], rateLimit: 'auth',
    summary: 'Accept an invitation: set your name and password, and sign in',
    body: acceptInvitationBody,
    response: sessionState,
    handler: async ({ app, req, reply, body }) => {
      const { token } = await app.team.acceptInvitation(body.token, body, { ip: req.ip, userAgent: req.headers['user-agent'] });
      setSessionCookie(app, reply, token);
      return sessionStateOf(app, token);
    },
  }),

  // ---- your own account ---------------------------------------------------------------------
  defineRoute({
    method: 'POST', url: '/api/auth/logout', access: 'authenticated', tags: ['auth'], audit: 'auth.logout',
    summary: 'Sign out: this session ends on the server',
    handler: async ({ app, principal, reply }) => {
      if (principal.type === 'session') await app.team.logout(principal.session.sessionId);
      clearSessionCookie(app, reply);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/me/password', access: 'authenticated', tags: ['account'], audit: 'account.password_changed',
    summary: 'Change your password; all your sessions end and this one is renewed',
    body: changePasswordBody,
    response: sessionState,
    handler: async ({ app, req, reply, principal, body }) => {
      if (principal.type !== 'session') throw new DomainError('forbidden', 'API keys cannot change passwords');
      const { token } = await app.team.changePassword(principal.userId, body.currentPassword, body.newPassword, { ip: req.ip, userAgent: req.headers['user-agent'] });
      setSessionCookie(app, reply, token);
      return sessionStateOf(app, token);
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/me', access: 'authenticated', tags: ['account'], audit: 'account.renamed',
    summary: 'Change the name shown for you (blog bylines, the admin)',
    body: renameBody,
    response: userShape,
    handler: async ({ app, principal, body }) => {
      if (principal.type !== 'session') throw new DomainError('forbidden', 'API keys have no name of a person to change');
      return app.team.renameUser(principal.userId, body.name, principal.actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/me/sessions', access: 'authenticated', tags: ['account'],
    summary: 'Your signed-in sessions (devices)',
    response: deviceSessionsShape,
    handler: async ({ app, principal }) => {
      if (principal.type !== 'session') return { sessions: [] };
      return { sessions: await app.team.listSessions(principal.userId, principal.session.sessionId) };
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/me/sessions/:id', access: 'authenticated', tags: ['account'], audit: 'account.session_revoked',
    summary: 'Sign out one of your sessions',
    params: z.object({ id: z.string().max(64) }),
    handler: async ({ app, principal, params, auditTarget }) => {
      if (principal.type !== 'session') throw new DomainError('forbidden', 'Only for signed-in people');
      await app.team.revokeSession(principal.userId, params.id, principal.actor);
      auditTarget('session', params.id);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/me/sessions/revoke-others', access: 'authenticated', tags: ['account'], audit: 'account.sessions_revoked',
    summary: 'Sign out everywhere else',
    response: revokedSessionsShape,
    handler: async ({ app, principal }) => {
      if (principal.type !== 'session') throw new DomainError('forbidden', 'Only for signed-in people');
      return { revoked: await app.team.revokeOtherSessions(principal.userId, principal.session.sessionId) };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/me/two-factor/begin', access: 'authenticated', tags: ['account'], audit: 'account.two_factor_begin',
    summary: 'Start two-factor enrolment: a secret and otpauth URI for the authenticator app',
    response: twoFactorBeginShape,
    handler: ({ app, principal }) => {
      if (principal.type !== 'session') throw new DomainError('forbidden', 'Only for signed-in people');
      return app.team.beginTotpEnrolment(principal.userId);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/me/two-factor/confirm', access: 'authenticated', tags: ['account'], audit: 'account.two_factor_enabled',
    summary: 'Finish enrolment with a code from the app; two-factor is then required at sign-in',
    body: codeBody,
    handler: async ({ app, principal, body }) => {
      if (principal.type !== 'session') throw new DomainError('forbidden', 'Only for signed-in people');
      await app.team.confirmTotpEnrolment(principal.userId, body.code);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/me/two-factor/disable', access: 'authenticated', tags: ['account'], audit: 'account.two_factor_disabled',
    summary: 'Turn two-factor off (needs your password)',
    body: passwordBody,
    handler: async ({ app, principal, body }) => {
      if (principal.type !== 'session') throw new DomainError('forbidden', 'Only for signed-in people');
      await app.team.disableTotp(principal.userId, body.password);
    },
  }),

  // ---- the team -----------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/team', access: { permission: 'team.read' }, tags: ['team'],
    summary: 'Team members and open invitations',
    response: teamShape,
    handler: async ({ app }) => ({ members: await app.team.listUsers(), invitations: await app.team.listInvitations() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/team/invitations', access: { permission: 'team.manage' }, tags: ['team'], audit: 'team.invite',
    summary: 'Invite someone by email to a role; the single-use link is mailed and returned',
    body: inviteBody,
    response: invitedShape,
    status: 201,
    handler: async ({ app, principal, body, auditTarget }) => {
      const me = principal.type === 'session' ? principal.session.user : null;
      const by = { actor: principal.actor, role: principal.role, userId: me?.id ?? null, name: me?.name ?? 'Onehour' };
      const result = await app.team.invite(body, by);
      auditTarget('invitation', result.invitation.id, { email: body.email, role: body.role });
      return result;
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/team/invitations/:id', access: { permission: 'team.manage' }, tags: ['team'], audit: 'team.invitation_revoked',
    summary: 'Withdraw an open invitation',
    params: idParam,
    handler: async ({ app, principal, params, auditTarget }) => {
      await app.team.revokeInvitation(params.id, principal.actor);
      auditTarget('invitation', params.id);
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/team/members/:id', access: { permission: 'team.manage' }, tags: ['team'], audit: 'team.role_changed',
    summary: "Change a member's role (their sessions end so it applies at once)",
    params: idParam,
    body: roleBody,
    response: userShape,
    handler: async ({ app, principal, params, body, auditTarget }) => {
      auditTarget('user', params.id, { role: body.role });
      return app.team.changeRole(params.id, body.role, { actor: principal.actor, role: principal.role });
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/team/members/:id', access: { permission: 'team.manage' }, tags: ['team'], audit: 'team.member_removed',
    summary: 'Remove a member: their sessions and API keys end; their history stays',
    params: idParam,
    handler: async ({ app, principal, params, auditTarget }) => {
      const userId = principal.type === 'session' ? principal.userId : '';
      await app.team.removeUser(params.id, { actor: principal.actor, role: principal.role, userId });
      auditTarget('user', params.id);
    },
  }),

  // ---- API keys (owner only) ------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/api-keys', access: { permission: 'apikeys.manage' }, tags: ['api keys'],
    summary: 'API keys (the secret itself is shown only once, at creation)',
    response: apiKeysShape,
    handler: async ({ app }) => ({ apiKeys: await app.team.listApiKeys() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/api-keys', access: { permission: 'apikeys.manage' }, tags: ['api keys'], audit: 'apikey.created',
    summary: 'Create an API key that carries one role’s permissions',
    body: apiKeyBody,
    response: apiKeyCreatedShape,
    status: 201,
    handler: async ({ app, principal, body, auditTarget }) => {
      const created = await app.team.createApiKey(body, { actor: principal.actor, userId: principal.type === 'session' ? principal.userId : '' });
      auditTarget('apikey', created.apiKey.id, { name: body.name, role: body.role });
      return created;
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/api-keys/:id', access: { permission: 'apikeys.manage' }, tags: ['api keys'], audit: 'apikey.revoked',
    summary: 'Revoke an API key at once',
    params: idParam,
    handler: async ({ app, principal, params, auditTarget }) => {
      await app.team.revokeApiKey(params.id, principal.actor);
      auditTarget('apikey', params.id);
    },
  }),
];
