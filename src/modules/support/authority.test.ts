// Bounded authority per role, including the approval path (the owner approves; the refund then
// runs once), and SLA breach warnings and per-assistant figures.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { buyAsCustomer, type Shop } from '../../../test/support/shop.js';
import { openSupportShop, type SupportShop } from './test-team.js';


for (const backend of backends()) {
  describe(`support authority and SLAs [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let sam: Client;
    let sue: Client;
    let admin: Client;
    let marketing: Client;
    let shop: Shop;
    let samId: string;
    let sueId: string;
    let s: SupportShop;
    let customerWrites: SupportShop['customerWrites'];

    before(async () => {
      s = await openSupportShop(backend, { startWorkers: true });
      ({ t, owner, sam, sue, marketing, shop, samId, sueId, customerWrites } = s);
      admin = s.admin!;
    });
    after(() => s.close());

    it('bounded authority: support refunds within its limit at once, above it asks the owner; the owner approves and the refund runs once', async () => {
      await owner.patch('/api/support/settings', { limits: { support: { refundMax: 3000, refundMaxDays: 30, extendMaxDays: 14, resend: true }, admin: { refundMax: 100_000, refundMaxDays: 365, extendMaxDays: 365, resend: true } } });
      const orderId = await buyAsCustomer(t, shop.prices.once, 'ivy@example.com');
      const id = await customerWrites('Ivy <ivy@example.com>', 'Refund please');
      // Marketing has no authority here at all.
      assert.equal((await marketing.post(`/api/support/conversations/${id}/actions`, { kind: 'refund', orderId, amount: 100, reason: 'x' })).statusCode, 403);
      const small = await sam.post(`/api/support/conversations/${id}/actions`, { kind: 'refund', orderId, amount: 2000, reason: 'lesson 3 broken' });
      assert.equal(small.statusCode, 201, small.body);
      assert.equal(small.json().action.status, 'done');
      assert.equal(small.json().approvalId, null);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountRefunded, 2000);
      const big = await sam.post(`/api/support/conversations/${id}/actions`, { kind: 'refund', orderId, amount: 5000, reason: 'whole course broken', urgent: true });
      assert.equal(big.statusCode, 201, big.body);
      assert.equal(big.json().action.status, 'awaiting_approval');
      const approvalId = big.json().approvalId;
      assert.ok(approvalId);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountRefunded, 2000, 'nothing refunded before the decision');
      // Urgent: the owner is mailed at once.
      assert.ok((await t.app.mail.listOutbox({ to: 'owner@example.com' })).some((m) => /^Urgent: Refund 50\.00/.test(m.subject)));
      // Sam cannot approve his own request; the owner can.
      assert.equal((await sam.post(`/api/approvals/${approvalId}/approve`, {})).statusCode, 403);
      const ok = await owner.post(`/api/approvals/${approvalId}/approve`, {});
      assert.equal(ok.statusCode, 200, ok.body);
      await waitFor(async () => (await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountRefunded === 7000, { what: 'the approved refund to run' });
      const th = (await sam.get(`/api/support/conversations/${id}`)).json();
      assert.deepEqual(th.actions.map((a: { status: string }) => a.status), ['done', 'done']);
      // A second approve is refused; nothing runs twice.
      assert.equal((await owner.post(`/api/approvals/${approvalId}/approve`, {})).statusCode, 409);
      assert.equal((await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountRefunded, 7000);
      // Every action and decision is an event with its actor.
      const events = await t.app.events.list(t.app.db, { subjectType: 'support_conversation', subjectId: id, limit: 50 });
      const kinds = events.map((e) => `${e.type}:${e.actorKind}`);
      for (const k of ['support.action_taken:assistant', 'support.action_requested:assistant', 'support.action_decided:owner', 'support.action_taken:owner']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
    });

    it('bounded authority: days since purchase, another customer\'s order, access extensions and the admin\'s larger limit', async () => {
      const orderId = await buyAsCustomer(t, shop.prices.once, 'jay@example.com');
      const id = await customerWrites('Jay <jay@example.com>', 'Late refund');
      const otherId = await customerWrites('Kat <kat@example.com>', 'Refund for Jay?');
      assert.equal((await sam.post(`/api/support/conversations/${otherId}/actions`, { kind: 'refund', orderId, amount: 100, reason: 'x' })).statusCode, 403, 'not this customer\'s order');
      t.clock.advance(40 * 86_400_000);
      await Promise.all([owner, sam, admin].map((c, i) => c.login(['owner@example.com', 'sam@shop.test', 'ada@shop.test'][i]!, ['correct horse battery', 'support password 123', 'admin password 123'][i]!)));
      const late = (await sam.post(`/api/support/conversations/${id}/actions`, { kind: 'refund', orderId, amount: 500, reason: 'late' })).json();
      assert.equal(late.action.status, 'awaiting_approval', '40 days after the purchase is past support\'s 30');
      const byAdmin = (await admin.post(`/api/support/conversations/${id}/actions`, { kind: 'refund', orderId, amount: 500, reason: 'late, admin ok' })).json();
      assert.equal(byAdmin.action.status, 'done');
      const course = (await t.app.catalog.listProducts(t.app.db, {})).find((p) => p.courseId)!.courseId!;
      // A lifetime buyer: there is nothing to extend, and the answer says so (nothing granted).
      const ext = await sam.post(`/api/support/conversations/${id}/actions`, { kind: 'extend_access', courseId: course, days: 7, reason: 'travel' });
      assert.equal(ext.statusCode, 412, ext.body);
      assert.match(ext.json().error.message, /lifetime access/);
      const long = (await sam.post(`/api/support/conversations/${id}/actions`, { kind: 'extend_access', courseId: course, days: 90, reason: 'long trip' })).json();
      assert.equal(long.action.status, 'awaiting_approval');
      const refused = await owner.post(`/api/approvals/${long.approvalId}/refuse`, { note: 'no' });
      assert.equal(refused.statusCode, 200, refused.body);
      const th = (await sam.get(`/api/support/conversations/${id}`)).json();
      assert.ok(th.actions.some((a: { status: string; kind: string }) => a.kind === 'extend_access' && a.status === 'refused'));
      const sent = await sam.post(`/api/support/conversations/${id}/actions`, { kind: 'sign_in_link' });
      assert.equal(sent.json().action.status, 'done');
    });

    it('SLA: a first response past its business-hours target is warned once (support.sla_breached); figures per assistant', async () => {
      const id = await customerWrites('Lu <lu@example.com>', 'Nobody answers');
      t.clock.advance(14 * 86_400_000);
      assert.ok((await t.app.support.checkSlas()) >= 1);
      const again = await t.app.support.checkSlas();
      const events = await t.app.events.list(t.app.db, { subjectType: 'support_conversation', subjectId: id, limit: 20 });
      assert.equal(events.filter((e) => e.type === 'support.sla_breached').length, 2, 'first response and resolution, once each');
      void again;
      await owner.login('owner@example.com', 'correct horse battery');
      await sam.login('sam@shop.test', 'support password 123');
      // This file sends no other reply: answer Lu, so the figures have a first response to measure.
      assert.equal((await sam.post(`/api/support/conversations/${id}/reply`, { text: 'Sorry for the wait!', status: 'closed' })).statusCode, 201);
      const figures = await owner.get(`/api/support/figures?from=${new Date(0).toISOString()}`);
      assert.equal(figures.statusCode, 200, figures.body);
      assert.ok(figures.json().assistants.some((a: { handled: number; firstResponseMedianMinutes: number | null }) => a.firstResponseMedianMinutes !== null));
      assert.equal((await sam.get('/api/support/figures')).statusCode, 403);
    });
  });
}
