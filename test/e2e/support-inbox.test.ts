// The support inbox in a real browser: a customer's email arrives through the intake, the support
// assistant finds it in My day and the Inbox, answers with a canned reply (it reaches the outbox),
// refunds within the limit from the context panel, asks for a refund above it, and the owner
// approves it in the Weekly review — then the refund is done.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { addMember, setupOwner, waitFor, OWNER } from '../support/harness.js';
import { FormBrowser, pathOf } from '../support/forms.js';
import { seedShop } from '../support/shop.js';
import { parseInbound } from '../../src/modules/support/index.js';
import { plainMessage } from '../../src/modules/support/test-mail.js';

const SAM = { email: 'sam@shop.test', password: 'support password 123' };
const IVY = 'ivy@example.com';

let t: BrowserTestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'support-e2e-'));
let orderId: string;
let orderNumber: number;
let conversationId: string;

before(async () => {
  t = await startBrowserTestApp({ config: { SUPPORT_ADDRESS: 'support@shop.test', FILES_DIR: filesDir, REFUND_LIMIT_SUPPORT_CENTS: '100000' } });
  // The approved refund is carried out by a job (support.run-action) after the decision commits.
  await t.app.jobs.work(t.app);
  browser = await launchChromium();
  const owner = await setupOwner(t);
  await addMember(t, owner, 'support', SAM.email);
  const sam = (await t.app.team.listUsers()).find((u) => u.email === SAM.email)!;
  // Support may refund up to 30.00 within 30 days of the purchase.
  const limits = await owner.patch('/api/support/settings', { limits: { support: { refundMax: 3000, refundMaxDays: 30, extendMaxDays: 14, resend: true }, admin: { refundMax: 100_000, refundMaxDays: 365, extendMaxDays: 365, resend: true } } });
  assert.equal(limits.statusCode, 200, limits.body);
  const canned = await owner.post('/api/support/canned', { shortcut: 'order', title: 'About your order', body: 'Hi {{ contact.first_name }}, order #{{ last_order.number }} is paid and your refund is on its way.' });
  assert.equal(canned.statusCode, 201, canned.body);

  // Ivy buys through the real checkout.
  const shop = await seedShop(t);
  const b = new FormBrowser(t);
  const form = await b.go('GET', `/checkout/${shop.prices.once}`);
  const res = await b.go('POST', `/checkout/${shop.prices.once}`, { _csrf: FormBrowser.csrf(form.body), key: FormBrowser.field(form.body, 'key'), email: IVY, name: 'Ivy Buyer', coupon: '', bump: [], intent: 'pay' });
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  const payPath = pathOf(String(res.headers.location));
  const pay = await b.go('GET', payPath);
  await b.go('POST', payPath, { _csrf: FormBrowser.csrf(pay.body), card: '4242 4242 4242 4242', exp: '12/34', cvc: '123' });
  const paid = (await t.app.checkout.queries.listOrders(t.app.db, { q: IVY })).orders.find((o) => o.status === 'paid');
  assert.ok(paid, 'the order is paid');
  orderId = paid.id;
  orderNumber = paid.number;
  assert.ok(paid.amountPaid > 3000, `the order (${paid.amountPaid}) is larger than the support limit`);

  // Her email arrives through the intake (as the SMTP receiver hands it over), and is assigned to Sam.
  const r = await t.app.support.ingest(await parseInbound(plainMessage({ from: `Ivy Buyer <${IVY}>`, subject: 'Lesson 3 will not play', messageId: '<ivy-1@customer.example>', date: new Date() }), {}), 'smtp');
  conversationId = r.conversationId!;
  assert.ok(conversationId);
  await t.app.support.assign(conversationId, sam.id, { kind: 'owner', id: (await t.app.team.listUsers()).find((u) => u.role === 'owner')!.id });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

async function signIn(who: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  await page.goto('/admin/sign-in');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

const refunded = async () => (await t.app.checkout.queries.getOrder(t.app.db, orderId)).amountRefunded;

test('the assistant answers with a canned reply, refunds within the limit, asks above it, and the owner approves', async () => {
  const page = await signIn(SAM);

  // My day lists the conversation assigned to her, with subject and customer, and links to it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My day' }).click();
  const mine = page.getByRole('region', { name: 'Your conversations' });
  await mine.getByRole('link', { name: /Lesson 3 will not play/ }).waitFor();
  await mine.getByText(`Ivy Buyer <${IVY}>`).waitFor();
  await mine.getByRole('link', { name: /Lesson 3 will not play/ }).click();

  // The link opens the conversation in the Inbox.
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
  const convo = page.getByRole('region', { name: 'Conversation' });
  await convo.getByRole('heading', { level: 2, name: /Lesson 3 will not play/ }).waitFor();
  await convo.getByRole('list', { name: 'Messages' }).getByText('Ivy Buyer').waitFor();

  // A canned reply, filled in for Ivy, then sent.
  await convo.getByLabel('Canned reply').selectOption({ label: 'order: About your order' });
  const replyBox = convo.getByLabel('Reply to the customer');
  await waitFor(async () => (await replyBox.inputValue()).startsWith('Hi Ivy, order #'), { what: 'the canned reply to fill the reply box' });
  assert.equal(await replyBox.inputValue(), `Hi Ivy, order #${orderNumber} is paid and your refund is on its way.`);
  await convo.getByRole('button', { name: 'Send reply' }).click();
  await convo.getByRole('list', { name: 'Messages' }).getByText('Reply', { exact: true }).waitFor();
  await waitFor(async () => (await t.app.mail.listOutbox({ to: IVY })).some((m) => /Lesson 3 will not play/.test(m.subject)), { what: 'the reply in the outbox' });

  // Within the limit: done at once.
  const context = convo.getByRole('complementary', { name: 'Customer context' });
  const refundForm = context.getByRole('form', { name: /^Refund order / });
  await refundForm.getByLabel('Amount to refund (empty: all)').fill('20.00');
  await refundForm.getByLabel('Reason').fill('lesson 3 broken');
  await refundForm.getByRole('button', { name: 'Refund' }).click();
  await context.getByText(/^refund: done/).waitFor();
  assert.equal(await refunded(), 2000);
  await context.getByText('(refunded 20.00)').waitFor();

  // Above the limit: sent to the owner, nothing refunded yet.
  await refundForm.getByLabel('Amount to refund (empty: all)').fill('50.00');
  await refundForm.getByLabel('Reason').fill('whole course broken');
  await refundForm.getByRole('button', { name: 'Refund' }).click();
  await context.getByText('Above your limit: sent to the owner for approval.').waitFor();
  await context.getByText(/^refund: awaiting_approval/).waitFor();
  assert.equal(await refunded(), 2000, 'nothing more refunded before the decision');

  // The owner approves in the Weekly review.
  const ownerPage = await signIn(OWNER);
  await ownerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Weekly review' }).click();
  await ownerPage.getByRole('heading', { level: 1, name: 'Weekly review' }).waitFor();
  const request = ownerPage.getByRole('listitem').filter({ has: ownerPage.getByRole('heading', { name: /Refund 50\.00/ }) });
  // The review reads every module (alerts, meter, forecast): on a loaded machine it takes a while to build.
  await request.waitFor({ timeout: 60_000 });
  await request.getByRole('button', { name: 'Approve' }).click();
  await request.waitFor({ state: 'detached' });

  // The refund is carried out once, and the assistant sees it done.
  await waitFor(async () => (await refunded()) === 7000, { what: 'the approved refund to run' });
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
  const ctx2 = page.getByRole('region', { name: 'Conversation' }).getByRole('complementary', { name: 'Customer context' });
  await ctx2.getByText('(refunded 70.00)').waitFor();
  assert.equal(await ctx2.getByText(/^refund: done/).count(), 2);
  const events = await t.app.events.list(t.app.db, { subjectType: 'support_conversation', subjectId: conversationId, limit: 50 });
  const kinds = events.map((e) => `${e.type}:${e.actorKind}`);
  for (const k of ['support.action_taken:assistant', 'support.action_requested:assistant', 'support.action_decided:owner']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
});
