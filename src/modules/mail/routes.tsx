// Mail routes: the admin API (broadcasts, outbox, suppressions, settings), the public
// unsubscribe and tracking endpoints, and the bounce/complaint webhooks. Each handler
// validates, calls the service, returns.
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Signer } from '../../crypto.js';
import type { Database, Db } from '../../db/client.js';
import type { AudienceService } from '../audience/index.js';
import type { MailService } from './index.js';
import type { Logger } from 'pino';
import { sendPage } from '../../http/html.js';
import { DomainError } from '../../errors.js';
import { safeEqual } from '../../crypto.js';
import { InvalidLinkPage, UnsubscribeConfirmPage, UnsubscribedPage } from '../../../web/public/mail/pages.js';
import { parseDsn, parseMailgun, parsePostmark, parseSendgrid, parseSes, verifyMailgun, verifyPostmark, verifySendgrid, verifySns } from './webhooks.js';
import { preferencesToken } from './tokens.js';
import { emailAddressSchema } from '../audience/index.js';
import {
  bouncePageShape,
  bounceQuery,
  broadcastDetailShape,
  broadcastInputShape as broadcastInput,
  broadcastListQuery,
  broadcastListShape,
  broadcastShape,
  linkListShape,
  mailSettingsShape as settingsShape,
  mailSettingsViewShape,
  messageShape,
  outboxQuery,
  outboxShape,
  previewShape,
  recipientPageShape,
  recipientQuery,
  scheduledShape,
  sendCheckQuery,
  sendCheckShape,
  sendLimitsShape,
  sendLimitsViewShape,
  suppressionListShape,
  suppressionQuery,
  testSendBody,
  testSentShape,
} from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface MailRouteDeps {
  audience: AudienceService;
  clock: Clock;
  config: Config;
  database: Database;
  db: Db;
  log: Logger;
  mail: MailService;
  signer: Signer;
}
const defineRoute = routesFor<MailRouteDeps>();

const idParam = z.object({ id: z.uuid() });

// A 1×1 transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A `rawBody: 'buffer'` route's body: the exact bytes received (signatures are computed over them). */
function bytesOf(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function jsonOf(req: FastifyRequest): unknown {
  try {
    return JSON.parse(bytesOf(req).toString('utf8') || 'null');
  } catch {
    throw new DomainError('validation_failed', 'The webhook body is not valid JSON');
  }
}

export const mailRoutes: AnyRoute<MailRouteDeps>[] = [
  // ---- outbox -------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/outbox', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'Messages Onehour sent or keeps in its outbox, newest first',
    query: outboxQuery,
    response: outboxShape,
    handler: async ({ app, query }) => ({ messages: await app.mail.listOutbox(query), outboxOnly: app.mail.outboxOnly }),
  }),
  defineRoute({
    method: 'GET', url: '/api/outbox/:id', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'One message with its text and HTML, for preview',
    params: idParam,
    response: messageShape,
    handler: async ({ app, params }) => {
      const m = await app.mail.getMessage(params.id);
      return { id: m.id, stream: m.stream, tag: m.tag, to: m.toAddress, from: m.fromAddress, subject: m.subject, status: m.status, createdAt: m.createdAt, sentAt: m.sentAt, text: m.text, html: m.html, error: m.error, headers: m.headers };
    },
  }),

  // ---- settings -----------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/mail/send-limits', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: "The marketing role's send limit: people per send and sends per 7 days (above it a send waits for the owner)",
    response: sendLimitsViewShape,
    handler: async ({ app }) => ({ ...(await app.mail.marketingSendLimits()), sendsThisWeek: await app.mail.marketingSendsThisWeek() }),
  }),
  defineRoute({
    method: 'PUT', url: '/api/mail/send-limits', access: { permission: 'mail.limits' }, tags: ['mail'], audit: 'mail.send_limits_changed',
    summary: "Set the marketing role's send limit (owner only)",
    body: sendLimitsShape,
    response: sendLimitsShape,
    handler: async ({ app, body, actor, auditTarget }) => {
      auditTarget('settings', 'mail.send_limits', body);
      return app.mail.setMarketingSendLimits(body, actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/mail/settings', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'Sender, footer postal address, tracking and sending rate; how mail leaves (SMTP or outbox, DKIM)',
    response: mailSettingsViewShape,
    handler: async ({ app }) => ({ ...(await app.mail.settings()), transport: app.mail.outboxOnly ? ('outbox' as const) : ('smtp' as const), dkimDomain: app.mail.dkimDomain }),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/mail/settings', access: { permission: 'settings.manage' }, tags: ['mail'], audit: 'mail.settings_changed',
    summary: 'Change the sender, postal address, tracking or sending rate',
    body: settingsShape.partial(),
    response: settingsShape,
    handler: async ({ app, body, auditTarget }) => {
      auditTarget('settings', 'mail', body);
      return app.mail.updateSettings(body);
    },
  }),

  // ---- broadcasts ---------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/broadcasts', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'Broadcasts, newest first',
    query: broadcastListQuery,
    response: broadcastListShape,
    handler: async ({ app, query }) => {
      const list = await app.mail.broadcasts.list(query);
      return { broadcasts: await Promise.all(list.map(async (b) => ({ ...b, preview: await app.mail.broadcasts.previewLine(b.id) }))) };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/broadcasts', access: { permission: 'mail.send' }, tags: ['mail'], status: 201, audit: 'broadcast.created',
    summary: 'Create a draft broadcast',
    body: broadcastInput,
    response: broadcastShape,
    handler: async ({ app, body, actor, auditTarget }) => {
      const b = await app.mail.broadcasts.create(body, actor);
      auditTarget('broadcast', b.id);
      return b;
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/broadcasts/preview', access: { permission: 'mail.read' }, tags: ['mail'], audit: false,
    summary: 'Render unsaved content as a sample contact would get it (desktop and mobile preview)',
    body: broadcastInput.partial().extend({ contactId: z.uuid().optional() }),
    response: previewShape,
    handler: async ({ app, body }) => app.mail.broadcasts.preview(null, { contactId: body.contactId, content: body }),
  }),
  defineRoute({
    method: 'GET', url: '/api/broadcasts/:id', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'One broadcast with its numbers',
    params: idParam,
    response: broadcastDetailShape,
    handler: async ({ app, params }) => ({ ...(await app.mail.broadcasts.get(params.id)), stats: await app.mail.broadcasts.stats(params.id) }),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/broadcasts/:id', access: { permission: 'mail.send' }, tags: ['mail'], audit: 'broadcast.updated',
    summary: 'Edit a draft or scheduled broadcast',
    params: idParam,
    body: broadcastInput.partial(),
    response: broadcastShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('broadcast', params.id);
      return app.mail.broadcasts.update(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/broadcasts/:id', access: { permission: 'mail.send' }, tags: ['mail'], audit: 'broadcast.deleted',
    summary: 'Delete a draft',
    params: idParam,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('broadcast', params.id);
      await app.mail.broadcasts.remove(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/broadcasts/:id/preview', access: { permission: 'mail.read' }, tags: ['mail'], audit: false,
    summary: 'Render the broadcast for one contact (or a sample person), optionally with unsaved changes',
    params: idParam,
    body: broadcastInput.partial().extend({ contactId: z.uuid().optional() }),
    response: previewShape,
    handler: async ({ app, params, body }) => app.mail.broadcasts.preview(params.id, { contactId: body.contactId, content: body }),
  }),
  defineRoute({
    method: 'POST', url: '/api/broadcasts/:id/test', access: { permission: 'mail.send' }, tags: ['mail'], audit: 'broadcast.test_sent',
    summary: 'Send the broadcast to up to 5 addresses now, marked [Test]',
    params: idParam,
    body: testSendBody,
    response: testSentShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('broadcast', params.id, { to: body.to });
      return { sent: await app.mail.broadcasts.testSend(params.id, body.to, actor, body.contactId) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/broadcasts/:id/send-check', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: "What sending this broadcast now would do for you: the people it reaches, your role's send limit and whether it is above it (then the send asks the owner first), and the request already waiting",
    params: idParam,
    query: sendCheckQuery,
    response: sendCheckShape,
    handler: async ({ app, params, query, actor }) =>
      app.mail.broadcasts.sendCheck(params.id, actor, query.listId || query.segmentId ? { listId: query.listId ?? null, segmentId: query.segmentId ?? null } : {}),
  }),
  defineRoute({
    method: 'POST', url: '/api/broadcasts/:id/schedule', access: { permission: 'mail.send' }, tags: ['mail'], audit: 'broadcast.scheduled',
    summary: 'Send now, or at a time; the audience is taken when sending starts',
    params: idParam,
    body: z.object({ at: z.coerce.date().nullable().optional() }),
    response: scheduledShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('broadcast', params.id, { at: body.at ?? 'now' });
      return app.mail.broadcasts.schedule(params.id, body.at ?? null, actor);
    },
  }),
  ...(['unschedule', 'pause', 'resume', 'cancel'] as const).map((action) =>
    defineRoute({
      method: 'POST', url: `/api/broadcasts/:id/${action}`, access: { permission: 'mail.send' }, tags: ['mail'], audit: `broadcast.${action}`,
      summary: { unschedule: 'Back to draft (before sending starts)', pause: 'Pause sending', resume: 'Resume sending', cancel: 'Stop for good; queued recipients get nothing' }[action],
      params: idParam,
      response: broadcastShape,
      handler: async ({ app, params, actor, auditTarget }) => {
        auditTarget('broadcast', params.id);
        return app.mail.broadcasts[action](params.id, actor);
      },
    }),
  ),
  defineRoute({
    method: 'GET', url: '/api/broadcasts/:id/links', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'Clicks per link',
    params: idParam,
    response: linkListShape,
    handler: async ({ app, params }) => ({ links: await app.mail.broadcasts.links(params.id) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/broadcasts/:id/recipients', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'Recipients and what happened to each message, in the order they were taken; filter by state or outcome and by address',
    params: idParam,
    query: recipientQuery,
    response: recipientPageShape,
    handler: async ({ app, params, query }) => app.mail.broadcasts.recipients(params.id, query),
  }),

  // ---- bounces and complaints ---------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/mail/bounces', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'Bounces and spam complaints received, newest first; filter by broadcast, kind and address',
    query: bounceQuery,
    response: bouncePageShape,
    handler: async ({ app, query }) => app.mail.bounces.listBounces(query),
  }),

  // ---- suppression list ---------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/mail/suppressions', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'Addresses that get no bulk mail (bounced, complained, or added by hand)',
    query: suppressionQuery,
    response: suppressionListShape,
    handler: async ({ app, query }) => ({ suppressions: await app.mail.bounces.listSuppressions(query) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/mail/suppressions', access: { permission: 'mail.send' }, tags: ['mail'], status: 204, audit: 'mail.suppressed',
    summary: 'Add an address to the suppression list',
    body: z.object({ email: emailAddressSchema.toLowerCase(), detail: z.string().max(300).default('') }),
    handler: async ({ app, body, actor, auditTarget }) => {
      auditTarget('email', body.email);
      await app.database.transaction((tx) => app.mail.bounces.suppressInTx(tx, body.email, 'manual', body.detail, actor, null));
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/mail/suppressions/:email', access: { permission: 'mail.send' }, tags: ['mail'], status: 204, audit: 'mail.unsuppressed',
    summary: 'Remove an address from the suppression list (its contact status is not changed)',
    params: z.object({ email: z.string().max(320) }),
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('email', params.email);
      if (!(await app.mail.bounces.unsuppress(params.email, actor))) throw new DomainError('not_found', 'That address is not on the suppression list');
    },
  }),

  // ---- public: unsubscribe and tracking -----------------------------------------------------
  defineRoute({
    method: 'GET', url: '/email/unsubscribe', access: 'public', kind: 'page',
    summary: 'Where the unsubscribe link lands: a confirm button (link scanners must not unsubscribe anyone)',
    query: z.object({ token: z.string().max(1000).default('') }),
    handler: async ({ app, reply, query }) => {
      const siteName = (await app.mail.settings()).businessName;
      reply.header('referrer-policy', 'no-referrer');
      let claim;
      try {
        claim = app.mail.tracking.readUnsubscribe(query.token);
      } catch (err) {
        if (err instanceof DomainError) return sendPage(reply, <InvalidLinkPage message={err.message} siteName={siteName} />, 400);
        throw err;
      }
      const contact = await app.audience.getContact(app.db, claim.c).catch(() => null);
      if (!contact) return sendPage(reply, <InvalidLinkPage message="This address is no longer on our lists." siteName={siteName} />, 404);
      const listName = claim.l ? await app.audience.findListName(app.db, claim.l) : null;
      return sendPage(
        reply,
        <UnsubscribeConfirmPage
          action={`/email/unsubscribe?token=${encodeURIComponent(query.token)}`}
          preferencesUrl={`/email/preferences?token=${encodeURIComponent(preferencesToken(app.signer, contact.id))}`}
          listName={listName}
          email={contact.email}
          siteName={siteName}
        />,
      );
    },
  }),
  defineRoute({
    method: 'POST', url: '/email/unsubscribe', access: 'public', kind: 'page',
    summary: 'Unsubscribe now: RFC 8058 one-click POST from mail apps (no cookies, no sign-in), or the confirm button',
    query: z.object({ token: z.string().max(1000).default('') }),
    handler: async ({ app, req, reply, query }) => {
      const siteName = (await app.mail.settings()).businessName;
      // Mail apps POST `List-Unsubscribe=One-Click`, urlencoded or multipart (RFC 8058); our
      // confirm page posts an empty form. The token in the URL is all either needs.
      const body = req.body as Record<string, unknown> | undefined;
      const oneClick = body?.['List-Unsubscribe'] === 'One-Click' || req.isMultipart();
      try {
        const out = await app.mail.tracking.unsubscribe(query.token, oneClick ? 'one-click' : 'confirm-page');
        return sendPage(reply, <UnsubscribedPage preferencesUrl={`/email/preferences?token=${encodeURIComponent(preferencesToken(app.signer, out.contactId))}`} listName={out.listName} siteName={siteName} />);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'invalid_token') return sendPage(reply, <InvalidLinkPage message={err.message} siteName={siteName} />, 400);
        throw err;
      }
    },
  }),
  defineRoute({
    method: 'GET', url: '/email/o/:token', access: 'public', kind: 'page',
    summary: 'Open pixel',
    params: z.object({ token: z.string().max(200) }),
    handler: async ({ app, params, reply }) => {
      await app.mail.tracking.recordOpen(params.token.replace(/\.gif$/, '')).catch((err) => app.log.warn({ err }, 'open not recorded'));
      return reply.type('image/gif').header('cache-control', 'no-store, private').send(PIXEL);
    },
  }),
  defineRoute({
    method: 'GET', url: '/email/c/:token', access: 'public', kind: 'page',
    summary: 'Click redirect: records the click and sends the person to the link',
    params: z.object({ token: z.string().max(200) }),
    handler: async ({ app, params, reply }) => {
      const url = await app.mail.tracking.recordClick(params.token);
      if (!url) throw new DomainError('not_found', 'This link is not valid');
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(url, 302);
    },
  }),

  // ---- webhooks: bounces and complaints -----------------------------------------------------
  defineRoute({
    method: 'POST', url: '/webhooks/mail/postmark', access: 'public', kind: 'webhook', summary: 'Postmark bounce and spam-complaint webhook (basic auth)',
    handler: async ({ app, req }) => {
      verifyPostmark(req.headers.authorization, app.config.mail.webhooks.postmarkAuth);
      return app.mail.recordBounces(parsePostmark((req.body ?? {}) as Record<string, unknown>));
    },
  }),
  defineRoute({
    method: 'POST', url: '/webhooks/mail/mailgun', access: 'public', kind: 'webhook', summary: 'Mailgun failed/complained webhook (HMAC signature)',
    handler: async ({ app, req }) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const signed = verifyMailgun(body, app.config.mail.webhooks.mailgunKey, app.clock.now());
      return app.mail.bounces.recordOnce('mailgun', signed, parseMailgun(body));
    },
  }),
  defineRoute({
    method: 'POST', url: '/webhooks/mail/sendgrid', access: 'public', kind: 'webhook', rawBody: 'buffer', summary: 'SendGrid event webhook (signed, ECDSA)',
    handler: async ({ app, req }) => {
      const h = req.headers;
      verifySendgrid(bytesOf(req), h['x-twilio-email-event-webhook-signature'] as string | undefined, h['x-twilio-email-event-webhook-timestamp'] as string | undefined, app.config.mail.webhooks.sendgridKey, app.clock.now());
      return app.mail.recordBounces(parseSendgrid(jsonOf(req)));
    },
  }),
  defineRoute({
    method: 'POST', url: '/webhooks/mail/ses', access: 'public', kind: 'webhook', rawBody: 'buffer', summary: 'Amazon SES bounce/complaint notifications through SNS (signature checked)',
    handler: async ({ app, req }) => {
      // SNS posts JSON as text/plain; the body is read as bytes whatever the content type says.
      const body = (jsonOf(req) ?? {}) as Record<string, string>;
      verifySns(body, app.config.mail.webhooks.snsCert, app.config.mail.webhooks.snsTopic);
      if (body.Type === 'SubscriptionConfirmation') {
        // Confirming means visiting SubscribeURL; the operator does it once (see docs/mail.md).
        app.log.warn({ subscribeUrl: body.SubscribeURL, topic: body.TopicArn }, 'Amazon SNS asks to confirm the subscription: open SubscribeURL once');
        return { recorded: 0, duplicates: 0, subscribeUrl: body.SubscribeURL };
      }
      return app.mail.recordBounces(parseSes(body));
    },
  }),
  defineRoute({
    method: 'POST', url: '/webhooks/mail/inbound', access: 'public', kind: 'webhook', rawBody: 'buffer',
    summary: 'Raw inbound mail for the bounce/unsubscribe mailbox: DSN bounces, ARF complaints, mailto unsubscribes (token required)',
    query: z.object({ token: z.string().max(200).optional() }),
    handler: async ({ app, req, query }) => {
      const expected = app.config.mail.webhooks.inboundToken;
      const given = (req.headers['x-onehour-token'] as string | undefined) ?? query.token ?? '';
      if (!expected) throw new DomainError('unavailable', 'Inbound mail is not configured (set MAIL_INBOUND_TOKEN)');
      if (!safeEqual(given, expected)) throw new DomainError('forbidden', 'Webhook refused: wrong token');
      return app.mail.ingestInbound(bytesOf(req).toString('utf8'));
    },
  }),
];
