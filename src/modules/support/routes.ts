// The support inbox's routes: the inbox (support.read / support.reply), actions from a
// conversation (support.act, limited per role by the owner's settings), settings and canned
// replies (support.settings: owner), and the provider webhooks (each verified, public).
import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { routesFor, type AnyRoute, type Principal } from '../../http/route.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { TeamService } from '../team/index.js';
import type { SupportService } from './index.js';
import type { Logger } from 'pino';
import { DomainError } from '../../errors.js';
import { verifySns } from '../mail/index.js';
import { parseInbound } from './inbound.js';
import { formFields, mailgunAuth, postmarkToRaw, sendgridAuth, sesInbound, verifyBasicAuth, verifyMailgunInbound, type PostmarkInbound } from './providers.js';
import { supportSettingsSchema } from './settings.js';
import { supportPublicRoutes, type SupportPublicRouteDeps } from './public-routes.js';
import { actionTakenShape, cannedListShape, cannedShape, cannedTextShape, conversationListQuery, conversationListShape, conversationShape, conversationStatus, figuresShape, presenceShape, settingsShape, threadShape } from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface SupportRouteDeps extends SupportPublicRouteDeps {
  clock: Clock;
  config: Config;
  log: Logger;
  support: SupportService;
  team: TeamService;
}
const defineRoute = routesFor<SupportRouteDeps>();

const tags = ['support'];
const read = { permission: 'support.read' } as const;
const write = { permission: 'support.reply' } as const;
const idParam = z.object({ id: z.uuid() });
const intakeShape = z.object({ outcome: z.enum(['stored', 'duplicate', 'dropped_loop', 'ignored']), conversationId: z.string().nullable() });

function userOf(principal: Principal): string {
  if (principal.type !== 'session') throw new DomainError('forbidden', 'Sign in as a team member for this (API keys have no inbox of their own)');
  return principal.userId;
}

function bytesOf(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

const actionBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('refund'), orderId: z.uuid(), amount: z.number().int().min(1).max(100_000_000).optional(), reason: z.string().trim().min(1).max(1000), urgent: z.boolean().optional() }),
  z.object({ kind: z.literal('resend_receipt'), orderId: z.uuid(), reason: z.string().trim().max(1000).default('customer asked'), urgent: z.boolean().optional() }),
  z.object({ kind: z.literal('sign_in_link'), reason: z.string().trim().max(1000).default('customer asked'), urgent: z.boolean().optional() }),
  z.object({ kind: z.literal('extend_access'), courseId: z.uuid(), days: z.number().int().min(1).max(3650), reason: z.string().trim().min(1).max(1000), urgent: z.boolean().optional() }),
]);

export const supportRoutes: AnyRoute<SupportRouteDeps>[] = [
  // the rating page and the site's contact block (public)
  ...supportPublicRoutes,

  // ---- the inbox ----------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/support/conversations', access: read, tags,
    summary: 'Conversations, newest activity first: filter by status and assignee (me, unassigned, or a member id)',
    query: conversationListQuery,
    response: conversationListShape,
    handler: async ({ app, query, principal }) =>
      app.support.list({ status: query.status, assignee: query.assignee === 'me' ? userOf(principal) : query.assignee, contactId: query.contactId, search: query.q, before: query.cursor, limit: query.limit }),
  }),
  defineRoute({
    method: 'GET', url: '/api/support/conversations/:id', access: read, tags,
    summary: 'A conversation with its messages (delivery state of replies, attachments, authentication) and actions',
    params: idParam,
    response: threadShape,
    handler: async ({ app, params }) => app.support.thread(params.id),
  }),
  defineRoute({
    method: 'GET', url: '/api/support/conversations/:id/context', access: read, tags,
    summary: 'The customer beside the thread: orders, subscriptions, courses and progress, emails, earlier conversations, recent events',
    params: idParam,
    handler: async ({ app, params }) => app.support.context(params.id),
  }),
  defineRoute({
    method: 'POST', url: '/api/support/conversations/:id/reply', access: write, tags, audit: 'support.replied',
    summary: 'Reply by email (threaded). Name the last message you saw: if another landed since, the answer is 409 with the new messages unless confirm is true',
    params: idParam,
    body: z.object({
      text: z.string().max(100_000),
      lastSeenMessageId: z.uuid().nullable().optional(),
      confirm: z.boolean().optional(),
      status: conversationStatus.optional(),
      snoozedUntil: z.coerce.date().optional(),
    }),
    status: 201,
    response: z.object({ messageId: z.string() }),
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('support_conversation', params.id);
      const m = await app.support.reply(params.id, body, actor);
      return { messageId: m.id };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/support/conversations/:id/notes', access: write, tags, audit: 'support.note_added', status: 201,
    summary: 'An internal note (never sent); @name mentions a team member, who is mailed',
    params: idParam,
    body: z.object({ text: z.string().max(20_000) }),
    response: z.object({ messageId: z.string(), mentions: z.array(z.string()) }),
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('support_conversation', params.id);
      const m = await app.support.note(params.id, body.text, actor);
      return { messageId: m.id, mentions: m.mentions };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/support/conversations/:id/status', access: write, tags, audit: 'support.status_changed',
    summary: 'Open, pending, snoozed (until a time; a customer reply opens it sooner) or closed',
    params: idParam,
    body: z.object({ status: conversationStatus, snoozedUntil: z.coerce.date().optional() }),
    response: conversationShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('support_conversation', params.id, { status: body.status });
      return app.support.setStatus(params.id, body.status, actor, body.snoozedUntil);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/support/conversations/:id/assign', access: write, tags, audit: 'support.assigned',
    summary: 'Assign to a team member ("me"), or unassign (null)',
    params: idParam,
    body: z.object({ assigneeId: z.union([z.uuid(), z.literal('me'), z.null()]) }),
    response: conversationShape,
    handler: async ({ app, params, body, actor, principal, auditTarget }) => {
      auditTarget('support_conversation', params.id);
      return app.support.assign(params.id, body.assigneeId === 'me' ? userOf(principal) : body.assigneeId, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/support/conversations/:id/merge', access: write, tags, audit: 'support.merged',
    summary: 'Merge this conversation into another of the same customer',
    params: idParam,
    body: z.object({ into: z.uuid() }),
    response: conversationShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('support_conversation', params.id, { into: body.into });
      return app.support.merge(params.id, body.into, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/support/conversations/:id/split', access: write, tags, audit: 'support.split', status: 201,
    summary: 'Move a message and every later one into a new conversation',
    params: idParam,
    body: z.object({ messageId: z.uuid() }),
    response: conversationShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('support_conversation', params.id);
      return app.support.split(params.id, body.messageId, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/support/conversations/:id/presence', access: read, tags, audit: false,
    summary: 'Collision guard: say you are viewing (or typing); answers who else is, and the latest message id',
    params: idParam,
    body: z.object({ typing: z.boolean().default(false) }),
    response: presenceShape,
    handler: async ({ app, params, body, principal }) => {
      const user = await app.team.getUser(userOf(principal));
      return app.support.presence(params.id, { id: user.id, name: user.name }, body.typing);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/support/conversations/:id/canned/:cannedId', access: write, tags,
    summary: 'A canned reply filled in for this customer (Liquid: contact, last_order, courses)',
    params: z.object({ id: z.uuid(), cannedId: z.uuid() }),
    response: cannedTextShape,
    handler: async ({ app, params }) => ({ text: await app.support.renderCanned(params.id, params.cannedId) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/support/conversations/:id/actions', access: { permission: 'support.act' }, tags, audit: 'support.action', status: 201,
    summary: 'Refund, resend a receipt or sign-in link, or extend course access: within your role\'s limits it is done, above them it becomes an approval request for the owner',
    params: idParam,
    body: actionBody,
    response: actionTakenShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('support_conversation', params.id, { kind: body.kind });
      return app.support.act(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/support/attachments/:id', access: read, tags, kind: 'page',
    summary: 'Download an attachment (always as a download, never shown inline)',
    params: idParam,
    handler: async ({ app, params, reply }) => {
      const a = await app.support.attachment(params.id);
      reply
        .header('content-type', 'application/octet-stream')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', `attachment; filename="${a.filename.replace(/[^\w.\- ]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`);
      return reply.send(fs.createReadStream(a.file));
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/support/staff', access: read, tags,
    summary: 'Team members a conversation can be assigned to',
    response: z.object({ members: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })) }),
    handler: async ({ app }) => ({ members: (await app.team.listUsers()).filter((u) => ['owner', 'admin', 'support'].includes(u.role)).map((u) => ({ id: u.id, name: u.name, role: u.role })) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/support/figures', access: { permission: 'team.read' }, tags,
    summary: 'Per assistant: first response median and p90, resolution median (business minutes), handled, ratings',
    query: z.object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() }),
    response: figuresShape,
    handler: async ({ app, query }) => {
      const to = query.to ?? app.clock.now();
      const from = query.from ?? new Date(to.getTime() - 30 * 86_400_000);
      return { assistants: await app.support.figures({ from, to }) };
    },
  }),

  // ---- settings and canned replies ------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/support/settings', access: read, tags,
    summary: 'Intake address, threading windows, SLAs and each role\'s limits',
    response: settingsShape,
    handler: async ({ app }) => app.support.settings(),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/support/settings', access: { permission: 'support.settings' }, tags, audit: 'support.settings_changed',
    summary: 'Change the support settings (owner)',
    body: supportSettingsSchema.partial(),
    response: settingsShape,
    handler: async ({ app, body, actor }) => app.support.updateSettings(body, actor),
  }),
  defineRoute({
    method: 'GET', url: '/api/support/canned', access: read, tags,
    summary: 'Canned replies',
    response: cannedListShape,
    handler: async ({ app }) => ({ replies: await app.support.listCanned() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/support/canned', access: { permission: 'support.settings' }, tags, audit: 'support.canned_reply_saved', status: 201,
    summary: 'Add a canned reply (Liquid; no file tags)',
    body: z.object({ shortcut: z.string().trim().min(1).max(40).regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes'), title: z.string().trim().min(1).max(200), body: z.string().min(1).max(20_000) }),
    response: cannedShape,
    handler: async ({ app, body, actor }) => app.support.saveCanned(body, actor),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/support/canned/:id', access: { permission: 'support.settings' }, tags, audit: 'support.canned_reply_saved',
    summary: 'Change a canned reply',
    params: idParam,
    body: z.object({ shortcut: z.string().trim().min(1).max(40).regex(/^[a-z0-9-]+$/), title: z.string().trim().min(1).max(200), body: z.string().min(1).max(20_000) }),
    response: cannedShape,
    handler: async ({ app, params, body, actor }) => app.support.saveCanned({ ...body, id: params.id }, actor),
  }),
  defineRoute({
    method: 'DELETE', url: '/api/support/canned/:id', access: { permission: 'support.settings' }, tags, audit: 'support.canned_reply_deleted',
    summary: 'Remove a canned reply',
    params: idParam,
    handler: async ({ app, params }) => void (await app.support.deleteCanned(params.id)),
  }),

  // ---- inbound mail webhooks ----------------------------------------------------------------
  defineRoute({
    method: 'POST', url: '/webhooks/support/postmark', access: 'public', kind: 'webhook', rawBody: 'buffer', bodyLimit: 40 * 1_048_576,
    summary: 'Postmark inbound mail (basic auth in the webhook URL)', response: intakeShape,
    handler: async ({ app, req }) => {
      verifyBasicAuth(req.headers.authorization, app.config.support.postmarkAuth, 'Postmark', 'SUPPORT_POSTMARK_AUTH');
      let body: PostmarkInbound;
      try {
        body = JSON.parse(bytesOf(req).toString('utf8'));
      } catch {
        throw new DomainError('validation_failed', 'The webhook body is not valid JSON');
      }
      if (!body || typeof body !== 'object') throw new DomainError('validation_failed', 'The webhook body is not a Postmark message');
      const { raw, auth } = await postmarkToRaw(body);
      const to = [body.OriginalRecipient, ...(body.ToFull ?? []).map((t) => t.Email)].filter((x): x is string => typeof x === 'string');
      return app.support.ingest(await parseInbound(raw, { envelopeTo: to, auth }), 'postmark');
    },
  }),
  defineRoute({
    method: 'POST', url: '/webhooks/support/mailgun', access: 'public', kind: 'webhook', rawBody: 'buffer', bodyLimit: 40 * 1_048_576,
    summary: 'Mailgun inbound mail: a route forwarding to this URL ending in "mime" (HMAC signature, single-use token) — multipart', response: intakeShape,
    handler: async ({ app, req }) => {
      const fields = await formFields(bytesOf(req), req.headers['content-type']);
      const signed = verifyMailgunInbound(fields, app.config.support.mailgunKey ?? app.config.mail.webhooks.mailgunKey, app.clock.now());
      if (!fields['body-mime']) throw new DomainError('validation_failed', 'No body-mime field: forward to a URL ending in "mime" so Mailgun posts the raw message');
      if (!(await app.support.spendWebhookToken(signed.token, signed.expiresAt))) throw new DomainError('forbidden', 'Webhook refused: this signature was already used');
      const msg = await parseInbound(Buffer.from(fields['body-mime'], 'utf8'), { envelopeTo: fields.recipient ? fields.recipient.split(',') : [], auth: mailgunAuth(fields) });
      return app.support.ingest(msg, 'mailgun');
    },
  }),
  defineRoute({
    method: 'POST', url: '/webhooks/support/ses', access: 'public', kind: 'webhook', rawBody: 'buffer', bodyLimit: 40 * 1_048_576,
    summary: 'Amazon SES inbound mail through an SNS action (the SNS signature is checked)', response: intakeShape.extend({ subscribeUrl: z.string().optional() }),
    handler: async ({ app, req }) => {
      let body: Record<string, string>;
      try {
        body = JSON.parse(bytesOf(req).toString('utf8'));
      } catch {
        throw new DomainError('validation_failed', 'The webhook body is not valid JSON');
      }
      verifySns(body, app.config.mail.webhooks.snsCert, app.config.support.snsTopic ?? app.config.mail.webhooks.snsTopic);
      if (body.Type === 'SubscriptionConfirmation') {
        app.log.warn({ subscribeUrl: body.SubscribeURL, topic: body.TopicArn }, 'Amazon SNS asks to confirm the support inbox subscription: open SubscribeURL once');
        return { outcome: 'ignored' as const, conversationId: null, subscribeUrl: body.SubscribeURL };
      }
      const got = body.Type === 'Notification' ? sesInbound(body.Message ?? '') : null;
      if (!got) return { outcome: 'ignored' as const, conversationId: null };
      return app.support.ingest(await parseInbound(got.raw, { envelopeTo: got.recipients, auth: got.auth }), 'ses');
    },
  }),
  defineRoute({
    method: 'POST', url: '/webhooks/support/sendgrid', access: 'public', kind: 'webhook', rawBody: 'buffer', bodyLimit: 40 * 1_048_576,
    summary: 'SendGrid Inbound Parse, raw MIME option on (basic auth in the URL) — multipart', response: intakeShape,
    handler: async ({ app, req }) => {
      verifyBasicAuth(req.headers.authorization, app.config.support.sendgridAuth, 'SendGrid', 'SUPPORT_SENDGRID_AUTH');
      const fields = await formFields(bytesOf(req), req.headers['content-type']);
      if (!fields.email) throw new DomainError('validation_failed', 'No email field: turn on "POST the raw, full MIME message" in Inbound Parse');
      let envelopeTo: string[] = [];
      try {
        envelopeTo = (JSON.parse(fields.envelope ?? '{}') as { to?: string[] }).to ?? [];
      } catch {
        envelopeTo = [];
      }
      return app.support.ingest(await parseInbound(Buffer.from(fields.email, 'utf8'), { envelopeTo, auth: sendgridAuth(fields) }), 'sendgrid');
    },
  }),
];
