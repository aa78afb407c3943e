// The webhooks journey in a real browser: the owner adds an endpoint (a receiver on
// 127.0.0.1), copies the signing secret shown once, sends a test event, watches it succeed in
// the delivery log and replays it; the receiver verifies every request with the Standard
// Webhooks library.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { waitFor } from '../support/harness.js';

let t: BrowserTestApp;
let browser: Browser;
let receiver: http.Server;
let receiverUrl: string;
const received: { headers: Record<string, string>; body: string }[] = [];

before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/onehour`;
  t = await startBrowserTestApp({ config: { WEBHOOKS_ALLOW_PRIVATE: 'true' } });
  await t.app.jobs.work(t.app);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await t?.close();
  await new Promise((r) => receiver?.close(r));
});

async function newOwnerPage(): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  await page.goto('/admin');
  await page.waitForURL('**/admin/setup');
  await page.getByLabel('Your name').fill('Olivia Owner');
  await page.getByLabel('Email').fill('olivia@example.com');
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await page.getByLabel('Load the demo business').uncheck();
  await page.getByRole('button', { name: 'Create the owner account' }).click();
  await page.getByRole('heading', { level: 1, name: /^Good (morning|afternoon|evening), Olivia$/ }).waitFor();
  return page;
}

test('owner adds an endpoint, sends a test event, sees it delivered and replays it', async () => {
  const page = await newOwnerPage();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();

  await page.getByLabel('Endpoint URL').fill(receiverUrl);
  await page.getByLabel('Description').fill('Local receiver');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const secret = await page.getByLabel(/^Signing secret for/).inputValue();
  assert.match(secret, /^whsec_/);
  await page.getByRole('button', { name: 'I have copied it' }).click();

  const card = page.getByRole('article', { name: `Endpoint ${receiverUrl}` });
  await card.getByRole('button', { name: 'Send test event' }).click();
  await waitFor(async () => received.length >= 1, { what: 'the test message at the receiver' });
  const test1 = new Webhook(secret).verify(received[0]!.body, received[0]!.headers) as { type: string };
  assert.equal(test1.type, 'webhook.test');

  // The log shows the delivery once it is recorded (Refresh reloads it).
  const log = card.getByRole('table', { name: 'Deliveries' });
  await waitFor(
    async () => {
      await card.getByRole('button', { name: 'Refresh' }).click();
      return (await log.getByText('succeeded').count()) === 1;
    },
    { what: 'the delivery logged as succeeded', intervalMs: 300 },
  );
  assert.match(await log.locator('tbody tr').first().innerText(), /webhook\.test[\s\S]*204/);

  await log.getByRole('button', { name: /^Replay/ }).click();
  await waitFor(async () => received.length >= 2, { what: 'the replay at the receiver' });
  assert.equal(received[1]!.headers['webhook-id'], received[0]!.headers['webhook-id'], 'a replay is the same message');
  assert.ok(new Webhook(secret).verify(received[1]!.body, received[1]!.headers));
  await waitFor(
    async () => {
      await card.getByRole('button', { name: 'Refresh' }).click();
      return (await log.getByText('(replay)').count()) === 1;
    },
    { what: 'the replay in the log', intervalMs: 300 },
  );
});
