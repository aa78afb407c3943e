// Money at Stripe that is easy to get wrong: a one-click charge whose answer is lost, trials
// (nothing charged until the first invoice), and disputes (open, won, lost). Through the real
// SDK against the local fake Stripe.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, isNull } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import { backends, OWNER, type Client, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { type Shop } from '../../../test/support/shop.js';
import { openStripeShop } from '../../../test/support/stripe-shop.js';
import { FakeStripe, type StripeEventRecord } from '../../../test/support/fake-stripe.js';
import { accessGrants } from '../access/schema.js';

for (const backend of backends()) {
  describe(`Stripe money edge cases [${backend}]`, () => {
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

    async function deliver(events: StripeEventRecord[]) {
      for (const e of events) {
        const { payload, header } = fake.sign(e);
        const r = await t.server.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload });
        assert.equal(r.statusCode, 200, `${e.type}: ${r.body}`);
      }
    }

    async function buy(priceId: string, email: string) {
      const b = new FormBrowser(t);
      const page = await b.go('GET', `/checkout/${priceId}`);
      const res = await b.go('POST', `/checkout/${priceId}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email, intent: 'pay' });
      assert.equal(res.statusCode, 303, res.body.slice(0, 300));
      const sessionId = String(res.headers.location).split('/').pop()!;
      await deliver(fake.completeSession(sessionId));
      const order = (await t.app.checkout.queries.findOrderBySession(t.app.db, 'stripe', sessionId))!;
      return { b, sessionId, orderId: order.id };
    }

    const liveGrants = (orderId: string, type: string) =>
      t.app.db.select().from(accessGrants).where(and(eq(accessGrants.sourceId, orderId), eq(accessGrants.resourceType, type), isNull(accessGrants.revokedAt)));

    /** The offer page after paying, and its accept form. */
    async function offerFor(b: FormBrowser, sessionId: string) {
      const back = await b.go('GET', pathOf(fake.get(sessionId).success_url));
      const page = await b.go('GET', String(back.headers.location));
      assert.match(page.body, /Kiln Workbook/);
      return { action: /action="([^"]+\/accept[^"]*)"/.exec(page.body)![1]!.replace(/&amp;/g, '&'), csrf: FormBrowser.csrf(page.body) };
    }
    const intentsFor = (orderId: string) => fake.all('payment_intent').filter((pi) => pi.metadata?.orderId === orderId);

    it('a one-click charge whose answer is lost: read back under the same key, charged once, shown as it is — never a 500', async () => {
      // The answer to the charge is lost (cut off half-way, so the SDK cannot retry it itself):
      // asking again under the same key finds it paid.
      const first = await buy(shop.prices.once, 'lost-answer@example.com');
      const offer = await offerFor(first.b, first.sessionId);
      fake.dropResponses(1, '/v1/payment_intents');
      const accepted = await first.b.go('POST', offer.action, { _csrf: offer.csrf });
      assert.equal(accepted.statusCode, 303, accepted.body.slice(0, 300));
      const thanks = await first.b.go('GET', String(accepted.headers.location));
      assert.match(thanks.body, /Kiln Workbook — \$19/);
      const [child] = (await t.app.checkout.queries.orderDetail(t.app.db, first.orderId)).upsells;
      assert.equal(child!.status, 'paid');
      assert.equal(intentsFor(child!.id).length, 1, 'one charge at Stripe');
      assert.equal((await liveGrants(child!.id, 'download')).length, 1);

      // Both answers are lost: the buyer is told the truth (confirming, no double charge), not a 500.
      const second = await buy(shop.prices.once, 'lost-twice@example.com');
      const offer2 = await offerFor(second.b, second.sessionId);
      fake.dropResponses(2, '/v1/payment_intents');
      const pending = await second.b.go('POST', offer2.action, { _csrf: offer2.csrf });
      assert.equal(pending.statusCode, 202, pending.body.slice(0, 300));
      assert.match(pending.body, /We are confirming your payment/);
      assert.match(pending.body, /will not be charged twice/);
      assert.match(pending.body, /Continue to order #\d+/);
      const [waiting] = (await t.app.checkout.queries.orderDetail(t.app.db, second.orderId)).upsells;
      assert.equal(waiting!.status, 'pending');
      assert.equal((await liveGrants(waiting!.id, 'download')).length, 0, 'nothing granted before the payment is known');
      // "Check again" reads the outcome back: paid, still one charge.
      const check = /action="([^"]+\/accept[^"]*)"/.exec(pending.body)![1]!.replace(/&amp;/g, '&');
      const checked = await second.b.go('POST', check, { _csrf: FormBrowser.csrf(pending.body) });
      assert.equal(checked.statusCode, 303);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, waiting!.id)).status, 'paid');
      assert.equal(intentsFor(waiting!.id).length, 1, 'still one charge');
      assert.equal((await liveGrants(waiting!.id, 'download')).length, 1);
      assert.equal((await t.app.mail.listOutbox({ to: 'lost-twice@example.com' })).filter((m) => m.tag === 'checkout.receipt').length, 2, 'the upsell receipt is emailed');
    });

    it('a charge whose answer never comes is settled by Stripe’s webhook', async () => {
      const buyer = await buy(shop.prices.once, 'webhook-settles@example.com');
      const offer = await offerFor(buyer.b, buyer.sessionId);
      fake.dropResponses(2, '/v1/payment_intents');
      const pending = await buyer.b.go('POST', offer.action, { _csrf: offer.csrf });
      assert.equal(pending.statusCode, 202);
      const [child] = (await t.app.checkout.queries.orderDetail(t.app.db, buyer.orderId)).upsells;
      await deliver(fake.events.filter((e) => e.type === 'payment_intent.succeeded' && e.data.object.metadata?.orderId === child!.id));
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, child!.id)).status, 'paid');
      assert.equal((await liveGrants(child!.id, 'download')).length, 1);
    });

    it('a trial books no money at checkout; the first paid invoice counts once; only what was charged can be refunded', async () => {
      const b = new FormBrowser(t);
      const page = await b.go('GET', `/checkout/${shop.prices.trial}`);
      const res = await b.go('POST', `/checkout/${shop.prices.trial}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email: 'trialist@example.com', intent: 'pay' });
      const sessionId = String(res.headers.location).split('/').pop()!;
      const events = fake.completeSession(sessionId);
      const session = fake.get(sessionId);
      assert.equal(session.payment_status, 'no_payment_required');
      // As in the reported run: the session names the price after the trial while nothing was charged.
      session.amount_total = 2900;
      session.amount_subtotal = 2900;
      await deliver(events);
      const orderId = (await t.app.checkout.queries.findOrderBySession(t.app.db, 'stripe', sessionId))!.id;
      let detail = await t.app.checkout.queries.orderDetail(t.app.db, orderId);
      assert.equal(detail.order.status, 'paid');
      assert.equal(detail.order.amountPaid, 0, 'nothing received during the trial');
      assert.equal(detail.payments.length, 0);
      assert.equal(detail.subscription!.status, 'trialing');
      assert.equal(await t.app.access.hasAccess(t.app.db, detail.order.contactId, course()), true, 'the trial opens the course');
      const none = await owner.post(`/api/orders/${orderId}/refunds`, { amount: 100 });
      assert.equal(none.statusCode, 400, 'nothing to refund during a trial');

      // The trial ends and the first invoice is paid: received equals the price, once.
      const renewal = fake.renew(detail.subscription!.providerSubscriptionId!);
      await deliver(renewal);
      await deliver(renewal.map((e) => ({ ...e, id: `${e.id}_again` })));
      await deliver(events.filter((e) => e.type === 'checkout.session.completed').map((e) => ({ ...e, id: `${e.id}_again` })));
      detail = await t.app.checkout.queries.orderDetail(t.app.db, orderId);
      assert.equal(detail.order.amountPaid, 2900);
      assert.deepEqual(detail.payments.map((p) => p.amount), [2900]);
      const customer = (await owner.get(`/api/customers/${detail.order.contactId}`)).json();
      assert.deepEqual(customer.lifetimeValue, [{ currency: 'usd', amount: 2900 }]);
      const tooMuch = await owner.post(`/api/orders/${orderId}/refunds`, { amount: 2901 });
      assert.equal(tooMuch.statusCode, 400);
      assert.match(tooMuch.json().error.message, /At most \$29 can still be refunded/);
      const all = await owner.post(`/api/orders/${orderId}/refunds`, {});
      assert.equal(all.statusCode, 201, all.body);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountRefunded, 2900);
    });

    const eventsOf = async (orderId: string, type: string) => (await t.app.events.list(t.app.db, { subjectType: 'order', subjectId: orderId, limit: 100 })).filter((e) => e.type === type);
    const course = () => ({ type: 'course' as const, id: shop.course.courseId });
    const disputeOf = (orderId: string) => fake.all('dispute').find((d) => d.payment_intent === fake.all('checkout.session').find((s) => s.metadata?.orderId === orderId)!.payment_intent)!;

    it('a dispute keeps access while open; lost, it counts as money given back and ends the access that payment bought', async () => {
      const { orderId } = await buy(shop.prices.once, 'chargeback@example.com');
      let order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      await deliver(fake.dispute(order.providerPaymentId!));
      order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      assert.equal(order.disputeStatus, 'open');
      assert.ok(order.disputedAt);
      assert.equal(await t.app.access.hasAccess(t.app.db, order.contactId, course()), true, 'access is kept while the dispute is open');
      const opened = await eventsOf(orderId, 'order.disputed');
      assert.equal(opened.length, 1);
      assert.equal(opened[0]!.actorKind, 'system');

      const closed = fake.closeDispute(disputeOf(orderId).id, 'lost');
      await deliver(closed);
      await deliver(closed.map((e) => ({ ...e, id: `${e.id}_again` }))); // the same news twice counts once
      order = await t.app.checkout.queries.getOrder(t.app.db, orderId);
      assert.equal(order.disputeStatus, 'lost');
      assert.equal(order.amountPaid, 9900);
      assert.equal(order.amountRefunded, 9900, 'the lost amount no longer counts as revenue');
      assert.equal(await t.app.access.hasAccess(t.app.db, order.contactId, course()), false, 'access ends');
      const lost = await eventsOf(orderId, 'order.dispute_lost');
      assert.equal(lost.length, 1);
      assert.equal(lost[0]!.actorKind, 'system');
      assert.equal(lost[0]!.data.amount, 9900);
      const customer = (await owner.get(`/api/customers/${order.contactId}`)).json();
      assert.deepEqual(customer.lifetimeValue, [{ currency: 'usd', amount: 0 }]);
      const refund = await owner.post(`/api/orders/${orderId}/refunds`, {});
      assert.ok(refund.statusCode >= 400 && refund.statusCode < 500, `nothing is left to refund: ${refund.statusCode}`);
    });

    it('a won dispute loses nothing; a lost one leaves access that another paid order covers', async () => {
      const won = await buy(shop.prices.once, 'won-dispute@example.com');
      const wonOrder = await t.app.checkout.queries.getOrder(t.app.db, won.orderId);
      await deliver(fake.dispute(wonOrder.providerPaymentId!));
      await deliver(fake.closeDispute(disputeOf(won.orderId).id, 'won'));
      const after = await t.app.checkout.queries.getOrder(t.app.db, won.orderId);
      assert.equal(after.disputeStatus, 'won');
      assert.equal(after.amountRefunded, 0);
      assert.equal(await t.app.access.hasAccess(t.app.db, after.contactId, course()), true);
      assert.equal((await eventsOf(won.orderId, 'order.dispute_won')).length, 1);

      // The same customer bought the course twice; losing the dispute on one order leaves the other's access.
      const a = await buy(shop.prices.once, 'twice@example.com');
      const b = await buy(shop.prices.once, 'twice@example.com');
      const orderA = await t.app.checkout.queries.getOrder(t.app.db, a.orderId);
      // The lost decision arrives before the news of the opened dispute: applied once, in order.
      fake.dispute(orderA.providerPaymentId!);
      await deliver(fake.closeDispute(disputeOf(a.orderId).id, 'lost'));
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, a.orderId)).disputeStatus, 'lost');
      assert.equal((await eventsOf(a.orderId, 'order.disputed')).length, 1);
      assert.equal((await liveGrants(a.orderId, 'course')).length, 0);
      assert.equal((await liveGrants(b.orderId, 'course')).length, 1);
      assert.equal(await t.app.access.hasAccess(t.app.db, orderA.contactId, course()), true, 'the other paid order still covers the course');
    });
  });
}
