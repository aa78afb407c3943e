// The block editor and the broadcast report in a real browser, on the demo business: sign in,
// write a broadcast from blocks (heading + button) with the live preview following each edit,
// save it, leave the blocks for Markdown only after confirming; then open a finished demo
// newsletter's report, filter its recipients, and read every bounce in the tab beside the mail
// settings (where the suppression list is).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { openDemoTestDatabase } from '../support/demo-snapshot.js';
import { backends, OWNER } from '../support/harness.js';

const count = (n: number) => new Intl.NumberFormat('en-US').format(n);

for (const backend of backends()) {
  describe(`broadcast blocks and report in a browser [${backend}]`, () => {
    let t: BrowserTestApp;
    let browser: Browser;
    let page: Page;

    before(async () => {
      // A copy of the demo business (loading it is the setup journey's and the demo tests' to show).
      t = await startBrowserTestApp({ backend, database: await openDemoTestDatabase(backend) });
      browser = await launchChromium();
      const context = await browser.newContext({ baseURL: t.baseUrl, locale: 'en-US' });
      page = await context.newPage();
      page.setDefaultTimeout(BROWSER_WAIT_MS);
      await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
    });

    after(async () => {
      await browser?.close();
      await t?.close();
    });

    const focusedLabel = () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? document.activeElement?.textContent ?? '');

    it('the owner signs in and writes a broadcast from blocks; the preview follows every edit', async () => {
      await page.goto('/admin');
      await page.waitForURL('**/admin/sign-in**');
      await page.getByLabel('Email').fill(OWNER.email);
      await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: /^Good (morning|afternoon|evening), Olivia$/ }).waitFor();

      await page.goto('/admin/broadcasts/new');
      await page.getByRole('heading', { level: 1, name: 'New broadcast' }).waitFor();
      await page.getByLabel('Name (only you see it)').fill('Spring, in blocks');
      await page.getByLabel('Subject').fill('Spring is here');

      // Markdown → Blocks starts from one text block holding the Markdown.
      const markdown = "Hi {{ contact.first_name | default: 'there' }}, spring has come.";
      await page.getByLabel('Message (Markdown)').fill(markdown);
      await page.getByRole('button', { name: 'Blocks', exact: true }).click();
      assert.equal(await page.getByRole('button', { name: 'Blocks', exact: true }).getAttribute('aria-pressed'), 'true');
      assert.equal(await page.getByLabel('Text (Markdown)').inputValue(), markdown);

      // Add a heading and a button; the focus goes to the new block's first field.
      await page.getByRole('button', { name: 'Add heading' }).click();
      assert.equal(await focusedLabel(), 'Heading text', 'focus moves into the new block');
      await page.keyboard.type('Our spring course is out');
      await page.getByRole('button', { name: 'Add button' }).click();
      await page.getByLabel('Button label').fill('See the spring course');
      await page.getByLabel('Button link').fill('https://shop.example/spring');

      const frame = page.frameLocator('iframe[title="Preview of the email"]');
      await frame.getByRole('link', { name: 'See the spring course' }).waitFor();
      await frame.getByRole('heading', { name: 'Our spring course is out' }).waitFor();
      await frame.getByText('Hi Sam, spring has come.').waitFor();

      // Reorder and remove by keyboard: the heading goes first, the starter text goes away.
      await page.getByRole('button', { name: 'Move up block 2. Heading' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('group', { name: '1. Heading' }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Move down block 1. Heading', 'focus stays with the moved block');
      await page.getByRole('button', { name: 'Remove block 2. Text' }).click();
      assert.deepEqual(await page.locator('fieldset.block-card legend').allTextContents(), ['1. Heading', '2. Button']);
      await frame.getByText('Hi Sam, spring has come.').waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Save draft' }).click();
      await page.getByRole('heading', { level: 1, name: 'Spring, in blocks' }).waitFor();
      const saved = (await t.app.mail.broadcasts.list({ limit: 50, offset: 0 })).find((b) => b.name === 'Spring, in blocks')!;
      assert.equal(saved.format, 'blocks');
      assert.deepEqual(saved.blocks, [
        { type: 'heading', text: 'Our spring course is out' },
        { type: 'button', label: 'See the spring course', url: 'https://shop.example/spring' },
      ]);
      assert.equal(saved.body, '## Our spring course is out\n\n[See the spring course](https://shop.example/spring)', 'the Markdown twin of the blocks');

      // The saved blocks come back in the editor.
      await page.reload();
      assert.equal(await page.getByLabel('Button label').inputValue(), 'See the spring course');
      await frame.getByRole('link', { name: 'See the spring course' }).waitFor();

      // Leaving the blocks asks first; Cancel keeps them.
      await page.getByRole('button', { name: 'Markdown', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Switch to Markdown?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await page.getByLabel('Heading text').inputValue(), 'Our spring course is out');
      await page.getByRole('button', { name: 'Markdown', exact: true }).click();
      await dialog.getByRole('button', { name: 'Switch to Markdown' }).click();
      assert.equal(await page.getByLabel('Message (Markdown)').inputValue(), saved.body);
      assert.equal(await page.locator('fieldset.block-card').count(), 0, 'the blocks are gone');
    });

    it("the report of a finished demo newsletter lists its recipients, filtered by what they did", async () => {
      const [newsletter] = await t.app.mail.broadcasts.list({ status: 'finished', limit: 1, offset: 0 });
      const stats = await t.app.mail.broadcasts.stats(newsletter!.id);
      assert.ok(stats.opened > 0 && stats.opened < stats.recipients);

      await page.goto('/admin/broadcasts');
      await page.getByRole('link', { name: newsletter!.name }).click();
      await page.getByRole('heading', { level: 1, name: newsletter!.name }).waitFor();
      const section = page.getByRole('region', { name: 'Recipients' });
      await section.getByText(`${count(stats.recipients)} recipients`, { exact: true }).waitFor();
      assert.equal(await section.locator('tbody tr').count(), Math.min(50, stats.recipients), 'the first page');

      await section.getByLabel('Show').selectOption({ label: 'Opened' });
      await section.getByText(`${count(stats.opened)} recipients match`, { exact: true }).waitFor();
      assert.match(page.url(), /[?&]recipients=opened/, 'the filter is kept in the address');
      const opens = await section.locator('td[data-label="Opens"]').allTextContents();
      assert.ok(opens.length > 0 && opens.every((n) => Number(n) >= 1), 'everyone listed opened it');

      // Narrow to one address (whatever its case); then the next page of everyone.
      const first = (await section.locator('td[data-label="Email"]').first().textContent())!;
      await section.getByLabel('Email address').fill(first.toUpperCase());
      await section.getByRole('button', { name: 'Search' }).click();
      await section.getByText('1 recipient match', { exact: true }).waitFor();
      await section.getByRole('button', { name: 'Clear' }).click();
      await section.getByText(`${count(stats.recipients)} recipients`, { exact: true }).waitFor();
      if (stats.recipients > 50) {
        await section.getByRole('button', { name: /^Show more/ }).click();
        await section.locator('tbody tr').nth(50).waitFor();
      }
      await page.getByRole('region', { name: 'Bounces & complaints' }).waitFor();
    });

    it('the Bounces & complaints tab, beside the mail settings and their suppression list, lists every report', async () => {
      const hard = await t.app.mail.bounces.listBounces({ kind: 'hard', limit: 200 });
      assert.ok(hard.total > 0, 'the demo has hard bounces');
      await page.goto('/admin/broadcasts/settings');
      await page.getByRole('heading', { name: 'Suppression list' }).waitFor();
      await page.getByRole('navigation', { name: 'Broadcasts' }).getByRole('link', { name: 'Bounces & complaints' }).click();
      await page.getByRole('heading', { level: 1, name: 'Bounces & complaints' }).waitFor();
      const section = page.getByRole('region', { name: 'Every bounce and complaint' });
      await section.getByLabel('Kind').selectOption({ label: 'Hard bounces' });
      await section.getByText(`${count(hard.total)} ${hard.total === 1 ? 'report' : 'reports'} match`, { exact: true }).waitFor();
      const kinds = await section.locator('td[data-label="Kind"]').allTextContents();
      assert.ok(kinds.length > 0 && kinds.every((k) => k === 'Hard bounce'));
      await section.getByRole('link', { name: hard.bounces[0]!.broadcastName! }).first().waitFor();
    });
  });
}
