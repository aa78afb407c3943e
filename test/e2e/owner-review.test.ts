// The weekly review in a real browser: the owner opens it, approves a refund an assistant asked
// for, marks a stale course reviewed, reassigns a conversation that waited past its SLA to
// another person, and the open decisions drop with each click.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { addMember, Client, OWNER } from '../support/harness.js';
import { defineApprovalKind } from '../../src/modules/approvals/index.js';
import { courses } from '../../src/modules/learning/schema.js';
import { parseInbound } from '../../src/modules/support/index.js';
import { supportConversations } from '../../src/modules/support/schema.js';
import { plainMessage } from '../../src/modules/support/test-mail.js';

let t: BrowserTestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
let applied = 0;
let conversationId = '';
let adminId = '';
let taskId = '';

before(async () => {
  t = await startBrowserTestApp();
  browser = await launchChromium();
  // The support module registers `support.refund`; this journey registers a kind of its own.
  t.app.approvals.register(
    defineApprovalKind({
      kind: 'test.refund',
      data: z.object({ orderNumber: z.number().int(), amount: z.string() }),
      applyInTx: async () => {
        applied++;
        return 'refunded';
      },
    }),
  );
  await t.app.team.createOwner(OWNER);
  const owner = new Client(t.server);
  await owner.login(OWNER.email, OWNER.password);
  await addMember(t, owner, 'support');
  const support = (await t.app.team.listUsers()).find((u) => u.role === 'support')!;
  await t.app.database.transaction((tx) =>
    t.app.approvals.requestInTx(tx, { kind: 'test.refund', data: { orderNumber: 1042, amount: '250.00 EUR' }, title: 'Refund order #1042 (250.00 EUR)', summary: 'Above the support limit of 50 EUR', actor: { kind: 'assistant', id: support.id, role: 'support' } }),
  );
  // A course last reviewed 200 days ago: overdue (the default limit is 180 days).
  const course = await t.app.learning.createCourse({ title: 'Glazing 101' }, { kind: 'system' });
  await t.app.db.update(courses).set({ lastReviewedAt: new Date(Date.now() - 200 * 86_400_000) }).where(eq(courses.id, course.id));
  // A conversation assigned to the support member that waited ten days (past both SLAs).
  await addMember(t, owner, 'admin');
  adminId = (await t.app.team.listUsers()).find((u) => u.role === 'admin')!.id;
  conversationId = (await t.app.support.ingest(await parseInbound(plainMessage({ from: 'Lu <lu@example.com>', subject: 'Nobody answers', messageId: '<lu1@customer.example>' }), {}), 'smtp')).conversationId!;
  await t.app.support.assign(conversationId, support.id, { kind: 'system' });
  await t.app.db.update(supportConversations).set({ firstInboundAt: new Date(Date.now() - 10 * 86_400_000) }).where(eq(supportConversations.id, conversationId));
  assert.ok((await t.app.support.checkSlas()) >= 1);
  // A one-off task for the support member, due at midnight today (UTC, the brand's zone): overdue.
  const today = new Date().toISOString().slice(0, 10);
  taskId = (await t.app.tasks.createTask({ title: 'Clear the refunds queue', notes: '', assignee: { userId: support.id }, sopId: null, subject: null, recurrence: { kind: 'once' }, startsOn: today, dueTime: '00:00' }, { kind: 'owner', id: (await t.app.team.listUsers()).find((u) => u.role === 'owner')!.id })).id;
  await t.app.owner.runDailyChecks();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
});

async function signedIn(email = OWNER.email, password = OWNER.password): Promise<Page> {
  const context = await browser.newContext({ baseURL: t.baseUrl, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  await page.goto('/admin/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

const openCount = async (page: Page) => {
  const text = (await page.locator('.review-count').textContent()) ?? '';
  const m = /^(\d+) open decision/.exec(text);
  return m ? Number(m[1]) : 0;
};

test('the owner opens the review, approves a refund, marks a course reviewed, reassigns a waiting conversation and an overdue task, and the open decisions drop', async () => {
  const page = await signedIn();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Weekly review' }).click();
  await page.getByRole('heading', { level: 1, name: 'Weekly review' }).waitFor();
  const refund = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Refund order #1042/ }) });
  await refund.waitFor();
  await refund.getByText('Above the support limit of 50 EUR').waitFor();
  const course = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Glazing 101/ }) });
  await course.waitFor();
  const start = await openCount(page);
  assert.ok(start >= 4 && start <= 7, `open decisions: ${start}`);

  await refund.getByRole('button', { name: 'Approve' }).click();
  await refund.waitFor({ state: 'detached' });
  await page.getByText(`${start - 1} open decision`).waitFor();
  assert.equal(applied, 1, 'the approved refund ran');
  const [approved] = await t.app.approvals.list(t.app.db, { status: 'approved' });
  assert.equal(approved?.decidedBy?.kind, 'owner');

  await course.getByRole('button', { name: 'Mark reviewed' }).click();
  await course.waitFor({ state: 'detached' });
  await page.getByText(start - 2 === 0 ? 'Nothing needs a decision from you.' : `${start - 2} open decision`).waitFor();
  const reviewed = await t.app.events.list(t.app.db, { type: 'course.reviewed' });
  assert.equal(reviewed[0]?.actorKind, 'owner');

  // Reassign: pick the admin, one click; the conversation is theirs and the decision leaves.
  const waiting = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /waited past its SLA/ }) });
  await waiting.getByText('lu@example.com').waitFor();
  await waiting.getByLabel('Reassign to').selectOption(adminId);
  await waiting.getByRole('button', { name: 'Reassign' }).click();
  await waiting.waitFor({ state: 'detached' });
  await page.getByText(start - 3 === 0 ? 'Nothing needs a decision from you.' : `${start - 3} open decision`).waitFor();
  assert.equal((await t.app.support.get(t.app.db, conversationId)).assigneeId, adminId);
  const assigned = (await t.app.events.list(t.app.db, { type: 'support.assigned' })).find((e) => e.data.assigneeId === adminId);
  assert.equal(assigned?.actorKind, 'owner');

  // The overdue task: hand it to whoever holds the content role; it leaves the decisions.
  const task = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Clear the refunds queue/ }) });
  await task.getByLabel('Reassign to').selectOption('role:content');
  await task.getByRole('button', { name: 'Reassign' }).click();
  await task.waitFor({ state: 'detached' });
  await page.getByText(start - 4 === 0 ? 'Nothing needs a decision from you.' : `${start - 4} open decision`).waitFor();
  const updated = (await t.app.events.list(t.app.db, { type: 'task.updated', subjectId: taskId }))[0];
  assert.equal(updated?.actorKind, 'owner');
  assert.deepEqual(updated?.data.changed, ['assignee']);
});

test('the owner hands a refund decision to the admin, who approves it from their Approvals page', async () => {
  const support = (await t.app.team.listUsers()).find((u) => u.role === 'support')!;
  await t.app.database.transaction((tx) =>
    t.app.approvals.requestInTx(tx, { kind: 'test.refund', data: { orderNumber: 1043, amount: '180.00 EUR' }, title: 'Refund order #1043 (180.00 EUR)', summary: 'Above the support limit of 50 EUR', actor: { kind: 'assistant', id: support.id, role: 'support' } }),
  );
  const page = await signedIn();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Weekly review' }).click();
  const refund = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Refund order #1043/ }) });
  await refund.getByLabel('Hand to').selectOption(adminId);
  await refund.getByRole('button', { name: 'Hand over' }).click();
  await refund.waitFor({ state: 'detached' });
  const mail = (await t.app.database.execute<{ text_body: string | null }>("select text as text_body from mail_messages where tag = 'approval.delegated'")).rows;
  assert.equal(mail.length, 1);
  assert.match(mail[0]!.text_body ?? '', /\/admin\/approvals/, 'the email links to the page the admin decides on');

  // The admin: the Approvals page lists what was handed to them, with the buttons.
  const admin = await signedIn('admin@example.com', 'admin password 123');
  await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
  const card = admin.getByRole('article', { name: /Refund order #1043/ });
  await card.getByLabel('Note for the requester (optional)').fill('A customer since 2024: fine.');
  await card.getByRole('button', { name: 'Approve' }).click();
  await admin.getByText(/Approved: Refund order #1043/).waitFor();
  await admin.getByText('Nothing to decide').waitFor();
  assert.equal(applied, 2, 'the handed-over refund ran once');
  const decided = (await t.app.approvals.list(t.app.db, { status: 'approved' })).find((a) => a.title.includes('#1043'));
  assert.equal(decided?.decidedBy?.kind, 'assistant');
  assert.equal(decided?.decidedBy?.id, adminId);
  assert.equal(decided?.note, 'A customer since 2024: fine.');
});
