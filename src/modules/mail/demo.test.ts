import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client, createTestApp, OWNER, type TestApp } from '../../../test/support/harness.js';
import { createDemoTestApp } from '../../../test/support/demo-snapshot.js';

for (const backend of backends()) {
  describe(`mail demo data [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      if (backend === 'pglite') {
        // The newcomer's path, for real: the setup wizard with "load the demo" ticked.
        t = await createTestApp(backend);
        owner = new Client(t.server);
        const res = await owner.post('/api/setup', { ...OWNER, loadDemo: true });
        assert.equal(res.statusCode, 200, res.body);
      } else {
        // The same load, made once per run for the demo snapshot (seedDemo); a copy of it here.
        const demo = await createDemoTestApp(backend);
        t = demo;
        owner = demo.owner;
      }
    });
    after(() => t.close());

    it('shows a year of newsletters with believable numbers, one scheduled and a draft', async () => {
      const list = (await owner.get('/api/broadcasts?limit=100')).json().broadcasts;
      assert.equal(list.filter((b: { status: string }) => b.status === 'finished').length, 24);
      assert.equal(list.filter((b: { status: string }) => b.status === 'scheduled').length, 1);
      assert.equal(list.filter((b: { status: string }) => b.status === 'draft').length, 1);
      const last = list.find((b: { status: string }) => b.status === 'finished');
      const stats = (await owner.get(`/api/broadcasts/${last.id}`)).json().stats;
      assert.ok(stats.sent > 100);
      assert.ok(stats.rates.open > 0.25 && stats.rates.open < 0.6, `open rate ${stats.rates.open}`);
      assert.ok(stats.clicked > 0);
      const links = (await owner.get(`/api/broadcasts/${last.id}/links`)).json().links;
      assert.ok(links[0].uniqueClicks > 0);
      const outbox = (await owner.get('/api/outbox?stream=transactional&limit=200')).json().messages;
      assert.ok(outbox.length >= 90);
      const settings = (await owner.get('/api/mail/settings')).json();
      assert.match(settings.postalAddress, /Berlin/);
    });
  });
}
