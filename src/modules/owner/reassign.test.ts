// Handing work over from the weekly review beyond conversations and refunds: an overdue task goes
// to another person or role (through tasks' own reassignment); a pending approval is handed to a
// named admin who may then decide it (and no one else but the owner); accepting the blog
// delegation lets the content role publish without approval (all posts, or only some tags), and
// taking it back restores the policy. Owner only, CSRF, validation, the owner as actor, enforced
// server-side. Through the HTTP routes, on both backends.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ManualClock } from '../../clock.js';
import { addMember, backends, createTestApp, OWNER, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { defineApprovalKind } from '../approvals/index.js';
import { overdueTasks } from '../tasks/index.js';
import type { Review, ReviewDecision } from './contract.js';

const DAY = 86_400_000;

for (const backend of backends()) {
  describe(`owner review: reassigning tasks and handing approvals to an admin [${backend}]`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-27T10:00:00Z'); // a Friday
    const people: Record<'owner' | 'admin' | 'admin2' | 'support' | 'content' | 'marketing', Client> = {} as never;
    const ids: Record<string, string> = {};
    let applied = 0;
    const member = { admin: ['admin', 'admin@example.com'], admin2: ['admin', 'bo@example.com'], support: ['support', 'support@example.com'], content: ['content', 'content@example.com'], marketing: ['marketing', 'marketing@example.com'] } as const;

    async function signInAll() {
      await people.owner.login(OWNER.email, OWNER.password);
      for (const [k, [role, email]] of Object.entries(member)) await people[k as keyof typeof member].login(email, `${role} password 123`);
    }
    const review = async (): Promise<Review> => {
      const res = await people.owner.get('/api/owner/review');
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const decision = async (key: string): Promise<ReviewDecision | undefined> => (await review()).decisions.find((d) => d.key === key);
    const assistants = ['admin', 'admin2', 'support', 'content', 'marketing'] as const;

    before(async () => {
      t = await createTestApp(backend, { clock });
      people.owner = await setupOwner(t);
      for (const [k, [role, email]] of Object.entries(member)) people[k as keyof typeof member] = await addMember(t, people.owner, role, email);
      for (const u of await t.app.team.listUsers()) ids[u.email] = u.id;
      t.app.approvals.register(
        defineApprovalKind({
          kind: 'test.refund',
          data: z.object({ amount: z.string() }),
          applyInTx: async () => {
            applied++;
            return 'refunded';
          },
        }),
      );
    });
    after(() => t.close());

    it('reassigns an overdue task to a role: owner only, validated, recorded by tasks with the owner as actor; the new assignee has it and the decision leaves', async () => {
      const supportId = ids['support@example.com']!;
      const created = await people.owner.post('/api/tasks', { title: 'Answer the inbox backlog', assignee: { userId: supportId }, recurrence: { kind: 'once' }, startsOn: '2026-03-30', dueTime: '09:00' });
      assert.equal(created.statusCode, 201, created.body);
      const taskId = created.json().id as string;
      clock.set(new Date(Date.parse('2026-03-30T09:00:00Z') + 2 * DAY));
      await t.app.tasks.createDueOccurrences();
      await signInAll();
      const [occ] = (await overdueTasks(t.app.db, clock.now())).filter((o) => o.taskId === taskId);
      assert.ok(occ, 'the occurrence is overdue');

      const d = await decision(`task:${occ.occurrenceId}`);
      assert.ok(d, JSON.stringify((await review()).decisions.map((x) => x.key)));
      assert.equal(d.kind, 'task');
      assert.ok(d.facts.some((f) => f.label === 'Assigned to' && f.value === 'support person'));
      const action = d.actions.find((a) => a.kind === 'reassign')!;
      assert.deepEqual(action.body, { taskOccurrenceId: occ.occurrenceId });
      const choices = action.choices!.map((c) => c.id);
      assert.ok(!choices.includes(supportId), 'the current assignee is not offered');
      assert.ok(choices.includes(ids['content@example.com']!) && choices.includes('role:content') && choices.includes('role:support'));

      // Deny by default: every other role gets 403, whatever the body; nothing changed.
      for (const who of assistants) {
        for (const body of [{ ...action.body, assigneeRole: 'content' }, { ...action.body, assigneeId: ids['content@example.com'] }]) {
          const res = await people[who].post(action.url!, body);
          assert.equal(res.statusCode, 403, `${who}: ${res.body}`);
        }
      }
      // Validation: the same person, a role that is not a team role, two things at once, an unknown occurrence.
      assert.equal((await people.owner.post(action.url!, { ...action.body, assigneeId: supportId })).statusCode, 400);
      assert.equal((await people.owner.post(action.url!, { ...action.body, assigneeRole: 'owner' })).statusCode, 400);
      assert.equal((await people.owner.post(action.url!, { ...action.body, assigneeRole: 'content', assigneeId: supportId })).statusCode, 400);
      assert.equal((await people.owner.post(action.url!, { taskOccurrenceId: randomUUID(), assigneeRole: 'content' })).statusCode, 404);
      // The owner's cookie session without its CSRF token is refused like any cookie write.
      assert.equal((await people.owner.request('POST', action.url!, { ...action.body, assigneeRole: 'content' }, { 'x-csrf-token': 'forged' })).statusCode, 403);
      assert.equal((await overdueTasks(t.app.db, clock.now())).find((o) => o.occurrenceId === occ.occurrenceId)!.assigneeUserId, supportId);

      const ok = await people.owner.post(action.url!, { ...action.body, assigneeRole: 'content' });
      assert.equal(ok.statusCode, 204, ok.body);
      const now = (await overdueTasks(t.app.db, clock.now())).find((o) => o.occurrenceId === occ.occurrenceId)!;
      assert.deepEqual({ role: now.assigneeRole, user: now.assigneeUserId }, { role: 'content', user: null });
      const [ev] = await t.app.events.list(t.app.db, { type: 'task.updated', subjectType: 'task', subjectId: taskId });
      assert.equal(ev!.actorKind, 'owner');
      assert.deepEqual(ev!.data.changed, ['assignee']);
      // The content role has it in My day; support no longer does.
      const contentDay = JSON.stringify((await people.content.get('/api/tasks/my-day')).json());
      const supportDay = JSON.stringify((await people.support.get('/api/tasks/my-day')).json());
      assert.ok(contentDay.includes(occ.occurrenceId) && !supportDay.includes(occ.occurrenceId));
      assert.equal(await decision(`task:${occ.occurrenceId}`), undefined, 'the decision left the review');
    });

    it('hands a pending approval to a named admin: only that admin (and the owner) may then decide it; it leaves the review for a week', async () => {
      const adaId = ids['admin@example.com']!;
      const boId = ids['bo@example.com']!;
      const request = () =>
        t.app.database.transaction((tx) =>
          t.app.approvals.requestInTx(tx, { kind: 'test.refund', data: { amount: '250.00 EUR' }, title: `Refund 250.00 EUR (${randomUUID().slice(0, 4)})`, actor: { kind: 'assistant', id: ids['support@example.com']!, role: 'support' } }),
        );
      const a = await request();
      const other = await request();
      const d = await decision(`approval:${a.id}`);
      assert.ok(d);
      const action = d.actions.find((x) => x.kind === 'reassign')!;
      assert.equal(action.label, 'Hand over');
      assert.deepEqual(action.body, { approvalId: a.id });
      assert.deepEqual(action.choices!.map((c) => c.id).sort(), [adaId, boId].sort(), 'the admins, and only them');

      for (const who of assistants) assert.equal((await people[who].post(action.url!, { ...action.body, assigneeId: adaId })).statusCode, 403, who);
      assert.equal((await people.owner.post(action.url!, { ...action.body, assigneeId: ids['support@example.com'] })).statusCode, 400, 'not an admin');
      assert.equal((await people.owner.post(action.url!, { approvalId: randomUUID(), assigneeId: adaId })).statusCode, 404);
      assert.equal((await people.owner.request('POST', action.url!, { ...action.body, assigneeId: adaId }, { 'x-csrf-token': 'forged' })).statusCode, 403);
      assert.equal((await t.app.approvals.get(t.app.db, a.id))!.delegatedToId, null);

      const ok = await people.owner.post(action.url!, { ...action.body, assigneeId: adaId });
      assert.equal(ok.statusCode, 204, ok.body);
      assert.equal((await people.owner.post(action.url!, { ...action.body, assigneeId: adaId })).statusCode, 400, 'already with her');
      const [ev] = await t.app.events.list(t.app.db, { type: 'approval.delegated', subjectId: a.id });
      assert.equal(ev!.actorKind, 'owner');
      assert.equal(ev!.data.delegatedTo, adaId);
      const mail = (await t.app.database.execute<{ to_address: string; subject: string }>(`select to_address, subject from mail_messages where tag = 'approval.delegated'`)).rows;
      assert.deepEqual(mail.map((m) => m.to_address), ['admin@example.com']);
      assert.match(mail[0]!.subject, /handed you a decision: Refund 250/);
      assert.equal(await decision(`approval:${a.id}`), undefined, 'it left the owner\'s decisions');
      assert.ok(await decision(`approval:${other.id}`), 'the other request stays');

      // Deciding it: the other admin, an assistant and the owner's own route are refused; the
      // request not handed to Ada is refused to her; nothing ran.
      const url = `/api/approvals/${a.id}/delegated/approve`;
      assert.equal((await people.admin2.post(url, {})).statusCode, 403);
      assert.equal((await people.support.post(url, {})).statusCode, 403);
      assert.equal((await people.admin.post(`/api/approvals/${a.id}/approve`, {})).statusCode, 403, 'the owner\'s route stays the owner\'s');
      assert.equal((await people.admin.post(`/api/approvals/${other.id}/delegated/approve`, {})).statusCode, 403);
      assert.equal(applied, 0);
      const decided = await people.admin.post(url, { note: 'fine' });
      assert.equal(decided.statusCode, 200, decided.body);
      assert.equal(applied, 1, 'the approved action ran');
      assert.deepEqual(decided.json().approval.decidedBy, { kind: 'assistant', id: adaId, role: 'admin' });
      assert.equal((await people.admin.post(url, {})).statusCode, 409, 'decided once');

      // Handed over and left undecided for a week: back on the owner's list, saying with whom it sat.
      assert.equal((await people.owner.post(action.url!, { approvalId: other.id, assigneeId: boId })).statusCode, 204);
      assert.equal(await decision(`approval:${other.id}`), undefined);
      clock.advance(7 * DAY + 60_000);
      await signInAll();
      const back = await decision(`approval:${other.id}`);
      assert.ok(back, 'back after a week');
      assert.ok(back.facts.some((f) => f.label === 'Handed to' && f.value.startsWith('admin person')));
      assert.deepEqual(back.actions.find((x) => x.kind === 'reassign')!.choices!.map((c) => c.id), [adaId], 'the other admin is offered');
    });

    it('accepting the blog delegation lets the content role publish without approval (within its tags), enforced by the blog; taking it back restores the policy', async () => {
      const post = (title: string, tags: string[]) => ({ title, excerpt: 'A short excerpt that says what the post is about in a sentence or two for search.', html: '<p>Some words about pottery.</p>', tags });
      const publish = async (title: string, tags: string[]) => {
        const created = await people.content.post('/api/posts', { content: post(title, tags) });
        assert.equal(created.statusCode, 201, created.body);
        const res = await people.content.post(`/api/posts/${created.json().id}/publish`, {});
        assert.equal(res.statusCode, 200, res.body);
        return res.json().outcome as string;
      };
      const policy = async () => (await t.app.content.getSettings()).policies.content;
      assert.equal(await publish('Before: a post waits for the owner', ['tips']), 'submitted');

      // Owner only; a policy only where the process has one; a role that does not publish is refused.
      const accept = (body: object) => people.owner.post('/api/owner/delegations', body);
      for (const who of assistants) assert.equal((await people[who].post('/api/owner/delegations', { eventType: 'post.published', role: 'content' })).statusCode, 403, who);
      assert.equal((await accept({ eventType: 'contact.tagged', role: 'marketing', publishTags: ['tips'] })).statusCode, 400);
      assert.equal((await accept({ eventType: 'post.published', role: 'support' })).statusCode, 400);
      assert.equal((await accept({ eventType: 'post.published', role: 'content', refundMax: 5000 })).statusCode, 400);
      assert.equal((await people.owner.request('POST', '/api/owner/delegations', { eventType: 'post.published', role: 'content', publishTags: ['tips'] }, { 'x-csrf-token': 'forged' })).statusCode, 403);
      assert.deepEqual(await policy(), { mode: 'approval' }, 'refused changes leave the policy');

      // Within tags: posts tagged only "tips" go out; another tag still waits.
      const ok = await accept({ eventType: 'post.published', role: 'content', publishTags: ['Tips'] });
      assert.equal(ok.statusCode, 204, ok.body);
      assert.deepEqual(await policy(), { mode: 'tags', tags: ['tips'] });
      const [ev] = await t.app.events.list(t.app.db, { type: 'owner.delegation_accepted', subjectId: 'post.published' });
      assert.equal(ev!.actorKind, 'owner');
      assert.deepEqual(ev!.data.previousPublishPolicy, { mode: 'approval' });
      assert.equal(await publish('Tips: wedging', ['tips']), 'published');
      assert.equal(await publish('News: a sale', ['news']), 'submitted');

      // Every post, then taken back: the policy is what it was before the first acceptance.
      assert.equal((await accept({ eventType: 'post.published', role: 'content' })).statusCode, 204);
      assert.equal(await publish('News: open day', ['news']), 'published');
      const listed = (await people.owner.get('/api/owner/delegations')).json().delegations.find((d: { eventType: string }) => d.eventType === 'post.published');
      assert.deepEqual(listed.grant, { kind: 'publish_policy', role: 'content', before: { mode: 'approval' }, after: { mode: 'free' } });
      assert.equal((await accept({ eventType: 'post.published', role: 'content' })).statusCode, 400, 'already free');
      assert.equal((await people.content.delete('/api/owner/delegations/post.published')).statusCode, 403);
      assert.equal((await people.owner.delete('/api/owner/delegations/post.published')).statusCode, 204);
      assert.deepEqual(await policy(), { mode: 'approval' });
      const [revoked] = await t.app.events.list(t.app.db, { type: 'owner.delegation_revoked', subjectId: 'post.published' });
      assert.equal(revoked!.actorKind, 'owner');
      assert.equal(await publish('After: waits again', ['tips']), 'submitted');
    });
  });
}
