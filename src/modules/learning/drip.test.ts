import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { learningJobs } from './jobs.js';
import { buildCourse, expectOk, StudentBrowser } from './test-support.js';

const DAY = 86_400_000;

for (const backend of backends()) {
  describe(`drip schedules on a virtual clock [${backend}]`, () => {
    let t: TestApp;
    let staff: Client;
    let course: Awaited<ReturnType<typeof buildCourse>>;
    let student: Awaited<ReturnType<typeof StudentBrowser.signIn>>;
    const runDripJob = () => learningJobs.find((j) => j.name === 'learning.announce-unlocked-lessons')!.handler(t.app, {}, { id: 'test', name: 'learning.announce-unlocked-lessons', retryCount: 0 });
    const unlockEvents = async () => (await t.app.events.list(t.app.db, { type: 'lesson.unlocked', limit: 500 })).filter((e) => e.data.contactId === student.contactId);
    const lessonUrl = (i: number) => `/learn/${course.course.slug}/lessons/${course.lessons[i]!.id}`;

    before(async () => {
      t = await createTestApp(backend);
      staff = await setupOwner(t);
      const launchDay = new Date(t.clock.now().getTime() + 10 * DAY);
      course = await buildCourse(staff, {
        title: 'Seven Day Launch',
        lessons: [
          { title: 'Welcome', bodyMarkdown: 'Day zero **welcome**.' },
          { title: 'Week one', bodyMarkdown: 'Opens a week in.', drip: { kind: 'after_days', days: 7 } },
          { title: 'Only after week one', bodyMarkdown: 'Gated on completion.', drip: { kind: 'after_previous' } },
          { title: 'Launch day', bodyMarkdown: 'Opens on the calendar date.', drip: { kind: 'on_date', date: launchDay.toISOString() } },
        ],
      });
      student = await StudentBrowser.signIn(t, 'drip@example.com', 'Dee Drip');
      expectOk(await staff.post(`/api/learning/courses/${course.course.id}/enrollments`, { email: 'drip@example.com', reason: 'beta student' }), 201);
    });
    after(() => t.close());

    it('day 0: lesson 1 is open, lesson 2 is locked and says when it opens', async () => {
      const first = await student.get(lessonUrl(0));
      assert.equal(first.statusCode, 200);
      assert.match(first.body, /Day zero <strong>welcome<\/strong>/);

      const second = await student.get(lessonUrl(1));
      assert.equal(second.statusCode, 403);
      assert.doesNotMatch(second.body, /Opens a week in/, 'a locked lesson never shows its content');
      const opens = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(t.clock.now().getTime() + 7 * DAY));
      assert.match(second.body, new RegExp(`opens on ${opens}`));

      const outline = await student.get(`/learn/${course.course.slug}`);
      assert.equal(outline.statusCode, 200);
      assert.match(outline.body, /Opens when you complete the lesson before it/);
      assert.doesNotMatch(outline.body, new RegExp(`href="${lessonUrl(1)}"`), 'no link to a locked lesson');

      await runDripJob();
      assert.equal((await unlockEvents()).length, 0, 'nothing scheduled has opened yet');
    });

    it('day 7: lesson 2 opens, and the drip job announces it exactly once', async () => {
      t.clock.advanceDays(7);
      t.clock.advance(60_000);
      const second = await student.get(lessonUrl(1));
      assert.equal(second.statusCode, 200, 'open on time even before the job has run');
      assert.match(second.body, /Opens a week in/);
      await runDripJob();
      await runDripJob();
      const events = await unlockEvents();
      assert.deepEqual(events.map((e) => e.subjectId), [course.lessons[1]!.id]);
      assert.equal(events[0]!.actorKind, 'system');
    });

    it('a completion-gated lesson opens only after the previous lesson is completed', async () => {
      assert.equal((await student.get(lessonUrl(2))).statusCode, 403);
      const early = await student.post(`${lessonUrl(2)}/complete`);
      assert.equal(early.statusCode, 403, 'a locked lesson cannot be completed either');

      const done = await student.post(`${lessonUrl(1)}/complete`);
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, `${lessonUrl(2)}?n=previous_completed`, 'goes straight on to the lesson it opened');
      const third = await student.get(lessonUrl(2));
      assert.equal(third.statusCode, 200);
      assert.match(third.body, /Gated on completion/);
      const events = await unlockEvents();
      assert.ok(events.some((e) => e.subjectId === course.lessons[2]!.id), 'lesson.unlocked recorded when it opened');
      await runDripJob();
      assert.equal((await unlockEvents()).filter((e) => e.subjectId === course.lessons[2]!.id).length, 1, 'and only once');
    });

    it('a calendar-date lesson opens on its date', async () => {
      assert.equal((await student.get(lessonUrl(3))).statusCode, 403);
      t.clock.advanceDays(3);
      assert.equal((await student.get(lessonUrl(3))).statusCode, 200);
      await runDripJob();
      assert.ok((await unlockEvents()).some((e) => e.subjectId === course.lessons[3]!.id));
    });

    it('a student who enrols late gets every dated lesson at once', async () => {
      const late = await StudentBrowser.signIn(t, 'late@example.com');
      expectOk(await staff.post(`/api/learning/courses/${course.course.id}/enrollments`, { email: 'late@example.com', reason: 'late' }), 201);
      assert.equal((await late.get(lessonUrl(3))).statusCode, 200);
      assert.equal((await late.get(lessonUrl(1))).statusCode, 403, 'but N-days lessons count from their own enrollment');
    });
  });
}
