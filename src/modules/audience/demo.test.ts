import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { backends, Client, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';

const DAY = 86_400_000;

for (const backend of backends().slice(0, 1)) {
  describe(`demo audience [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-demo-audience-'));
    before(async () => {
      t = await createTestApp(backend, { config: { DATA_DIR: dataDir } });
      owner = await setupOwner(t);
      assert.equal((await owner.post('/api/demo')).json().loaded, true);
    });
    after(async () => {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('a year of list growth from forms, an import and staff, on reserved domains only', async () => {
      const stats = (
        await t.app.database.execute<{ n: number; oldest: Date; newest: Date; bad_domains: number; sources: number }>(
          `select count(*) as n, min(created_at) as oldest, max(created_at) as newest,
                  -- RFC 2606 reserved names only: example.com/.org/.net (and subdomains) or the .test TLD
                  count(*) filter (where email_normalized !~ '@(([a-z0-9-]+\\.)*example\\.(com|org|net)|([a-z0-9-]+\\.)+test)$') as bad_domains,
                  count(distinct split_part(source, ':', 1)) as sources
             from contacts`,
        )
      ).rows[0]!;
      assert.ok(stats.n > 2000, `${stats.n} contacts`);
      assert.equal(Number(stats.bad_domains), 0, 'a demo broadcast can never reach a real person');
      assert.ok(t.clock.now().getTime() - new Date(stats.oldest).getTime() > 300 * DAY, 'history goes back about a year');
      assert.ok(Number(stats.sources) >= 3);
      const statuses = (await t.app.database.execute<{ status: string }>(`select distinct status from contacts`)).rows.map((r) => r.status).sort();
      assert.deepEqual(statuses, ['active', 'bounced', 'complained', 'unconfirmed', 'unsubscribed']);
    });

    it('every form sign-up carries its consent evidence, and the lists have subscribers', async () => {
      const missing = (
        await t.app.database.execute<{ n: number }>(
          `select count(*) as n from contacts c where c.source like 'form:%'
              and not exists (select 1 from consent_records r where r.contact_id = c.id and r.kind = 'form' and r.ip is not null)`,
        )
      ).rows[0]!.n;
      assert.equal(Number(missing), 0);
      const lists = (await owner.get('/api/lists')).json().lists;
      assert.deepEqual(lists.map((l: { name: string }) => l.name), ['Weekly letter', 'Product news']);
      assert.ok(lists.every((l: { subscribers: number }) => l.subscribers > 100));
    });

    it('the two demo forms are live, one with a downloadable guide; segments count people; the old import has its report', async () => {
      const forms = (await owner.get('/api/forms')).json().forms;
      assert.equal(forms.length, 2);
      for (const f of forms) assert.equal((await t.server.inject({ method: 'GET', url: `/f/${f.slug}` })).statusCode, 200);
      const guide = forms.find((f: { leadMagnet: unknown }) => f.leadMagnet);
      assert.ok(guide.stats.confirmations > 100);
      const token = t.app.signer.sign('lead-magnet', `${guide.id}:${(await t.app.audience.listContacts({ limit: 1 })).contacts[0]!.id}`, new Date(t.clock.now().getTime() + DAY));
      const pdf = await t.server.inject({ method: 'GET', url: `/f/${guide.slug}/download?token=${token}` });
      assert.equal(pdf.statusCode, 200);
      assert.match(pdf.body, /^%PDF-1\.4/);

      const segments = (await owner.get('/api/segments')).json().segments;
      assert.ok(segments.length >= 4);
      const counts = await Promise.all(segments.map(async (s: { id: string }) => (await owner.get(`/api/segments/${s.id}`)).json().count.total));
      assert.ok(counts.filter((n) => n > 0).length >= 3, `segment sizes ${counts.join(', ')}`);

      const [imp] = (await owner.get('/api/imports')).json().imports;
      assert.equal(imp.status, 'completed');
      assert.equal(imp.imported + imp.updated + imp.skipped + imp.errored, imp.rowsDone);
      const report = parse((await owner.get(`/api/imports/${imp.id}/report.csv`)).body, { columns: true });
      assert.equal(report.length, imp.skipped + imp.errored);
    });
  });
}
