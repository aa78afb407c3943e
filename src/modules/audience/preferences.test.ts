import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import { Browser, pageText } from '../../../test/support/form-browser.js';
import type { Contact } from './service.js';

const ORIGIN = 'http://127.0.0.1:3000';

for (const backend of backends()) {
  describe(`email preferences [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let weekly: string;
    let news: string;
    let ada: Contact;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      weekly = (await owner.post('/api/lists', { name: 'Weekly letter', description: 'Every Friday' })).json().id;
      news = (await owner.post('/api/lists', { name: 'Product news' })).json().id;
      const res = await owner.post('/api/contacts', { email: 'ada@example.com', name: 'Ada', listIds: [weekly, news], consentNote: 'Signed up at the workshop' });
      assert.equal(res.statusCode, 201, res.body);
      ada = (await t.app.audience.findByEmail(t.app.db, 'ada@example.com'))!;
    });
    after(() => t.close());

    const subscribed = async () =>
      (await owner.get(`/api/contacts/${ada.id}`)).json().lists.filter((l: { status: string }) => l.status === 'subscribed').map((l: { name: string }) => l.name).sort();

    it('the signed link from an email opens the page; the person leaves one list and stays on the other', async () => {
      // The format agreed with the mail module for footer links.
      const token = t.app.signer.sign('preferences', ada.id, null);
      assert.equal(t.app.audience.preferencesUrl(ada.id), `http://127.0.0.1:3000/email/preferences?token=${token}`);
      const b = new Browser(t.server, ORIGIN);
      const page = await b.go('GET', `/email/preferences?token=${token}`);
      assert.equal(page.statusCode, 200);
      const text = pageText(page.body);
      assert.match(text, /For ada@example\.com/);
      assert.match(text, /Weekly letter — Every Friday/);
      const box = new RegExp(`<input type="checkbox" id="list-${weekly}"[^>]*>`).exec(page.body)![0];
      assert.match(box, /checked=""/);
      assert.match(box, new RegExp(`value="${weekly}"`));

      const saved = await b.go('POST', '/email/preferences', { token, _csrf: Browser.csrf(page.body), action: 'save', list: [news] });
      assert.equal(saved.statusCode, 303);
      assert.deepEqual(await subscribed(), ['Product news']);
      const after = await b.go('GET', saved.headers.location as string);
      assert.match(pageText(after.body), /Your choices are saved/);

      const events = (await owner.get(`/api/contacts/${ada.id}`)).json().events;
      const left = events.find((e: { type: string }) => e.type === 'contact.unsubscribed');
      assert.equal(left.actorKind, 'customer');
      assert.equal(left.actorId, ada.id);
      assert.deepEqual(left.data, { listId: weekly, via: 'preferences' });
      assert.equal((await t.app.audience.getContact(t.app.db, ada.id)).status, 'active', 'leaving one list is not leaving everything');
    });

    it('ticking a list again rejoins it; "unsubscribe from everything" stops all marketing mail', async () => {
      const token = t.app.signer.sign('preferences', ada.id, null);
      const b = new Browser(t.server, ORIGIN);
      let page = await b.go('GET', `/email/preferences?token=${token}`);
      await b.go('POST', '/email/preferences', { token, _csrf: Browser.csrf(page.body), action: 'save', list: [news, weekly] });
      assert.deepEqual(await subscribed(), ['Product news', 'Weekly letter']);

      page = await b.go('GET', `/email/preferences?token=${token}`);
      const res = await b.go('POST', '/email/preferences', { token, _csrf: Browser.csrf(page.body), action: 'unsubscribe_all', list: [news, weekly] });
      assert.equal(res.statusCode, 303);
      assert.equal((await t.app.audience.getContact(t.app.db, ada.id)).status, 'unsubscribed');
      assert.deepEqual(await subscribed(), []);
      const audience = await t.app.db.execute(t.app.audience.audienceSql({ listId: news }));
      assert.equal((audience as unknown as { rows: unknown[] }).rows.length, 0, 'she is out of every broadcast audience');

      const back = await b.go('GET', res.headers.location as string);
      assert.match(pageText(back.body), /You are unsubscribed from all our email/);
      const again = await b.go('POST', '/email/preferences', { token, _csrf: Browser.csrf(back.body), action: 'resubscribe' });
      assert.equal(again.statusCode, 303);
      assert.equal((await t.app.audience.getContact(t.app.db, ada.id)).status, 'active');
      assert.deepEqual(await subscribed(), ['Product news', 'Weekly letter']);
      const consent = (await owner.get(`/api/contacts/${ada.id}`)).json().consent;
      assert.equal(consent[0].kind, 'preferences', 'coming back is kept as consent evidence');
      assert.ok(consent[0].ip);
    });

    it('refuses a forged or foreign token, and a post without the form token', async () => {
      const b = new Browser(t.server, ORIGIN);
      const forged = await b.go('GET', `/email/preferences?token=${t.app.signer.sign('confirm', ada.id, null)}`);
      assert.equal(forged.statusCode, 400);
      assert.match(pageText(forged.body), /not valid/);
      const token = t.app.signer.sign('preferences', ada.id, null);
      const noCsrf = await new Browser(t.server, ORIGIN).go('POST', '/email/preferences', { token, action: 'unsubscribe_all' });
      assert.equal(noCsrf.statusCode, 403);
      assert.equal((await t.app.audience.getContact(t.app.db, ada.id)).status, 'active');
    });

    it('the account page has an Email preferences section that saves the same choices', async () => {
      const { token, session } = await t.app.portal.openSession(t.app.db, ada);
      const b = new Browser(t.server, ORIGIN);
      b.cookies.set('oh_customer', token);
      const account = await b.go('GET', '/account');
      assert.equal(account.statusCode, 200);
      assert.match(account.body, /<h2 id="s-email-preferences">Email preferences<\/h2>/);
      assert.match(account.body, /action="\/account\/email-preferences"/);

      const forged = await b.go('POST', '/account/email-preferences', { action: 'unsubscribe_all' });
      assert.equal(forged.statusCode, 403, 'the session CSRF token is required');
      const res = await b.go('POST', '/account/email-preferences', { _csrf: session.csrfToken, action: 'save', list: [weekly] });
      assert.equal(res.statusCode, 303);
      assert.deepEqual(await subscribed(), ['Weekly letter']);
      const back = await b.go('GET', res.headers.location as string);
      assert.match(pageText(back.body), /Your email choices are saved/);
      const event = (await owner.get(`/api/contacts/${ada.id}`)).json().events.find((e: { type: string }) => e.type === 'contact.unsubscribed');
      assert.equal(event.data.via, 'account');
    });
  });
}
