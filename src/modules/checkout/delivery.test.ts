// The customer's side: account, receipts, downloads through signed expiring links — and that
// one customer can never reach another's files, orders or billing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { seedShop, type Shop } from '../../../test/support/shop.js';
import { mailAsDelivered } from '../mail/test-helpers.js';

async function buy(t: TestApp, priceId: string, email: string, card = '4242424242424242'): Promise<FormBrowser> {
  const b = new FormBrowser(t);
  const page = await b.go('GET', `/checkout/${priceId}`);
  const placed = await b.go('POST', `/checkout/${priceId}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email, intent: 'pay' });
  const payPath = pathOf(String(placed.headers.location));
  const payPage = await b.go('GET', payPath);
  const paid = await b.go('POST', payPath, { _csrf: FormBrowser.csrf(payPage.body), card });
  await b.follow(paid);
  return b;
}

for (const backend of backends()) {
  describe(`delivery and the customer's account [${backend}]`, () => {
    let t: TestApp;
    let shop: Shop;
    let owner: Client;
    let alice: FormBrowser;
    let bob: FormBrowser;
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    before(async () => {
      t = await createTestApp(backend, { config: { FILES_DIR: filesDir, DOWNLOAD_LINK_HOURS: '2' } });
      owner = await setupOwner(t);
      shop = await seedShop(t);
      alice = await buy(t, shop.prices.ebook, 'alice@example.com');
      bob = await buy(t, shop.prices.once, 'bob@example.com');
    });
    after(async () => {
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    });

    const downloadLink = async (b: FormBrowser) => {
      const page = await b.go('GET', '/account');
      assert.equal(page.statusCode, 200);
      const m = /href="(\/downloads\/[^"]+)"/.exec(page.body);
      return m ? m[1]!.replace(/&amp;/g, '&') : null;
    };

    it('the receipt email signs the buyer in on a new device with a single-use link', async () => {
      const mail = (await t.app.mail.listOutbox({ to: 'alice@example.com' })).find((m) => m.tag === 'checkout.receipt')!;
      // The outbox shows the link hidden; the buyer's own copy carries it.
      assert.match((await t.app.mail.getMessage(mail.id)).text, /\/account\/magic\?token=\[hidden\]/);
      const text = (await mailAsDelivered(t.app, mail.id)).text;
      const link = pathOf(/(http\S+\/account\/magic\?token=[\w-]+)/.exec(text)![1]!);
      const phone = new FormBrowser(t);
      const landing = await phone.go('GET', link);
      const signedIn = await phone.go('POST', '/account/magic', { token: new URL(link, 'http://x').searchParams.get('token')!, _csrf: FormBrowser.csrf(landing.body) });
      assert.equal(signedIn.statusCode, 303);
      const account = await phone.go('GET', '/account');
      assert.match(account.body, /The Glaze Guide \(PDF\)/);
      assert.match(account.body, /glaze-guide\.pdf/);
    });

    it('a customer can never reach another customer’s files, orders or billing', async () => {
      const aliceLink = (await downloadLink(alice))!;
      assert.ok(aliceLink);
      assert.equal(await downloadLink(bob), null, 'bob bought no download');
      const fileId = aliceLink.split('/')[2]!.split('?')[0]!;
      // Bob cannot mint a link for himself to Alice's file: a token is signed by the server for one contact.
      const noToken = await bob.go('GET', `/downloads/${fileId}`);
      assert.equal(noToken.statusCode, 403);
      const tampered = await bob.go('GET', aliceLink.replace(/t=([\w-]+)\./, (_m, p: string) => `t=${Buffer.from(`${'0'.repeat(8)}-0000-0000-0000-000000000000:${fileId}`).toString('base64url')}.`));
      assert.equal(tampered.statusCode, 403);
      // A link for one file does not open another.
      const otherFile = (await t.app.catalog.getProduct(t.app.db, shop.workbook.id)).files[0]!.id;
      assert.equal((await bob.go('GET', aliceLink.replace(fileId, otherFile))).statusCode, 403);
      // Orders: Bob cannot open Alice's receipt, even knowing its id.
      const aliceOrder = (await owner.get('/api/orders?q=alice@example.com')).json().orders[0].id;
      assert.equal((await alice.go('GET', `/account/orders/${aliceOrder}`)).statusCode, 200);
      assert.equal((await bob.go('GET', `/account/orders/${aliceOrder}`)).statusCode, 404);
      const anonymous = await new FormBrowser(t).go('GET', `/account/orders/${aliceOrder}`);
      assert.equal(anonymous.statusCode, 302, 'signed-out visitors are sent to sign in');
      // Bob's account page lists only his own purchase.
      const bobPage = await bob.go('GET', '/account');
      assert.doesNotMatch(bobPage.body, /Glaze Guide/);
      assert.match(bobPage.body, /Pottery from Scratch/);
      // The thank-you link of Alice's order with Bob's (or no) token opens nothing.
      const bobOrder = (await owner.get('/api/orders?q=bob@example.com')).json().orders[0].id;
      const bobToken = t.app.checkout.orderToken(bobOrder);
      assert.equal((await bob.go('GET', `/checkout/thank-you/${aliceOrder}?t=${bobToken}`)).statusCode, 403);
      assert.equal((await bob.go('GET', `/checkout/thank-you/${aliceOrder}`)).statusCode, 403);
    });

    it('the return link signs the buyer in once, and only soon after paying', async () => {
      const order = (await owner.get('/api/orders?q=alice@example.com')).json().orders[0];
      const replay = new FormBrowser(t);
      const res = await replay.go('GET', `/checkout/complete/${order.id}?t=${t.app.checkout.orderToken(order.id)}`);
      assert.equal(res.statusCode, 303);
      assert.equal(replay.cookies.get('oh_customer'), undefined, 'the buyer already used it right after paying');

      // A buyer who closed the tab: the link found in their history hours later signs nobody in.
      const b = new FormBrowser(t);
      const page = await b.go('GET', `/checkout/${shop.prices.workbook}`);
      const placed = await b.go('POST', `/checkout/${shop.prices.workbook}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email: 'closed-tab@example.com', intent: 'pay' });
      const payPath = pathOf(String(placed.headers.location));
      const payPage = await b.go('GET', payPath);
      const paid = await b.go('POST', payPath, { _csrf: FormBrowser.csrf(payPage.body), card: '4242424242424242' });
      const later = new FormBrowser(t);
      t.clock.advance(2 * 3_600_000);
      try {
        const back = await later.go('GET', pathOf(String(paid.headers.location)));
        assert.equal(back.statusCode, 303);
        assert.equal(later.cookies.get('oh_customer'), undefined);
      } finally {
        t.clock.advance(-2 * 3_600_000);
      }
    });

    it('download links expire, and stop working when access is revoked', async () => {
      const link = (await downloadLink(alice))!;
      assert.equal((await alice.go('GET', link)).statusCode, 200);
      t.clock.advance(3 * 3_600_000);
      const expired = await alice.go('GET', link);
      assert.equal(expired.statusCode, 403);
      assert.match(expired.body, /expired or is not valid/);
      t.clock.advance(-3 * 3_600_000);
      const order = (await owner.get('/api/orders?q=alice@example.com')).json().orders[0];
      assert.equal((await owner.post(`/api/orders/${order.id}/refunds`, {})).statusCode, 201);
      assert.equal((await alice.go('GET', link)).statusCode, 403, 'refunded: the link no longer opens the file');
      assert.equal(await downloadLink(alice), null, 'and the account no longer lists it');
      const events = (await owner.get(`/api/customers/${order.contactId}`)).json();
      assert.ok(events.events.some((e: { type: string }) => e.type === 'download.started'));
      assert.ok(events.grants.some((g: { revokedAt: string | null; revokeReason: string }) => g.revokedAt && g.revokeReason === 'refunded'));
    });

    it('customers appear in the admin with purchases, access and lifetime value', async () => {
      const list = (await owner.get('/api/customers?q=bob')).json().customers;
      assert.equal(list.length, 1);
      assert.equal(list[0].lifetimeValue, 9900);
      const detail = (await owner.get(`/api/customers/${list[0].id}`)).json();
      assert.equal(detail.orders.length, 1);
      assert.deepEqual(detail.lifetimeValue, [{ currency: 'usd', amount: 9900 }]);
      assert.ok(detail.grants.some((g: { resourceType: string }) => g.resourceType === 'course'));
      assert.ok(detail.events.some((e: { type: string; actorKind: string }) => e.type === 'order.paid' && e.actorKind === 'customer'));
    });
  });
}
