// The buyer's journey in a real browser, with the built-in test provider: store → sales page
// → coupon → order bump → test card → upsell accepted → thank-you → receipt in the outbox →
// magic link on another device → the download works. A declined card shows a clear error
// and grants nothing. No JavaScript is needed on any of these pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { seedShop, type Shop } from '../support/shop.js';
import { mailAsDelivered } from '../../src/modules/mail/test-helpers.js';

let t: BrowserTestApp;
let browser: Browser;
let shop: Shop;
const contexts: BrowserContext[] = [];
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-e2e-files-'));

before(async () => {
  t = await startBrowserTestApp({ config: { FILES_DIR: filesDir } });
  shop = await seedShop(t);
  await t.app.site.updateSettings({ name: 'Clay Studio', tagline: 'Pottery courses for busy people' }, { kind: 'system' });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

async function newPage(opts: { javaScript?: boolean; width?: number } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl, javaScriptEnabled: opts.javaScript ?? false, acceptDownloads: true, viewport: { width: opts.width ?? 1100, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  return page;
}

async function unlabelledInputs(page: Page): Promise<string[]> {
  return page.locator('input:not([type=hidden]), select, textarea').evaluateAll((els) =>
    els.filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label'))).map((el) => el.outerHTML),
  );
}

test('a visitor buys with a coupon and an order bump, takes the upsell, and gets the download through the emailed link', async () => {
  // Phones first: the store and sales page fit a narrow screen without sideways scrolling.
  const phone = await newPage({ width: 360 });
  await phone.goto('/');
  await phone.getByRole('heading', { level: 1, name: 'Clay Studio' }).waitFor();
  await phone.getByRole('link', { name: 'Pottery from Scratch' }).click();
  await phone.getByRole('heading', { level: 1, name: 'Pottery from Scratch' }).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll on a phone (overflow ${overflow}px)`);

  const page = await newPage();
  await page.goto('/');
  await page.getByRole('link', { name: 'Pottery from Scratch' }).click();
  await page.waitForURL('**/p/pottery-course');
  assert.equal(await page.locator('meta[property="og:title"]').getAttribute('content'), 'Pottery from Scratch');
  // The one-time price ($99) is the first "Buy now".
  await page.getByRole('link', { name: /Buy now.*\$99$/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  assert.match(await page.getByRole('note').innerText(), /TEST MODE/);
  assert.deepEqual(await unlabelledInputs(page), []);

  await page.getByLabel('Coupon code (optional)').fill('WELCOME20');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('Coupon applied.').waitFor();
  await page.getByLabel(/Yes, add the Glaze Guide/).check();
  await page.getByLabel('Email address').fill('journey@example.com');
  await page.getByLabel('Name').fill('Jo Urney');
  await page.getByRole('button', { name: 'Update the total' }).click();
  await page.getByRole('button', { name: 'Continue to payment — $86.40' }).click();

  await page.getByRole('heading', { level: 1, name: /Pay for order #\d+/ }).waitFor();
  assert.match(await page.getByRole('note').innerText(), /TEST MODE/);
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByRole('button', { name: 'Pay $86.40' }).click();

  // Paid: the order is confirmed, and a one-click offer follows.
  await page.getByText(/Payment received — order #\d+ is confirmed/).waitFor();
  await page.getByRole('heading', { level: 1, name: 'Add the Kiln Workbook for $19' }).waitFor();
  await page.getByRole('button', { name: 'Yes, add it to my order — $19' }).click();
  await page.getByRole('heading', { level: 1, name: 'Thank you!' }).waitFor();
  const thanks = await page.locator('main').innerText();
  assert.match(thanks, /Pottery from Scratch/);
  assert.match(thanks, /The Glaze Guide \(PDF\)/);
  assert.match(thanks, /Kiln Workbook — \$19/);

  // The receipt is in the outbox, with a sign-in link.
  const receipts = (await t.app.mail.listOutbox({ to: 'journey@example.com' })).filter((m) => m.tag === 'checkout.receipt');
  assert.equal(receipts.length, 2, 'a receipt for the order and one for the upsell');
  // The buyer's own copy (the outbox shows the sign-in link hidden).
  const texts = await Promise.all(receipts.map((r) => mailAsDelivered(t.app, r.id).then((m) => m.text)));
  const main = texts.find((x) => x.includes('Pottery from Scratch'))!;
  assert.match(main, /Paid today: \$86\.40/);
  const link = /(http:\/\/127\.0\.0\.1:\d+\/account\/magic\?token=[\w-]+)/.exec(main)![1]!;

  // Another device: the magic link signs in, and the download works.
  const laptop = await newPage();
  await laptop.goto(link);
  await laptop.getByRole('button', { name: 'Continue to my account' }).click();
  await laptop.getByRole('heading', { level: 2, name: 'Purchases & downloads' }).waitFor();
  const account = await laptop.locator('main').innerText();
  assert.match(account, /Pottery from Scratch/);
  assert.match(account, /kiln-workbook\.pdf/);
  const [download] = await Promise.all([laptop.waitForEvent('download'), laptop.getByRole('link', { name: 'glaze-guide.pdf' }).click()]);
  assert.equal(download.suggestedFilename(), 'glaze-guide.pdf');
  const saved = path.join(filesDir, 'downloaded.pdf');
  await download.saveAs(saved);
  assert.equal(fs.readFileSync(saved, 'utf8'), '%PDF-1.4 glaze guide for tests');
  // The link was single-use.
  const again = await newPage();
  await again.goto(link);
  await again.getByRole('button', { name: 'Continue to my account' }).click();
  await again.getByText(/expired or was already used/).waitFor();
});

test('a declined card shows a clear error and creates no grant', async () => {
  const page = await newPage();
  await page.goto('/p/pottery-course');
  await page.getByRole('link', { name: /Buy now.*\$99$/ }).click();
  await page.getByLabel('Email address').fill('declined-journey@example.com');
  await page.getByRole('button', { name: /Continue to payment/ }).click();
  await page.getByLabel('Card number').fill('4000 0000 0000 0002');
  await page.getByRole('button', { name: /^Pay / }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Your card was declined\. Try a different card\./);
  assert.match(page.url(), /\/test-checkout\/tps_/, 'the buyer stays on the payment page to try again');
  const contact = (await t.app.audience.findByEmail(t.app.db, 'declined-journey@example.com'))!;
  assert.equal((await t.app.access.listForContact(t.app.db, contact.id)).length, 0);
  assert.equal(await t.app.access.hasAccess(t.app.db, contact.id, { type: 'course', id: shop.course.courseId }), false);
  assert.equal((await t.app.mail.listOutbox({ to: 'declined-journey@example.com' })).length, 0, 'no receipt');
});
