// The demo business's sales side: a year of orders a newcomer can explore and act on.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type Client } from '../../../test/support/harness.js';
import { createDemoTestApp, type DemoTestApp } from '../../../test/support/demo-snapshot.js';
import { FormBrowser } from '../../../test/support/forms.js';

for (const backend of backends()) {
  describe(`demo sales [${backend}]`, () => {
    let t: DemoTestApp;
    let owner: Client;
    before(async () => {
      t = await createDemoTestApp(backend);
      owner = t.owner;
    });
    after(() => t.close());

    it('has a store, a built sales page and products of every kind', async () => {
      const store = await t.server.inject({ method: 'GET', url: '/' });
      assert.match(store.body, /The Creator Lab/);
      for (const name of ['Launch Your First Online Course', 'Course Launch Checklist', 'Creator Circle', 'The Complete Creator Kit']) assert.match(store.body, new RegExp(name));
      const page = await t.server.inject({ method: 'GET', url: '/p/launch-your-first-course' });
      assert.match(page.body, /Launch your first online course in six weeks/);
      assert.match(page.body, /3 payments of \$109 \/ month/);
      const kinds = new Set((await owner.get('/api/products')).json().products.map((p: { kind: string }) => p.kind));
      assert.deepEqual([...kinds].sort(), ['bundle', 'course', 'download', 'membership']);
    });

    it('has a year of orders with bumps, upsells, coupons, refunds by the support assistant and repaired webhooks', async () => {
      const all = [];
      let before: number | null = null;
      type Row = { id: string; email: string; items: string; status: string; paidAt: string; kind: string; disputed: boolean; number: number };
      do {
        const page: { orders: Row[]; nextBefore: number | null } = (await owner.get(`/api/orders?limit=200${before ? `&before=${before}` : ''}`)).json();
        all.push(...page.orders);
        before = page.nextBefore;
      } while (before);
      const paid = all.filter((o: { status: string }) => o.status === 'paid');
      assert.ok(paid.length > 500, `${paid.length} paid orders`);
      const months = new Set(paid.map((o: { paidAt: string }) => o.paidAt.slice(0, 7)));
      assert.ok(months.size >= 12, 'orders in every month');
      assert.ok(all.some((o: { kind: string }) => o.kind === 'upsell'));
      assert.ok(all.some((o: { status: string }) => o.status === 'expired'), 'abandoned checkouts');
      assert.ok(all.some((o: { disputed: boolean }) => o.disputed));
      const ordered = all.map((o: { number: number }) => o.number);
      assert.deepEqual([...ordered].sort((a, b) => b - a), ordered);
      assert.ok(paid.every((o: Row) => o.items.length > 0), 'every order lists what it sold');
      assert.ok(paid.every((o: Row) => new Date(o.paidAt).getTime() <= t.clock.now().getTime()), 'nothing in the future');
      const products = (await owner.get('/api/products')).json().products;
      const swipe = products.find((p: { slug: string }) => p.slug === 'sales-page-swipe-file');
      const filtered = (await owner.get(`/api/orders?productId=${swipe.id}&limit=200`)).json().orders;
      assert.ok(filtered.length > 0 && filtered.every((o: { items: string }) => o.items.includes('Sales Page Swipe File')));
      const byName = (await owner.get(`/api/orders?q=${encodeURIComponent(paid[3]!.email.split('@')[0]!)}`)).json().orders;
      assert.ok(byName.some((o: { id: string }) => o.id === paid[3]!.id));
      const refunds = (await owner.get('/api/activity?type=order.refunded&actorKind=assistant')).json().events;
      assert.ok(refunds.length > 0, 'the support assistant handled refunds');
      const runs = (await owner.get('/api/checkout/reconciliation')).json().runs;
      assert.ok(runs.length >= 1 && runs.every((r: { repaired: number }) => r.repaired === 1));
      const dunning = (await owner.get('/api/subscriptions?status=past_due')).json().subscriptions.length + (await owner.get('/api/subscriptions?status=unpaid')).json().subscriptions.length;
      assert.ok(dunning >= 1, 'some memberships are in dunning');
      const customers = (await owner.get('/api/customers?limit=5')).json().customers;
      assert.ok(customers.length === 5 && customers.every((c: { lifetimeValue: number }) => c.lifetimeValue >= 0));
      const coupons = (await owner.get('/api/coupons')).json().coupons;
      assert.ok(coupons.find((c: { code: string; redemptions: number }) => c.code === 'LAUNCH20')!.redemptions > 10);
    });

    it('a demo order can be refunded and a demo customer can download what they bought', async () => {
      const orders = (await owner.get('/api/orders?status=paid&limit=200')).json().orders;
      const target = orders.find((o: { items: string; amountRefunded: number; total: number }) => o.items.includes('Course Launch Checklist') && o.amountRefunded === 0 && o.total > 0);
      assert.ok(target, JSON.stringify(orders.slice(0, 5)));
      const refund = await owner.post(`/api/orders/${target.id}/refunds`, { amount: 500, reason: 'demo' });
      assert.equal(refund.statusCode, 201, refund.body);
      const buyer = orders.find((o: { id: string; items: string; amountRefunded: number; kind: string }) => o.items.includes('Course Launch Checklist') && o.amountRefunded === 0 && o.id !== target.id);
      const b = new FormBrowser(t);
      const contact = await t.app.audience.getContact(t.app.db, buyer.contactId);
      const { token } = await t.app.portal.openSession(t.app.db, contact);
      b.cookies.set('oh_customer', token);
      const account = await b.go('GET', '/account');
      const link = /href="(\/downloads\/[^"]+)"[^>]*>course-launch-checklist\.pdf/.exec(account.body)![1]!.replace(/&amp;/g, '&');
      const file = await b.go('GET', link);
      assert.equal(file.statusCode, 200);
      assert.match(file.body, /^%PDF-1\.4/);
    });

    it('loads once', async () => {
      assert.equal((await owner.post('/api/demo')).json().loaded, false);
    });
  });
}
