// The analytics journey in a real browser: two visitors (JavaScript on) arrive, one from the
// newsletter; the owner reads today's dashboard with its chart, filters every panel by the
// email channel, exports a panel, builds a two-step funnel and saves it; then opens the Revenue tab.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { waitFor } from '../support/harness.js';

const OWNER = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'correct horse battery staple' };
// Headless Chromium says so in its user agent, and bots are not counted: visitors look like people.
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

let t: BrowserTestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  t = await startBrowserTestApp({ config: { ANALYTICS_FLUSH_MS: '200' } });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
});

async function newPage(userAgent?: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl, ...(userAgent ? { userAgent } : {}) });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  return page;
}

const events = async () => (await t.app.database.execute<{ n: number }>(`select count(*)::int as n from analytics_events where name = 'pageview'`)).rows[0]!.n;

test('visitors arrive; the owner reads the dashboard, filters every panel, exports one, and builds a funnel', async () => {
  const owner = await newPage();
  await owner.goto('/admin');
  await owner.waitForURL('**/admin/setup');
  await owner.getByLabel('Your name').fill(OWNER.name);
  await owner.getByLabel('Email').fill(OWNER.email);
  await owner.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await owner.getByLabel('Load the demo business').uncheck();
  await owner.getByRole('button', { name: 'Create the owner account' }).click();
  await owner.getByRole('heading', { level: 1, name: /Olivia$/ }).waitFor();

  // Two visitors: one from the newsletter who goes on to the sign-in page, one typing the address.
  const reader = await newPage(DESKTOP);
  await reader.goto('/?utm_source=newsletter&utm_medium=email&utm_campaign=spring');
  await reader.goto('/account/sign-in');
  const walker = await newPage(PHONE);
  await walker.goto('/');
  // The owner's own visits to the store are not counted (signed-in staff).
  await owner.goto('/');
  await waitFor(async () => (await events()) === 3, { what: 'three page views written' });

  await owner.goto('/admin/analytics?period=today');
  await owner.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();
  const totals = owner.getByRole('region', { name: 'Totals' });
  await totals.locator('.analytics-kpi dt', { hasText: 'Visitors' }).waitFor();
  assert.equal(await totals.locator('.analytics-kpi').first().locator('strong').textContent(), '2');
  assert.equal(await totals.locator('.analytics-kpi').nth(2).locator('strong').textContent(), '3', 'page views');
  await totals.locator('.traffic-chart canvas').first().waitFor();

  const channels = owner.getByRole('region', { name: 'Channels' });
  await channels.getByRole('button', { name: 'Email' }).waitFor();
  await channels.getByRole('button', { name: 'Direct' }).waitFor();
  const devices = owner.getByRole('region', { name: 'Devices' });
  await devices.getByRole('button', { name: 'Mobile' }).waitFor();

  // One filter for every panel.
  await channels.getByRole('button', { name: 'Email' }).click();
  await owner.getByRole('status').getByText('Filtered:').waitFor();
  await waitFor(async () => (await owner.getByRole('region', { name: 'Devices' }).getByRole('button').allTextContents()).join() === 'Desktop', { what: 'the devices panel filtered' });
  assert.equal(await totals.locator('.analytics-kpi').first().locator('strong').textContent(), '1');
  assert.deepEqual(await owner.getByRole('region', { name: 'Sources' }).getByRole('button').allTextContents(), ['newsletter']);
  assert.deepEqual(await owner.getByRole('region', { name: 'UTM campaigns' }).getByRole('button').allTextContents(), ['spring']);

  // The panel's CSV is the same rows.
  const href = await owner.getByRole('region', { name: 'Top pages' }).getByRole('link', { name: 'CSV' }).getAttribute('href');
  const csv = await owner.evaluate(async (url) => (await fetch(url!)).text(), href);
  assert.match(csv, /^pages,visitors,visits,pageviews/);
  assert.match(csv, /\/account\/sign-in,1,1,1/);

  // A funnel: the store, then the sign-in page.
  await owner.getByRole('button', { name: 'Clear filter' }).click();
  await owner.getByRole('status').getByText('Filtered:').waitFor({ state: 'detached' });
  const funnel = owner.getByRole('form', { name: 'Funnel steps' });
  await funnel.getByLabel('Path of step 1').fill('/');
  await funnel.getByLabel('Path of step 2').fill('/account/*');
  await funnel.getByRole('button', { name: 'Remove step 4' }).click();
  await funnel.getByRole('button', { name: 'Remove step 3' }).click();
  await funnel.getByRole('button', { name: 'Show funnel' }).click();
  const result = owner.getByRole('list', { name: 'Funnel result' });
  await result.getByText('Visited /account/*').waitFor();
  const rows = await result.getByRole('listitem').allTextContents();
  assert.match(rows[0]!, /2 visitors · 100% of step 1/);
  assert.match(rows[1]!, /1 visitors · 50% of step 1 · 50% dropped off/);
  const bySource = await owner.getByRole('table', { name: 'Funnel by source' }).getByRole('row').allTextContents();
  assert.ok(bySource.some((r) => r.startsWith('newsletter') && r.endsWith('100%')), bySource.join(' | '));
  // Saved under a name, it is offered again in the list of saved funnels.
  await funnel.getByLabel('Funnel name').fill('Store to sign-in');
  await funnel.getByRole('button', { name: 'Save funnel' }).click();
  await owner.getByLabel('Saved funnels').locator('option', { hasText: 'Store to sign-in' }).waitFor({ state: 'attached' });
  const saved = await owner.evaluate(async () => (await fetch('/api/analytics/funnels')).json());
  assert.deepEqual(saved.funnels.map((f: { name: string; steps: unknown[] }) => [f.name, f.steps]), [['Store to sign-in', [{ kind: 'page', match: '/' }, { kind: 'page', match: '/account/*' }]]]);

  // Revenue: one paid order of 49.00 (written as checkout would: an order, its item, its payment).
  const exec = t.app.database.execute;
  const contact = (await exec<{ id: string }>(`insert into contacts (email, email_normalized, created_at, updated_at) values ('ann@example.com', 'ann@example.com', now(), now()) returning id`)).rows[0]!.id;
  const order = (await exec<{ id: string }>(
    `insert into orders (contact_id, email, status, currency, subtotal, total, amount_paid, provider, created_at, expires_at, updated_at, paid_at)
     values ($1, 'ann@example.com', 'paid', 'usd', 4900, 4900, 4900, 'test', now(), now(), now(), now()) returning id`, [contact])).rows[0]!.id;
  await exec(`insert into order_items (order_id, role, product_id, price_id, name, price_type, currency, unit_amount, amount) values ($1, 'main', gen_random_uuid(), gen_random_uuid(), 'Bowls course', 'one_time', 'usd', 4900, 4900)`, [order]);
  await exec(`insert into payments (order_id, provider, provider_payment_id, kind, amount, currency, created_at) values ($1, 'test', 'e2e-1', 'initial', 4900, 'usd', now())`, [order]);
  await owner.getByRole('button', { name: 'Revenue', exact: true }).click();
  const money = owner.getByRole('region', { name: 'Revenue totals' });
  await money.locator('.analytics-kpi dt', { hasText: 'Net revenue' }).waitFor();
  const api = await owner.evaluate(async () => (await fetch('/api/analytics/revenue?period=today')).json());
  assert.equal(api.totals.current.net, 4900);
  assert.equal(await money.locator('.analytics-kpi', { hasText: 'Net revenue' }).locator('strong').textContent(), '$49');
  assert.equal(await money.locator('.analytics-kpi', { hasText: 'Orders' }).locator('strong').textContent(), String(api.totals.current.orders));
  await money.locator('.traffic-chart canvas').first().waitFor();
  await owner.getByRole('region', { name: 'Revenue by product' }).getByText('Bowls course').waitFor();
  await owner.getByRole('region', { name: 'Subscriptions' }).locator('.analytics-kpi dt', { hasText: /^MRR$/ }).waitFor();
  await owner.getByRole('region', { name: 'Buyer cohorts' }).getByRole('row', { name: /^\d{4}-\d{2} 1/ }).waitFor();
});
