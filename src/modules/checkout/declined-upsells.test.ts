// "No thanks" to an upsell is remembered in checkout's own table (not read back from the event
// log): the offer is not shown again for that order, and the decline is recorded once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { seedShop } from '../../../test/support/shop.js';

for (const backend of backends()) {
  describe(`declined upsells [${backend}]`, () => {
    it('a declined offer is not offered again for that order, and one upsell.declined event is recorded', async () => {
      const t = await createTestApp(backend);
      try {
        const shop = await seedShop(t);
        const b = new FormBrowser(t);
        const page = await b.go('GET', `/checkout/${shop.prices.once}`);
        const placed = await b.go('POST', `/checkout/${shop.prices.once}`, {
          _csrf: FormBrowser.csrf(page.body),
          key: FormBrowser.field(page.body, 'key'),
          email: 'dee@example.com',
          name: 'Dee',
          coupon: '',
          bump: [],
          intent: 'pay',
        });
        const payPath = pathOf(String(placed.headers.location));
        const payPage = await b.go('GET', payPath);
        const paid = await b.go('POST', payPath, { _csrf: FormBrowser.csrf(payPage.body), card: '4242 4242 4242 4242', exp: '12/34', cvc: '123' });
        const complete = await b.go('GET', pathOf(String(paid.headers.location)));
        const offerPath = String(complete.headers.location);
        assert.match(offerPath, /\/checkout\/offer\//, 'the upsell is offered');
        const offer = await b.go('GET', offerPath);
        const decline = /action="([^"]+\/decline[^"]*)"/.exec(offer.body)![1]!.replace(/&amp;/g, '&');
        for (let i = 0; i < 2; i++) {
          const res = await b.go('POST', decline, { _csrf: FormBrowser.csrf(offer.body) });
          assert.equal(res.statusCode, 303);
          assert.match(String(res.headers.location), /\/checkout\/thank-you\//, 'on to the order, not the offer again');
        }
        const orderId = /\/checkout\/offer\/([0-9a-f-]{36})\//.exec(offerPath)![1]!;
        assert.deepEqual(await t.app.checkout.declinedUpsells(orderId), [shop.upsellId]);
        const events = await t.app.events.list(t.app.db, { type: 'upsell.declined', subjectType: 'order', subjectId: orderId });
        assert.equal(events.length, 1, 'declining twice records it once');
        assert.deepEqual(events[0]!.data, { offerId: shop.upsellId });
      } finally {
        await t.close();
      }
    });
  });
}
