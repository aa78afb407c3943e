import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestApp, type TestApp } from '../../../test/support/harness.js';

for (const backend of backends()) {
  describe(`access grants [${backend}]`, () => {
    let t: TestApp;
    let contactId: string;
    const course = { type: 'course' as const, id: randomUUID() };
    before(async () => {
      t = await createTestApp(backend);
      contactId = (await t.app.audience.upsertContact(t.app.db, { email: 'g@example.com', source: 'test' })).contact.id;
    });
    after(() => t.close());

    it('grants once per source even when fulfilment runs twice, and records the actor', async () => {
      const grantTwice = () =>
        t.app.database.transaction((tx) => t.app.access.grantInTx(tx, { contactId, resource: course, source: 'purchase', sourceId: 'order-1', actor: { kind: 'system' } }));
      const a = await grantTwice();
      const b = await grantTwice();
      assert.equal(a.created, true);
      assert.equal(b.created, false);
      assert.equal(a.grant.id, b.grant.id);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course), true);
      const events = await t.app.events.list(t.app.db, { type: 'access.granted' });
      assert.equal(events.length, 1);
      assert.equal(events[0]!.actorKind, 'system');
    });

    it('revokes with a reason; expiry ends access without a revoke', async () => {
      const n = await t.app.database.transaction((tx) => t.app.access.revokeInTx(tx, { sourceId: 'order-1' }, { kind: 'owner', id: randomUUID() }, 'refunded'));
      assert.equal(n, 1);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course), false);
      const revoked = await t.app.events.list(t.app.db, { type: 'access.revoked' });
      assert.equal(revoked[0]!.data.reason, 'refunded');

      const later = new Date(t.clock.now().getTime() + 86_400_000);
      await t.app.database.transaction((tx) => t.app.access.grantInTx(tx, { contactId, resource: course, source: 'manual', expiresAt: later, actor: { kind: 'system' } }));
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course), true);
      t.clock.advance(2 * 86_400_000);
      assert.equal(await t.app.access.hasAccess(t.app.db, contactId, course), false);
    });
  });
}
