// Admin journey for courses: the owner builds a course in the admin (module, lesson with
// Markdown preview and a drip schedule), publishes it, enrolls a student with a reason and
// sees them on the Students tab.
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

  await page.getByLabel('Lesson text (Markdown)').fill('Put **everything** in one box.<script>alert(1)</script>');
  await page.getByRole('button', { name: 'Preview text' }).click();
  await page.locator('.lesson-preview strong').waitFor();
  assert.equal(await page.locator('.lesson-preview script').count(), 0, 'the preview is sanitised');
  await page.getByLabel('Opens').selectOption('after_days');
  await page.getByLabel('Days after enrollment').fill('2');
  await page.getByRole('button', { name: 'Save lesson' }).click();
  await page.getByText('Saved. Students see the new version now.').waitFor();

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
