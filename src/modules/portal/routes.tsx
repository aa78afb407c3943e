// The customer portal: magic-link sign-in and the account page.
import { z } from 'zod';
import { sendPage } from '../../http/html.js';
import { issueFormToken, verifyFormToken } from '../../http/form-token.js';
import { CUSTOMER_COOKIE, routesFor, type AnyRoute } from '../../http/route.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Signer } from '../../crypto.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { PortalService } from './index.js';
import { DomainError } from '../../errors.js';
import { AccountPage, MagicLandingPage, SignInPage } from '../../../web/public/portal/pages.js';
import { safeNext } from './service.js';
import { SIGN_IN_REQUEST_JOB } from './jobs.js';
import { setCustomerCookie, type PortalSection } from '../../http/customer.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface PortalRouteDeps {
  clock: Clock;
  config: Config;
  jobs: JobQueue;
  portal: PortalService;
  signer: Signer;
}

/**
 * The portal's routes; `sections` are the account page's, contributed by the other modules. `S`
 * is what the sections read: the wiring passes the App, which must provide it too.
 */
export function portalRoutes<S>(sections: PortalSection<S>[]): AnyRoute<PortalRouteDeps & S>[] {
  const defineRoute = routesFor<PortalRouteDeps & S>();
  return [
    defineRoute({
      method: 'GET', url: '/account/sign-in', access: 'public', kind: 'page', summary: 'Customer sign-in (magic link) form',
      query: z.object({ next: z.string().max(500).optional() }),
      handler: async ({ app, req, reply, query }) =>
        sendPage(reply, <SignInPage csrf={issueFormToken(req, reply, app.signer, app.config.secureCookies)} next={safeNext(query.next)} />),
    }),
    defineRoute({
      method: 'POST', url: '/account/sign-in', access: 'public', kind: 'page', rateLimit: 'forms', summary: 'Mail a sign-in link',
      body: z.object({ email: z.string().trim().max(320), next: z.string().max(500).optional(), _csrf: z.string().optional() }),
      handler: async ({ app, req, reply, body }) => {
        verifyFormToken(req, app.signer, body._csrf, app.clock.now());
        const csrf = issueFormToken(req, reply, app.signer, app.config.secureCookies);
        const { isValidEmail } = await import('../audience/index.js');
        if (!isValidEmail(body.email)) {
          return sendPage(reply, <SignInPage csrf={csrf} next={safeNext(body.next)} email={body.email} error="Enter a valid email address, like name@example.com." />, 400);
        }
        // The lookup and the mail happen in a job: the answer says nothing, not even by its timing.
        await app.jobs.send(SIGN_IN_REQUEST_JOB, { email: body.email, ...(body.next ? { next: body.next } : {}) });
        return sendPage(reply, <SignInPage csrf={csrf} next={safeNext(body.next)} sent email={body.email} />);
      },
    }),
    defineRoute({
      method: 'GET', url: '/account/magic', access: 'public', kind: 'page', summary: 'Where a sign-in link lands',
      query: z.object({ token: z.string().max(200) }),
      handler: async ({ app, req, reply, query }) => {
        // The token must not leak to other sites; same-origin (not no-referrer) keeps the form's Origin header.
        reply.header('referrer-policy', 'same-origin');
        return sendPage(reply, <MagicLandingPage token={query.token} csrf={issueFormToken(req, reply, app.signer, app.config.secureCookies)} />);
      },
    }),
    defineRoute({
      method: 'POST', url: '/account/magic', access: 'public', kind: 'page', rateLimit: 'forms', summary: 'Spend a sign-in link and start a session',
      body: z.object({ token: z.string().max(200), _csrf: z.string().optional() }),
      handler: async ({ app, req, reply, body }) => {
        verifyFormToken(req, app.signer, body._csrf, app.clock.now());
        try {
          const { token, next } = await app.portal.consumeMagicLink(body.token, { ip: req.ip, userAgent: req.headers['user-agent'] });
          setCustomerCookie(app, reply, token);
          return reply.redirect(next, 303);
        } catch (err) {
          if (err instanceof DomainError && err.code === 'invalid_token') {
            const csrf = issueFormToken(req, reply, app.signer, app.config.secureCookies);
            return sendPage(reply, <SignInPage csrf={csrf} next="/account" error={err.message} />, 400);
          }
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'POST', url: '/account/sign-out', access: 'customer', kind: 'page', summary: 'Sign the customer out',
      body: z.object({ _csrf: z.string().optional() }),
      handler: async ({ app, reply, principal }) => {
        await app.portal.signOut(principal.session.sessionId);
        reply.clearCookie(CUSTOMER_COOKIE, { path: '/' });
        return reply.redirect('/account/sign-in', 303);
      },
    }),
    defineRoute({
      method: 'GET', url: '/account', access: 'customer', kind: 'page', summary: "The customer's account: purchases, downloads, courses",
      handler: async ({ app, req, reply, principal }) => {
        const shown = [];
        const query = req.query as Record<string, string | undefined>;
        for (const s of [...sections].sort((a, b) => a.order - b.order)) {
          const body = await s.render(app, principal.contactId, { csrf: principal.session.csrfToken, query });
          if (body) shown.push({ id: s.id, title: s.title, body });
        }
        const c = principal.session.contact;
        return sendPage(reply, <AccountPage name={c.name} email={c.email} csrf={principal.session.csrfToken} sections={shown} />);
      },
    }),
  ];
}
