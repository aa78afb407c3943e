import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { addMember, backends, Client, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';

for (const backend of backends()) {
  describe(`contacts, lists and tags [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let support: Client;
    let content: Client;
    let weekly: string;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      support = await addMember(t, owner, 'support');
      content = await addMember(t, owner, 'content');
      weekly = (await owner.post('/api/lists', { name: 'Weekly letter' })).json().id;
    });
    after(() => t.close());

    it('adds a contact once per address whatever its case, with consent evidence', async () => {
      const res = await support.post('/api/contacts', { email: '  Grace@Example.COM ', name: 'Grace', fields: { company: 'Navy' }, listIds: [weekly], consentNote: 'Asked for it at the conference' });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().email, 'Grace@Example.COM');
      const dup = await owner.post('/api/contacts', { email: 'grace@example.com' });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().error.details.contactId, res.json().id);
      const bad = await owner.post('/api/contacts', { email: 'grace@' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /not a valid email address/);

      const detail = (await owner.get(`/api/contacts/${res.json().id}`)).json();
      assert.equal(detail.consent[0].kind, 'admin');
      assert.equal(detail.consent[0].statement, 'Asked for it at the conference');
      assert.equal(detail.lists[0].name, 'Weekly letter');
      const created = detail.events.find((e: { type: string }) => e.type === 'contact.created');
      assert.equal(created.actorKind, 'assistant', 'the support assistant did it');
    });

    it('searches, filters and pages newest first', async () => {
      for (let i = 0; i < 5; i++) {
        t.clock.advance(1000);
        await owner.post('/api/contacts', { email: `page${i}@example.com`, name: `Pager ${i}` });
      }
      const first = (await owner.get('/api/contacts?q=pager&limit=2')).json();
      assert.equal(first.total, 5);
      assert.deepEqual(first.contacts.map((c: { email: string }) => c.email), ['page4@example.com', 'page3@example.com']);
      const second = (await owner.get(`/api/contacts?q=pager&limit=2&cursor=${first.nextCursor}`)).json();
      assert.deepEqual(second.contacts.map((c: { email: string }) => c.email), ['page2@example.com', 'page1@example.com']);
      const onList = (await owner.get(`/api/contacts?listId=${weekly}`)).json();
      assert.deepEqual(onList.contacts.map((c: { email: string }) => c.email), ['Grace@Example.COM']);
      const percent = (await owner.get('/api/contacts?q=%25')).json();
      assert.equal(percent.total, 0, 'a % in the search is a character, not a wildcard');
    });

    it('tags one contact by name or id, and many at once; each change is an event', async () => {
      const grace = (await t.app.audience.findByEmail(t.app.db, 'grace@example.com'))!;
      const tagged = await owner.post(`/api/contacts/${grace.id}/tags`, { names: ['Customer', 'customer', 'Beta'] });
      assert.equal(tagged.json().added, 2, 'tag names are case-insensitive');
      const tags = (await owner.get('/api/tags')).json().tags;
      const beta = tags.find((x: { name: string }) => x.name === 'Beta');
      assert.equal(beta.contacts, 1);
      const bulk = await owner.post('/api/contacts/bulk-tag', { tagId: beta.id, action: 'add', contactIds: (await owner.get('/api/contacts?q=pager')).json().contacts.map((c: { id: string }) => c.id) });
      assert.equal(bulk.json().changed, 5);
      assert.equal((await owner.get(`/api/contacts?tagId=${beta.id}`)).json().total, 6);
      assert.equal((await owner.delete(`/api/contacts/${grace.id}/tags/${beta.id}`)).statusCode, 204);
      const types = (await owner.get(`/api/contacts/${grace.id}`)).json().events.map((e: { type: string }) => e.type);
      assert.ok(types.includes('contact.tagged') && types.includes('contact.untagged'));
      assert.equal((await owner.post('/api/tags', { name: 'BETA' })).statusCode, 409);
    });

    it('staff can unsubscribe someone, but only the person can undo an unsubscribe', async () => {
      const grace = (await t.app.audience.findByEmail(t.app.db, 'grace@example.com'))!;
      const unsub = await owner.patch(`/api/contacts/${grace.id}`, { status: 'unsubscribed' });
      assert.equal(unsub.statusCode, 200);
      assert.equal(unsub.json().status, 'unsubscribed');
      const back = await owner.patch(`/api/contacts/${grace.id}`, { status: 'active' });
      assert.equal(back.statusCode, 403);
      assert.match(back.json().error.message, /only they can subscribe again/);
      const relist = await owner.post(`/api/contacts/${grace.id}/lists/${weekly}`, {});
      assert.equal(relist.statusCode, 400);

      // Unsubscribing twice changes nothing the second time, and records nothing.
      await t.app.database.transaction((tx) => t.app.audience.unsubscribeInTx(tx, { contactId: grace.id, actor: { kind: 'system' }, via: 'one-click' }));
      const events = (await owner.get(`/api/contacts/${grace.id}`)).json().events.filter((e: { type: string }) => e.type === 'contact.unsubscribed');
      assert.equal(events.length, 1);

      // A bounced address someone fixed may be made active again by staff.
      const pager = (await t.app.audience.findByEmail(t.app.db, 'page0@example.com'))!;
      await t.app.database.execute(`update contacts set status = 'bounced' where id = $1`, [pager.id]);
      const fixed = await owner.patch(`/api/contacts/${pager.id}`, { status: 'active' });
      assert.equal(fixed.json().status, 'active');
    });

    it('lists count only subscribers who can receive mail', async () => {
      const pager = (await t.app.audience.findByEmail(t.app.db, 'page1@example.com'))!;
      assert.equal((await owner.post(`/api/contacts/${pager.id}/lists/${weekly}`, {})).json().joined, true);
      const lists = (await owner.get('/api/lists')).json().lists;
      assert.equal(lists.find((l: { id: string }) => l.id === weekly).subscribers, 1, 'the unsubscribed contact is not counted');
      assert.equal((await owner.delete(`/api/contacts/${pager.id}/lists/${weekly}`)).statusCode, 204);
      assert.equal((await owner.get('/api/lists')).json().lists.find((l: { id: string }) => l.id === weekly).subscribers, 0);
    });

    it('erasing a contact removes them and their evidence; the event keeps no personal data', async () => {
      const pager = (await t.app.audience.findByEmail(t.app.db, 'page2@example.com'))!;
      assert.equal((await owner.delete(`/api/contacts/${pager.id}`)).statusCode, 204);
      assert.equal((await owner.get(`/api/contacts/${pager.id}`)).statusCode, 404);
      assert.equal(await t.app.audience.findByEmail(t.app.db, 'page2@example.com'), null);
      const [event] = (await owner.get('/api/activity?type=contact.deleted')).json().events;
      assert.deepEqual(event.data, {});
    });

    it('permissions: content cannot see contacts; support cannot import or export', async () => {
      assert.equal((await content.get('/api/contacts')).statusCode, 403);
      assert.equal((await support.get('/api/contacts')).statusCode, 200);
      assert.equal((await support.get('/api/contacts/export.csv')).statusCode, 403);
      assert.equal((await support.get('/api/imports')).statusCode, 403);
    });

    it('exports contacts as CSV, neutralising spreadsheet formulas, and audits the row count', async () => {
      await t.app.audience.upsertContact(t.app.db, { email: 'evil@example.com', name: '=HYPERLINK("http://evil.example","click")', source: 'form:x', fields: { note: '+1 555' } });
      const res = await owner.get(`/api/contacts/export.csv?status=active`);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-disposition']), /attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"/);
      const rows = parse(res.body, { columns: true }) as Record<string, string>[];
      const active = (await owner.get('/api/contacts?status=active&limit=500')).json().total;
      assert.equal(rows.length, active);
      const evil = rows.find((r) => r.email === 'evil@example.com')!;
      assert.equal(evil.name, `'=HYPERLINK("http://evil.example","click")`);
      assert.equal(evil.note, `'+1 555`);
      const page1 = rows.find((r) => r.email === 'page1@example.com')!;
      assert.equal(page1.tags, 'Beta');
      // The audit entry is written once the download has been streamed.
      let entry;
      for (let i = 0; i < 50 && !entry; i++) {
        entry = (await owner.get('/api/audit')).json().entries.find((e: { action: string }) => e.action === 'contacts.exported');
        if (!entry) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(entry, 'the export is in the audit log');
      assert.equal(entry.data.rows, active);
      assert.equal(entry.data.complete, true);
      assert.equal(entry.actorKind, 'owner');
    });

    it('marks an address undeliverable in the caller\'s transaction; a complaint is never downgraded to a bounce', async () => {
      const { contact: ada } = await t.app.audience.upsertContact(t.app.db, { email: 'ada@undeliverable.test', source: 'admin' });
      const { contact: bob } = await t.app.audience.upsertContact(t.app.db, { email: 'bob@undeliverable.test', source: 'admin' });
      const mark = (email: string, status: 'bounced' | 'complained') => t.app.database.transaction((tx) => t.app.audience.markUndeliverableInTx(tx, email, status));
      const statusOf = async (id: string) => (await t.app.audience.getContact(t.app.db, id)).status;
      const eventsOf = async (id: string) => (await owner.get(`/api/contacts/${id}`)).json().events.length;
      const eventsBefore = await eventsOf(ada.id);

      t.clock.advance(60_000);
      assert.equal(await mark('  ADA@Undeliverable.test ', 'bounced'), true, 'the address is matched whatever its case');
      const bounced = await t.app.audience.getContact(t.app.db, ada.id);
      assert.equal(bounced.status, 'bounced');
      assert.equal(bounced.updatedAt.getTime(), t.clock.now().getTime());
      assert.equal(await statusOf(bob.id), 'active', 'only that address');
      assert.equal(await eventsOf(ada.id), eventsBefore, 'the mail module records the event, not this method');

      assert.equal(await mark('ada@undeliverable.test', 'complained'), true, 'a complaint outranks a bounce');
      assert.equal(await statusOf(ada.id), 'complained');
      assert.equal(await mark('ada@undeliverable.test', 'bounced'), false);
      assert.equal(await statusOf(ada.id), 'complained', 'a later bounce does not downgrade a complaint');
      assert.equal(await mark('nobody@undeliverable.test', 'bounced'), false);

      // It writes in the caller's transaction: when that transaction fails, nothing changed.
      await assert.rejects(
        t.app.database.transaction(async (tx) => {
          await t.app.audience.markUndeliverableInTx(tx, 'bob@undeliverable.test', 'bounced');
          throw new Error('the suppression failed');
        }),
        /the suppression failed/,
      );
      assert.equal(await statusOf(bob.id), 'active');
    });
  });
}
