import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.js';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { visitorHash } from './visitor.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

for (const backend of backends()) {
  describe(`analytics tracking [${backend}]`, () => {
    let t: TestApp;
    let clock: ManualClock;
    let owner: Client;
    const rows = async <T = Record<string, unknown>>(sql: string, values?: unknown[]) => (await t.app.database.execute<T>(sql, values)).rows;
    const view = (url: string, headers: Record<string, string> = {}) =>
      t.server.inject({ method: 'GET', url, headers: { 'user-agent': CHROME, ...headers }, remoteAddress: headers['x-ip'] ?? '203.0.113.7' });
    const sendEvent = (payload: unknown, headers: Record<string, string> = {}) =>
      t.server.inject({ method: 'POST', url: '/api/event', payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'text/plain', 'user-agent': CHROME, ...headers }, remoteAddress: '203.0.113.7' });

    before(async () => {
      clock = new ManualClock('2026-03-02T10:00:00Z');
      t = await createTestApp(backend, { clock, config: { ANALYTICS_FLUSH_MS: '60000', ANALYTICS_MAX_EVENTS_PER_MINUTE: '30', ANALYTICS_ALLOWED_ORIGINS: 'https://blog.example.com' } });
      owner = await setupOwner(t);
    });
    after(() => t.close());
    beforeEach(async () => {
      await t.app.analytics.ingest.flush();
      await t.app.database.execute('delete from analytics_events; delete from analytics_visits');
      clock.advance(5 * 60_000);
    });

    it('the server records a public page view itself: no script, no cookie, no address kept', async () => {
      const res = await view('/?utm_source=newsletter&utm_medium=email&utm_campaign=spring&email=someone%40example.com', { referer: 'https://mail.google.com/' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['set-cookie'], undefined);
      await t.app.analytics.ingest.flush();
      const events = await rows<{ name: string; path: string; channel: string; source: string; campaign: string; device: string; browser: string; props: unknown }>('select * from analytics_events');
      assert.equal(events.length, 1);
      assert.deepEqual(
        { name: events[0]!.name, path: events[0]!.path, channel: events[0]!.channel, source: events[0]!.source, campaign: events[0]!.campaign, device: events[0]!.device, browser: events[0]!.browser },
        { name: 'pageview', path: '/', channel: 'email', source: 'newsletter', campaign: 'spring', device: 'Desktop', browser: 'Chrome' },
      );
      const everything = JSON.stringify([...(await rows('select * from analytics_events')), ...(await rows('select * from analytics_visits'))]);
      assert.doesNotMatch(everything, /203\.0\.113\.7|someone|Mozilla/);
    });

    it('bots, signed-in staff and API calls are not page views', async () => {
      await view('/', { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' });
      await view('/', { cookie: owner.cookie });
      await owner.get('/api/auth/session');
      await view('/no-such-page');
      await t.app.analytics.ingest.flush();
      assert.equal((await rows('select 1 from analytics_events')).length, 0);
    });

    it('a visitor is one id all day, a new id the next day, and a visit crossing midnight goes on', async () => {
      clock.set('2026-03-03T23:50:00Z');
      await view('/');
      clock.set('2026-03-03T23:55:00Z');
      await view('/', { 'x-ip': '198.51.100.9', 'user-agent': IPHONE });
      clock.set('2026-03-04T00:10:00Z');
      await t.app.analytics.salts.rotate();
      await view('/?page=2');
      await t.app.analytics.ingest.flush();
      clock.set('2026-03-04T09:00:00Z');
      await view('/');
      await t.app.analytics.ingest.flush();
      const ev = await rows<{ visitor_id: number; visit_id: number; entry: boolean; at: Date }>('select visitor_id, visit_id, entry, at from analytics_events order by at');
      assert.equal(ev.length, 4);
      const [a, , b, c] = ev;
      assert.equal(b!.visit_id, a!.visit_id, 'the visit that crossed midnight goes on');
      assert.equal(b!.visitor_id, a!.visitor_id);
      assert.equal(b!.entry, false);
      assert.notEqual(c!.visit_id, a!.visit_id, 'after 30 minutes it is a new visit');
      assert.notEqual(c!.visitor_id, a!.visitor_id, 'a new day, a new visitor id');
      const visits = await rows<{ pageviews: number }>('select pageviews from analytics_visits order by started_at');
      assert.deepEqual(visits.map((v) => v.pageviews), [2, 1, 1]);
    });

    it('salts rotate at midnight UTC, yesterday’s is kept, older ones are deleted, so an id cannot be recomputed', async () => {
      clock.set('2026-03-10T12:00:00Z');
      await t.app.analytics.salts.rotate();
      const day1 = await rows<{ salt: Buffer }>(`select salt from analytics_salts where day = '2026-03-10'`);
      const idDay1 = (await t.app.analytics.salts.ids(CHROME, '203.0.113.7', '127.0.0.1')).today;
      assert.equal(idDay1, visitorHash(Buffer.from(day1[0]!.salt), CHROME, '203.0.113.7', '127.0.0.1'));
      assert.equal((await t.app.analytics.salts.ids(CHROME, '203.0.113.7', '127.0.0.1')).today, idDay1, 'the same all day');
      assert.notEqual((await t.app.analytics.salts.ids(CHROME, '203.0.113.8', '127.0.0.1')).today, idDay1);
      clock.set('2026-03-11T00:00:00Z');
      await t.app.analytics.salts.rotate();
      const ids = await t.app.analytics.salts.ids(CHROME, '203.0.113.7', '127.0.0.1');
      assert.notEqual(ids.today, idDay1);
      assert.equal(ids.yesterday, idDay1);
      clock.set('2026-03-12T00:00:00Z');
      await t.app.analytics.salts.rotate();
      const days = (await rows<{ day: string }>(`select to_char(day, 'YYYY-MM-DD') as day from analytics_salts order by day`)).map((r) => r.day);
      assert.deepEqual(days, ['2026-03-11', '2026-03-12']);
      const after = await t.app.analytics.salts.ids(CHROME, '203.0.113.7', '127.0.0.1');
      assert.ok(after.today !== idDay1 && after.yesterday !== idDay1);
    });

    it('a flood from one address is cut at the per-minute limit', async () => {
      for (let i = 0; i < 40; i++) await view('/', { 'x-ip': '192.0.2.50' });
      await t.app.analytics.ingest.flush();
      assert.equal((await rows('select 1 from analytics_events')).length, 30);
    });

    it('POST /api/event takes a custom event (text/plain, no preflight) and truncates what is too long', async () => {
      const page = await view('/');
      assert.equal(page.statusCode, 200);
      const res = await sendEvent({ name: 'signup', url: 'http://127.0.0.1:3000/', props: { plan: 'x'.repeat(1000), n: 3 } });
      assert.equal(res.statusCode, 202);
      // The beacon's empty 202 skips helmet's page headers; pages keep them.
      assert.ok(page.headers['content-security-policy']);
      assert.equal(res.headers['content-security-policy'], undefined);
      assert.equal(res.body, '');
      const long = await sendEvent({ name: 'n'.repeat(500), url: 'http://127.0.0.1:3000/' });
      assert.equal(long.statusCode, 202);
      await t.app.analytics.ingest.flush();
      const ev = await rows<{ name: string; props: Record<string, string> | null; entry: boolean }>(`select name, props, entry from analytics_events where name <> 'pageview' order by id`);
      assert.equal(ev.length, 2);
      assert.equal(ev[0]!.name, 'signup');
      assert.equal(ev[0]!.props!.plan!.length, 300);
      assert.equal(ev[0]!.props!.n, '3');
      assert.equal(ev[0]!.entry, false, 'it joins the visit of the page view');
      assert.equal(ev[1]!.name.length, 100);
    });

    it('malformed events get a 400 and store nothing', async () => {
      for (const bad of ['{not json', { url: '/x' }, { name: 'x' }, { name: 5, url: '/x' }, { name: 'x', url: '/x', props: { a: { nested: 1 } } }, { name: 'a\u0000b', url: '/x' }, { name: '   ', url: '/x' }]) {
        const res = await sendEvent(bad);
        assert.equal(res.statusCode, 400, JSON.stringify(bad));
      }
      const big = await sendEvent({ name: 'x', url: '/x', props: { a: 'y'.repeat(9000) } });
      assert.equal(big.statusCode, 413);
      await t.app.analytics.ingest.flush();
      assert.equal((await rows('select 1 from analytics_events')).length, 0);
    });

    it('events from the owner’s other sites are allowed (CORS), from anyone else refused', async () => {
      const ok = await sendEvent({ name: 'signup', url: 'https://blog.example.com/post' }, { origin: 'https://blog.example.com' });
      assert.equal(ok.statusCode, 202);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://blog.example.com');
      const no = await sendEvent({ name: 'signup', url: 'https://evil.example/x' }, { origin: 'https://evil.example' });
      assert.equal(no.statusCode, 403);
      await t.app.analytics.ingest.flush();
      assert.deepEqual((await rows<{ path: string }>('select path from analytics_events')).map((r) => r.path), ['/post']);
    });

    it('the tracking script is same-origin and under 1.5 KB gzipped', async () => {
      const { gzipSync } = await import('node:zlib');
      const res = await t.server.inject({ method: 'GET', url: '/assets/analytics.js' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /javascript/);
      const size = gzipSync(res.rawPayload).length;
      assert.ok(size < 1536, `gzipped ${size} bytes`);
      assert.match(res.body, /\/api\/event/);
    });

    it('only owner, admin and marketing read analytics', async () => {
      const support = await addMember(t, owner, 'support');
      const marketing = await addMember(t, owner, 'marketing');
      assert.equal((await support.get('/api/analytics/dashboard')).statusCode, 403);
      assert.equal((await marketing.get('/api/analytics/dashboard')).statusCode, 200);
      assert.equal((await new (owner.constructor as typeof Client)(t.server).get('/api/analytics/dashboard')).statusCode, 401);
    });
  });
}
