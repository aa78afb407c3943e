import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.js';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import type { Hit } from './ingest.js';
import { businessSteps, trackedPath } from './tracking.js';

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const base = Date.parse('2026-04-07T09:00:00Z');

/** Each visitor: an address and their steps, minutes after 09:00. */
function visitor(ip: string, referrer: string | null, steps: [number, string, string?][]): Hit[] {
  return steps.map(([min, name, path]) => ({ name, url: `http://127.0.0.1:3000${path ?? '/'}`, referrer: referrer, userAgent: UA, ip, at: new Date(base + min * 60_000) }));
}

for (const backend of backends()) {
  describe(`analytics funnels [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend, { clock: new ManualClock('2026-04-07T18:00:00Z'), config: { ANALYTICS_FLUSH_MS: '60000' } });
      owner = await setupOwner(t);
      await t.app.analytics.ingest.write([
        ...visitor('192.0.2.1', 'https://www.google.com/', [[0, 'pageview', '/'], [2, 'pageview', '/p/bowls'], [5, 'checkout_started', '/checkout/:priceId'], [7, 'pageview', '/checkout/thank-you/:orderId'], [7, 'order_paid', '/checkout/thank-you/:orderId']]),
        ...visitor('192.0.2.2', null, [[0, 'pageview', '/'], [1, 'pageview', '/p/mugs'], [3, 'checkout_started', '/checkout/:priceId']]),
        // the product page before the home page: step 2 must come after step 1
        ...visitor('192.0.2.3', 'https://www.google.com/', [[0, 'pageview', '/p/bowls'], [4, 'pageview', '/']]),
        // paid without the steps between: not counted past step 1
        ...visitor('192.0.2.4', null, [[0, 'pageview', '/'], [9, 'order_paid', '/checkout/thank-you/:orderId']]),
        ...visitor('192.0.2.5', 'https://l.facebook.com/', [[0, 'checkout_started', '/checkout/:priceId'], [1, 'pageview', '/']]),
      ]);
    });
    after(() => t.close());

    const funnel = (steps: string[], extra = '') => owner.get(`/api/analytics/funnel?period=today${extra}&${steps.map((s) => `step=${encodeURIComponent(s)}`).join('&')}`);

    it('counts visitors step by step, in order, with conversion and drop-off, by source', async () => {
      const res = await funnel(['page:/', 'page:/p/*', 'event:checkout_started', 'event:order_paid']);
      assert.equal(res.statusCode, 200, res.body);
      const f = res.json();
      assert.deepEqual(f.steps.map((s: { visitors: number }) => s.visitors), [5, 2, 2, 1]);
      assert.deepEqual(f.steps.map((s: { conversionRate: number }) => s.conversionRate), [100, 40, 40, 20]);
      assert.deepEqual(f.steps.map((s: { dropOff: number }) => s.dropOff), [0, 60, 0, 50]);
      const bySource = Object.fromEntries(f.bySource.map((r: { source: string; visitors: number[] }) => [r.source, r.visitors]));
      assert.deepEqual(bySource, { Google: [2, 1, 1, 1], 'Direct / None': [2, 1, 1, 0], Facebook: [1, 0, 0, 0] });
    });

    it('a filter narrows the funnel like every panel', async () => {
      const f = (await funnel(['page:/', 'event:order_paid'], '&filter=source:Google')).json();
      assert.deepEqual(f.steps.map((s: { visitors: number }) => s.visitors), [2, 1]);
    });

    it('2 to 8 well-formed steps, or a 400', async () => {
      assert.equal((await funnel(['page:/'])).statusCode, 400);
      assert.equal((await funnel(Array.from({ length: 9 }, () => 'page:/'))).statusCode, 400);
      assert.equal((await funnel(['page:/', 'nonsense'])).statusCode, 400);
      assert.equal((await funnel(['page:/', 'page:/%_not_a_wildcard*'])).statusCode, 200);
    });

    it('a saved funnel: saved by name, listed, computed for any period and filter, changed, deleted', async () => {
      const steps = ['page:/', 'page:/p/*', 'event:checkout_started', 'event:order_paid'];
      const saved = await owner.post('/api/analytics/funnels', { name: 'Home to purchase', steps });
      assert.equal(saved.statusCode, 200, saved.body);
      const f = saved.json();
      assert.deepEqual(f.steps, [{ kind: 'page', match: '/' }, { kind: 'page', match: '/p/*' }, { kind: 'event', match: 'checkout_started' }, { kind: 'event', match: 'order_paid' }]);
      // the same name again replaces the steps, it does not make a second funnel
      const again = (await owner.post('/api/analytics/funnels', { name: 'Home to purchase', steps: ['page:/', 'event:order_paid'] })).json();
      assert.equal(again.id, f.id);
      assert.deepEqual((await owner.get('/api/analytics/funnels')).json().funnels.map((x: { name: string; steps: unknown[] }) => [x.name, x.steps.length]), [['Home to purchase', 2]]);
      const computed = (await owner.get(`/api/analytics/funnels/${f.id}?period=today`)).json();
      assert.equal(computed.funnel.name, 'Home to purchase');
      assert.deepEqual(computed.result.steps.map((s: { visitors: number }) => s.visitors), [5, 2], 'visitor 4 paid after the home page: two steps need nothing between');
      assert.deepEqual(computed.result, (await funnel(['page:/', 'event:order_paid'])).json());
      const filtered = (await owner.get(`/api/analytics/funnels/${f.id}?period=today&filter=source:Google`)).json();
      assert.deepEqual(filtered.result.steps.map((s: { visitors: number }) => s.visitors), [2, 1]);
      // another period: nothing that day
      const yesterday = (await owner.get(`/api/analytics/funnels/${f.id}?period=custom&from=2026-04-06&to=2026-04-06`)).json();
      assert.deepEqual(yesterday.result.steps.map((s: { visitors: number }) => s.visitors), [0, 0]);

      const other = (await owner.post('/api/analytics/funnels', { name: 'Checkout', steps: ['event:checkout_started', 'event:order_paid'] })).json();
      assert.equal((await owner.patch(`/api/analytics/funnels/${other.id}`, { name: 'Home to purchase', steps: ['page:/', 'page:/'] })).statusCode, 409, 'two funnels may not share a name');
      const renamed = await owner.patch(`/api/analytics/funnels/${other.id}`, { name: 'Checkout to paid', steps: ['event:checkout_started', 'event:order_paid'] });
      assert.equal(renamed.json().name, 'Checkout to paid');
      assert.equal((await owner.get(`/api/analytics/funnels/${other.id}?period=today`)).json().result.steps[0].visitors, 3);

      assert.equal((await owner.post('/api/analytics/funnels', { name: 'One step', steps: ['page:/'] })).statusCode, 400);
      assert.equal((await owner.post('/api/analytics/funnels', { name: ' ', steps: ['page:/', 'page:/'] })).statusCode, 400);
      assert.equal((await owner.post('/api/analytics/funnels', { name: 'Bad', steps: ['page:/', 'nonsense'] })).statusCode, 400);

      // support may not read analytics; marketing may save
      const support = await addMember(t, owner, 'support');
      assert.equal((await support.get('/api/analytics/funnels')).statusCode, 403);
      assert.equal((await support.post('/api/analytics/funnels', { name: 'X', steps: ['page:/', 'page:/'] })).statusCode, 403);
      const marketing = await addMember(t, owner, 'marketing');
      assert.equal((await marketing.post('/api/analytics/funnels', { name: 'Marketing', steps: ['page:/', 'event:signup'] })).statusCode, 200);

      assert.equal((await owner.delete(`/api/analytics/funnels/${other.id}`)).statusCode, 204);
      assert.equal((await owner.delete(`/api/analytics/funnels/${other.id}`)).statusCode, 404);
      assert.equal((await owner.get(`/api/analytics/funnels/${other.id}?period=today`)).statusCode, 404);
      assert.deepEqual((await owner.get('/api/analytics/funnels')).json().funnels.map((x: { name: string }) => x.name), ['Home to purchase', 'Marketing']);
    });

    it('business steps are recorded from routes that exist, with no order number or token in the path', () => {
      const routes = new Set(t.server.routeTable.map((r) => `${r.method} ${r.url}`));
      for (const key of Object.keys(businessSteps)) assert.ok(routes.has(key), `${key} is not a route any more`);
      assert.equal(trackedPath('/checkout/thank-you/:orderId', { orderId: 'f00' }), '/checkout/thank-you/:orderId');
      assert.equal(trackedPath('/p/:slug', { slug: 'bowls' }), '/p/bowls');
    });
  });
}
