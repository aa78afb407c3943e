// Who is signed in after paying. A checkout proves the payer has a card, not that they own the
// email address they typed: only a contact this checkout created is signed in at once; an
// address that already had an account gets a sign-in link in its mailbox. Both providers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../clock.js';
import { backends, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { seedShop, type Shop } from '../../../test/support/shop.js';
import { openStripeShop } from '../../../test/support/stripe-shop.js';
import { FakeStripe, type StripeEventRecord } from '../../../test/support/fake-stripe.js';

async function checkoutForm(b: FormBrowser, priceId: string, email: string) {
  const page = await b.go('GET', `/checkout/${priceId}`);
  assert.equal(page.statusCode, 200);
  const res = await b.go('POST', `/checkout/${priceId}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email, name: 'Someone', intent: 'pay' });
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  return String(res.headers.location);
}

/** The buyer's whole way back from the payment page: return link → (offer →) thank-you. */
async function comeBack(b: FormBrowser, returnPath: string) {
  const complete = await b.go('GET', returnPath);
  assert.equal(complete.statusCode, 303, complete.body.slice(0, 300));
  let next = String(complete.headers.location);
  if (next.startsWith('/checkout/offer/')) {
    const offer = await b.go('GET', next);
    const decline = /action="([^"]+\/decline[^"]*)"/.exec(offer.body)![1]!.replace(/&amp;/g, '&');
    next = String((await b.go('POST', decline, { _csrf: FormBrowser.csrf(offer.body) })).headers.location);
  }
  const thanks = await b.go('GET', next);
  assert.equal(thanks.statusCode, 200);
  return thanks;
}

/** What the victim's account shows that an attacker must never see. */
async function assertSeesNothingOfVictim(t: TestApp, attacker: FormBrowser) {
  assert.equal(attacker.cookies.get('oh_customer'), undefined, 'the payer got no session');
  const account = await attacker.go('GET', '/account');
  assert.notEqual(account.statusCode, 200, 'the account page is not opened for the payer');
  assert.doesNotMatch(account.body, /Pottery from Scratch|glaze-guide\.pdf/);
  const learn = await attacker.go('GET', '/learn');
  assert.doesNotMatch(learn.body, /Pottery from Scratch/);
  void t;
}

for (const backend of backends()) {
  describe(`signing the buyer in after checkout [${backend}]`, () => {
    describe('test provider', () => {
      let t: TestApp;
      let shop: Shop;
      const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
      before(async () => {
        t = await createTestApp(backend, { config: { FILES_DIR: filesDir } });
        await setupOwner(t);
        shop = await seedShop(t);
      });
      after(async () => {
        await t.close();
        fs.rmSync(filesDir, { recursive: true, force: true });
      });

      async function buyWithTestCard(b: FormBrowser, priceId: string, email: string) {
        const payPath = pathOf(await checkoutForm(b, priceId, email));
        const page = await b.go('GET', payPath);
        const paid = await b.go('POST', payPath, { _csrf: FormBrowser.csrf(page.body), card: '4242 4242 4242 4242' });
        assert.equal(paid.statusCode, 303);
        return comeBack(b, pathOf(String(paid.headers.location)));
      }

      it('a new customer is signed in at once; paying with their address later opens nothing and mails them a link', async () => {
        const victim = new FormBrowser(t);
        const first = await buyWithTestCard(victim, shop.prices.once, 'victim@example.com');
        assert.ok(victim.cookies.get('oh_customer'), 'the contact this checkout created is signed in');
        assert.doesNotMatch(first.body, /sent a sign-in link/);
        const own = await victim.go('GET', '/account');
        assert.equal(own.statusCode, 200);
        assert.match(own.body, /Pottery from Scratch/);

        const linksBefore = (await t.app.mail.listOutbox({ to: 'victim@example.com' })).filter((m) => m.tag === 'portal.magic_link').length;
        const attacker = new FormBrowser(t);
        const thanks = await buyWithTestCard(attacker, shop.prices.ebook, 'Victim@Example.com');
        assert.match(thanks.body, /we sent a sign-in link to <strong>Victim@Example\.com<\/strong>/i);
        assert.doesNotMatch(thanks.body, /Pottery from Scratch/, 'the thank-you page shows only this order');
        await assertSeesNothingOfVictim(t, attacker);
        const links = (await t.app.mail.listOutbox({ to: 'victim@example.com' })).filter((m) => m.tag === 'portal.magic_link');
        assert.equal(links.length, linksBefore + 1, 'the address owner got a sign-in link');
        // The return link opened again does not sign in or mail again.
        const contact = (await t.app.audience.findByEmail(t.app.db, 'victim@example.com'))!;
        const [order] = (await t.app.checkout.queries.customerDetail(t.app.db, contact.id)).orders.filter((o) => o.total === 1500);
        const again = await attacker.go('GET', pathOf(t.app.checkout.returnUrl(order!.id)));
        assert.equal(again.statusCode, 303);
        assert.equal(attacker.cookies.get('oh_customer'), undefined);
        assert.equal((await t.app.mail.listOutbox({ to: 'victim@example.com' })).filter((m) => m.tag === 'portal.magic_link').length, linksBefore + 1);
      });

      it('a contact known before the checkout (a newsletter subscriber) is not signed in by paying either', async () => {
        await t.app.database.transaction((tx) => t.app.audience.upsertContact(tx, { email: 'reader@example.com', source: 'form' }));
        const b = new FormBrowser(t);
        const thanks = await buyWithTestCard(b, shop.prices.ebook, 'reader@example.com');
        assert.match(thanks.body, /sent a sign-in link/);
        assert.equal(b.cookies.get('oh_customer'), undefined);
      });
    });

    describe('Stripe', () => {
      let t: TestApp;
      let fake: FakeStripe;
      let shop: Shop;
      const clock = new ManualClock(new Date());
      let close: () => Promise<void>;
      before(async () => {
        ({ t, fake, shop, close } = await openStripeShop(backend, clock));
      });
      after(() => close());

      async function deliver(events: StripeEventRecord[]) {
        for (const e of events) {
          const { payload, header } = fake.sign(e);
          const r = await t.server.inject({ method: 'POST', url: '/webhooks/stripe', headers: { 'content-type': 'application/json', 'stripe-signature': header }, payload });
          assert.equal(r.statusCode, 200, r.body);
        }
      }

      async function buyAtStripe(b: FormBrowser, priceId: string, email: string) {
        const sessionId = (await checkoutForm(b, priceId, email)).split('/').pop()!;
        await deliver(fake.completeSession(sessionId));
        return comeBack(b, pathOf(fake.get(sessionId).success_url));
      }

      it('paying at Stripe with someone else’s address shows none of their purchases and gives no session', async () => {
        const victim = new FormBrowser(t);
        await buyAtStripe(victim, shop.prices.once, 'stripe-victim@example.com');
        assert.ok(victim.cookies.get('oh_customer'));

        const attacker = new FormBrowser(t);
        const thanks = await buyAtStripe(attacker, shop.prices.ebook, 'stripe-victim@example.com');
        assert.match(thanks.body, /sent a sign-in link/);
        await assertSeesNothingOfVictim(t, attacker);
        assert.equal((await t.app.mail.listOutbox({ to: 'stripe-victim@example.com' })).filter((m) => m.tag === 'portal.magic_link').length, 1);
      });
    });
  });
}
