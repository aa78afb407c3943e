// The group-commit writer behind page views and the beacon: answered at once from a bounded
// in-memory buffer, written in batches, refused with 503 + Retry-After when the buffer is full,
// and written out on shutdown.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.js';
import { backends, createTestApp, type TestApp } from '../../../test/support/harness.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const CAP = 40;

for (const backend of backends()) {
  describe(`analytics ingest buffer [${backend}]`, () => {
    let t: TestApp;
    const count = async () => (await t.app.database.execute<{ n: number }>('select count(*)::int as n from analytics_events')).rows[0]!.n;
    const sendEvent = (name: string, ip = '203.0.113.9') =>
      t.server.inject({ method: 'POST', url: '/api/event', payload: JSON.stringify({ name, url: 'http://127.0.0.1:3000/p/x' }), headers: { 'content-type': 'text/plain', 'user-agent': CHROME }, remoteAddress: ip });

    before(async () => {
      // a flush interval longer than any test: only the buffer's size, flush() and close() write
      t = await createTestApp(backend, { clock: new ManualClock('2026-05-04T10:00:00Z'), config: { ANALYTICS_FLUSH_MS: '60000', ANALYTICS_BUFFER_MAX: String(CAP), ANALYTICS_MAX_EVENTS_PER_MINUTE: '1000' } });
    });
    after(() => t.close());
    beforeEach(async () => {
      await t.app.analytics.ingest.flush();
      await t.app.database.execute('delete from analytics_events; delete from analytics_visits');
    });

    it('the beacon answers 202 before the event is written; a full buffer answers 503 with Retry-After and keeps nothing of it', async () => {
      for (let i = 0; i < CAP; i++) assert.equal((await sendEvent(`goal_${i}`)).statusCode, 202);
      assert.equal(await count(), 0, 'answered from memory: nothing written yet');
      assert.equal(t.app.analytics.ingest.buffered, CAP);
      const full = await sendEvent('one_too_many');
      assert.equal(full.statusCode, 503);
      assert.equal(full.headers['retry-after'], '1');
      await t.app.analytics.ingest.flush();
      assert.equal(await count(), CAP);
      assert.equal((await t.app.database.execute(`select 1 from analytics_events where name = 'one_too_many'`)).rows.length, 0);
      // drained: accepted again
      assert.equal((await sendEvent('after')).statusCode, 202);
      await t.app.analytics.ingest.flush();
      assert.equal(await count(), CAP + 1);
    });

    it('events that arrive while a batch is being written go into the next one, in order, none lost', async () => {
      const ingest = t.app.analytics.ingest;
      const at = (k: number) => new Date(Date.parse('2026-05-04T10:00:00Z') + k * 1000);
      for (let k = 0; k < 30; k++) assert.equal(ingest.accept({ name: 'pageview', url: `/p/${k}`, userAgent: CHROME, ip: '198.51.100.1', at: at(k) }), 'queued');
      const first = ingest.flush();
      // while the first batch is in flight
      for (let k = 30; k < 40; k++) assert.equal(ingest.accept({ name: 'pageview', url: `/p/${k}`, userAgent: CHROME, ip: '198.51.100.1', at: at(k) }), 'queued');
      await first;
      await ingest.settled();
      const rows = (await t.app.database.execute<{ path: string; visit_id: number }>('select path, visit_id from analytics_events order by id')).rows;
      assert.deepEqual(rows.map((r) => r.path), Array.from({ length: 40 }, (_, k) => `/p/${k}`));
      assert.equal(new Set(rows.map((r) => r.visit_id)).size, 1, 'one visit across both batches');
      assert.equal(ingest.buffered, 0);
    });

    it('shutdown writes what is still buffered', async () => {
      for (let i = 0; i < 7; i++) assert.equal((await sendEvent(`bye_${i}`, `192.0.2.${i + 1}`)).statusCode, 202);
      assert.equal(await count(), 0);
      await t.app.analytics.close();
      assert.equal(await count(), 7);
    });
  });
}
