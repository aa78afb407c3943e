// Staff password-reset requests and customer sign-in requests answer the same way whether or
// not the address exists: the lookup and the mailing run in a background job, after the
// answer, so neither the answer nor its timing tells who has an account.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { backends, Client, createTestApp, OWNER, setupOwner, waitFor, type TestApp } from '../../../test/support/harness.js';
import { Browser } from '../../../test/support/form-browser.js';

/** What a visitor can compare: status, headers that matter, and the body. */
function visible(res: LightMyRequestResponse, normalise: (body: string) => string = (b) => b) {
  // The rate-limit counter counts every request alike; it says nothing about the address.
  const { date: _d, 'x-request-id': _r, 'set-cookie': _c, 'content-length': _l, 'x-ratelimit-remaining': _n, ...headers } = res.headers;
  return { status: res.statusCode, headers, body: normalise(res.body) };
}

for (const backend of backends()) {
  describe(`reset and sign-in requests mail from a job [${backend}]`, () => {
    let t: TestApp;
    before(async () => {
      // No workers at first: whatever the request itself does is visible before any job runs.
      t = await createTestApp(backend);
      await setupOwner(t);
      await t.app.audience.upsertContact(t.app.db, { email: 'sam@example.com', name: 'Sam', source: 'checkout' });
    });
    after(() => t.close());

    const outbox = async (to: string, tag: string) => (await t.app.mail.listOutbox({ to })).filter((m) => m.tag === tag);

    it('answers a known and an unknown address identically, mails nothing until the job runs, then mails only the known one', async () => {
      const anon = new Client(t.server);
      const known = await anon.post('/api/auth/password-reset/request', { email: OWNER.email });
      const unknown = await anon.post('/api/auth/password-reset/request', { email: 'nobody@example.com' });
      assert.equal(known.statusCode, 204);
      assert.deepEqual(visible(known), visible(unknown));

      const visitor = new Browser(t.server);
      const ask = async (email: string) => {
        const form = await visitor.go('GET', '/account/sign-in');
        return visitor.go('POST', '/account/sign-in', { email, _csrf: Browser.csrf(form.body), next: '/account' });
      };
      const knownCustomer = await ask('sam@example.com');
      const unknownCustomer = await ask('stranger@example.com');
      assert.equal(knownCustomer.statusCode, 200);
      assert.match(knownCustomer.body, /sign-in link is on its way/);
      // The page echoes the typed address and carries a fresh form token; the rest is the same.
      const normalise = (body: string) => body.replace(/sam@example\.com|stranger@example\.com/g, 'EMAIL').replace(/name="_csrf" value="[^"]*"/g, 'CSRF');
      assert.deepEqual(visible(knownCustomer, normalise), visible(unknownCustomer, normalise));

      // The request did no lookup and no mailing: nothing exists until the job runs.
      assert.equal((await outbox(OWNER.email, 'team.password_reset')).length, 0, 'no reset mail before the job ran');
      assert.equal((await outbox('sam@example.com', 'portal.magic_link')).length, 0, 'no sign-in mail before the job ran');
      const resets = await t.app.database.execute<{ n: number }>('select count(*)::int as n from password_resets');
      assert.equal(resets.rows[0]!.n, 0, 'no reset token before the job ran');

      await t.app.jobs.work(t.app);
      await waitFor(async () => (await outbox(OWNER.email, 'team.password_reset')).length === 1, { what: 'the reset mail' });
      await waitFor(async () => (await outbox('sam@example.com', 'portal.magic_link')).length === 1, { what: 'the sign-in mail' });
      assert.equal((await t.app.mail.listOutbox({ to: 'nobody@example.com' })).length, 0);
      assert.equal((await t.app.mail.listOutbox({ to: 'stranger@example.com' })).length, 0);
    });
  });
}
