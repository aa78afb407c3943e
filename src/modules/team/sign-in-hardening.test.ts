// Sign-in hardening: the two-factor step has a budget of wrong codes, wrong codes count
// towards the account lockout, a locked account looks exactly like a wrong password, and
// X-Forwarded-For is believed only from the proxies TRUST_PROXY names.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TOTP, Secret } from 'otpauth';
import { ConfigError, loadConfig } from '../../config.js';
import { addMember, backends, Client, createTestApp, OWNER, setupOwner, type TestApp } from '../../../test/support/harness.js';

/** A 6-digit code that is none of the codes accepted around `now` (window ±1 step). */
function wrongCode(totp: TOTP, now: number): string {
  const valid = new Set([-30_000, 0, 30_000].map((d) => totp.generate({ timestamp: now + d })));
  for (let i = 0; ; i++) {
    const c = String(i * 7919).padStart(6, '0').slice(-6);
    if (!valid.has(c)) return c;
  }
}

for (const backend of backends()) {
  describe(`sign-in hardening [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let totp: TOTP;
    const code = () => totp.generate({ timestamp: t.clock.now().getTime() });
    const wrong = () => wrongCode(totp, t.clock.now().getTime());

    before(async () => {
      // Eight failures lock the account: more than one pending sign-in's budget of five codes,
      // so the two limits can be seen apart.
      t = await createTestApp(backend, { config: { LOGIN_MAX_ATTEMPTS: '8' } });
      owner = await setupOwner(t);
      const begin = (await owner.post('/api/me/two-factor/begin')).json();
      totp = new TOTP({ secret: Secret.fromBase32(begin.secret), issuer: 'Onehour', label: OWNER.email });
      assert.equal((await owner.post('/api/me/two-factor/confirm', { code: code() })).statusCode, 204);
      t.clock.advance(30_000);
    });
    after(() => t.close());

    it('a pending sign-in ends after five wrong codes: even the right code is then refused until the password is given again', async () => {
      const c = new Client(t.server);
      assert.equal((await c.login(OWNER.email, OWNER.password)).json().twoFactorRequired, true);
      for (let i = 1; i <= 4; i++) {
        const r = await c.post('/api/auth/two-factor', { code: wrong() });
        assert.equal(r.statusCode, 401);
        assert.match(r.json().error.message, /code is not right/);
      }
      const fifth = await c.post('/api/auth/two-factor', { code: wrong() });
      assert.equal(fifth.statusCode, 401);
      assert.match(fifth.json().error.message, /Sign in again/);
      const right = await c.post('/api/auth/two-factor', { code: code() });
      assert.equal(right.statusCode, 401, 'the ended sign-in takes no more codes, not even the right one');
      assert.equal((await c.get('/api/team')).statusCode, 401);

      // The password again opens a new pending sign-in, and the right code completes it.
      await c.login(OWNER.email, OWNER.password);
      const ok = await c.post('/api/auth/two-factor', { code: code() });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().user.email, OWNER.email);
      t.clock.advance(30_000);
    });

    it('wrong codes count towards the account lockout, across pending sign-ins', async () => {
      const wrongPasswordAnswer = await new Client(t.server).post('/api/auth/login', { email: OWNER.email, password: 'not the password at all' });
      t.clock.advance(30_000); // a new step, so no earlier code is in play
      // Sign-in succeeded above, so the count starts at 0 except for that one wrong password.
      const a = new Client(t.server);
      await a.login(OWNER.email, OWNER.password);
      for (let i = 0; i < 4; i++) assert.equal((await a.post('/api/auth/two-factor', { code: wrong() })).statusCode, 401);
      const b = new Client(t.server);
      await b.login(OWNER.email, OWNER.password);
      for (let i = 0; i < 2; i++) assert.equal((await b.post('/api/auth/two-factor', { code: wrong() })).statusCode, 401);
      const eighth = await b.post('/api/auth/two-factor', { code: wrong() });
      assert.equal(eighth.statusCode, 401);
      assert.match(eighth.json().error.message, /Sign in again/, 'the lockout ends the pending sign-in at once');

      // Locked: the right password gets the wrong-password answer, byte for byte.
      const locked = await new Client(t.server).post('/api/auth/login', { email: OWNER.email, password: OWNER.password });
      assert.equal(locked.statusCode, wrongPasswordAnswer.statusCode);
      assert.equal(locked.body, wrongPasswordAnswer.body);
      const events = (await owner.get('/api/activity?type=user.locked_out')).json().events;
      assert.ok(events.length >= 1, 'the lockout is recorded');

      t.clock.advance(16 * 60_000);
      const c = new Client(t.server);
      await c.login(OWNER.email, OWNER.password);
      assert.equal((await c.post('/api/auth/two-factor', { code: code() })).statusCode, 200, 'the lock ends with time');
      t.clock.advance(30_000);
    });

    it('a locked account answers exactly like a wrong password, and the lockout still holds', async () => {
      await addMember(t, owner, 'support', 'locked-out@example.com');
      const c = new Client(t.server);
      const answers: { status: number; body: string; headers: string }[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await c.post('/api/auth/login', { email: 'locked-out@example.com', password: 'wrong password!!' });
        answers.push({ status: r.statusCode, body: r.body, headers: String(r.headers['content-type']) });
      }
      const unknown = await c.post('/api/auth/login', { email: 'nobody-here@example.com', password: 'wrong password!!' });
      const lockedRight = await c.post('/api/auth/login', { email: 'locked-out@example.com', password: 'support password 123' });
      const lockedWrong = await c.post('/api/auth/login', { email: 'locked-out@example.com', password: 'wrong password!!' });
      for (const r of [unknown, lockedRight, lockedWrong]) {
        assert.equal(r.statusCode, 401);
        assert.equal(r.body, answers[0]!.body);
        assert.equal(String(r.headers['content-type']), answers[0]!.headers);
        assert.ok(!/lockedUntil|locked/i.test(r.body));
      }
      assert.ok(answers.every((a) => a.status === 401 && a.body === answers[0]!.body));
      assert.equal((await c.get('/api/team')).statusCode, 401, 'the right password did not sign in while locked');
      t.clock.advance(16 * 60_000);
      assert.equal((await c.post('/api/auth/login', { email: 'locked-out@example.com', password: 'support password 123' })).statusCode, 200);
    });
  });
}

describe('TRUST_PROXY', () => {
  it('takes a hop count or proxy addresses/CIDRs, and refuses "trust everyone"', () => {
    const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/onehour-test-unused' };
    assert.equal(loadConfig(base).trustProxy, false);
    assert.equal(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy, 1);
    assert.equal(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ ...base, TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    for (const bad of ['true', 'yes', 'on', '10.0.0.0/33', 'proxy.example.com', '300.1.1.1', '99']) {
      assert.throws(() => loadConfig({ ...base, TRUST_PROXY: bad }), (err: unknown) => err instanceof ConfigError && /TRUST_PROXY/.test(err.message), bad);
    }
  });

  for (const [setting, expected] of [
    ['1', '203.0.113.7'],
    ['127.0.0.1', '203.0.113.7'],
    ['10.1.2.3', '127.0.0.1'],
    ['false', '127.0.0.1'],
  ] as const) {
    it(`TRUST_PROXY=${setting}: a sign-in through 127.0.0.1 with X-Forwarded-For is recorded from ${expected}`, async () => {
      const t = await createTestApp('pglite', { config: { TRUST_PROXY: setting } });
      try {
        await setupOwner(t);
        const res = await t.server.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' },
          payload: { email: OWNER.email, password: OWNER.password },
        });
        assert.equal(res.statusCode, 200);
        const c = new Client(t.server);
        c.cookie = String(res.headers['set-cookie']).split(';')[0]!;
        const sessions = (await c.get('/api/me/sessions')).json().sessions as { ip: string; current: boolean }[];
        assert.equal(sessions.find((s) => s.current)!.ip, expected);
      } finally {
        await t.close();
      }
    });
  }
});
