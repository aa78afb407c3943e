// The broadcast journey in a real browser: open a draft, see the personalised preview at
// desktop and phone widths, send a test, send it, and follow the report to "Sent" with its
// numbers; then the mail settings page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { POSTAL, seedAudience } from '../../src/modules/mail/test-helpers.js';
import { addMember, Client } from '../support/harness.js';

const OWNER = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'correct horse battery staple' };
let t: BrowserTestApp;
let browser: Browser;

before(async () => {
  t = await startBrowserTestApp();
  await t.app.jobs.work(t.app);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await t?.close();
});

test('owner writes, previews, tests and sends a broadcast, then reads its report', async () => {
  const context = await browser.newContext({ baseURL: t.baseUrl });
  const page: Page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());

  await page.goto('/admin');
  await page.waitForURL('**/admin/setup');
  await page.getByLabel('Your name').fill(OWNER.name);
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByLabel('Load the demo business').uncheck();
  await page.getByRole('button', { name: 'Create the owner account' }).click();
  await page.getByRole('heading', { level: 1, name: /^Good (morning|afternoon|evening), Olivia$/ }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Broadcasts', exact: true }).waitFor();

  await t.app.mail.updateSettings({ postalAddress: POSTAL });
  const { listId } = await seedAudience(t.app, 12, { domain: 'journey.test' });
  const draft = await t.app.mail.broadcasts.create({ name: 'Spring news', subject: 'Hello {{ contact.first_name | default: "friend" }}', body: 'Our **spring** course is out. [See it](https://shop.example/spring)', listId }, { kind: 'owner', id: 'x' });

  await page.goto('/admin/broadcasts');
  await page.getByRole('heading', { level: 1, name: 'Broadcasts' }).waitFor();
  await page.getByRole('link', { name: 'Spring news' }).click();
  await page.getByRole('heading', { level: 1, name: 'Spring news' }).waitFor();

  // The preview renders the message as a sample person gets it, footer and all.
  const frame = page.frameLocator('iframe[title="Preview of the email"]');
  await frame.getByText('spring', { exact: true }).waitFor();
  await frame.getByText('12 Example Street', { exact: false }).waitFor();
  await page.getByRole('button', { name: 'Phone' }).click();
  const width = await page.locator('iframe[title="Preview of the email"]').evaluate((el) => el.getBoundingClientRect().width);
  assert.ok(width <= 376, `phone preview is narrow (${width}px)`);

  // Editing the subject updates the draft; a test goes to the outbox.
  await page.getByLabel('Subject').fill('Spring is here, {{ contact.first_name | default: "friend" }}');
  await page.getByLabel('Send a test to').fill('me@owner.test');
  await page.getByRole('button', { name: 'Send test' }).click();
  await page.getByText(/Test sent to me@owner.test/).waitFor();

  await page.getByRole('button', { name: 'Send now' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Send now' }).click();
  // The report follows the sending to the end.
  await page.getByText('Sent', { exact: true }).first().waitFor({ timeout: 30_000 });
  await page.getByRole('heading', { name: 'Clicks per link' }).waitFor();
  await page.getByText('https://shop.example/spring').waitFor();
  // No SMTP server in this run: the report says where the mail is, never that it was delivered.
  await page.getByText('Kept in the outbox', { exact: true }).waitFor();
  await page.getByText(/kept in the outbox, not delivered to anyone/).waitFor();
  assert.equal(await page.getByText('Delivered', { exact: true }).count(), 0);
  const stats = await t.app.mail.broadcasts.stats(draft.id);
  assert.equal(stats.sent, 12);
  const mails = await t.app.mail.listOutbox({ to: 'journey.test', stream: 'broadcast' });
  assert.equal(mails.length, 12);
  assert.ok(mails.every((m) => m.subject.startsWith('Spring is here')), 'the edited subject went out');

  await page.getByRole('link', { name: 'All broadcasts' }).click();
  await page.getByRole('link', { name: 'Mail settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mail settings' }).waitFor();
  assert.match(await page.getByLabel('Postal address').inputValue(), /12 Example Street/);
  await page.getByRole('heading', { name: 'Suppression list' }).waitFor();
  await context.close();
});

test('a marketing assistant sees, before the click, that a send above the limit asks the owner, and asks', async () => {
  const owner = new Client(t.server);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).statusCode, 200);
  assert.equal((await owner.request('PUT', '/api/mail/send-limits', { maxRecipients: 5, maxPerWeek: 3 })).statusCode, 200);
  const marketing = await addMember(t, owner, 'marketing');
  const { listId: few } = await seedAudience(t.app, 3, { domain: 'few.test', listName: 'Few' });
  const { listId: many } = await seedAudience(t.app, 8, { domain: 'many.test', listName: 'Many' });
  const created = await marketing.post('/api/broadcasts', { name: 'Autumn offer', subject: 'Autumn', body: 'Hello', listId: few });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id as string;

  const context = await browser.newContext({ baseURL: t.baseUrl });
  const page: Page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  await page.goto('/admin/sign-in');
  await page.getByLabel('Email').fill('marketing@example.com');
  await page.getByLabel('Password', { exact: true }).fill('marketing password 123');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();

  await page.goto(`/admin/broadcasts/${id}`);
  await page.getByRole('heading', { level: 1, name: 'Autumn offer' }).waitFor();
  // Within the limit: the reach and the limit, and an ordinary send button.
  await page.getByText(/It reaches 3 people now/).waitFor();
  await page.getByText(/Your send limit: 5 people a send, 3 sends in 7 days \(0 so far\)/).waitFor();
  await page.getByRole('button', { name: 'Send now' }).waitFor();
  // Choosing the bigger list (not yet saved) turns it into a request to the owner.
  await page.getByLabel('Audience').selectOption({ label: 'List: Many' });
  await page.getByText(/It reaches 8 people now.*Above your send limit: 8 recipients, above the marketing limit of 5 per send/).waitFor();
  await page.getByRole('button', { name: 'Ask the owner to send' }).click();
  await page.getByRole('dialog').getByText(/Nothing goes out until the owner approves it/).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Ask the owner' }).click();
  await page.getByText(/Sent to the owner for approval/).waitFor();
  await page.getByText(/This draft waits for the owner’s approval/).waitFor();

  const b = (await owner.get(`/api/broadcasts/${id}`)).json();
  assert.deepEqual([b.status, b.listId], ['draft', many], 'nothing sent; the chosen audience was saved with the request');
  const pending = await t.app.approvals.list(t.app.db, { status: 'pending', kind: 'mail.broadcast_send', subject: { type: 'broadcast', id } });
  assert.equal(pending.length, 1);
  assert.equal((await t.app.mail.listOutbox({ to: 'many.test', stream: 'broadcast' })).length, 0);

  // The settings page shows the marketing role the limit, read-only.
  await page.goto('/admin/broadcasts/settings');
  await page.getByRole('heading', { level: 2, name: 'Marketing send limit' }).waitFor();
  await page.getByText(/Up to 5 people a send and 3 sends in any 7 days/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save the limit' }).count(), 0);
  await context.close();
});
