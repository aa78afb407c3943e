// SOPs and tasks through the API on a real database and the manual clock: occurrences appear on
// their due dates in the brand's zone (and only once, with two workers), My day shows each person
// theirs, ticking/completing/skipping records events with the actor, overdue ones surface for
// the weekly review, and bad input is a 400 that changes nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import { openDatabase } from '../../db/client.js';
import { events } from '../../db/schema.js';
import { addMember, backends, createTestApp, OWNER, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { assistantWork, CREATE_OCCURRENCES_JOB, overdueTasks, TasksService } from './index.js';
import { jobRegistry } from '../../job-registry.js';
import { taskOccurrences } from './schema.js';

const REFUNDS_SOP = '# Weekly refunds check\n\n- [ ] Open Orders and filter refunds\n- [ ] Check each reason\n- [ ] Note anything odd for the owner\n';

for (const backend of backends()) {
  describe(`tasks [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let support: Client;
    let content: Client;
    let supportId: string;
    const clock = new ManualClock('2026-03-27T10:00:00Z'); // a Friday, two days before Berlin's spring change

    before(async () => {
      t = await createTestApp(backend, { clock });
      owner = await setupOwner(t);
      support = await addMember(t, owner, 'support');
      content = await addMember(t, owner, 'content');
      assert.equal((await owner.request('PATCH', '/api/brand', { timeZone: 'Europe/Berlin' })).statusCode, 200);
      supportId = (await support.get('/api/auth/session')).json().user.id;
    });
    after(() => t.close());

    /** Moves the clock; sessions older than their lifetime are signed in again. */
    async function at(iso: string) {
      clock.set(iso);
      await owner.login(OWNER.email, OWNER.password);
      await support.login('support@example.com', 'support password 123');
      await content.login('content@example.com', 'content password 123');
    }

    async function eventsOf(type: string, subjectId?: string) {
      const rows = await t.app.db.select().from(events).where(subjectId ? and(eq(events.type, type), eq(events.subjectId, subjectId)) : eq(events.type, type));
      return rows;
    }

    it('an SOP keeps every revision with who changed what, and renders sanitised', async () => {
      const created = await owner.post('/api/sops', { title: 'Weekly refunds check', body: REFUNDS_SOP + '\n[x](javascript:alert(1))\n\n<script>alert(1)</script><img src=x onerror=alert(1)>', role: 'support' });
      assert.equal(created.statusCode, 201, created.body);
      const sop = created.json();
      assert.deepEqual(sop.checklist, ['Open Orders and filter refunds', 'Check each reason', 'Note anything odd for the owner']);
      assert.doesNotMatch(sop.html, /<script|onerror|href="javascript|<img/i);
      assert.match(sop.html, /<input type="checkbox" disabled/);
      const edited = await owner.patch(`/api/sops/${sop.id}`, { body: REFUNDS_SOP });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(edited.json().revision, 2);
      // Assistants read SOPs but may not write them.
      assert.equal((await support.patch(`/api/sops/${sop.id}`, { title: 'Mine now' })).statusCode, 403);
      const detail = (await support.get(`/api/sops/${sop.id}`)).json();
      assert.deepEqual(detail.revisions.map((r: { revision: number; changed: string[]; actorName: string }) => [r.revision, r.changed, r.actorName]), [[2, ['body'], 'Olivia Owner'], [1, ['title', 'body', 'role'], 'Olivia Owner']]);
      const [ev] = await eventsOf('sop.updated', sop.id);
      assert.equal(ev!.actorKind, 'owner');
    });

    it('a weekly task for support appears on its Mondays in Berlin, once each, with the SOP checklist copied', async () => {
      const sop = (await owner.get('/api/sops')).json().sops.find((s: { title: string }) => s.title === 'Weekly refunds check');
      const res = await owner.post('/api/tasks', { title: 'Check refunds', assignee: { role: 'support' }, sopId: sop.id, recurrence: { kind: 'weekly', weekday: 1 }, startsOn: '2026-03-27', dueTime: '09:00' });
      assert.equal(res.statusCode, 201, res.body);
      const task = res.json();
      assert.equal(task.nextDueOn, '2026-03-30');
      assert.equal(task.recurrenceText, 'Every Monday');
      assert.equal((await support.get('/api/tasks/my-day')).json().due.length, 0, 'nothing due on Friday');

      // Sunday 23:30 UTC is already Monday 01:30 in Berlin (summer time since Sunday).
      await at('2026-03-29T23:30:00Z');
      assert.equal(await t.app.tasks.createDueOccurrences(), 1);
      assert.equal(await t.app.tasks.createDueOccurrences(), 0, 'a second run makes nothing');
      const day = (await support.get('/api/tasks/my-day')).json();
      assert.equal(day.today, '2026-03-30');
      assert.equal(day.due.length, 1);
      const occ = day.due[0];
      assert.equal(occ.dueOn, '2026-03-30');
      assert.equal(occ.dueAt, '2026-03-30T07:00:00.000Z', '09:00 Berlin summer time');
      assert.deepEqual(occ.checklist.map((i: { text: string }) => i.text), ['Open Orders and filter refunds', 'Check each reason', 'Note anything odd for the owner']);
      assert.equal(occ.overdue, false);
      // Content does not see support's task and may not touch it.
      assert.equal((await content.get('/api/tasks/my-day')).json().due.length, 0);
      assert.equal((await content.post(`/api/task-occurrences/${occ.id}/items/i1`, { done: true })).statusCode, 403);
      assert.equal((await eventsOf('task.due', occ.id)).length, 1);
    });

    it('ticking and completing record events with the assistant as actor; completing needs the checklist ticked', async () => {
      const occ = (await support.get('/api/tasks/my-day')).json().due[0];
      const early = await support.post(`/api/task-occurrences/${occ.id}/complete`);
      assert.equal(early.statusCode, 409);
      assert.match(early.json().error.message, /3 of 3 items left/);
      for (const item of occ.checklist) {
        const r = await support.post(`/api/task-occurrences/${occ.id}/items/${item.id}`, { done: true });
        assert.equal(r.statusCode, 200, r.body);
      }
      const ticks = await eventsOf('task.item_checked', occ.id);
      assert.equal(ticks.length, 3);
      assert.ok(ticks.every((e) => e.actorKind === 'assistant' && e.actorId === supportId && e.actorRole === 'support'));
      await at('2026-03-30T08:00:00Z'); // an hour after 09:00 Berlin
      const done = await support.post(`/api/task-occurrences/${occ.id}/complete`);
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(done.json().status, 'done');
      assert.equal(done.json().late, true);
      assert.equal(done.json().closedBy, 'support person');
      const [completed] = await eventsOf('task.completed', occ.id);
      assert.equal(completed!.actorId, supportId);
      assert.equal((completed!.data as { late: boolean; minutesLate: number }).late, true);
      assert.equal((completed!.data as { minutesLate: number }).minutesLate, 60);
      assert.equal((await support.post(`/api/task-occurrences/${occ.id}/complete`)).statusCode, 409, 'done once');
      const day = (await support.get('/api/tasks/my-day')).json();
      assert.equal(day.due.length, 0);
      assert.equal(day.closedToday[0].id, occ.id);
      // The owner sees it done on the Tasks page.
      const listed = (await owner.get('/api/tasks')).json().tasks.find((x: { title: string }) => x.title === 'Check refunds');
      assert.equal(listed.last.status, 'done');
      assert.equal(listed.last.closedBy, 'support person');
    });

    it('a done occurrence can be re-opened (event with the actor), an item unticked and ticked, and completed again; not by another role, not when open', async () => {
      const [row] = await t.app.db.select().from(taskOccurrences).where(and(eq(taskOccurrences.title, 'Check refunds'), eq(taskOccurrences.status, 'done'))).limit(1);
      assert.ok(row, 'the occurrence completed above');
      const id = row.id;
      assert.equal((await support.post(`/api/task-occurrences/${id}/items/i1`, { done: false })).statusCode, 409, 'a done task cannot be changed before it is re-opened');
      assert.equal((await content.post(`/api/task-occurrences/${id}/reopen`, {})).statusCode, 403, 'not the content role\'s task');
      const reopened = await support.post(`/api/task-occurrences/${id}/reopen`, { reason: 'One refund was not checked' });
      assert.equal(reopened.statusCode, 200, reopened.body);
      assert.equal(reopened.json().status, 'open');
      assert.equal(reopened.json().closedBy, null);
      const [ev] = await eventsOf('task.reopened', id);
      assert.equal(ev!.actorKind, 'assistant');
      assert.equal(ev!.actorId, supportId);
      assert.deepEqual([(ev!.data as { from: string }).from, (ev!.data as { reason: string }).reason], ['done', 'One refund was not checked']);
      assert.equal((await support.post(`/api/task-occurrences/${id}/reopen`, {})).statusCode, 409, 'an open task is not re-opened');
      const unticked = await support.post(`/api/task-occurrences/${id}/items/i1`, { done: false });
      assert.equal(unticked.statusCode, 200, unticked.body);
      assert.equal(unticked.json().checklist.find((i: { id: string }) => i.id === 'i1').done, false);
      const untickEvents = (await eventsOf('task.item_checked', id)).filter((e) => (e.data as { done: boolean }).done === false);
      assert.equal(untickEvents.length, 1);
      assert.equal(untickEvents[0]!.actorId, supportId);
      assert.equal((await support.post(`/api/task-occurrences/${id}/complete`)).statusCode, 409, 'the unticked item must be ticked again');
      assert.equal((await support.post(`/api/task-occurrences/${id}/items/i1`, { done: true })).statusCode, 200);
      const again = await support.post(`/api/task-occurrences/${id}/complete`);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().status, 'done');
      assert.equal((await eventsOf('task.completed', id)).length, 2);
    });

    it('a task for one person is theirs alone; skipping needs a reason and records it', async () => {
      const res = await owner.post('/api/tasks', { title: 'Answer the inbox backlog', assignee: { userId: supportId }, recurrence: { kind: 'once' }, startsOn: '2026-03-30' });
      assert.equal(res.statusCode, 201, res.body);
      const day = (await support.get('/api/tasks/my-day')).json();
      const occ = day.due.find((o: { title: string }) => o.title === 'Answer the inbox backlog');
      assert.ok(occ, 'due today: created at once, not at the next job run');
      assert.equal(occ.assignee.name, 'support person');
      assert.equal((await support.post(`/api/task-occurrences/${occ.id}/skip`, { reason: '   ' })).statusCode, 400);
      const skipped = await support.post(`/api/task-occurrences/${occ.id}/skip`, { reason: 'Inbox was empty' });
      assert.equal(skipped.statusCode, 200, skipped.body);
      const [ev] = await eventsOf('task.skipped', occ.id);
      assert.equal(ev!.actorId, supportId);
      assert.equal((ev!.data as { reason: string }).reason, 'Inbox was empty');
      assert.equal(res.json().nextDueOn, null, 'a one-off has no next date');
    });

    it('monthly on the 31st lands on 30 April; overdue is recorded once and surfaces for the review', async () => {
      const res = await owner.post('/api/tasks', { title: 'Review Glazing 101', assignee: { role: 'content' }, recurrence: { kind: 'monthly', day: 31 }, startsOn: '2026-04-01', subject: { type: 'course', id: 'c1', label: 'Glazing 101' } });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().nextDueOn, '2026-04-30');
      await at('2026-04-30T06:00:00Z');
      await t.app.tasks.createDueOccurrences();
      const occ = (await content.get('/api/tasks/my-day')).json().due.find((o: { title: string }) => o.title === 'Review Glazing 101');
      assert.equal(occ.subject.label, 'Glazing 101');
      // 17:00 Berlin on 30 April = 15:00 UTC; at 16:00 UTC it is overdue.
      await at('2026-04-30T16:00:00Z');
      const marked = await t.app.tasks.markOverdue();
      assert.ok(marked >= 1);
      assert.equal(await t.app.tasks.markOverdue(), 0, 'recorded once');
      assert.equal((await eventsOf('task.overdue', occ.id)).length, 1);
      const overdue = await overdueTasks(t.app.db, new Date('2026-05-02T16:00:00Z'));
      const mine = overdue.find((o) => o.occurrenceId === occ.id);
      assert.ok(mine);
      assert.equal(mine!.daysOverdue, 2);
      assert.equal(mine!.assigneeRole, 'content');
      const work = await assistantWork(t.app.db, { from: new Date('2026-03-23T00:00:00Z'), to: new Date('2026-04-06T00:00:00Z') });
      const s = work.find((w) => w.actorId === supportId)!;
      assert.deepEqual({ done: s.done, late: s.late, skipped: s.skipped, role: s.actorRole }, { done: 1, late: 1, skipped: 1, role: 'support' });
      // Moving it to support moves the open occurrence out of content's day.
      assert.equal((await owner.patch(`/api/tasks/${res.json().id}`, { assignee: { role: 'support' } })).statusCode, 200);
      assert.ok(!(await content.get('/api/tasks/my-day')).json().due.some((o: { id: string }) => o.id === occ.id));
      assert.ok((await support.get('/api/tasks/my-day')).json().due.some((o: { id: string }) => o.id === occ.id && (o as { overdue?: boolean }).overdue));
    });

    it('two workers creating the same due dates make one occurrence each', async () => {
      const created = await owner.post('/api/tasks', { title: 'Daily inbox sweep', assignee: { role: 'support' }, recurrence: { kind: 'days', every: 1 }, startsOn: '2026-05-01' });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id;
      // A second worker with its own connections (on PostgreSQL) over the same database.
      const other = backend === 'pg' ? await openDatabase({ kind: 'pg', url: t.url! }) : t.app.database;
      const second = new TasksService({ database: other, clock, events: t.app.events, timeZone: async () => 'Europe/Berlin', people: () => t.app.tasks.people() });
      try {
        await at('2026-05-10T10:00:00Z');
        const counts = await Promise.all([t.app.tasks.createDueOccurrences(), second.createDueOccurrences(), t.app.tasks.createDueOccurrences(), second.createDueOccurrences()]);
        const rows = await t.app.db.select().from(taskOccurrences).where(eq(taskOccurrences.taskId, id));
        assert.equal(rows.length, 10, '1 to 10 May');
        assert.equal(new Set(rows.map((r) => r.dueOn)).size, 10);
        const dueEvents = await t.app.db.select().from(events).where(and(eq(events.type, 'task.due'), inArray(events.subjectId, rows.map((r) => r.id))));
        assert.equal(dueEvents.length, 10, 'one task.due per occurrence');
        assert.ok(counts.reduce((a, b) => a + b, 0) >= 10);
      } finally {
        if (other !== t.app.database) await other.close();
      }
    });

    it('the registered job (every minute) creates the due occurrences and records overdue ones', async () => {
      const job = jobRegistry.find((j) => j.name === CREATE_OCCURRENCES_JOB)!;
      assert.equal(job.cron, '* * * * *');
      const created = await owner.post('/api/tasks', { title: 'Every third day', assignee: { role: 'marketing' }, recurrence: { kind: 'days', every: 3 }, startsOn: '2026-05-11', dueTime: '10:00' });
      assert.equal(created.statusCode, 201, created.body);
      await at('2026-05-14T09:00:00Z'); // 11:00 in Berlin: the 14th is due and past its time
      await job.handler(t.app, job.data!.parse({}), { id: 'test', name: job.name, retryCount: 0 });
      const rows = await t.app.db.select().from(taskOccurrences).where(eq(taskOccurrences.taskId, created.json().id));
      assert.deepEqual(rows.map((r) => [r.dueOn, r.overdueAt !== null]).sort(), [['2026-05-11', true], ['2026-05-14', true]]);
    });

    it('bad input is a 400 and changes nothing', async () => {
      const before = (await owner.get('/api/tasks')).json().tasks.length;
      const bad = [
        { title: 'Nul\u0000title', assignee: { role: 'support' }, recurrence: { kind: 'once' }, startsOn: '2026-06-01' },
        { title: 'Ghost', assignee: { userId: randomUUID() }, recurrence: { kind: 'once' }, startsOn: '2026-06-01' },
        { title: 'Bad role', assignee: { role: 'intern' }, recurrence: { kind: 'once' }, startsOn: '2026-06-01' },
        { title: 'Bad date', assignee: { role: 'support' }, recurrence: { kind: 'once' }, startsOn: '2026-02-30' },
        { title: 'Bad rule', assignee: { role: 'support' }, recurrence: { kind: 'weekly', weekday: 7 }, startsOn: '2026-06-01' },
        { title: 'Far', assignee: { role: 'support' }, recurrence: { kind: 'once' }, startsOn: '2099-01-01' },
        { title: 'Bad SOP', assignee: { role: 'support' }, sopId: randomUUID(), recurrence: { kind: 'once' }, startsOn: '2026-06-01' },
      ];
      for (const body of bad) {
        const r = await owner.post('/api/tasks', body);
        assert.equal(r.statusCode, 400, `${body.title}: ${r.body}`);
      }
      const ghost = await owner.post('/api/tasks', bad[1]);
      assert.match(ghost.json().error.message, /not a member of the team/);
      assert.equal((await owner.get('/api/tasks')).json().tasks.length, before);
      const sopsBefore = (await owner.get('/api/sops')).json().sops.length;
      const huge = await owner.post('/api/sops', { title: 'Huge', body: 'x'.repeat(100_001) });
      assert.equal(huge.statusCode, 400);
      assert.equal((await owner.post('/api/sops', { title: 'Nul', body: 'a\u0000b' })).statusCode, 400);
      const tooBig = await owner.post('/api/sops', { title: 'Way too big', body: 'x'.repeat(3_000_000) });
      assert.ok([400, 413].includes(tooBig.statusCode), `${tooBig.statusCode}`);
      assert.equal((await owner.get('/api/sops')).json().sops.length, sopsBefore);
      assert.equal((await support.post(`/api/task-occurrences/${randomUUID()}/items/i1`, { done: 'yes' })).statusCode, 400);
      assert.equal((await support.post(`/api/task-occurrences/${randomUUID()}/items/i1`, { done: true })).statusCode, 404);
    });

    it("a task manager changes an open occurrence's checklist: unchanged items keep their ticks, the event has the actor; assistants and closed tasks may not", async () => {
      const sop = (await owner.get('/api/sops')).json().sops.find((s: { title: string }) => s.title === 'Weekly refunds check');
      const today = (await support.get('/api/tasks/my-day')).json().today as string;
      const res = await owner.post('/api/tasks', { title: 'Refunds, once more', assignee: { role: 'support' }, sopId: sop.id, recurrence: { kind: 'once' }, startsOn: today });
      assert.equal(res.statusCode, 201, res.body);
      const occ = (await support.get('/api/tasks/my-day')).json().due.find((o: { title: string }) => o.title === 'Refunds, once more');
      assert.deepEqual(occ.checklist.map((i: { id: string }) => i.id), ['i1', 'i2', 'i3']);
      assert.equal((await support.post(`/api/task-occurrences/${occ.id}/items/i1`, { done: true })).statusCode, 200);
      const url = `/api/task-occurrences/${occ.id}/checklist`;
      const items = ['Open Orders and filter refunds', 'Check each reason, partial refunds too', 'Note anything odd for the owner', 'Log the total in the sheet'];
      assert.equal((await support.put(url, { items })).statusCode, 403, 'the assistant follows the checklist, the manager writes it');
      assert.equal((await content.put(url, { items })).statusCode, 403);
      for (const bad of [{ items: ['Fine', '   '] }, { items: Array.from({ length: 101 }, (_, i) => `Item ${i}`) }, { items: ['a\u0000b'] }, { items: ['x'.repeat(501)] }, { items: 'one' }, { items: [], extra: 1 }]) {
        assert.equal((await owner.put(url, bad)).statusCode, 400, JSON.stringify(bad).slice(0, 80));
      }
      const edited = await owner.put(url, { items });
      assert.equal(edited.statusCode, 200, edited.body);
      const list = edited.json().checklist as { id: string; text: string; done: boolean }[];
      assert.deepEqual(
        list.map((i) => [i.id, i.text, i.done]),
        [
          ['i1', 'Open Orders and filter refunds', true],
          ['i4', 'Check each reason, partial refunds too', false],
          ['i3', 'Note anything odd for the owner', false],
          ['i5', 'Log the total in the sheet', false],
        ],
        'the tick stays with its text; the reworded item is new (not the removed one\'s id)',
      );
      assert.equal((await support.post(`/api/task-occurrences/${occ.id}/items/i2`, { done: true })).statusCode, 404, 'a tick from a page loaded before the edit finds no item');
      const [ev] = await eventsOf('task.checklist_edited', occ.id);
      assert.equal(ev!.actorKind, 'owner');
      assert.deepEqual(ev!.data, { ...(ev!.data as object), added: 2, removed: 1, items: 4, itemsDone: 1 });
      assert.equal((await owner.put(url, { items })).statusCode, 200);
      assert.equal((await eventsOf('task.checklist_edited', occ.id)).length, 1, 'the same list again changes nothing and records nothing');
      // Done, it is history: the checklist is what was done.
      for (const id of ['i4', 'i3', 'i5']) assert.equal((await support.post(`/api/task-occurrences/${occ.id}/items/${id}`, { done: true })).statusCode, 200);
      assert.equal((await support.post(`/api/task-occurrences/${occ.id}/complete`)).statusCode, 200);
      assert.equal((await owner.put(url, { items: ['Something else'] })).statusCode, 409);
    });
  });
}
