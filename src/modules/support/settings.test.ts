// The owner's support settings on a fresh install, whose support address is the configured
// default support@localhost (MAIL_FROM's default hello@localhost): changing any other setting
// works, a new address passes the one address check of every other edge, and a change made
// through the API is what this process uses at once (the 2 s cache is invalidated on write).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { backends, createTestApp, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { parseInbound } from './inbound.js';
import { plainMessage } from './test-mail.js';

for (const backend of backends()) {
  describe(`support settings [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
    });
    after(() => t.close());

    it('with the configured support@localhost, every other setting can be changed, and the whole form sent back as it is', async () => {
      const current = (await owner.get('/api/support/settings')).json();
      assert.equal(current.address, 'support@localhost');
      const ratings = await owner.patch('/api/support/settings', { ratings: true });
      assert.equal(ratings.statusCode, 200, ratings.body);
      assert.equal(ratings.json().ratings, true);
      // The admin form sends every field back, the unchanged address with them.
      const form = await owner.patch('/api/support/settings', { ...current, ratings: true, reopenWindowDays: 10 });
      assert.equal(form.statusCode, 200, form.body);
      assert.equal(form.json().address, 'support@localhost');
      // Stored settings are read back (an address the schema refused used to drop them all for the defaults).
      const read = (await owner.get('/api/support/settings')).json();
      assert.deepEqual([read.ratings, read.reopenWindowDays], [true, 10]);
    });

    it('a new address passes the same check as every other address the admin takes; refused ones change nothing', async () => {
      for (const [address, reason] of [
        ['help@localhost', /no dot/],
        ['help@shop', /no dot/],
        ['help+x@shop.example', /\+/],
        ['he lp@shop.example', /./],
        ['help@shop.example.', /ends with a dot/],
        ['hеlp@shop.example', /non-ASCII/], // a Cyrillic "е"
      ] as const) {
        const r = await owner.patch('/api/support/settings', { address, ratings: false });
        assert.equal(r.statusCode, 400, `${address}: ${r.body}`);
        assert.match(r.json().error.message, reason, address);
      }
      const after = (await owner.get('/api/support/settings')).json();
      assert.deepEqual([after.address, after.ratings], ['support@localhost', true], 'a refused change stores nothing');
      const ok = await owner.patch('/api/support/settings', { address: ' Help@Shop.Example ' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().address, 'help@shop.example');
    });

    it('a change through the API is used by this process at once: the intake takes mail for the new address right after', async () => {
      await owner.patch('/api/support/settings', { address: 'desk@shop.example' });
      // Fill the cache with the current settings, then change them and use them within the 2 s.
      assert.equal((await t.app.support.settings()).address, 'desk@shop.example');
      const changed = await owner.patch('/api/support/settings', { address: 'care@shop.example', roundRobin: true });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal((await owner.get('/api/support/settings')).json().address, 'care@shop.example');
      const s = await t.app.support.settings();
      assert.deepEqual([s.address, s.roundRobin], ['care@shop.example', true]);
      // Mail from the new address is ours (a loop, dropped); from the old one it is a customer's.
      const fromNew = await t.app.support.ingest(await parseInbound(plainMessage({ from: 'care@shop.example', subject: 'Loop?', messageId: '<loop-1@shop.example>' })), 'smtp');
      assert.equal(fromNew.outcome, 'dropped_loop');
      const fromOld = await t.app.support.ingest(await parseInbound(plainMessage({ from: 'desk@shop.example', subject: 'Hello', messageId: '<old-1@shop.example>' })), 'smtp');
      assert.equal(fromOld.outcome, 'stored');
    });

    it('another process\'s change reaches this one within the cache time (2 s)', async () => {
      assert.equal((await t.app.support.settings()).ratings, true);
      // What another process's PATCH leaves in the database.
      await t.app.db.execute(sql`update support_settings set settings = jsonb_set(settings, '{ratings}', 'false') where id = 1`);
      const started = Date.now();
      await waitFor(async () => (await t.app.support.settings()).ratings === false, { timeoutMs: 5000, intervalMs: 100, what: 'the other process\'s change' });
      assert.ok(Date.now() - started <= 2500, `seen after ${Date.now() - started} ms`);
    });
  });
}
