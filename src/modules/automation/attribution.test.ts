// Conditions on the run's previous email (through a real tracked link) and on course progress,
// click-based revenue attribution, and the health summary for the weekly review.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestApp, OWNER, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { buildCourse } from '../learning/test-support.js';
import { automationHealth } from './index.js';

const DAY = 86_400_000;

for (const backend of backends()) {
  describe(`automation conditions on email and progress, attribution, health [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let sink: SmtpSink;

    before(async () => {
      sink = await startSmtpSink();
      t = await createTestApp(backend, { startWorkers: true, config: { SMTP_URL: sink.url, MAIL_FROM: 'Shop <news@shop.example>', MAIL_RATE_PER_SECOND: '0' } });
      owner = await setupOwner(t);
    });
    after(async () => {
      await t.close();
      await sink.close();
    });

    async function contact(email: string, extra: Record<string, unknown> = {}): Promise<string> {
      const res = await owner.post('/api/contacts', { email, name: 'Ada Lovelace', ...extra });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id;
    }
    async function tag(name: string): Promise<string> {
      const res = await owner.post('/api/tags', { name });
      assert.ok(res.statusCode === 201 || res.statusCode === 200, res.body);
      return res.json().id;
    }
    async function workflow(name: string, definition: unknown): Promise<string> {
      const created = await owner.post('/api/automations', { name, definition });
      assert.equal(created.statusCode, 201, created.body);
      const published = await owner.post(`/api/automations/${created.json().id}/publish`, {});
      assert.equal(published.statusCode, 200, published.body);
      return created.json().id;
    }
    const runsOf = async (id: string) => (await owner.get(`/api/automations/${id}/runs`)).json().runs as { id: string; state: string; contactId: string; revenue: number }[];
    const record = (type: string, subject: { type: string; id: string }, data: Record<string, unknown>) =>
      t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type: type as 'order.paid', actor: { kind: 'system' }, subject, data: data as never }));
    /** Moves the virtual clock; the owner signs in again (a month on, the session has expired). */
    async function advance(ms: number) {
      t.clock.advance(ms);
      if (ms > DAY) assert.equal((await owner.login(OWNER.email, OWNER.password)).statusCode, 200);
    }
    const hasTag = (c: string, tagId: string) => t.app.audience.hasTag(t.app.db, c, tagId);
    /** A one-step workflow that tags whoever enters: the tag proves the run happened. */
    async function tagging(name: string, trigger: unknown, reentry: 'once' | 'always' = 'once') {
      const mark = await tag(`${name}-entered`);
      const id = await workflow(name, { triggers: [trigger], start: 'mark', steps: [{ id: 'mark', kind: 'tag', action: 'add', tagId: mark, next: null }], reentry });
      return { id, mark };
    }

    it('conditions on the previous email (opened / clicked) and on course progress; the click attributes a later order to the workflow', async () => {
      const c = await buildCourse(owner, { title: 'Progress course', slug: `progress-${backend}`, lessons: [{ title: 'One' }, { title: 'Two' }] });
      const [clicked, notClicked, halfway] = [await tag('cond-clicked'), await tag('cond-not-clicked'), await tag('cond-halfway')];
      const id = await workflow('Follow-up', {
        triggers: [{ type: 'manual' }],
        start: 'mail',
        attributionDays: 7,
        steps: [
          { id: 'mail', kind: 'email', subject: 'Our offer', body: 'See https://shop.example/offer?x=1 today.', marketing: false, next: 'wait' },
          { id: 'wait', kind: 'wait', minutes: 1440, next: 'clicked' },
          { id: 'clicked', kind: 'condition', condition: { test: 'clicked_previous' }, yes: 'yes', no: 'no' },
          { id: 'yes', kind: 'tag', action: 'add', tagId: clicked, next: 'progress' },
          { id: 'no', kind: 'tag', action: 'add', tagId: notClicked, next: 'progress' },
          { id: 'progress', kind: 'condition', condition: { test: 'course_progress', courseId: c.course.id, percent: 50 }, yes: 'half', no: null },
          { id: 'half', kind: 'tag', action: 'add', tagId: halfway, next: null },
        ],
      });
      const [clicker, idle] = [await contact('clicker@cond.test'), await contact('idle@cond.test')];
      assert.equal((await owner.post(`/api/learning/courses/${c.course.id}/enrollments`, { email: 'clicker@cond.test', reason: 'test' })).statusCode, 201);
      await t.app.learning.student.completeLesson(clicker, c.course.slug, c.lessons[0]!.id, { kind: 'customer', id: clicker });
      await owner.post(`/api/automations/${id}/enrol`, { contactIds: [clicker, idle] });
      const mail = await waitFor(async () => sink.messages.find((m) => m.to === 'clicker@cond.test' && /Our offer/.test(m.raw)), { what: 'the email' });
      const link = /https?:\/\/[^\s"<>]+\/a\/c\/[A-Za-z0-9._-]+/.exec(mail.raw.replace(/=\r?\n/g, ''))?.[0];
      assert.ok(link, 'the link goes through the tracked redirect');
      assert.doesNotMatch(mail.raw.replace(/=\r?\n/g, ''), /href=3D"https:\/\/shop/, 'no link goes straight to the address');
      const path = new URL(link).pathname;
      const forged = await t.server.inject({ method: 'GET', url: path.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')) });
      assert.equal(forged.statusCode, 404, 'a forged token leads nowhere');
      const go = await t.server.inject({ method: 'GET', url: path });
      assert.equal(go.statusCode, 302);
      assert.equal(go.headers.location, 'https://shop.example/offer?x=1');
      await advance(DAY + 1000);
      await t.app.automation.engine.wakeDue();
      await waitFor(async () => (await runsOf(id)).every((r) => r.state === 'done'), { what: 'both runs done' });
      assert.ok(await hasTag(clicker, clicked));
      assert.ok(await hasTag(idle, notClicked));
      assert.ok(!(await hasTag(idle, clicked)));
      assert.ok(await hasTag(clicker, halfway), '1 of 2 lessons is 50 %');
      assert.ok(!(await hasTag(idle, halfway)));
      // Paid 2 days after the click (within 7): attributed, once, even if the event is replayed.
      await advance(DAY);
      const order = randomUUID();
      await record('order.paid', { type: 'order', id: order }, { contactId: clicker, kind: 'purchase', total: 4900, amountPaid: 4900, currency: 'usd', provider: 'test', productIds: [] });
      await record('order.paid', { type: 'order', id: randomUUID() }, { contactId: idle, kind: 'purchase', total: 1000, amountPaid: 1000, currency: 'usd', provider: 'test', productIds: [] });
      await waitFor(async () => (await runsOf(id)).find((r) => r.contactId === clicker && r.revenue === 4900), { what: 'revenue on the clicker’s run' });
      await t.app.automation.engine.onEvent({ eventId: 0, type: 'order.paid', subject: { type: 'order', id: order }, data: { contactId: clicker, total: 4900 } });
      const summary = (await owner.get('/api/automations')).json().workflows.find((w: { id: string }) => w.id === id);
      assert.equal(summary.revenue, 4900, 'the idle contact never clicked: their order is not this workflow’s');
      // Past the window: not attributed.
      await advance(8 * DAY);
      await record('order.paid', { type: 'order', id: randomUUID() }, { contactId: clicker, kind: 'purchase', total: 700, amountPaid: 700, currency: 'usd', provider: 'test', productIds: [] });
      const health = await waitFor(async () => {
        const h = (await automationHealth(t.app.db, { from: new Date(0), to: t.clock.now() })).find((w) => w.workflowId === id);
        return h && (await t.app.database.execute<{ n: number }>(`select count(*)::int as n from pgboss.job where name = 'automation.on-event' and state in ('created', 'active', 'retry')`)).rows[0]!.n === 0 ? h : null;
      }, { what: 'event jobs done' });
      assert.equal(health.revenue, 4900);
      assert.equal(health.orders, 1);
      assert.equal(health.started, 2);
      assert.equal(health.completed, 2);
    });

    it('the health summary: started, completed, failed with its reason, and stalled waits (over an hour late)', async () => {
      const id = await workflow('Health', {
        triggers: [{ type: 'manual' }],
        start: 'wait',
        steps: [
          { id: 'wait', kind: 'wait', minutes: 60, next: 'hook' },
          { id: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/never', next: null },
        ],
      });
      const from = t.clock.now();
      const [a, b] = [await contact('a@health.test'), await contact('b@health.test')];
      await owner.post(`/api/automations/${id}/enrol`, { contactIds: [a, b] });
      await waitFor(async () => (await runsOf(id)).filter((r) => r.state === 'waiting').length === 2, { what: 'both waiting' });
      // Judged at `to`: due in an hour, so 90 minutes on they are 30 minutes late, 2 h 1 min on over an hour.
      const at = (minutes: number) => new Date(from.getTime() + minutes * 60_000);
      let h = (await automationHealth(t.app.db, { from, to: at(90) })).find((w) => w.workflowId === id)!;
      assert.equal(h.stalled, 0, 'half an hour late is not stalled');
      h = (await automationHealth(t.app.db, { from, to: at(121) })).find((w) => w.workflowId === id)!;
      assert.equal(h.started, 2);
      assert.equal(h.stalled, 2, 'woken by nobody for over an hour');
      // Fail one run for good: the webhook is refused (a private address), attempt after attempt.
      const run = (await runsOf(id)).find((r) => r.contactId === a)!;
      await t.app.database.execute(`update automation_runs set state = 'active', due_at = null where id = $1`, [run.id]);
      await t.app.automation.engine.runStep(run.id, 2, 3);
      h = (await automationHealth(t.app.db, { from, to: at(121) })).find((w) => w.workflowId === id)!;
      assert.equal(h.failed, 1);
      assert.equal(h.stalled, 1);
      assert.match(h.lastFailure?.message ?? '', /step "hook" failed: refused: 127\.0\.0\.1 is a private or loopback address/);
      const later = (await automationHealth(t.app.db, { from: at(121), to: at(121 + 1440) })).find((w) => w.workflowId === id)!;
      assert.equal(later.started, 0, 'a period counts what happened in it');
      assert.equal(later.lastFailure, null);
    });
  });
}
