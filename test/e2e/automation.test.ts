// The automation journey in a real browser: the owner creates a workflow from the welcome
// template, publishes it, a visitor signs up on a hosted form, and the owner sees the run, its
// timeline and the lead-magnet mail in the outbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { addMember, Client } from '../support/harness.js';

const OWNER = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'correct horse battery staple' };

let t: BrowserTestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  t = await startBrowserTestApp();
  await t.app.jobs.work(t.app);
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  return page;
}

test('create from a template, publish, a form sign-up starts a run, the run and its mail are visible', async () => {
  const owner = await newPage();
  await owner.goto('/admin');
  await owner.waitForURL('**/admin/setup');
  await owner.getByLabel('Your name').fill(OWNER.name);
  await owner.getByLabel('Email').fill(OWNER.email);
  await owner.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await owner.getByLabel('Load the demo business').uncheck();
  await owner.getByRole('button', { name: 'Create the owner account' }).click();
  await owner.getByRole('heading', { level: 1, name: /Olivia$/ }).waitFor();
  // A single opt-in form to sign up through (the forms journey is audience.test.ts's).
  await t.app.audience.forms.create({ slug: 'guide', name: 'Guide', title: 'Get the free guide', consentText: 'Send me the guide and the letters.', doubleOptIn: false }, { kind: 'system' });

  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automations' }).click();
  await owner.getByRole('heading', { level: 1, name: 'Automations' }).waitFor();
  await owner.getByRole('button', { name: 'Use “Welcome + lead magnet”' }).click();
  await owner.getByRole('heading', { level: 1, name: 'Welcome + lead magnet' }).waitFor();
  // The flow shows the template's steps in order; a step opens for editing from the keyboard.
  const first = owner.getByRole('button', { name: /Email: “Here is your free guide/ });
  await first.focus();
  await owner.keyboard.press('Enter');
  assert.equal(await first.getAttribute('aria-expanded'), 'true');
  await owner.getByLabel('Subject').fill('Your guide is here, {{ contact.first_name }}');
  await owner.getByRole('button', { name: 'Publish' }).click();
  await owner.getByText('Live, version 1').waitFor();

  const visitor = await newPage();
  await visitor.goto('/f/guide');
  await visitor.getByLabel('Email address').fill('vera@example.com');
  await visitor.getByRole('button', { name: 'Subscribe' }).click();

  await owner.getByRole('tab', { name: 'Runs' }).click();
  await owner.getByRole('link', { name: 'vera@example.com' }).click({ timeout: 30_000 });
  await owner.getByRole('heading', { level: 1, name: 'Run' }).waitFor();
  await owner.getByRole('list', { name: 'Timeline' }).getByText(/queued "Your guide is here/).waitFor({ timeout: 30_000 });
  await owner.getByText('Waiting').first().waitFor();

  await owner.goto('/admin/outbox');
  await owner.getByText('Your guide is here').first().waitFor({ timeout: 30_000 });
});

test("marketing, who edits workflows but not tasks, picks the product a task step is about and publishes", async () => {
  // The owner exists (the test above); marketing joins, and there is a product to be about.
  const api = new Client(t.server);
  await api.login(OWNER.email, OWNER.password);
  await addMember(t, api, 'marketing');
  const product = await api.post('/api/products', { slug: 'glaze-kit', kind: 'download', name: 'Glaze recipe kit' });
  assert.equal(product.statusCode, 201, product.body);
  const created = await api.post('/api/automations', { name: 'Kit follow-up', definition: { triggers: [{ type: 'manual' }], start: 'task-1', steps: [{ id: 'task-1', kind: 'task', role: 'support', title: 'Call {{ contact.email }}', subject: 'contact', next: null }] } });
  assert.equal(created.statusCode, 201, created.body);

  const page = await newPage();
  await page.goto('/admin/sign-in');
  await page.getByLabel('Email').fill('marketing@example.com');
  await page.getByLabel('Password', { exact: true }).fill('marketing password 123');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automations' }).click();
  await page.getByRole('link', { name: 'Kit follow-up' }).click();
  await page.getByRole('button', { name: 'Create a task for support about the contact' }).click();
  await page.getByLabel('About').selectOption({ label: 'A course, blog post or product' });
  await page.getByLabel('Find a course, post or product').fill('glaz');
  await page.getByRole('button', { name: 'Product: Glaze recipe kit' }).click();
  await page.getByRole('button', { name: 'Create a task for support about product “Glaze recipe kit”' }).waitFor();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Live, version 1').waitFor();

  const published = (await api.get(`/api/automations/${created.json().id}`)).json();
  assert.deepEqual(published.definition.steps[0].subject, { type: 'product', id: product.json().id, label: 'Glaze recipe kit' });
  assert.deepEqual(published.problems, []);
});
