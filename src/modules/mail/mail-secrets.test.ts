// No usable secret in stored mail: password-reset links, team invitations and customers'
// sign-in links reach their recipient (also after a failed first attempt), while every role
// that reads the outbox, its API, the activity log, the export and the logs sees only that
// such a mail was sent — never its token.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { addMember, backends, Client, createTestApp, OWNER, retryNow, setupOwner, waitFor, type TestApp } from '../../../test/support/harness.js';
import { Browser } from '../../../test/support/form-browser.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';

const tokenAfter = (text: string, marker: string) => new RegExp(`${marker.replace(/[?#/]/g, '\\$&')}([\\w-]+)`).exec(text)?.[1];
/** Everything that looks like a link token in what a staff member can read. */
const tokensIn = (text: string) => [...text.matchAll(/token=([\w-]{16,})/g)].map((m) => m[1]!);

async function readAll(client: Client): Promise<{ list: Array<{ id: string; tag: string; to: string; status: string; sentAt: string | null }>; text: string }> {
  const list = await client.get('/api/outbox?limit=200');
  assert.equal(list.statusCode, 200);
  const messages = list.json().messages;
  const details = await Promise.all(messages.map((m: { id: string }) => client.get(`/api/outbox/${m.id}`)));
  for (const d of details) assert.equal(d.statusCode, 200);
  const activity = await client.get('/api/activity?limit=200');
  return { list: messages, text: [list.body, ...details.map((d) => d.body), activity.statusCode === 200 ? activity.body : ''].join('\n') };
}

for (const backend of backends()) {
  describe(`secrets in transactional mail, with SMTP [${backend}]`, () => {
    let t: TestApp;
    let sink: SmtpSink;
    let owner: Client;
    let staff: Record<string, Client>;
    const logs: string[] = [];
    let refusedOnce = false;
    before(async () => {
      sink = await startSmtpSink();
      // The owner's mailbox answers "try again later" once: the reset link must survive a retry.
      sink.refuse((address) => (address === OWNER.email && !refusedOnce ? ((refusedOnce = true), 451) : null));
      t = await createTestApp(backend, { startWorkers: true, config: { SMTP_URL: sink.url }, log: pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) }) });
      owner = await setupOwner(t);
      staff = { owner, admin: await addMember(t, owner, 'admin'), support: await addMember(t, owner, 'support'), marketing: await addMember(t, owner, 'marketing') };
      await t.app.audience.upsertContact(t.app.db, { email: 'sam@example.com', name: 'Sam', source: 'checkout' });
    });
    after(async () => {
      await t.close();
      await sink.close();
    });

    const received = async (to: string, subject: RegExp) => {
      const m = await waitFor(
        async () => {
          for (const msg of sink.messages.filter((x) => x.to === to)) {
            const parsed = await sink.parse(msg);
            if (subject.test(parsed.subject ?? '')) return parsed;
          }
          return null;
        },
        { what: `mail to ${to}`, timeoutMs: 60_000 },
      );
      return `${m.text ?? ''}\n${typeof m.html === 'string' ? m.html : ''}`;
    };

    it('recipients get working links; no role reads them in the outbox, its API, the activity, the export or the logs', async () => {
      const anon = new Client(t.server);
      assert.equal((await anon.post('/api/auth/password-reset/request', { email: OWNER.email })).statusCode, 204);
      const inv = await owner.post('/api/team/invitations', { email: 'ada@example.com', role: 'admin' });
      assert.equal(inv.statusCode, 201);
      const visitor = new Browser(t.server);
      const form = await visitor.go('GET', '/account/sign-in');
      const asked = await visitor.go('POST', '/account/sign-in', { email: 'sam@example.com', _csrf: Browser.csrf(form.body), next: '/account' });
      assert.equal(asked.statusCode, 200);

      // What the recipients get (the owner's reset only after its first attempt was refused).
      // The 451 puts the reset mail's job in its retry wait: run the retry now.
      await retryNow(t.app, 'mail.send-transactional');
      const resetMail = await received(OWNER.email, /Reset your Onehour password/);
      const inviteMail = await received('ada@example.com', /invited you/);
      const magicMail = await received('sam@example.com', /sign-in link/);
      assert.ok(refusedOnce, 'the first delivery attempt of the reset was refused');
      const resetToken = tokenAfter(resetMail, '/admin/reset-password#token=')!;
      const inviteToken = tokenAfter(inviteMail, '/admin/accept-invitation#token=')!;
      const magicToken = tokenAfter(magicMail, '/account/magic?token=')!;
      for (const tok of [resetToken, inviteToken, magicToken]) assert.ok(tok && tok.length >= 32, 'the delivered mail carries a full token');
      const secrets = [resetToken, inviteToken, magicToken];

      await waitFor(async () => {
        const list = (await owner.get('/api/outbox?limit=200')).json().messages as Array<{ tag: string; status: string }>;
        return ['team.password_reset', 'portal.magic_link'].every((tag) => list.some((m) => m.tag === tag && m.status === 'sent'));
      }, { what: 'sent marks', timeoutMs: 60_000 });

      for (const [role, client] of Object.entries(staff)) {
        const seen = await readAll(client);
        for (const secret of secrets) assert.ok(!seen.text.includes(secret), `${role} does not read a token in the outbox or activity`);
        // What the owner does see: that each such mail was sent, to whom, what kind, when, its state.
        for (const [tag, to] of [['team.password_reset', OWNER.email], ['team.invitation', 'ada@example.com'], ['portal.magic_link', 'sam@example.com']] as const) {
          const m = seen.list.find((x) => x.tag === tag && x.to === to);
          assert.ok(m, `${role} sees that ${tag} went to ${to}`);
          assert.equal(m.status, 'sent');
          assert.ok(m.sentAt);
        }
        // Whatever looks like a token there does not reset the owner's password.
        for (const candidate of tokensIn(seen.text)) {
          assert.equal((await anon.post('/api/auth/password-reset', { token: candidate, password: 'taken over by staff 1' })).statusCode, 400, `${role}: ${candidate}`);
        }
        const reset = seen.list.find((x) => x.tag === 'team.password_reset')!;
        const detail = (await client.get(`/api/outbox/${reset.id}`)).json();
        assert.match(detail.text, /\/admin\/reset-password#token=\[hidden\]/, `${role} reads the mail with its link hidden`);
      }

      const exported = await owner.get('/api/export');
      assert.equal(exported.statusCode, 200);
      const dump = gunzipSync(exported.rawPayload).toString('utf8');
      assert.match(dump, /mail_messages/);
      for (const secret of secrets) assert.ok(!dump.includes(secret), 'the export holds no token');

      for (const secret of secrets) assert.ok(!logs.join('\n').includes(secret), 'the logs hold no token');

      // The recipients' links work.
      assert.equal((await anon.post('/api/auth/password-reset', { token: resetToken, password: 'the owner chose this one' })).statusCode, 204);
      await new Client(t.server).login(OWNER.email, 'the owner chose this one');
      const ada = new Client(t.server);
      assert.equal((await ada.post('/api/invitations/accept', { token: inviteToken, name: 'Ada', password: 'ada password 1234' })).statusCode, 200);
      assert.equal((await ada.get('/api/auth/session')).json().user.role, 'admin');
      const landing = await visitor.go('GET', `/account/magic?token=${magicToken}`);
      const signedIn = await visitor.go('POST', '/account/magic', { token: magicToken, _csrf: Browser.csrf(landing.body) });
      assert.equal(signedIn.statusCode, 303);
      assert.match((await visitor.go('GET', '/account')).body, /Hello, Sam/);
    });
  });

  describe(`secrets in transactional mail, outbox only (no SMTP_URL) [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend, { startWorkers: true });
      owner = await setupOwner(t);
      await t.app.audience.upsertContact(t.app.db, { email: 'sam@example.com', name: 'Sam', source: 'checkout' });
    });
    after(() => t.close());

    it('keeps the mail with its link hidden: nothing readable resets the password or signs anyone in', async () => {
      const support = await addMember(t, owner, 'support');
      const anon = new Client(t.server);
      assert.equal((await anon.post('/api/auth/password-reset/request', { email: OWNER.email })).statusCode, 204);
      const visitor = new Browser(t.server);
      const form = await visitor.go('GET', '/account/sign-in');
      await visitor.go('POST', '/account/sign-in', { email: 'sam@example.com', _csrf: Browser.csrf(form.body) });
      const list = await waitFor(async () => {
        const messages = (await support.get('/api/outbox')).json().messages as Array<{ id: string; tag: string; status: string }>;
        const stored = messages.filter((m) => ['team.password_reset', 'portal.magic_link'].includes(m.tag) && m.status === 'stored');
        return stored.length === 2 ? stored : null;
      }, { what: 'stored mail' });
      for (const m of list) {
        const detail = (await support.get(`/api/outbox/${m.id}`)).json();
        assert.match(detail.text, /token=\[hidden\]/);
        assert.deepEqual(tokensIn(detail.text), []);
      }
      const seen = await readAll(owner);
      assert.deepEqual(tokensIn(seen.text), [], 'the owner reads no token either');
      const rows = await t.app.database.execute<{ text: string }>(`select text from mail_messages where tag in ('team.password_reset', 'portal.magic_link')`);
      for (const r of rows.rows) assert.deepEqual(tokensIn(r.text), [], 'the stored row holds no token');
    });
  });
}
