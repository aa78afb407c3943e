// Money at Stripe that is easy to get wrong: a one-click charge whose answer is lost, trials
// (nothing charged until the first invoice), and disputes (open, won, lost). Through the real
// SDK against the local fake Stripe.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import { backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { seedShop, type Shop } from '../../../test/support/shop.js';
import { FakeStripe, type StripeEventRecord } from '../../../test/support/fake-stripe.js';
import { accessGrants } from '../access/index.js';

for (const backend of backends()) {
  describe(`Stripe money edge cases [${backend}]`, () => {
    let t: TestApp;
    let fake: FakeStripe;
    let shop: Shop;
    let owner: Client;
    const clock = new ManualClock(new Date());
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));

    before(async () => {
      fake = new FakeStripe(() => clock.now());
      await fake.start();
      t = await createTestApp(backend, {
        clock,
        config: { FILES_DIR: filesDir, STRIPE_SECRET_KEY: 'sk_test_onehour', STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_URL: fake.url, STRIPE_MAX_NETWORK_RETRIES: '0' },
      });
      owner = await setupOwner(t);
      shop = await seedShop(t);
    });
    after(async () => {
      await t.close();
      await fake.stop();
      fs.rmSync(filesDir, { recursive: true, force: true });
    });

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
      const order = (await t.app.checkout.findOrderBySession(t.app.db, 'stripe', sessionId))!;
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
      // The answer to the charge is lost, and so is the SDK's own retry of a closed connection:
      // asking again under the same key finds it paid.
      const first = await buy(shop.prices.once, 'lost-answer@example.com');
      const offer = await offerFor(first.b, first.sessionId);
      fake.dropResponses(2);
      const accepted = await first.b.go('POST', offer.action, { _csrf: offer.csrf });
      assert.equal(accepted.statusCode, 303, accepted.body.slice(0, 300));
      const thanks = await first.b.go('GET', String(accepted.headers.location));
      assert.match(thanks.body, /Kiln Workbook — \$19/);
      const [child] = (await t.app.checkout.orderDetail(t.app.db, first.orderId)).upsells;
      assert.equal(child!.status, 'paid');
      assert.equal(intentsFor(child!.id).length, 1, 'one charge at Stripe');
      assert.equal((await liveGrants(child!.id, 'download')).length, 1);

      // Both answers are lost: the buyer is told the truth (confirming, no double charge), not a 500.
      const second = await buy(shop.prices.once, 'lost-twice@example.com');
      const offer2 = await offerFor(second.b, second.sessionId);
      fake.dropResponses(4);
      const pending = await second.b.go('POST', offer2.action, { _csrf: offer2.csrf });
      assert.equal(pending.statusCode, 202, pending.body.slice(0, 300));
      assert.match(pending.body, /We are confirming your payment/);
      assert.match(pending.body, /will not be charged twice/);
      assert.match(pending.body, /Continue to order #\d+/);
      const [waiting] = (await t.app.checkout.orderDetail(t.app.db, second.orderId)).upsells;
      assert.equal(waiting!.status, 'pending');
      assert.equal((await liveGrants(waiting!.id, 'download')).length, 0, 'nothing granted before the payment is known');
      // "Check again" reads the outcome back: paid, still one charge.
      const check = /action="([^"]+\/accept[^"]*)"/.exec(pending.body)![1]!.replace(/&amp;/g, '&');
      const checked = await second.b.go('POST', check, { _csrf: FormBrowser.csrf(pending.body) });
      assert.equal(checked.statusCode, 303);
      assert.equal((await t.app.checkout.getOrder(t.app.db, waiting!.id)).status, 'paid');
      assert.equal(intentsFor(waiting!.id).length, 1, 'still one charge');
      assert.equal((await liveGrants(waiting!.id, 'download')).length, 1);
      assert.equal((await t.app.mail.listOutbox({ to: 'lost-twice@example.com' })).filter((m) => m.tag === 'checkout.receipt').length, 2, 'the upsell receipt is emailed');
    });

    it('a charge whose answer never comes is settled by Stripe’s webhook', async () => {
      const buyer = await buy(shop.prices.once, 'webhook-settles@example.com');
      const offer = await offerFor(buyer.b, buyer.sessionId);
      fake.dropResponses(4);
      const pending = await buyer.b.go('POST', offer.action, { _csrf: offer.csrf });
      assert.equal(pending.statusCode, 202);
      const [child] = (await t.app.checkout.orderDetail(t.app.db, buyer.orderId)).upsells;
      await deliver(fake.events.filter((e) => e.type === 'payment_intent.succeeded' && e.data.object.metadata?.orderId === child!.id));
      assert.equal((await t.app.checkout.getOrder(t.app.db, child!.id)).status, 'paid');
      assert.equal((await liveGrants(child!.id, 'download')).length, 1);
      void owner;
    });
  });
}
