// One business identity everywhere: the owner sets the brand in Settings (with its live
// preview and a logo upload), then every customer-facing surface says the business's name,
// wears its colour and favicon, and never says "Onehour": store, sales page, checkout, the
// test payment page, upsell, thank-you, sign-in, account, course and lesson, the certificate
// (its verification page and the PDF's text), a form and its confirmation pages, a legal page,
// and the mail in the outbox (receipt, sign-in link, double opt-in, broadcast).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { Client, OWNER, setupOwner, waitFor } from '../support/harness.js';
import { seedShop } from '../support/shop.js';
import { mailAsDelivered } from '../../src/modules/mail/test-helpers.js';
import { logoMarkPng } from '../../src/modules/brand/demo.js';

const NAME = 'Northwind Pottery';
const COLOR = '#0f766e';
const RGB = 'rgb(15, 118, 110)';

let t: BrowserTestApp;
let browser: Browser;
let owner: Client;
let courseSlug: string;
let listId: string;
const contexts: BrowserContext[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-e2e-brand-'));

before(async () => {
  t = await startBrowserTestApp({ config: { FILES_DIR: work, SITE_CACHE_CHECK_MS: '0' } });
  owner = await setupOwner(t);
  await seedShop(t);
  const actor = { kind: 'system' as const };
  const course = await t.app.learning.createCourse({ title: 'Wheel Basics', summary: 'Centre the clay.', status: 'published' }, actor);
  courseSlug = course.slug;
  const mod = await t.app.learning.addModule(course.id, 'Week one', actor);
  await t.app.learning.addLesson(mod.id, { title: 'Centring', bodyMarkdown: 'Wet hands, **slow** wheel.' }, actor);
  await t.app.learning.enrolments.enroll(course.id, { email: 'buyer@example.com', name: 'Bea Buyer', reason: 'journey test' }, actor);
  const list = await t.app.audience.createList({ name: 'Studio notes' }, actor);
  listId = list.id;
  await t.app.audience.forms.create({ slug: 'glaze-chart', name: 'Glaze chart', title: 'Get the glaze chart', consentText: 'Send me the studio notes.', doubleOptIn: true, listIds: [list.id] }, actor);
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/**
 * A PDF's text without poppler: pdfkit writes each line as a TJ array of hex strings in
 * Flate-compressed content streams. `everything` is the file with its streams inflated.
 */
function readPdf(buf: Buffer): { text: string; everything: string; creator: string | null } {
  const raw = buf.toString('latin1');
  const streams: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    try {
      streams.push(inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1'));
    } catch {
      streams.push(m[1]!);
    }
  }
  const lines = streams.join('\n').match(/\[[^\]]*\]\s*TJ/g) ?? [];
  const text = lines.map((l) => [...l.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join('')).join('\n');
  const ref = /\/Creator (\d+) 0 R/.exec(raw)?.[1];
  const literal = ref ? new RegExp(`\\b${ref} 0 obj\\s*\\(([^)]*)\\)`).exec(raw)?.[1] ?? null : /\/Creator \(([^)]*)\)/.exec(raw)?.[1] ?? null;
  return { text, everything: `${raw}\n${streams.join('\n')}`, creator: literal };
}

async function newPage(opts: { javaScript?: boolean; width?: number } = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl, javaScriptEnabled: opts.javaScript ?? false, acceptDownloads: true, viewport: { width: opts.width ?? 1100, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  return page;
}

/** The page says the business's name, wears its colour and favicon, and never says Onehour. */
async function assertBranded(page: Page, where: string): Promise<void> {
  // A heading is in the DOM before the stylesheet has loaded (after a click, nothing waits for it):
  // the computed colour is read only once the page has loaded.
  await page.waitForLoadState('load');
  const html = await page.content();
  assert.ok(html.includes(NAME), `${where}: the business's name`);
  assert.doesNotMatch(html, /onehour/i, `${where}: no "Onehour"`);
  assert.equal(await page.locator('.site-header').evaluate((el) => getComputedStyle(el).borderTopColor), RGB, `${where}: the brand colour`);
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  assert.ok(icon, `${where}: a favicon`);
  const res = await page.request.get(icon!);
  assert.equal(res.status(), 200, `${where}: the favicon loads`);
}

function assertBrandedMail(m: { html: string | null; fromAddress?: string }, what: string): void {
  assert.ok(m.html, `${what}: has HTML`);
  assert.ok(m.html!.includes(NAME), `${what}: the business's name`);
  assert.ok(m.html!.includes(`bgcolor="${COLOR}"`), `${what}: the brand colour`);
  assert.doesNotMatch(m.html!, /onehour/i, `${what}: no "Onehour"`);
}

test('the owner sets the brand in Settings, with a live preview and a logo', async () => {
  const page = await newPage({ javaScript: true });
  await page.goto('/admin/settings');
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();

  await page.getByLabel('Business name').fill(NAME);
  await page.getByLabel('Brand colour', { exact: true }).fill(COLOR);
  // The preview follows the form before anything is saved.
  await page.getByTestId('brand-preview').getByText(NAME).waitFor();
  assert.equal(await page.getByTestId('brand-preview').evaluate((el) => getComputedStyle(el).borderTopColor), RGB);
  await page.getByLabel('Page theme').selectOption('elegant');
  await page.getByLabel('Fonts').selectOption('editorial');
  await page.getByLabel('Sender name').fill('Nora at Northwind');
  await page.getByLabel('Sender address').fill('nora@northwind.example');
  await page.getByLabel('Support email').fill('help@northwind.example');
  await page.getByLabel('Postal address').fill('Northwind Pottery\n3 Kiln Road\nLeeds');
  await page.getByLabel(/Terms of sale/).fill('## Refunds\n\nWithin 30 days.');
  await page.getByLabel('Currency').fill('gbp');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved. Every page and email uses it now.').waitFor();

  // A bad colour is refused next to its field, and nothing changes.
  await page.getByLabel('Accent colour', { exact: true }).fill('orange');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('alert').or(page.locator('.form-error')).first().waitFor();
  assert.equal((await t.app.brand.getSettings()).accent, '#f59e0b');
  await page.getByLabel('Accent colour', { exact: true }).fill('#d97706');

  await page.getByLabel('Logo', { exact: true }).setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoMarkPng(COLOR, '#d97706') });
  await page.getByText('The logo is uploaded.').waitFor();
  const settings = await t.app.brand.getSettings();
  assert.equal(settings.name, NAME);
  assert.equal(settings.theme, 'elegant');
  assert.equal(settings.currency, 'GBP');
  assert.match(settings.logoUrl ?? '', /^\/brand\/logo\?v=/);
  const events = await t.app.events.list(t.app.db, { type: 'brand.' });
  assert.ok(events.some((e) => e.type === 'brand.updated' && e.actorKind === 'owner'));
  assert.ok(events.some((e) => e.type === 'brand.image_uploaded' && e.actorKind === 'owner'));
});

test('every customer-facing surface and email wears the brand, and none says Onehour', async () => {
  const page = await newPage();
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
  await assertBranded(page, 'store');
  assert.equal(await page.locator('body').getAttribute('class'), 'theme-elegant');
  assert.match((await page.locator('.brand-logo').getAttribute('src')) ?? '', /^\/brand\/logo\?v=/);
  assert.equal((await page.request.get('/favicon.ico')).status(), 200, 'the favicon browsers ask for by themselves');
  await page.getByRole('link', { name: 'Terms of sale' }).click();
  await page.getByRole('heading', { level: 1, name: 'Terms of sale' }).waitFor();
  await assertBranded(page, 'legal page');

  await page.goto('/p/pottery-course');
  await assertBranded(page, 'sales page');
  await page.getByRole('link', { name: /Buy now.*\$99$/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await assertBranded(page, 'checkout');
  await page.getByLabel('Email address').fill('buyer@example.com');
  await page.getByLabel('Name').fill('Bea Buyer');
  await page.getByRole('button', { name: /Continue to payment/ }).click();
  await page.getByRole('heading', { level: 1, name: /Pay for order #\d+/ }).waitFor();
  await assertBranded(page, 'test payment page');
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.getByRole('heading', { level: 1, name: 'Add the Kiln Workbook for $19' }).waitFor();
  await assertBranded(page, 'upsell');
  await page.getByRole('button', { name: /No thanks/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Thank you!' }).waitFor();
  await assertBranded(page, 'thank-you');

  // The receipt: from the brand's sender, in the branded layout.
  const receipt = await waitFor(async () => (await t.app.mail.listOutbox({ to: 'buyer@example.com' })).find((m) => m.tag === 'checkout.receipt'), { what: 'the receipt' });
  assert.equal((await t.app.mail.getMessage(receipt.id)).fromAddress, '"Nora at Northwind" <nora@northwind.example>');
  const delivered = await mailAsDelivered(t.app, receipt.id);
  assertBrandedMail(delivered, 'receipt');
  assert.match(delivered.html!, /3 Kiln Road/);

  // Sign-in page, the sign-in link mail, the account and the course.
  await page.goto('/account/sign-in');
  await assertBranded(page, 'sign-in page');
  await t.app.database.transaction(async (tx) => {
    const contact = (await t.app.audience.findByEmail(tx, 'buyer@example.com'))!;
    await t.app.portal.mailMagicLinkInTx(tx, contact);
  });
  const signIn = await waitFor(async () => (await t.app.mail.listOutbox({ to: 'buyer@example.com' })).find((m) => m.tag === 'portal.magic_link'), { what: 'the sign-in mail' });
  const signInMail = await mailAsDelivered(t.app, signIn.id);
  assertBrandedMail(signInMail, 'sign-in link');
  const link = /(http:\/\/127\.0\.0\.1:\d+\/account\/magic\?token=[\w-]+)/.exec(signInMail.text)![1]!;
  await page.goto(link);
  await assertBranded(page, 'magic link landing');
  await page.getByRole('button', { name: 'Continue to my account' }).click();
  await page.getByRole('heading', { level: 2, name: 'Purchases & downloads' }).waitFor();
  await assertBranded(page, 'account');
  await page.goto(`/learn/${courseSlug}`);
  await assertBranded(page, 'course');
  await page.getByRole('link', { name: /Start: Centring/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Centring' }).waitFor();
  await assertBranded(page, 'lesson');
  await page.getByRole('button', { name: /Mark as complete/ }).click();
  await page.getByText(/you completed the course/i).first().waitFor();

  // The certificate: the PDF's text names the business (never Onehour), and so does its page.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download your certificate/ }).click()]);
  const pdfPath = path.join(work, 'certificate.pdf');
  await download.saveAs(pdfPath);
  const pdf = readPdf(fs.readFileSync(pdfPath));
  assert.match(pdf.text, /NORTHWIND POTTERY/);
  assert.doesNotMatch(pdf.everything, /onehour/i);
  assert.equal(pdf.creator, NAME, 'the PDF names the business as its creator');
  // The frame and the issuer are drawn in the brand colour (#0f766e as PDF RGB fractions).
  assert.match(pdf.everything, /0\.0588\d* 0\.4627\d* 0\.4313\d* (SCN|scn)/);
  const pdfText = pdf.text;
  await page.goto(/Verify at (\S+)/.exec(pdfText)![1]!);
  await page.getByText('This certificate is valid.').waitFor();
  await assertBranded(page, 'certificate verification');

  // A form, its "check your inbox" page, the confirmation mail and the confirmed page.
  const visitor = await newPage({ width: 380 });
  await visitor.goto('/f/glaze-chart');
  await assertBranded(visitor, 'form');
  await visitor.getByLabel('Email address').fill('fan@example.com');
  await visitor.getByRole('button').last().click();
  await visitor.getByText(/inbox/i).first().waitFor();
  await assertBranded(visitor, 'form sent');
  const confirm = await waitFor(async () => (await t.app.mail.listOutbox({ to: 'fan@example.com' }))[0], { what: 'the confirmation mail' });
  const confirmMail = await mailAsDelivered(t.app, confirm.id);
  assertBrandedMail(confirmMail, 'double opt-in');
  await visitor.goto(/(http:\/\/127\.0\.0\.1:\d+\/\S*confirm\S*)/.exec(confirmMail.text)![1]!);
  await assertBranded(visitor, 'confirmation');
  const overflow = await visitor.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);

  // A broadcast, as its test send lands in the outbox.
  const b = (await owner.post('/api/broadcasts', { name: 'Kiln news', subject: 'The kiln is hot', body: 'New glazes this week. [See them](https://example.com/glazes)', listId })).json();
  assert.ok(b.id, JSON.stringify(b));
  assert.equal((await owner.post(`/api/broadcasts/${b.id}/test`, { to: ['owner@example.com'] })).statusCode < 300, true);
  const test = await waitFor(async () => (await t.app.mail.listOutbox({ to: 'owner@example.com' })).find((m) => m.tag === 'broadcast.test'), { what: 'the broadcast test send' });
  assertBrandedMail(await mailAsDelivered(t.app, test.id), 'broadcast');
});
