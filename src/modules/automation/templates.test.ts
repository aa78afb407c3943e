// Every template end to end on the virtual clock: its trigger event recorded in the event log,
// every step run by the workers, the expected mail received by a local SMTP sink.
import { describe, it, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestApp, OWNER, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { problemsOf } from './definition.js';
import type { EventType } from '../../db/event-catalog.js';
import { templates } from './templates.js';

const MIN = 60_000;
const DAY = 1440 * MIN;

for (const backend of backends()) {
  describe(`automation templates, end to end [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let sink: SmtpSink;

    before(async () => {
      sink = await startSmtpSink();
      t = await createTestApp(backend, { startWorkers: true, config: { SMTP_URL: sink.url, MAIL_FROM: 'Shop <news@shop.example>', MAIL_RATE_PER_SECOND: '0' } });
      owner = await setupOwner(t);
    });
    // Virtual days pass: sessions expire like real ones, so sign in again before each test.
    beforeEach(() => owner.login(OWNER.email, OWNER.password));
    after(async () => {
      await t.close();
      await sink.close();
    });

    async function fromTemplate(template: string): Promise<string> {
      const res = await owner.post('/api/automations', { name: template, template });
      assert.equal(res.statusCode, 201, res.body);
      const pub = await owner.post(`/api/automations/${res.json().id}/publish`, {});
      assert.equal(pub.statusCode, 200, pub.body);
      return res.json().id;
    }
    async function contact(email: string): Promise<string> {
      const res = await owner.post('/api/contacts', { email, name: 'Grace Hopper' });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id;
    }
    /** A business event as the module that owns it records it (the trigger's only input). */
    async function record(type: EventType, subject: { type: string; id: string }, data: Record<string, unknown>) {
      await t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type, actor: { kind: 'system' }, subject, data }));
    }
    const subjects = (to: string) => sink.messages.filter((m) => m.to === to).map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1] ?? '');
    async function mailCount(to: string, n: number) {
      await waitFor(async () => sink.messages.filter((m) => m.to === to).length >= n, { timeoutMs: 45_000, what: `${n} messages to ${to}` });
      return subjects(to);
    }
    /** Moves virtual time on and wakes what is due, until nothing is waiting before `until`. */
    async function advance(ms: number) {
      t.clock.advance(ms);
      await t.app.automation.engine.wakeDue();
    }
    async function settled(workflowId: string) {
      return waitFor(
        async () => {
          const runs = (await t.app.automation.runs(workflowId, {})) as { state: string }[];
          return runs.length > 0 && runs.every((r) => r.state !== 'active') ? runs : null;
        },
        { what: 'runs settled' },
      );
    }

    it('every template is valid as shipped', () => {
      for (const tpl of templates) assert.deepEqual(problemsOf(tpl.definition), [], tpl.id);
    });

    it('welcome + lead magnet: delivery at once, then two emails over five days; buying ends it', async () => {
      const id = await fromTemplate('welcome');
      const a = await contact('new@welcome.test');
      // Staff adding a contact with a list is a subscription too; a form sign-up is the browser journey's.
      await record('contact.subscribed', { type: 'contact', id: a }, { listIds: [], via: 'form', formId: randomUUID(), confirmed: true });
      assert.match((await mailCount('new@welcome.test', 1))[0]!, /Here is your free guide, Grace/);
      await settled(id);
      await advance(2 * DAY + MIN);
      assert.match((await mailCount('new@welcome.test', 2))[1]!, /mistake/);
      await settled(id);
      await record('order.paid', { type: 'order', id: randomUUID() }, { contactId: a, kind: 'purchase', total: 9900, amountPaid: 9900, currency: 'usd', provider: 'test', productIds: [] });
      const run = await waitFor(async () => (await t.app.automation.runs(id, {})).find((r) => r.state === 'exited'), { what: 'goal exit' });
      assert.match(run.endReason!, /goal met/);
      assert.equal(run.revenue, 0, 'no link of its emails was clicked: the order is not its revenue (click-based attribution, triggers.test.ts)');
      await advance(3 * DAY + MIN);
      assert.equal(subjects('new@welcome.test').length, 2, 'no sales email after buying');
    });

    it('abandoned checkout: nothing before an hour, a reminder at 1 h and 24 h; paying in time sends nothing', async () => {
      const id = await fromTemplate('abandoned-checkout');
      const a = await contact('left@cart.test');
      const b = await contact('paid@cart.test');
      await record('order.created', { type: 'order', id: randomUUID() }, { contactId: a, total: 4900, currency: 'usd' });
      await record('order.created', { type: 'order', id: randomUUID() }, { contactId: b, total: 4900, currency: 'usd' });
      await waitFor(async () => (await t.app.automation.runs(id, {})).length === 2, { what: 'two runs' });
      await advance(30 * MIN);
      await record('order.paid', { type: 'order', id: randomUUID() }, { contactId: b, kind: 'purchase', total: 4900, amountPaid: 4900, currency: 'usd', provider: 'test' });
      await waitFor(async () => (await t.app.automation.runs(id, {})).some((r) => r.contactId === b && r.state === 'exited'), { what: 'payer exits' });
      assert.equal(subjects('left@cart.test').length, 0);
      await advance(31 * MIN);
      assert.match((await mailCount('left@cart.test', 1))[0]!, /left something behind/);
      await settled(id);
      await advance(23 * 60 * MIN);
      assert.match((await mailCount('left@cart.test', 2))[1]!, /Still thinking/);
      assert.equal(subjects('paid@cart.test').length, 0);
    });

    it('course onboarding: a welcome, then cheer after a lesson or a nudge and a support task after 3 days', async () => {
      const id = await fromTemplate('course-onboarding');
      const keen = await contact('keen@course.test');
      const stalled = await contact('stalled@course.test');
      for (const c of [keen, stalled]) await record('order.paid', { type: 'order', id: randomUUID() }, { contactId: c, kind: 'purchase', total: 19900, amountPaid: 19900, currency: 'usd', provider: 'test', productIds: [] });
      await mailCount('keen@course.test', 1);
      await mailCount('stalled@course.test', 1);
      await settled(id);
      await record('lesson.completed', { type: 'lesson', id: randomUUID() }, { contactId: keen, courseId: randomUUID() });
      assert.match((await mailCount('keen@course.test', 2))[1]!, /Great start/);
      await advance(3 * DAY + MIN);
      assert.match((await mailCount('stalled@course.test', 2))[1]!, /Ten minutes today/);
      await settled(id);
      // A real task for support, about the stalled student, made by the workflow.
      const tasks = (await t.app.events.list(t.app.db, { type: 'task.created' })).filter((e) => e.actorKind === 'automation' && e.actorId === id);
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0]!.data.assigneeRole, 'support');
      assert.match(String(tasks[0]!.data.title), /stalled@course\.test/);
    });

    it('upsell after completion: a day later, then a last call three days after', async () => {
      await fromTemplate('upsell-after-completion');
      const c = await contact('done@upsell.test');
      await record('course.completed', { type: 'course', id: randomUUID() }, { contactId: c, lessons: 5 });
      const id = (await t.app.automation.list()).find((w) => w.template === 'upsell-after-completion')!.id;
      await settled(id);
      await advance(DAY + MIN);
      assert.match((await mailCount('done@upsell.test', 1))[0]!, /You did it/);
      await waitFor(async () => (await t.app.database.execute(`select 1 from automation_runs where contact_id = $1 and state = 'waiting' and seq = 3`, [c])).rows.length === 1, { what: 'second wait' });
      await advance(3 * DAY + MIN);
      assert.match((await mailCount('done@upsell.test', 2))[1]!, /Last call/);
    });

    it('win-back: a segment or chosen contacts enrolled by hand, a check-in and a last chance a week later', async () => {
      const id = await fromTemplate('win-back');
      const c = await contact('quiet@winback.test');
      assert.equal((await owner.post(`/api/automations/${id}/enrol`, { contactIds: [c] })).json().entered, 1);
      assert.match((await mailCount('quiet@winback.test', 1))[0]!, /Still interested/);
      await settled(id);
      await advance(7 * DAY + MIN);
      assert.match((await mailCount('quiet@winback.test', 2))[1]!, /Should I stop writing/);
    });

    it('review request: seven days after a purchase', async () => {
      const id = await fromTemplate('review-request');
      const c = await contact('buyer@review.test');
      await record('order.paid', { type: 'order', id: randomUUID() }, { contactId: c, kind: 'purchase', total: 100, amountPaid: 100, currency: 'usd', provider: 'test', productIds: [] });
      await settled(id);
      await advance(6 * DAY);
      assert.equal(subjects('buyer@review.test').filter((s) => /How is it going/.test(s)).length, 0);
      await advance(DAY + MIN);
      await waitFor(async () => subjects('buyer@review.test').some((s) => /How is it going/.test(s)), { what: 'review request' });
    });

    it('failed-payment recovery: notice at once, a reminder a day later; paying ends it', async () => {
      const id = await fromTemplate('failed-payment');
      const c = await contact('declined@dunning.test');
      await record('payment.failed', { type: 'order', id: randomUUID() }, { contactId: c, message: 'card declined', provider: 'test', amount: 2900, currency: 'usd' });
      assert.match((await mailCount('declined@dunning.test', 1))[0]!, /did not go through/);
      await settled(id);
      await advance(DAY + MIN);
      assert.match((await mailCount('declined@dunning.test', 2))[1]!, /update your card/);
      await settled(id);
      await record('order.paid', { type: 'order', id: randomUUID() }, { contactId: c, kind: 'purchase', total: 2900, amountPaid: 2900, currency: 'usd', provider: 'test', productIds: [] });
      await waitFor(async () => (await t.app.automation.runs(id, {})).some((r) => r.state === 'exited'), { what: 'recovered' });
      await advance(2 * DAY + MIN);
      assert.equal((await t.app.events.list(t.app.db, { type: 'task.created' })).filter((e) => e.actorKind === 'automation' && e.actorId === id).length, 0, 'no support task after paying');
    });
  });
}
