// Delegations that change what a role may really do, beyond refunds and the blog: the marketing
// role's send limit in mail (above it a send becomes an approval the weekly review shows; an
// accepted delegation of broadcasts raises it, taking it back restores it) and the content role's
// permission to change published courses in learning (granted by delegating lessons, withdrawn
// on revoke). Each enforced by the module's own check, through the HTTP routes, on both backends.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../clock.js';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { POSTAL, seedAudience } from '../mail/test-helpers.js';
import type { Review } from './contract.js';

for (const backend of backends()) {
  describe(`owner delegations that set a module's policy [${backend}]`, () => {
    let t: TestApp;
    const clock = new ManualClock('2026-03-27T10:00:00Z');
    let owner: Client;
    let admin: Client;
    let marketing: Client;
    let content: Client;
    let small: string;
    let big: string;

    before(async () => {
      t = await createTestApp(backend, { clock });
      owner = await setupOwner(t);
      admin = await addMember(t, owner, 'admin');
      marketing = await addMember(t, owner, 'marketing');
      content = await addMember(t, owner, 'content');
      ({ listId: small } = await seedAudience(t.app, 3, { domain: 'small.test', listName: 'Small' }));
      ({ listId: big } = await seedAudience(t.app, 30, { domain: 'big.test', listName: 'Big' }));
      assert.equal((await owner.patch('/api/mail/settings', { postalAddress: POSTAL })).statusCode, 200);
    });
    after(() => t.close());

    const draft = async (who: Client, listId: string, name: string) => {
      const res = await who.post('/api/broadcasts', { name, subject: name, body: 'Hello', listId });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const send = async (who: Client, id: string) => {
      const res = await who.post(`/api/broadcasts/${id}/schedule`, {});
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { status: string; approvalId: string | null };
    };
    const review = async (): Promise<Review> => (await owner.get('/api/owner/review')).json();

    it('marketing sends within the owner\'s limit; above it (people per send, sends per week) the send is an approval the review shows', async () => {
      // Owner only: admins and marketing may read the limit, not set it.
      for (const who of [admin, marketing]) assert.equal((await who.request('PUT', '/api/mail/send-limits', { maxRecipients: 1000, maxPerWeek: 9 })).statusCode, 403);
      assert.equal((await owner.request('PUT', '/api/mail/send-limits', { maxRecipients: -1, maxPerWeek: 1 })).statusCode, 400);
      assert.equal((await owner.request('PUT', '/api/mail/send-limits', { maxRecipients: 10, maxPerWeek: 1 })).statusCode, 200);
      assert.deepEqual((await marketing.get('/api/mail/send-limits')).json(), { maxRecipients: 10, maxPerWeek: 1, sendsThisWeek: 0 });

      // The editor's warning before the click: reach, the limit, and whether a send would ask the owner.
      const check = async (who: Client, id: string, query = '') => {
        const res = await who.get(`/api/broadcasts/${id}/send-check${query}`);
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as { recipients: number | null; limited: boolean; maxRecipients: number; maxPerWeek: number; sendsThisWeek: number; overLimit: string | null; pendingApprovalId: string | null };
      };
      const firstId = await draft(marketing, small, 'Small one');
      assert.deepEqual(await check(marketing, firstId), { recipients: 3, limited: true, maxRecipients: 10, maxPerWeek: 1, sendsThisWeek: 0, overLimit: null, pendingApprovalId: null });
      const unsaved = await check(marketing, firstId, `?listId=${big}`);
      assert.equal(unsaved.recipients, 30, "the editor's unsaved audience is counted, not the saved one");
      assert.match(unsaved.overLimit ?? '', /30 recipients, above the marketing limit of 10/);
      const asOwner = await check(owner, firstId, `?listId=${big}`);
      assert.deepEqual([asOwner.limited, asOwner.overLimit], [false, null], 'the owner is never held to it');
      assert.equal((await marketing.get(`/api/broadcasts/${firstId}/send-check?listId=nope`)).statusCode, 400);

      const first = await send(marketing, firstId);
      assert.deepEqual([first.status, first.approvalId], ['scheduled', null], '3 people, the first send of the week: within the limit');

      const secondId = await draft(marketing, small, 'Small two');
      const second = await send(marketing, secondId);
      assert.equal(second.status, 'draft', 'the second send of the week waits');
      assert.ok(second.approvalId);
      // Asking again for the same unchanged draft answers with the waiting request, not a second one.
      const again = await send(marketing, secondId);
      assert.equal(again.approvalId, second.approvalId);
      const waitingCheck = await check(marketing, secondId);
      assert.deepEqual([waitingCheck.sendsThisWeek, waitingCheck.pendingApprovalId], [1, second.approvalId]);
      assert.match(waitingCheck.overLimit ?? '', /2 sends in 7 days/, 'the weekly count is the reason now');
      const waiting = async () => (await t.app.approvals.list(t.app.db, { status: 'pending', kind: 'mail.broadcast_send', subject: { type: 'broadcast', id: secondId } })).length;
      assert.equal(await waiting(), 1, 'two asks, one approval');

      const bigId = await draft(marketing, big, 'Big one');
      const asked = await send(marketing, bigId);
      assert.equal(asked.status, 'draft');
      const [requested] = await t.app.events.list(t.app.db, { type: 'broadcast.send_requested', subjectId: bigId });
      assert.equal(requested!.actorRole, 'marketing');
      assert.equal(requested!.data.recipients, 30);
      assert.match(String(requested!.data.reason), /30 recipients, above the marketing limit of 10/);

      // The weekly review shows both requests as decisions with approve / refuse.
      const decisions = (await review()).decisions;
      for (const id of [second.approvalId, asked.approvalId]) {
        const d = decisions.find((x) => x.key === `approval:${id}`);
        assert.ok(d, `approval ${id} is a decision`);
        assert.ok(d.actions.some((a) => a.kind === 'approve'));
      }

      // The owner and admins are not limited.
      assert.equal((await send(owner, await draft(owner, big, 'Owner big'))).status, 'scheduled');
      assert.equal((await send(admin, await draft(admin, big, 'Admin big'))).status, 'scheduled');

      // Approving schedules it as asked, with the owner as the one who decided.
      const approved = await owner.post(`/api/approvals/${asked.approvalId}/approve`, {});
      assert.equal(approved.statusCode, 200, approved.body);
      const b = (await owner.get(`/api/broadcasts/${bigId}`)).json();
      assert.equal(b.status, 'scheduled');
      const [scheduled] = await t.app.events.list(t.app.db, { type: 'broadcast.scheduled', subjectId: bigId });
      assert.equal(scheduled!.actorKind, 'owner');

      // A draft edited after the request is not sent on the old approval.
      await marketing.patch(`/api/broadcasts/${secondId}`, { subject: 'Changed after asking' });
      assert.equal((await check(marketing, secondId)).pendingApprovalId, null, 'the edited draft has no request waiting');
      assert.equal((await owner.post(`/api/approvals/${second.approvalId}/approve`, {})).statusCode, 409);
      assert.equal((await owner.get(`/api/broadcasts/${secondId}`)).json().status, 'draft');

      // After a refusal, asking again makes a new request.
      const thirdId = await draft(marketing, small, 'Small three');
      const third = await send(marketing, thirdId);
      assert.ok(third.approvalId);
      assert.equal((await owner.post(`/api/approvals/${third.approvalId}/refuse`, { note: 'Not this week' })).statusCode, 200);
      const thirdAgain = await send(marketing, thirdId);
      assert.ok(thirdAgain.approvalId);
      assert.notEqual(thirdAgain.approvalId, third.approvalId, 'a refused request is not answered again');
    });

    it('delegating broadcasts raises the marketing send limit; taking it back restores it', async () => {
      const accept = (body: object) => owner.post('/api/owner/delegations', body);
      assert.equal((await marketing.post('/api/owner/delegations', { eventType: 'broadcast.started', role: 'marketing' })).statusCode, 403);
      assert.equal((await accept({ eventType: 'broadcast.started', role: 'support' })).statusCode, 400);
      assert.equal((await accept({ eventType: 'post.published', role: 'content', sendLimit: { maxPerWeek: 3 } })).statusCode, 400);
      assert.equal((await accept({ eventType: 'broadcast.started', role: 'marketing', sendLimit: { maxRecipients: 5, maxPerWeek: 1 } })).statusCode, 400, 'not a raise');

      const before = await send(marketing, await draft(marketing, big, 'Before delegation'));
      assert.ok(before.approvalId, 'above the limit before');
      const ok = await accept({ eventType: 'broadcast.started', role: 'marketing', sendLimit: { maxRecipients: 100, maxPerWeek: 10 } });
      assert.equal(ok.statusCode, 204, ok.body);
      const [ev] = await t.app.events.list(t.app.db, { type: 'owner.delegation_accepted', subjectId: 'broadcast.started' });
      assert.equal(ev!.actorKind, 'owner');
      assert.deepEqual(ev!.data.previousSendLimit, { maxRecipients: 10, maxPerWeek: 1 });
      const [changed] = await t.app.events.list(t.app.db, { type: 'mail.send_limits_changed' });
      assert.equal(changed!.actorKind, 'owner');
      assert.equal((await send(marketing, await draft(marketing, big, 'After delegation'))).status, 'scheduled');

      assert.equal((await owner.delete('/api/owner/delegations/broadcast.started')).statusCode, 204);
      assert.deepEqual((await owner.get('/api/mail/send-limits')).json().maxRecipients, 10);
      const after = await send(marketing, await draft(marketing, big, 'After revoke'));
      assert.ok(after.approvalId, 'above the limit again');
    });

    it('delegating lessons lets the content role change published courses; taking it back withdraws it', async () => {
      const course = (await owner.post('/api/learning/courses', { title: 'Live course' })).json();
      const mod = (await owner.post(`/api/learning/courses/${course.id}/modules`, { title: 'M' })).json();
      const lesson = (await owner.post(`/api/learning/modules/${mod.id}/lessons`, { title: 'L' })).json();
      assert.equal((await owner.patch(`/api/learning/courses/${course.id}`, { status: 'published' })).statusCode, 200);
      const edit = () => content.patch(`/api/learning/lessons/${lesson.id}`, { bodyMarkdown: `Updated ${Math.random()}` });

      assert.equal((await edit()).statusCode, 403, 'live: the owner\'s until delegated');
      assert.equal((await content.post(`/api/learning/lessons/${lesson.id}/reviewed`, {})).statusCode, 403);
      assert.equal((await content.post(`/api/learning/modules/${mod.id}/lessons`, { title: 'New' })).statusCode, 403);
      assert.equal((await admin.patch(`/api/learning/lessons/${lesson.id}`, { bodyMarkdown: 'Admin edit' })).statusCode, 200, 'admins are not limited');
      // Drafts stay the content role's.
      const own = (await content.post('/api/learning/courses', { title: 'Draft course' })).json();
      const ownMod = (await content.post(`/api/learning/courses/${own.id}/modules`, { title: 'M' })).json();
      assert.equal((await content.post(`/api/learning/modules/${ownMod.id}/lessons`, { title: 'Draft lesson' })).statusCode, 201);

      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'lesson.updated', role: 'marketing' })).statusCode, 400);
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'lesson.updated', role: 'content' })).statusCode, 204);
      assert.deepEqual((await content.get('/api/learning/policy')).json(), { content: { editsLiveCourses: true } });
      assert.equal((await edit()).statusCode, 200);
      assert.equal((await content.post(`/api/learning/lessons/${lesson.id}/reviewed`, {})).statusCode, 200);
      const [changed] = await t.app.events.list(t.app.db, { type: 'learning.content_policy_changed' });
      assert.equal(changed!.actorKind, 'owner');

      // Two lesson processes delegated: taking one back keeps the permission, the last one withdraws it.
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'course.reviewed', role: 'content' })).statusCode, 204);
      assert.equal((await owner.delete('/api/owner/delegations/lesson.updated')).statusCode, 204);
      assert.equal((await edit()).statusCode, 200);
      assert.equal((await owner.delete('/api/owner/delegations/course.reviewed')).statusCode, 204);
      assert.equal((await edit()).statusCode, 403);
      assert.deepEqual((await content.get('/api/learning/policy')).json(), { content: { editsLiveCourses: false } });
    });

    it('delegating support hands new conversations to the support role in turn; taking it back stops it', async () => {
      const sam = await addMember(t, owner, 'support', 'sam@example.com');
      const samId = (await t.app.team.listUsers()).find((u) => u.email === 'sam@example.com')!.id;
      let n = 0;
      const write = async () => {
        n++;
        const r = await t.app.support.ingestForm({ email: `c${n}@customer.test`, name: 'C', subject: `Question ${n}`, text: 'Hello', channel: 'site', via: 'test', key: `k${n}` });
        return (await t.app.support.get(t.app.db, r.conversationId!)).assigneeId;
      };
      assert.equal(await write(), null, 'before: a new conversation waits unassigned');
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'support.replied', role: 'content' })).statusCode, 400);
      assert.equal((await sam.post('/api/owner/delegations', { eventType: 'support.replied', role: 'support' })).statusCode, 403);
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'support.replied', role: 'support' })).statusCode, 204);
      assert.equal(await write(), samId);
      const [ev] = await t.app.events.list(t.app.db, { type: 'owner.delegation_accepted', subjectId: 'support.replied' });
      assert.equal(ev!.data.roundRobin, true);
      assert.equal((await owner.delete('/api/owner/delegations/support.replied')).statusCode, 204);
      assert.equal(await write(), null, 'taken back: unassigned again');
      assert.equal((await owner.get('/api/support/settings')).json().roundRobin, false);
    });
  });
}
