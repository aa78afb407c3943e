// Overdue reminders: when an occurrence passes its due time still open, its assignee (or every
// member of the assigned role) gets one email through the mail engine with a signed link to My
// day — once, even with two workers sweeping at the same moment — unless they turned it off.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import { openDatabase } from '../../db/client.js';
import { events } from '../../db/schema.js';
import { addMember, backends, createTestApp, OWNER, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { TasksService } from './index.js';

for (const backend of backends()) {
  describe(`overdue task reminders [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let support: Client;
    let quiet: Client;
    let content: Client;
    const clock = new ManualClock('2026-07-06T06:00:00Z'); // a Monday, 08:00 in Berlin

    before(async () => {
      t = await createTestApp(backend, { clock });
      owner = await setupOwner(t);
      support = await addMember(t, owner, 'support');
      quiet = await addMember(t, owner, 'support', 'quiet@example.com');
      content = await addMember(t, owner, 'content');
      assert.equal((await owner.request('PATCH', '/api/brand', { timeZone: 'Europe/Berlin' })).statusCode, 200);
    });
    after(() => t.close());

    const reminders = (to?: string) =>
      t.app.database.execute<{ to_address: string; subject: string; text: string }>(
        `select to_address, subject, text from mail_messages where tag = 'task.overdue'${to ? ' and to_address = $1' : ''} order by to_address`,
        to ? [to] : [],
      );

    it('a member turns reminders off for themselves only; a bad value is a 400', async () => {
      assert.deepEqual((await quiet.get('/api/tasks/my-settings')).json(), { overdueEmail: true });
      const off = await quiet.request('PUT', '/api/tasks/my-settings', { overdueEmail: false });
      assert.equal(off.statusCode, 200, off.body);
      assert.deepEqual((await quiet.get('/api/tasks/my-settings')).json(), { overdueEmail: false });
      assert.deepEqual((await support.get('/api/tasks/my-settings')).json(), { overdueEmail: true }, "another person's choice is theirs");
      assert.equal((await quiet.request('PUT', '/api/tasks/my-settings', { overdueEmail: 'no' })).statusCode, 400);
    });

    it('two workers sweeping at once: one email per member of the role (not to the one who opted out), one task.overdue', async () => {
      const created = await owner.post('/api/tasks', { title: 'Check refunds', assignee: { role: 'support' }, recurrence: { kind: 'once' }, startsOn: '2026-07-06', dueTime: '09:00' });
      assert.equal(created.statusCode, 201, created.body);
      const occ = (await support.get('/api/tasks/my-day')).json().due.find((o: { taskId: string }) => o.taskId === created.json().id);
      assert.ok(occ);
      assert.equal((await t.app.tasks.markOverdue()), 0, 'not yet due');
      assert.equal((await reminders()).rows.length, 0);

      clock.set('2026-07-06T07:30:00Z'); // 09:30 in Berlin
      // A second worker with its own connections (on PostgreSQL) over the same database.
      const other = backend === 'pg' ? await openDatabase({ kind: 'pg', url: t.url! }) : t.app.database;
      const second = new TasksService({
        database: other, clock, events: t.app.events, signer: t.app.signer, publicUrl: t.app.config.publicUrl,
        timeZone: async () => 'Europe/Berlin',
        people: async () => (await t.app.team.listUsers()).map((u) => ({ id: u.id, name: u.name, role: u.role, email: u.email })),
        queueMailInTx: (tx, m) => t.app.mail.queueTransactionalInTx(tx, m),
      });
      try {
        const counts = await Promise.all([t.app.tasks.markOverdue(), second.markOverdue(), t.app.tasks.markOverdue(), second.markOverdue()]);
        assert.equal(counts.reduce((a, b) => a + b, 0), 1, 'one sweep won the row');
      } finally {
        if (other !== t.app.database) await other.close();
      }
      assert.equal((await t.app.tasks.markOverdue()), 0);
      const mails = (await reminders()).rows;
      assert.deepEqual(mails.map((m) => m.to_address), ['support@example.com'], 'the opted-out member gets none');
      const mail = mails[0]!;
      assert.equal(mail.subject, 'Overdue: Check refunds');
      assert.match(mail.text, /"Check refunds" was due 2026-07-06 at 09:00 \(Europe\/Berlin\)/);
      assert.match(mail.text, /assigned to everyone in Support/);
      assert.equal((await t.app.db.select().from(events).where(and(eq(events.type, 'task.overdue'), eq(events.subjectId, occ.id)))).length, 1);

      // The signed link leads to My day with the task; a forged one to My day alone. It signs nobody in.
      const link = new URL(/https?:\/\/\S+\/t\/my-day\/\S+/.exec(mail.text)![0]);
      const followed = await t.server.inject({ method: 'GET', url: link.pathname });
      assert.equal(followed.statusCode, 302);
      assert.equal(followed.headers.location, `/admin/my-day?task=${occ.id}`);
      assert.equal(followed.headers['set-cookie'], undefined);
      const forged = await t.server.inject({ method: 'GET', url: `${link.pathname.slice(0, -3)}xyz` });
      assert.equal(forged.headers.location, '/admin/my-day');
      clock.set('2026-08-06T07:30:00Z'); // 31 days later: expired
      assert.equal((await t.server.inject({ method: 'GET', url: link.pathname })).headers.location, '/admin/my-day');
      clock.set('2026-07-06T07:30:00Z');
    });

    it("a task for one person reminds that person only; a done task is not reminded", async () => {
      await owner.login(OWNER.email, OWNER.password);
      await content.login('content@example.com', 'content password 123');
      const contentId = (await content.get('/api/auth/session')).json().user.id;
      const mine = await owner.post('/api/tasks', { title: 'Update the course page', assignee: { userId: contentId }, recurrence: { kind: 'once' }, startsOn: '2026-07-06', dueTime: '10:00' });
      const done = await owner.post('/api/tasks', { title: 'Post the newsletter', assignee: { userId: contentId }, recurrence: { kind: 'once' }, startsOn: '2026-07-06', dueTime: '10:00' });
      assert.equal(mine.statusCode, 201, mine.body);
      const doneOcc = (await content.get('/api/tasks/my-day')).json().due.find((o: { taskId: string }) => o.taskId === done.json().id);
      assert.equal((await content.post(`/api/task-occurrences/${doneOcc.id}/complete`)).statusCode, 200);
      clock.set('2026-07-06T08:30:00Z'); // 10:30 in Berlin
      assert.equal(await t.app.tasks.markOverdue(), 1);
      const mails = (await reminders('content@example.com')).rows;
      assert.deepEqual(mails.map((m) => m.subject), ['Overdue: Update the course page']);
      assert.match(mails[0]!.text, /assigned to you/);
      assert.equal((await reminders()).rows.length, 2, 'nobody else was mailed');
    });

    it('one-click opt-out (RFC 8058): the reminder carries List-Unsubscribe headers; one POST with no sign-in turns that person\'s reminders off; a forged or altered token changes nothing', async () => {
      const [mail] = (await t.app.database.execute<{ to_address: string; text: string; headers: Record<string, string> }>(
        `select to_address, text, headers from mail_messages where tag = 'task.overdue' and to_address = 'content@example.com' limit 1`,
      )).rows;
      assert.ok(mail);
      assert.equal(mail.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
      const offUrl = new URL(/^<(.+)>$/.exec(mail.headers['List-Unsubscribe']!)![1]!);
      assert.ok(mail.text.includes(offUrl.toString()), 'the same link is in the text');
      const path = offUrl.pathname + offUrl.search;
      const token = offUrl.searchParams.get('token')!;
      const contentId = (await t.app.team.listUsers()).find((u) => u.email === 'content@example.com')!.id;
      const setting = async () => (await t.app.tasks.notificationSettings(contentId)).overdueEmail;
      const offEvents = async () => (await t.app.db.select().from(events).where(and(eq(events.type, 'task.reminders_turned_off'), eq(events.subjectId, contentId))));
      assert.equal(await setting(), true);

      // Forged and altered tokens: a clear 400 page, nothing changed, nothing recorded.
      const altered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      const otherPurpose = t.app.signer.sign('task-reminder', contentId, null);
      for (const bad of [altered, otherPurpose, 'not-a-token', '']) {
        const r = await t.server.inject({ method: 'POST', url: `/t/task-reminders/off?token=${encodeURIComponent(bad)}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(r.statusCode, 400, bad);
        assert.match(r.body, /This link is not valid/);
      }
      assert.equal(await setting(), true, 'a bad token changes nothing');
      assert.equal((await offEvents()).length, 0);

      // Opening the link (a scanner, a person) only shows the confirm button.
      const page = await t.server.inject({ method: 'GET', url: path });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Turn reminders off/);
      assert.equal(await setting(), true, 'a GET changes nothing');

      // The mail app's one-click POST: no cookie, no CSRF token, the signed URL only.
      const clicked = await t.server.inject({ method: 'POST', url: path, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(clicked.statusCode, 200, clicked.body);
      assert.match(clicked.body, /Task reminders are off/);
      assert.equal(clicked.headers['set-cookie'], undefined, 'it signs nobody in');
      assert.equal(await setting(), false);
      const recorded = await offEvents();
      assert.equal(recorded.length, 1);
      assert.equal(recorded[0]!.actorId, contentId, 'the person is the actor');
      assert.equal((await t.server.inject({ method: 'POST', url: path })).statusCode, 200, 'a second click is fine');
      assert.equal((await offEvents()).length, 1, 'and records nothing more');

      // The next overdue task mails nobody who opted out.
      const later = await owner.post('/api/tasks', { title: 'Fix typos', assignee: { userId: contentId }, recurrence: { kind: 'once' }, startsOn: '2026-07-06', dueTime: '11:00' });
      assert.equal(later.statusCode, 201, later.body);
      clock.set('2026-07-06T09:30:00Z');
      assert.equal(await t.app.tasks.markOverdue(), 1);
      assert.deepEqual((await reminders('content@example.com')).rows.map((m) => m.subject), ['Overdue: Update the course page']);
    });
  });
}
