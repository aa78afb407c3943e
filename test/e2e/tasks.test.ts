// The SOP and tasks journey in a real browser: the owner writes an SOP (with a preview) and a
// weekly task for support that follows it; the support assistant finds it in My day, ticks the
// checklist and marks it done; the owner sees it done on the Tasks page, by whom.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { events } from '../../src/db/schema.js';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { addMember, Client } from '../support/harness.js';

let t: BrowserTestApp;
let browser: Browser;
const OWNER_LOGIN = { email: 'olivia@example.com', password: 'correct horse battery staple' };

before(async () => {
  t = await startBrowserTestApp();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  return page;
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

test('owner writes an SOP and a weekly task for support; support ticks it off in My day; the owner sees it done', async () => {
  const owner = await newPage();
  await owner.goto('/admin');
  await owner.waitForURL('**/admin/setup');
  await owner.getByLabel('Your name').fill('Olivia Owner');
  await owner.getByLabel('Email').fill(OWNER_LOGIN.email);
  await owner.getByLabel('Password', { exact: true }).fill(OWNER_LOGIN.password);
  await owner.getByLabel('Load the demo business').uncheck();
  await owner.getByRole('button', { name: 'Create the owner account' }).click();
  await owner.getByRole('heading', { level: 1, name: /^Good (morning|afternoon|evening), Olivia$/ }).waitFor();
  const api = new Client(t.server);
  await api.login(OWNER_LOGIN.email, OWNER_LOGIN.password);
  await addMember(t, api, 'support');
  const course = await api.post('/api/learning/courses', { title: 'Glazing 101' });
  assert.equal(course.statusCode, 201, course.body);

  // The SOP, previewed before it is saved.
  await nav(owner, 'SOPs').click();
  await owner.getByText('No SOPs yet').waitFor();
  await owner.getByRole('link', { name: 'Write an SOP' }).click();
  await owner.getByLabel('Title', { exact: true }).fill('Weekly refunds check');
  await owner.getByLabel('Written for').selectOption({ label: 'Support' });
  await owner.getByLabel('Procedure (Markdown)').fill('# Weekly refunds check\n\nRefunds tell us what disappoints buyers.\n\n- [ ] Open Orders and filter refunds\n- [ ] Note each reason for the owner\n');
  await owner.getByRole('button', { name: 'Preview' }).click();
  const preview = owner.getByRole('region', { name: 'Preview' });
  await preview.getByText('Checklist: 2 steps.').waitFor();
  await preview.getByText('Open Orders and filter refunds').waitFor();
  await owner.getByRole('button', { name: 'Save SOP' }).click();
  await owner.getByRole('heading', { level: 1, name: 'Weekly refunds check' }).waitFor();
  await owner.getByRole('table', { name: 'Revisions' }).getByText('Olivia Owner').waitFor();

  // A weekly task for support on today's weekday (the brand's zone is UTC here), following it.
  await nav(owner, 'Tasks').click();
  await owner.getByText('No tasks yet').waitFor();
  const form = owner.getByRole('form', { name: 'Create task' });
  await form.getByLabel('Title', { exact: true }).fill('Check refunds');
  await form.getByLabel('Assigned to').selectOption({ label: 'Everyone in Support' });
  await form.getByLabel('SOP to follow').selectOption({ label: 'Weekly refunds check' });
  await form.getByLabel('Repeats').selectOption({ label: 'Every week' });
  const weekday = new Date().toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  await form.getByLabel('On', { exact: true }).selectOption({ label: weekday });
  await form.getByLabel('Due by (time of day)').fill('23:59');
  // What it is about: picked from a search, not typed.
  await form.getByLabel('Find a course, post or product').fill('glaz');
  await form.getByRole('button', { name: 'Course: Glazing 101' }).click();
  await form.getByText('Glazing 101', { exact: true }).waitFor();
  await form.getByRole('button', { name: 'Create task' }).click();
  const card = owner.getByRole('article', { name: 'Task Check refunds' });
  await card.getByText(`Every ${weekday} at 23:59 · for Everyone in Support`).waitFor();
  await card.getByText('Open, due').waitFor();
  await card.getByText(/about Glazing 101/).waitFor();
  const saved = (await api.get('/api/tasks')).json().tasks.find((x: { title: string }) => x.title === 'Check refunds');
  assert.deepEqual(saved.subject, { type: 'course', id: course.json().id, label: 'Glazing 101' });

  // Support: My day, tick both steps, done.
  const support = await newPage();
  await support.goto('/admin/sign-in');
  await support.getByLabel('Email').fill('support@example.com');
  await support.getByLabel('Password', { exact: true }).fill('support password 123');
  await support.getByRole('button', { name: 'Sign in' }).click();
  await nav(support, 'My day').click();
  const task = support.getByRole('article', { name: 'Check refunds' });
  await task.getByText('Checklist (0 of 2 done)').waitFor();
  await task.getByLabel('Open Orders and filter refunds').check();
  await task.getByText('Checklist (1 of 2 done)').waitFor();
  await task.getByLabel('Note each reason for the owner').check();
  await task.getByText('Checklist (2 of 2 done)').waitFor();
  await task.getByRole('button', { name: 'Mark done' }).click();
  await support.getByRole('region', { name: 'Done today' }).getByText('done by support person').waitFor();
  assert.equal(await support.getByRole('article', { name: 'Check refunds' }).count(), 0);
  await support.getByText('Nothing due').waitFor();

  // The owner sees it done, and by whom.
  await owner.reload();
  await owner.getByRole('article', { name: 'Task Check refunds' }).getByText(/^Done by support person/).waitFor();
  const done = await t.app.db.select().from(events).where(and(eq(events.type, 'task.completed')));
  assert.equal(done.length, 1);
  assert.equal(done[0]!.actorKind, 'assistant');
  assert.equal(done[0]!.actorRole, 'support');
  const ticks = await t.app.db.select().from(events).where(eq(events.type, 'task.item_checked'));
  assert.equal(ticks.length, 2);

  // Marked done too soon: support re-opens it from Done today; it is due again, ticks kept, and can be unticked.
  await support.getByRole('button', { name: 'Re-open Check refunds' }).click();
  const again = support.getByRole('article', { name: 'Check refunds' });
  await again.getByText('Checklist (2 of 2 done)').waitFor();
  assert.equal(await support.getByRole('region', { name: 'Done today' }).count(), 0);
  await again.getByLabel('Note each reason for the owner').uncheck();
  await again.getByText('Checklist (1 of 2 done)').waitFor();
  const reopened = await t.app.db.select().from(events).where(eq(events.type, 'task.reopened'));
  assert.equal(reopened.length, 1);
  assert.deepEqual([reopened[0]!.actorKind, reopened[0]!.actorRole, reopened[0]!.data.from], ['assistant', 'support', 'done']);
  await support.reload();
  await support.getByRole('article', { name: 'Check refunds' }).getByText('Checklist (1 of 2 done)').waitFor();
  assert.equal(await support.getByRole('button', { name: 'Edit checklist…' }).count(), 0, 'the assistant follows the checklist; a task manager writes it');

  // The owner adds a step to this open occurrence from the task's history; the tick already made stays.
  await owner.reload();
  const ownerCard = owner.getByRole('article', { name: 'Task Check refunds' });
  await ownerCard.getByRole('button', { name: 'History' }).click();
  await ownerCard.getByRole('button', { name: /^Edit the checklist due / }).click();
  const editor = ownerCard.getByRole('form', { name: 'Checklist of Check refunds' });
  const items = editor.getByLabel('Checklist items, one per line');
  assert.equal(await items.inputValue(), 'Open Orders and filter refunds\nNote each reason for the owner');
  await items.fill('Open Orders and filter refunds\nNote each reason for the owner\nLog the refund total');
  await editor.getByRole('button', { name: 'Save checklist (3 items)' }).click();
  await ownerCard.getByRole('table', { name: 'History of Check refunds' }).getByText('1 of 3').waitFor();
  const edited = await t.app.db.select().from(events).where(eq(events.type, 'task.checklist_edited'));
  assert.equal(edited.length, 1);
  assert.deepEqual([edited[0]!.actorKind, edited[0]!.data.added, edited[0]!.data.removed], ['owner', 1, 0]);
  await support.reload();
  const extended = support.getByRole('article', { name: 'Check refunds' });
  await extended.getByText('Checklist (1 of 3 done)').waitFor();
  await extended.getByLabel('Log the refund total').waitFor();
});
