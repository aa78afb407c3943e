// Month arithmetic for renewals and plan instalments: month ends clamp (31 January → 28/29
// February) and every period is counted from the subscription's anchor, so the 31st comes back
// (→ 31 March), and leap days recur only in leap years.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../clock.js';
import { backends, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { ownerActor, seedShop, type Shop } from '../../../test/support/shop.js';
import { addInterval, nextPeriodEnd } from './billing.js';

const day = (iso: string) => new Date(`${iso}T10:00:00Z`);
const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** Successive period ends on an anchor's schedule, each from the one before (as renewals do). */
function chain(anchor: Date, interval: 'month' | 'year', n: number): string[] {
  const out: string[] = [];
  let end = addInterval(anchor, interval, null);
  for (let i = 0; i < n; i++) {
    out.push(ymd(end));
    end = nextPeriodEnd(anchor, interval, end);
  }
  return out;
}

describe('billing dates', () => {
  it('one month after a month end is the last day of the shorter month', () => {
    assert.equal(ymd(addInterval(day('2027-01-31'), 'month', null)), '2027-02-28');
    assert.equal(ymd(addInterval(day('2028-01-31'), 'month', null)), '2028-02-29');
    assert.equal(ymd(addInterval(day('2027-03-31'), 'month', null)), '2027-04-30');
    assert.equal(ymd(addInterval(day('2027-12-31'), 'month', null)), '2028-01-31');
    assert.equal(ymd(addInterval(day('2027-01-24'), 'month', 7)), '2027-01-31', 'a trial counts days');
    assert.equal(addInterval(day('2027-01-31'), 'month', null).toISOString(), '2027-02-28T10:00:00.000Z', 'the time of day is kept, in UTC');
  });

  it('renewals are counted from the anchor, not chained from a clamped date', () => {
    assert.deepEqual(chain(day('2027-01-31'), 'month', 6), ['2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31', '2027-06-30', '2027-07-31']);
    assert.deepEqual(chain(day('2028-01-31'), 'month', 3), ['2028-02-29', '2028-03-31', '2028-04-30']);
    assert.deepEqual(chain(day('2027-01-30'), 'month', 3), ['2027-02-28', '2027-03-30', '2027-04-30']);
    assert.deepEqual(chain(day('2028-02-29'), 'year', 5), ['2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29', '2033-02-28']);
    // A renewal run late (the clock is past the end) still lands on the anchor's day.
    assert.equal(ymd(nextPeriodEnd(day('2027-01-31'), 'month', new Date('2027-03-02T00:00:00Z'))), '2027-03-31');
  });
});

async function subscribe(t: TestApp, priceId: string, email: string) {
  const b = new FormBrowser(t);
  const page = await b.go('GET', `/checkout/${priceId}`);
  const placed = await b.go('POST', `/checkout/${priceId}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email, intent: 'pay' });
  assert.equal(placed.statusCode, 303, placed.body.slice(0, 300));
  const payPath = pathOf(String(placed.headers.location));
  const payPage = await b.go('GET', payPath);
  const paid = await b.go('POST', payPath, { _csrf: FormBrowser.csrf(payPage.body), card: '4242424242424242' });
  assert.equal(paid.statusCode, 303);
  const contact = (await t.app.audience.findByEmail(t.app.db, email))!;
  const [sub] = await t.app.checkout.queries.listSubscriptions(t.app.db, { contactId: contact.id });
  return sub!;
}

for (const backend of backends()) {
  describe(`renewal dates with the test provider [${backend}]`, () => {
    let t: TestApp;
    let shop: Shop;
    const clock = new ManualClock(day('2027-01-24'));
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    before(async () => {
      t = await createTestApp(backend, { clock, config: { FILES_DIR: filesDir } });
      await setupOwner(t);
      shop = await seedShop(t);
    });
    after(async () => {
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    });

    const periodEnd = async (id: string) => ymd((await t.app.checkout.queries.findSubscription(t.app.db, { id }))!.currentPeriodEnd);
    /** Moves the clock to a subscription's period end and runs the billing job. */
    async function renewAt(id: string) {
      const sub = (await t.app.checkout.queries.findSubscription(t.app.db, { id }))!;
      clock.set(sub.currentPeriodEnd);
      await t.app.testPayments!.runBilling();
      return periodEnd(id);
    }

    it('a monthly subscription, a trial and a payment plan started on a 31st renew on month ends and come back to the 31st', async () => {
      const trial = await subscribe(t, shop.prices.trial, 'trial-31@example.com'); // 24 Jan + 7 days = 31 Jan
      assert.equal(await periodEnd(trial.id), '2027-01-31');
      clock.set(day('2027-01-31'));
      const monthly = await subscribe(t, shop.prices.monthly, 'monthly-31@example.com');
      const plan = await subscribe(t, shop.prices.plan, 'plan-31@example.com');
      assert.equal(await periodEnd(monthly.id), '2027-02-28');
      assert.equal(await periodEnd(plan.id), '2027-02-28');
      await t.app.testPayments!.runBilling(); // the trial ends today: first payment
      assert.equal(await periodEnd(trial.id), '2027-02-28');

      assert.equal(await renewAt(monthly.id), '2027-03-31');
      assert.equal(await periodEnd(trial.id), '2027-03-31');
      assert.equal(await periodEnd(plan.id), '2027-03-31');
      assert.equal(await renewAt(monthly.id), '2027-04-30');
      assert.equal(await renewAt(monthly.id), '2027-05-31');
      const done = (await t.app.checkout.queries.findSubscription(t.app.db, { id: plan.id }))!;
      assert.equal(done.status, 'completed', 'the plan took its third instalment on 31 March');
      assert.equal(done.instalmentsPaid, 3);
    });

    it('in a leap year 31 January renews on 29 February; a yearly price from 29 February renews on 28 February and on 29 February in leap years', async () => {
      clock.set(day('2028-01-31'));
      const leap = await subscribe(t, shop.prices.monthly, 'leap-31@example.com');
      assert.equal(await periodEnd(leap.id), '2028-02-29');
      assert.equal(await renewAt(leap.id), '2028-03-31');

      const yearly = await t.app.catalog.createPrice(shop.course.id, { type: 'subscription', currency: 'usd', amount: 19000, interval: 'year' }, ownerActor);
      clock.set(day('2028-02-29'));
      const sub = await subscribe(t, yearly.id, 'yearly-leap@example.com');
      assert.equal(await periodEnd(sub.id), '2029-02-28');
      assert.equal(await renewAt(sub.id), '2030-02-28');
      assert.equal(await renewAt(sub.id), '2031-02-28');
      assert.equal(await renewAt(sub.id), '2032-02-29');
      assert.equal(await renewAt(sub.id), '2033-02-28');
    });
  });
}
