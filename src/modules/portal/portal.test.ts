import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp, waitFor, type TestApp } from '../../../test/support/harness.js';
import { mailAsDelivered } from '../mail/test-helpers.js';

/** A cookie jar for server-rendered forms: keeps cookies, reads the hidden CSRF field. */
class Browser {
  cookies = new Map<string, string>();
  constructor(private readonly t: TestApp) {}
  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async go(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    const res = await this.t.server.inject({
      method,
      url,
      headers: { cookie: this.cookieHeader, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      payload: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (v) this.cookies.set(k!, v);
      else this.cookies.delete(k!);
    }
    return res;
  }
  static csrf(html: string): string {
    return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  }
}

for (const backend of backends()) {
  describe(`customer portal sign-in [${backend}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(backend);
      await t.app.audience.upsertContact(t.app.db, { email: 'Sam@Example.com', name: 'Sam', source: 'checkout' });
    });
    after(() => t.close());

    it('sends a single-use magic link that signs the customer in', async () => {
      const b = new Browser(t);
      const account = await b.go('GET', '/account');
      assert.equal(account.statusCode, 302);
      assert.match(account.headers.location as string, /^\/account\/sign-in\?next=/);

      const form = await b.go('GET', '/account/sign-in');
      const sent = await b.go('POST', '/account/sign-in', { email: 'sam@example.com', _csrf: Browser.csrf(form.body), next: '/account' });
      assert.equal(sent.statusCode, 200);
      assert.match(sent.body, /sign-in link is on its way/);
      // The lookup and the mail happen in a job (portal.sign-in-request, see
      // team/mailing-in-job.test.ts); no workers run here, so do its work.
      await t.app.portal.requestSignIn('sam@example.com', '/account');
      const mails = await waitFor(async () => {
        const found = await t.app.mail.listOutbox({ to: 'sam@example.com' });
        return found.length ? found : null;
      }, { what: 'the sign-in mail' });
      assert.equal(mails.length, 1);
      assert.match((await t.app.mail.getMessage(mails[0]!.id)).text, /\/account\/magic\?token=\[hidden\]/, 'the outbox shows the link hidden');
      const msg = await mailAsDelivered(t.app, mails[0]!.id);
      const link = /(http\S+\/account\/magic\?token=[\w-]+)/.exec(msg.text)![1]!;
      const path = new URL(link).pathname + new URL(link).search;

      const landing = await b.go('GET', path);
      assert.equal(landing.statusCode, 200, 'opening the link alone does not spend it');
      const token = new URL(link).searchParams.get('token')!;
      const signedIn = await b.go('POST', '/account/magic', { token, _csrf: Browser.csrf(landing.body) });
      assert.equal(signedIn.statusCode, 303);
      const home = await b.go('GET', '/account');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Hello, Sam/);

      const other = new Browser(t);
      const land2 = await other.go('GET', path);
      const again = await other.go('POST', '/account/magic', { token, _csrf: Browser.csrf(land2.body) });
      assert.equal(again.statusCode, 400, 'a spent link does not work twice');
      assert.match(again.body, /expired or was already used/);
    });

    it('answers the same for unknown addresses and mails nothing', async () => {
      const b = new Browser(t);
      const form = await b.go('GET', '/account/sign-in');
      const res = await b.go('POST', '/account/sign-in', { email: 'stranger@example.com', _csrf: Browser.csrf(form.body) });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /sign-in link is on its way/);
      assert.equal((await t.app.mail.listOutbox({ to: 'stranger@example.com' })).length, 0);
    });

    it('refuses a form post without its token, and sign-out ends the session', async () => {
      const b = new Browser(t);
      const forged = await b.go('POST', '/account/sign-in', { email: 'sam@example.com' });
      assert.equal(forged.statusCode, 403);
      const contact = await t.app.audience.findByEmail(t.app.db, 'sam@example.com');
      const { token, session } = await t.app.portal.openSession(t.app.db, contact!);
      b.cookies.set('oh_customer', token);
      assert.equal((await b.go('POST', '/account/sign-out', {})).statusCode, 403, 'no CSRF token, no sign-out');
      assert.equal((await b.go('POST', '/account/sign-out', { _csrf: session.csrfToken })).statusCode, 303);
      const replay = new Browser(t);
      replay.cookies.set('oh_customer', token);
      assert.equal((await replay.go('GET', '/account')).statusCode, 302);
    });

    it('never redirects off-site after sign-in', async () => {
      const { safeNext } = await import('./service.js');
      assert.equal(safeNext('//evil.example/x'), '/account');
      assert.equal(safeNext('https://evil.example'), '/account');
      assert.equal(safeNext('/courses/1'), '/courses/1');
    });
  });
}
