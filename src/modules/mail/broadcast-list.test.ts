import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import { POSTAL, seedAudience } from './test-helpers.js';

for (const backend of backends()) {
  describe(`broadcast list: a rendered preview line [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let listId: string;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      ({ listId } = await seedAudience(t.app, 2, { domain: 'list.test' }));
      await owner.patch('/api/mail/settings', { postalAddress: POSTAL });
    });
    after(() => t.close());

    it('shows the subject and opening words as a sample person reads them, not the Liquid template', async () => {
      const b = (await owner.post('/api/broadcasts', { name: 'Spring', subject: '{{ contact.first_name | default: "Friend" }}, spring is here', body: 'Hello **{{ contact.name }}**, the new course opens.', listId })).json();
      const { broadcasts } = (await owner.get('/api/broadcasts')).json();
      const row = broadcasts.find((x: { id: string }) => x.id === b.id);
      assert.equal(row.subject, '{{ contact.first_name | default: "Friend" }}, spring is here', 'the template itself is unchanged');
      assert.doesNotMatch(row.preview.subject, /\{\{/);
      assert.match(row.preview.subject, /, spring is here$/);
      assert.match(row.preview.snippet, /^Hello Sam Sample, the new course opens\./);
    });

    it('falls back to the raw subject for a draft whose Liquid does not compile', async () => {
      const b = (await owner.post('/api/broadcasts', { name: 'Broken', subject: 'Hi {{ contact.name', body: 'x', listId })).json();
      assert.ok(b.id, JSON.stringify(b));
      const { broadcasts } = (await owner.get('/api/broadcasts')).json();
      assert.equal(broadcasts.find((x: { id: string }) => x.id === b.id).preview.subject, 'Hi {{ contact.name');
    });
  });
}
