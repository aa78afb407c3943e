// Checkout with the built-in test provider, through the pages a buyer uses.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backends, createTestApp, setupOwner, addMember, type Client, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { seedShop, ownerActor, type Shop } from '../../../test/support/shop.js';

/** Walks a buyer from the checkout page to the payment page; returns the payment page path. */
async function placeOrder(b: FormBrowser, priceId: string, opts: { email: string; coupon?: string; bump?: string[]; key?: string } = { email: 'buyer@example.com' }) {
  const page = await b.go('GET', `/checkout/${priceId}`);
  assert.equal(page.statusCode, 200);
  const res = await b.go('POST', `/checkout/${priceId}`, {
    _csrf: FormBrowser.csrf(page.body),
    key: opts.key ?? FormBrowser.field(page.body, 'key'),
    email: opts.email,
    name: 'Bea Buyer',
    coupon: opts.coupon ?? '',
    bump: opts.bump ?? [],
    intent: 'pay',
  });
  assert.equal(res.statusCode, 303, res.body.slice(0, 500));
  return pathOf(String(res.headers.location));
}

async function pay(b: FormBrowser, payPath: string, card: string) {
  const page = await b.go('GET', payPath);
  assert.equal(page.statusCode, 200);
  return b.go('POST', payPath, { _csrf: FormBrowser.csrf(page.body), card, exp: '12/34', cvc: '123' });
}

for (const backend of backends()) {
  describe(`checkout with the test provider [${backend}]`, () => {
    let t: TestApp;
    let shop: Shop;
    let owner: Client;
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    before(async () => {
      t = await createTestApp(backend, { config: { FILES_DIR: filesDir } });
      owner = await setupOwner(t);
      shop = await seedShop(t);
    });
    after(async () => {
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    });

    it('sells with a coupon and an order bump, delivers at once, and offers the upsell', async () => {
      const b = new FormBrowser(t);
      const page = await b.go('GET', `/checkout/${shop.prices.once}`);
      assert.match(page.body, /TEST MODE/);
      assert.match(page.body, /Pottery from Scratch/);
      assert.match(page.body, /Yes, add the Glaze Guide — \$9/);
      // Apply the coupon and tick the bump: the total shows before paying.
      const applied = await b.go('POST', `/checkout/${shop.prices.once}`, {
        _csrf: FormBrowser.csrf(page.body),
        key: FormBrowser.field(page.body, 'key'),
        email: 'bea@example.com',
        coupon: 'welcome20',
        bump: [shop.bumpId],
        intent: 'apply',
      });
      assert.equal(applied.statusCode, 200);
      assert.match(applied.body, /Coupon applied/);
      // $99 + $9 = $108, minus 20 % = $86.40
      assert.match(applied.body, /Due today<\/td><td>\$86\.40/);
      const payPath = await placeOrder(b, shop.prices.once, { email: 'bea@example.com', coupon: 'WELCOME20', bump: [shop.bumpId] });
      assert.match(payPath, /^\/test-checkout\/tps_/);
      const paid = await pay(b, payPath, '4242 4242 4242 4242');
      assert.equal(paid.statusCode, 303);
      const complete = await b.go('GET', pathOf(String(paid.headers.location)));
      assert.equal(complete.statusCode, 303);
      assert.ok(b.cookies.get('oh_customer'), 'the buyer is signed in to their account');
      const upsell = await b.go('GET', String(complete.headers.location));
      assert.equal(upsell.statusCode, 200);
      assert.match(upsell.body, /Add the Kiln Workbook for \$19/);
      const accept = /action="([^"]+\/accept[^"]*)"/.exec(upsell.body)![1]!.replace(/&amp;/g, '&');
      const accepted = await b.go('POST', accept, { _csrf: FormBrowser.csrf(upsell.body) });
      assert.equal(accepted.statusCode, 303);
      const thanks = await b.go('GET', String(accepted.headers.location));
      assert.equal(thanks.statusCode, 200);
      assert.match(thanks.body, /Thank you!/);
      assert.match(thanks.body, /Kiln Workbook — \$19/);

      const contact = (await t.app.audience.findByEmail(t.app.db, 'bea@example.com'))!;
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'course', id: shop.course.courseId }), true);
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'download', id: shop.ebook.id }), true);
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'download', id: shop.workbook.id }), true);
      const receipts = (await t.app.mail.listOutbox({ to: 'bea@example.com' })).filter((m) => m.tag === 'checkout.receipt');
      assert.equal(receipts.length, 2, 'one receipt per order');
      const bodies = await Promise.all(receipts.map((r) => t.app.mail.getMessage(r.id)));
      const first = bodies.find((m) => m.text.includes('Pottery from Scratch'))!;
      assert.match(first.text, /Discount \(WELCOME20\): −\$21\.60/);
      assert.match(first.text, /Paid today: \$86\.40/);
      assert.match(first.text, /\/account\/magic\?token=/);

      const orders = (await owner.get('/api/orders?q=bea@example.com')).json().orders;
      assert.equal(orders.length, 2);
      assert.ok(orders.every((o: { status: string }) => o.status === 'paid'));
      const paidEvents = (await owner.get('/api/activity?type=order.paid')).json().events;
      assert.ok(paidEvents.length >= 2 && paidEvents.every((e: { actorKind: string }) => e.actorKind === 'customer'));

      // The account page lists purchases, downloads and the course.
      const account = await b.go('GET', '/account');
      assert.equal(account.statusCode, 200);
      assert.match(account.body, /Purchases &amp; downloads/);
      assert.match(account.body, /glaze-guide\.pdf/);
      const link = /href="(\/downloads\/[^"]+)"[^>]*>glaze-guide\.pdf/.exec(account.body)![1]!.replace(/&amp;/g, '&');
      const file = await b.go('GET', link);
      assert.equal(file.statusCode, 200);
      assert.equal(file.body, '%PDF-1.4 glaze guide for tests');
      assert.match(String(file.headers['content-disposition']), /attachment; filename="glaze-guide.pdf"/);
    });

    it('a declined card shows a clear error and grants nothing; another card then works', async () => {
      const b = new FormBrowser(t);
      const payPath = await placeOrder(b, shop.prices.once, { email: 'declined@example.com' });
      const declined = await pay(b, payPath, '4000 0000 0000 0002');
      assert.equal(declined.statusCode, 402);
      assert.match(declined.body, /Your card was declined/);
      const contact = (await t.app.audience.findByEmail(t.app.db, 'declined@example.com'))!;
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'course', id: shop.course.courseId }), false);
      assert.equal((await t.app.access.listForContact(t.app.db, contact.id)).length, 0);
      assert.equal((await t.app.mail.listOutbox({ to: 'declined@example.com' })).length, 0, 'no receipt');
      const retry = await pay(b, payPath, '4242424242424242');
      assert.equal(retry.statusCode, 303);
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'course', id: shop.course.courseId }), true);
    });

    it('a one-click offer the bank wants confirmed is refused with the offer shown again, and nothing is charged', async () => {
      const b = new FormBrowser(t);
      const payPath = await placeOrder(b, shop.prices.once, { email: 'upsell-3ds@example.com' });
      const paid = await pay(b, payPath, '4242 4242 4242 4242');
      assert.equal(paid.statusCode, 303);
      const complete = await b.go('GET', pathOf(String(paid.headers.location)));
      // Between the order and the click, the bank starts asking for confirmation of this card
      // (common with real cards charged off-session): the saved card is now one that does.
      await t.app.database.execute(`update orders set provider_payment_method_id = 'tpm_authenticate_3155' where email = $1`, ['upsell-3ds@example.com']);
      const upsell = await b.go('GET', String(complete.headers.location));
      assert.equal(upsell.statusCode, 200);
      assert.match(upsell.body, /Add the Kiln Workbook for \$19/);
      const accept = /action="([^"]+\/accept[^"]*)"/.exec(upsell.body)![1]!.replace(/&amp;/g, '&');
      const refused = await b.go('POST', accept, { _csrf: FormBrowser.csrf(upsell.body) });
      assert.equal(refused.statusCode, 402);
      assert.match(refused.body, /cannot be done in one click\. Nothing was charged\./);
      assert.match(refused.body, /Add the Kiln Workbook for \$19/, 'the offer is shown again');
      assert.match(refused.body, /action="[^"]+\/decline/, 'with a way on to the order');
      const contact = (await t.app.audience.findByEmail(t.app.db, 'upsell-3ds@example.com'))!;
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'download', id: shop.workbook.id }), false);
    });

    it('a card that asks for authentication pays only once authenticated', async () => {
      const b = new FormBrowser(t);
      const payPath = await placeOrder(b, shop.prices.once, { email: 'auth@example.com' });
      const challenge = await pay(b, payPath, '4000 0025 0000 3155');
      assert.equal(challenge.statusCode, 200);
      assert.match(challenge.body, /asks you to confirm/);
      const failed = await b.go('POST', `${payPath}/authenticate`, { _csrf: FormBrowser.csrf(challenge.body), result: 'fail' });
      assert.equal(failed.statusCode, 402);
      assert.match(failed.body, /Authentication failed/);
      const again = await pay(b, payPath, '4000 0025 0000 3155');
      const ok = await b.go('POST', `${payPath}/authenticate`, { _csrf: FormBrowser.csrf(again.body), result: 'approve' });
      assert.equal(ok.statusCode, 303);
      const contact = (await t.app.audience.findByEmail(t.app.db, 'auth@example.com'))!;
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'course', id: shop.course.courseId }), true);
    });

    it('ten parallel identical submits make one order and one charge', async () => {
      const b = new FormBrowser(t);
      const page = await b.go('GET', `/checkout/${shop.prices.once}`);
      const form = { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email: 'twins@example.com', name: 'Ten', coupon: '', intent: 'pay' };
      const results = await Promise.all(Array.from({ length: 10 }, () => b.go('POST', `/checkout/${shop.prices.once}`, form)));
      assert.deepEqual(results.map((r) => r.statusCode), Array(10).fill(303));
      const targets = new Set(results.map((r) => r.headers.location));
      assert.equal(targets.size, 1, 'every submit goes to the same payment page');
      const orders = (await owner.get('/api/orders?q=twins@example.com')).json().orders;
      assert.equal(orders.length, 1);
      // Pressing "Pay" twice (two tabs) charges once.
      const payPath = pathOf([...targets][0] as string);
      const page1 = await b.go('GET', payPath);
      const page2 = await b.go('GET', payPath);
      const [p1, p2] = await Promise.all([
        b.go('POST', payPath, { _csrf: FormBrowser.csrf(page1.body), card: '4242424242424242' }),
        b.go('POST', payPath, { _csrf: FormBrowser.csrf(page2.body), card: '4242424242424242' }),
      ]);
      assert.equal(p1.statusCode, 303);
      assert.equal(p2.statusCode, 303);
      const detail = (await owner.get(`/api/orders/${orders[0].id}`)).json();
      assert.equal(detail.payments.length, 1, 'one charge');
      assert.equal(detail.order.amountPaid, 9900);
      assert.equal(detail.grants.filter((g: { resourceType: string }) => g.resourceType === 'course').length, 1);
    });

    it('form posts from our own pages pass even when the browser hides their origin; cross-site ones do not', async () => {
      const b = new FormBrowser(t);
      const page = await b.go('GET', `/checkout/${shop.prices.once}`);
      const form = { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email: 'origin@example.com', intent: 'apply' };
      // Pages served with Referrer-Policy: no-referrer make Chromium send "Origin: null" on their own forms.
      assert.equal((await b.go('POST', `/checkout/${shop.prices.once}`, form, { origin: 'null', 'sec-fetch-site': 'same-origin' })).statusCode, 200);
      assert.equal((await b.go('POST', `/checkout/${shop.prices.once}`, form, { origin: 'null', 'sec-fetch-site': 'cross-site' })).statusCode, 403);
      assert.equal((await b.go('POST', `/checkout/${shop.prices.once}`, form, { origin: 'null' })).statusCode, 403);
      assert.equal((await b.go('POST', `/checkout/${shop.prices.once}`, form, { origin: 'https://evil.example' })).statusCode, 403);
    });

    it('a coupon’s last use is held by an open checkout and given back when it lapses', async () => {
      await t.app.catalog.createCoupon({ code: 'ONCE', kind: 'fixed', amountOff: 1000, currency: 'usd', maxRedemptions: 1 }, ownerActor);
      const a = new FormBrowser(t);
      await placeOrder(a, shop.prices.once, { email: 'first@example.com', coupon: 'ONCE' });
      const b = new FormBrowser(t);
      const page = await b.go('GET', `/checkout/${shop.prices.once}`);
      const refused = await b.go('POST', `/checkout/${shop.prices.once}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email: 'second@example.com', coupon: 'ONCE', intent: 'pay' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /has been used up/);
      t.clock.advance(2 * 3_600_000);
      assert.ok((await t.app.checkout.expireStale()) >= 1);
      t.clock.advance(-2 * 3_600_000);
      const again = await b.go('GET', `/checkout/${shop.prices.once}?coupon=ONCE`);
      assert.match(again.body, /Coupon applied/);
    });

    it('a free product is delivered without a payment page', async () => {
      const freebie = await t.app.catalog.createProduct({ slug: 'free-sampler', kind: 'download', name: 'Free Sampler' }, ownerActor);
      const price = await t.app.catalog.createPrice(freebie.id, { type: 'one_time', currency: 'usd', amount: 0 }, ownerActor);
      await t.app.catalog.updateProduct(freebie.id, { status: 'published' }, ownerActor);
      const b = new FormBrowser(t);
      const next = await placeOrder(b, price.id, { email: 'free@example.com' });
      assert.match(next, /^\/checkout\/complete\//);
      const contact = (await t.app.audience.findByEmail(t.app.db, 'free@example.com'))!;
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'download', id: freebie.id }), true);
    });

    it('support may refund up to the policy limit; a full refund revokes access, a partial one keeps it', async () => {
      const b = new FormBrowser(t);
      await pay(b, await placeOrder(b, shop.prices.once, { email: 'refund@example.com' }), '4242424242424242');
      const order = (await owner.get('/api/orders?q=refund@example.com')).json().orders[0];
      const support = await addMember(t, owner, 'support', 'support-refunds@example.com');
      const tooMuch = await support.post(`/api/orders/${order.id}/refunds`, { amount: 9900, reason: 'asked' });
      assert.equal(tooMuch.statusCode, 403);
      assert.match(tooMuch.json().error.message, /Support can refund up to \$50/);
      const partial = await support.post(`/api/orders/${order.id}/refunds`, { amount: 2000, reason: 'late delivery' });
      assert.equal(partial.statusCode, 201);
      const contact = (await t.app.audience.findByEmail(t.app.db, 'refund@example.com'))!;
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'course', id: shop.course.courseId }), true, 'a partial refund keeps access');
      const rest = await owner.post(`/api/orders/${order.id}/refunds`, { reason: 'changed mind' });
      assert.equal(rest.statusCode, 201);
      assert.equal(rest.json().refunds[0].amount, 7900);
      assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'course', id: shop.course.courseId }), false, 'a full refund revokes');
      const detail = (await owner.get(`/api/orders/${order.id}`)).json();
      assert.equal(detail.order.amountRefunded, 9900);
      assert.equal(detail.refundable, 0);
      assert.equal((await owner.post(`/api/orders/${order.id}/refunds`, { amount: 1 })).statusCode, 400);
      const events = detail.events.filter((e: { type: string }) => e.type === 'order.refunded');
      assert.deepEqual(events.map((e: { actorKind: string }) => e.actorKind).sort(), ['assistant', 'owner']);
    });
  });
}
