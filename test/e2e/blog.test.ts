// The blog's journey: the content assistant writes a post in the admin (the lessons' rich-text
// editor) and publishes it, which under the default policy sends it to the owner; the owner
// approves it on the post; it appears on the blog, in the sitemap and in the feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { addMember, Client, OWNER } from '../support/harness.js';

let t: BrowserTestApp;
let browser: Browser;
before(async () => {
  t = await startBrowserTestApp();
  browser = await launchChromium();
  await t.app.team.createOwner(OWNER);
  const owner = new Client(t.server);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).statusCode, 200);
  await addMember(t, owner, 'content');
});
after(async () => {
  await browser?.close();
  await t?.close();
});

async function signedIn(email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  await page.goto('/admin/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

test('the content assistant writes and submits a post, the owner approves, it is on the blog, in the sitemap and in the feed', async () => {
  const writer = await signedIn('content@example.com', 'content password 123');
  await writer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Blog', exact: true }).click();
  await writer.getByRole('heading', { level: 1, name: 'Blog' }).waitFor();
  await writer.getByText('No posts yet').waitFor();
  await writer.getByText('Your posts go to the owner for approval before they are published.').waitFor();
  await writer.getByLabel('New post titled').fill('Five glazes for a first firing');
  await writer.getByRole('button', { name: 'Start writing' }).click();
  await writer.getByRole('heading', { level: 1, name: 'Five glazes for a first firing' }).waitFor();

  await writer.getByLabel('Excerpt').fill('The five glazes we give every new student, and why they forgive mistakes.');
  const body = writer.getByRole('textbox', { name: 'Body' });
  await body.click();
  await writer.keyboard.type('Start with a clear glaze. It shows you what your clay does.');
  await writer.getByLabel('Tags (comma separated)').fill('glazes, beginners');
  await writer.getByRole('button', { name: 'Save draft' }).click();
  await writer.getByText('Draft saved.').waitFor();
  // The preview renders the draft through the public page's components.
  await writer.frameLocator('iframe[title="Preview of the post"]').getByText('Start with a clear glaze.').waitFor();
  await writer.getByRole('button', { name: 'Publish' }).click();
  await writer.getByText('Sent to the owner for approval.').waitFor();
  await writer.getByText('Waiting for approval').first().waitFor();
  assert.equal((await t.server.inject({ method: 'GET', url: '/blog/five-glazes-for-a-first-firing' })).statusCode, 404, 'not public before the owner decides');

  const owner = await signedIn(OWNER.email, OWNER.password);
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Blog', exact: true }).click();
  await owner.getByRole('button', { name: 'Waiting for approval' }).click();
  await owner.getByRole('link', { name: 'Five glazes for a first firing' }).click();
  await owner.getByRole('heading', { name: 'This post waits for your approval' }).waitFor();
  await owner.getByRole('button', { name: 'Approve and publish' }).click();
  await owner.getByText('Approved.').waitFor();
  await owner.getByText('Published', { exact: true }).first().waitFor();

  await owner.goto('/blog');
  await owner.getByRole('link', { name: 'Five glazes for a first firing' }).click();
  await owner.getByRole('heading', { level: 1, name: 'Five glazes for a first firing' }).waitFor();
  await owner.getByText('Start with a clear glaze. It shows you what your clay does.').waitFor();
  const sitemap = await owner.request.get('/sitemap-posts.xml');
  assert.match(await sitemap.text(), new RegExp(`<loc>${t.baseUrl}/blog/five-glazes-for-a-first-firing</loc>`));
  const feed = await owner.request.get('/feed.xml');
  assert.match(await feed.text(), /<title>Five glazes for a first firing<\/title>/);
  const events = await t.app.database.execute<{ type: string; who: string }>(`select type, coalesce(actor_role, actor_kind) as who from events where subject_type = 'post' order by id`);
  assert.deepEqual(events.rows.map((e) => `${e.type}:${e.who}`).filter((e) => !e.startsWith('post.updated')), ['post.created:content', 'post.submitted:content', 'post.published:owner']);
});
