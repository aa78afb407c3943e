// The weekly review on the demo business at its fixed virtual date (DEMO_TODAY, a Monday): the owner's share falls from
// about 80 % to about 25 %, the traffic source that halved and the one sliding are named, the two
// stale courses are decisions, and there are never more than seven.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, waitFor, type Client } from '../../../test/support/harness.js';
import { createDemoTestApp, type DemoTestApp } from '../../../test/support/demo-snapshot.js';
import type { Review, AbsenceForecast } from './contract.js';

for (const backend of backends()) {
  describe(`the review on the demo business [${backend}]`, () => {
    let t: DemoTestApp;
    let owner: Client;
    let review: Review;
    before(async () => {
      t = await createDemoTestApp(backend, { startWorkers: true });
      owner = t.owner;
      // Analytics rolls the older months up in the background; the detectors read 120 days.
      await waitFor(async () => (await t.app.database.execute<{ n: number }>(`select count(distinct day)::int as n from analytics_daily where d1 = ''`)).rows[0]!.n >= 125, { timeoutMs: 120_000, what: 'the last 125 days of traffic rolled up' });
      await t.app.owner.runDailyChecks();
      const res = await owner.get('/api/owner/review');
      assert.equal(res.statusCode, 200, res.body);
      review = res.json();
    });
    after(() => t.close());

    it('shows the owner\'s share of the work falling from about 80 % to about 25 %', async () => {
      const m = await t.app.owner.meter({ weeks: 52 });
      const first = m.weeks.slice(0, 4).reduce((s, w) => s + w.ownerShare, 0) / 4;
      const last = m.weeks.slice(-5, -1).reduce((s, w) => s + w.ownerShare, 0) / 4;
      console.log(`# demo owner share: first 4 weeks ${(first * 100).toFixed(1)} %, last 4 complete weeks ${(last * 100).toFixed(1)} %; minutes ${m.weeks[0]!.ownerMinutes} → ${m.weeks[50]!.ownerMinutes}`);
      assert.ok(first > 0.7 && first < 0.9, `first weeks ${first}`);
      assert.ok(last > 0.15 && last < 0.35, `last weeks ${last}`);
      assert.ok(m.weeks[0]!.ownerMinutes > m.weeks[50]!.ownerMinutes * 4);
    });

    // Facebook's slide (to 40 % over six weeks from about 18 visitors a day) was not caught until
    // 2026-12-03: the demo made about 4 a day (its base is scaled by 0.25), under the slow-decline
    // test's 50 a week, so the test never judged it. Now it is about 18 a day, as meant.
    it('names the source that halved overnight, as a sudden drop and as a slide, and the one sliding slowly', () => {
      console.log(`# what moved:\n${review.whatMoved.map((l) => `#   ${l}`).join('\n')}`);
      const declines = review.alerts.filter((a) => a.detector === 'sudden_drop' || a.detector === 'slow_decline');
      console.log(`# declines: ${declines.map((a) => `${a.detector} ${a.key}`).join(', ')}`);
      assert.ok(declines.some((a) => a.key === 'visitors:Google' && a.detector === 'sudden_drop'), 'Google halved overnight');
      assert.ok(declines.some((a) => a.key === 'visitors:Google' && a.detector === 'slow_decline'), 'and stays down');
      assert.ok(declines.some((a) => a.key === 'visitors:Facebook' && a.detector === 'slow_decline'), 'Facebook slides over six weeks');
      assert.ok(!declines.some((a) => a.key === 'visitors:Facebook' && a.detector === 'sudden_drop'), 'a slide is not a sudden drop');
      assert.ok(review.whatMoved.some((l) => l.includes('Google')));
      assert.ok(review.whatMoved.length <= 5);
    });

    it('lists the expected decisions, at most seven: Google\'s drop, Facebook\'s slide, the refund request and the two stale courses among them', () => {
      console.log(`# decisions:\n${review.decisions.map((d) => `#   ${d.rank}. [${d.kind}] ${d.title}`).join('\n')}`);
      assert.ok(review.decisions.length <= 7);
      assert.equal(review.decisions.filter((d) => d.kind === 'course_review').length, 2);
      assert.ok(review.decisions.some((d) => d.key === 'alert:sudden_drop:visitors:Google'));
      assert.ok(review.decisions.some((d) => d.key === 'alert:slow_decline:visitors:Facebook'), 'Facebook\'s slide');
      assert.ok(review.decisions.some((d) => d.kind === 'approval'), 'the refund above the limit');
      for (const d of review.decisions) assert.ok(d.actions.length > 0, `${d.title} has a one-click action`);
    });

    it('reports what ran without the owner and each assistant', () => {
      assert.ok(review.withoutOwner.operations.automation > 0);
      assert.ok(review.withoutOwner.revenue && review.withoutOwner.revenue.amount > 0);
      assert.ok(review.assistants.length >= 1);
      assert.ok(review.concentration.some((c) => c.what === 'visitors_by_source' && c.top));
    });

    it('forecasts 90 days away on the demo\'s virtual time', async () => {
      const res = await owner.get('/api/owner/forecast');
      assert.equal(res.statusCode, 200, res.body);
      const f: AbsenceForecast = res.json();
      console.log(`# forecast: ${f.revenue.expected} ${f.currency} (${f.revenue.low}–${f.revenue.high}), last 90 days ${f.revenue.lastPeriod}; stops ${f.stops.map((s) => s.type).join(', ')}; stale ${f.coursesGoingStale.length}; sends run out ${f.sendsRunOutOn}`);
      assert.equal(f.until, '2026-09-13');
      assert.ok(f.revenue.low <= f.revenue.expected && f.revenue.expected <= f.revenue.high);
      assert.ok(f.revenue.expected > 0);
      assert.ok(f.coursesGoingStale.length >= 2);
      assert.ok(f.sendsRunOutOn && f.sendsRunOutOn > f.today, 'the mail demo\'s scheduled newsletter is still to go out');
    });
  });
}
