// The dashboard reads the daily rollups (today's included, up to the rollup watermark) and
// corrects them by the raw tail, the events after the watermark. These tests hold it to a
// from-scratch GROUP BY over the raw events of the same range: across a day boundary, with
// visits that go on after the watermark (a bounce that becomes a two-page visit, a visit that
// crosses midnight), a late event for yesterday, and filters.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.js';
import { createRandom } from '../../demo/random.js';
import { backends, createTestApp, type TestApp } from '../../../test/support/harness.js';
import { dimensions, type Dimension, type Filter } from './dimensions.js';
import type { Hit } from './ingest.js';
import { breakdown, dailySeries, rawBreakdown, rollupBreakdown, rollupWatermark, type DayRange } from './queries.js';
import { panels, toMetrics, type PanelName } from './service.js';

const UA = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Gecko/20100101 Firefox/125.0',
];
const SITE = 'http://127.0.0.1:3000';
const hit = (ua: number, ip: string, at: string, path: string, extra: Partial<Hit> = {}): Hit => ({ name: 'pageview', url: `${SITE}${path}`, userAgent: UA[ua]!, ip, at: new Date(at), ...extra });

const YESTERDAY = '2026-04-01';
const TODAY = '2026-04-02';
const BOTH: DayRange = { from: YESTERDAY, to: TODAY };
const filters: (Filter | null)[] = [null, { dim: 'page', value: '/p/mugs' }, { dim: 'channel', value: 'organic_search' }, { dim: 'event', value: 'pageview' }];

const sorted = (m: Map<string, unknown>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

for (const backend of backends()) {
  describe(`analytics: rollups + raw tail = raw [${backend}]`, () => {
    let t: TestApp;
    const exec = () => t.app.database.execute;

    before(async () => {
      t = await createTestApp(backend, { clock: new ManualClock(`${TODAY}T00:20:00Z`), config: { ANALYTICS_FLUSH_MS: '60000' } });
      // Rolled up: two visits of one visitor yesterday, a visit begun at 23:50 (one page so far),
      // two visits of today (one page each).
      await t.app.analytics.ingest.write([
        hit(0, '192.0.2.1', `${YESTERDAY}T10:00:00Z`, '/'),
        hit(0, '192.0.2.1', `${YESTERDAY}T15:00:00Z`, '/p/bowls'),
        hit(0, '192.0.2.1', `${YESTERDAY}T15:02:00Z`, '/p/mugs'),
        hit(1, '192.0.2.2', `${YESTERDAY}T23:50:00Z`, '/p/glazes'),
        hit(2, '192.0.2.3', `${TODAY}T00:05:00Z`, '/p/bowls', { referrer: 'https://www.google.com/' }),
        hit(0, '192.0.2.4', `${TODAY}T00:10:00Z`, '/?utm_source=newsletter&utm_medium=email&utm_campaign=april'),
      ]);
      assert.deepEqual(await t.app.analytics.rollUp(), [YESTERDAY, TODAY]);
    });
    after(() => t.close());

    it('the tail is empty right after a roll-up, and the rollups alone equal the raw count', async () => {
      for (const filter of filters)
        for (const dim of [null, ...dimensions]) {
          assert.deepEqual(sorted(await breakdown(exec(), BOTH, filter, dim)), sorted(await rawBreakdown(exec(), BOTH, filter, dim)));
        }
    });

    it('after more events (not rolled up): the same numbers as a raw count, across midnight and under filters', async () => {
      const rolled = (await rollupBreakdown(exec(), BOTH, null, null)).get('')!;
      await t.app.analytics.ingest.write([
        // the 23:50 visit goes on after midnight: yesterday's bounce becomes a two-page visit
        hit(1, '192.0.2.2', `${TODAY}T00:12:00Z`, '/p/mugs'),
        // the Google visitor of 00:05 reads a second page and signs up
        hit(2, '192.0.2.3', `${TODAY}T00:15:00Z`, '/p/mugs'),
        hit(2, '192.0.2.3', `${TODAY}T00:15:05Z`, '/p/mugs', { name: 'signup' }),
        // time on page only: the newsletter visit lasts longer, nothing else changes
        hit(0, '192.0.2.4', `${TODAY}T00:18:00Z`, '/', { name: 'engagement' }),
        // a new visitor, and a late event for yesterday
        hit(1, '192.0.2.5', `${TODAY}T00:16:00Z`, '/p/mugs', { referrer: 'https://l.facebook.com/' }),
        hit(0, '192.0.2.1', `${YESTERDAY}T18:00:00Z`, '/p/glazes', { referrer: 'https://www.google.com/' }),
      ]);
      const raw = (await rawBreakdown(exec(), BOTH, null, null)).get('')!;
      // The case is not trivial: the rollups alone are wrong on every metric the tail touches.
      assert.notDeepEqual(rolled, raw);
      assert.ok(rolled.visitors < raw.visitors && rolled.durationS < raw.durationS && rolled.pageviews < raw.pageviews, JSON.stringify({ rolled, raw }));
      // Visitors are per day (the salt changes at midnight): the visitor whose visit crossed
      // midnight counts on both days, so the two days hold 2 + 4 = 6 visitors.
      assert.equal((await rawBreakdown(exec(), { from: YESTERDAY, to: YESTERDAY }, null, null)).get('')!.visitors, 2);
      assert.equal((await rawBreakdown(exec(), { from: TODAY, to: TODAY }, null, null)).get('')!.visitors, 4);
      assert.equal(raw.visitors, 6);

      let nonEmpty = 0;
      for (const range of [BOTH, { from: YESTERDAY, to: YESTERDAY }, { from: TODAY, to: TODAY }, { from: '2026-03-20', to: TODAY }])
        for (const filter of filters)
          for (const dim of [null, ...dimensions]) {
            const direct = await rawBreakdown(exec(), range, filter, dim);
            assert.deepEqual(sorted(await breakdown(exec(), range, filter, dim)), sorted(direct), JSON.stringify({ range, filter, dim }));
            if (direct.size) nonEmpty++;
          }
      assert.ok(nonEmpty > 100, `only ${nonEmpty} cases had traffic`);
      assert.ok((await rollupWatermark(exec())) > 0);
    });

    it('the dashboard (totals, chart, every panel) equals the raw count, with a filter', async () => {
      for (const filter of filters) {
        const d = await t.app.analytics.dashboard({ period: '7d', filter, limit: 1000 });
        assert.equal(d.range.to, TODAY);
        const total = (await rawBreakdown(exec(), d.range, filter, null)).get('');
        assert.deepEqual(d.totals.current, toMetrics(total));
        for (const name of Object.keys(panels) as PanelName[]) {
          const direct = await rawBreakdown(exec(), d.range, filter, panels[name]);
          const want = Object.fromEntries([...direct].filter(([v]) => (name === 'goals' ? v !== 'pageview' : name === 'campaigns' ? v !== '' : true)).map(([v, c]) => [v, toMetrics(c)]));
          assert.deepEqual(Object.fromEntries(d.panels[name].map(({ value, ...m }) => [value, m])), want, `${name} under ${JSON.stringify(filter)}`);
        }
        for (const p of d.series) {
          const day = (await rawBreakdown(exec(), { from: p.t, to: p.t }, filter, null)).get('');
          assert.deepEqual(p, { t: p.t, visitors: day?.visitors ?? 0, visits: day?.visits ?? 0, pageviews: day?.pageviews ?? 0 });
        }
      }
    });

    it('random traffic rolled up at random moments: rollups + tail equal the raw count every time', async () => {
      const r = createRandom(4242);
      const start = Date.parse('2026-03-25T00:00:00Z');
      const pages = ['/', '/p/bowls', '/p/mugs', '/p/glazes'];
      const arrivals = [null, 'https://www.google.com/', 'https://l.facebook.com/', 'https://potteryblog.example/'];
      // 150 visitors over three days from 20 addresses (so visitors come back and visits cross midnight)
      const hits: Hit[] = [];
      for (let i = 0; i < 150; i++) {
        const ua = r.int(0, 2);
        const ip = `198.51.100.${r.int(1, 20)}`;
        let at = start + r.int(0, 3 * 24 * 60 - 1) * 60_000;
        const referrer = r.pick(arrivals);
        for (let v = r.int(1, 4); v > 0; v--) {
          hits.push(hit(ua, ip, new Date(at).toISOString(), r.pick(pages), { referrer }));
          if (r.chance(0.2)) hits.push(hit(ua, ip, new Date(at + 5_000).toISOString(), r.pick(pages), { name: r.pick(['signup', 'outbound']) }));
          if (r.chance(0.3)) hits.push(hit(ua, ip, new Date(at + 20_000).toISOString(), '/', { name: 'engagement' }));
          at += r.int(10, 900) * 1000;
        }
      }
      hits.sort((a, b) => a.at.getTime() - b.at.getTime());
      const range: DayRange = { from: '2026-03-25', to: '2026-03-28' };
      let written = 0;
      let tailCases = 0;
      while (written < hits.length) {
        const n = r.int(20, 120);
        await t.app.analytics.ingest.write(hits.slice(written, written + n));
        written += n;
        for (let k = 0; k < 6; k++) {
          const fdim: Dimension | null = r.chance(0.6) ? r.pick([...dimensions]) : null;
          const values = fdim ? [...(await rawBreakdown(exec(), range, null, fdim)).keys()] : [];
          const filter = fdim && values.length ? { dim: fdim, value: r.pick(values) } : null;
          const dim = r.chance(0.8) ? r.pick([...dimensions]) : null;
          const direct = await rawBreakdown(exec(), range, filter, dim);
          assert.deepEqual(sorted(await breakdown(exec(), range, filter, dim)), sorted(direct), JSON.stringify({ written, filter, dim }));
          assert.deepEqual(
            (await dailySeries(exec(), range, filter)).map((p) => p.visitors),
            await Promise.all(['2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28'].map(async (d) => (await rawBreakdown(exec(), { from: d, to: d }, filter, null)).get('')?.visitors ?? 0)),
          );
          tailCases++;
        }
        // roll up at some moments only, so the tail is sometimes several batches long
        if (r.chance(0.5)) await t.app.analytics.rollUp();
      }
      assert.ok(tailCases >= 30);
    });
  });
}
