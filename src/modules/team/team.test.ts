import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TOTP, Secret } from 'otpauth';
import { addMember, backends, Client, createTestApp, OWNER, setupOwner, waitFor, type TestApp } from '../../../test/support/harness.js';
import { mailAsDelivered } from '../mail/test-helpers.js';

for (const backend of backends()) {
  describe(`team and sign-in [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
    });
    after(() => t.close());

    it('setup creates the owner once; a second setup is refused', async () => {
      const me = await owner.get('/api/auth/session');
      assert.equal(me.json().user.email, OWNER.email);
      assert.equal(me.json().user.role, 'owner');
      assert.equal(me.json().needsSetup, false);
      const again = await new Client(t.server).post('/api/setup', { ...OWNER, email: 'other@example.com' });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'conflict');
    });

    it('refuses short passwords with a clear message', async () => {
      const c = new Client(t.server);
      const res = await c.post('/api/invitations/accept', { token: 'x'.repeat(20), name: 'A', password: 'short' });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error.message, /at least 12 characters/);
    });

    it('gives a new session id at every sign-in and logout ends the session on the server', async () => {
      const a = new Client(t.server);
      await a.login(OWNER.email, OWNER.password);
      const first = a.cookie;
      await a.login(OWNER.email, OWNER.password);
      assert.notEqual(a.cookie, first);
      const stale = new Client(t.server);
      stale.cookie = first;
      assert.equal((await stale.get('/api/me/sessions')).statusCode, 200, 'the earlier session is still its own valid session');
      const cookie = a.cookie;
      assert.equal((await a.post('/api/auth/logout')).statusCode, 204);
      const replay = new Client(t.server);
      replay.cookie = cookie;
      assert.equal((await replay.get('/api/me/sessions')).statusCode, 401);
    });

    it('requires the CSRF token on cookie-authenticated writes and refuses cross-site origins', async () => {
      const noToken = await t.server.inject({ method: 'POST', url: '/api/team/invitations', headers: { cookie: owner.cookie }, payload: { email: 'x@example.com', role: 'support' } });
      assert.equal(noToken.statusCode, 403);
      assert.equal(noToken.json().error.code, 'csrf_failed');
      const crossSite = await owner.request('POST', '/api/team/invitations', { email: 'x@example.com', role: 'support' }, { origin: 'https://evil.example' });
      assert.equal(crossSite.statusCode, 403);
      const team = await owner.get('/api/team');
      assert.equal(team.json().invitations.length, 0, 'nothing was created by the refused requests');
    });

    it('locks an account after repeated wrong passwords, and the lock ends with time', async () => {
      const c = new Client(t.server);
      await addMember(t, owner, 'content', 'locky@example.com');
      for (let i = 0; i < 5; i++) {
        const r = await c.post('/api/auth/login', { email: 'locky@example.com', password: 'wrong password!!' });
        assert.equal(r.statusCode, 401);
      }
      const locked = await c.post('/api/auth/login', { email: 'locky@example.com', password: 'content password 123' });
      assert.equal(locked.statusCode, 401, 'even the right password is refused while locked, with the wrong-password answer');
      t.clock.advance(16 * 60_000);
      const ok = await c.post('/api/auth/login', { email: 'locky@example.com', password: 'content password 123' });
      assert.equal(ok.statusCode, 200);
      const audit = await owner.get('/api/audit?outcome=denied');
      assert.ok(audit.json().entries.some((e: { action: string }) => e.action === 'auth.login_failed'));
    });

    it('invitations are single-use and expire', async () => {
      const inv = await owner.post('/api/team/invitations', { email: 'once@example.com', role: 'support' });
      assert.equal(inv.statusCode, 201);
      const token = inv.json().link.split('#token=')[1];
      const outbox = await owner.get('/api/outbox?to=once@example.com');
      assert.equal(outbox.json().messages.length, 1, 'the invitation was mailed');
      const a = new Client(t.server);
      assert.equal((await a.post('/api/invitations/accept', { token, name: 'Once', password: 'a good long password' })).statusCode, 200);
      const b = new Client(t.server);
      const second = await b.post('/api/invitations/accept', { token, name: 'Twice', password: 'a good long password' });
      assert.equal(second.statusCode, 400);
      assert.equal(second.json().error.code, 'invalid_token');

      const late = await owner.post('/api/team/invitations', { email: 'late@example.com', role: 'support' });
      const lateToken = late.json().link.split('#token=')[1];
      t.clock.advance(8 * 86_400_000);
      const expired = await new Client(t.server).post('/api/invitations/accept', { token: lateToken, name: 'Late', password: 'a good long password' });
      assert.equal(expired.statusCode, 400);
      t.clock.advance(-8 * 86_400_000);
    });

    it('an assistant is refused owner-only routes with 403, and the refusal is audited', async () => {
      const support = await addMember(t, owner, 'support', 'maya@example.com');
      const res = await support.get('/api/api-keys');
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'forbidden');
      const invite = await support.post('/api/team/invitations', { email: 'z@example.com', role: 'admin' });
      assert.equal(invite.statusCode, 403);
      const audit = await owner.get('/api/audit?outcome=denied');
      const denied = audit.json().entries.filter((e: { action: string; actorLabel: string }) => e.actorLabel === 'maya@example.com');
      assert.deepEqual(denied.map((e: { action: string }) => e.action).sort(), ['GET /api/api-keys', 'POST /api/team/invitations']);
      assert.ok(denied.every((e: { ip: string | null }) => e.ip));
    });

    it('changing a role ends that person’s sessions; admins cannot touch the owner', async () => {
      const member = await addMember(t, owner, 'marketing', 'ivy@example.com');
      const team = (await owner.get('/api/team')).json();
      const ivy = team.members.find((m: { email: string }) => m.email === 'ivy@example.com');
      const changed = await owner.patch(`/api/team/members/${ivy.id}`, { role: 'content' });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.json().role, 'content');
      assert.equal((await member.get('/api/me/sessions')).statusCode, 401);

      const admin = await addMember(t, owner, 'admin', 'ada@example.com');
      const ownerId = team.members.find((m: { role: string }) => m.role === 'owner').id;
      const r = await admin.delete(`/api/team/members/${ownerId}`);
      assert.equal(r.statusCode, 403);
      const promote = await admin.patch(`/api/team/members/${ivy.id}`, { role: 'admin' });
      assert.equal(promote.statusCode, 403);
    });

    it('lists and revokes your own sessions; a password change ends the others', async () => {
      const phone = new Client(t.server);
      await phone.login(OWNER.email, OWNER.password);
      const list = (await owner.get('/api/me/sessions')).json().sessions;
      assert.ok(list.length >= 2);
      assert.equal(list.filter((s: { current: boolean }) => s.current).length, 1);
      const other = list.find((s: { current: boolean }) => !s.current);
      assert.equal((await owner.delete(`/api/me/sessions/${other.id}`)).statusCode, 204);

      await phone.login(OWNER.email, OWNER.password);
      const changed = await owner.post('/api/me/password', { currentPassword: OWNER.password, newPassword: 'an even better passphrase' });
      assert.equal(changed.statusCode, 200);
      assert.equal((await phone.get('/api/me/sessions')).statusCode, 401, 'the other device is signed out');
      assert.equal((await owner.get('/api/me/sessions')).statusCode, 200, 'this device got a fresh session');
      const back = await owner.post('/api/me/password', { currentPassword: 'an even better passphrase', newPassword: OWNER.password });
      assert.equal(back.statusCode, 200);
    });

    it('TOTP two-factor: enrol, then sign-in needs the code', async () => {
      const begin = await owner.post('/api/me/two-factor/begin');
      assert.equal(begin.statusCode, 200);
      const { secret, uri } = begin.json();
      assert.match(uri, /^otpauth:\/\/totp\//);
      const totp = new TOTP({ secret: Secret.fromBase32(secret), issuer: 'Onehour', label: OWNER.email });
      const code = () => totp.generate({ timestamp: t.clock.now().getTime() });
      assert.equal((await owner.post('/api/me/two-factor/confirm', { code: '000000' === code() ? '111111' : '000000' })).statusCode, 400);
      assert.equal((await owner.post('/api/me/two-factor/confirm', { code: code() })).statusCode, 204);

      const c = new Client(t.server);
      const step1 = await c.login(OWNER.email, OWNER.password);
      assert.equal(step1.json().twoFactorRequired, true);
      assert.equal(step1.json().user, null);
      assert.equal((await c.get('/api/team')).statusCode, 401, 'a half-signed-in session reaches nothing');
      assert.equal((await c.post('/api/auth/two-factor', { code: '123456' === code() ? '654321' : '123456' })).statusCode, 401);
      // The enrolment code was spent: the same code cannot sign in within its window.
      const replay = await c.post('/api/auth/two-factor', { code: code() });
      assert.equal(replay.statusCode, 401, 'a TOTP code works once');
      t.clock.advance(30_000);
      const step2 = await c.post('/api/auth/two-factor', { code: code() });
      assert.equal(step2.statusCode, 200);
      assert.equal(step2.json().user.email, OWNER.email);
      assert.equal((await c.get('/api/team')).statusCode, 200);
      assert.equal((await owner.post('/api/me/two-factor/disable', { password: OWNER.password })).statusCode, 204);
    });

    it('API keys carry their role, work without CSRF, and stop working when revoked', async () => {
      const created = await owner.post('/api/api-keys', { name: 'Zapier', role: 'support' });
      assert.equal(created.statusCode, 201);
      const { key, apiKey } = created.json();
      const auth = { authorization: `Bearer ${key}` };
      const ok = await t.server.inject({ method: 'GET', url: '/api/activity', headers: auth });
      assert.equal(ok.statusCode, 200);
      const denied = await t.server.inject({ method: 'GET', url: '/api/team', headers: auth });
      assert.equal(denied.statusCode, 403);
      const list = (await owner.get('/api/api-keys')).json().apiKeys;
      assert.ok(list.every((k: Record<string, unknown>) => !('keyHash' in k) && !('key' in k)), 'the secret is never listed');
      assert.equal((await owner.delete(`/api/api-keys/${apiKey.id}`)).statusCode, 204);
      const after = await t.server.inject({ method: 'GET', url: '/api/activity', headers: auth });
      assert.equal(after.statusCode, 401);
    });

    it('password reset: mailed link, single use, ends sessions; unknown emails look the same', async () => {
      const anon = new Client(t.server);
      assert.equal((await anon.post('/api/auth/password-reset/request', { email: 'nobody@example.com' })).statusCode, 204);
      assert.equal((await anon.post('/api/auth/password-reset/request', { email: 'maya@example.com' })).statusCode, 204);
      // The lookup and the mail happen in a job.
      await t.app.jobs.work(t.app);
      const reset = await waitFor(async () => {
        const mails = (await owner.get('/api/outbox?to=maya@example.com')).json().messages;
        return mails.find((m: { tag: string }) => m.tag === 'team.password_reset');
      }, { what: 'the reset mail in the outbox' });
      const full = (await owner.get(`/api/outbox/${reset.id}`)).json();
      assert.match(full.text, /#token=\[hidden\]/, 'the owner sees that it was sent, not its link');
      const token = /#token=([\w-]+)/.exec((await mailAsDelivered(t.app, reset.id)).text)![1];
      assert.equal((await anon.post('/api/auth/password-reset', { token, password: 'maya new password' })).statusCode, 204);
      assert.equal((await anon.post('/api/auth/password-reset', { token, password: 'maya other password' })).statusCode, 400);
      await anon.login('maya@example.com', 'maya new password');
    });

    it('staff mail: the business invites from its own sender; the reset names Onehour and whose admin it is', async () => {
      assert.equal((await owner.patch('/api/brand', { name: 'Clay Studio', senderName: 'Clay Studio', senderAddress: 'hello@claystudio.example' })).statusCode, 200);
      const inv = await owner.post('/api/team/invitations', { email: 'brand-invite@example.com', role: 'content' });
      assert.equal(inv.statusCode, 201, inv.body);
      const [summary] = (await owner.get('/api/outbox?to=brand-invite@example.com')).json().messages;
      const invitation = (await owner.get(`/api/outbox/${summary.id}`)).json();
      assert.match(invitation.subject, /invited you to join the Clay Studio team$/);
      assert.match(invitation.text, /help run Clay Studio on Onehour as content/);
      assert.equal(invitation.from, '"Clay Studio" <hello@claystudio.example>');

      assert.equal((await new Client(t.server).post('/api/auth/password-reset/request', { email: OWNER.email })).statusCode, 204);
      await t.app.jobs.work(t.app);
      const reset = await waitFor(async () => {
        const mails = (await owner.get(`/api/outbox?to=${encodeURIComponent(OWNER.email)}`)).json().messages;
        return mails.find((m: { tag: string }) => m.tag === 'team.password_reset');
      }, { what: 'the owner\'s reset mail' });
      const full = (await owner.get(`/api/outbox/${reset.id}`)).json();
      assert.equal(full.subject, 'Reset your Onehour password');
      assert.match(full.text, /on Onehour, where you help run Clay Studio\./);
      assert.equal(full.from, '"Clay Studio" <hello@claystudio.example>');
    });

    it('records who did what as events with actors', async () => {
      const events = (await owner.get('/api/activity?type=user.')).json().events;
      const invited = events.find((e: { type: string }) => e.type === 'user.invited');
      assert.equal(invited.actorKind, 'owner');
      const joined = events.find((e: { type: string; data: { role: string } }) => e.type === 'user.joined' && e.data.role === 'support');
      assert.equal(joined.actorKind, 'assistant');
      const onlyAssistants = (await owner.get('/api/activity?actorKind=assistant')).json().events;
      assert.ok(onlyAssistants.length > 0 && onlyAssistants.every((e: { actorKind: string }) => e.actorKind === 'assistant'));
    });
  });
}

describe('sign-in rate limit', () => {
  it('answers 429 past RATE_LIMIT_AUTH attempts a minute from one address', async () => {
    const t = await createTestApp('pglite', { config: { RATE_LIMIT_AUTH: '3' } });
    try {
      const c = new Client(t.server);
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await c.post('/api/auth/login', { email: 'a@example.com', password: 'whatever password' })).statusCode);
      assert.deepEqual(codes, [401, 401, 401, 429, 429]);
    } finally {
      await t.close();
    }
  });
});
