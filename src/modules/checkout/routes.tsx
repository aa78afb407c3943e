// Checkout pages, the test provider's pages, the Stripe webhook, downloads, the customer's
// receipt and billing pages, and the admin API for orders, customers and subscriptions.
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { sendPage } from '../../http/html.js';
import { issueFormToken, verifyFormToken } from '../../http/form-token.js';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Signer } from '../../crypto.js';
import type { Db } from '../../db/client.js';
import type { CatalogService } from '../catalog/index.js';
import type { CheckoutService, StripeSync, TestProvider } from './index.js';
import { randomToken } from '../../crypto.js';
import { isValidEmail } from '../audience/index.js';
import { setCustomerCookie } from '../../http/customer.js';
import { describePrice, formatMoney } from '../catalog/index.js';
import {
  BillingPage,
  CheckoutPage,
  ProcessingPage,
  ReceiptPage,
  TestAuthenticatePage,
  TestPaymentPage,
  ThankYouPage,
  UpsellPage,
  UpsellPendingPage,
  type CheckoutPageProps,
} from '../../../web/public/checkout/pages.js';
import { TEST_CARDS } from './test-provider.js';
import { itemsSummary, statusTextOf, summaryOf } from './views.js';
import {
  checkoutStatusShape,
  customerDetailShape,
  customerListQuery,
  customerListShape,
  orderDetailShape,
  orderListQuery,
  orderListShape,
  reconcileResultShape,
  reconciliationRunsShape,
  refundBody,
  refundRetryShape,
  refundsShape,
  subscriptionListQuery,
  subscriptionListShape,
} from './contract.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface CheckoutRouteDeps {
  catalog: CatalogService;
  checkout: CheckoutService;
  clock: Clock;
  config: Config;
  db: Db;
  signer: Signer;
  stripeSync: StripeSync | null;
  testPayments: TestProvider | null;
}
const defineRoute = routesFor<CheckoutRouteDeps>();

const cards = TEST_CARDS.map((c) => ({ number: c.number, label: c.label }));
const listOf = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((x) => /^[0-9a-f-]{36}$/i.test(x)));

const checkoutForm = z.object({
  _csrf: z.string().optional(),
  key: z.string().regex(/^[\w-]{16,64}$/, 'This form is incomplete; reload the page'),
  email: z.string().trim().max(320).default(''),
  name: z.string().trim().max(120).default(''),
  coupon: z.string().trim().max(40).default(''),
  bump: listOf,
  intent: z.enum(['apply', 'pay']).default('pay'),
});

const tokenQuery = z.object({ t: z.string().max(300).optional() });

function formToken(app: CheckoutRouteDeps, req: FastifyRequest, reply: FastifyReply) {
  return issueFormToken(req, reply, app.signer, app.config.secureCookies);
}

/** Builds the checkout page for a price and the visitor's current choices. */
async function renderCheckout(
  app: CheckoutRouteDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  priceId: string,
  form: { email: string; name: string; coupon: string; key: string; bump: string[] },
  extra: Partial<Pick<CheckoutPageProps, 'error' | 'cancelled'>> & { status?: number } = {},
) {
  const offer = await app.checkout.checkoutOffer(priceId);
  let couponError: string | undefined;
  let quote;
  try {
    quote = await app.checkout.quote(priceId, { couponCode: form.coupon, bumpOfferIds: form.bump });
  } catch (err) {
    if (!(err instanceof DomainError) || (err.details as { field?: string } | undefined)?.field !== 'coupon') throw err;
    couponError = err.message;
    quote = await app.checkout.quote(priceId, { bumpOfferIds: form.bump });
  }
  const props: CheckoutPageProps = {
    testBanner: app.checkout.testBanner,
    priceId,
    productName: offer.product.name,
    productSummary: offer.product.summary,
    summary: summaryOf(quote.lines, { subtotal: quote.subtotal, discount: quote.discount, total: quote.total, currency: quote.currency, couponCode: quote.coupon?.code ?? null }),
    bumps: offer.bumps.map((b) => ({ id: b.id, headline: b.headline, body: b.body, priceText: formatMoney(b.amount ?? b.price.amount, b.price.currency), checked: form.bump.includes(b.id) })),
    form: { email: form.email, name: form.name, coupon: form.coupon, key: form.key, csrf: formToken(app, req, reply) },
    couponError,
    couponApplied: Boolean(form.coupon && !couponError && quote.coupon),
    ...extra,
  };
  reply.header('cache-control', 'no-store');
  return sendPage(reply, <CheckoutPage {...props} />, extra.status ?? (couponError ? 400 : 200));
}

/** The one-click offer page after a payment (again with the error when accepting it failed: 402). */
function sendUpsell(
  app: CheckoutRouteDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  order: { id: string; number: number; email: string },
  offer: Awaited<ReturnType<CheckoutRouteDeps['catalog']['getOffer']>>,
  token: string | undefined,
  error?: string,
) {
  const t = encodeURIComponent(token ?? '');
  return sendPage(
    reply,
    <UpsellPage
      testBanner={app.checkout.testBanner}
      orderNumber={order.number}
      email={order.email}
      action={`/checkout/offer/${order.id}/${offer.id}/accept?t=${t}`}
      declineAction={`/checkout/offer/${order.id}/${offer.id}/decline?t=${t}`}
      csrf={formToken(app, req, reply)}
      headline={offer.headline}
      body={offer.body}
      productName={offer.offerProduct.name}
      priceText={formatMoney(offer.amount ?? offer.price.amount, offer.price.currency)}
      error={error}
    />,
    error ? 402 : 200,
  );
}

function testProvider(app: CheckoutRouteDeps) {
  if (!app.testPayments) throw new DomainError('not_found', 'The test payment provider is not in use here');
  return app.testPayments;
}

async function thankYouTarget(app: CheckoutRouteDeps, orderId: string): Promise<string> {
  const order = await app.checkout.queries.getOrder(app.db, orderId);
  const t = app.checkout.orderToken(order.id);
  const declined = await app.checkout.declinedUpsells(order.id);
  const upsell = await app.checkout.nextUpsell(order);
  if (upsell && !declined.includes(upsell.id)) return `/checkout/offer/${order.id}/${upsell.id}?t=${t}`;
  return `/checkout/thank-you/${order.id}?t=${t}`;
}

export const checkoutRoutes: AnyRoute<CheckoutRouteDeps>[] = [
  // ---- the checkout page ------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/checkout/:priceId', access: 'public', kind: 'page', summary: 'Checkout for one price: coupon, order bumps, email',
    params: z.object({ priceId: z.uuid() }),
    query: z.object({ coupon: z.string().max(40).optional(), cancelled: z.string().optional() }),
    handler: async ({ app, req, reply, params, query }) =>
      renderCheckout(app, req, reply, params.priceId, { email: '', name: '', coupon: query.coupon ?? '', key: randomToken(24), bump: [] }, { cancelled: query.cancelled !== undefined }),
  }),
  defineRoute({
    method: 'POST', url: '/checkout/:priceId', access: 'public', kind: 'page', rateLimit: 'forms',
    summary: 'Apply a coupon / add-ons, or place the order and go to payment',
    params: z.object({ priceId: z.uuid() }),
    body: checkoutForm,
    handler: async ({ app, req, reply, params, body }) => {
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      const form = { email: body.email, name: body.name, coupon: body.coupon, key: body.key, bump: body.bump };
      if (body.intent === 'apply') return renderCheckout(app, req, reply, params.priceId, form);
      if (!isValidEmail(body.email)) return renderCheckout(app, req, reply, params.priceId, form, { error: 'Enter a valid email address, like name@example.com.', status: 400 });
      try {
        const { redirectUrl } = await app.checkout.startCheckout({
          priceId: params.priceId,
          email: body.email,
          name: body.name,
          couponCode: body.coupon,
          bumpOfferIds: body.bump,
          checkoutKey: body.key,
          meta: { ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: String(req.headers['user-agent']).slice(0, 200) } : {}) },
        });
        return reply.redirect(redirectUrl, 303);
      } catch (err) {
        if (err instanceof DomainError && (err.code === 'validation_failed' || err.code === 'unavailable' || err.code === 'precondition_failed')) {
          return renderCheckout(app, req, reply, params.priceId, form, { error: err.message, status: err.code === 'unavailable' ? 503 : 400 });
        }
        throw err;
      }
    },
  }),

  // ---- after paying: return, upsell, thank-you -------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/checkout/complete/:orderId', access: 'public', kind: 'page', summary: 'Where the payment page returns the buyer',
    params: z.object({ orderId: z.uuid() }),
    query: tokenQuery,
    handler: async ({ app, req, reply, params, query }) => {
      reply.header('referrer-policy', 'same-origin').header('cache-control', 'no-store');
      let order = await app.checkout.orderFromToken(params.orderId, query.t);
      // Do not wait for the webhook: ask Stripe now (the webhook then finds the work done).
      if (order.status === 'pending' && order.provider === 'stripe' && order.providerSessionId && app.stripeSync) {
        await app.stripeSync.syncSession(order.providerSessionId, 'return').catch((err) => req.log.warn({ err }, 'could not confirm the session on return'));
        order = await app.checkout.queries.getOrder(app.db, order.id);
      }
      if (order.status !== 'paid') return sendPage(reply, <ProcessingPage testBanner={app.checkout.testBanner} />, 202);
      const { token } = await app.checkout.signInBuyerOnce(order, { ip: req.ip, userAgent: req.headers['user-agent'] });
      if (token) setCustomerCookie(app, reply, token);
      return reply.redirect(await thankYouTarget(app, order.id), 303);
    },
  }),
  defineRoute({
    method: 'GET', url: '/checkout/offer/:orderId/:offerId', access: 'public', kind: 'page', summary: 'A one-click offer after paying',
    params: z.object({ orderId: z.uuid(), offerId: z.uuid() }),
    query: tokenQuery,
    handler: async ({ app, req, reply, params, query }) => {
      reply.header('referrer-policy', 'same-origin').header('cache-control', 'no-store');
      const order = await app.checkout.orderFromToken(params.orderId, query.t);
      const offer = await app.catalog.getOffer(app.db, params.offerId);
      const upsell = await app.checkout.nextUpsell(order);
      if (!upsell || upsell.id !== offer.id) return reply.redirect(await thankYouTarget(app, order.id), 303);
      return sendUpsell(app, req, reply, order, offer, query.t);
    },
  }),
  defineRoute({
    method: 'POST', url: '/checkout/offer/:orderId/:offerId/accept', access: 'public', kind: 'page', rateLimit: 'forms',
    summary: 'Accept the offer: one click, charged to the card just used',
    params: z.object({ orderId: z.uuid(), offerId: z.uuid() }),
    query: tokenQuery,
    body: z.object({ _csrf: z.string().optional() }),
    handler: async ({ app, req, reply, params, query, body }) => {
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      const order = await app.checkout.orderFromToken(params.orderId, query.t);
      const result = await app.checkout.acceptUpsell(order.id, params.offerId);
      if (result.result === 'paid') return reply.redirect(`/checkout/thank-you/${order.id}?t=${encodeURIComponent(query.t ?? '')}`, 303);
      const offer = await app.catalog.getOffer(app.db, params.offerId);
      if (result.result === 'pending') {
        const t = encodeURIComponent(query.t ?? '');
        return sendPage(
          reply,
          <UpsellPendingPage
            testBanner={app.checkout.testBanner}
            orderNumber={order.number}
            email={order.email}
            productName={offer.offerProduct.name}
            priceText={formatMoney(result.order.total, result.order.currency)}
            checkAction={`/checkout/offer/${order.id}/${offer.id}/accept?t=${t}`}
            continueHref={`/checkout/thank-you/${order.id}?t=${t}`}
            csrf={formToken(app, req, reply)}
          />,
          202,
        );
      }
      return sendUpsell(app, req, reply, order, offer, query.t, `${result.message ?? 'The payment did not go through.'} Nothing was charged.`);
    },
  }),
  defineRoute({
    method: 'POST', url: '/checkout/offer/:orderId/:offerId/decline', access: 'public', kind: 'page',
    summary: 'Decline the offer and go on to the order',
    params: z.object({ orderId: z.uuid(), offerId: z.uuid() }),
    query: tokenQuery,
    body: z.object({ _csrf: z.string().optional() }),
    handler: async ({ app, req, reply, params, query, body }) => {
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      const order = await app.checkout.orderFromToken(params.orderId, query.t);
      await app.checkout.declineUpsell(order.id, params.offerId);
      return reply.redirect(await thankYouTarget(app, order.id), 303);
    },
  }),
  defineRoute({
    method: 'GET', url: '/checkout/thank-you/:orderId', access: 'public', kind: 'page', summary: 'Thank you: what was bought and where to find it',
    params: z.object({ orderId: z.uuid() }),
    query: tokenQuery,
    handler: async ({ app, req, reply, params, query }) => {
      reply.header('referrer-policy', 'same-origin').header('cache-control', 'no-store');
      const order = await app.checkout.orderFromToken(params.orderId, query.t);
      if (order.status !== 'paid') return reply.redirect(`/checkout/complete/${order.id}?t=${encodeURIComponent(query.t ?? '')}`, 303);
      const detail = await app.checkout.queries.orderDetail(app.db, order.id);
      const extras = [];
      for (const u of detail.upsells.filter((x) => x.status === 'paid')) {
        const items = await app.checkout.queries.itemsOf(app.db, u.id);
        extras.push({ number: u.number, name: items.map((i) => i.name).join(', '), priceText: formatMoney(u.total, order.currency) });
      }
      const signedIn = Boolean(req.cookies.oh_customer);
      // An address that had an account before this checkout is opened only through its mailbox.
      const linkSent = !order.contactCreated && order.kind === 'checkout';
      return sendPage(
        reply,
        <ThankYouPage
          testBanner={app.checkout.testBanner}
          orderNumber={order.number}
          email={order.email}
          summary={itemsSummary(detail.items, order)}
          paidText={formatMoney(order.amountPaid, order.currency)}
          extras={extras}
          signedIn={signedIn}
          linkSent={linkSent}
        />,
      );
    },
  }),

  // ---- the built-in test provider --------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/test-checkout/:sessionId', access: 'public', kind: 'page', summary: 'Test provider: the payment page (test cards)',
    params: z.object({ sessionId: z.string().regex(/^tps_[\w-]{10,40}$/) }),
    handler: async ({ app, req, reply, params }) => {
      const session = await testProvider(app).getSession(params.sessionId);
      if (session.status === 'complete') return reply.redirect(session.successUrl, 303);
      return sendPage(reply, <TestPaymentPage {...testPageProps(session)} csrf={formToken(app, req, reply)} error={session.expiresAt <= app.clock.now() ? 'This payment page has expired. Start again from the product page.' : undefined} />);
    },
  }),
  defineRoute({
    method: 'POST', url: '/test-checkout/:sessionId', access: 'public', kind: 'page', rateLimit: 'forms', summary: 'Test provider: pay with a test card',
    params: z.object({ sessionId: z.string().regex(/^tps_[\w-]{10,40}$/) }),
    body: z.object({ _csrf: z.string().optional(), card: z.string().max(40).default(''), exp: z.string().max(10).optional(), cvc: z.string().max(6).optional() }),
    handler: async ({ app, req, reply, params, body }) => {
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      const provider = testProvider(app);
      const result = await provider.pay(params.sessionId, body.card);
      const session = await provider.getSession(params.sessionId);
      if (result.outcome === 'paid') return reply.redirect(result.redirectUrl, 303);
      if (result.outcome === 'authenticate') return sendPage(reply, <TestAuthenticatePage sessionId={session.id} orderNumber={session.orderNumber} csrf={formToken(app, req, reply)} />);
      if (result.outcome === 'closed' && result.redirectUrl) return reply.redirect(result.redirectUrl, 303);
      return sendPage(reply, <TestPaymentPage {...testPageProps(session)} csrf={formToken(app, req, reply)} error={result.message} />, 402);
    },
  }),
  defineRoute({
    method: 'POST', url: '/test-checkout/:sessionId/authenticate', access: 'public', kind: 'page', rateLimit: 'forms', summary: 'Test provider: the 3-D Secure step',
    params: z.object({ sessionId: z.string().regex(/^tps_[\w-]{10,40}$/) }),
    body: z.object({ _csrf: z.string().optional(), result: z.enum(['approve', 'fail']) }),
    handler: async ({ app, req, reply, params, body }) => {
      verifyFormToken(req, app.signer, body._csrf, app.clock.now());
      const provider = testProvider(app);
      const result = await provider.authenticate(params.sessionId, body.result === 'approve');
      if (result.outcome === 'paid') return reply.redirect(result.redirectUrl, 303);
      if (result.outcome === 'closed' && result.redirectUrl) return reply.redirect(result.redirectUrl, 303);
      const session = await provider.getSession(params.sessionId);
      return sendPage(reply, <TestPaymentPage {...testPageProps(session)} csrf={formToken(app, req, reply)} error={result.outcome === 'authenticate' ? undefined : result.message} />, 402);
    },
  }),

  // ---- Stripe webhooks ---------------------------------------------------------------------------------
  defineRoute({
    method: 'POST', url: '/webhooks/stripe', access: 'public', kind: 'webhook', rawBody: 'buffer', bodyLimit: 1024 * 1024,
    summary: 'Stripe events: signature-checked, deduplicated, applied by re-reading the object from Stripe',
    handler: async ({ app, req }) => {
      if (!app.stripeSync) throw new DomainError('not_found', 'Stripe is not configured');
      const sig = req.headers['stripe-signature'];
      return app.stripeSync.handleWebhook(req.body as Buffer, typeof sig === 'string' ? sig : undefined);
    },
  }),

  // ---- downloads ------------------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/downloads/:fileId', access: 'public', kind: 'page', summary: 'A download, through a signed link that expires',
    params: z.object({ fileId: z.uuid() }),
    query: z.object({ t: z.string().max(400).default('') }),
    handler: async ({ app, reply, params, query }) => {
      const { file, contactId } = await app.checkout.resolveDownload(params.fileId, query.t);
      const opened = await app.catalog.storage.open(file.storageKey);
      if (!opened) throw new DomainError('not_found', 'This file is missing. Please contact us.');
      await app.checkout.recordDownload(contactId, file.id, file.productId);
      reply
        .header('content-type', file.contentType)
        .header('content-length', String(opened.size))
        .header('content-disposition', `attachment; filename="${file.name.replace(/[^\w. -]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer');
      return reply.send(opened.stream);
    },
  }),

  // ---- the customer's receipts and billing -------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/account/orders/:id', access: 'customer', kind: 'page', summary: 'A receipt (the customer’s own orders only)',
    params: z.object({ id: z.uuid() }),
    handler: async ({ app, reply, params, principal }) => {
      const { order, items, refunds } = await app.checkout.queries.orderOf(principal.contactId, params.id);
      return sendPage(
        reply,
        <ReceiptPage
          orderNumber={order.number}
          paidAt={order.paidAt?.toISOString().slice(0, 10) ?? ''}
          email={order.email}
          summary={itemsSummary(items, order)}
          paidText={formatMoney(order.amountPaid, order.currency)}
          refunds={refunds.map((r) => `${formatMoney(r.amount, r.currency)} on ${r.completedAt?.toISOString().slice(0, 10) ?? ''}`)}
          testMode={order.provider === 'test'}
        />,
      );
    },
  }),
  defineRoute({
    method: 'GET', url: '/account/billing/:id', access: 'customer', kind: 'page', summary: 'Update the payment method of a subscription',
    params: z.object({ id: z.uuid() }),
    handler: async ({ app, req, reply, params, principal }) => {
      const sub = await app.checkout.queries.subscriptionOf(principal.contactId, params.id);
      if (sub.provider === 'stripe') {
        const order = await app.checkout.queries.getOrder(app.db, sub.orderId);
        return reply.redirect(await app.checkout.provider.billingUrl({ customerId: order.providerCustomerId, subscriptionId: sub.id, returnUrl: `${app.config.publicUrl}/account` }), 303);
      }
      const product = await app.catalog.getProduct(app.db, sub.productId);
      return sendPage(reply, <BillingPage {...billingProps(sub, product.name)} csrf={principal.session.csrfToken} action={`/account/billing/${sub.id}`} cards={cards} />);
    },
  }),
  defineRoute({
    method: 'POST', url: '/account/billing/:id/cancel', access: 'customer', kind: 'page', summary: 'Cancel a subscription at the end of the paid period',
    params: z.object({ id: z.uuid() }),
    body: z.object({ _csrf: z.string().optional() }),
    handler: async ({ app, reply, params, principal }) => {
      await app.checkout.billing.cancelByCustomer(principal.contactId, params.id);
      return reply.redirect('/account', 303);
    },
  }),
  defineRoute({
    method: 'POST', url: '/account/billing/:id', access: 'customer', kind: 'page', summary: 'Test provider: save a new test card (and pay what is overdue)',
    params: z.object({ id: z.uuid() }),
    body: z.object({ _csrf: z.string().optional(), card: z.string().max(40).default('') }),
    handler: async ({ app, reply, params, body, principal }) => {
      const result = await testProvider(app).updateCard(principal.contactId, params.id, body.card);
      const sub = await app.checkout.queries.subscriptionOf(principal.contactId, params.id);
      const product = await app.catalog.getProduct(app.db, sub.productId);
      return sendPage(
        reply,
        <BillingPage {...billingProps(sub, product.name)} csrf={principal.session.csrfToken} action={`/account/billing/${sub.id}`} cards={cards} message={{ kind: result.ok ? 'success' : 'error', text: result.message }} />,
        result.ok ? 200 : 402,
      );
    },
  }),

  // ---- admin: orders, refunds, customers, subscriptions, reconciliation ---------------------------------------
  // (their request and response shapes are in contract.ts, shared with the admin)
  defineRoute({
    method: 'GET', url: '/api/orders', access: { permission: 'orders.read' }, tags: ['orders'],
    summary: 'Orders, newest first: search by email, name or #number; filter by status, product, dates, disputes',
    query: orderListQuery,
    response: orderListShape,
    handler: ({ app, query }) => app.checkout.queries.listOrders(app.db, { ...query, disputed: Boolean(query.disputed) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/orders/:id', access: { permission: 'orders.read' }, tags: ['orders'],
    summary: 'One order: items, payments, refunds, subscription, upsells, access it gave, its events',
    params: z.object({ id: z.uuid() }),
    response: orderDetailShape,
    handler: async ({ app, params }) => {
      const d = await app.checkout.queries.orderDetail(app.db, params.id);
      const pending = d.refunds.filter((r) => r.status === 'pending' || r.status === 'unknown').reduce((s, r) => s + r.amount, 0);
      return { ...d, refundable: d.order.status === 'paid' ? d.order.amountPaid - d.order.amountRefunded - pending : 0 };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/orders/:id/refunds', access: { permission: 'orders.refund' }, tags: ['orders'], audit: 'orders.refunded', status: 201,
    summary: 'Refund all (no amount) or part of an order; access is revoked as the product’s refund policy says. A refund whose outcome is unknown (no answer from Stripe) comes back with status "unknown"',
    params: z.object({ id: z.uuid() }),
    body: refundBody,
    response: refundsShape,
    handler: async ({ app, actor, principal, params, body, auditTarget }) => {
      const refunds = await app.checkout.refunds.refundOrder(params.id, body, { actor, role: principal.role });
      auditTarget('order', params.id, { amount: refunds.reduce((s, r) => s + r.amount, 0), reason: body.reason ?? '' });
      return { refunds };
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/orders/:id/refunds/:refundId/retry', access: { permission: 'orders.refund' }, tags: ['orders'], audit: 'orders.refund_checked',
    summary: 'Check again a refund whose outcome is unknown: read back from Stripe, or repeat the same request under the same idempotency key (never a second refund)',
    params: z.object({ id: z.uuid(), refundId: z.uuid() }),
    response: refundRetryShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      const refund = await app.checkout.refunds.retryRefund(params.id, params.refundId, actor);
      auditTarget('order', params.id, { refundId: params.refundId, status: refund.status });
      return { refund };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/customers', access: { permission: 'customers.read' }, tags: ['customers'],
    summary: 'Customers (contacts who bought), with orders and lifetime value, most recent first',
    query: customerListQuery,
    response: customerListShape,
    handler: async ({ app, query }) => ({ customers: await app.checkout.queries.listCustomers(app.db, query) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/customers/:id', access: { permission: 'customers.read' }, tags: ['customers'],
    summary: 'One customer: purchases, subscriptions, access, events, lifetime value',
    params: z.object({ id: z.uuid() }),
    response: customerDetailShape,
    handler: ({ app, params }) => app.checkout.queries.customerDetail(app.db, params.id),
  }),
  defineRoute({
    method: 'GET', url: '/api/subscriptions', access: { permission: 'orders.read' }, tags: ['orders'],
    summary: 'Subscriptions and payment plans (filter past_due / unpaid to see dunning)',
    query: subscriptionListQuery,
    response: subscriptionListShape,
    handler: async ({ app, query }) => ({ subscriptions: await app.checkout.queries.listSubscriptions(app.db, query) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/checkout/status', access: { permission: 'orders.read' }, tags: ['orders'],
    summary: 'Which payment provider takes the money, whether it is test mode, and the last reconciliation',
    response: checkoutStatusShape,
    handler: async ({ app }) => ({
      provider: app.checkout.provider.name,
      testMode: app.checkout.testMode,
      webhookConfigured: Boolean(app.config.stripe.webhookSecret),
      taxEnabled: app.config.stripe.tax,
      lastReconciliation: (await app.checkout.queries.reconciliationRuns(app.db, 1))[0] ?? null,
    }),
  }),
  defineRoute({
    method: 'GET', url: '/api/checkout/reconciliation', access: { permission: 'orders.read' }, tags: ['orders'],
    summary: 'Reconciliation runs: what each checked and what it repaired',
    response: reconciliationRunsShape,
    handler: async ({ app }) => ({ runs: await app.checkout.queries.reconciliationRuns(app.db, 50) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/checkout/reconciliation', access: { permission: 'settings.manage' }, tags: ['orders'], audit: 'checkout.reconcile_now',
    summary: 'Reconcile with Stripe now (it also runs every 15 minutes); what could not be applied is skipped and listed',
    response: reconcileResultShape,
    handler: async ({ app }) => {
      if (!app.stripeSync) return { checked: 0, repaired: 0, skipped: [] };
      const r = await app.stripeSync.reconcile();
      return { checked: r.checked, repaired: r.repairs.length, skipped: r.skipped };
    },
  }),
];

function testPageProps(session: Awaited<ReturnType<NonNullable<CheckoutRouteDeps['testPayments']>['getSession']>>) {
  return {
    sessionId: session.id,
    orderNumber: session.orderNumber,
    email: session.email,
    cancelUrl: session.cancelUrl,
    cards,
    summary: {
      lines: session.lines.map((l) => ({ name: l.name, amountText: formatMoney(l.amount, session.currency), recurring: l.recurring })),
      totalText: formatMoney(session.amount, session.currency),
    },
  };
}

function billingProps(sub: { status: string; amount: number; currency: string; currentPeriodEnd: Date; nextRetryAt: Date | null; interval: 'month' | 'year' }, productName: string) {
  const next =
    sub.status === 'past_due'
      ? `We try again on ${sub.nextRetryAt?.toISOString().slice(0, 10) ?? 'your next update'}.`
      : sub.status === 'unpaid'
        ? 'Your access is paused until the payment goes through.'
        : `Next payment: ${describePrice({ type: 'subscription', amount: sub.amount, currency: sub.currency, interval: sub.interval, trialDays: null, instalments: null })} on ${sub.currentPeriodEnd.toISOString().slice(0, 10)}.`;
  return { productName, statusText: statusTextOf(sub.status), nextText: next };
}
