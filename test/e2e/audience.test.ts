// The audience journey in a real browser: the owner makes a list and a double opt-in form in
// the admin; a visitor signs up on the hosted page and confirms from the emailed link; the
// owner finds them with their consent evidence, imports a CSV with a bad row and reads the
// report, builds a segment with a live count; the subscriber leaves one list on their
// preference page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';

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

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function unlabelledInputs(page: Page): Promise<string[]> {
  return page.locator('main input:not([type=hidden]), main select, main textarea').evaluateAll((els) =>
    els.filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))).map((el) => el.outerHTML.slice(0, 120)),
  );
}

test('list, double opt-in form, sign-up and confirmation, consent evidence, CSV import, segment, preferences', async () => {
  const owner = await newPage();
  await owner.goto('/admin');
  await owner.waitForURL('**/admin/setup');
  await owner.getByLabel('Your name').fill(OWNER.name);
  await owner.getByLabel('Email').fill(OWNER.email);
  await owner.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await owner.getByLabel('Load the demo business').uncheck();
  await owner.getByRole('button', { name: 'Create the owner account' }).click();
  await heading(owner, /Olivia$/);

  // A list.
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts', exact: true }).click();
  await heading(owner, 'Contacts');
  await owner.getByRole('navigation', { name: 'Contacts' }).getByRole('link', { name: 'Lists & tags' }).click();
  await heading(owner, 'Lists & tags');
  await owner.getByLabel('New list').fill('Weekly letter');
  await owner.getByLabel('Description').fill('Every Friday');
  await owner.getByRole('button', { name: 'Create list' }).click();
  await owner.getByRole('region', { name: 'Lists', exact: true }).getByText('Weekly letter', { exact: true }).first().waitFor();

  // A double opt-in form joining it.
  await owner.getByRole('navigation', { name: 'Contacts' }).getByRole('link', { name: 'Forms' }).click();
  await owner.getByRole('link', { name: 'New form' }).click();
  await heading(owner, 'New form');
  assert.deepEqual(await unlabelledInputs(owner), [], 'every field of the form editor has a label');
  await owner.getByLabel('Name (for you)').fill('Newsletter');
  await owner.getByLabel('Address').fill('weekly');
  await owner.getByLabel('Heading').fill('Get the Weekly letter');
  await owner.getByLabel('Introduction').fill('<p>One idea every <strong>Friday</strong>.</p>');
  await owner.getByLabel('Consent text').fill('I want the Weekly letter. I can unsubscribe at any time.');
  await owner.getByLabel('Weekly letter').check();
  assert.equal(await owner.getByLabel('Double opt-in').isChecked(), true);
  await owner.getByRole('button', { name: 'Create form' }).click();
  await heading(owner, 'Newsletter');
  const pageUrl = await owner.getByLabel('Page address').inputValue();
  assert.equal(pageUrl, `${t.baseUrl}/f/weekly`);
  assert.match(await owner.getByLabel('Embeddable HTML').inputValue(), /action="http:\/\/127\.0\.0\.1:\d+\/f\/weekly\/embed"/);

  // A visitor signs up, in a browser of their own.
  const visitor = await newPage();
  await visitor.goto('/f/weekly');
  await heading(visitor, 'Get the Weekly letter');
  await visitor.getByLabel(/Your name/).fill('Vera Visitor');
  await visitor.getByLabel('Email address').fill('vera@example.com');
  await visitor.getByRole('button', { name: 'Subscribe' }).click();
  await heading(visitor, 'Check your inbox');
  const [mail] = await t.app.mail.listOutbox({ to: 'vera@example.com' });
  const full = await t.app.mail.getMessage(mail!.id);
  const confirmLink = /(http\S+\/f\/confirm\?token=\S+)/.exec(full.text)![1]!;
  await visitor.goto(confirmLink);
  await heading(visitor, 'Confirm your subscription');
  await visitor.getByRole('button', { name: 'Yes, subscribe me' }).click();
  await heading(visitor, 'Subscription confirmed');

  // The owner finds her, subscribed, with the evidence.
  await owner.getByRole('navigation', { name: 'Contacts' }).getByRole('link', { name: 'Contacts', exact: true }).click();
  await owner.getByLabel('Search').fill('vera');
  await owner.getByRole('button', { name: 'Search' }).click();
  await owner.getByRole('link', { name: 'vera@example.com' }).click();
  await heading(owner, 'Vera Visitor');
  await owner.getByText('Subscribed', { exact: true }).first().waitFor();
  const evidence = owner.getByRole('region', { name: 'Consent evidence' });
  await evidence.getByText('Confirmed their address').waitFor();
  await evidence.getByText('Signed up through a form').waitFor();
  assert.equal(await evidence.getByText('I want the Weekly letter. I can unsubscribe at any time.').count(), 2);

  // Import a CSV with a bad row.
  await owner.getByRole('navigation', { name: 'Contacts' }).getByRole('link', { name: 'Import' }).click();
  await heading(owner, 'Import contacts');
  await owner.getByLabel('CSV file').setInputFiles({
    name: 'old-list.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('Email Address,First Name,Last Name\r\nada@example.com,Ada,Lovelace\r\nnot an email,Bad,Row\r\ngrace@example.com,Grace,Hopper\r\n'),
  });
  await heading(owner, 'old-list.csv');
  assert.equal(await owner.getByLabel('Email Address', { exact: true }).inputValue(), 'email');
  assert.deepEqual(await unlabelledInputs(owner), [], 'every field of the import page has a label');
  await owner.getByRole('region', { name: '2. What to do with them' }).getByLabel('Weekly letter').check();
  await owner.getByLabel('How did these people agree to hear from you?').fill('They subscribed on my old blog');
  await owner.getByRole('button', { name: 'Start the import' }).click();
  await owner.getByText('Done', { exact: true }).waitFor({ timeout: 30_000 });
  await owner.getByText(/Every row is accounted for: 2 \+ 0 \+ 0 \+ 1 = 3 rows in the file/).waitFor();
  await owner.getByRole('cell', { name: /Failed "not an email" is not a valid email address/ }).waitFor();
  assert.match((await owner.getByRole('link', { name: 'Download the full report (CSV)' }).getAttribute('href'))!, /\/report\.csv$/);

  // A segment with a live count.
  await owner.getByRole('navigation', { name: 'Contacts' }).getByRole('link', { name: 'Segments' }).click();
  await owner.getByRole('link', { name: 'New segment' }).click();
  await heading(owner, 'New segment');
  await owner.getByLabel('Name', { exact: true }).fill('Weekly readers');
  await owner.getByLabel('Add a rule').selectOption('list');
  await owner.getByRole('button', { name: 'Add', exact: true }).click();
  const preview = owner.getByRole('complementary', { name: 'Who this selects' });
  await preview.locator('.big-number', { hasText: /^3$/ }).waitFor();
  assert.deepEqual(await unlabelledInputs(owner), [], 'every control of the segment editor has a label');
  await owner.getByRole('button', { name: 'Create segment' }).click();
  await heading(owner, 'Weekly readers');

  // Vera leaves the list from her preference page.
  const vera = (await t.app.audience.findByEmail(t.app.db, 'vera@example.com'))!;
  await visitor.goto(`/email/preferences?token=${t.app.signer.sign('preferences', vera.id, null)}`);
  await heading(visitor, 'Email preferences');
  await visitor.getByLabel(/Weekly letter/).uncheck();
  await visitor.getByRole('button', { name: 'Save my choices' }).click();
  await visitor.getByText('Your choices are saved.').waitFor();
  assert.equal(await visitor.getByLabel(/Weekly letter/).isChecked(), false);
  const detail = await t.app.audience.contactDetail(vera.id);
  assert.equal(detail.lists[0]!.status, 'unsubscribed');
});
