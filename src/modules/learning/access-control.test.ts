import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { buildCourse, expectOk, StudentBrowser, upload } from './test-support.js';

for (const backend of backends()) {
  describe(`lesson, file, video and certificate access on direct URLs [${backend}]`, () => {
    let t: TestApp;
    let dataDir: string;
    let staff: Client;
    let course: Awaited<ReturnType<typeof buildCourse>>;
    let holder: Awaited<ReturnType<typeof StudentBrowser.signIn>>;
    let stranger: Awaited<ReturnType<typeof StudentBrowser.signIn>>;
    const video = randomBytes(40_000);
    const pdf = Buffer.from('%PDF-1.4 workbook for students\n');
    let attachmentId: string;
    let lockedAttachmentId: string;
    const lessonUrl = (i: number) => `/learn/${course.course.slug}/lessons/${course.lessons[i]!.id}`;

    before(async () => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'onehour-learning-'));
      t = await createTestApp(backend, { config: { DATA_DIR: dataDir, UPLOAD_MAX_MB: '0.1' } });
      staff = await setupOwner(t);
      course = await buildCourse(staff, {
        title: 'Paid Course',
        lessons: [
          { title: 'Open lesson', bodyMarkdown: 'SECRET-OPEN-CONTENT' },
          { title: 'Drip lesson', bodyMarkdown: 'SECRET-LOCKED-CONTENT', drip: { kind: 'after_days', days: 14 } },
        ],
      });
      expectOk(await upload(t, staff, 'PUT', `/api/learning/lessons/${course.lessons[0]!.id}/video`, 'intro.mp4', 'video/mp4', video));
      attachmentId = expectOk(await upload(t, staff, 'POST', `/api/learning/lessons/${course.lessons[0]!.id}/attachments`, 'Workbook.pdf', 'application/pdf', pdf), 201).id;
      lockedAttachmentId = expectOk(await upload(t, staff, 'POST', `/api/learning/lessons/${course.lessons[1]!.id}/attachments`, 'later.pdf', 'application/pdf', pdf), 201).id;
      expectOk(await upload(t, staff, 'PUT', `/api/learning/lessons/${course.lessons[1]!.id}/video`, 'later.mp4', 'video/mp4', video));
      holder = await StudentBrowser.signIn(t, 'holder@example.com', 'Hana Holder');
      stranger = await StudentBrowser.signIn(t, 'stranger@example.com', 'Sid Stranger');
      await t.app.database.transaction((tx) =>
        t.app.access.grantInTx(tx, { contactId: holder.contactId, resource: { type: 'course', id: course.course.id }, source: 'purchase', sourceId: 'order-42', actor: { kind: 'system' } }),
      );
    });
    after(async () => {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('a signed-out visitor is sent to sign in for pages and refused for files', async () => {
      const page = await t.server.inject({ method: 'GET', url: lessonUrl(0) });
      assert.equal(page.statusCode, 302);
      assert.match(page.headers.location as string, /^\/account\/sign-in\?next=/);
      for (const url of [`${lessonUrl(0)}/video`, `/learn/${course.course.slug}/files/${attachmentId}`, `/learn/${course.course.slug}/certificate.pdf`]) {
        const res = await t.server.inject({ method: 'GET', url, headers: { range: 'bytes=0-99' } });
        assert.ok([302, 401].includes(res.statusCode), `${url} → ${res.statusCode}`);
        assert.notEqual(res.statusCode, 206);
      }
    });

    it('a student without a grant can read no lesson, attachment, video range or certificate', async () => {
      const lesson = await stranger.get(lessonUrl(0));
      assert.equal(lesson.statusCode, 403);
      assert.doesNotMatch(lesson.body, /SECRET-OPEN-CONTENT/);
      assert.match(lesson.body, /do not have access/);
      const file = await stranger.get(`/learn/${course.course.slug}/files/${attachmentId}`);
      assert.equal(file.statusCode, 403);
      assert.doesNotMatch(file.body, /workbook/);
      const range = await stranger.get(`${lessonUrl(0)}/video`, { range: 'bytes=0-1023' });
      assert.equal(range.statusCode, 403);
      assert.equal(range.headers['content-range'], undefined);
      assert.equal((await stranger.get(`/learn/${course.course.slug}/certificate.pdf`)).statusCode, 404);
      assert.equal((await stranger.get(`/learn/${course.course.slug}`)).statusCode, 403);
      // A file id of this course reached through another course's address is still refused.
      const other = await buildCourse(staff, { title: 'Free Course', lessons: [{ title: 'Free' }] });
      await t.app.database.transaction((tx) => t.app.access.grantInTx(tx, { contactId: stranger.contactId, resource: { type: 'course', id: other.course.id }, source: 'manual', actor: { kind: 'system' } }));
      assert.equal((await stranger.get(`/learn/${other.course.slug}/files/${attachmentId}`)).statusCode, 404);
      assert.equal((await stranger.get(`/learn/${other.course.slug}/lessons/${course.lessons[0]!.id}`)).statusCode, 404);
    });

    it('the holder streams the video with ranges: 206 with the right bytes, 416 outside the file', async () => {
      const page = await holder.get(lessonUrl(0));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /SECRET-OPEN-CONTENT/);
      assert.match(page.body, /<video/);

      const part = await holder.get(`${lessonUrl(0)}/video`, { range: 'bytes=100-1099' });
      assert.equal(part.statusCode, 206);
      assert.equal(part.headers['content-range'], `bytes 100-1099/${video.length}`);
      assert.equal(Number(part.headers['content-length']), 1000);
      assert.ok(part.rawPayload.equals(video.subarray(100, 1100)));

      const tail = await holder.get(`${lessonUrl(0)}/video`, { range: 'bytes=-500' });
      assert.equal(tail.statusCode, 206);
      assert.equal(tail.headers['content-range'], `bytes ${video.length - 500}-${video.length - 1}/${video.length}`);
      assert.ok(tail.rawPayload.equals(video.subarray(video.length - 500)));

      const whole = await holder.get(`${lessonUrl(0)}/video`);
      assert.equal(whole.statusCode, 200);
      assert.equal(whole.headers['accept-ranges'], 'bytes');
      assert.ok(whole.rawPayload.equals(video));

      const bad = await holder.get(`${lessonUrl(0)}/video`, { range: `bytes=${video.length + 10}-${video.length + 20}` });
      assert.equal(bad.statusCode, 416);
      assert.equal(bad.headers['content-range'], `bytes */${video.length}`);

      const file = await holder.get(`/learn/${course.course.slug}/files/${attachmentId}`);
      assert.equal(file.statusCode, 200);
      assert.match(file.headers['content-disposition'] as string, /attachment; filename\*=UTF-8''Workbook\.pdf/);
      assert.ok(file.rawPayload.equals(pdf));
    });

    it('the holder cannot reach a still-locked lesson, its attachment or its video', async () => {
      const lesson = await holder.get(lessonUrl(1));
      assert.equal(lesson.statusCode, 403);
      assert.doesNotMatch(lesson.body, /SECRET-LOCKED-CONTENT/);
      assert.equal((await holder.get(`/learn/${course.course.slug}/files/${lockedAttachmentId}`)).statusCode, 403);
      assert.equal((await holder.get(`${lessonUrl(1)}/video`, { range: 'bytes=0-10' })).statusCode, 403);
    });

    it('a draft course is invisible to students, grant or not', async () => {
      const draft = await buildCourse(staff, { title: 'Unfinished', status: 'draft', lessons: [{ title: 'Draft lesson', bodyMarkdown: 'DRAFT' }] });
      await t.app.database.transaction((tx) => t.app.access.grantInTx(tx, { contactId: holder.contactId, resource: { type: 'course', id: draft.course.id }, source: 'manual', actor: { kind: 'system' } }));
      assert.equal((await holder.get(`/learn/${draft.course.slug}/lessons/${draft.lessons[0]!.id}`)).statusCode, 404);
    });

    it('refunding the purchase ends access at once', async () => {
      await t.app.database.transaction((tx) => t.app.access.revokeInTx(tx, { sourceId: 'order-42' }, { kind: 'system' }, 'refunded'));
      assert.equal((await holder.get(lessonUrl(0))).statusCode, 403);
      assert.equal((await holder.get(`${lessonUrl(0)}/video`, { range: 'bytes=0-10' })).statusCode, 403);
      assert.equal((await holder.get(`/learn/${course.course.slug}/files/${attachmentId}`)).statusCode, 403);
    });

    it('an upload over UPLOAD_MAX_MB is refused with a clear 413 and nothing is kept', async () => {
      const before = (await t.app.learning.getLesson(course.lessons[0]!.id)).attachments.length;
      const res = await upload(t, staff, 'POST', `/api/learning/lessons/${course.lessons[0]!.id}/attachments`, 'huge.zip', 'application/zip', randomBytes(200_000));
      assert.equal(res.statusCode, 413);
      assert.equal(res.json().error.code, 'too_large');
      assert.equal((await t.app.learning.getLesson(course.lessons[0]!.id)).attachments.length, before);
    });

    it('students never reach the staff file and builder API', async () => {
      const res = await holder.get(`/api/learning/files/${attachmentId}`);
      assert.equal(res.statusCode, 401);
    });
  });
}
