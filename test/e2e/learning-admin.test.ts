// Admin journey for courses: the owner builds a course in the admin (module, lesson written in
// the rich-text editor with a preview, a video link with its player, a quiz edited as questions
// and answers, a drip schedule), publishes it, enrolls a student with a reason and sees them on
// the Students tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { OWNER } from '../support/harness.js';

let t: BrowserTestApp;
let browser: Browser;
before(async () => {
  t = await startBrowserTestApp();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

test('owner builds, previews and publishes a course, and enrolls a student', async () => {
  const page = await (await browser.newContext({ baseURL: t.baseUrl })).newPage();
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  await page.goto('/admin');
  await page.waitForURL('**/admin/setup');
  await page.getByLabel('Your name').fill(OWNER.name);
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByLabel('Load the demo business').uncheck();
  await page.getByRole('button', { name: 'Create the owner account' }).click();
  await page.getByRole('heading', { level: 1, name: /^Good (morning|afternoon|evening)/ }).waitFor();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Courses', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Courses' }).waitFor();
  await page.getByLabel('Title').fill('Focus in Five Days');
  await page.getByRole('button', { name: 'Create course' }).click();
  await page.getByRole('link', { name: 'Focus in Five Days' }).click();
  await page.getByRole('heading', { level: 1, name: 'Focus in Five Days' }).waitFor();

  await page.getByLabel('Module title').fill('Day one');
  await page.getByRole('button', { name: 'Add module' }).click();
  await page.getByRole('heading', { level: 2, name: 'Day one' }).waitFor();
  await page.getByLabel('New lesson in Day one').fill('Clear your desk');
  await page.getByRole('button', { name: 'Add lesson to Day one' }).click();
  await page.getByRole('link', { name: 'Clear your desk' }).click();
  await page.getByRole('heading', { level: 1, name: 'Clear your desk' }).waitFor();

  const body = page.getByRole('textbox', { name: 'Lesson text' });
  await body.click();
  await page.keyboard.type('Put ');
  // A toolbar button hands the focus back to the editor after its click: type only once it has
  // (keys pressed before that are lost, as a fast typist would not notice but a test does).
  const bold = page.getByRole('button', { name: 'Bold' });
  const typingInEditor = () => page.waitForFunction(() => document.activeElement?.classList.contains('rich-text-content') ?? false);
  await bold.click();
  await page.locator('.rich-text-toolbar button[aria-pressed="true"]', { hasText: 'Bold' }).waitFor();
  await typingInEditor();
  await page.keyboard.type('everything');
  await bold.click();
  await page.locator('.rich-text-toolbar button[aria-pressed="false"]', { hasText: 'Bold' }).waitFor();
  await typingInEditor();
  await page.keyboard.type(' in one box.<script>alert(1)</script>');
  await body.getByText('in one box.<script>alert(1)</script>').waitFor();
  await page.getByRole('button', { name: 'Preview text' }).click();
  await page.locator('.lesson-preview strong', { hasText: 'everything' }).waitFor();
  assert.equal(await page.locator('.lesson-preview script').count(), 0, 'the preview is sanitised');
  await page.getByLabel('Video link').fill('https://videos.example.com/desk.mp4');
  await page.getByLabel('Opens').selectOption('after_days');
  await page.getByLabel('Days after enrollment').fill('2');
  await page.getByRole('button', { name: 'Save lesson' }).click();
  await page.getByText('Saved. Students see the new version now.').waitFor();
  assert.equal(await page.getByLabel('Preview of the linked video').getAttribute('src'), 'https://videos.example.com/desk.mp4');

  await page.getByRole('button', { name: 'Add a question' }).click();
  await page.getByLabel('Question 1', { exact: true }).fill('Where does everything go?');
  await page.getByLabel('Answer 1 to question 1', { exact: true }).fill('In one box');
  await page.getByLabel('Answer 2 to question 1', { exact: true }).fill('On the floor');
  await page.getByRole('button', { name: 'Save quiz' }).click();
  await page.getByText('Quiz saved.').waitFor();
  const saved = await t.app.learning.getCourseTree((await t.app.learning.listCourses())[0]!.id);
  const lesson = saved.modules[0]!.lessons[0]!;
  assert.match(lesson.bodyHtml, /Put <strong>everything<\/strong> in one box\./);
  assert.deepEqual(lesson.quiz?.questions.map((q) => [q.prompt, q.kind, q.options.map((o) => [o.text, o.correct])]), [['Where does everything go?', 'single', [['In one box', true], ['On the floor', false]]]]);

  await page.getByRole('link', { name: 'Back to the course' }).click();
  await page.getByText('Opens 2 days after enrollment').waitFor();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText(/Published: students with access/).waitFor();

  await page.getByRole('button', { name: 'Students' }).click();
  await page.getByLabel('Email').fill('pat@example.com');
  await page.getByLabel('Reason').fill('podcast giveaway winner');
  await page.getByRole('button', { name: 'Enroll' }).click();
  await page.getByText('pat@example.com is enrolled.').waitFor();
  await page.getByRole('cell', { name: /pat@example.com/ }).first().waitFor();
  const granted = await t.app.events.list(t.app.db, { type: 'access.granted' });
  assert.equal(granted[0]!.data.reason, 'podcast giveaway winner');
  assert.equal(granted[0]!.actorKind, 'owner');
});
