// The foundation journey in a real browser: first-run setup, sign-out and sign-in, inviting
// an assistant, the assistant joining from the link and being refused an owner-only page,
// and the owner finding that refusal in the audit log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { waitFor } from '../support/harness.js';
import { mailAsDelivered } from '../../src/modules/mail/test-helpers.js';

const OWNER = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'correct horse battery staple' };
const ASSISTANT = { name: 'Sam Support', email: 'sam@example.com', password: 'support staple horse 42' };

let t: BrowserTestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  t = await startBrowserTestApp();
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
  // Only this server: any other request would be a bug (and there is no network anyway).
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  return page;
}

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('setup page: every input has an accessible name and the password rule is stated', async () => {
  const page = await newPage();
  await page.goto('/admin/team');
  await page.waitForURL('**/admin/setup');
  await heading(page, 'Welcome to Onehour');
  const unlabelled = await page.locator('input, select, textarea').evaluateAll((els) =>
    els
      .filter((el) => {
        const input = el as HTMLInputElement;
        return !(input.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'));
      })
      .map((el) => el.outerHTML),
  );
  assert.deepEqual(unlabelled, [], 'inputs without a label');
  for (const label of ['Your name', 'Email', 'Password', 'Load the demo business']) {
    assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `one field labelled "${label}"`);
  }
  assert.equal(await page.getByLabel('Load the demo business').isChecked(), true, 'the demo is loaded by default');
  assert.match(await page.getByText(/At least 12 characters/).innerText(), /12 characters/);
});

test('owner sets up, signs out and in, invites an assistant who is refused an owner-only page, and sees it in the audit log', async () => {
  const owner = await newPage();

  // First run: every admin address leads to setup.
  await owner.goto('/admin');
  await owner.waitForURL('**/admin/setup');
  await owner.getByLabel('Your name').fill(OWNER.name);
  await owner.getByLabel('Email').fill(OWNER.email);
  await owner.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await owner.getByLabel('Load the demo business').uncheck();
  await owner.getByRole('button', { name: 'Create the owner account' }).click();

  // The shell, with the owner's navigation.
  await heading(owner, /^Good (morning|afternoon|evening), Olivia$/);
  const nav = owner.getByRole('navigation', { name: 'Main' });
  for (const link of ['Home', 'Weekly review', 'Products', 'Team', 'API keys', 'Audit log', 'Outbox', 'My account']) {
    await nav.getByRole('link', { name: link, exact: true }).waitFor();
  }

  // Sign out, and back in.
  await owner.getByRole('button', { name: 'Sign out', exact: true }).click();
  await owner.waitForURL('**/admin/sign-in');
  await heading(owner, 'Sign in to Onehour');
  await owner.getByLabel('Email').fill(OWNER.email);
  await owner.getByLabel('Password', { exact: true }).fill('not the password!');
  await owner.getByRole('button', { name: 'Sign in' }).click();
  await owner.getByText('The email or password is not right').waitFor();
  await owner.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await owner.getByRole('button', { name: 'Sign in' }).click();
  await heading(owner, /Olivia$/);

  // Team: invite an assistant to the support role; the link is shown once.
  await nav.getByRole('link', { name: 'Team', exact: true }).click();
  await heading(owner, 'Team');
  await owner.getByRole('row').filter({ hasText: OWNER.email }).waitFor();
  await owner.getByLabel('Email').fill(ASSISTANT.email);
  await owner.getByLabel('Role', { exact: true }).selectOption('support');
  await owner.getByRole('button', { name: 'Send invitation' }).click();
  const linkField = owner.getByLabel('Invitation link');
  await linkField.waitFor();
  const link = await linkField.inputValue();
  assert.ok(link.startsWith(`${t.baseUrl}/admin/accept-invitation#token=`), `invitation link: ${link}`);
  await owner.getByRole('region', { name: 'Pending invitations' }).getByText(ASSISTANT.email, { exact: true }).waitFor();

  // The assistant, in a browser of their own, accepts.
  const assistant = await newPage();
  await assistant.goto(link);
  await heading(assistant, 'Join the team');
  await assistant.getByText(ASSISTANT.email, { exact: true }).first().waitFor();
  assert.match(await assistant.locator('.auth-intro').innerText(), /as Support/);
  await assistant.getByLabel('Your name').fill(ASSISTANT.name);
  await assistant.getByLabel('Password', { exact: true }).fill(ASSISTANT.password);
  await assistant.getByRole('button', { name: 'Join the team' }).click();
  await heading(assistant, /Sam$/);
  const assistantNav = assistant.getByRole('navigation', { name: 'Main' });
  await assistantNav.getByRole('link', { name: 'Inbox', exact: true }).waitFor();
  assert.equal(await assistantNav.getByRole('link', { name: 'API keys' }).count(), 0, 'support does not see API keys');
  assert.equal(await assistantNav.getByRole('link', { name: 'Audit log' }).count(), 0, 'support does not see the audit log');

  // Straight to an owner-only address: the server refuses and the page says so.
  const refused = assistant.waitForResponse((r) => new URL(r.url()).pathname === '/api/api-keys');
  await assistant.goto('/admin/api-keys');
  assert.equal((await refused).status(), 403);
  await heading(assistant, 'Your role cannot do this');
  await assistant.getByText(/with the Support role/).waitFor();

  // The owner finds the refusal in the audit log.
  await nav.getByRole('link', { name: 'Audit log', exact: true }).click();
  await heading(owner, 'Audit log');
  await owner.getByLabel('Denied only').check();
  await owner.waitForURL('**/admin/audit?outcome=denied');
  // The denied entry is in the unfiltered list too: wait for the filtered list to replace it.
  await owner.getByRole('row').filter({ hasText: 'Allowed' }).first().waitFor({ state: 'detached' });
  const deniedRow = owner.getByRole('row').filter({ hasText: ASSISTANT.email }).filter({ hasText: '/api/api-keys' });
  await deniedRow.waitFor();
  assert.match(await deniedRow.innerText(), /Denied/);
  assert.match(await deniedRow.innerText(), /apikeys\.manage/);
  assert.equal(await owner.getByRole('row').filter({ hasText: 'Allowed' }).count(), 0, 'only denied entries are listed');
});

// Runs after the journey above, with its owner.
test('two-factor enrolment and the code step; a reset mail the outbox shows without its link; a session that ends sends you to sign-in', async () => {
  const owner = await newPage();
  await owner.goto('/admin/account');
  await owner.waitForURL('**/admin/sign-in');
  await signIn(owner, OWNER.email, OWNER.password);
  await heading(owner, 'My account');

  // Enrol: the setup key is shown (in groups of four) and the otpauth link next to the QR code.
  await owner.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const key = (await owner.getByLabel('Setup key').inputValue()).replace(/\s+/g, '');
  assert.match(await owner.getByLabel('otpauth link').inputValue(), /^otpauth:\/\/totp\/Onehour:/);
  await owner.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const totp = new TOTP({ secret: Secret.fromBase32(key), digits: 6, period: 30, algorithm: 'SHA1' });
  const enrolCode = totp.generate();
  await owner.getByLabel('Code from the app').fill(enrolCode);
  await owner.getByRole('button', { name: 'Turn on two-factor' }).click();
  await owner.getByText('Two-factor sign-in is on.').waitFor();

  // The next sign-in asks for a code.
  await owner.getByRole('button', { name: 'Sign out', exact: true }).click();
  await owner.waitForURL('**/admin/sign-in');
  await signIn(owner, OWNER.email, OWNER.password);
  await heading(owner, 'Enter your code');
  await owner.getByLabel('Authentication code').fill('000000');
  await owner.getByRole('button', { name: 'Verify and sign in' }).click();
  await owner.getByText('That code is not right').waitFor();
  // The enrolment code was spent and codes work once: the authenticator's next code (the
  // server accepts one step of clock drift) signs in without waiting for the window to pass.
  await owner.getByLabel('Authentication code').fill(enrolCode);
  const [replayed] = await Promise.all([
    owner.waitForResponse((r) => r.url().endsWith('/api/auth/two-factor')),
    owner.getByRole('button', { name: 'Verify and sign in' }).click(),
  ]);
  assert.equal(replayed.status(), 401, 'the code spent at enrolment cannot sign in');
  await owner.getByLabel('Authentication code').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  const [accepted] = await Promise.all([
    owner.waitForResponse((r) => r.url().endsWith('/api/auth/two-factor')),
    owner.getByRole('button', { name: 'Verify and sign in' }).click(),
  ]);
  assert.equal(accepted.status(), 200, `the authenticator's next code signs in: ${await accepted.text()}`);
  await heading(owner, 'My account'); // back where they signed out

  // Forgot password, in another browser. The owner sees in the outbox that the mail was sent,
  // with its link hidden; the link itself reaches only the mailbox (played here by the sealed copy).
  const visitor = await newPage();
  await visitor.goto('/admin/sign-in');
  await visitor.getByRole('link', { name: 'Forgot your password?' }).click();
  await visitor.getByLabel('Email').fill(OWNER.email);
  await visitor.getByRole('button', { name: 'Send the reset link' }).click();
  await visitor.getByText(/a reset link is on its way/).waitFor();

  // The request is looked up and mailed by a job (team.password-reset-request, covered by its own
  // test); no workers run here, so do its work.
  await t.app.team.requestPasswordReset(OWNER.email);
  const resetMail = await waitFor(async () => (await t.app.mail.listOutbox({ to: OWNER.email })).find((m) => m.tag === 'team.password_reset'), { what: 'the reset mail' });
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outbox' }).click();
  await owner.getByRole('link', { name: /Reset your Onehour password/ }).click();
  // The mail wears the branded HTML layout too: its HTML version holds no working link either.
  const frame = owner.locator('iframe.email-frame');
  await frame.waitFor();
  const srcdoc = (await frame.getAttribute('srcdoc')) ?? '';
  assert.match(srcdoc, /reset-password#token=\[hidden\]/);
  assert.doesNotMatch(srcdoc, /token=[\w-]{16,}/, 'the HTML version shows no token');
  await owner.getByRole('button', { name: 'Plain text' }).click();
  const shown = owner.locator('pre.email-text');
  await shown.getByText(/reset-password#token=\[hidden\]/).waitFor();
  assert.equal(await shown.getByRole('link').count(), 0, 'the outbox shows no reset link to follow');
  const resetLink = /(http\S+\/admin\/reset-password#token=[\w-]+)/.exec((await mailAsDelivered(t.app, resetMail.id)).text)![1]!;
  assert.ok(resetLink.startsWith(`${t.baseUrl}/admin/reset-password#token=`), `reset link: ${resetLink}`);

  const newPassword = 'a brand new battery horse';
  await visitor.goto(resetLink!);
  await heading(visitor, 'Choose a new password');
  await visitor.getByLabel('New password').fill(newPassword);
  await visitor.getByRole('button', { name: 'Set the new password' }).click();
  await heading(visitor, 'Your password is changed');

  // The reset ended every session: the owner's next request is refused and the app goes to sign-in.
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Team', exact: true }).click();
  await owner.waitForURL('**/admin/sign-in');
  await signIn(owner, OWNER.email, newPassword);
  await heading(owner, 'Enter your code');
});
