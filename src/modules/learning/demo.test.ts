import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type Client } from '../../../test/support/harness.js';
import { createDemoTestApp, type DemoTestApp } from '../../../test/support/demo-snapshot.js';
import { expectOk, StudentBrowser } from './test-support.js';

for (const backend of backends()) {
  describe(`learning demo data [${backend}]`, () => {
    let t: DemoTestApp;
    let owner: Client;
    before(async () => {
      t = await createDemoTestApp(backend);
      owner = t.owner;
    });
    after(() => t.close());

    it('has courses with a year of students: enrollments, a drop-off funnel, quiz results and certificates', async () => {
      const { courses } = expectOk(await owner.get('/api/learning/courses'));
      assert.deepEqual(courses.map((c: { title: string }) => c.title), ['Email List Foundations', 'Launch Your First Online Course', 'Pricing for Creators']);
      const course = courses.find((c: { slug: string }) => c.slug === 'email-list-foundations');
      const stats = expectOk(await owner.get(`/api/learning/courses/${course.id}/stats`));
      assert.ok(stats.totals.enrolled >= 10, `enrolled ${stats.totals.enrolled}`);
      assert.ok(stats.enrollments.length >= 6, 'enrollments spread over many months');
      const completed = stats.funnel.map((f: { completed: number }) => f.completed);
      assert.ok(completed[0] > completed[completed.length - 1], `students drop off along the way: ${completed}`);
      assert.ok(stats.quizzes.every((q: { attempts: number }) => q.attempts > 0));
      assert.ok(stats.totals.certificates > 0);
    });

    it('shows content overdue for review, and a demo student can open their course', async () => {
      const fresh = expectOk(await owner.get('/api/learning/freshness?overdue=true'));
      assert.ok(fresh.items.some((i: { title: string }) => i.title === 'Choosing your lead magnet'));
      const { courses } = expectOk(await owner.get('/api/learning/courses'));
      const { enrollments } = expectOk(await owner.get(`/api/learning/courses/${courses[0].id}/enrollments`));
      const student = await StudentBrowser.signIn(t, enrollments[0].email);
      const page = await student.get(`/learn/${courses[0].slug}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /% complete/);
    });
  });
}
