// The owner's selling admin in a real browser, on the demo business: create a download
// product with a price and a file, publish it, write its sales page in the block editor
// (the live preview follows each keystroke), publish the page, make a coupon, find an order
// and refund part of it, and open a customer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { openDemoTestDatabase } from '../support/demo-snapshot.js';
import { OWNER } from '../support/harness.js';

let t: BrowserTestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-e2e-admin-'));

before(async () => {
  // A copy of the demo business (loading it is the setup journey's and the demo tests' to show).
  t = await startBrowserTestApp({ config: { FILES_DIR: filesDir }, database: await openDemoTestDatabase('pglite') });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  await page.goto('/admin/sign-in');
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

test('the owner sells a new download: product, price, file, sales page with live preview, coupon', async () => {
  const page = await signedIn();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Products', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
  await page.getByRole('link', { name: 'Launch Your First Online Course' }).waitFor();

  await page.getByLabel('Name', { exact: true }).fill('Glaze Workshop Recording');
  await page.getByLabel('Kind').selectOption('download');
  assert.equal(await page.getByLabel('Address').inputValue(), 'glaze-workshop-recording');
  await page.getByLabel('Summary').fill('Two hours on glazes, recorded live.');
  await page.getByRole('button', { name: 'Create product' }).click();
  await page.getByRole('heading', { level: 1, name: 'Glaze Workshop Recording' }).waitFor();

  // Publishing without a price is refused with the reason.
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Add at least one active price before publishing').waitFor();

  await page.getByLabel(/^Amount/).fill('29');
  await page.getByRole('button', { name: 'Add price' }).click();
  await page.getByRole('region', { name: 'Prices' }).getByText('$29', { exact: true }).first().waitFor();
  // The refusal was about the product without a price: once it has one, the message goes.
  await page.getByText('Add at least one active price before publishing').waitFor({ state: 'detached' });
  await page.getByLabel('Upload files').setInputFiles({ name: 'glaze-workshop.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 workshop') });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('region', { name: 'Files' }).getByText('glaze-workshop.pdf', { exact: true }).first().waitFor();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published: it is in the store and on sale.').waitFor();
  const store = await (await page.request.get('/')).text();
  assert.match(store, /Glaze Workshop Recording/);

  // The sales page, in the block editor.
  await page.getByRole('button', { name: 'Write a sales page' }).click();
  await page.getByRole('heading', { level: 2, name: 'Blocks' }).waitFor();
  const preview = page.frameLocator('iframe[title="Preview of the page"]');
  await preview.getByRole('heading', { level: 1, name: 'Glaze Workshop Recording' }).waitFor();
  const headline = page.getByLabel('Headline');
  await headline.fill('Glazes that never crawl');
  await preview.getByRole('heading', { level: 1, name: 'Glazes that never crawl' }).waitFor();
  await page.getByLabel('Add a block').selectOption('guarantee');
  await page.getByRole('button', { name: 'Add block' }).click();
  await preview.getByText('30-day money-back guarantee').waitFor();
  // An opt-in block embeds one of the business's forms, picked from a list; until one is picked the editor says so.
  await page.getByLabel('Add a block').selectOption('optin');
  await page.getByRole('button', { name: 'Add block' }).click();
  await page.getByText('An opt-in block on this page has no live form').waitFor();
  await preview.getByText('This sign-up form is no longer available').waitFor();
  await page.getByLabel('Form', { exact: true }).selectOption({ label: 'Pricing guide (lead magnet) (/f/pricing-guide)' });
  await preview.getByRole('button', { name: 'Get the free guide' }).waitFor();
  await preview.getByLabel('What best describes you?').waitFor();
  assert.equal(await page.getByText('An opt-in block on this page has no live form').count(), 0);
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText('Published: visitors see it now.').waitFor();
  const live = await (await page.request.get('/p/glaze-workshop-recording')).text();
  assert.match(live, /Glazes that never crawl/);
  assert.match(live, /30-day money-back guarantee/);
  assert.match(live, /<form[^>]* action="\/f\/pricing-guide" method="post"/, 'the opt-in posts to the form itself');

  // A coupon for it.
  await page.goto('/admin/products/coupons');
  await page.getByRole('heading', { level: 1, name: 'Coupons' }).waitFor();
  await page.getByLabel('Code').fill('GLAZE10');
  await page.getByLabel('Percent off').fill('10');
  await page.getByLabel('Glaze Workshop Recording').check();
  await page.getByRole('button', { name: 'Create coupon' }).click();
  await page.getByRole('row').filter({ hasText: 'GLAZE10' }).waitFor();
  const checkout = await (await page.request.get(`/p/glaze-workshop-recording`)).text();
  const priceLink = /href="(\/checkout\/[0-9a-f-]+)"/.exec(checkout)![1]!;
  assert.match(await (await page.request.get(`${priceLink}?coupon=glaze10`)).text(), /Coupon applied/);
});

test('the owner finds an order, refunds part of it, and opens the customer', async () => {
  const page = await signedIn();
  const demoOrder = (await t.app.checkout.queries.listOrders(t.app.db, { status: 'paid', limit: 50 })).orders.find((o) => o.kind === 'checkout' && o.amountRefunded === 0 && o.amountPaid >= 2000)!;
  await page.goto('/admin/orders');
  await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
  await page.getByLabel('Search').fill(`#${demoOrder.number}`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: `#${demoOrder.number}`, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: `Order #${demoOrder.number}` }).waitFor();
  await page.getByLabel('Amount').fill('10');
  await page.getByLabel('Reason (for the record)').fill('goodwill');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Refund $10' }).click();
  await page.getByText('Refunded $10.').waitFor();
  await page.getByText('Refund: goodwill').waitFor();
  const after = await t.app.checkout.queries.getOrder(t.app.db, demoOrder.id);
  assert.equal(after.amountRefunded, 1000);

  await page.getByRole('link', { name: 'Orders', exact: true }).first().click();
  await page.getByRole('link', { name: demoOrder.email }).first().click();
  await page.getByRole('heading', { level: 2, name: 'Purchases' }).waitFor();
  await page.getByText('Lifetime value').waitFor();

  await page.goto('/admin/orders/subscriptions?status=past_due');
  await page.getByRole('heading', { level: 1, name: 'Subscriptions' }).waitFor();
  await page.goto('/admin/orders/reconciliation');
  await page.getByText('Built-in test provider').waitFor();
});
