// Subscriptions, trials, payment plans, memberships and dunning with the built-in test
// provider, on virtual time.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backends, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { ownerActor, seedShop, type Shop } from '../../../test/support/shop.js';

async function subscribe(t: TestApp, priceId: string, email: string, card: string) {
  const b = new FormBrowser(t);
  const page = await b.go('GET', `/checkout/${priceId}`);
  const placed = await b.go('POST', `/checkout/${priceId}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email, intent: 'pay' });
  assert.equal(placed.statusCode, 303, placed.body.slice(0, 300));
  const payPath = pathOf(String(placed.headers.location));
  const payPage = await b.go('GET', payPath);
  const paid = await b.go('POST', payPath, { _csrf: FormBrowser.csrf(payPage.body), card });
  assert.equal(paid.statusCode, 303);
  await b.follow(paid);
  const contact = (await t.app.audience.findByEmail(t.app.db, email))!;
  const [sub] = await t.app.checkout.queries.listSubscriptions(t.app.db, { contactId: contact.id });
  return { b, contactId: contact.id, sub: sub! };
}

for (const backend of backends()) {
  describe(`subscriptions and dunning with the test provider [${backend}]`, () => {
    let t: TestApp;
    let shop: Shop;
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    before(async () => {
      t = await createTestApp(backend, { config: { FILES_DIR: filesDir, DUNNING_RETRY_DAYS: '1,3', DUNNING_GRACE_DAYS: '5' } });
      await setupOwner(t);
      shop = await seedShop(t);
    });
    after(async () => {
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    });

    const course = () => ({ type: 'course' as const, id: shop.course.courseId });
    const mails = async (to: string, tag: string) => (await t.app.mail.listOutbox({ to })).filter((m) => m.tag === tag);

    it('a card that fails on renewal: retries, emails, grace, paused access — and a new card restores it', async () => {
      const { b, contactId, sub } = await subscribe(t, shop.prices.monthly, 'renewal-fails@example.com', '4000 0000 0000 0341');
      assert.equal(sub.status, 'active');
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), true);
      t.clock.advanceDays(31);
      await t.app.testPayments!.runBilling();
      let now = (await t.app.checkout.queries.findSubscription(t.app.db, { id: sub.id }))!;
      assert.equal(now.status, 'past_due');
      const first = await mails('renewal-fails@example.com', 'checkout.dunning_failed');
      assert.equal(first.length, 1);
      const text = (await t.app.mail.getMessage(first[0]!.id)).text;
      assert.match(text, /We will try again on/);
      assert.match(text, new RegExp(`/account/billing/${sub.id}`));
      const signIn = async () => {
        // Customer sessions last 30 days; the clock has moved on by more.
        const { token } = await t.app.portal.openSession(t.app.db, { id: contactId, email: 'renewal-fails@example.com', name: '' });
        b.cookies.set('oh_customer', token);
      };
      await signIn();
      const account = await b.go('GET', '/account');
      assert.match(account.body, /did not go through/);

      await t.app.testPayments!.runBilling(); // nothing due yet: no second mail
      assert.equal((await mails('renewal-fails@example.com', 'checkout.dunning_failed')).length, 1);
      t.clock.advanceDays(1);
      await t.app.testPayments!.runBilling();
      assert.equal((await mails('renewal-fails@example.com', 'checkout.dunning_failed')).length, 2, 'the retry failed and said so');
      t.clock.advanceDays(2);
      await t.app.testPayments!.runBilling();
      now = (await t.app.checkout.queries.findSubscription(t.app.db, { id: sub.id }))!;
      assert.equal(now.nextRetryAt, null, 'the schedule (1, 3 days) is used up');
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), true, 'access lasts through the grace period');
      t.clock.advanceDays(3);
      assert.equal(await t.app.checkout.billing.enforceGracePeriods(), 1);
      assert.equal(await t.app.checkout.billing.enforceGracePeriods(), 0, 'once');
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), false);
      assert.equal((await mails('renewal-fails@example.com', 'checkout.dunning_paused')).length, 1);
      const paused = (await t.app.checkout.queries.findSubscription(t.app.db, { id: sub.id }))!;
      assert.equal(paused.status, 'unpaid');

      // The customer follows the link in the email and enters a new card.
      await signIn();
      const billing = await b.go('GET', `/account/billing/${sub.id}`);
      assert.equal(billing.statusCode, 200);
      assert.match(billing.body, /TEST MODE/);
      assert.match(billing.body, /Paused/);
      const declined = await b.go('POST', `/account/billing/${sub.id}`, { _csrf: FormBrowser.csrf(billing.body), card: '4000000000000002' });
      assert.equal(declined.statusCode, 402);
      const fixed = await b.go('POST', `/account/billing/${sub.id}`, { _csrf: FormBrowser.csrf(billing.body), card: '4242 4242 4242 4242' });
      assert.equal(fixed.statusCode, 200);
      assert.match(fixed.body, /Payment received/);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), true, 'recovery restores access');
      now = (await t.app.checkout.queries.findSubscription(t.app.db, { id: sub.id }))!;
      assert.equal(now.status, 'active');
      assert.equal((await mails('renewal-fails@example.com', 'checkout.dunning_recovered')).length, 1);
      const types = (await t.app.events.list(t.app.db, { subjectType: 'subscription', subjectId: sub.id })).map((e) => e.type);
      for (const type of ['subscription.started', 'subscription.payment_failed', 'subscription.access_paused', 'subscription.renewed', 'subscription.recovered']) assert.ok(types.includes(type), type);
      // Next month the new card pays on time.
      t.clock.advanceDays(31);
      await t.app.testPayments!.runBilling();
      assert.equal((await t.app.checkout.queries.findSubscription(t.app.db, { id: sub.id }))!.status, 'active');
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, sub.orderId)).amountPaid, 1900 * 3);
    });

    it('a free trial charges nothing today and the first payment when it ends', async () => {
      const { sub, contactId } = await subscribe(t, shop.prices.trial, 'trial@example.com', '4242424242424242');
      assert.equal(sub.status, 'trialing');
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, sub.orderId)).amountPaid, 0);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), true);
      t.clock.advanceDays(8);
      await t.app.testPayments!.runBilling();
      const after = (await t.app.checkout.queries.findSubscription(t.app.db, { id: sub.id }))!;
      assert.equal(after.status, 'active');
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, sub.orderId)).amountPaid, 2900);
    });

    it('a payment plan completes after its instalments and keeps access for good', async () => {
      const { sub, contactId } = await subscribe(t, shop.prices.plan, 'plan-test@example.com', '4242424242424242');
      assert.equal(sub.kind, 'plan');
      for (let i = 0; i < 3; i++) {
        t.clock.advanceDays(31);
        await t.app.testPayments!.runBilling();
      }
      const done = (await t.app.checkout.queries.findSubscription(t.app.db, { id: sub.id }))!;
      assert.equal(done.status, 'completed');
      assert.equal(done.instalmentsPaid, 3);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, sub.orderId)).amountPaid, 3 * 3500, 'no fourth charge');
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), true);
    });

    it('a membership opens what it includes while paid, and closes it when cancelled and ended', async () => {
      const { catalog } = t.app;
      const library = await catalog.createProduct({ slug: 'studio-membership', kind: 'membership', name: 'Studio Membership', includes: [shop.course.id, shop.ebook.id] }, ownerActor);
      const price = await catalog.createPrice(library.id, { type: 'subscription', currency: 'usd', amount: 2500, interval: 'month' }, ownerActor);
      await catalog.updateProduct(library.id, { status: 'published' }, ownerActor);
      const { b, sub, contactId } = await subscribe(t, price.id, 'member@example.com', '4242424242424242');
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), true);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, { type: 'download', id: shop.ebook.id }), true);
      const grants = await t.app.access.listForContact(t.app.db, contactId);
      assert.ok(grants.every((g) => g.source === 'membership'));
      const account = await b.go('GET', '/account');
      const cancel = await b.go('POST', `/account/billing/${sub.id}/cancel`, { _csrf: FormBrowser.csrf(account.body) });
      assert.equal(cancel.statusCode, 303);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), true, 'access lasts to the end of the paid month');
      t.clock.advanceDays(31);
      await t.app.testPayments!.runBilling();
      const ended = (await t.app.checkout.queries.findSubscription(t.app.db, { id: sub.id }))!;
      assert.equal(ended.status, 'canceled');
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course()), false);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, { type: 'download', id: shop.ebook.id }), false);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, sub.orderId)).amountPaid, 2500, 'not charged after cancelling');
    });

    it('the test provider refuses to run in production once Stripe keys are set', async () => {
      const { loadConfig, ConfigError } = await import('../../config.js');
      assert.throws(() => loadConfig({ NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_x', PAYMENT_PROVIDER: 'test' }), ConfigError);
      assert.equal(loadConfig({ NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' }).checkout.provider, 'stripe');
      assert.equal(loadConfig({ NODE_ENV: 'development' }).checkout.provider, 'test');
      assert.throws(() => loadConfig({ NODE_ENV: 'production', STRIPE_SECRET_KEY: 'sk_live_x' }), /STRIPE_WEBHOOK_SECRET/);
    });
  });
}
