import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addMember, backends, OWNER, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { buildCourse, expectOk, StudentBrowser } from './test-support.js';

const quiz = {
  passPercent: 60,
  maxAttempts: 2,
  questions: [
    { id: 'capital', prompt: 'What is the capital of France?', kind: 'single', options: [{ id: 'paris', text: 'Paris', correct: true }, { id: 'rome', text: 'Rome', correct: false }] },
    { id: 'primes', prompt: 'Which are prime?', kind: 'multiple', options: [{ id: 'two', text: '2', correct: true }, { id: 'three', text: '3', correct: true }, { id: 'four', text: '4', correct: false }] },
    { id: 'sky', prompt: 'The sky is usually…', kind: 'single', options: [{ id: 'blue', text: 'Blue', correct: true }, { id: 'green', text: 'Green', correct: false }] },
  ],
};

/** Text of a PDF, through poppler when it is installed (it is in CI). */
function pdfText(pdf: Buffer): string | null {
  if (!existsSync('/usr/bin/pdftotext')) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cert-'));
  try {
    writeFileSync(path.join(dir, 'c.pdf'), pdf);
    return execFileSync('pdftotext', [path.join(dir, 'c.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const backend of backends()) {
  describe(`courses, progress, quizzes and certificates [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let course: Awaited<ReturnType<typeof buildCourse>>;
    let sam: Awaited<ReturnType<typeof StudentBrowser.signIn>>;
    const lessonUrl = (i: number) => `/learn/${course.course.slug}/lessons/${course.lessons[i]!.id}`;

    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      course = await buildCourse(owner, {
        title: 'Email Marketing Foundations',
        lessons: [
          { title: 'Why email', bodyMarkdown: '# Why\n\nEmail **works**.\n\n<script>alert("x")</script>\n\n<a href="javascript:alert(1)">click</a> <img src="x" onerror="alert(1)">' },
          { title: 'Your first list', bodyMarkdown: 'Lists.' },
          { title: 'Check yourself', bodyMarkdown: 'Quiz time.' },
        ],
      });
      expectOk(await owner.request('PUT', `/api/learning/lessons/${course.lessons[2]!.id}/quiz`, quiz));
      sam = await StudentBrowser.signIn(t, 'sam@example.com', 'Sam Student');
      expectOk(await owner.post(`/api/learning/courses/${course.course.id}/enrollments`, { email: 'sam@example.com', reason: 'scholarship' }), 201);
    });
    after(() => t.close());

    it('serves lesson Markdown sanitised: no scripts, no javascript: links, no event handlers', async () => {
      const page = await sam.get(lessonUrl(0));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Email <strong>works<\/strong>/);
      assert.doesNotMatch(page.body, /<script>alert/);
      assert.doesNotMatch(page.body, /javascript:alert/);
      assert.doesNotMatch(page.body, /onerror/);
    });

    it('shows the course on the account page and resumes where the student left off', async () => {
      const account = await sam.get('/account');
      assert.match(account.body, /Your courses/);
      assert.match(account.body, /Email Marketing Foundations/);

      const done = await sam.post(`${lessonUrl(0)}/complete`);
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, `${lessonUrl(1)}?n=previous_completed`);
      const next = await sam.get(done.headers.location as string);
      assert.match(next.body, /You completed “Why email”\. Here is the next lesson\./);
      assert.doesNotMatch(next.body, /Lesson completed\./, 'the next lesson does not claim to be completed');
      const outline = await sam.get(`/learn/${course.course.slug}`);
      assert.match(outline.body, /33% complete/);
      assert.match(outline.body, new RegExp(`href="${lessonUrl(1)}">Resume: Your first list`));
      const again = await sam.post(`${lessonUrl(0)}/complete`);
      assert.equal(again.statusCode, 303);
      const completions = await t.app.events.list(t.app.db, { type: 'lesson.completed' });
      assert.equal(completions.length, 1, 'completing twice records one completion');
      assert.equal(completions[0]!.actorKind, 'customer');
    });

    it('a quiz lesson completes only by passing; wrong answers are marked; attempts are limited and stored', async () => {
      await sam.post(`${lessonUrl(1)}/complete`);
      const refuse = await sam.post(`${lessonUrl(2)}/complete`);
      assert.equal(refuse.statusCode, 409);

      const failed = await sam.post(`${lessonUrl(2)}/quiz`, { a_capital: 'rome', a_primes: ['two', 'three'], a_sky: 'green' });
      assert.equal(failed.statusCode, 303);
      const page = await sam.get(lessonUrl(2));
      assert.match(page.body, /You scored 33%; 60% is needed to pass/);
      assert.match(page.body, /Attempts left: 1 of 2/);
      assert.match(page.body, /class="wrong"/);

      const passed = await sam.post(`${lessonUrl(2)}/quiz`, { a_capital: 'paris', a_primes: ['two', 'three'], a_sky: 'green' });
      assert.equal(passed.statusCode, 303);
      assert.equal(passed.headers.location, `/learn/${course.course.slug}?done=course`, 'the last lesson passed completes the course');
      const attempts = await t.app.events.list(t.app.db, { type: 'quiz.attempted' });
      assert.deepEqual(attempts.map((a) => [a.data.scorePercent, a.data.passed]), [[67, true], [33, false]]);
      const third = await sam.post(`${lessonUrl(2)}/quiz`, { a_capital: 'paris' });
      assert.equal(third.statusCode, 409, 'a passed quiz is not taken again');
    });

    it('refuses a third attempt when two are allowed, until staff reset them', async () => {
      const kim = await StudentBrowser.signIn(t, 'kim@example.com', 'Kim');
      expectOk(await owner.post(`/api/learning/courses/${course.course.id}/enrollments`, { email: 'kim@example.com', reason: 'test' }), 201);
      for (const i of [0, 1]) await kim.post(`${lessonUrl(i)}/complete`);
      assert.equal((await kim.post(`${lessonUrl(2)}/quiz`, { a_capital: 'rome' })).statusCode, 303);
      assert.equal((await kim.post(`${lessonUrl(2)}/quiz`, { a_capital: 'rome' })).statusCode, 303);
      const refused = await kim.post(`${lessonUrl(2)}/quiz`, { a_capital: 'paris', a_primes: ['two', 'three'], a_sky: 'blue' });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.body, /used all 2 attempts/);
      const page = await kim.get(lessonUrl(2));
      assert.match(page.body, /no attempts left/);
      expectOk(await owner.post(`/api/learning/lessons/${course.lessons[2]!.id}/quiz/reset`, { contactId: kim.contactId }));
      assert.equal((await kim.post(`${lessonUrl(2)}/quiz`, { a_capital: 'paris', a_primes: ['two', 'three'], a_sky: 'blue' })).statusCode, 303);
    });

    it('issues one certificate: a PDF for the student and a public verification page', async () => {
      const outline = await sam.get(`/learn/${course.course.slug}?done=course`);
      assert.match(outline.body, /you completed the course/i);
      assert.match(outline.body, /100% complete/);
      const res = await sam.get(`/learn/${course.course.slug}/certificate.pdf`);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');
      const text = pdfText(res.rawPayload);
      if (text !== null) {
        assert.match(text, /Sam Student/);
        assert.match(text, /Email Marketing Foundations/);
      }
      const code = /href="\/certificates\/([\w-]+)"/.exec(outline.body)![1]!;
      const verify = await t.server.inject({ method: 'GET', url: `/certificates/${code}` });
      assert.equal(verify.statusCode, 200);
      assert.match(verify.body, /This certificate is valid/);
      assert.match(verify.body, /Sam Student/);
      assert.equal((await t.server.inject({ method: 'GET', url: '/certificates/not-a-real-code-000' })).statusCode, 404);
      const issued = await t.app.events.list(t.app.db, { type: 'certificate.issued' });
      assert.equal(issued.filter((e) => e.data.contactId === sam.contactId).length, 1);
      assert.equal((await t.app.events.list(t.app.db, { type: 'course.completed' })).length, 2);

      const certs = expectOk(await owner.get(`/api/learning/courses/${course.course.id}/certificates`)).certificates;
      const samCert = certs.find((c: { contactId: string }) => c.contactId === sam.contactId);
      expectOk(await owner.post(`/api/learning/certificates/${samCert.id}/revoke`, { reason: 'issued in error' }), 204);
      assert.match((await t.server.inject({ method: 'GET', url: `/certificates/${code}` })).body, /revoked/);
    });

    it('stats: enrollments over time, the completion funnel by lesson and quiz pass rates', async () => {
      const stats = expectOk(await owner.get(`/api/learning/courses/${course.course.id}/stats`));
      assert.equal(stats.totals.enrolled, 2);
      assert.equal(stats.totals.completed, 2);
      assert.equal(stats.enrollments.reduce((s: number, p: { enrollments: number }) => s + p.enrollments, 0), 2);
      assert.deepEqual(stats.funnel.map((f: { completed: number }) => f.completed), [2, 2, 2]);
      assert.equal(stats.quizzes[0].students, 2);
      assert.equal(stats.quizzes[0].passed, 2);
      assert.equal(stats.quizzes[0].passRate, 100);
      assert.equal(stats.quizzes[0].attempts, 3, 'reset attempts are removed; the rest are counted');
    });

    it('student questions are recorded as events with the lesson', async () => {
      const res = await sam.post(`${lessonUrl(1)}/question`, { question: 'Can I use my Gmail for this?' });
      assert.equal(res.statusCode, 303);
      assert.match((await sam.get(res.headers.location as string)).body, /your question was sent/);
      const q = expectOk(await owner.get('/api/learning/questions')).questions;
      assert.equal(q[0].question, 'Can I use my Gmail for this?');
      assert.equal(q[0].lessonTitle, 'Your first list');
      assert.equal(q[0].contactId, sam.contactId);
    });

    it('serialises one student’s quiz submissions: two sent at once cannot both take the last attempt', async () => {
      const lee = await StudentBrowser.signIn(t, 'lee@example.com', 'Lee');
      expectOk(await owner.post(`/api/learning/courses/${course.course.id}/enrollments`, { email: 'lee@example.com', reason: 'test' }), 201);
      for (const i of [0, 1]) await lee.post(`${lessonUrl(i)}/complete`);
      assert.equal((await lee.post(`${lessonUrl(2)}/quiz`, { a_capital: 'rome' })).statusCode, 303);
      const both = await Promise.all([lee.post(`${lessonUrl(2)}/quiz`, { a_capital: 'rome' }), lee.post(`${lessonUrl(2)}/quiz`, { a_capital: 'rome' })]);
      assert.deepEqual(both.map((r) => r.statusCode).sort(), [303, 409], 'one submission takes the last attempt, the other is refused');
      const stored = await t.app.database.execute<{ n: number }>('select count(*)::int as n from learning_quiz_attempts where contact_id = $1', [lee.contactId]);
      assert.equal(stored.rows[0]!.n, 2, 'never more attempts than allowed');
    });
  });

  describe(`course builder, freshness and roles [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let content: Client;
    let support: Client;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      content = await addMember(t, owner, 'content');
      support = await addMember(t, owner, 'support');
    });
    after(() => t.close());

    it('builds, reorders and edits a course with a preview', async () => {
      const c = expectOk(await content.post('/api/learning/courses', { title: 'Launch Your First Course', summary: 'From idea to first sale.' }), 201);
      assert.equal(c.slug, 'launch-your-first-course');
      assert.equal(c.status, 'draft');
      const clash = await content.post('/api/learning/courses', { title: 'Launch your first course!' });
      assert.equal(clash.statusCode, 409);
      const m1 = expectOk(await content.post(`/api/learning/courses/${c.id}/modules`, { title: 'Plan' }), 201);
      const m2 = expectOk(await content.post(`/api/learning/courses/${c.id}/modules`, { title: 'Build' }), 201);
      const a = expectOk(await content.post(`/api/learning/modules/${m1.id}/lessons`, { title: 'Pick a topic', videoUrl: 'https://youtu.be/dQw4w9WgXcQ' }), 201);
      const b = expectOk(await content.post(`/api/learning/modules/${m1.id}/lessons`, { title: 'Outline it' }), 201);
      const d = expectOk(await content.post(`/api/learning/modules/${m2.id}/lessons`, { title: 'Record' }), 201);
      const badVideo = await content.post(`/api/learning/modules/${m2.id}/lessons`, { title: 'x', videoUrl: 'http://evil.example/x' });
      assert.equal(badVideo.statusCode, 400);

      const tree = expectOk(await content.request('PUT', `/api/learning/courses/${c.id}/outline`, { modules: [{ moduleId: m2.id, lessonIds: [d.id, b.id] }, { moduleId: m1.id, lessonIds: [a.id] }] }));
      assert.deepEqual(tree.modules.map((m: { title: string }) => m.title), ['Build', 'Plan']);
      assert.deepEqual(tree.modules[0].lessons.map((l: { title: string }) => l.title), ['Record', 'Outline it']);
      const partial = await content.request('PUT', `/api/learning/courses/${c.id}/outline`, { modules: [{ moduleId: m1.id, lessonIds: [a.id] }] });
      assert.equal(partial.statusCode, 400, 'an order that leaves something out is refused');

      const preview = expectOk(await content.post('/api/learning/preview', { markdown: '## Hello <script>x()</script>' }));
      assert.equal(preview.html.includes('<script>'), false);
      assert.match(preview.html, /<h2>Hello/);
      expectOk(await content.patch(`/api/learning/lessons/${a.id}`, { bodyMarkdown: 'Choose **one** topic.' }));
      const page = await t.server.inject({ method: 'GET', url: `/api/learning/lessons/${a.id}/preview`, headers: { cookie: content.cookie } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Choose <strong>one<\/strong> topic/);
      assert.match(page.body, /youtube-nocookie\.com\/embed\/dQw4w9WgXcQ/);

      assert.equal((await content.delete(`/api/learning/modules/${m1.id}`)).statusCode, 409, 'a module with lessons stays');
      expectOk(await content.patch(`/api/learning/courses/${c.id}`, { status: 'published' }));
      const published = await t.app.events.list(t.app.db, { type: 'course.published' });
      assert.equal(published[0]!.actorKind, 'assistant');
      assert.equal(published[0]!.actorRole, 'content');
    });

    it('permissions: support may enroll but not edit; content may edit but not enroll', async () => {
      const c = expectOk(await owner.post('/api/learning/courses', { title: 'Roles Course' }), 201);
      assert.equal((await support.post('/api/learning/courses', { title: 'Nope' })).statusCode, 403);
      assert.equal((await support.patch(`/api/learning/courses/${c.id}`, { title: 'Nope' })).statusCode, 403);
      assert.equal((await content.post(`/api/learning/courses/${c.id}/enrollments`, { email: 'x@example.com', reason: 'r' })).statusCode, 403);
      const enrolled = expectOk(await support.post(`/api/learning/courses/${c.id}/enrollments`, { email: 'new.student@example.com', name: 'New Student', reason: 'goodwill after a billing mix-up' }), 201);
      const grants = await t.app.events.list(t.app.db, { type: 'access.granted' });
      assert.equal(grants[0]!.actorRole, 'support');
      assert.equal(grants[0]!.data.reason, 'goodwill after a billing mix-up');
      const list = expectOk(await support.get(`/api/learning/courses/${c.id}/enrollments`)).enrollments;
      assert.equal(list[0].email, 'new.student@example.com');
      assert.equal(list[0].active, true);
      const noReason = await support.post(`/api/learning/courses/${c.id}/enrollments/revoke`, { contactId: enrolled.contactId });
      assert.equal(noReason.statusCode, 400);
      expectOk(await support.post(`/api/learning/courses/${c.id}/enrollments/revoke`, { contactId: enrolled.contactId, reason: 'asked to leave' }));
      const after = expectOk(await support.get(`/api/learning/courses/${c.id}/enrollments`)).enrollments;
      assert.equal(after[0].active, false);
      const revoked = await t.app.events.list(t.app.db, { type: 'access.revoked' });
      assert.equal(revoked[0]!.data.reason, 'asked to leave');
    });

    it('freshness: lists what is overdue for review; "mark reviewed" is an event with its actor', async () => {
      const c = expectOk(await owner.post('/api/learning/courses', { title: 'Fresh Course', reviewIntervalDays: 90 }), 201);
      const m = expectOk(await owner.post(`/api/learning/courses/${c.id}/modules`, { title: 'M' }), 201);
      const l1 = expectOk(await owner.post(`/api/learning/modules/${m.id}/lessons`, { title: 'Pricing today', reviewIntervalDays: 30 }), 201);
      const l2 = expectOk(await owner.post(`/api/learning/modules/${m.id}/lessons`, { title: 'Evergreen mindset' }), 201);
      const none = expectOk(await owner.get(`/api/learning/freshness?overdue=true&courseId=${c.id}`));
      assert.equal(none.overdueCount, 0);

      // Staff sessions last two weeks: sign in again after the clock jumps.
      const jump = async (days: number) => {
        t.clock.advanceDays(days);
        await owner.login(OWNER.email, OWNER.password);
        await content.login('content@example.com', 'content password 123');
      };
      await jump(45);
      const soon = expectOk(await owner.get(`/api/learning/freshness?overdue=true&courseId=${c.id}`));
      assert.deepEqual(soon.items.map((i: { title: string }) => i.title), ['Pricing today']);
      assert.equal(soon.items[0].overdueDays, 15);

      await jump(60);
      const later = expectOk(await owner.get(`/api/learning/freshness?overdue=true&courseId=${c.id}`));
      assert.deepEqual(later.items.map((i: { title: string }) => i.title).sort(), ['Evergreen mindset', 'Fresh Course', 'Pricing today']);

      const reviewed = expectOk(await content.post(`/api/learning/lessons/${l2.id}/reviewed`, { note: 'Still accurate' }));
      assert.equal(reviewed.overdue, false);
      expectOk(await content.patch(`/api/learning/lessons/${l1.id}`, { bodyMarkdown: 'New prices for this year.' }));
      const left = expectOk(await owner.get(`/api/learning/freshness?overdue=true&courseId=${c.id}`));
      assert.deepEqual(left.items.map((i: { title: string }) => i.title), ['Fresh Course'], 'editing the content counts as a review');
      const events = await t.app.events.list(t.app.db, { type: 'lesson.reviewed' });
      assert.equal(events[0]!.actorRole, 'content');
      assert.equal(events[0]!.data.note, 'Still accurate');
    });

    it('the overdue list is available to other modules through the public API', async () => {
      const { LearningService } = await import('./index.js');
      assert.ok(t.app.learning instanceof LearningService);
      const overdue = await t.app.learning.freshness.dueItems({ overdueOnly: true });
      assert.ok(overdue.every((i) => i.overdue));
    });
  });
}
