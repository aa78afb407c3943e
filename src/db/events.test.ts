import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp } from '../../test/support/harness.js';
import { EventLog } from './events.js';

for (const backend of backends()) {
  describe(`event log [${backend}]`, () => {
    it('lists newest first by when things happened, pages without gaps or repeats, and filters', async () => {
      const t = await createTestApp(backend);
      try {
        const base = t.clock.now().getTime();
        // Recorded out of order: history written after the fact must still sort by its time.
        const offsets = [5, 1, 9, 3, 7, 2, 8, 6, 4, 0, 3];
        await t.app.database.transaction(async (tx) => {
          for (const [i, h] of offsets.entries()) {
            await t.app.events.record(tx, {
              type: i % 2 ? 'order.paid' : 'lesson.completed',
              actor: i % 3 ? { kind: 'customer', id: `c${i}` } : { kind: 'automation', id: 'welcome' },
              occurredAt: new Date(base - h * 3_600_000),
            });
          }
        });
        const seen: { occurredAt: Date; id: number }[] = [];
        let before: string | undefined;
        for (let page = 0; page < 10; page++) {
          const rows = await t.app.events.list(t.app.db, { before, limit: 4 });
          seen.push(...rows);
          if (rows.length < 4) break;
          before = EventLog.cursorAfter(rows[rows.length - 1]!);
        }
        assert.equal(seen.length, offsets.length);
        assert.equal(new Set(seen.map((e) => e.id)).size, offsets.length, 'no event twice');
        for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]!.occurredAt >= seen[i]!.occurredAt, 'newest first');
        const paid = await t.app.events.list(t.app.db, { type: 'order.' });
        assert.ok(paid.length === 5 && paid.every((e) => e.type === 'order.paid'));
        const robots = await t.app.events.list(t.app.db, { actorKind: 'automation' });
        assert.ok(robots.length === 4 && robots.every((e) => e.actorKind === 'automation' && e.actorId === 'welcome'));
        assert.deepEqual(await t.app.events.types(t.app.db), ['lesson.completed', 'order.paid']);
      } finally {
        await t.close();
      }
    });
  });
}
