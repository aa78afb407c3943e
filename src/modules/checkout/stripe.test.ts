// Stripe through the real SDK against a local server playing Stripe's side: Checkout
// Sessions, webhooks (signatures, duplicates, any order, outages), reconciliation, dunning,
// refunds, disputes and one-click upsells.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import { backends, createTestApp, OWNER, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { seedShop, type Shop } from '../../../test/support/shop.js';
import { openStripeShop } from '../../../test/support/stripe-shop.js';
import { FakeStripe, type StripeEventRecord } from '../../../test/support/fake-stripe.js';
import { accessGrants } from '../access/schema.js';
import { createRandom } from '../../demo/random.js';

async function deliver(t: TestApp, fake: FakeStripe, event: StripeEventRecord, opts: Parameters<FakeStripe['sign']>[1] = {}) {
  const { payload, header } = fake.sign(event, opts);
  return t.server.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload });
}

async function deliverAll(t: TestApp, fake: FakeStripe, events: StripeEventRecord[]) {
  for (const e of events) {
    const r = await deliver(t, fake, e);
    assert.equal(r.statusCode, 200, `${e.type}: ${r.body}`);
  }
}

/** Checkout form → order → Stripe session; returns the session id and order id. */
async function startStripeCheckout(t: TestApp, priceId: string, email: string, extra: { bump?: string[]; coupon?: string } = {}) {
  const b = new FormBrowser(t);
  const page = await b.go('GET', `/checkout/${priceId}`);
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /TEST MODE — no real money/, 'Stripe checkout is not labelled as the test provider');
  const res = await b.go('POST', `/checkout/${priceId}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email, name: 'S. Tripe', coupon: extra.coupon ?? '', bump: extra.bump ?? [], intent: 'pay' });
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  const location = String(res.headers.location);
  const sessionId = location.split('/').pop()!;
  const order = (await t.app.checkout.queries.findOrderBySession(t.app.db, 'stripe', sessionId))!;
  return { b, sessionId, orderId: order.id, location };
}

function shuffle<T>(items: T[], random: ReturnType<typeof createRandom>): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

for (const backend of backends()) {
  describe(`Stripe payments [${backend}]`, () => {
    let t: TestApp;
    let fake: FakeStripe;
    let shop: Shop;
    let owner: Client;
    const clock = new ManualClock(new Date());
    let close: () => Promise<void>;
    before(async () => {
      ({ t, fake, shop, owner, close } = await openStripeShop(backend, clock));
    });
    after(() => close());

    const grantsOf = (orderId: string, type = 'course') =>
      t.app.db.select().from(accessGrants).where(and(eq(accessGrants.sourceId, orderId), eq(accessGrants.resourceType, type), isNull(accessGrants.revokedAt)));

    it('creates a Checkout Session for the order under an idempotency key; the webhook fulfils it once', async () => {
      const { sessionId, orderId, location } = await startStripeCheckout(t, shop.prices.once, 'stripe1@example.com', { bump: [shop.bumpId] });
      assert.match(location, /^http:\/\/127\.0\.0\.1:\d+\/pay\/cs_test_/);
      const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions')!;
      assert.equal(create.idempotencyKey, `checkout-session:${orderId}`);
      assert.equal(create.body.metadata.orderId, orderId);
      assert.equal(create.body.customer_email, 'stripe1@example.com');
      assert.deepEqual(create.body.line_items.map((l: { price_data: { unit_amount: string } }) => Number(l.price_data.unit_amount)), [9900, 900]);
      assert.equal(create.body.payment_intent_data.setup_future_usage, 'off_session');

      const events = fake.completeSession(sessionId);
      await deliverAll(t, fake, events);
      const again = await deliver(t, fake, events.find((e) => e.type === 'checkout.session.completed')!);
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().duplicate, true);
      const order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      assert.equal(order.status, 'paid');
      assert.equal(order.amountPaid, 10800);
      assert.equal((await grantsOf(orderId)).length, 1);
      assert.equal((await grantsOf(orderId, 'download')).length, 1, 'the bump was delivered too');
      assert.equal((await t.app.mail.listOutbox({ to: 'stripe1@example.com' })).filter((m) => m.tag === 'checkout.receipt').length, 1);
    });

    it('refuses forged, altered and stale deliveries and changes nothing', async () => {
      const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.once, 'forger@example.com');
      // The attacker fabricates a "completed" event for an unpaid session.
      const forged = { ...fake.emit('checkout.session.completed', { ...fake.get(sessionId), status: 'complete', payment_status: 'paid' }) };
      fake.events.pop();
      const wrongSecret = await deliver(t, fake, forged, { secret: 'whsec_not_the_right_one' });
      const stale = await deliver(t, fake, forged, { timestamp: Math.floor(clock.now().getTime() / 1000) - 10 * 60 });
      const altered = await deliver(t, fake, forged, { tamper: true });
      const unsigned = await t.server.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(forged) });
      for (const r of [wrongSecret, stale, altered, unsigned]) {
        assert.equal(r.statusCode, 400, r.body);
        assert.equal(r.json().error.code, 'invalid_token');
      }
      assert.match(stale.json().error.message, /tolerance/i);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).status, 'pending');
      const { webhookEvents } = await import('./schema.js');
      assert.equal((await t.app.db.select().from(webhookEvents).where(eq(webhookEvents.id, forged.id))).length, 0, 'nothing recorded');
    });

    it('webhook torture: every event three times, shuffled, with outages and forgeries → one paid order and one grant per session', async () => {
      const random = createRandom(4242);
      const checkouts = [];
      for (const [i, price] of [shop.prices.once, shop.prices.once, shop.prices.monthly, shop.prices.plan, shop.prices.trial, shop.prices.once].entries()) {
        checkouts.push(await startStripeCheckout(t, price, `torture${i}@example.com`, i === 1 ? { bump: [shop.bumpId] } : {}));
      }
      const genuine: StripeEventRecord[] = [];
      for (const c of checkouts) genuine.push(...fake.completeSession(c.sessionId));
      // A session nobody paid, and forged events claiming otherwise.
      const unpaid = await startStripeCheckout(t, shop.prices.once, 'never-paid@example.com');
      const forgedEvents = genuine.slice(0, 6).map((e) => ({ ...structuredClone(e), id: `${e.id}_forged` }));
      const fakeCompletion = fake.emit('checkout.session.completed', { ...fake.get(unpaid.sessionId), status: 'complete', payment_status: 'paid' });
      fake.events.pop();

      type Delivery = { event: StripeEventRecord; first: boolean; forged?: 'secret' | 'stale' | 'tamper' };
      let queue: Delivery[] = shuffle(
        [
          ...genuine.flatMap((e) => [0, 1, 2].map((n) => ({ event: e, first: n === 0 }))),
          ...forgedEvents.map((e, i) => ({ event: e, first: false, forged: (['secret', 'stale', 'tamper'] as const)[i % 3] })),
          { event: fakeCompletion, first: false, forged: 'secret' as const },
          { event: fakeCompletion, first: false, forged: 'stale' as const },
        ],
        random,
      );
      const seenFirst = new Set<string>();
      let outages = 0;
      let rejected = 0;
      let rounds = 0;
      while (queue.length && rounds++ < 10) {
        const retry: Delivery[] = [];
        for (const d of queue) {
          if (d.forged) {
            const opts = d.forged === 'secret' ? { secret: 'whsec_wrong' } : d.forged === 'stale' ? { timestamp: Math.floor(clock.now().getTime() / 1000) - 3600 } : { tamper: true };
            const r = await deliver(t, fake, d.event, opts);
            assert.equal(r.statusCode, 400);
            rejected++;
            continue;
          }
          const firstDelivery = !seenFirst.has(d.event.id);
          seenFirst.add(d.event.id);
          // 20 % of first deliveries meet a Stripe outage while we re-read the object: we answer 503, Stripe retries.
          if (firstDelivery && random.chance(0.2)) fake.failNext(1);
          const r = await deliver(t, fake, d.event);
          if (r.statusCode === 503) {
            assert.match(r.json().error.message, /^Stripe could not be asked/, 'our words, not Stripe’s');
            outages++;
            retry.push({ event: d.event, first: false });
            continue;
          }
          assert.equal(r.statusCode, 200, `${d.event.type}: ${r.body}`);
        }
        queue = shuffle(retry, random);
      }
      assert.equal(queue.length, 0, 'every failed delivery succeeded on a retry');
      assert.ok(outages > 0, 'some deliveries met an outage');
      assert.equal(rejected, forgedEvents.length + 2);

      for (const c of checkouts) {
        const order = await t.app.checkout.queries.getOrder(t.app.db, c.orderId);
        assert.equal(order.status, 'paid', `order of ${c.sessionId}`);
        assert.equal((await grantsOf(c.orderId)).length, 1, 'exactly one course grant per session');
        const paidEvents = await t.app.events.list(t.app.db, { type: 'order.paid', subjectType: 'order', subjectId: c.orderId });
        assert.equal(paidEvents.length, 1, 'exactly one order.paid per session');
        const detail = await t.app.checkout.queries.orderDetail(t.app.db, c.orderId);
        assert.ok(detail.payments.length <= 1, 'at most one payment (a trial pays nothing today)');
        const receipts = (await t.app.mail.listOutbox({ to: order.email })).filter((m) => m.tag === 'checkout.receipt');
        assert.equal(receipts.length, 1, 'one receipt');
      }
      const subs = await t.app.checkout.queries.listSubscriptions(t.app.db, {});
      for (const c of checkouts.slice(2, 5)) assert.equal(subs.filter((s) => s.orderId === c.orderId).length, 1, 'one subscription per subscription checkout');
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, unpaid.orderId)).status, 'pending', 'forged completion changed nothing');
      assert.equal((await grantsOf(unpaid.orderId)).length, 0);
    });

    it('ten parallel identical submits create one Stripe session', async () => {
      const b = new FormBrowser(t);
      const page = await b.go('GET', `/checkout/${shop.prices.once}`);
      const form = { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email: 'parallel-stripe@example.com', name: '', coupon: '', intent: 'pay' };
      const before = fake.sessionCreates();
      const results = await Promise.all(Array.from({ length: 10 }, () => b.go('POST', `/checkout/${shop.prices.once}`, form)));
      assert.deepEqual(results.map((r) => r.statusCode), Array(10).fill(303));
      assert.equal(new Set(results.map((r) => r.headers.location)).size, 1);
      assert.equal(fake.sessionCreates() - before, 1, 'one Checkout Session at Stripe');
      assert.equal((await owner.get('/api/orders?q=parallel-stripe@example.com')).json().orders.length, 1);
    });

    it('a buyer back from Stripe before the webhook gets their order at once', async () => {
      const { b, sessionId, orderId } = await startStripeCheckout(t, shop.prices.once, 'fast-return@example.com');
      fake.completeSession(sessionId);
      const successUrl = fake.get(sessionId).success_url as string;
      const back = await b.go('GET', pathOf(successUrl));
      assert.equal(back.statusCode, 303, back.body.slice(0, 200));
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).paidVia, 'return');
      assert.ok(b.cookies.get('oh_customer'));
    });

    it('reconciliation repairs a missed webhook and reports it', async () => {
      const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.once, 'lost-webhook@example.com');
      const lostEvents = fake.completeSession(sessionId); // Stripe sent them; none arrived.
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).status, 'pending');
      const run = await owner.post('/api/checkout/reconciliation');
      assert.equal(run.statusCode, 200);
      assert.ok(run.json().repaired >= 1);
      const order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      assert.equal(order.status, 'paid');
      assert.equal(order.paidVia, 'reconciliation');
      assert.equal((await grantsOf(orderId)).length, 1);
      const runs = (await owner.get('/api/checkout/reconciliation')).json().runs;
      assert.ok(runs[0].repairs.some((r: { orderId: string; what: string }) => r.orderId === orderId && /paid/.test(r.what)));
      const activity = (await owner.get('/api/activity?type=checkout.reconciled')).json().events;
      assert.equal(activity[0].actorKind, 'system');
      // The late webhooks, when they do come, change nothing.
      for (const e of lostEvents) assert.equal((await deliver(t, fake, e)).statusCode, 200);
      assert.equal((await grantsOf(orderId)).length, 1);
      const second = await t.app.stripeSync!.reconcile();
      assert.equal(second.repairs.length, 0, 'nothing left to repair');
    });

    it('dunning: a failed renewal mails the customer, pauses access after the grace period, and recovery restores it', async () => {
      const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.monthly, 'dunning@example.com');
      await deliverAll(t, fake, fake.completeSession(sessionId, { card: 'fails_on_renewal' }));
      const sub = (await t.app.checkout.queries.findSubscription(t.app.db, { orderId }))!;
      assert.equal(sub.status, 'active');
      clock.advanceDays(30);
      const failed = fake.renew(sub.providerSubscriptionId!);
      await deliverAll(t, fake, failed);
      await deliverAll(t, fake, failed); // duplicates mail nothing more
      let now = (await t.app.checkout.queries.findSubscription(t.app.db, { orderId }))!;
      assert.equal(now.status, 'past_due');
      const mails = () => t.app.mail.listOutbox({ to: 'dunning@example.com' });
      assert.equal((await mails()).filter((m) => m.tag === 'checkout.dunning_failed').length, 1);
      const contactId = now.contactId;
      const invoiceId = fake.get(sub.providerSubscriptionId!).latest_invoice as string;
      clock.advanceDays(3);
      await deliverAll(t, fake, fake.retryInvoice(invoiceId, false));
      assert.equal((await mails()).filter((m) => m.tag === 'checkout.dunning_failed').length, 2);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, { type: 'course', id: shop.course.courseId }), true, 'access lasts through the grace period');
      clock.advanceDays(5);
      assert.equal(await t.app.checkout.billing.enforceGracePeriods(), 1);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, { type: 'course', id: shop.course.courseId }), false, 'paused after grace');
      assert.equal((await mails()).filter((m) => m.tag === 'checkout.dunning_paused').length, 1);
      fake.updateCard(sub.providerSubscriptionId!);
      await deliverAll(t, fake, fake.retryInvoice(invoiceId, true));
      now = (await t.app.checkout.queries.findSubscription(t.app.db, { orderId }))!;
      assert.equal(now.status, 'active');
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, { type: 'course', id: shop.course.courseId }), true, 'recovery restores access');
      assert.equal((await mails()).filter((m) => m.tag === 'checkout.dunning_recovered').length, 1);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountPaid, 3800);
    });

    it('a payment plan ends in full access and stops billing after its last instalment', async () => {
      const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.plan, 'plan@example.com');
      await deliverAll(t, fake, fake.completeSession(sessionId));
      const sub = (await t.app.checkout.queries.findSubscription(t.app.db, { orderId }))!;
      assert.equal(sub.kind, 'plan');
      for (let i = 0; i < 2; i++) {
        clock.advanceDays(30);
        await deliverAll(t, fake, fake.renew(sub.providerSubscriptionId!));
      }
      const done = (await t.app.checkout.queries.findSubscription(t.app.db, { orderId }))!;
      assert.equal(done.status, 'completed');
      assert.equal(done.instalmentsPaid, 3);
      assert.ok(fake.requests.some((r) => r.method === 'DELETE' && r.path === `/v1/subscriptions/${sub.providerSubscriptionId}`), 'billing stopped at Stripe');
      const ended = fake.events.filter((e) => e.type === 'customer.subscription.deleted' && e.data.object.id === sub.providerSubscriptionId);
      await deliverAll(t, fake, ended);
      assert.equal(await t.app.access.hasAccess(t.app.db, done.contactId, { type: 'course', id: shop.course.courseId }), true, 'a paid-off plan keeps access');
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountPaid, 10500);
    });

    it('refunds from the admin reach Stripe once; dashboard refunds and disputes come back through webhooks', async () => {
      await owner.login(OWNER.email, OWNER.password); // earlier tests moved the clock on by months
      const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.once, 'refunds@example.com');
      await deliverAll(t, fake, fake.completeSession(sessionId));
      const partial = await owner.post(`/api/orders/${orderId}/refunds`, { amount: 1900, reason: 'goodwill' });
      assert.equal(partial.statusCode, 201, partial.body);
      const refundCall = fake.requests.filter((r) => r.path === '/v1/refunds').at(-1)!;
      assert.equal(refundCall.idempotencyKey, `refund:${partial.json().refunds[0].id}`);
      assert.equal(refundCall.body.metadata.refundId, partial.json().refunds[0].id);
      // Stripe's own events about that refund are recognised, not counted again.
      await deliverAll(t, fake, fake.events.filter((e) => e.type === 'charge.refunded' || e.type === 'refund.created').slice(-2));
      let order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      assert.equal(order.amountRefunded, 1900);
      const pi = order.providerPaymentId!;
      await deliverAll(t, fake, fake.dashboardRefund(pi, 1000));
      order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      assert.equal(order.amountRefunded, 2900);
      assert.equal((await grantsOf(orderId)).length, 1, 'partial refunds keep access (revoke_on_full)');
      await deliverAll(t, fake, fake.dispute(pi));
      order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      assert.ok(order.disputedAt);
      assert.equal(order.disputeReason, 'fraudulent');
      const disputed = (await owner.get('/api/orders?disputed=1')).json().orders;
      assert.ok(disputed.some((o: { id: string }) => o.id === orderId));
      const rest = await owner.post(`/api/orders/${orderId}/refunds`, {});
      assert.equal(rest.statusCode, 201);
      assert.equal((await grantsOf(orderId)).length, 0, 'fully refunded: access revoked');
    });

    it('an upsell is one click, charged off-session to the saved card, once', async () => {
      const { b, sessionId, orderId } = await startStripeCheckout(t, shop.prices.once, 'upsell-stripe@example.com');
      await deliverAll(t, fake, fake.completeSession(sessionId));
      const back = await b.go('GET', pathOf(fake.get(sessionId).success_url));
      const offerPage = await b.go('GET', String(back.headers.location));
      assert.match(offerPage.body, /Kiln Workbook/);
      const action = /action="([^"]+\/accept[^"]*)"/.exec(offerPage.body)![1]!.replace(/&amp;/g, '&');
      const csrf = FormBrowser.csrf(offerPage.body);
      const [a1, a2] = await Promise.all([b.go('POST', action, { _csrf: csrf }), b.go('POST', action, { _csrf: csrf })]);
      assert.equal(a1.statusCode, 303);
      assert.equal(a2.statusCode, 303);
      const charges = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
      assert.equal(new Set(charges.map((c) => c.idempotencyKey)).size, 1, 'one idempotency key');
      assert.equal(charges[0]!.body.off_session, 'true');
      const child = (await t.app.checkout.queries.orderDetail(t.app.db, orderId)).upsells;
      assert.equal(child.length, 1);
      assert.equal(child[0]!.status, 'paid');
      await deliverAll(t, fake, fake.events.filter((e) => e.type === 'payment_intent.succeeded').slice(-1));
      assert.equal((await grantsOf(child[0]!.id, 'download')).length, 1);
    });
  });
}

describe('Stripe Tax pass-through', () => {
  it('asks Stripe to compute tax when STRIPE_TAX is on, and the order and receipt carry the tax charged', async () => {
    const clock = new ManualClock(new Date());
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    const fake = new FakeStripe(() => clock.now());
    await fake.start();
    const t = await createTestApp('pglite', {
      clock,
      config: { FILES_DIR: filesDir, STRIPE_SECRET_KEY: 'sk_test_onehour', STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_URL: fake.url, STRIPE_MAX_NETWORK_RETRIES: '0', STRIPE_TAX: 'true' },
    });
    try {
      await setupOwner(t);
      const shop = await seedShop(t);
      const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.once, 'taxed@example.com');
      const create = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions')!;
      assert.equal(String(create.body.automatic_tax?.enabled), 'true');
      assert.equal(create.body.billing_address_collection, 'required', 'Stripe Tax needs the address');
      await deliverAll(t, fake, fake.completeSession(sessionId));
      const order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      assert.equal(order.status, 'paid');
      assert.equal(order.tax, 990, 'the tax Stripe charged is kept on the order');
      assert.equal(order.amountPaid, 9900 + 990);
      const receipt = (await t.app.mail.listOutbox({ to: 'taxed@example.com' })).find((m) => m.tag === 'checkout.receipt')!;
      assert.match((await t.app.mail.getMessage(receipt.id)).text, /Tax: \$9\.90/);
    } finally {
      await t.close();
      await fake.stop();
      fs.rmSync(filesDir, { recursive: true, force: true });
    }
  });
});
