// The weekly review's one-click actions that change who does what: accepting a delegation really
// raises a role's refund limit (and taking it back sets it back), and an escalated conversation
// is reassigned by the owner from the review. Through the HTTP routes, on both backends.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type Client, type TestApp } from '../../../test/support/harness.js';
import { buyAsCustomer, type Shop } from '../../../test/support/shop.js';
import { openSupportShop, type SupportShop } from '../support/test-team.js';


for (const backend of backends()) {
  describe(`owner review actions: delegations and reassigning [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let sam: Client;
    let marketing: Client;
    let shop: Shop;
    let samId: string;
    let sueId: string;
    let s: SupportShop;
    let customerWrites: SupportShop['customerWrites'];
    const supportLimit = async () => (await owner.get('/api/support/settings')).json().limits.support.refundMax as number;

    before(async () => {
      s = await openSupportShop(backend, { admin: false });
      ({ t, owner, sam, marketing, shop, samId, sueId, customerWrites } = s);
    });
    after(() => s.close());

    it('accepting the refund delegation raises the support role\'s limit (the assistant\'s refund then goes through); taking it back sets it back', async () => {
      await owner.patch('/api/support/settings', { limits: { support: { refundMax: 3000, refundMaxDays: 30, extendMaxDays: 14, resend: true }, admin: { refundMax: 100_000, refundMaxDays: 365, extendMaxDays: 365, resend: true } } });
      const orderId = await buyAsCustomer(t, shop.prices.once, 'ivy@example.com');
      const conv = await customerWrites('Ivy <ivy@example.com>', 'Refund please');
      const refund = (amount: number) => sam.post(`/api/support/conversations/${conv}/actions`, { kind: 'refund', orderId, amount, reason: 'broken lesson' });

      // Before: 40.00 is above support's 30.00 — it becomes a request for the owner.
      const asked = await refund(4000);
      assert.equal(asked.statusCode, 201, asked.body);
      assert.equal(asked.json().action.status, 'awaiting_approval');

      // Only the owner accepts delegations; a limit only where the process has one.
      assert.equal((await marketing.post('/api/owner/delegations', { eventType: 'order.refunded', role: 'support', refundMax: 5000 })).statusCode, 403);
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'contact.tagged', role: 'marketing', refundMax: 5000 })).statusCode, 400);
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'order.refunded', role: 'support', refundMax: 2000 })).statusCode, 400, 'not a raise');
      assert.equal(await supportLimit(), 3000, 'a refused change leaves the limit');

      const accepted = await owner.post('/api/owner/delegations', { eventType: 'order.refunded', role: 'support', refundMax: 5000 });
      assert.equal(accepted.statusCode, 204, accepted.body);
      assert.equal(await supportLimit(), 5000);
      const [ev] = await t.app.events.list(t.app.db, { type: 'owner.delegation_accepted' });
      assert.equal(ev!.actorKind, 'owner');
      assert.deepEqual({ refundMax: ev!.data.refundMax, previousRefundMax: ev!.data.previousRefundMax, role: ev!.data.role }, { refundMax: 5000, previousRefundMax: 3000, role: 'support' });
      const listed = (await owner.get('/api/owner/delegations')).json().delegations;
      assert.deepEqual(listed.map((d: { eventType: string; grant: unknown }) => [d.eventType, d.grant]), [['order.refunded', { kind: 'refund_limit', role: 'support', before: 3000, after: 5000 }]]);

      // After: the same 40.00 goes through at once.
      const done = await refund(4000);
      assert.equal(done.json().action.status, 'done', done.body);
      assert.equal(done.json().approvalId, null);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountRefunded, 4000);

      // Taken back: the limit is 30.00 again and 40.00 needs the owner again.
      assert.equal((await marketing.delete('/api/owner/delegations/order.refunded')).statusCode, 403);
      assert.equal((await owner.delete('/api/owner/delegations/order.refunded')).statusCode, 204);
      assert.equal((await owner.delete('/api/owner/delegations/order.refunded')).statusCode, 404);
      assert.equal(await supportLimit(), 3000);
      const [revoked] = await t.app.events.list(t.app.db, { type: 'owner.delegation_revoked' });
      assert.equal(revoked!.actorKind, 'owner');
      assert.equal(revoked!.data.refundMax, 3000);
      assert.equal((await refund(4000)).json().action.status, 'awaiting_approval');
    });

    it('reassigns an escalated conversation from the review: owner only, recorded with the owner as actor, and the decision leaves the list', async () => {
      const id = await customerWrites('Lu <lu@example.com>', 'Nobody answers');
      await t.app.support.assign(id, samId, { kind: 'system' });
      t.clock.advance(3 * 86_400_000);
      await owner.login('owner@example.com', 'correct horse battery');
      await sam.login('sam@shop.test', 'support password 123');
      assert.ok((await t.app.support.checkSlas()) >= 1);

      const review = (await owner.get('/api/owner/review')).json();
      const d = review.decisions.find((x: { key: string }) => x.key === `conversation:${id}`);
      assert.ok(d, JSON.stringify(review.decisions.map((x: { key: string }) => x.key)));
      assert.equal(d.kind, 'conversation');
      assert.ok(d.facts.some((f: { label: string; value: string }) => f.label === 'Customer' && f.value === 'lu@example.com'));
      const action = d.actions.find((a: { kind: string }) => a.kind === 'reassign');
      assert.deepEqual(action.body, { conversationId: id });
      const choices = action.choices.map((c: { id: string }) => c.id);
      assert.ok(choices.includes(sueId) && !choices.includes(samId), 'the current assignee is not offered');

      // Deny by default: an assistant may not use the owner's route; the same person is refused.
      assert.equal((await sam.post(action.url, { ...action.body, assigneeId: sueId })).statusCode, 403);
      assert.equal((await owner.post(action.url, { ...action.body, assigneeId: samId })).statusCode, 400);
      // The owner's cookie session without its CSRF token is refused like any cookie write.
      const forged = await owner.request('POST', action.url, { ...action.body, assigneeId: sueId }, { 'x-csrf-token': 'forged' });
      assert.equal(forged.statusCode, 403, forged.body);
      assert.equal((await t.app.support.get(t.app.db, id)).assigneeId, samId);
      const ok = await owner.post(action.url, { ...action.body, assigneeId: sueId });
      assert.equal(ok.statusCode, 204, ok.body);

      assert.equal((await t.app.support.get(t.app.db, id)).assigneeId, sueId);
      const assigned = (await t.app.events.list(t.app.db, { subjectType: 'support_conversation', subjectId: id, limit: 20 })).filter((e) => e.type === 'support.assigned');
      const last = assigned.find((e) => e.data.assigneeId === sueId);
      assert.ok(last);
      assert.equal(last.actorKind, 'owner');
      const after = (await owner.get('/api/owner/review')).json();
      assert.ok(!after.decisions.some((x: { key: string }) => x.key === `conversation:${id}`), 'the decision left the list');
    });
  });
}
