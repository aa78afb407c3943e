// Stripe when things go wrong: answers lost after Stripe did the work, an object Stripe cannot
// give us, responses in an older API shape, our own database failing mid-webhook; and refunds
// through API keys held to their role's limits. The real SDK against test/support/fake-stripe.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import { addMember, backends, type Client, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser } from '../../../test/support/forms.js';
import { type Shop } from '../../../test/support/shop.js';
import { openStripeShop } from '../../../test/support/stripe-shop.js';
import { FakeStripe, type StripeEventRecord } from '../../../test/support/fake-stripe.js';
import { payments, subscriptions, webhookEvents } from './schema.js';

async function deliver(t: TestApp, fake: FakeStripe, event: StripeEventRecord) {
  const { payload, header } = fake.sign(event);
  return t.server.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload });
}

async function deliverAll(t: TestApp, fake: FakeStripe, events: StripeEventRecord[]) {
  for (const e of events) {
    const r = await deliver(t, fake, e);
    assert.equal(r.statusCode, 200, `${e.type}: ${r.body}`);
  }
}

/** Checkout form → order → Stripe session, as the buyer does it. */
async function startStripeCheckout(t: TestApp, priceId: string, email: string) {
  const b = new FormBrowser(t);
  const page = await b.go('GET', `/checkout/${priceId}`);
  const res = await b.go('POST', `/checkout/${priceId}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email, name: 'S. Tripe', coupon: '', bump: [], intent: 'pay' });
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  const sessionId = String(res.headers.location).split('/').pop()!;
  const order = (await t.app.checkout.queries.findOrderBySession(t.app.db, 'stripe', sessionId))!;
  return { sessionId, orderId: order.id };
}

/** A paid one-time order ($99), fulfilled through its webhooks. */
async function paidOrder(t: TestApp, fake: FakeStripe, shop: Shop, email: string) {
  const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.once, email);
  await deliverAll(t, fake, fake.completeSession(sessionId));
  const paymentIntent = fake.get(sessionId).payment_intent as string;
  return { sessionId, orderId, paymentIntent };
}

for (const backend of backends()) {
  describe(`Stripe faults and refund limits [${backend}]`, () => {
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

    const stripeRefundsOf = (paymentIntent: string) => fake.all('refund').filter((r) => r.payment_intent === paymentIntent);

    it('a support-role API key is held to the support refund limit, per order in total, and is recorded as a support assistant', async () => {
      const { orderId, paymentIntent } = await paidOrder(t, fake, shop, 'key-refunds@example.com');
      const created = await owner.post('/api/api-keys', { name: 'Helpdesk', role: 'support' });
      assert.equal(created.statusCode, 201, created.body);
      const viaKey = (body: object) =>
        t.server.inject({ method: 'POST', url: `/api/orders/${orderId}/refunds`, headers: { authorization: `Bearer ${created.json().key}` }, payload: body });

      const first = await viaKey({ amount: 3000, reason: 'late' });
      assert.equal(first.statusCode, 201, first.body);
      // $30 + $30 is over the $50 support limit for this order, though each is under it.
      const second = await viaKey({ amount: 3000, reason: 'late again' });
      assert.equal(second.statusCode, 403, second.body);
      assert.match(second.json().error.message, /Support can refund up to \$50 of an order in total \(\$30 already refunded\)/);
      // A support assistant signed in with a session meets the same total.
      const support = await addMember(t, owner, 'support', 'support-limits@example.com');
      assert.equal((await support.post(`/api/orders/${orderId}/refunds`, { amount: 2500 })).statusCode, 403);
      assert.equal((await support.post(`/api/orders/${orderId}/refunds`, { amount: 2000 })).statusCode, 201);
      assert.equal((await viaKey({ amount: 1 })).statusCode, 403, 'the order has had its $50 from support');
      assert.equal(stripeRefundsOf(paymentIntent).reduce((s, r) => s + r.amount, 0), 5000, 'Stripe refunded exactly the limit');
      // The owner is not limited.
      assert.equal((await owner.post(`/api/orders/${orderId}/refunds`, { amount: 4900 })).statusCode, 201);

      const detail = (await owner.get(`/api/orders/${orderId}`)).json();
      const refunded = detail.events.filter((e: { type: string }) => e.type === 'order.refunded');
      const byKey = refunded.find((e: { actorId: string }) => e.actorId?.startsWith('apikey:'));
      assert.ok(byKey, 'the key’s refund names the key');
      assert.equal(byKey.actorKind, 'assistant');
      assert.equal(byKey.actorRole, 'support');
      assert.ok(refunded.every((e: { actorKind: string }) => e.actorKind !== 'automation'), 'no refund is recorded as automation');
    });

    it('a refund whose answer was lost is "unknown", not failed; checking again makes no second refund', async () => {
      const { orderId, paymentIntent } = await paidOrder(t, fake, shop, 'lost-refund@example.com');
      fake.dropResponses(1, '/v1/refunds'); // Stripe refunds, the answer never arrives.
      const res = await owner.post(`/api/orders/${orderId}/refunds`, { amount: 1900, reason: 'goodwill' });
      assert.equal(res.statusCode, 201, res.body);
      const [refund] = res.json().refunds;
      assert.equal(refund.status, 'unknown');
      assert.equal(stripeRefundsOf(paymentIntent).length, 1);
      let detail = (await owner.get(`/api/orders/${orderId}`)).json();
      assert.equal(detail.refunds.find((r: { id: string }) => r.id === refund.id).status, 'unknown', 'the admin sees the unknown state');
      assert.equal(detail.refundable, 9900 - 1900, 'money that may have gone out is not refundable again');
      // Refunding "everything" now cannot take the $19 twice.
      assert.equal((await owner.post(`/api/orders/${orderId}/refunds`, { amount: 9900 })).statusCode, 400);

      const checked = await owner.post(`/api/orders/${orderId}/refunds/${refund.id}/retry`);
      assert.equal(checked.statusCode, 200, checked.body);
      assert.equal(checked.json().refund.status, 'succeeded');
      assert.equal(stripeRefundsOf(paymentIntent).length, 1, 'one admin intent, one refund at Stripe');
      detail = (await owner.get(`/api/orders/${orderId}`)).json();
      assert.equal(detail.order.amountRefunded, 1900);
      // Stripe's own webhooks about it change nothing.
      await deliverAll(t, fake, fake.events.filter((e) => e.type === 'charge.refunded' && e.data.object.payment_intent === paymentIntent));
      assert.equal((await owner.get(`/api/orders/${orderId}`)).json().order.amountRefunded, 1900);
    });

    it('a refund Stripe never received is retried by the job under the same key and byte-identical parameters', async () => {
      const { orderId, paymentIntent } = await paidOrder(t, fake, shop, 'outage-refund@example.com');
      fake.failNext(1); // a 500: nothing happened at Stripe, but we cannot know that
      const res = await owner.post(`/api/orders/${orderId}/refunds`, { amount: 2500 });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().refunds[0].status, 'unknown');
      assert.equal(stripeRefundsOf(paymentIntent).length, 0);
      clock.advance(60_000);
      const settled = await t.app.checkout.refunds.settleUnknownRefunds();
      assert.ok(settled.settled >= 1);
      const detail = (await owner.get(`/api/orders/${orderId}`)).json();
      assert.equal(detail.refunds[0].status, 'succeeded');
      assert.equal(detail.order.amountRefunded, 2500);
      assert.equal(stripeRefundsOf(paymentIntent).length, 1);
      const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.idempotencyKey === `refund:${res.json().refunds[0].id}`);
      assert.equal(posts.length, 2, 'the same key both times');
      assert.deepEqual(posts[1]!.body, posts[0]!.body);
      // Nothing is left to settle, and a second run changes nothing.
      await t.app.checkout.refunds.settleUnknownRefunds();
      assert.equal(stripeRefundsOf(paymentIntent).length, 1);
    });

    it('after lost answers, the buyer’s resubmits reach the one Checkout Session and its payment page', async () => {
      fake.dropResponses(2, '/v1/checkout/sessions');
      const before = fake.sessionCreates();
      const b = new FormBrowser(t);
      let page = await b.go('GET', `/checkout/${shop.prices.once}`);
      const key = FormBrowser.field(page.body, 'key');
      const submit = async () => {
        clock.advance(3_000); // the buyer waits a few seconds and presses Pay again
        return b.go('POST', `/checkout/${shop.prices.once}`, { _csrf: FormBrowser.csrf(page.body), key, email: 'resubmit@example.com', name: 'Re Submit', coupon: '', bump: [], intent: 'pay' });
      };
      for (let i = 0; i < 2; i++) {
        const lost = await submit();
        assert.equal(lost.statusCode, 503, `the answer was lost: try again (${lost.statusCode} ${String(lost.headers.location)} ${JSON.stringify(fake.requests.slice(-3).map((r) => r.path))})`);
        page = lost;
      }
      const third = await submit();
      assert.equal(third.statusCode, 303, third.body.slice(0, 300));
      assert.match(String(third.headers.location), /\/pay\/cs_test_/);
      assert.equal(fake.sessionCreates() - before, 1, 'one session at Stripe');
      const fourth = await submit();
      assert.equal(fourth.headers.location, third.headers.location);
      const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions' && r.body.customer_email === 'resubmit@example.com');
      assert.equal(creates.length, 3);
      assert.ok(creates.every((c) => c.idempotencyKey === creates[0]!.idempotencyKey && JSON.stringify(c.body) === JSON.stringify(creates[0]!.body)), 'same key, same parameters');
    });

    it('a webhook about an object Stripe does not know gets our own answer and is not marked processed', async () => {
      const event = fake.emit('checkout.session.completed', { id: 'cs_test_unknown_to_stripe', object: 'checkout.session', status: 'complete' });
      const res = await deliver(t, fake, event);
      assert.equal(res.statusCode, 503);
      assert.doesNotMatch(res.body, /No such/, 'Stripe’s own message is not our answer');
      assert.match(res.json().error.message, /Stripe does not know/);
      const [row] = await t.app.db.select().from(webhookEvents).where(eq(webhookEvents.id, event.id));
      assert.equal(row?.processedAt, null);
    });

    it('a database failure while reading the order fails the webhook (Stripe delivers again) instead of marking it done', async () => {
      const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.once, 'db-outage@example.com');
      const events = fake.completeSession(sessionId);
      const completed = events.find((e) => e.type === 'checkout.session.completed')!;
      // A real failure of our database: the orders table cannot be read.
      await t.app.database.execute('alter table orders rename to orders_unavailable');
      let res;
      try {
        res = await deliver(t, fake, completed);
      } finally {
        await t.app.database.execute('alter table orders_unavailable rename to orders');
      }
      assert.equal(res.statusCode, 500, res.body);
      const [row] = await t.app.db.select().from(webhookEvents).where(eq(webhookEvents.id, completed.id));
      assert.equal(row?.processedAt, null, 'not marked processed');
      // Stripe's next delivery of the same event does the work.
      const again = await deliver(t, fake, completed);
      assert.equal(again.statusCode, 200, again.body);
      assert.notEqual(again.json().duplicate, true);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).status, 'paid');
    });

    it('responses in an older API shape are applied, not dropped: renewals through invoice.subscription', async () => {
      fake.legacy = true;
      try {
        const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.monthly, 'legacy-shape@example.com');
        await deliverAll(t, fake, fake.completeSession(sessionId));
        const [sub] = await t.app.db.select().from(subscriptions).where(eq(subscriptions.orderId, orderId));
        assert.ok(sub, 'the subscription exists');
        assert.ok(sub.currentPeriodEnd, 'the period end was read from the older shape');
        const firstEnd = sub.currentPeriodEnd.getTime();
        const renewal = fake.renew(sub.providerSubscriptionId!);
        assert.ok(renewal.some((e) => e.type === 'invoice.paid' && 'subscription' in e.data.object && !('parent' in e.data.object)), 'the event is in the older shape');
        await deliverAll(t, fake, renewal);
        const paid = await t.app.db.select().from(payments).where(eq(payments.orderId, orderId));
        assert.equal(paid.length, 2, 'the renewal was recorded');
        assert.ok(paid.every((p) => p.refundRef?.startsWith('pi_')), 'the older invoice.payment_intent is the refund reference');
        const [after] = await t.app.db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
        assert.ok(after!.currentPeriodEnd!.getTime() > firstEnd);
      } finally {
        fake.legacy = false;
      }
    });

    it('an invoice in a shape no API version has fails loudly instead of being acknowledged', async () => {
      const { sessionId } = await startStripeCheckout(t, shop.prices.monthly, 'odd-shape@example.com');
      await deliverAll(t, fake, fake.completeSession(sessionId));
      const subId = fake.get(sessionId).subscription as string;
      const renewal = fake.renew(subId);
      const invoicePaid = renewal.find((e) => e.type === 'invoice.paid')!;
      delete fake.get(invoicePaid.data.object.id).parent;
      const res = await deliver(t, fake, invoicePaid);
      assert.equal(res.statusCode, 500);
      const [row] = await t.app.db.select().from(webhookEvents).where(eq(webhookEvents.id, invoicePaid.id));
      assert.equal(row?.processedAt, null);
      assert.match(row?.lastError ?? '', /names no subscription/);
    });

    it('one unreadable event is skipped and reported; reconciliation finishes and repairs an older lost renewal', async () => {
      // Settle everything earlier tests left behind, so this pass is about what follows.
      await t.app.stripeSync!.reconcile();
      const { sessionId, orderId } = await startStripeCheckout(t, shop.prices.monthly, 'lost-renewal@example.com');
      await deliverAll(t, fake, fake.completeSession(sessionId));
      const [sub] = await t.app.db.select().from(subscriptions).where(eq(subscriptions.orderId, orderId));
      clock.advance(1000);
      fake.renew(sub!.providerSubscriptionId!); // the renewal's webhooks are lost
      clock.advance(1000);
      const bad = await startStripeCheckout(t, shop.prices.once, 'unreadable@example.com');
      fake.completeSession(bad.sessionId); // lost too, and its session cannot be read
      fake.failFetch(bad.sessionId);

      const res = await owner.post('/api/checkout/reconciliation');
      assert.equal(res.statusCode, 200, res.body);
      const run = res.json();
      assert.ok(run.skipped.length >= 1);
      assert.ok(run.skipped.some((s: { ref: string }) => s.ref === bad.sessionId));
      assert.ok(run.skipped.every((s: { reason: string }) => !/Fake Stripe/.test(s.reason)), 'our words, not Stripe’s');
      assert.ok(run.repaired >= 1);
      const paid = await t.app.db.select().from(payments).where(eq(payments.orderId, orderId));
      assert.equal(paid.length, 2, 'the older lost renewal was repaired');
      const runs = (await owner.get('/api/checkout/reconciliation')).json().runs;
      assert.match(runs[0].error, new RegExp(`Skipped \\d+: .*${bad.sessionId}`), 'the owner sees what was skipped');
      assert.ok(runs[0].repairs.some((r: { what: string }) => r.what === 'renewal paid'));
      // Once Stripe can give the object, the next pass applies the skipped news.
      fake.failFetch(bad.sessionId, 0);
      await t.app.stripeSync!.reconcile();
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, bad.orderId)).status, 'paid');
    });
  });
}
