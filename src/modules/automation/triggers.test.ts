// Triggers fed by events (a field changed, a lesson unlocked) and by the clock (stalled in a
// course, inactive, a date field, N days after signup); conditions on the run's previous email
// and on course progress; click-based revenue attribution; the health summary.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestApp, OWNER, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { buildCourse } from '../learning/test-support.js';

const DAY = 86_400_000;

for (const backend of backends()) {
  describe(`automation triggers [${backend}]`, () => {
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

  });
}
