// What a signed-in person sees must not be kept or leaked elsewhere: tokens never reach the
// logs, authenticated answers are never cached, passwords from attackers' lists are refused
// everywhere a password is set, and `next` never leads off the site.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createApp } from '../app.js';
import { ManualClock } from '../clock.js';
import { safeRedirectPath } from '../safe-redirect.js';
import { addMember, backends, Client, createTestApp, OWNER, openTestDatabase, setupOwner, testConfig, type TestApp } from '../../test/support/harness.js';
import { buildServer } from './server.js';
import { mailAsDelivered } from '../modules/mail/test-helpers.js';

for (const backend of backends()) {
  describe(`secrets hygiene [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      await t.app.audience.upsertContact(t.app.db, { email: 'cara@example.com', name: 'Cara', source: 'checkout' });
    });
    after(() => t.close());

    it('answers to a staff session, an API key and a customer session carry Cache-Control: no-store', async () => {
      const staff: [string, string][] = [
        ['GET', '/api/auth/session'],
        ['GET', '/api/team'],
        ['GET', '/api/me/sessions'],
        ['GET', '/api/activity'],
        ['GET', '/api/audit'],
        ['GET', '/api/no-such-thing'],
      ];
      for (const [method, url] of staff) {
        const res = await owner.request(method, url);
        assert.equal(res.headers['cache-control'], 'no-store', `${method} ${url} (${res.statusCode})`);
      }
      const signIn = await new Client(t.server).post('/api/auth/login', { email: OWNER.email, password: OWNER.password });
      assert.equal(signIn.headers['cache-control'], 'no-store', 'the sign-in answer carries the CSRF token');

      const key = (await owner.post('/api/api-keys', { name: 'Reports', role: 'admin' })).json().key;
      for (const url of ['/api/activity', '/api/team']) {
        const res = await t.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['cache-control'], 'no-store', `API key ${url}`);
      }

      const contact = await t.app.audience.findByEmail(t.app.db, 'cara@example.com');
      const { token } = await t.app.portal.openSession(t.app.db, contact!);
      const account = await t.server.inject({ method: 'GET', url: '/account', headers: { cookie: `oh_customer=${token}` } });
      assert.equal(account.statusCode, 200);
      assert.equal(account.headers['cache-control'], 'no-store', 'the customer account page');

      const anonymous = await t.server.inject({ method: 'GET', url: '/healthz' });
      assert.notEqual(anonymous.headers['cache-control'], 'no-store', 'anonymous answers are left as they are');
    });

    it('refuses common and breached passwords wherever a password is set, with a clear message', async () => {
      const common = ['password1234', 'qwerty123456', 'Sunshine2026!', 'iloveyou iloveyou', 'aaaaaaaaaaaaaa'];
      const isRefusal = (res: { statusCode: number; json(): { error: { code: string; message: string } } }) =>
        res.statusCode === 400 && res.json().error.code === 'validation_failed' && /most common passwords/.test(res.json().error.message);

      // Setup (a fresh installation).
      const fresh = await createTestApp(backend);
      try {
        for (const password of common) {
          const res = await new Client(fresh.server).post('/api/setup', { ...OWNER, password });
          assert.ok(isRefusal(res), `setup with ${password}: ${res.statusCode} ${res.body}`);
        }
        assert.equal((await new Client(fresh.server).get('/api/auth/session')).json().needsSetup, true, 'no owner was created');
      } finally {
        await fresh.close();
      }

      // Invitation accept.
      const inv = (await owner.post('/api/team/invitations', { email: 'newbie@example.com', role: 'support' })).json();
      const invToken = inv.link.split('#token=')[1];
      const accept = await new Client(t.server).post('/api/invitations/accept', { token: invToken, name: 'New', password: 'password1234' });
      assert.ok(isRefusal(accept), accept.body);
      assert.equal((await new Client(t.server).post('/api/invitations/accept', { token: invToken, name: 'New', password: 'newbie password 77' })).statusCode, 200, 'the invitation is still usable');

      // Reset.
      await t.app.team.requestPasswordReset('newbie@example.com');
      const [resetMail] = (await t.app.mail.listOutbox({ to: 'newbie@example.com' })).filter((m) => m.tag === 'team.password_reset');
      const resetToken = /#token=([\w-]+)/.exec((await mailAsDelivered(t.app, resetMail!.id)).text)![1];
      const resetRes = await new Client(t.server).post('/api/auth/password-reset', { token: resetToken, password: 'qwerty123456' });
      assert.ok(isRefusal(resetRes), resetRes.body);

      // Change.
      const member = await addMember(t, owner, 'content', 'changer@example.com');
      const change = await member.post('/api/me/password', { currentPassword: 'content password 123', newPassword: 'iloveyou12345' });
      assert.ok(isRefusal(change), change.body);
      assert.equal(change.json().error.details.field, 'newPassword');

      // The CLI (`onehour reset-password` / `create-owner` call these).
      await assert.rejects(t.app.team.setPasswordByEmail('changer@example.com', 'password1234'), /most common passwords/);
      await assert.rejects(t.app.team.createOwner({ email: 'x@example.com', name: 'X', password: 'password1234' }), /most common passwords/);

      // Nothing was changed by the refusals: the old passwords still work.
      await new Client(t.server).login('newbie@example.com', 'newbie password 77');
      await new Client(t.server).login('changer@example.com', 'content password 123');
    });

    it('the customer sign-in form keeps only a same-site next', async () => {
      const hostile = await t.server.inject({ method: 'GET', url: `/account/sign-in?next=${encodeURIComponent('/\\evil.example')}` });
      assert.match(hostile.body, /name="next" value="\/account"/);
      const fine = await t.server.inject({ method: 'GET', url: `/account/sign-in?next=${encodeURIComponent('/learn/course-1?x=1')}` });
      assert.match(fine.body, /name="next" value="\/learn\/course-1\?x=1"/);
    });
  });
}

describe('logs', () => {
  it('never contain the query string or fragment of a request URL (tokens travel there)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const db = await openTestDatabase('pglite');
    const app = await createApp({ config: testConfig({ LOG_LEVEL: 'info' }), clock: new ManualClock(new Date()), database: db.database, log: pino({ level: 'info' }, sink) });
    const server = await buildServer(app);
    try {
      const secret = 'tok_SECRET_7f3a9c';
      for (const url of [
        `/account/magic?token=${secret}`,
        `/api/no-such-route?token=${secret}`,
        `/email/preferences?token=${secret}&x=1`,
        `/api/auth/session?t=${secret}`,
      ]) {
        await server.inject({ method: 'GET', url });
      }
      await server.inject({ method: 'POST', url: `/api/auth/login?next=${secret}`, payload: { email: 'a@example.com', password: 'whatever password' } });
      const requestLines = lines.filter((l) => l.includes('"req"'));
      assert.ok(requestLines.length >= 5, `requests were logged (${lines.length} lines)`);
      assert.ok(requestLines.some((l) => l.includes('/account/magic')), 'the path is still logged');
      const leaks = lines.filter((l) => l.includes(secret));
      assert.deepEqual(leaks, []);
    } finally {
      await server.close();
      await app.jobs.stop(1000);
      app.mail.close();
      await db.drop();
    }
  });
});

describe('safe redirects', () => {
  it('keeps same-site paths and turns every hostile next into the fallback', () => {
    for (const ok of ['/account', '/learn/course-1/lessons/2?n=1#quiz', '/a/b%20c', '/']) assert.equal(safeRedirectPath(ok, '/home'), ok, ok);
    const hostile = [
      undefined,
      '',
      'https://evil.example',
      'http:/evil.example',
      'javascript:alert(1)',
      'data:text/html,hi',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\\/evil.example',
      '/%2F%2Fevil.example',
      '/%5Cevil.example',
      '%2F%2Fevil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/ok\r\nSet-Cookie: x=1',
      '/ok\u0000',
      '/ok%0d%0aSet-Cookie:x',
      ' /account',
      '/\u2028/evil.example',
      'evil.example',
      '/%',
      `/${'a'.repeat(600)}`,
    ];
    for (const bad of hostile) assert.equal(safeRedirectPath(bad, '/home'), '/home', JSON.stringify(bad));
    assert.equal(safeRedirectPath(['/account'], '/home'), '/home');
  });
});
