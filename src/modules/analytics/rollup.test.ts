// The property that keeps the dashboard honest: for random periods, filters and breakdowns,
// the numbers summed from the rollups equal a direct count over the raw events — also after
// late events (an event for a day already rolled up, a visit that goes on the next day).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.js';
import { createRandom, type Random } from '../../demo/random.js';
import { backends, createTestApp, type TestApp } from '../../../test/support/harness.js';
import { dimensions, type Dimension, type Filter } from './dimensions.js';
import type { Hit } from './ingest.js';
import { nextDay, rawBreakdown, rollupBreakdown, type DayRange } from './queries.js';

const agents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
];
const pages = ['/', '/p/bowls', '/p/mugs', '/p/glazes', '/forms/newsletter'];
const arrivals = ['', 'https://www.google.com/', 'https://l.facebook.com/', 'https://potteryblog.example/', '?utm_source=newsletter&utm_medium=email&utm_campaign=may', '?utm_source=google&utm_medium=cpc&utm_campaign=spring'];
const START = Date.parse('2026-02-01T00:00:00Z');

/** A few hundred visits over 20 days: several page views each, goals, time on page, some after midnight. */
function randomHits(r: Random, days: number, visitors: number): Hit[] {
  const hits: Hit[] = [];
  for (let i = 0; i < visitors; i++) {
    const ua = r.pick(agents);
    const ip = `198.51.100.${r.int(1, 60)}`;
    let at = START + r.int(0, days * 24 * 60 - 1) * 60_000;
    const arrival = r.pick(arrivals);
    const views = r.int(1, 4);
    for (let v = 0; v < views; v++) {
      const path = v === 0 ? r.pick(pages) : r.pick(pages);
      const query = v === 0 && arrival.startsWith('?') ? arrival : '';
      hits.push({ name: 'pageview', url: `http://127.0.0.1:3000${path}${query}`, referrer: v === 0 && arrival.startsWith('http') ? arrival : null, userAgent: ua, ip, at: new Date(at) });
      if (r.chance(0.2)) hits.push({ name: r.pick(['signup', 'outbound']), url: `http://127.0.0.1:3000${path}`, userAgent: ua, ip, at: new Date(at + 5_000) });
      at += r.int(10, 600) * 1000;
    }
    if (r.chance(0.5)) hits.push({ name: 'engagement', url: 'http://127.0.0.1:3000/', userAgent: ua, ip, at: new Date(at + 30_000) });
  }
  return hits.sort((a, b) => a.at.getTime() - b.at.getTime());
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

for (const backend of backends()) {
  describe(`analytics rollups [${backend}]`, () => {
    let t: TestApp;
    const r = createRandom(1313);
    const values = new Map<Dimension, string[]>();

    before(async () => {
      t = await createTestApp(backend, { clock: new ManualClock('2026-03-01T12:00:00Z'), config: { ANALYTICS_FLUSH_MS: '60000' } });
      await t.app.analytics.ingest.write(randomHits(r, 20, 400));
      assert.ok((await t.app.analytics.rollUp()).length >= 20);
      for (const d of dimensions) {
        const col = { browser: 'browser', campaign: 'campaign', channel: 'channel', device: 'device', entry: 'entry_path', event: 'name', page: 'path', source: 'source' }[d];
        values.set(d, (await t.app.database.execute<{ v: string }>(`select distinct ${col} as v from analytics_events`)).rows.map((x) => x.v));
      }
    });
    after(() => t.close());

    const randomCase = (): { range: DayRange; filter: Filter | null; dim: Dimension | null } => {
      const from = START + r.int(0, 19) * 86_400_000;
      const range = { from: day(from), to: day(from + r.int(0, 8) * 86_400_000) };
      const fdim = r.chance(0.7) ? r.pick(dimensions) : null;
      const filter = fdim ? { dim: fdim, value: r.pick(values.get(fdim)!) } : null;
      return { range, filter, dim: r.chance(0.85) ? r.pick(dimensions) : null };
    };

    const check = async (n: number) => {
      let nonEmpty = 0;
      for (let i = 0; i < n; i++) {
        const c = randomCase();
        const fromRollups = await rollupBreakdown(t.app.database.execute, c.range, c.filter, c.dim);
        const direct = await rawBreakdown(t.app.database.execute, c.range, c.filter, c.dim);
        assert.deepEqual(Object.fromEntries(fromRollups), Object.fromEntries(direct), JSON.stringify(c));
        if (direct.size) nonEmpty++;
      }
      assert.ok(nonEmpty > n / 3, `only ${nonEmpty} of ${n} cases had traffic: the property was barely tested`);
    };

    it('rollups equal a direct count over raw events, for random periods, filters and breakdowns', async () => {
      await check(150);
    });

    it('late events: a day already rolled up is recomputed, and a visit that goes on changes its start day', async () => {
      const before = (await rawBreakdown(t.app.database.execute, { from: '2026-02-03', to: '2026-02-03' }, null, null)).get('')!;
      const ua = agents[0]!;
      // A late event for an old day, and a visit that started on 02-05 at 23:50 and goes on after midnight.
      await t.app.analytics.ingest.write([
        { name: 'pageview', url: 'http://127.0.0.1:3000/p/late', userAgent: ua, ip: '192.0.2.1', at: new Date('2026-02-03T08:00:00Z') },
        { name: 'pageview', url: 'http://127.0.0.1:3000/', userAgent: ua, ip: '192.0.2.2', at: new Date('2026-02-05T23:50:00Z') },
      ]);
      await t.app.analytics.rollUp();
      await t.app.analytics.ingest.write([{ name: 'pageview', url: 'http://127.0.0.1:3000/p/mugs', userAgent: ua, ip: '192.0.2.2', at: new Date('2026-02-06T00:05:00Z') }]);
      const days = await t.app.analytics.rollUp();
      assert.deepEqual(days, ['2026-02-05', '2026-02-06'], 'the visit’s start day is recomputed too: its bounce became a two-page visit');
      const after = (await rollupBreakdown(t.app.database.execute, { from: '2026-02-03', to: '2026-02-03' }, null, null)).get('')!;
      assert.equal(after.pageviews, before.pageviews + 1);
      await check(60);
    });

    it('folding only the new events leaves exactly the rows a whole-day recompute writes (daily and hourly)', async () => {
      const ua = agents[1]!;
      // more traffic in several folds: a returning visitor, a bounce that becomes a visit, an event for a past day
      for (const [i, at] of ['2026-02-12T10:00:00Z', '2026-02-12T10:04:00Z', '2026-02-12T10:06:00Z', '2026-02-04T09:00:00Z'].entries()) {
        await t.app.analytics.ingest.write([
          { name: 'pageview', url: `http://127.0.0.1:3000/p/fold-${i % 2}?utm_source=google&utm_medium=cpc`, userAgent: ua, ip: '192.0.2.90', at: new Date(at) },
          { name: i === 2 ? 'signup' : 'engagement', url: 'http://127.0.0.1:3000/', userAgent: ua, ip: '192.0.2.90', at: new Date(Date.parse(at) + 20_000) },
        ]);
        assert.ok((await t.app.analytics.rollUp()).length > 0);
      }
      const snapshot = async () => ({
        daily: (await t.app.database.execute(`select to_char(day, 'YYYY-MM-DD') as day, d1, v1, d2, v2, visitors, visits, entries, pageviews, bounces, duration_s from analytics_daily order by day, d1, v1, d2, v2`)).rows,
        hourly: (await t.app.database.execute(`select hour, channel, visitors, visits, pageviews from analytics_hourly order by hour, channel`)).rows,
      });
      const folded = await snapshot();
      assert.ok(folded.daily.length > 1000, `${folded.daily.length} rollup rows`);
      await t.app.analytics.rollUpRange('2026-01-30', '2026-03-01');
      assert.deepEqual(folded, await snapshot());
    });

    it('a run with nothing new recomputes nothing', async () => {
      assert.deepEqual(await t.app.analytics.rollUp(), []);
    });

    it('the dashboard adds the raw tail (not rolled up yet) to the rollups, and they add up', async () => {
      const clock = t.clock;
      clock.set('2026-02-10T15:00:00Z');
      await t.app.analytics.ingest.write([{ name: 'pageview', url: 'http://127.0.0.1:3000/?utm_source=newsletter&utm_medium=email', userAgent: agents[2]!, ip: '192.0.2.77', at: new Date('2026-02-10T14:00:00Z') }]);
      // not rolled up yet: the page view is in the raw tail
      const d = await t.app.analytics.dashboard({ period: '7d', filter: { dim: 'channel', value: 'email' } });
      const direct = (await rawBreakdown(t.app.database.execute, d.range, { dim: 'channel', value: 'email' }, null)).get('')!;
      assert.equal(d.totals.current.visitors, direct.visitors);
      assert.equal(d.totals.current.pageviews, direct.pageviews);
      assert.equal(d.series.length, 7);
      assert.equal(d.series.reduce((s, p) => s + p.pageviews, 0), direct.pageviews);
      assert.ok(d.panels.sources.every((row) => row.value === 'newsletter'), 'the filter applies to every panel');
      assert.equal(d.range.to, '2026-02-10');
      assert.equal(nextDay(d.previousRange.to), d.range.from);
    });
  });
}
