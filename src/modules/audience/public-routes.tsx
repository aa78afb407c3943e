// Public audience pages: hosted opt-in forms (/f/<slug>), the embed endpoint other sites post
// to, double opt-in confirmation, lead-magnet downloads, and the email preference page.
import fs from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { sendPage } from '../../http/html.js';
import { issueFormToken, verifyFormToken } from '../../http/form-token.js';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Signer } from '../../crypto.js';
import type { AudienceService } from './index.js';
import {
  ConfirmLandingPage,
  ConfirmedPage,
  LinkProblemPage,
  OptInPage,
  OptInResultPage,
  PreferencesPage,
  toPublicForm,
  type FormValues,
  type PublicForm,
} from '../../../web/public/audience/pages.js';
import { FormInputError, type Form } from './forms.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface AudiencePublicRouteDeps {
  audience: AudienceService;
  clock: Clock;
  config: Config;
  signer: Signer;
}
const defineRoute = routesFor<AudiencePublicRouteDeps>();

const slugParams = z.object({ slug: z.string().max(80) });
/** Form posts: known fields plus field_<key> custom fields. */
const submission = z
  .object({ email: z.string().max(320).default(''), name: z.string().max(200).optional(), website: z.string().max(500).optional(), _csrf: z.string().optional() })
  .catchall(z.union([z.string().max(2000), z.array(z.string().max(2000))]));
const tokenQuery = z.object({ token: z.string().max(400).default('') });

function publicForm(f: Form): PublicForm {
  return toPublicForm(f);
}

function valuesOf(body: z.infer<typeof submission>): FormValues & { email: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith('field_') && typeof v === 'string') fields[k.slice(6)] = v;
  }
  return { email: body.email.trim(), name: typeof body.name === 'string' ? body.name : undefined, fields };
}

function meta(req: FastifyRequest) {
  return { ip: req.ip, userAgent: req.headers['user-agent'] };
}

/** Runs a submission and renders the answer: the result page, or the form with the problem marked. */
async function handleSubmission(app: AudiencePublicRouteDeps, req: FastifyRequest, reply: FastifyReply, form: Form, body: z.infer<typeof submission>) {
  const values = valuesOf(body);
  try {
    const result = await app.audience.forms.submit(form, { email: values.email, name: values.name, fields: values.fields, honeypot: body.website }, meta(req));
    // A bot that filled the honeypot sees what a person would: nothing tells it it was caught.
    const outcome = result.outcome === 'ignored' ? (form.doubleOptIn ? 'confirm_sent' : 'subscribed') : result.outcome;
    return sendPage(reply, <OptInResultPage form={publicForm(form)} outcome={outcome} email={values.email} leadMagnetUrl={result.outcome === 'subscribed' ? result.leadMagnetUrl : null} />);
  } catch (err) {
    if (err instanceof FormInputError) {
      const csrf = issueFormToken(req, reply, app.signer, app.config.secureCookies);
      return sendPage(reply, <OptInPage form={publicForm(form)} csrf={csrf} url={app.audience.forms.hostedUrl(form)} values={values} errors={{ [err.field]: err.message }} />, 400);
    }
    throw err;
  }
}

function linkProblem(reply: FastifyReply, title: string, message: string) {
  return sendPage(reply, <LinkProblemPage title={title} message={message} />, 400);
}

/** The live form at a slug, or null when there is none (never was, or archived). */
async function liveForm(app: AudiencePublicRouteDeps, slug: string): Promise<Form | null> {
  try {
    return await app.audience.forms.bySlug(slug);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not_found') return null;
    throw err;
  }
}

function formGone(reply: FastifyReply) {
  return sendPage(reply, <LinkProblemPage title="This sign-up form is no longer available" message="This sign-up form is no longer available. It may have closed, or moved." action={<p><a href="/">Go to the store</a></p>} />, 404);
}

function checkedLists(value: string | string[] | undefined): string[] {
  return (Array.isArray(value) ? value : value ? [value] : []).filter((v) => /^[0-9a-f-]{36}$/i.test(v));
}

export const audiencePublicRoutes: AnyRoute<AudiencePublicRouteDeps>[] = [
  defineRoute({
    method: 'GET', url: '/f/confirm', access: 'public', kind: 'page', summary: 'Where a double opt-in confirmation link lands',
    query: tokenQuery,
    handler: async ({ app, req, reply, query }) => {
      // The token must not leak to other sites; same-origin (not no-referrer) keeps the Origin
      // header on the confirmation post, which the cross-site check needs.
      reply.header('referrer-policy', 'same-origin');
      let title: string;
      try {
        const { formId } = app.audience.forms.parseConfirmToken(query.token);
        title = (await app.audience.forms.get(formId)).title;
      } catch (err) {
        if (err instanceof DomainError) return linkProblem(reply, 'This link does not work any more', 'This confirmation link has expired or is not valid. Sign up again to get a new one.');
        throw err;
      }
      return sendPage(reply, <ConfirmLandingPage token={query.token} title={title} csrf={issueFormToken(req, reply, app.signer, app.config.secureCookies)} />);
    },
  }),
  defineRoute({
    method: 'POST', url: '/f/confirm', access: 'public', kind: 'page', rateLimit: 'forms', summary: 'Confirm a subscription (double opt-in)',
    body: z.object({ token: z.string().max(400), _csrf: z.string().optional() }),
    handler: async ({ app, req, reply, body }) => {
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      try {
        const r = await app.audience.forms.confirm(body.token, meta(req));
        return sendPage(reply, <ConfirmedPage form={publicForm(r.form)} already={r.already} leadMagnetUrl={r.leadMagnetUrl} />);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'invalid_token') return linkProblem(reply, 'This link does not work any more', err.message);
        throw err;
      }
    },
  }),
  defineRoute({
    method: 'GET', url: '/f/:slug', access: 'public', kind: 'page', summary: 'A hosted opt-in form',
    params: slugParams,
    handler: async ({ app, req, reply, params }) => {
      const form = await liveForm(app, params.slug);
      if (!form) return formGone(reply);
      const csrf = issueFormToken(req, reply, app.signer, app.config.secureCookies);
      return sendPage(reply, <OptInPage form={publicForm(form)} csrf={csrf} url={app.audience.forms.hostedUrl(form)} />);
    },
  }),
  defineRoute({
    method: 'POST', url: '/f/:slug', access: 'public', kind: 'page', rateLimit: 'forms', summary: 'Submit a hosted opt-in form',
    params: slugParams,
    body: submission,
    handler: async ({ app, req, reply, params, body }) => {
      const form = await liveForm(app, params.slug);
      // A page opened before its form was archived: the visitor reads why, not a bare 404.
      if (!form) return formGone(reply);
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      return handleSubmission(app, req, reply, form, body);
    },
  }),
  defineRoute({
    method: 'POST', url: '/f/:slug/embed', access: 'public', kind: 'page', rateLimit: 'forms', crossOrigin: true,
    summary: 'Submissions from the embeddable form snippet on other sites (honeypot and rate limit; no session involved)',
    params: slugParams,
    body: submission,
    handler: async ({ app, req, reply, params, body }) => {
      const form = await app.audience.forms.bySlug(params.slug);
      if (!form.embedAllowed) throw new DomainError('forbidden', 'This form only accepts sign-ups on its own page');
      return handleSubmission(app, req, reply, form, body);
    },
  }),
  defineRoute({
    method: 'GET', url: '/f/:slug/download', access: 'public', kind: 'page', summary: 'Download a lead magnet (signed, expiring link)',
    params: slugParams,
    query: tokenQuery,
    handler: async ({ app, reply, params, query }) => {
      reply.header('referrer-policy', 'no-referrer');
      let file;
      try {
        file = await app.audience.forms.openLeadMagnet(params.slug, query.token);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'invalid_token') return linkProblem(reply, 'This download link has expired', err.message);
        throw err;
      }
      reply.header('content-type', file.type);
      reply.header('content-length', String(file.size));
      reply.header('content-disposition', `attachment; filename="${file.name.replace(/"/g, '')}"`);
      reply.header('cache-control', 'private, no-store');
      return reply.send(fs.createReadStream(file.path));
    },
  }),
  defineRoute({
    method: 'GET', url: '/email/preferences', access: 'public', kind: 'page', summary: 'Email preferences: leave some lists, or everything (signed link from every email)',
    query: tokenQuery.extend({ saved: z.enum(['save', 'unsubscribe_all', 'resubscribe']).optional() }),
    handler: async ({ app, req, reply, query }) => {
      reply.header('referrer-policy', 'same-origin');
      const contactId = app.audience.contactIdFromPreferencesToken(query.token);
      const prefs = contactId ? await app.audience.preferencesFor(contactId).catch(() => null) : null;
      if (!prefs) return linkProblem(reply, 'This link does not work', 'This preferences link is not valid. Use the link at the bottom of our most recent email.');
      return sendPage(reply, <PreferencesPage token={query.token} csrf={issueFormToken(req, reply, app.signer, app.config.secureCookies)} prefs={prefs} saved={query.saved} />);
    },
  }),
  defineRoute({
    method: 'POST', url: '/email/preferences', access: 'public', kind: 'page', rateLimit: 'forms', summary: 'Save email preferences',
    body: z.object({
      token: z.string().max(400),
      _csrf: z.string().optional(),
      action: z.enum(['save', 'unsubscribe_all', 'resubscribe']).default('save'),
      list: z.union([z.string(), z.array(z.string())]).optional(),
    }),
    handler: async ({ app, req, reply, body }) => {
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      const contactId = app.audience.contactIdFromPreferencesToken(body.token);
      if (!contactId) return linkProblem(reply, 'This link does not work', 'This preferences link is not valid. Use the link at the bottom of our most recent email.');
      const current = await app.audience.preferencesFor(contactId);
      await app.audience.updatePreferences(
        contactId,
        {
          // Resubscribing keeps the lists as they were ticked before leaving.
          listIds: body.action === 'resubscribe' ? current.lists.map((l) => l.id) : checkedLists(body.list),
          unsubscribeAll: body.action === 'unsubscribe_all',
          resubscribe: body.action === 'resubscribe',
        },
        { via: 'preferences', ...meta(req) },
      );
      // Post/redirect/get: a reload does not post again.
      return reply.redirect(`/email/preferences?token=${encodeURIComponent(body.token)}&saved=${body.action}`, 303);
    },
  }),
  defineRoute({
    method: 'POST', url: '/account/email-preferences', access: 'customer', kind: 'page', summary: "Save a signed-in customer's email preferences",
    body: z.object({
      _csrf: z.string().optional(),
      action: z.enum(['save', 'unsubscribe_all', 'resubscribe']).default('save'),
      list: z.union([z.string(), z.array(z.string())]).optional(),
    }),
    handler: async ({ app, req, reply, body, principal }) => {
      const current = await app.audience.preferencesFor(principal.contactId);
      await app.audience.updatePreferences(
        principal.contactId,
        {
          listIds: body.action === 'resubscribe' ? current.lists.map((l) => l.id) : checkedLists(body.list),
          unsubscribeAll: body.action === 'unsubscribe_all',
          resubscribe: body.action === 'resubscribe',
        },
        { via: 'account', ...meta(req) },
      );
      return reply.redirect(`/account?email=${body.action}#s-email-preferences`, 303);
    },
  }),
];
