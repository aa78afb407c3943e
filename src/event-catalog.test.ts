// The catalog against what the business really records: the demo drives most services
// (and writes a year of history in bulk past record()), so every stored event must be a
// declared type with data that matches, and be filed under its contact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp, setupOwner } from '../test/support/harness.js';
import { contactOf } from './db/event-catalog.js';
import { eventCatalog } from './event-catalog.js';

for (const backend of backends()) {
  describe(`event catalog [${backend}]`, () => {
    it('declares every event the demo business records, with matching data and subject, each filed under its contact', async () => {
      const t = await createTestApp(backend);
      try {
        const owner = await setupOwner(t);
        assert.equal((await owner.post('/api/demo')).statusCode, 200);
        const rows = await t.app.database.execute<{ type: string; subject_type: string | null; subject_id: string | null; actor_kind: string; actor_id: string | null; contact_id: string | null; data: Record<string, unknown> }>(
          'select type, subject_type, subject_id, actor_kind, actor_id, contact_id, data from events',
        );
        assert.ok(rows.rows.length > 1000, `a year of history (${rows.rows.length} events)`);
        const problems = new Map<string, string>();
        const types = new Set<string>();
        for (const r of rows.rows) {
          types.add(r.type);
          const subject = r.subject_type && r.subject_id ? { type: r.subject_type, id: r.subject_id } : null;
          const issues = eventCatalog.has(r.type) ? eventCatalog.check(r.type, subject, r.data) : ['not declared'];
          if (issues.length && !problems.has(r.type)) problems.set(r.type, issues.join('; '));
          const contact = contactOf({ subjectType: r.subject_type, subjectId: r.subject_id, data: r.data, actorKind: r.actor_kind, actorId: r.actor_id });
          if (contact !== r.contact_id && !problems.has(`${r.type} contact`)) problems.set(`${r.type} contact`, `contact_id ${r.contact_id} instead of ${contact}`);
        }
        assert.deepEqual(Object.fromEntries(problems), {});
        assert.ok(types.size >= 40, `many kinds of events (${types.size})`);
      } finally {
        await t.close();
      }
    });
  });
}
