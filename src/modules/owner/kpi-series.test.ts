// loadKpiSeries on a small seeded business, on both backends: a few days of traffic rollups,
// opt-ins, sales, a refund, a broadcast with opens and clicks, a course completion, each
// written as the owning module stores it (a test may write another module's tables), then read
// back through the public faces the owner module uses.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../clock.js';
import { backends, createTestApp, type TestApp } from '../../../test/support/harness.js';
import { loadKpiSeries } from './kpi-series.js';
import type { KpiSeries } from './detectors.js';

const TZ = 'America/New_York';
const TODAY = '2026-04-10'; // in New York; the clock is at 2026-04-10T15:00Z = 11:00 there

for (const backend of backends()) {
  describe(`loadKpiSeries (${backend})`, () => {
    let t: TestApp;
    let series: KpiSeries[];
    const find = (key: string) => {
      const s = series.find((x) => x.key === key);
      assert.ok(s, `${key} in ${series.map((x) => x.key).join(', ')}`);
      return s;
    };
    const points = (key: string) => Object.fromEntries(find(key).points.map((p) => [p.day, p.value]));

    before(async () => {
      t = await createTestApp(backend, { clock: new ManualClock('2026-04-10T15:00:00Z') });
      const exec = t.app.database.execute;
      const rollup = (day: string, d1: string, v1: string, visitors: number) =>
        exec(`insert into analytics_daily (day, d1, v1, d2, v2, visitors, visits, entries, pageviews, bounces, duration_s) values ($1, $2, $3, '', '', $4, $4, $4, $4, 0, 0)`, [day, d1, v1, visitors]);
      for (const [day, google, news] of [['2026-04-07', 40, 10], ['2026-04-08', 30, 12], ['2026-04-09', 20, 0]] as const) {
        await rollup(day, '', '', google + news);
        await rollup(day, 'source', 'google', google);
        if (news) await rollup(day, 'source', 'newsletter', news);
      }
      // Today's raw traffic is not in the rollups and must not be read (today is not over).
      const event = (at: string, type: string, data: Record<string, unknown>, subject: [string, string] | null = null, contactId: string | null = null) =>
        exec(`insert into events (occurred_at, type, actor_kind, subject_type, subject_id, contact_id, data) values ($1, $2, 'system', $3, $4, $5, $6)`, [at, type, subject?.[0] ?? null, subject?.[1] ?? null, contactId, JSON.stringify(data)]);
      const contacts = Array.from({ length: 4 }, () => randomUUID());
      // Opt-ins: 2026-04-08 03:30Z is still 04-07 in New York; 04-09 has two; one today does not count.
      await event('2026-04-08T03:30:00Z', 'contact.subscribed', { listIds: [], via: 'form' }, ['contact', contacts[0]!], contacts[0]!);
      await event('2026-04-09T14:00:00Z', 'contact.subscribed', { listIds: [], via: 'form' }, ['contact', contacts[1]!], contacts[1]!);
      await event('2026-04-09T18:00:00Z', 'contact.subscribed', { listIds: [], via: 'form' }, ['contact', contacts[2]!], contacts[2]!);
      await event('2026-04-10T14:00:00Z', 'contact.subscribed', { listIds: [], via: 'form' }, ['contact', contacts[3]!], contacts[3]!);
      await event('2026-04-08T15:00:00Z', 'course.completed', { contactId: contacts[0]! }, ['course', randomUUID()], contacts[0]!);
      // A broadcast on 04-02 to 4 people: 2 opened within three days (one of them clicked), 1 opened later (not counted).
      const b = randomUUID();
      await event('2026-04-02T16:00:00Z', 'broadcast.started', { recipients: 4, name: 'April news' }, ['broadcast', b]);
      await event('2026-04-02T17:00:00Z', 'email.opened', { broadcastId: b }, ['contact', contacts[0]!], contacts[0]!);
      await event('2026-04-03T09:00:00Z', 'email.opened', { broadcastId: b }, ['contact', contacts[1]!], contacts[1]!);
      await event('2026-04-03T09:01:00Z', 'email.clicked', { broadcastId: b, url: 'https://example.com' }, ['contact', contacts[1]!], contacts[1]!);
      await event('2026-04-08T09:00:00Z', 'email.opened', { broadcastId: b }, ['contact', contacts[2]!], contacts[2]!);
      // A broadcast two days ago is too young to have a rate.
      await event('2026-04-08T16:00:00Z', 'broadcast.started', { recipients: 10, name: 'Too young' }, ['broadcast', randomUUID()]);
      // Sales: two orders paid on 04-08 (New York), one of them refunded on 04-09; one order in euros on 04-09.
      for (const c of contacts) await exec(`insert into contacts (id, email, email_normalized, created_at, updated_at) values ($1, $2, $2, now(), now())`, [c, `${c}@example.com`]);
      const order = async (contactId: string, at: string, amount: number, currency: string) => {
        const id = randomUUID();
        await exec(
          `insert into orders (id, kind, contact_id, email, status, currency, subtotal, total, amount_paid, provider, created_at, expires_at, updated_at, paid_at)
           values ($1, 'checkout', $2, 'x@example.com', 'paid', $3, $4, $4, $4, 'test', $5, $5, $5, $5)`,
          [id, contactId, currency, amount, at],
        );
        await exec(
          `insert into order_items (order_id, role, product_id, price_id, name, price_type, interval, currency, unit_amount, amount, position)
           values ($1, 'main', $2, $3, 'Bowls course', 'one_time', null, $4, $5, $5, 0)`,
          [id, randomUUID(), randomUUID(), currency, amount],
        );
        await exec(`insert into payments (order_id, subscription_id, provider, provider_payment_id, kind, amount, currency, created_at) values ($1, null, 'test', $2, 'initial', $3, $4, $5)`, [id, randomUUID(), amount, currency, at]);
        return id;
      };
      const o1 = await order(contacts[0]!, '2026-04-08T14:00:00Z', 10000, 'usd');
      await order(contacts[1]!, '2026-04-09T02:00:00Z', 5000, 'usd'); // 22:00 on 04-08 in New York
      await order(contacts[2]!, '2026-04-09T15:00:00Z', 3000, 'eur');
      await exec(`insert into refunds (order_id, provider, amount, currency, status, actor_kind, created_at, completed_at) values ($1, 'test', 10000, 'usd', 'succeeded', 'owner', $2, $2)`, [o1, '2026-04-09T16:00:00Z']);
      series = await loadKpiSeries({ database: t.app.database, analytics: t.app.analytics }, { today: TODAY, days: 14, timeZone: TZ });
    });
    after(() => t?.close());

    it('gives visitors in all and per source (the largest sources), days with none left out', () => {
      assert.deepEqual(points('visitors'), { '2026-04-07': 50, '2026-04-08': 42, '2026-04-09': 20 });
      assert.deepEqual(points('visitors:google'), { '2026-04-07': 40, '2026-04-08': 30, '2026-04-09': 20 });
      assert.deepEqual(points('visitors:newsletter'), { '2026-04-07': 10, '2026-04-08': 12 });
      assert.equal(find('visitors:google').dimension, 'google');
    });

    it("counts opt-ins and completions on the owner's days, and not today", () => {
      assert.deepEqual(points('opt_ins'), { '2026-04-07': 1, '2026-04-09': 2 });
      assert.deepEqual(points('course_completions'), { '2026-04-08': 1 });
    });

    it('gives sales, revenue per currency in major units, and the refund rate (down is good)', () => {
      assert.deepEqual(points('sales'), { '2026-04-08': 2, '2026-04-09': 1 });
      assert.deepEqual(points('revenue:usd'), { '2026-04-08': 150 });
      assert.deepEqual(points('revenue:eur'), { '2026-04-09': 30 });
      const refund = find('refund_rate');
      assert.equal(refund.direction, 'down_is_good');
      assert.deepEqual(refund.points, [{ day: '2026-04-08', value: 0, denominator: 2 }, { day: '2026-04-09', value: 1, denominator: 1 }]);
    });

    it('gives open and click rates per broadcast day, counted within three days, young broadcasts left out', () => {
      assert.deepEqual(find('open_rate').points, [{ day: '2026-04-02', value: 0.5, denominator: 4 }]);
      assert.deepEqual(find('click_rate').points, [{ day: '2026-04-02', value: 0.25, denominator: 4 }]);
    });

    it('refuses an unknown time zone and a silly number of days', async () => {
      const deps = { database: t.app.database, analytics: t.app.analytics };
      await assert.rejects(loadKpiSeries(deps, { today: TODAY, days: 14, timeZone: "Mars/Olympus'; drop table events; --" }), RangeError);
      await assert.rejects(loadKpiSeries(deps, { today: TODAY, days: 0, timeZone: TZ }), RangeError);
      await assert.rejects(loadKpiSeries(deps, { today: '2026-04-31', days: 14, timeZone: TZ }), RangeError);
    });
  });
}
