// Revenue against hand-computed fixtures: orders, payments and refunds written straight into
// checkout's tables (a test may), traffic through ingest, every figure worked out by hand below.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../clock.js';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import type { Hit } from './ingest.js';
import Fastify from 'fastify';
import { installPageTracking } from './tracking.js';
import type { AnalyticsService } from './service.js';

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const SITE = 'http://127.0.0.1:3000';
const hit = (ip: string, at: string, name: string, path: string, referrer: string | null = null, props: Record<string, string> | null = null): Hit => ({ name, url: `${SITE}${path}`, referrer, userAgent: UA, ip, at: new Date(at), props });

/** The fixture business. Period 2026-04-01..07, previous 2026-03-25..31. */
async function seed(t: TestApp): Promise<Record<string, string>> {
  const exec = t.app.database.execute;
  const ids: Record<string, string> = {};
  const contact = async (email: string) => {
    const id = randomUUID();
    await exec(`insert into contacts (id, email, email_normalized, created_at, updated_at) values ($1, $2, $2, now(), now())`, [id, email]);
    return id;
  };
  const ann = await contact('ann@example.com');
  const bob = await contact('bob@example.com');
  const order = async (key: string, contactId: string, paidAt: string, items: [string, 'main' | 'bump' | 'upsell', 'one_time' | 'subscription', number][], opts: { kind?: string; currency?: string } = {}) => {
    const id = randomUUID();
    ids[key] = id;
    const total = items.reduce((s, i) => s + i[3], 0);
    const currency = opts.currency ?? 'usd';
    await exec(
      `insert into orders (id, kind, contact_id, email, status, currency, subtotal, total, amount_paid, provider, created_at, expires_at, updated_at, paid_at)
       values ($1, $2, $3, 'x@example.com', 'paid', $4, $5, $5, $5, 'test', $6, $6, $6, $6)`,
      [id, opts.kind ?? 'checkout', contactId, currency, total, paidAt],
    );
    for (const [pos, [name, role, priceType, amount]] of items.entries()) {
      const priceId = (ids[`price:${name}`] ??= randomUUID());
      const productId = (ids[`product:${name}`] ??= randomUUID());
      await exec(
        `insert into order_items (order_id, role, product_id, price_id, name, price_type, interval, currency, unit_amount, amount, position)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)`,
        [id, role, productId, priceId, name, priceType, priceType === 'subscription' ? 'month' : null, currency, amount, pos],
      );
    }
    return id;
  };
  const payment = (orderId: string, kind: string, amount: number, at: string, subscriptionId: string | null = null, currency = 'usd') =>
    exec(`insert into payments (order_id, subscription_id, provider, provider_payment_id, kind, amount, currency, created_at) values ($1, $2, 'test', $3, $4, $5, $6, $7)`, [orderId, subscriptionId, randomUUID(), kind, amount, currency, at]);
  const refund = (orderId: string, amount: number, status: string, at: string) =>
    exec(`insert into refunds (order_id, provider, amount, currency, status, actor_kind, created_at, completed_at) values ($1, 'test', $2, 'usd', $3, 'owner', $4, $4)`, [orderId, amount, status, at]);

  // O1: a course with an order bump, 120.00 — 20.00 refunded in the period (a pending 50.00 refund does not count)
  const o1 = await order('o1', ann, '2026-04-02T11:05:00Z', [['Bowls course', 'main', 'one_time', 10000], ['Glaze guide', 'bump', 'one_time', 2000]]);
  await payment(o1, 'initial', 12000, '2026-04-02T11:05:00Z');
  await refund(o1, 2000, 'succeeded', '2026-04-06T08:00:00Z');
  await refund(o1, 5000, 'pending', '2026-04-06T09:00:00Z');
  // O2: a subscription, first month 29.00; O4: its upsell, 29.00
  const o2 = await order('o2', bob, '2026-04-03T10:10:00Z', [['Mug club', 'main', 'subscription', 2900]]);
  await payment(o2, 'initial', 2900, '2026-04-03T10:10:00Z');
  const o4 = await order('o4', bob, '2026-04-03T10:12:00Z', [['Swipe file', 'upsell', 'one_time', 2900]], { kind: 'upsell' });
  await payment(o4, 'upsell', 2900, '2026-04-03T10:12:00Z');
  // O3: a subscription bought in March (before both periods): a renewal of 29.00 in the period is revenue, not an order
  const o3 = await order('o3', ann, '2026-03-04T10:00:00Z', [['Mug club', 'main', 'subscription', 2900]]);
  await payment(o3, 'initial', 2900, '2026-03-04T10:00:00Z');
  const sub = randomUUID();
  await exec(
    `insert into subscriptions (id, order_id, contact_id, product_id, price_id, kind, provider, status, currency, amount, interval, current_period_end, created_at, updated_at)
     values ($1, $2, $3, $4, $5, 'subscription', 'test', 'active', 'usd', 2900, 'month', '2026-05-04T10:00:00Z', '2026-03-04T10:00:00Z', '2026-04-04T10:00:00Z')`,
    [sub, o3, ann, ids['product:Mug club'], ids['price:Mug club']],
  );
  await payment(o3, 'renewal', 2900, '2026-04-04T10:00:00Z', sub);
  // O5: the previous period, 100.00
  const o5 = await order('o5', bob, '2026-03-28T15:00:00Z', [['Bowls course', 'main', 'one_time', 10000]]);
  await payment(o5, 'initial', 10000, '2026-03-28T15:00:00Z');
  // O6: another currency, never summed with dollars
  const o6 = await order('o6', ann, '2026-04-02T12:00:00Z', [['Bowls course', 'main', 'one_time', 5000]], { currency: 'eur' });
  await payment(o6, 'initial', 5000, '2026-04-02T12:00:00Z', null, 'eur');

  await t.app.analytics.ingest.write([
    // Ann came from Google, left, came back direct two hours later and bought O1: Google gets it (last non-direct touch)
    hit('192.0.2.1', '2026-04-02T09:00:00Z', 'pageview', '/p/bowls', 'https://www.google.com/'),
    hit('192.0.2.1', '2026-04-02T11:00:00Z', 'pageview', '/'),
    hit('192.0.2.1', '2026-04-02T11:05:00Z', 'order_paid', '/checkout/thank-you/:orderId', null, { order: o1 }),
    // Bob clicked a broadcast and bought O2 (the upsell O4 has no step of its own: not tracked)
    hit('192.0.2.2', '2026-04-03T10:00:00Z', 'pageview', '/p/mugs?utm_source=newsletter&utm_medium=email&utm_campaign=spring'),
    hit('192.0.2.2', '2026-04-03T10:10:00Z', 'order_paid', '/checkout/thank-you/:orderId', null, { order: o2 }),
    // four more visitors in the period who bought nothing: 6 visitors, 3 orders
    ...['192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6'].map((ip) => hit(ip, '2026-04-04T12:00:00Z', 'pageview', '/')),
    // the previous period: 2 visitors, O5 direct
    hit('192.0.2.7', '2026-03-28T14:55:00Z', 'pageview', '/'),
    hit('192.0.2.7', '2026-03-28T15:00:00Z', 'order_paid', '/checkout/thank-you/:orderId', null, { order: o5 }),
    hit('192.0.2.8', '2026-03-29T12:00:00Z', 'pageview', '/'),
  ]);
  await t.app.analytics.rollUp();
  return ids;
}

const byValue = (rows: { value: string }[]) => Object.fromEntries(rows.map(({ value, ...rest }) => [value, rest]));

for (const backend of backends()) {
  describe(`analytics revenue [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    const period = 'period=custom&from=2026-04-01&to=2026-04-07';
    before(async () => {
      t = await createTestApp(backend, { clock: new ManualClock('2026-04-08T09:00:00Z'), config: { ANALYTICS_FLUSH_MS: '60000' } });
      owner = await setupOwner(t);
      await seed(t);
    });
    after(() => t.close());

    it('totals: gross, refunds, net, orders, average order value, conversion rate, beside the previous period', async () => {
      const res = await owner.get(`/api/analytics/revenue?${period}`);
      assert.equal(res.statusCode, 200, res.body);
      const r = res.json();
      assert.equal(r.currency, 'usd');
      assert.deepEqual(r.previousRange, { from: '2026-03-25', to: '2026-03-31' });
      // gross 120 + 29 + 29 (upsell) + 29 (renewal) = 207.00; refunds 20.00 (the pending one not); orders O1, O2, O4;
      // AOV (120 + 29 + 29) / 3 = 59.33; conversion 3 orders / 6 visitors
      assert.deepEqual(r.totals.current, { gross: 20700, refunds: 2000, net: 18700, orders: 3, averageOrderValue: 5933, visitors: 6, conversionRate: 50 });
      assert.deepEqual(r.totals.previous, { gross: 10000, refunds: 0, net: 10000, orders: 1, averageOrderValue: 10000, visitors: 2, conversionRate: 50 });
    });

    it('a daily series with every day of the period', async () => {
      const s = (await owner.get(`/api/analytics/revenue?${period}`)).json().series;
      assert.equal(s.length, 7);
      const days = Object.fromEntries(s.map((p: { t: string; gross: number; refunds: number; orders: number }) => [p.t, [p.gross, p.refunds, p.orders]]));
      assert.deepEqual(days, {
        '2026-04-01': [0, 0, 0], '2026-04-02': [12000, 0, 1], '2026-04-03': [5800, 0, 2], '2026-04-04': [2900, 0, 0],
        '2026-04-05': [0, 0, 0], '2026-04-06': [0, 2000, 0], '2026-04-07': [0, 0, 0],
      });
    });

    it('by product: a bump counts under its main product, a renewal under its subscription', async () => {
      const b = (await owner.get(`/api/analytics/revenue?${period}`)).json().breakdowns;
      assert.deepEqual(byValue(b.products), {
        'Bowls course': { gross: 12000, refunds: 2000, net: 10000, orders: 1, averageOrderValue: 12000, visitors: 6, conversionRate: 16.67 },
        'Mug club': { gross: 5800, refunds: 0, net: 5800, orders: 1, averageOrderValue: 2900, visitors: 6, conversionRate: 16.67 },
        'Swipe file': { gross: 2900, refunds: 0, net: 2900, orders: 1, averageOrderValue: 2900, visitors: 6, conversionRate: 16.67 },
      });
    });

    it('by channel, source, entry page and campaign of the last non-direct visit of the buyer', async () => {
      const b = (await owner.get(`/api/analytics/revenue?${period}`)).json().breakdowns;
      const net = (rows: { value: string; net: number }[]) => Object.fromEntries(rows.map((x) => [x.value, x.net]));
      // O1 → Google (not the direct visit it was bought in); O2 → the broadcast; O4 and O3's renewal were never tracked
      assert.deepEqual(net(b.channels), { organic_search: 10000, email: 2900, '(not tracked)': 5800 });
      assert.deepEqual(net(b.sources), { Google: 10000, newsletter: 2900, '(not tracked)': 5800 });
      assert.deepEqual(net(b.entryPages), { '/p/bowls': 10000, '/p/mugs': 2900, '(not tracked)': 5800 });
      assert.deepEqual(net(b.campaigns), { '(none)': 10000, spring: 2900, '(not tracked)': 5800 });
      // conversion per source: orders ÷ that source's visitors (Google 1, newsletter 1; nobody arrives "not tracked")
      const conv = (rows: { value: string; visitors: number; conversionRate: number }[]) => Object.fromEntries(rows.map((x) => [x.value, [x.visitors, x.conversionRate]]));
      assert.deepEqual(conv(b.sources), { Google: [1, 100], newsletter: [1, 100], '(not tracked)': [0, 0] });
      // a product's conversion: its orders ÷ every visitor of the period (6)
      assert.deepEqual(conv(b.products), { 'Bowls course': [6, 16.67], 'Mug club': [6, 16.67], 'Swipe file': [6, 16.67] });
    });

    it('the dashboard filter applies to revenue through the visit each order is attributed to', async () => {
      const get = async (filter: string) => {
        const res = await owner.get(`/api/analytics/revenue?${period}&filter=${encodeURIComponent(filter)}`);
        assert.equal(res.statusCode, 200, res.body);
        return res.json();
      };
      const google = await get('source:Google');
      assert.deepEqual(google.filter, { dim: 'source', value: 'Google' });
      // O1 only (its refund follows it); 1 visitor came from Google
      assert.deepEqual(google.totals.current, { gross: 12000, refunds: 2000, net: 10000, orders: 1, averageOrderValue: 12000, visitors: 1, conversionRate: 100 });
      assert.deepEqual(google.totals.previous, { gross: 0, refunds: 0, net: 0, orders: 0, averageOrderValue: 0, visitors: 0, conversionRate: 0 });
      assert.deepEqual(byValue(google.breakdowns.products), { 'Bowls course': { gross: 12000, refunds: 2000, net: 10000, orders: 1, averageOrderValue: 12000, visitors: 1, conversionRate: 100 } });
      assert.deepEqual(google.breakdowns.sources.map((r: { value: string }) => r.value), ['Google']);
      const days = Object.fromEntries(google.series.map((p: { t: string; gross: number; refunds: number }) => [p.t, [p.gross, p.refunds]]));
      assert.deepEqual([days['2026-04-02'], days['2026-04-03'], days['2026-04-06']], [[12000, 0], [0, 0], [0, 2000]]);
      // the email channel: O2 (its upsell O4 was not tracked, so no filter takes it)
      const email = await get('channel:email');
      assert.deepEqual([email.totals.current.gross, email.totals.current.orders, email.totals.current.visitors], [2900, 1, 1]);
      assert.deepEqual([(await get('campaign:spring')).totals.current.gross, (await get('entry:/p/mugs')).totals.current.gross], [2900, 2900]);
      // a page: the buyer viewed it that day before paying (Ann saw /p/bowls and then /; Bob neither)
      assert.deepEqual([(await get('page:/p/bowls')).totals.current.gross, (await get('page:/p/mugs')).totals.current.gross], [12000, 2900]);
      const home = await get('page:/');
      assert.deepEqual([home.totals.current.gross, home.totals.previous.orders], [12000, 1], 'the previous period’s direct buyer saw / before paying');
      // a device or browser of the visit: both tracked buyers were on a desktop Chrome
      assert.deepEqual([(await get('device:Desktop')).totals.current.gross, (await get('device:Mobile')).totals.current.gross], [14900, 0]);
      assert.deepEqual((await get('event:signup')).totals.current, { gross: 0, refunds: 0, net: 0, orders: 0, averageOrderValue: 0, visitors: 0, conversionRate: 0 });
      const csv = await owner.get(`/api/analytics/revenue/channels?${period}&filter=source:Google&format=csv`);
      assert.deepEqual(csv.body.trim().split('\n').slice(1), ['organic_search,usd,12000,2000,10000,1,12000,1,100']);
      assert.equal((await owner.get(`/api/analytics/revenue?${period}&filter=nonsense:x`)).statusCode, 400);
    });

    it('a direct-only buyer is direct; another currency is apart', async () => {
      const prev = (await owner.get('/api/analytics/revenue/channels?period=custom&from=2026-03-25&to=2026-03-31')).json();
      // one direct order over the period's 2 direct visitors
      assert.deepEqual(prev.rows.map((x: { value: string; net: number; visitors: number; conversionRate: number }) => [x.value, x.net, x.visitors, x.conversionRate]), [['direct', 10000, 2, 50]]);
      const eur = (await owner.get(`/api/analytics/revenue?${period}&currency=eur`)).json();
      assert.deepEqual([eur.totals.current.gross, eur.totals.current.orders], [5000, 1]);
    });

    it('subscriptions through checkout’s view: MRR, movements, recurring apart from one-time money, payment plans', async () => {
      const o4 = (await t.app.database.execute<{ id: string; contact_id: string }>(`select id, contact_id from orders where kind = 'upsell'`)).rows[0]!;
      await t.app.database.execute(
        `insert into subscriptions (order_id, contact_id, product_id, price_id, kind, provider, status, currency, amount, interval, current_period_end, instalments_paid, instalments_total, created_at, updated_at)
         values ($1, $2, gen_random_uuid(), gen_random_uuid(), 'plan', 'test', 'active', 'usd', 2900, 'month', '2026-05-03T10:12:00Z', 1, 3, '2026-04-03T10:12:00Z', '2026-04-03T10:12:00Z')`,
        [o4.id, o4.contact_id],
      );
      const res = await owner.get('/api/analytics/subscriptions?months=2');
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json();
      // Ann's club, paying since March 4th: new in March, unchanged in April; nobody churned
      assert.deepEqual(m.months.map((x: Record<string, number>) => [x.month, x.startMrr, x.newMrr, x.mrr, x.customers, x.recurringRevenue, x.oneTimeRevenue]), [
        ['2026-03', 0, 2900, 2900, 1, 2900, 10000], // March: O3's first month; O5 (one-time)
        ['2026-04', 2900, 0, 2900, 1, 5800, 14900], // April: O2 + O3's renewal; O1 + the upsell O4
      ]);
      assert.deepEqual([m.mrr, m.arpa, m.ltv, m.plans.outstanding, m.plans.running], [2900, 2900, null, 5800, 1]);
      const csv = await owner.get('/api/analytics/subscriptions?months=2&format=csv');
      assert.equal(csv.body.trim().split('\n').length, 3);
      const support = await addMember(t, owner, 'support', 'support2@example.com');
      assert.equal((await support.get('/api/analytics/subscriptions')).statusCode, 403);
    });

    it('buyer cohorts through checkout’s view', async () => {
      const res = await owner.get('/api/analytics/cohorts?months=2');
      assert.equal(res.statusCode, 200, res.body);
      // Ann (O3 in March; O1 − its refund + O3's renewal in April) and Bob (O5 in March; O2 and O4 in April), both March buyers
      assert.deepEqual(res.json().cohorts, [
        { cohort: '2026-03', customers: 2, cells: [{ repeatRate: 0, revenuePerCustomer: 6450 }, { repeatRate: 100, revenuePerCustomer: 15800 }] },
      ]);
      const csv = await owner.get('/api/analytics/cohorts?months=2&format=csv');
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      assert.deepEqual(csv.body.trim().split('\n'), ['cohort,currency,customers,month,repeatRate,revenuePerCustomer', '2026-03,usd,2,0,0,6450', '2026-03,usd,2,1,100,15800']);
    });

    it('CSV of a breakdown; analytics.read is required', async () => {
      const csv = await owner.get(`/api/analytics/revenue/products?${period}&format=csv`);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      assert.deepEqual(csv.body.trim().split('\n'), [
        'products,currency,gross,refunds,net,orders,averageOrderValue,visitors,conversionRate',
        'Bowls course,usd,12000,2000,10000,1,12000,6,16.67',
        'Mug club,usd,5800,0,5800,1,2900,6,16.67',
        'Swipe file,usd,2900,0,2900,1,2900,6,16.67',
      ]);
      const support = await addMember(t, owner, 'support');
      assert.equal((await support.get(`/api/analytics/revenue?${period}`)).statusCode, 403);
      assert.equal((await support.get(`/api/analytics/revenue/products?${period}`)).statusCode, 403);
    });
  });
}

describe('page tracking: order_paid carries its order (and only that step); only HTML is a page', () => {
  it('records the order id in the props, the path without it', async () => {
    const seen: { name: string; url: string; props?: Record<string, string> | null }[] = [];
    const fastify = Fastify();
    const pages = ['/checkout/thank-you/:orderId', '/brand/favicon.svg'].map((url) => ({ method: 'GET', url, kind: 'page', access: 'public' }));
    fastify.decorate('routeTable', pages as unknown as typeof fastify.routeTable);
    installPageTracking(fastify, { record: (h: (typeof seen)[number]) => seen.push(h) } as unknown as AnalyticsService, 'staff');
    fastify.get('/checkout/thank-you/:orderId', async (_req, reply) => reply.type('text/html; charset=utf-8').send('<p>Thanks</p>'));
    // a public route answering an image is not a page view
    fastify.get('/brand/favicon.svg', async (_req, reply) => reply.type('image/svg+xml').send('<svg/>'));
    fastify.post('/checkout/:priceId', async () => 'ok');
    await fastify.inject({ method: 'GET', url: '/checkout/thank-you/0b5c2a52-6f0e-4a57-9d55-2f0b6a0c9e11' });
    await fastify.inject({ method: 'GET', url: '/brand/favicon.svg' });
    await fastify.inject({ method: 'POST', url: '/checkout/p1' });
    await fastify.close();
    assert.deepEqual(seen.map((h) => [h.name, h.url, h.props ?? null]), [
      ['pageview', '/checkout/thank-you/:orderId', null],
      ['order_paid', '/checkout/thank-you/:orderId', { order: '0b5c2a52-6f0e-4a57-9d55-2f0b6a0c9e11' }],
      ['checkout_started', '/checkout/:priceId', null],
    ]);
  });
});
