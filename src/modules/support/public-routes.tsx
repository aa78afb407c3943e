// Support's public pages: the customer's rating of a conversation (a signed link from the reply
// that closed it) and the site's contact block. No sign-in: the rating link's signature is the
// proof; both posts carry the signed form token (double submit) and are rate-limited per IP.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { sendPage } from '../../http/html.js';
import { issueFormToken, verifyFormToken } from '../../http/form-token.js';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Signer } from '../../crypto.js';
import type { SupportService } from './index.js';
import { LinkProblemPage } from '../../../web/public/audience/pages.js';
import { ContactProblemPage, ContactSentPage, RatingPage } from '../../../web/public/support/pages.js';
import { RATINGS } from './service.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface SupportPublicRouteDeps {
  clock: Clock;
  config: Config;
  signer: Signer;
  support: SupportService;
}
const defineRoute = routesFor<SupportPublicRouteDeps>();

const tokenParams = z.object({ token: z.string().min(10).max(400) });
const rating = z.enum(RATINGS);
const noNul = (s: string) => !s.includes('\u0000');
const ratingBody = z.object({
  rating,
  comment: z.string().max(2000, 'at most 2000 characters').refine(noNul, 'no NUL bytes').optional(),
  _csrf: z.string().optional(),
});
const contactBody = z.object({
  email: z.string().trim().max(320).regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'an email address such as you@example.com'),
  name: z.string().max(200).refine(noNul, 'no NUL bytes').optional(),
  subject: z.string().max(200).refine(noNul, 'no NUL bytes').optional(),
  message: z.string().trim().min(1, 'write a message').max(10_000, 'at most 10 000 characters').refine(noNul, 'no NUL bytes'),
  /** the honeypot: people never see it, bots fill it */
  website: z.string().max(500).optional(),
  _csrf: z.string().optional(),
});

/** The page the form was on (same site only), to link back to. */
function backTo(req: FastifyRequest, publicUrl: string): string {
  try {
    const ref = new URL(String(req.headers.referer ?? ''));
    if (ref.origin === new URL(publicUrl).origin) return ref.pathname;
  } catch {
    // no or a foreign referrer
  }
  return '/';
}

const badLink = (reply: Parameters<typeof sendPage>[0]) =>
  sendPage(reply, <LinkProblemPage title="This link does not work" message="This rating link is not valid or has expired. Reply to our email instead: we read every answer." />, 400);

export const supportPublicRoutes: AnyRoute<SupportPublicRouteDeps>[] = [
  defineRoute({
    method: 'GET', url: '/support/rate/:token', access: 'public', kind: 'page', summary: 'The rating page a closing reply links to (a rating preselected; the button records it)',
    params: tokenParams,
    query: z.object({ r: rating.optional().catch(undefined) }),
    handler: async ({ app, req, reply, params, query }) => {
      reply.header('referrer-policy', 'same-origin');
      let target;
      try {
        target = await app.support.ratingTarget(params.token);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'invalid_token') return badLink(reply);
        throw err;
      }
      const csrf = issueFormToken(req, reply, app.signer, app.config.secureCookies);
      return sendPage(reply, <RatingPage token={params.token} csrf={csrf} number={target.number} subject={target.subject} rating={query.r ?? target.rating} comment={target.comment ?? ''} />);
    },
  }),
  defineRoute({
    method: 'POST', url: '/support/rate/:token', access: 'public', kind: 'page', rateLimit: 'forms', audit: false, summary: 'Record the customer\'s rating (the last one counts)',
    params: tokenParams,
    body: ratingBody,
    handler: async ({ app, req, reply, params, body }) => {
      reply.header('referrer-policy', 'same-origin');
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      try {
        await app.support.rateByToken(params.token, body.rating, body.comment);
        const target = await app.support.ratingTarget(params.token);
        const csrf = issueFormToken(req, reply, app.signer, app.config.secureCookies);
        return sendPage(reply, <RatingPage token={params.token} csrf={csrf} number={target.number} subject={target.subject} rating={target.rating} comment={target.comment ?? ''} saved />);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'invalid_token') return badLink(reply);
        throw err;
      }
    },
  }),
  defineRoute({
    method: 'POST', url: '/support/contact', access: 'public', kind: 'page', rateLimit: 'forms', audit: false, summary: 'The site\'s contact block: a message becomes a conversation in the inbox',
    body: contactBody,
    handler: async ({ app, req, reply, body }) => {
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      const back = backTo(req, app.config.publicUrl);
      // A bot that filled the honeypot sees what a person would: nothing tells it it was caught.
      if (body.website && body.website.trim() !== '') return sendPage(reply, <ContactSentPage back={back} />);
      try {
        await app.support.contactFromSite({ email: body.email, name: body.name, subject: body.subject, message: body.message, page: back });
      } catch (err) {
        if (err instanceof DomainError && err.code === 'validation_failed') return sendPage(reply, <ContactProblemPage message={err.message} back={back} />, 400);
        throw err;
      }
      return sendPage(reply, <ContactSentPage back={back} />);
    },
  }),
];
