import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp } from '../../test/support/harness.js';
import fs from 'node:fs';
import pino from 'pino';
import { EventLog } from './events.js';
import { InvalidEventError, UnknownEventTypeError } from './event-catalog.js';
import { eventCatalog } from '../event-catalog.js';
import { projectRoot } from '../../test/support/processes.js';

const paidData = (contactId: string) => ({ number: 1001, contactId, kind: 'initial', total: 4900, amountPaid: 4900, currency: 'usd', provider: 'test' });

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
            const actor = i % 3 ? ({ kind: 'customer', id: `c${i}` } as const) : ({ kind: 'automation', id: 'welcome' } as const);
            const occurredAt = new Date(base - h * 3_600_000);
            if (i % 2) await t.app.events.recordInTx(tx, { type: 'order.paid', actor, occurredAt, data: paidData(`c${i}`) });
            else await t.app.events.recordInTx(tx, { type: 'lesson.completed', actor, occurredAt, data: { contactId: `c${i}`, courseId: 'course-1' } });
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

    it('refuses an unknown type and data that does not match the catalog; the transaction rolls back', async () => {
      const t = await createTestApp(backend);
      try {
        const before = (await t.app.events.list(t.app.db, {})).length;
        await assert.rejects(
          t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type: 'order.payed' as 'order.paid', actor: { kind: 'system' }, data: paidData('c1') })),
          UnknownEventTypeError,
        );
        await assert.rejects(
          t.app.database.transaction((tx) =>
            t.app.events.recordInTx(tx, { type: 'order.paid', actor: { kind: 'system' }, subject: { type: 'order', id: 'o1' }, data: { ...paidData('c1'), total: 'lots' as unknown as number } }),
          ),
          (err: unknown) => err instanceof InvalidEventError && /data\.total/.test(err.message),
        );
        await assert.rejects(
          t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type: 'order.paid', actor: { kind: 'system' }, subject: { type: 'contact', id: 'c1' }, data: paidData('c1') })),
          /subject type "contact" is not order/,
        );
        assert.equal((await t.app.events.list(t.app.db, {})).length, before, 'nothing recorded');

        // Production: the change the event describes is in the same transaction, so a contract
        // mismatch is logged and the event kept rather than rolling back a customer's payment.
        const logged: unknown[] = [];
        const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
        const lenient = new EventLog(t.clock, t.app.jobs, { catalog: eventCatalog, strict: false, log });
        await t.app.database.transaction((tx) => lenient.recordInTx(tx, { type: 'order.paid', actor: { kind: 'system' }, data: { ...paidData('c1'), total: 'lots' as unknown as number } }));
        assert.equal((await t.app.events.list(t.app.db, { type: 'order.paid' })).length, 1);
        assert.equal(logged.length, 1);
        await assert.rejects(t.app.database.transaction((tx) => lenient.recordInTx(tx, { type: 'nope.never' as 'order.paid', actor: { kind: 'system' }, data: paidData('c1') })), UnknownEventTypeError);
      } finally {
        await t.close();
      }
    });

    it('files every event under its contact (subject, data.contactId or acting customer), and the migration backfills the same way', async () => {
      const t = await createTestApp(backend);
      try {
        const system = { kind: 'system' } as const;
        await t.app.database.transaction(async (tx) => {
          await t.app.events.recordInTx(tx, { type: 'contact.tagged', actor: system, subject: { type: 'contact', id: 'k1' }, data: { tagId: 't1', tag: 'vip' } });
          await t.app.events.recordInTx(tx, { type: 'lesson.completed', actor: system, subject: { type: 'lesson', id: 'l1' }, data: { contactId: 'k1', courseId: 'c1' } });
          await t.app.events.recordInTx(tx, { type: 'payment.failed', actor: { kind: 'customer', id: 'k1' }, subject: { type: 'order', id: 'o1' }, data: { message: 'declined', provider: 'test', amount: 100, currency: 'usd' } });
          await t.app.events.recordInTx(tx, { type: 'lesson.completed', actor: system, subject: { type: 'lesson', id: 'l1' }, data: { contactId: 'k2', courseId: 'c1' } });
          await t.app.events.recordInTx(tx, { type: 'page.deleted', actor: system, subject: { type: 'page', id: 'p1' }, data: { slug: 'x' } });
        });
        const k1 = await t.app.events.list(t.app.db, { contactId: 'k1' });
        assert.deepEqual(k1.map((e) => e.type).sort(), ['contact.tagged', 'lesson.completed', 'payment.failed']);
        assert.ok(k1.every((e) => e.contactId === 'k1'));
        assert.equal((await t.app.events.list(t.app.db, { contactId: 'k2' })).length, 1);

        // Rows from before the column: the data migration fills them with the same rule.
        await t.app.database.execute(
          `insert into events (occurred_at, type, actor_kind, actor_id, subject_type, subject_id, data) values
             (now(), 'contact.tagged', 'system', null, 'contact', 'old1', '{}'),
             (now(), 'lesson.completed', 'system', null, 'lesson', 'l9', '{"contactId":"old2"}'),
             (now(), 'payment.failed', 'customer', 'old3', 'order', 'o9', '{}'),
             (now(), 'page.deleted', 'owner', 'u1', 'page', 'p9', '{}')`,
        );
        await t.app.database.execute('update events set contact_id = null where id > (select max(id) - 4 from events)');
        await t.app.database.execute(fs.readFileSync(`${projectRoot}/src/db/migrations/0002_core.sql`, 'utf8'));
        const filled = await t.app.database.execute<{ type: string; contact_id: string | null }>('select type, contact_id from events order by id desc limit 4');
        assert.deepEqual(filled.rows.map((r) => r.contact_id), [null, 'old3', 'old2', 'old1']);
      } finally {
        await t.close();
      }
    });
  });
}
