// The demo business, tried as a visitor would: every public page reachable from the store,
// every link followed, every form filled and sent. Nothing may answer 4xx/5xx, and every opt-in
// form must leave the contact it promises (waiting for confirmation on a double opt-in form).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestApp } from '../../../test/support/harness.js';
import { createDemoTestApp } from '../../../test/support/demo-snapshot.js';
import { checkSiteLinks, injectRequester, type LinkCheckReport } from './link-check.js';

for (const backend of backends()) {
  describe(`the demo site, link by link and form by form [${backend}]`, () => {
    let t: TestApp;
    let report: LinkCheckReport;
    before(async () => {
      // A copy of the whole demo business (every seed, as a newcomer has it after the setup).
      t = await createDemoTestApp(backend, { config: { RATE_LIMIT_FORMS: '1000' } });
      report = await checkSiteLinks(injectRequester(t.server), { origin: t.app.config.publicUrl, submitForms: true });
    });
    after(() => t.close());

    it('reaches the store, the sales pages, checkout, the portal sign-in and the forms, with no dead link', () => {
      assert.deepEqual(report.deadLinks, []);
      const has = (re: RegExp) => report.pages.some((p) => re.test(p));
      assert.ok(has(/^\/$/), 'the store');
      assert.ok(report.pages.filter((p) => /^\/p\/[a-z0-9-]+$/.test(p)).length >= 3, `sales pages: ${report.pages.join(', ')}`);
      assert.ok(has(/^\/checkout\/[0-9a-f-]{36}$/), 'checkout');
      assert.ok(has(/^\/account\/sign-in/), 'the portal sign-in');
    });

    it('every form answers as it should: no dead form, sign-in 2xx, checkout reaches the payment page', () => {
      assert.deepEqual(report.deadForms, []);
      const signIn = report.submissions.filter((s) => s.action.startsWith('/account/sign-in'));
      assert.ok(signIn.length >= 1, 'the sign-in form was tried');
      for (const s of signIn) assert.ok(s.status >= 200 && s.status < 300, `sign-in answered ${s.status}`);
      const checkouts = report.submissions.filter((s) => /^\/checkout\/[0-9a-f-]{36}$/.test(s.action));
      assert.ok(checkouts.length >= 1, 'a checkout form was tried');
      for (const s of checkouts) assert.ok(s.status < 400, `${s.action} answered ${s.status}`);
    });

    it('the "free pricing guide" on the main sales page captures the lead, pending confirmation', async () => {
      const optins = report.submissions.filter((s) => /^\/f\/[a-z0-9-]+$/.test(s.action));
      const guide = optins.find((s) => s.action === '/f/pricing-guide' && s.page.startsWith('/p/'));
      assert.ok(guide, `the sales page's opt-in posts to the pricing guide form: ${JSON.stringify(report.submissions.map((s) => [s.page, s.action]))}`);
      for (const s of optins) {
        assert.equal(s.status, 200, `${s.page} → ${s.action}`);
        assert.ok(s.email, `${s.action} has an email field`);
        const contact = await t.app.audience.findByEmail(t.app.db, s.email!);
        assert.ok(contact, `${s.page} → ${s.action} created ${s.email}`);
        const form = await t.app.audience.forms.bySlug(s.action.slice(3));
        assert.equal(contact.status, form.doubleOptIn ? 'unconfirmed' : 'active', `${s.email} after ${s.action}`);
      }
    });
  });
}
