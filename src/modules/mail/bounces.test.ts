import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createSign, generateKeyPairSync, sign as signData } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backends, Client, createTestApp, setupOwner, waitFor, type TestApp } from '../../../test/support/harness.js';
import { POSTAL, seedAudience } from './test-helpers.js';

// Locally made provider keys: SendGrid signs with ECDSA P-256, SNS with an X.509 certificate.
const sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1', publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const dir = mkdtempSync(path.join(os.tmpdir(), 'sns-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-subj', '/CN=sns.amazonaws.com', '-days', '2'], { stdio: 'ignore' });
const snsKey = readFileSync(path.join(dir, 'key.pem'), 'utf8');
after(() => rmSync(dir, { recursive: true, force: true }));
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-bounces';

function snsMessage(message: object, id: string) {
  const m: Record<string, string> = {
    Type: 'Notification', MessageId: id, TopicArn: TOPIC, Message: JSON.stringify(message), Timestamp: new Date().toISOString(),
    SignatureVersion: '2', SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem',
  };
  const text = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].filter((f) => m[f] !== undefined).map((f) => `${f}\n${m[f]}\n`).join('');
  m.Signature = createSign('RSA-SHA256').update(text).sign(snsKey, 'base64');
  return m;
}

for (const backend of backends()) {
  describe(`bounces, complaints and suppression [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend, {
        startWorkers: true,
        config: {
          MAIL_POSTAL_ADDRESS: POSTAL,
          MAIL_WEBHOOK_POSTMARK_AUTH: 'postmark:hook secret',
          MAIL_WEBHOOK_MAILGUN_KEY: 'mailgun-signing-key',
          MAIL_WEBHOOK_SENDGRID_KEY: sendgrid.publicKey.toString('base64'),
          MAIL_WEBHOOK_SNS_CERT: path.join(dir, 'cert.pem'),
          MAIL_WEBHOOK_SNS_TOPIC: TOPIC,
          MAIL_INBOUND_TOKEN: 'inbound-token-0123456789',
        },
      });
      owner = await setupOwner(t);
      await seedAudience(t.app, 10, { domain: 'hooks.test' });
    });
    after(() => t.close());

    const statusOf = async (email: string) => (await t.app.audience.findByEmail(t.app.db, email))!.status;
    const suppressed = async () => (await owner.get('/api/mail/suppressions?search=hooks.test')).json().suppressions.map((s: { email: string; reason: string }) => `${s.email}:${s.reason}`).sort();

    it('Postmark: refused without the basic-auth credentials; a hard bounce suppresses at once', async () => {
      const payload = { RecordType: 'Bounce', ID: 42, Type: 'HardBounce', Email: 'user1@hooks.test', Description: 'The server was unable to deliver your message', BouncedAt: new Date().toISOString() };
      const denied = await t.server.inject({ method: 'POST', url: '/webhooks/mail/postmark', payload, headers: { authorization: `Basic ${Buffer.from('postmark:wrong').toString('base64')}` } });
      assert.equal(denied.statusCode, 403);
      assert.equal(await statusOf('user1@hooks.test'), 'active');
      const auth = { authorization: `Basic ${Buffer.from('postmark:hook secret').toString('base64')}` };
      const ok = await t.server.inject({ method: 'POST', url: '/webhooks/mail/postmark', payload, headers: auth });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().recorded, 1);
      const replay = await t.server.inject({ method: 'POST', url: '/webhooks/mail/postmark', payload, headers: auth });
      assert.equal(replay.json().duplicates, 1, 'a replayed notification is recorded once');
      assert.equal(await statusOf('user1@hooks.test'), 'bounced');
      assert.deepEqual(await suppressed(), ['user1@hooks.test:hard_bounce']);
    });

    it('Mailgun: HMAC-checked; soft bounces suppress only the third time', async () => {
      const post = (id: string, key = 'mailgun-signing-key') => {
        const timestamp = String(Math.floor(t.clock.now().getTime() / 1000));
        const token = `tok-${id}`;
        return t.server.inject({
          method: 'POST',
          url: '/webhooks/mail/mailgun',
          payload: {
            signature: { timestamp, token, signature: createHmac('sha256', key).update(timestamp + token).digest('hex') },
            'event-data': { id, event: 'failed', severity: 'temporary', recipient: 'user2@hooks.test', timestamp: Number(timestamp), 'delivery-status': { code: 452, description: 'Mailbox full' } },
          },
        });
      };
      assert.equal((await post('forged', 'not the key')).statusCode, 403);
      for (const id of ['s1', 's2']) assert.equal((await post(id)).statusCode, 200);
      assert.equal(await statusOf('user2@hooks.test'), 'active', 'two soft bounces are not enough');
      await post('s3');
      assert.equal(await statusOf('user2@hooks.test'), 'bounced');
      assert.ok((await suppressed()).includes('user2@hooks.test:soft_bounce'));
    });

    it('Mailgun: a replayed, re-used or altered signed notification is refused and changes nothing', async () => {
      const key = 'mailgun-signing-key';
      const signed = (token: string, at = t.clock.now()) => {
        const timestamp = String(Math.floor(at.getTime() / 1000));
        return { timestamp, token, signature: createHmac('sha256', key).update(timestamp + token).digest('hex') };
      };
      const event = (id: string, recipient: string, severity = 'temporary') =>
        ({ id, event: 'failed', severity, recipient, timestamp: Math.floor(t.clock.now().getTime() / 1000), 'delivery-status': { code: 452, description: 'Mailbox full' } });
      const post = (payload: object) => t.server.inject({ method: 'POST', url: '/webhooks/mail/mailgun', payload });
      const bounces = async () => (await owner.get('/api/mail/bounces?search=user10%40hooks.test')).json().bounces.length;

      const signature = signed('0123456789abcdef0123456789abcdef0123456789abcdef01');
      const first = await post({ signature, 'event-data': event('r1', 'user10@hooks.test') });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(await bounces(), 1);

      // The same notification again (a captured request replayed): refused.
      const replay = await post({ signature, 'event-data': event('r1', 'user10@hooks.test') });
      assert.equal(replay.statusCode, 409, replay.body);
      // The same signature carrying another event (a hard bounce, a new event id): refused, nothing recorded.
      const altered = await post({ signature, 'event-data': event('r2', 'user10@hooks.test', 'permanent') });
      assert.equal(altered.statusCode, 409, altered.body);
      assert.equal(await bounces(), 1);
      assert.equal(await statusOf('user10@hooks.test'), 'active');

      // A signature older than the window, and a signature without its event beside it.
      const old = await post({ signature: signed('token-from-an-old-request-0000000000', new Date(t.clock.now().getTime() - 16 * 60_000)), 'event-data': event('r3', 'user10@hooks.test', 'permanent') });
      assert.equal(old.statusCode, 403, old.body);
      const bare = await post({ signature: signed('token-without-event-0000000000000000') });
      assert.equal(bare.statusCode, 403, bare.body);
      // An event that happened after the moment it was signed was not signed with it.
      const later = { ...event('r4', 'user10@hooks.test', 'permanent'), timestamp: Math.floor(t.clock.now().getTime() / 1000) + 3600 };
      const future = await post({ signature: signed('token-for-a-later-event-00000000000'), 'event-data': later });
      assert.equal(future.statusCode, 403, future.body);
      assert.equal(await bounces(), 1);
      assert.equal(await statusOf('user10@hooks.test'), 'active');
    });

    it('SendGrid: the signed event webhook (ECDSA) records a spam report as a complaint', async () => {
      const body = JSON.stringify([{ email: 'user3@hooks.test', event: 'spamreport', sg_event_id: 'sg-1', timestamp: 1 }, { email: 'user4@hooks.test', event: 'delivered', sg_event_id: 'sg-2' }]);
      const ts = String(Math.floor(t.clock.now().getTime() / 1000));
      const sig = signData('sha256', Buffer.from(ts + body), sendgrid.privateKey).toString('base64');
      const headers = { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': sig, 'x-twilio-email-event-webhook-timestamp': ts };
      const tampered = await t.server.inject({ method: 'POST', url: '/webhooks/mail/sendgrid', payload: body.replace('user3', 'user5'), headers });
      assert.equal(tampered.statusCode, 403);
      const ok = await t.server.inject({ method: 'POST', url: '/webhooks/mail/sendgrid', payload: body, headers });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(await statusOf('user3@hooks.test'), 'complained');
      assert.equal(await statusOf('user4@hooks.test'), 'active');
      const ev = (await owner.get('/api/activity?type=email.complained')).json().events;
      assert.equal(ev[0].actorKind, 'system');
    });

    it('Amazon SES through SNS: checks the signature against the configured certificate', async () => {
      const bounce = { notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General', feedbackId: 'fb-1', bouncedRecipients: [{ emailAddress: 'user6@hooks.test', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }] }, mail: { commonHeaders: { messageId: '<x@y>' } } };
      const msg = snsMessage(bounce, 'sns-1');
      const forged = await t.server.inject({ method: 'POST', url: '/webhooks/mail/ses', payload: JSON.stringify({ ...msg, Message: msg.Message!.replace('user6', 'user7') }), headers: { 'content-type': 'text/plain; charset=UTF-8' } });
      assert.equal(forged.statusCode, 403);
      const ok = await t.server.inject({ method: 'POST', url: '/webhooks/mail/ses', payload: JSON.stringify(msg), headers: { 'content-type': 'text/plain; charset=UTF-8' } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(await statusOf('user6@hooks.test'), 'bounced');
      const complaint = snsMessage({ notificationType: 'Complaint', complaint: { feedbackId: 'fb-2', complainedRecipients: [{ emailAddress: 'user7@hooks.test' }] }, mail: {} }, 'sns-2');
      await t.server.inject({ method: 'POST', url: '/webhooks/mail/ses', payload: JSON.stringify(complaint), headers: { 'content-type': 'text/plain; charset=UTF-8' } });
      assert.equal(await statusOf('user7@hooks.test'), 'complained');
    });

    it('DSN messages and mailto unsubscribes arrive through the inbound endpoint', async () => {
      const dsn = [
        'From: MAILER-DAEMON@mx.hooks.test', 'To: bounces@shop.example', 'Subject: Undelivered Mail Returned to Sender', 'Message-ID: <dsn-1@mx.hooks.test>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Sorry.', '',
        '--b', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.hooks.test', '', 'Final-Recipient: rfc822; user8@hooks.test', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 No such user', '',
        '--b', 'Content-Type: text/rfc822-headers', '', 'Message-ID: <r999.abcdef12@shop.example>', 'Subject: Hello', '', '--b--', '',
      ].join('\r\n');
      const denied = await t.server.inject({ method: 'POST', url: '/webhooks/mail/inbound?token=wrong-token-000000', payload: dsn, headers: { 'content-type': 'text/plain' } });
      assert.equal(denied.statusCode, 403);
      const ok = await t.server.inject({ method: 'POST', url: '/webhooks/mail/inbound?token=inbound-token-0123456789', payload: dsn, headers: { 'content-type': 'text/plain' } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(await statusOf('user8@hooks.test'), 'bounced');

      const c = await t.app.audience.findByEmail(t.app.db, 'user9@hooks.test');
      const { unsubscribeToken } = await import('./tokens.js');
      const token = unsubscribeToken(t.app.signer, { c: c!.id, b: null, l: null });
      const mail = `From: user9@hooks.test\r\nTo: unsubscribe@shop.example\r\nSubject: unsubscribe ${token}\r\n\r\n`;
      const unsub = await t.server.inject({ method: 'POST', url: '/webhooks/mail/inbound', payload: mail, headers: { 'content-type': 'text/plain', 'x-onehour-token': 'inbound-token-0123456789' } });
      assert.equal(unsub.json().unsubscribed, true);
      assert.equal(await statusOf('user9@hooks.test'), 'unsubscribed');
    });

    it('suppressed and unsubscribed contacts are left out of the next broadcast; a manual suppression can be lifted', async () => {
      const add = await owner.post('/api/mail/suppressions', { email: 'user10@hooks.test', detail: 'asked by phone' });
      assert.equal(add.statusCode, 204);
      const listId = (await t.app.database.execute<{ id: string }>('select id from lists order by created_at limit 1')).rows[0]!.id;
      const b = (await owner.post('/api/broadcasts', { name: 'After bounces', subject: 'Hi', body: 'Hello', listId })).json();
      await owner.post(`/api/broadcasts/${b.id}/schedule`, {});
      const done = await waitFor(async () => {
        const x = (await owner.get(`/api/broadcasts/${b.id}`)).json();
        return x.status === 'finished' ? x : null;
      });
      // 10 on the list: 1 hard-bounced, 1 soft ×3, 1 complained (SendGrid), 1 bounced + 1 complained (SES), 1 DSN, 1 unsubscribed, 1 suppressed by hand.
      assert.equal(done.stats.recipients, 2);
      const outbox = (await owner.get('/api/outbox?stream=broadcast&limit=200')).json().messages.map((m: { to: string }) => m.to).sort();
      assert.deepEqual(outbox, ['user4@hooks.test', 'user5@hooks.test']);
      assert.equal((await owner.delete('/api/mail/suppressions/user10@hooks.test')).statusCode, 204);
      assert.ok(!(await suppressed()).some((s: string) => s.startsWith('user10@')));
    });
  });
}
