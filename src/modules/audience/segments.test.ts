import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { backends, Client, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import type { SegmentRule, SegmentRules } from './segments.js';
import { compileSegmentSql } from './segments.js';

const DAY = 86_400_000;
const system = { kind: 'system' } as const;

for (const backend of backends()) {
  describe(`segments compiled to SQL [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    const id: Record<string, string> = {};
    const product = randomUUID();
    const course = randomUUID();
    let vip: string;
    let weekly: string;

    /** Emails a set of rules selects, via the live preview (the admin's view). */
    async function who(rules: SegmentRule[], match: 'all' | 'any' = 'all'): Promise<string[]> {
      const res = await owner.post('/api/segments/preview', { rules: { match, rules } });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.sample.length, body.total);
      return body.sample.map((c: { email: string }) => c.email.split('@')[0]).sort();
    }

    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      const a = t.app.audience;
      vip = (await a.createTag('VIP', system)).id;
      weekly = (await a.createList({ name: 'Weekly' }, system)).id;
      const now = t.clock.now();
      t.clock.set(new Date(now.getTime() - 100 * DAY));
      id.c1 = (await a.createContact({ email: 'c1@gmail.com', fields: { plan: 'pro', score: '42', city: 'Berlin' }, listIds: [weekly], tagIds: [vip] }, system)).id;
      t.clock.set(now);
      id.c2 = (await a.createContact({ email: 'c2@example.com', fields: { plan: 'free', score: '7' } }, system)).id;
      id.c3 = (await a.createContact({ email: 'c3@example.com', fields: { score: 'lots' }, tagIds: [vip] }, system)).id;
      id.c4 = (await a.createContact({ email: 'c4@example.com' }, system)).id;
      id.c5 = (await a.createContact({ email: 'c5@example.com' }, system)).id;
      await t.app.db.execute(sql`update contacts set source = 'form:abc' where id = ${id.c1}`);
      await t.app.db.execute(sql`update contacts set status = 'bounced' where id = ${id.c4}`);
      await t.app.database.transaction(async (tx) => {
        await a.unsubscribeInTx(tx, { contactId: id.c3!, actor: system, via: 'test' });
        await t.app.access.grantInTx(tx, { contactId: id.c2!, resource: { type: 'product', id: product }, source: 'purchase', sourceId: 'order-1', actor: system });
        await t.app.access.grantInTx(tx, { contactId: id.c5!, resource: { type: 'product', id: product }, source: 'manual', actor: system });
        await t.app.access.grantInTx(tx, { contactId: id.c4!, resource: { type: 'product', id: product }, source: 'purchase', sourceId: 'order-2', actor: system });
        await t.app.access.revokeInTx(tx, { sourceId: 'order-2' }, system, 'refunded');
        // What the mail module records for engagement, and the learning module for progress.
        await t.app.events.recordInTx(tx, { type: 'email.opened', actor: system, subject: { type: 'contact', id: id.c2! }, occurredAt: new Date(now.getTime() - 5 * DAY) });
        await t.app.events.recordInTx(tx, { type: 'email.clicked', actor: system, subject: { type: 'contact', id: id.c3! }, occurredAt: new Date(now.getTime() - 40 * DAY) });
        await t.app.events.recordInTx(tx, { type: 'lesson.completed', actor: { kind: 'customer', id: id.c3! }, subject: { type: 'lesson', id: randomUUID() }, data: { contactId: id.c3!, courseId: course } });
        await t.app.events.recordInTx(tx, { type: 'course.completed', actor: { kind: 'customer', id: id.c3! }, subject: { type: 'course', id: course }, data: { contactId: id.c3! } });
        await t.app.events.recordInTx(tx, { type: 'lesson.completed', actor: { kind: 'customer', id: id.c4! }, subject: { type: 'lesson', id: randomUUID() }, data: { contactId: id.c4!, courseId: course } });
      });
    });
    after(() => t.close());

    it('selects by tag, list, status, source and email', async () => {
      assert.deepEqual(await who([{ type: 'tag', op: 'has', tagId: vip }]), ['c1', 'c3']);
      assert.deepEqual(await who([{ type: 'tag', op: 'not_has', tagId: vip }]), ['c2', 'c4', 'c5']);
      assert.deepEqual(await who([{ type: 'list', op: 'subscribed', listId: weekly }]), ['c1']);
      assert.deepEqual(await who([{ type: 'status', op: 'is', values: ['active'] }]), ['c1', 'c2', 'c5']);
      assert.deepEqual(await who([{ type: 'status', op: 'is_not', values: ['active', 'unsubscribed'] }]), ['c4']);
      assert.deepEqual(await who([{ type: 'source', op: 'starts_with', value: 'form:' }]), ['c1']);
      assert.deepEqual(await who([{ type: 'email', op: 'ends_with', value: '@GMAIL.com' }]), ['c1']);
    });

    it('compares custom fields as text and as numbers', async () => {
      assert.deepEqual(await who([{ type: 'field', field: 'plan', op: 'equals', value: 'PRO' }]), ['c1']);
      assert.deepEqual(await who([{ type: 'field', field: 'plan', op: 'not_equals', value: 'pro' }]), ['c2', 'c3', 'c4', 'c5']);
      assert.deepEqual(await who([{ type: 'field', field: 'score', op: 'greater_than', value: '10' }]), ['c1'], 'a text value is not a number');
      assert.deepEqual(await who([{ type: 'field', field: 'score', op: 'less_than', value: '10' }]), ['c2']);
      assert.deepEqual(await who([{ type: 'field', field: 'city', op: 'is_not_set' }]), ['c2', 'c3', 'c4', 'c5']);
      assert.deepEqual(await who([{ type: 'field', field: 'city', op: 'contains', value: 'erl' }]), ['c1']);
    });

    it('a value is data, never SQL', async () => {
      assert.deepEqual(await who([{ type: 'field', field: 'plan', op: 'equals', value: "x' or '1'='1" }]), []);
      assert.deepEqual(await who([{ type: 'email', op: 'contains', value: "'; drop table contacts; --" }]), []);
      const compiled = compileSegmentSql({ match: 'all', rules: [{ type: 'field', field: 'plan', op: 'equals', value: "it's" }] });
      assert.match(compiled, /lower\('it''s'\)/);
      const bad = await owner.post('/api/segments/preview', { rules: { match: 'all', rules: [{ type: 'field', field: "plan') or (1=1", op: 'equals', value: 'x' }] } });
      assert.equal(bad.statusCode, 400, 'a field name outside [a-z0-9_] is refused');
    });

    it('selects by signup date, purchases (live grants), course progress and engagement', async () => {
      assert.deepEqual(await who([{ type: 'created', op: 'before_days', days: 30 }]), ['c1']);
      assert.deepEqual(await who([{ type: 'created', op: 'within_days', days: 30 }]), ['c2', 'c3', 'c4', 'c5']);
      assert.deepEqual(await who([{ type: 'purchase', op: 'has' }]), ['c2'], 'a manual grant or a refunded order is not a purchase');
      assert.deepEqual(await who([{ type: 'purchase', op: 'has', resourceType: 'product', resourceId: product }]), ['c2']);
      assert.deepEqual(await who([{ type: 'purchase', op: 'not_has', resourceId: product }]), ['c1', 'c3', 'c4', 'c5']);
      assert.deepEqual(await who([{ type: 'course', op: 'completed', courseId: course }]), ['c3']);
      assert.deepEqual(await who([{ type: 'course', op: 'started', courseId: course }]), ['c3', 'c4']);
      assert.deepEqual(await who([{ type: 'course', op: 'not_started' }]), ['c1', 'c2', 'c5']);
      assert.deepEqual(await who([{ type: 'engagement', op: 'opened', days: 30 }]), ['c2']);
      assert.deepEqual(await who([{ type: 'engagement', op: 'clicked', days: 30 }]), []);
      assert.deepEqual(await who([{ type: 'engagement', op: 'clicked', days: 60 }]), ['c3']);
      assert.deepEqual(await who([{ type: 'engagement', op: 'engaged', days: 60 }]), ['c2', 'c3']);
      assert.deepEqual(await who([{ type: 'engagement', op: 'not_engaged', days: 60 }]), ['c1', 'c4', 'c5']);
    });

    it('combines rules with all/any and nested groups', async () => {
      const rules: SegmentRule[] = [
        { type: 'tag', op: 'has', tagId: vip },
        { type: 'group', match: 'any', rules: [{ type: 'status', op: 'is', values: ['active'] }, { type: 'engagement', op: 'clicked', days: 60 }] },
      ];
      assert.deepEqual(await who(rules), ['c1', 'c3']);
      assert.deepEqual(await who([{ type: 'list', op: 'subscribed', listId: weekly }, { type: 'purchase', op: 'has' }], 'any'), ['c1', 'c2']);
      assert.deepEqual(await who([]), ['c1', 'c2', 'c3', 'c4', 'c5'], 'no rules: everyone');
    });

    it('time windows count back from the app clock', async () => {
      const count = async (rules: SegmentRule[]) => (await t.app.audience.segments.preview({ match: 'all', rules })).total;
      t.clock.advance(31 * DAY);
      try {
        assert.equal(await count([{ type: 'engagement', op: 'opened', days: 30 }]), 0);
        assert.equal(await count([{ type: 'created', op: 'within_days', days: 30 }]), 0);
        assert.equal(await count([{ type: 'engagement', op: 'opened', days: 40 }]), 1);
      } finally {
        t.clock.advance(-31 * DAY);
      }
    });

    it('a saved segment is what broadcasts select: sendable members only, read fresh after every edit', async () => {
      const rules: SegmentRules = { match: 'all', rules: [{ type: 'tag', op: 'has', tagId: vip }] };
      const created = await owner.post('/api/segments', { name: 'VIPs', rules });
      assert.equal(created.statusCode, 201, created.body);
      const segId = created.json().id;
      assert.equal(created.json().compiledSql, undefined, 'compiled SQL stays on the server');
      const got = (await owner.get(`/api/segments/${segId}`)).json();
      assert.deepEqual(got.count, { total: 2, sendable: 1 });

      const audience = async (input: { listId?: string; segmentId?: string }) =>
        ((await t.app.db.execute(t.app.audience.audienceSql(input))) as unknown as { rows: { id: string }[] }).rows.map((r) => r.id).sort();
      assert.deepEqual(await audience({ segmentId: segId }), [id.c1], 'the unsubscribed VIP is not in a broadcast audience');
      assert.deepEqual(await audience({ segmentId: segId, listId: weekly }), [id.c1]);

      await owner.patch(`/api/segments/${segId}`, { rules: { match: 'all', rules: [{ type: 'purchase', op: 'has' }] } });
      assert.deepEqual(await audience({ segmentId: segId }), [id.c2], 'the new rules apply at once');
      const listed = (await owner.get(`/api/contacts?segmentId=${segId}`)).json();
      assert.deepEqual(listed.contacts.map((c: { email: string }) => c.email), ['c2@example.com']);

      assert.equal((await owner.delete(`/api/segments/${segId}`)).statusCode, 204);
      await assert.rejects(
        () => t.app.db.execute(t.app.audience.audienceSql({ segmentId: segId })),
        (err: Error & { cause?: Error }) => /segment .* does not exist/.test(`${err.message} ${err.cause?.message}`),
        'a broadcast cannot go to a deleted segment',
      );
      const events = (await owner.get('/api/activity?type=segment.')).json().events.map((e: { type: string }) => e.type);
      assert.deepEqual(events, ['segment.deleted', 'segment.updated', 'segment.created']);
    });
  });
}
