import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.js';
import { createRandom } from '../../demo/random.js';
import { backends, createTestApp, waitFor, type TestApp } from '../../../test/support/harness.js';
import { seedAnalyticsDemo } from './demo.js';
import { rawBreakdown } from './queries.js';

const NOW = '2026-06-15T12:00:00Z';
const days = (ago: number) => new Date(Date.parse(NOW) - ago * 86_400_000).toISOString().slice(0, 10);

for (const backend of backends()) {
  describe(`analytics demo [${backend}]`, () => {
    let t: TestApp;
    let seconds = 0;
    before(async () => {
      t = await createTestApp(backend, { clock: new ManualClock(NOW), config: { ANALYTICS_FLUSH_MS: '60000' }, startWorkers: true });
      const started = performance.now();
      await seedAnalyticsDemo(t.app, { owner: undefined as never, now: new Date(NOW), random: createRandom(7), shared: { products: [{ slug: 'wheel-throwing' }, { slug: 'glazing' }] } });
      seconds = (performance.now() - started) / 1000;
      // the older months are rolled up by jobs, in the background
      await waitFor(async () => (await t.app.database.execute<{ n: number }>(`select count(distinct day)::int as n from analytics_daily where d1 = ''`)).rows[0]!.n === 365, { timeoutMs: 120_000, what: 'the whole year rolled up' });
    });
    after(() => t.close());

    it('a year of traffic, bulk-loaded quickly (the last 61 days rolled up at once, the rest by jobs)', async () => {
      const n = (await t.app.database.execute<{ n: number; first: string }>(`select count(*)::int as n, to_char(min(at), 'YYYY-MM-DD') as first from analytics_events`)).rows[0]!;
      console.log(`# analytics demo [${backend}]: ${n.n} events in ${seconds.toFixed(2)} s`);
      assert.ok(n.n > 20_000, `${n.n} events`);
      assert.equal(n.first, days(364));
      // measured: 1.3–1.6 s on a quiet machine, up to 9 s on the loaded shared one; the bound only catches a large regression
      assert.ok(seconds < 60, `${seconds} s`);
      assert.deepEqual(await t.app.analytics.rollUp(), [], 'everything is rolled up already');
    });

    it('shows what the owner’s alerts look for: Google halved overnight, Facebook declining over six weeks', async () => {
      const visitors = async (source: string, from: number, to: number) =>
        (await t.app.analytics.totals({ from: days(from), to: days(to) }, { dim: 'source', value: source })).visitors;
      const googleBefore = await visitors('Google', 68, 41);
      const googleAfter = await visitors('Google', 39, 12);
      assert.ok(googleAfter < googleBefore * 0.65 && googleAfter > googleBefore * 0.35, `Google ${googleBefore} → ${googleAfter}`);
      const fbEarly = await visitors('Facebook', 90, 63);
      const fbLate = await visitors('Facebook', 14, 1);
      assert.ok(fbLate < fbEarly * 0.7, `Facebook ${fbEarly} → ${fbLate}`);
      const direct = await rawBreakdown(t.app.database.execute, { from: days(30), to: days(1) }, { dim: 'source', value: 'Google' }, 'channel');
      assert.deepEqual([...direct.keys()].sort(), ['organic_search']);
    });

    it('is the same on every load (seeded)', async () => {
      await t.app.jobs.stop(1000);
      const sum = (await t.app.database.execute<{ s: string }>(`select md5(string_agg(path || source || at::text, ',' order by id)) as s from analytics_events`)).rows[0]!.s;
      await t.app.database.execute('delete from analytics_events; delete from analytics_visits');
      await seedAnalyticsDemo(t.app, { owner: undefined as never, now: new Date(NOW), random: createRandom(7), shared: { products: [{ slug: 'wheel-throwing' }, { slug: 'glazing' }] } });
      const again = (await t.app.database.execute<{ s: string }>(`select md5(string_agg(path || source || at::text, ',' order by id)) as s from analytics_events`)).rows[0]!.s;
      assert.equal(again, sum);
    });
  });
}
