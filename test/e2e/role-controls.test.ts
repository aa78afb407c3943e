// A role never sees a control for an action the server would refuse it. One table lists, for
// admin pages, the controls that start a state change and the permission of the route behind
// each (src/permissions.ts). The owner (who holds every permission) must SEE every control, so
// no row can pass by being absent for everyone; then support, content and marketing walk every
// page: where their role may open it, each control is there exactly when the role holds its
// permission; where it may not (the address typed in), the page refuses and shows no control.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { can, type Permission, type Role } from '../../src/permissions.js';
import { BROWSER_WAIT_MS, launchChromium, startBrowserTestApp, type BrowserTestApp } from '../support/browser.js';
import { addMember, Client, OWNER } from '../support/harness.js';

let t: BrowserTestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const ids = { product: '', course: '', page: '', post: '' };

interface Row {
  /** under /admin; ids filled in once the data exists */
  path: () => string;
  /** the permission that lets a role open the page (its nav entry's) */
  reach: Permission;
  /** shown once the page has loaded its data, to every role that may open it */
  ready: (p: Page) => Locator;
  control: string;
  find: (p: Page) => Locator;
  permission: Permission;
}

const rows: Row[] = [
  { path: () => '/', reach: 'activity.read', ready: (p) => p.getByRole('heading', { level: 1 }), control: 'Load the demo business', find: (p) => p.getByRole('button', { name: 'Load the demo business' }), permission: 'demo.load' },
  { path: () => '/', reach: 'activity.read', ready: (p) => p.getByRole('heading', { level: 1 }), control: 'download a full export', find: (p) => p.getByRole('link', { name: 'download a full export' }), permission: 'data.export' },
  { path: () => '/products', reach: 'catalog.read', ready: (p) => p.getByRole('link', { name: 'Clay Course' }), control: 'New product', find: (p) => p.getByRole('heading', { name: 'New product' }), permission: 'catalog.write' },
  { path: () => `/products/${ids.product}`, reach: 'catalog.read', ready: (p) => p.getByText('Until you write one, the product has a simple page'), control: 'Add a price', find: (p) => p.getByRole('form', { name: 'Add a price' }), permission: 'catalog.write' },
  { path: () => `/products/${ids.product}`, reach: 'catalog.read', ready: (p) => p.getByText('Until you write one, the product has a simple page'), control: 'Write a sales page', find: (p) => p.getByRole('button', { name: 'Write a sales page' }), permission: 'pages.write' },
  { path: () => `/pages/${ids.page}`, reach: 'pages.write', ready: (p) => p.getByText('You have no sign-up forms yet'), control: 'Create a form', find: (p) => p.getByRole('link', { name: 'Create a form' }), permission: 'contacts.write' },
  { path: () => '/contacts', reach: 'contacts.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Contacts' }), control: 'Add a contact', find: (p) => p.getByRole('button', { name: 'Add a contact' }), permission: 'contacts.write' },
  { path: () => '/contacts', reach: 'contacts.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Contacts' }), control: 'Export CSV', find: (p) => p.getByRole('link', { name: /^Export CSV/ }), permission: 'contacts.export' },
  { path: () => '/contacts', reach: 'contacts.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Contacts' }), control: 'Import', find: (p) => p.getByRole('navigation', { name: 'Contacts' }).getByRole('link', { name: 'Import' }), permission: 'contacts.import' },
  { path: () => '/courses', reach: 'learning.read', ready: (p) => p.getByRole('link', { name: 'Glazing 101' }), control: 'New course', find: (p) => p.getByRole('heading', { name: 'New course' }), permission: 'learning.write' },
  { path: () => `/courses/${ids.course}`, reach: 'learning.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Glazing 101' }), control: 'Publish', find: (p) => p.getByRole('button', { name: 'Publish' }), permission: 'learning.write' },
  { path: () => `/courses/${ids.course}`, reach: 'learning.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Glazing 101' }), control: 'Settings tab', find: (p) => p.getByRole('button', { name: 'Settings' }), permission: 'learning.write' },
  { path: () => '/broadcasts', reach: 'mail.read', ready: (p) => p.getByText('No broadcasts yet'), control: 'New broadcast', find: (p) => p.getByRole('link', { name: 'New broadcast' }), permission: 'mail.send' },
  { path: () => '/broadcasts/settings', reach: 'mail.read', ready: (p) => p.getByRole('heading', { level: 2, name: 'Marketing send limit' }), control: 'Save the limit', find: (p) => p.getByRole('button', { name: 'Save the limit' }), permission: 'mail.limits' },
  { path: () => '/team', reach: 'team.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Team' }), control: 'Invite someone', find: (p) => p.getByRole('heading', { name: 'Invite someone' }), permission: 'team.manage' },
  { path: () => '/webhooks', reach: 'webhooks.manage', ready: (p) => p.getByRole('heading', { level: 1, name: 'Webhooks' }), control: 'Add an endpoint', find: (p) => p.getByRole('heading', { name: 'Add an endpoint' }), permission: 'webhooks.manage' },
  { path: () => '/api-keys', reach: 'apikeys.manage', ready: (p) => p.getByRole('heading', { level: 1, name: 'API keys' }), control: 'Create a key', find: (p) => p.getByRole('heading', { name: 'Create a key' }), permission: 'apikeys.manage' },
  { path: () => '/review', reach: 'owner.review', ready: (p) => p.getByRole('heading', { level: 2, name: 'Decisions' }), control: 'Save (time budget and away mode)', find: (p) => p.getByRole('form', { name: 'Your time and away mode' }).getByRole('button', { name: 'Save' }), permission: 'owner.review' },
  { path: () => '/settings', reach: 'settings.manage', ready: (p) => p.getByRole('heading', { level: 1, name: 'Settings' }), control: 'Save settings', find: (p) => p.getByRole('button', { name: 'Save settings' }), permission: 'settings.manage' },
  { path: () => '/tasks', reach: 'tasks.manage', ready: (p) => p.getByRole('heading', { level: 1, name: 'Tasks' }), control: 'New task', find: (p) => p.getByRole('heading', { name: 'New task' }), permission: 'tasks.manage' },
  { path: () => '/sops', reach: 'tasks.work', ready: (p) => p.getByRole('heading', { level: 1, name: 'SOPs' }), control: 'Write an SOP', find: (p) => p.getByRole('link', { name: 'Write an SOP' }), permission: 'tasks.manage' },
  { path: () => '/automations', reach: 'automation.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Automations' }), control: 'Start from a template', find: (p) => p.getByRole('heading', { name: 'Start from a template' }), permission: 'automation.write' },
  { path: () => '/blog', reach: 'content.read', ready: (p) => p.getByRole('link', { name: 'Notes from the studio' }), control: 'New post', find: (p) => p.getByRole('form', { name: 'New post' }), permission: 'content.write' },
  { path: () => '/blog', reach: 'content.read', ready: (p) => p.getByRole('link', { name: 'Notes from the studio' }), control: 'Blog settings link', find: (p) => p.getByRole('navigation', { name: 'Blog' }).getByRole('link', { name: 'Settings' }), permission: 'content.settings' },
  { path: () => `/blog/${ids.post}`, reach: 'content.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Notes from the studio' }), control: 'Save draft', find: (p) => p.getByRole('button', { name: 'Save draft' }), permission: 'content.write' },
  { path: () => '/blog/redirects', reach: 'content.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Redirects' }), control: 'Add a redirect', find: (p) => p.getByRole('form', { name: 'Add a redirect' }), permission: 'content.redirects' },
  { path: () => '/inbox', reach: 'support.read', ready: (p) => p.getByRole('heading', { level: 1, name: 'Inbox' }), control: 'Support settings', find: (p) => p.getByRole('heading', { name: 'Support settings' }), permission: 'support.settings' },
];

before(async () => {
  t = await startBrowserTestApp();
  browser = await launchChromium();
  await t.app.team.createOwner(OWNER);
  const owner = new Client(t.server);
  assert.equal((await owner.login(OWNER.email, OWNER.password)).statusCode, 200);
  for (const role of ['support', 'content', 'marketing']) await addMember(t, owner, role);
  const product = await owner.post('/api/products', { slug: 'clay-course', kind: 'download', name: 'Clay Course' });
  assert.equal(product.statusCode, 201, product.body);
  ids.product = product.json().id;
  const course = await owner.post('/api/learning/courses', { title: 'Glazing 101' });
  assert.equal(course.statusCode, 201, course.body);
  ids.course = course.json().id;
  const page = await owner.post('/api/pages', { slug: 'join', kind: 'landing', content: { title: 'Join', blocks: [{ id: 'o', type: 'optin', heading: 'Join the list' }] } });
  assert.equal(page.statusCode, 201, page.body);
  ids.page = page.json().id;
  const post = await owner.post('/api/posts', { content: { title: 'Notes from the studio' } });
  assert.equal(post.statusCode, 201, post.body);
  ids.post = post.json().id;
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
});

async function signedIn(email: string, password: string): Promise<Page> {
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

/**
 * Opens every page of the table; returns how many rows it checked. A page the role may open is
 * reached inside the app, as a link in it would (the router follows the history entry, no reload:
 * loading the whole admin for each of the rows made this file the suite's slowest); a page the
 * role's navigation leaves out is loaded from its typed-in address.
 */
async function walk(role: Role, page: Page): Promise<number> {
  let checked = 0;
  for (const row of rows) {
    const address = `/admin${row.path() === '/' ? '' : row.path()}`;
    if (can(role, row.reach) && new URL(page.url()).pathname.startsWith('/admin')) {
      await page.evaluate((to) => {
        if (window.location.pathname === to) return;
        window.history.pushState(null, '', to);
        window.dispatchEvent(new PopStateEvent('popstate'));
      }, address);
    } else await page.goto(address);
    if (!can(role, row.reach)) {
      // Not in the role's navigation; typed in, the page says the role cannot do this, and shows no control.
      await page.getByRole('heading', { name: 'Your role cannot do this' }).waitFor();
      assert.equal(await row.find(page).count(), 0, `${role} on ${row.path()} (typed in): ${row.control}`);
      checked++;
      continue;
    }
    await row.ready(page).first().waitFor();
    const what = `${role} on ${row.path()}: ${row.control} (${row.permission})`;
    if (can(role, row.permission)) await row.find(page).first().waitFor().catch(() => assert.fail(`${what} should be shown`));
    else assert.equal(await row.find(page).count(), 0, `${what} should be hidden`);
    checked++;
  }
  return checked;
}

test('the owner sees every control of the table (so no row passes by being absent for everyone)', async () => {
  const page = await signedIn(OWNER.email, OWNER.password);
  assert.equal(await walk('owner', page), rows.length);
});

for (const role of ['support', 'content', 'marketing'] as const) {
  test(`${role} sees a control exactly when the role holds the permission of its route`, async () => {
    const page = await signedIn(`${role}@example.com`, `${role} password 123`);
    const checked = await walk(role, page);
    const hidden = rows.filter((r) => !can(role, r.permission)).length;
    assert.equal(checked, rows.length);
    assert.ok(hidden > 0, `${role}: ${hidden} hidden controls`);
  });
}
