// The catalog against what the business really records: the demo drives most services
// (and writes a year of history in bulk past recordInTx()), so every stored event must be a
// declared type with data that matches, and be filed under its contact. The same demo shows
// the outbound webhooks at work. On both backends: the demo
// comes from the run's demo snapshot (test/support/demo-snapshot.ts).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type Client } from '../test/support/harness.js';
import { createDemoTestApp, type DemoTestApp } from '../test/support/demo-snapshot.js';
import { contactOf } from './db/event-catalog.js';
import { eventCatalog } from './event-catalog.js';

for (const backend of backends()) {
  describe(`the demo business's events and webhooks [${backend}]`, () => {
    let t: DemoTestApp;
    let owner: Client;
    before(async () => {
      t = await createDemoTestApp(backend);
      owner = t.owner;
    });
    after(() => t.close());

    it('declares every event the demo business records, with matching data and subject, each filed under its contact', async () => {
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
    });

    it('has two webhook endpoints, one turned off with its reason, and a delivery history to read', async () => {
      const { endpoints } = (await owner.get('/api/webhooks')).json();
      assert.equal(endpoints.length, 2);
      const crm = endpoints.find((e: { enabled: boolean }) => e.enabled);
      const off = endpoints.find((e: { enabled: boolean }) => !e.enabled);
      assert.match(off.disabledReason, /failed for 5 days/);
      const log = (await owner.get(`/api/webhooks/${crm.id}/deliveries`)).json().deliveries;
      assert.ok(log.length >= 10 && log.every((d: { status: string; responseStatus: number }) => d.status === 'succeeded' && d.responseStatus === 200));
      assert.ok(log.some((d: { attempts: number }) => d.attempts > 1), 'one needed a retry');
      assert.ok(log.every((d: { payload: { type: string; data: { eventId: number } } }) => crm.eventTypes.includes(d.payload.type) && d.payload.data.eventId > 0));
      const failed = (await owner.get(`/api/webhooks/${off.id}/deliveries`)).json().deliveries;
      assert.ok(failed.length >= 1 && failed.every((d: { status: string }) => d.status === 'failed'), `failed deliveries: ${failed.length}`);
      assert.equal((await t.app.events.list(t.app.db, { type: 'webhook.endpoint_disabled' })).length, 1);
      // Replaying to the turned-off endpoint is refused until it is turned on.
      assert.equal((await owner.post(`/api/webhook-deliveries/${failed[0].id}/replay`)).statusCode, 409);
    });
  });
}
