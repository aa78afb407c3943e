// The demo business's history as the Activity list shows it: nothing after its "today", and
// every event credited to who would have done it (the demo loader is not the owner).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { backends } from '../../test/support/harness.js';
import { createDemoTestApp, type DemoTestApp } from '../../test/support/demo-snapshot.js';

for (const backend of backends()) {
  describe(`demo history [${backend}]`, () => {
    let t: DemoTestApp;
    let loadedAt: Date;
    before(async () => {
      t = await createDemoTestApp(backend);
      loadedAt = t.app.clock.now();
    });
    after(() => t.close());

    const rows = async <T,>(q: ReturnType<typeof sql>) => (await t.app.db.execute(q)) as unknown as { rows: T[] };

    it('ends at its today: no event is dated after the moment the demo was loaded', async () => {
      const { rows: future } = await rows<{ type: string; n: number }>(sql`select type, count(*)::int as n from events where occurred_at > ${t.app.clock.now()} group by type order by type`);
      assert.deepEqual(future, []);
    });

    it('credits the owner only with what an owner did, not with setting up the demo shop today', async () => {
      const { rows: ownerToday } = await rows<{ type: string }>(sql`select distinct type from events where actor_kind = 'owner' and occurred_at >= ${loadedAt} and type <> 'user.signed_in' order by type`);
      assert.deepEqual(ownerToday.map((r) => r.type), []);
      const { rows: setup } = await rows<{ actor_kind: string }>(sql`select distinct actor_kind from events where type in ('product.created', 'price.created', 'page.published') order by 1`);
      assert.deepEqual(setup.map((r) => r.actor_kind), ['system']);
    });

    it('keeps the people who did things: students complete lessons, support refunds small orders, the system unlocks and certifies', async () => {
      const { rows: kinds } = await rows<{ type: string; actor_kind: string }>(sql`select distinct type, actor_kind from events where type in ('lesson.completed', 'lesson.unlocked', 'certificate.issued', 'contact.confirmed', 'email.opened') order by 1, 2`);
      assert.deepEqual(kinds.map((r) => `${r.type}:${r.actor_kind}`), ['certificate.issued:system', 'contact.confirmed:customer', 'email.opened:customer', 'lesson.completed:customer', 'lesson.unlocked:system']);
      const { rows: refunds } = await rows<{ actor_kind: string }>(sql`select distinct actor_kind from events where type = 'order.refunded' order by 1`);
      assert.ok(refunds.some((r) => r.actor_kind === 'assistant'), 'support handles refunds');
    });
  });
}
