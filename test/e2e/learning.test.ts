// Browser journey: a student signs in by magic link, opens their course, completes a lesson,
// reloads and resumes, passes a quiz and downloads a certificate that really renders.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { testSettings } from '../../src/config.js';
import { backends, createTestApp, waitFor, type TestApp } from '../support/harness.js';
import { mailAsDelivered } from '../../src/modules/mail/test-helpers.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

for (const backend of backends()) {
  describe(`student journey in a browser [${backend}]`, () => {
    let t: TestApp;
    let browser: Browser;
    let base: string;
    let work: string;
    let slug: string;

    before(async () => {
      work = mkdtempSync(path.join(os.tmpdir(), 'onehour-e2e-learning-'));
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      t = await createTestApp(backend, { config: { PUBLIC_URL: base, DATA_DIR: work } });
      await t.server.listen({ host: '127.0.0.1', port });
      const actor = { kind: 'system' as const };
      const course = await t.app.learning.createCourse({ title: 'Calm Inbox Method', summary: 'Tame your email in a week.', status: 'published' }, actor);
      slug = course.slug;
      const mod = await t.app.learning.addModule(course.id, 'Week one', actor);
      await t.app.learning.addLesson(mod.id, { title: 'Inbox zero, gently', bodyMarkdown: 'Start by **archiving** everything older than a month.' }, actor);
      const quizLesson = await t.app.learning.addLesson(mod.id, { title: 'Check your understanding', bodyMarkdown: 'Three quick questions.' }, actor);
      await t.app.learning.setQuiz(
        quizLesson.id,
        {
          passPercent: 100,
          maxAttempts: null,
          questions: [
            { prompt: 'What do you do with old mail first?', kind: 'single', options: [{ text: 'Archive it', correct: true }, { text: 'Read every one', correct: false }] },
            { prompt: 'Which habits help?', kind: 'multiple', options: [{ text: 'Batch replies', correct: true }, { text: 'Filters', correct: true }, { text: 'Checking every minute', correct: false }] },
          ],
        },
        actor,
      );
      await t.app.learning.enrolments.enroll(course.id, { email: 'riley@example.com', name: 'Riley Reader', reason: 'journey test' }, actor);
      browser = await chromium.launch({ executablePath: testSettings().chromiumPath, args: CHROMIUM_ARGS });
    });
    after(async () => {
      await browser?.close();
      await t?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it('signs in by magic link, learns, resumes, passes the quiz and gets a certificate that renders', async () => {
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();

      await page.goto(`${base}/account/sign-in`);
      await page.getByLabel('Email address').fill('riley@example.com');
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.getByText('sign-in link is on its way').waitFor();
      // The sign-in request is looked up and mailed by a job (portal.sign-in-request, covered by
      // its own test); no workers run here, so do its work. The student's own copy carries the link.
      await t.app.portal.requestSignIn('riley@example.com');
      const mail = await waitFor(async () => (await t.app.mail.listOutbox({ to: 'riley@example.com' }))[0], { what: 'the sign-in mail' });
      const text = (await mailAsDelivered(t.app, mail.id)).text;
      const link = /(http\S+\/account\/magic\?token=[\w-]+)/.exec(text)![1]!;
      assert.ok(link.startsWith(base));
      await page.goto(link);
      await page.getByRole('button', { name: 'Continue to my account' }).click();
      await page.getByRole('heading', { name: 'Your courses' }).waitFor();

      await page.getByRole('link', { name: 'Calm Inbox Method' }).click();
      await page.getByRole('link', { name: /Start: Inbox zero, gently/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Inbox zero, gently' }).waitFor();
      assert.equal(await page.locator('.lesson-body strong').textContent(), 'archiving');

      await page.getByRole('button', { name: /Mark as complete/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Check your understanding' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Check your understanding' }).waitFor();
      await page.goto(`${base}/learn/${slug}`);
      assert.match((await page.locator('.progress span').textContent()) ?? '', /50% complete/);
      await page.getByRole('link', { name: /Resume: Check your understanding/ }).click();

      // A wrong answer first: the page says so and lets the student try again.
      await page.getByLabel('Read every one').check();
      await page.getByLabel('Batch replies').check();
      await page.getByRole('button', { name: 'Submit answers' }).click();
      await page.getByText(/You scored 0%/).waitFor();
      await page.getByLabel('Archive it').check();
      await page.getByLabel('Batch replies').check();
      await page.getByLabel('Filters').check();
      await page.getByRole('button', { name: 'Submit answers' }).click();
      await page.getByText(/you completed the course/i).first().waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download your certificate/ }).click()]);
      const pdfPath = path.join(work, 'certificate.pdf');
      await download.saveAs(pdfPath);
      assert.equal(readFileSync(pdfPath).subarray(0, 5).toString(), '%PDF-');
      // The PDF must render, not just exist: poppler draws it and reads its text back.
      execFileSync('pdftoppm', ['-png', '-r', '50', '-singlefile', pdfPath, path.join(work, 'certificate')]);
      const png = path.join(work, 'certificate.png');
      assert.ok(existsSync(png) && statSync(png).size > 5_000, 'the certificate rendered to an image');
      const pdfText = execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' });
      assert.match(pdfText, /Riley Reader/);
      assert.match(pdfText, /Calm Inbox Method/);
      const verifyUrl = /Verify at (\S+)/.exec(pdfText)![1]!;
      await page.goto(verifyUrl);
      await page.getByText('This certificate is valid.').waitFor();
      await context.close();
    });
  });
}
