import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { addMember, backends, Client, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import { conflict } from '../../errors.js';
import { defineApprovalKind } from './index.js';
import type { Actor } from '../../actor.js';

// A kind a test registers: "raise a limit". Its action records an event (so a rolled-back
// decision is visible as a missing event) and refuses amounts over 1 000.
const applied: string[] = [];
const raiseLimit = defineApprovalKind({
  kind: 'test.raise_limit',
  data: z.object({ amount: z.number().int().positive() }),
  async applyInTx(tx, data, ctx) {
    if (data.amount > 1000) throw conflict('That limit is too high to apply');
    applied.push(ctx.request.id);
    return `Raised to ${data.amount}`;
  },
  async refusedInTx(_tx, _data, ctx) {
    applied.push(`refused:${ctx.request.id}`);
  },
});

for (const backend of backends()) {
  describe(`approval requests [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let support: Client;
    let marketing: Client;
    let supportActor: Actor;
    before(async () => {
      t = await createTestApp(backend);
      t.app.approvals.register(raiseLimit);
      owner = await setupOwner(t);
      support = await addMember(t, owner, 'support');
      marketing = await addMember(t, owner, 'marketing');
      const me = (await support.get('/api/auth/session')).json();
      supportActor = { kind: 'assistant', id: me.user.id, role: 'support' };
    });
    after(() => t.close());

    const ask = (data: unknown, extra: { urgent?: boolean; title?: string } = {}) =>
      t.app.database.transaction((tx) => t.app.approvals.requestInTx(tx, { kind: 'test.raise_limit', data, title: extra.title ?? 'Raise the refund limit', summary: 'A customer asks for more', urgent: extra.urgent, subject: { type: 'order', id: 'o-1' }, actor: supportActor }));

    it('a request is validated by its kind, recorded with its actor, and seen by its requester and the owner only', async () => {
      await assert.rejects(ask({ amount: -3 }), /not valid/);
      await assert.rejects(t.app.database.transaction((tx) => t.app.approvals.requestInTx(tx, { kind: 'test.unknown', data: {}, title: 'x', actor: supportActor })), /Unknown approval kind/);
      await assert.rejects(ask({ amount: 5 }, { title: 'bad\u0000title' }), /NUL/);
      const r = await ask({ amount: 200 });
      assert.equal(r.status, 'pending');
      assert.deepEqual(r.requestedBy, { kind: 'assistant', id: supportActor.kind === 'assistant' ? supportActor.id : '', role: 'support' });
      const ev = (await owner.get('/api/activity?type=approval.requested')).json().events;
      assert.equal(ev[0].actorKind, 'assistant');
      assert.equal(ev[0].data.approvalId, r.id);

      const mine = (await support.get('/api/approvals?status=pending')).json().approvals;
      assert.ok(mine.some((a: { id: string }) => a.id === r.id));
      assert.equal((await marketing.get('/api/approvals')).json().approvals.length, 0, 'marketing asked for nothing, and sees nothing');
      assert.equal((await marketing.get(`/api/approvals/${r.id}`)).statusCode, 404);
      assert.ok((await owner.get('/api/approvals')).json().kinds.includes('test.raise_limit'));
    });

    it('only the owner decides; approving runs the action once and a second decision is refused', async () => {
      const r = await ask({ amount: 300 });
      assert.equal((await support.post(`/api/approvals/${r.id}/approve`, {})).statusCode, 403);
      const ok = await owner.post(`/api/approvals/${r.id}/approve`, { note: 'Fine this once' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().approval.status, 'approved');
      assert.equal(ok.json().approval.result, 'Raised to 300');
      assert.equal(ok.json().approval.decidedBy.kind, 'owner');
      const again = await owner.post(`/api/approvals/${r.id}/refuse`, {});
      assert.equal(again.statusCode, 409);
      assert.equal(applied.filter((x) => x === r.id).length, 1);
      const ev = (await owner.get('/api/activity?type=approval.approved')).json().events;
      assert.equal(ev[0].actorKind, 'owner');
      assert.match(ev[0].data.requestedBy, /^assistant:/);
    });

    it('an action that fails leaves the request pending, with nothing recorded', async () => {
      const r = await ask({ amount: 5000 });
      const res = await owner.post(`/api/approvals/${r.id}/approve`, {});
      assert.equal(res.statusCode, 409);
      assert.match(res.json().error.message ?? res.body, /too high/);
      assert.equal((await t.app.approvals.get(t.app.db, r.id))!.status, 'pending');
      const approved = (await owner.get('/api/activity?type=approval.approved')).json().events;
      assert.ok(!approved.some((e: { data: { approvalId: string } }) => e.data.approvalId === r.id));
      // Refusing it works, runs the kind's refusal hook, and keeps the note.
      const no = await owner.post(`/api/approvals/${r.id}/refuse`, { note: 'Too much' });
      assert.equal(no.json().approval.status, 'refused');
      assert.equal(no.json().approval.note, 'Too much');
      assert.ok(applied.includes(`refused:${r.id}`));
    });

    it('two decisions at once: exactly one wins', async () => {
      const r = await ask({ amount: 10 });
      const results = await Promise.all([owner.post(`/api/approvals/${r.id}/approve`, {}), owner.post(`/api/approvals/${r.id}/refuse`, {})]);
      assert.deepEqual(results.map((x) => x.statusCode).sort(), [200, 409]);
    });

    it('an urgent request is mailed to the owner at once; its requester can withdraw a pending one', async () => {
      const r = await ask({ amount: 50 }, { urgent: true, title: 'Refund above the limit for Ann' });
      const outbox = (await owner.get('/api/outbox')).json().messages as Array<{ tag: string; to: string; subject: string }>;
      const mail = outbox.find((m) => m.tag === 'approval.urgent');
      assert.ok(mail, 'the owner was mailed');
      assert.equal(mail.subject, 'Urgent: Refund above the limit for Ann');
      assert.equal((await marketing.post(`/api/approvals/${r.id}/cancel`, {})).statusCode, 404, 'someone else’s request is not marketing’s to see');
      const c = await support.post(`/api/approvals/${r.id}/cancel`, {});
      assert.equal(c.statusCode, 200, c.body);
      assert.equal(c.json().approval.status, 'cancelled');
      assert.equal((await owner.post(`/api/approvals/${r.id}/approve`, {})).statusCode, 409);
    });
  });
}
