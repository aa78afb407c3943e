// Triggers fed by events (a field changed, a lesson unlocked) and by the clock (stalled in a
// course, inactive, a date field, N days after signup); conditions on the run's previous email
// and on course progress; click-based revenue attribution; the health summary.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestApp, OWNER, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { buildCourse } from '../learning/test-support.js';
import { automationHealth } from './index.js';

const DAY = 86_400_000;

for (const backend of backends()) {
  describe(`automation triggers, conditions, attribution, health [${backend}]`, () => {
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
      t.app.database.transaction((tx) => t.app.events.record(tx, { type: type as 'order.paid', actor: { kind: 'system' }, subject, data: data as never }));
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

    it('a field changed to a value, by a workflow step or an edit in the admin, starts a run; another value does not', async () => {
      const { id } = await tagging('Plan pro', { type: 'field.changed', field: 'plan', value: 'pro' });
      const [pro, basic] = [await contact('pro@field.test'), await contact('basic@field.test')];
      assert.equal((await owner.patch(`/api/contacts/${pro}`, { fields: { plan: 'pro' } })).statusCode, 200);
      assert.equal((await owner.patch(`/api/contacts/${basic}`, { fields: { plan: 'basic' } })).statusCode, 200);
      await waitFor(async () => (await runsOf(id)).find((r) => r.contactId === pro && r.state === 'done'), { what: 'run of the contact now on pro' });
      // A set_field step of another workflow names the field in its event.
      const setter = await workflow('Set plan', { triggers: [{ type: 'manual' }], start: 's', steps: [{ id: 's', kind: 'set_field', field: 'plan', value: 'pro', next: null }] });
      await owner.post(`/api/automations/${setter}/enrol`, { contactIds: [basic] });
      await waitFor(async () => (await runsOf(id)).find((r) => r.contactId === basic), { what: 'run after the step set the field' });
      assert.equal((await runsOf(id)).length, 2);
    });

    it('a lesson unlocked (any course, or the chosen one) starts a run', async () => {
      const course = randomUUID();
      const { id } = await tagging('Unlocked', { type: 'lesson.unlocked', courseId: course });
      const [a, b] = [await contact('a@unlock.test'), await contact('b@unlock.test')];
      await record('lesson.unlocked', { type: 'lesson', id: randomUUID() }, { contactId: a, courseId: course });
      await record('lesson.unlocked', { type: 'lesson', id: randomUUID() }, { contactId: b, courseId: randomUUID() });
      await waitFor(async () => (await runsOf(id)).find((r) => r.contactId === a && r.state === 'done'), { what: 'run on unlock' });
      assert.ok(!(await runsOf(id)).some((r) => r.contactId === b), 'another course does not trigger it');
    });

    it('inactive for N days: entered once per silence, even with two scans at once; again after a new open and a new silence', async () => {
      const { id } = await tagging('Win back', { type: 'inactive', days: 30 }, 'always');
      const quiet = await contact('quiet@inactive.test');
      const busy = await contact('busy@inactive.test');
      assert.equal(await t.app.automation.engine.scanTimeTriggers(), 0, 'nobody signed up 30 days ago yet');
      await advance(20 * DAY);
      await record('email.opened', { type: 'contact', id: busy }, {});
      await advance(11 * DAY);
      const [x, y] = await Promise.all([t.app.automation.engine.scanTimeTriggers(), t.app.automation.engine.scanTimeTriggers()]);
      assert.ok((await runsOf(id)).some((r) => r.contactId === quiet), 'the quiet contact entered');
      assert.ok(!(await runsOf(id)).some((r) => r.contactId === busy), 'opened 11 days ago: not inactive');
      assert.equal((await runsOf(id)).filter((r) => r.contactId === quiet).length, 1, `one run for one silence (scans entered ${x} and ${y})`);
      assert.equal(await t.app.automation.engine.scanTimeTriggers(), 0, 'a later scan enters nobody again');
      await record('email.clicked', { type: 'contact', id: quiet }, {});
      await advance(31 * DAY);
      await t.app.automation.engine.scanTimeTriggers();
      assert.equal((await runsOf(id)).filter((r) => r.contactId === quiet).length, 2, 'a new silence after a click is a new occurrence');
      assert.equal((await runsOf(id)).filter((r) => r.contactId === busy).length, 1, 'the busy contact went quiet too, once');
    });

    it('a date field (a birthday every year) and N days after signup', async () => {
      const today = t.clock.now();
      const md = today.toISOString().slice(5, 10);
      const birthday = await tagging('Birthday', { type: 'date.field', field: 'birthday', yearly: true }, 'always');
      const welcome = await tagging('Day 3', { type: 'signup.after', days: 3 });
      const born = await contact('born@date.test', { fields: { birthday: `1990-${md}` } });
      const other = await contact('other@date.test', { fields: { birthday: '1990-01-01' === `1990-${md}` ? '1990-06-15' : '1990-01-01' } });
      await t.app.automation.engine.scanTimeTriggers();
      await t.app.automation.engine.scanTimeTriggers();
      const runs = await runsOf(birthday.id);
      assert.deepEqual(runs.map((r) => r.contactId), [born], 'only the contact born today, once');
      assert.ok(!(await runsOf(welcome.id)).some((r) => r.contactId === born), 'not 3 days after signup yet');
      await advance(3 * DAY + 3600_000);
      await t.app.automation.engine.scanTimeTriggers();
      await waitFor(async () => (await hasTag(other, welcome.mark)) && (await hasTag(born, welcome.mark)), { what: 'both tagged 3 days after signup' });
      await advance(362 * DAY);
      assert.equal((await runsOf(birthday.id)).length, 1);
    });

    it('no course progress for N days: a student who started and stopped enters; one who finished does not', async () => {
      const c = await buildCourse(owner, { title: 'Stall course', slug: `stall-${backend}`, lessons: [{ title: 'One' }, { title: 'Two' }] });
      const { id } = await tagging('Stalled', { type: 'course.stalled', courseId: c.course.id, days: 5 });
      const enrol = async (email: string) => {
        const r = await owner.post(`/api/learning/courses/${c.course.id}/enrollments`, { email, reason: 'test' });
        assert.equal(r.statusCode, 201, r.body);
        return (await t.app.audience.findByEmail(t.app.db, email))!.id;
      };
      const [stops, finishes] = [await enrol('stops@stall.test'), await enrol('finishes@stall.test')];
      const student = t.app.learning.student;
      await student.completeLesson(stops, c.course.slug, c.lessons[0]!.id, { kind: 'customer', id: stops });
      await student.completeLesson(finishes, c.course.slug, c.lessons[0]!.id, { kind: 'customer', id: finishes });
      await student.completeLesson(finishes, c.course.slug, c.lessons[1]!.id, { kind: 'customer', id: finishes });
      await advance(4 * DAY);
      await t.app.automation.engine.scanTimeTriggers();
      assert.equal((await runsOf(id)).length, 0, '4 days is not 5');
      await advance(2 * DAY);
      await t.app.automation.engine.scanTimeTriggers();
      assert.deepEqual((await runsOf(id)).map((r) => r.contactId), [stops]);
    });

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
      await advance(61 * 60_000);
      let h = (await automationHealth(t.app.db, { from, to: t.clock.now() })).find((w) => w.workflowId === id)!;
      assert.equal(h.stalled, 0, 'one minute late is not stalled');
      await advance(60 * 60_000);
      h = (await automationHealth(t.app.db, { from, to: t.clock.now() })).find((w) => w.workflowId === id)!;
      assert.equal(h.started, 2);
      assert.equal(h.stalled, 2, 'woken by nobody for over an hour');
      // Fail one run for good: the webhook is refused (a private address), attempt after attempt.
      const run = (await runsOf(id)).find((r) => r.contactId === a)!;
      await t.app.database.execute(`update automation_runs set state = 'active', due_at = null where id = $1`, [run.id]);
      await t.app.automation.engine.runStep(run.id, 2, 3);
      h = (await automationHealth(t.app.db, { from, to: t.clock.now() })).find((w) => w.workflowId === id)!;
      assert.equal(h.failed, 1);
      assert.equal(h.stalled, 1);
      assert.match(h.lastFailure?.message ?? '', /step "hook" failed: refused: 127\.0\.0\.1 is a private or loopback address/);
      const later = (await automationHealth(t.app.db, { from: t.clock.now(), to: new Date(t.clock.now().getTime() + DAY) })).find((w) => w.workflowId === id)!;
      assert.equal(later.started, 0, 'a period counts what happened in it');
      assert.equal(later.lastFailure, null);
    });
  });
}
