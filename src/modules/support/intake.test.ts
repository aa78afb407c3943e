// Intake and threading, through the real doors: the SMTP receiver (nodemailer as the sending
// server) and each provider webhook with its real verification. Threading with the header
// patterns of Gmail, Outlook and Apple Mail; bad input with a defined outcome each.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { backends, createTestApp, OWNER, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { SmtpReceiver } from './smtp-receiver.js';
import { appleReply, gmailReply, outlookReply, plainMessage, threadIndex } from './test-mail.js';

const snsDir = mkdtempSync(path.join(os.tmpdir(), 'support-sns-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(snsDir, 'key.pem'), '-out', path.join(snsDir, 'cert.pem'), '-subj', '/CN=sns.amazonaws.com', '-days', '2'], { stdio: 'ignore' });
const snsKey = readFileSync(path.join(snsDir, 'key.pem'), 'utf8');
after(() => rmSync(snsDir, { recursive: true, force: true }));
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:support-inbound';

function snsNotification(message: object, id: string) {
  const m: Record<string, string> = {
    Type: 'Notification', MessageId: id, TopicArn: TOPIC, Subject: 'Amazon SES Email Receipt Notification', Message: JSON.stringify(message),
    Timestamp: new Date().toISOString(), SignatureVersion: '2', SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem',
  };
  const text = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].map((f) => `${f}\n${m[f]}\n`).join('');
  m.Signature = createSign('RSA-SHA256').update(text).sign(snsKey, 'base64');
  return m;
}

function multipart(fields: Record<string, string>): { body: Buffer; contentType: string } {
  const b = '----onehourTestBoundary7MA4YWxkTrZu0gW';
  const parts = Object.entries(fields).map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { body: Buffer.from(parts.join('') + `--${b}--\r\n`), contentType: `multipart/form-data; boundary=${b}` };
}

const rows = (res: unknown): unknown[] => ((res as { rows?: unknown[] }).rows ?? (res as unknown[]));
const basic = (cred: string) => `Basic ${Buffer.from(cred).toString('base64')}`;

for (const backend of backends()) {
  describe(`support intake and threading [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let receiver: SmtpReceiver;
    let smtp: Transporter;
    const filesDir = mkdtempSync(path.join(os.tmpdir(), 'support-files-'));
    const send = (raw: string | Buffer, to = ['support@shop.test'], from = 'sender@example.net') => smtp.sendMail({ envelope: { from, to }, raw });
    const conversations = async () => rows(await t.app.db.execute(sql`select id, contact_id, status, unverified, continues_id, message_count, subject from support_conversations order by number`)) as { id: string; contact_id: string; status: string; unverified: boolean; continues_id: string | null; message_count: number; subject: string }[];
    const count = async (table: string) => Number((rows(await t.app.db.execute(sql.raw(`select count(*)::int as n from ${table}`)))[0] as { n: number }).n);
    const thread = async (id: string) => (await owner.get(`/api/support/conversations/${id}`)).json();

    before(async () => {
      t = await createTestApp(backend, {
        config: {
          SUPPORT_ADDRESS: 'support@shop.test', FILES_DIR: filesDir, SUPPORT_TRUSTED_AUTHSERV: 'mx.shop.test',
          SUPPORT_POSTMARK_AUTH: 'postmark:inbound-secret-1', SUPPORT_MAILGUN_KEY: 'key-mailgun-signing', SUPPORT_SENDGRID_AUTH: 'sendgrid:parse-secret-123',
          MAIL_WEBHOOK_SNS_CERT: path.join(snsDir, 'cert.pem'), SUPPORT_SNS_TOPIC: TOPIC,
        },
      });
      owner = await setupOwner(t);
      receiver = new SmtpReceiver(t.app.support, { host: '127.0.0.1', port: 0, maxBytes: t.app.config.support.maxMessageBytes, trustedAuthServ: t.app.config.support.trustedAuthServ, log: pino({ level: 'silent' }) });
      await receiver.start();
      smtp = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true, pool: false });
    });
    after(async () => {
      smtp.close();
      await receiver.stop();
      await t.close();
      rmSync(filesDir, { recursive: true, force: true });
    });

    it('a message through the SMTP receiver is stored as a conversation before the 250, with its attachment on disk and its HTML sanitised', async () => {
      const raw = [
        'From: Ann Buyer <ann@gmail.com>', 'To: support@shop.test', 'Subject: Cannot open lesson 3', 'Message-ID: <first-ann@mail.gmail.com>',
        'Authentication-Results: mx.shop.test; dkim=pass header.d=gmail.com; spf=pass smtp.mailfrom=gmail.com; dmarc=pass',
        'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="mix"', '',
        '--mix', 'Content-Type: text/html; charset=utf-8', '',
        '<p>Hello <b>there</b><script>alert(1)</script><img src="https://track.example/p.gif" onerror="alert(2)"><a href="javascript:alert(3)">click</a><a href="https://ok.example">ok</a></p>',
        '--mix', 'Content-Type: application/pdf; name="invoice.pdf"', 'Content-Disposition: attachment; filename="invoice.pdf"', 'Content-Transfer-Encoding: base64', '',
        Buffer.from('%PDF-1.4 a tiny pdf').toString('base64'), '--mix--', '',
      ].join('\r\n');
      const info = await send(raw);
      assert.match(String(info.response), /^250 /);
      // The 250 came after the commit: the conversation is there the moment the sender is told.
      const [c] = await conversations();
      assert.ok(c, 'stored before the 250');
      const th = await thread(c.id);
      const m = th.messages[0];
      assert.equal(m.fromAddress, 'ann@gmail.com');
      assert.deepEqual({ dkim: m.auth.dkim, spf: m.auth.spf, dmarc: m.auth.dmarc }, { dkim: 'pass', spf: 'pass', dmarc: 'pass' });
      assert.ok(!/script|onerror|javascript:|<img/i.test(m.html), m.html);
      assert.match(m.html, /href="https:\/\/ok.example"/);
      assert.equal(m.attachments.length, 1);
      assert.equal(m.attachments[0].filename, 'invoice.pdf');
      const dl = await owner.get(`/api/support/attachments/${m.attachments[0].id}`);
      assert.equal(dl.statusCode, 200);
      assert.equal(dl.body, '%PDF-1.4 a tiny pdf');
      assert.match(String(dl.headers['content-disposition']), /^attachment;/);
      const contact = await t.app.audience.findByEmail(t.app.db, 'ann@gmail.com');
      assert.equal(c.contact_id, contact!.id, 'the sender is a contact of the audience');
    });

    it('threads a Gmail reply by In-Reply-To/References even without the plus address, and our reply carries the threading headers', async () => {
      const [c] = await conversations();
      const th = await thread(c!.id);
      const r = await owner.post(`/api/support/conversations/${c!.id}/reply`, { text: 'Try again now.', lastSeenMessageId: th.messages.at(-1).id });
      assert.equal(r.statusCode, 201, r.body);
      const out = (await thread(c!.id)).messages.at(-1);
      assert.equal(out.direction, 'outbound');
      assert.match(out.messageId, /^<support\.[0-9a-f-]+@/);
      assert.ok(out.delivery, 'the reply shows its delivery state from the mail engine');
      const queued = (await t.app.mail.listOutbox({ to: 'ann@gmail.com' }))[0]!;
      const mailRow = await t.app.mail.getMessage(queued.id);
      assert.equal(mailRow.headers['In-Reply-To'], '<first-ann@mail.gmail.com>');
      assert.match(mailRow.headers['Reply-To']!, /^support\+[0-9a-f]{24}@shop\.test$/);
      assert.match(mailRow.headers.References!, /first-ann@mail\.gmail\.com/);
      // Gmail answers to the plain address (the customer picked it from the old mail).
      await send(gmailReply({ from: 'Ann Buyer <ann@gmail.com>', to: 'support@shop.test', subject: 'Cannot open lesson 3', inReplyTo: out.messageId, references: ['<first-ann@mail.gmail.com>'], n: 1 }));
      const all = await conversations();
      assert.equal(all.length, 1, 'joined the same conversation');
      assert.equal(all[0]!.status, 'open', 'a customer reply opens a pending conversation again');
      assert.equal(all[0]!.message_count, 3);
    });

    it('threads an Outlook reply whose In-Reply-To Outlook rewrote: by the reply address token, else by Thread-Index', async () => {
      const ti = threadIndex(7);
      await send(plainMessage({ from: 'Carl <carl@contoso.com>', subject: 'Certificate name wrong', messageId: '<AM0PR04MB0001@AM0PR04MB0001.eurprd04.prod.outlook.com>', threadIndex: ti }), ['support@shop.test'], 'carl@contoso.com');
      const carl = (await conversations()).find((c) => c.subject === 'Certificate name wrong')!;
      const token = (await thread(carl.id)).conversation.replyToken;
      // 1. To the plus address, In-Reply-To rewritten: the token wins.
      await send(outlookReply({ from: 'Carl <carl@contoso.com>', to: `support+${token}@shop.test`, subject: 'Certificate name wrong', threadIndex: threadIndex(7, 1), n: 1 }), [`support+${token}@shop.test`], 'carl@contoso.com');
      // 2. To the plain address, In-Reply-To rewritten, no References: Thread-Index wins.
      await send(outlookReply({ from: 'Carl <carl@contoso.com>', to: 'support@shop.test', subject: 'Certificate name wrong', threadIndex: threadIndex(7, 2), n: 2 }), ['support@shop.test'], 'carl@contoso.com');
      const after = (await conversations()).filter((c) => c.subject === 'Certificate name wrong');
      assert.equal(after.length, 1);
      assert.equal(after[0]!.message_count, 3);
    });

    it('threads an Apple Mail reply by References', async () => {
      await send(plainMessage({ from: 'Dana <dana@icloud.com>', subject: 'Invoice please', messageId: '<11111111-2222-3333-4444-555555555555@icloud.com>' }), ['support@shop.test'], 'dana@icloud.com');
      await send(appleReply({ from: 'Dana <dana@icloud.com>', to: 'support@shop.test', subject: 'Invoice please', inReplyTo: '<11111111-2222-3333-4444-555555555555@icloud.com>', references: [], n: 1 }), ['support@shop.test'], 'dana@icloud.com');
      const dana = (await conversations()).filter((c) => c.subject === 'Invoice please');
      assert.equal(dana.length, 1);
      assert.equal(dana[0]!.message_count, 2);
      const text = (await thread(dana[0]!.id)).messages[1].text;
      assert.match(text, /One more question about the invoice/);
    });

    it('never joins two customers: another sender quoting Ann\'s Message-ID or token starts a conversation of their own', async () => {
      const ann = (await conversations())[0]!;
      const token = (await thread(ann.id)).conversation.replyToken;
      await send(plainMessage({ from: 'Mallory <mallory@evil.example>', to: `support+${token}@shop.test`, subject: 'Re: Cannot open lesson 3', messageId: '<m1@evil.example>', inReplyTo: '<first-ann@mail.gmail.com>', references: ['<first-ann@mail.gmail.com>'] }), [`support+${token}@shop.test`], 'mallory@evil.example');
      const all = await conversations();
      const annAfter = all.find((c) => c.id === ann.id)!;
      assert.equal(annAfter.message_count, ann.message_count, 'nothing added to Ann\'s thread');
      const mallory = all.find((c) => c.contact_id !== ann.contact_id && c.subject.includes('lesson 3'));
      assert.ok(mallory, 'Mallory has a conversation of her own');
    });

    it('a spoofed sender (DMARC fail reported by our MX) starts a new, flagged conversation even with Ann\'s token', async () => {
      const ann = (await conversations())[0]!;
      const token = (await thread(ann.id)).conversation.replyToken;
      await send(plainMessage({ from: 'Ann Buyer <ann@gmail.com>', to: `support+${token}@shop.test`, subject: 'Re: Cannot open lesson 3', messageId: '<spoof1@attacker.example>', inReplyTo: '<first-ann@mail.gmail.com>', extraHeaders: ['Authentication-Results: mx.shop.test; dkim=none; spf=fail smtp.mailfrom=gmail.com; dmarc=fail header.from=gmail.com'] }), [`support+${token}@shop.test`], 'bounce@attacker.example');
      const all = await conversations();
      assert.equal(all.find((c) => c.id === ann.id)!.message_count, ann.message_count);
      const flagged = all.filter((c) => c.unverified);
      assert.equal(flagged.length, 1);
      assert.equal(flagged[0]!.contact_id, ann.contact_id);
      // An Authentication-Results header the sender wrote itself (not our MX) is not believed.
      await send(plainMessage({ from: 'Eve <eve@example.org>', subject: 'fake pass', messageId: '<fake-pass@example.org>', extraHeaders: ['Authentication-Results: mx.google.com; dkim=pass; spf=pass; dmarc=pass'] }), ['support@shop.test'], 'eve@example.org');
      const eve = (await conversations()).find((c) => c.subject === 'fake pass')!;
      assert.deepEqual((await thread(eve.id)).messages[0].auth, {});
    });

    it('auto-replies and bulk mail are stored, never reopen a conversation, and a runaway sender is cut as a loop', async () => {
      const ann = (await conversations())[0]!;
      await owner.post(`/api/support/conversations/${ann.id}/status`, { status: 'closed' });
      const token = (await thread(ann.id)).conversation.replyToken;
      await send(plainMessage({ from: 'Ann Buyer <ann@gmail.com>', to: `support+${token}@shop.test`, subject: 'Automatic reply: Cannot open lesson 3', messageId: '<ooo-1@mail.gmail.com>', extraHeaders: ['Auto-Submitted: auto-replied', 'X-Auto-Response-Suppress: All'] }), [`support+${token}@shop.test`]);
      let after = (await conversations()).find((c) => c.id === ann.id)!;
      assert.equal(after.status, 'closed', 'an auto-reply does not reopen');
      assert.equal(after.message_count, ann.message_count + 1, 'but it is kept');
      const th = await thread(ann.id);
      assert.equal(th.messages.at(-1).auto, 'auto_reply');
      // Bulk: a newsletter sent to the support address lands pending (no SLA), marked bulk.
      await send(plainMessage({ from: 'News <news@list.example>', subject: 'Our weekly news', messageId: '<news-1@list.example>', extraHeaders: ['List-Id: <news.list.example>', 'Precedence: bulk'] }), ['support@shop.test'], 'news@list.example');
      const news = (await conversations()).find((c) => c.subject === 'Our weekly news')!;
      assert.equal(news.status, 'pending');
      // Our own address as the sender (a forwarding loop): accepted and dropped.
      const before = await count('support_messages');
      const info = await send(plainMessage({ from: 'support@shop.test', subject: 'Re: loop', messageId: '<loop-us@shop.test>' }), ['support@shop.test'], 'support@shop.test');
      assert.match(String(info.response), /loop cut/);
      assert.equal(await count('support_messages'), before);
      // A message that went round a loop (too many Received headers): stored as a loop, nothing reopened.
      const received = Array.from({ length: 35 }, (_, i) => `Received: from relay${i}.example by relay${i + 1}.example; Mon, 2 Nov 2026 10:00:00 +0000`);
      await send(plainMessage({ from: 'Ann Buyer <ann@gmail.com>', to: `support+${token}@shop.test`, subject: 'Re: Cannot open lesson 3', messageId: '<looped@relay.example>', extraHeaders: received }), [`support+${token}@shop.test`]);
      after = (await conversations()).find((c) => c.id === ann.id)!;
      assert.equal(after.status, 'closed');
      assert.equal((await thread(ann.id)).messages.at(-1).auto, 'loop');
    });

    it('a reply to a conversation closed within 30 days reopens it; months later it starts a new conversation linked to the old one', async () => {
      await send(plainMessage({ from: 'Finn <finn@example.com>', subject: 'Refund question', messageId: '<finn-1@example.com>' }), ['support@shop.test'], 'finn@example.com');
      const finn = (await conversations()).find((c) => c.subject === 'Refund question')!;
      await owner.post(`/api/support/conversations/${finn.id}/status`, { status: 'closed' });
      t.clock.advance(10 * 86_400_000);
      await send(plainMessage({ from: 'Finn <finn@example.com>', subject: 'Re: Refund question', messageId: '<finn-2@example.com>', inReplyTo: '<finn-1@example.com>' }), ['support@shop.test'], 'finn@example.com');
      let rows = (await conversations()).filter((c) => c.contact_id === finn.contact_id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.status, 'open');
      await owner.post(`/api/support/conversations/${finn.id}/status`, { status: 'closed' });
      t.clock.advance(120 * 86_400_000);
      await send(plainMessage({ from: 'Finn <finn@example.com>', subject: 'Re: Refund question', messageId: '<finn-3@example.com>', inReplyTo: '<finn-2@example.com>' }), ['support@shop.test'], 'finn@example.com');
      rows = (await conversations()).filter((c) => c.contact_id === finn.contact_id);
      assert.equal(rows.length, 2);
      assert.equal(rows[0]!.status, 'closed');
      assert.equal(rows[1]!.continues_id, finn.id);
      await owner.login(OWNER.email, OWNER.password); // months passed: the session expired
    });

    it('the subject fallback joins only the same sender\'s recent conversation', async () => {
      await send(plainMessage({ from: 'Gus <gus@example.com>', subject: 'Coupon not applied', messageId: '<gus-1@example.com>' }), ['support@shop.test'], 'gus@example.com');
      // A client that drops every threading header, replying the next day:
      t.clock.advance(86_400_000);
      await send(plainMessage({ from: 'Gus <gus@example.com>', subject: 'Re: Coupon not applied', messageId: '<gus-2@example.com>' }), ['support@shop.test'], 'gus@example.com');
      // Someone else with the same subject:
      await send(plainMessage({ from: 'Hal <hal@example.com>', subject: 'Re: Coupon not applied', messageId: '<hal-1@example.com>' }), ['support@shop.test'], 'hal@example.com');
      const rows = (await conversations()).filter((c) => c.subject.includes('Coupon not applied'));
      assert.equal(rows.length, 2);
      assert.equal(rows[0]!.message_count, 2);
      await owner.login(OWNER.email, OWNER.password);
    });

    it('a reply that arrives before the message it answers joins it: one conversation', async () => {
      // Delivered out of order (a slow relay, or committed first on another connection).
      const reply = plainMessage({ from: 'Quinn <quinn@example.com>', subject: 'Re: Login broken', messageId: '<quinn-2@example.com>', inReplyTo: '<quinn-1@example.com>', references: ['<quinn-1@example.com>'] });
      const first = plainMessage({ from: 'Quinn <quinn@example.com>', subject: 'Login broken', messageId: '<quinn-1@example.com>' });
      await send(reply, ['support@shop.test'], 'quinn@example.com');
      await send(first, ['support@shop.test'], 'quinn@example.com');
      const rows = (await conversations()).filter((c) => c.subject.includes('Login broken'));
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.message_count, 2);
      const texts = (await thread(rows[0]!.id)).messages.map((m: { messageId: string }) => m.messageId);
      assert.deepEqual(texts, ['<quinn-2@example.com>', '<quinn-1@example.com>']);
    });

    it('messages and their replies sent at the same moment over several connections: one conversation per customer', async () => {
      const pairs = 12;
      const transports = Array.from({ length: 6 }, () => nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 }));
      const mails = Array.from({ length: pairs }, (_, i) => [
        { from: `race${i}@example.com`, raw: plainMessage({ from: `Racer ${i} <race${i}@example.com>`, subject: `Race ${i}`, messageId: `<race-${i}-a@example.com>` }) },
        { from: `race${i}@example.com`, raw: plainMessage({ from: `Racer ${i} <race${i}@example.com>`, subject: `Re: Race ${i}`, messageId: `<race-${i}-b@example.com>`, inReplyTo: `<race-${i}-a@example.com>`, references: [`<race-${i}-a@example.com>`] }) },
      ]).flat();
      // A message and its reply go out on two connections at once, half of the pairs reply first.
      await Promise.all(mails.map((m, i) => transports[i % transports.length]!.sendMail({ envelope: { from: m.from, to: ['support@shop.test'] }, raw: (i % 4 === 1 ? mails[i - 1]! : i % 4 === 0 ? mails[i + 1]! : m).raw })));
      transports.forEach((tr) => tr.close());
      const rows = (await conversations()).filter((c) => /^(Re: )?Race \d+$/.test(c.subject));
      assert.equal(rows.length, pairs, 'one conversation per customer');
      assert.ok(rows.every((c) => c.message_count === 2), JSON.stringify(rows.map((r) => [r.subject, r.message_count])));
      assert.equal(new Set(rows.map((r) => r.contact_id)).size, pairs);
    });

    it('bad input: malformed MIME is refused with 550, a 50 MB attachment with 552; the same message twice is stored once', async () => {
      const before = await count('support_messages');
      await assert.rejects(send('this is not a message at all, no headers, no sender\r\n'), (err: { responseCode?: number }) => err.responseCode === 550);
      const big = Buffer.alloc(50 * 1_048_576, 'a').toString('base64');
      const raw = [
        'From: Ida <ida@example.com>', 'To: support@shop.test', 'Subject: huge', 'Message-ID: <huge@example.com>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '',
        '--b', 'Content-Type: text/plain', '', 'see attached', '--b', 'Content-Type: application/octet-stream; name="big.bin"', 'Content-Transfer-Encoding: base64', '', big, '--b--', '',
      ].join('\r\n');
      await assert.rejects(send(raw, ['support@shop.test'], 'ida@example.com'), (err: { responseCode?: number }) => err.responseCode === 552);
      // A multipart cut short still yields what could be read.
      await send('From: Jo <jo@example.com>\r\nSubject: cut\r\nMessage-ID: <cut@example.com>\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\npartial body', ['support@shop.test'], 'jo@example.com');
      const dup = plainMessage({ from: 'Kim <kim@example.com>', subject: 'twice', messageId: '<twice@example.com>' });
      await send(dup, ['support@shop.test'], 'kim@example.com');
      const again = await send(dup, ['support@shop.test'], 'kim@example.com');
      assert.match(String(again.response), /Already have it/);
      assert.equal(await count('support_messages'), before + 2);
      // Mail for any other mailbox is refused at RCPT.
      await assert.rejects(send(dup, ['postmaster@elsewhere.example'], 'kim@example.com'), (err: { responseCode?: number; response?: string }) => /550/.test(String(err.response ?? err.responseCode)));
    });

    it('a commit that fails answers 451 and stores nothing; the sender\'s retry is stored once', async () => {
      // A real failure of the transaction: a constraint that refuses the message row at insert.
      await t.app.db.execute(sql`alter table support_messages add constraint crash_test check (message_id <> '<retry-me@example.com>') not valid`);
      const raw = plainMessage({ from: 'Lee <lee@example.com>', subject: 'retry me', messageId: '<retry-me@example.com>' });
      await assert.rejects(send(raw, ['support@shop.test'], 'lee@example.com'), (err: { responseCode?: number }) => err.responseCode === 451);
      assert.equal((await conversations()).filter((c) => c.subject === 'retry me').length, 0, 'nothing half-stored');
      assert.equal(await t.app.audience.findByEmail(t.app.db, 'lee@example.com'), null, 'not even the contact');
      await t.app.db.execute(sql`alter table support_messages drop constraint crash_test`);
      const info = await send(raw, ['support@shop.test'], 'lee@example.com');
      assert.match(String(info.response), /^250 /);
      assert.equal((await conversations()).filter((c) => c.subject === 'retry me').length, 1);
    });

    it('Postmark inbound (basic auth): JSON fields become a threaded message; wrong credentials are refused', async () => {
      const body = {
        FromFull: { Email: 'mo@example.com', Name: 'Mo' }, ToFull: [{ Email: 'support@shop.test' }], Subject: 'Postmark hello', TextBody: 'Hi from Postmark', HtmlBody: '<p>Hi <script>x()</script></p>',
        Headers: [{ Name: 'Message-ID', Value: '<pm-1@example.com>' }, { Name: 'Received-SPF', Value: 'Pass (sender SPF authorized)' }],
        Attachments: [{ Name: 'a.txt', Content: Buffer.from('attached').toString('base64'), ContentType: 'text/plain', ContentLength: 8 }],
      };
      const bad = await t.server.inject({ method: 'POST', url: '/webhooks/support/postmark', payload: body, headers: { authorization: basic('postmark:wrong') } });
      assert.equal(bad.statusCode, 403);
      const ok = await t.server.inject({ method: 'POST', url: '/webhooks/support/postmark', payload: body, headers: { authorization: basic('postmark:inbound-secret-1') } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().outcome, 'stored');
      const th = await thread(ok.json().conversationId);
      assert.equal(th.messages[0].messageId, '<pm-1@example.com>');
      assert.equal(th.messages[0].auth.spf, 'pass');
      assert.ok(!th.messages[0].html.includes('script'));
      assert.equal(th.messages[0].attachments[0].filename, 'a.txt');
    });

    it('Mailgun inbound (HMAC, single-use token): body-mime stored; a replayed or forged signature is refused', async () => {
      const ts = String(Math.floor(t.clock.now().getTime() / 1000));
      const token = 'a'.repeat(50);
      const signature = createHmac('sha256', 'key-mailgun-signing').update(ts + token).digest('hex');
      const mime = plainMessage({ from: 'Ned <ned@example.com>', subject: 'Mailgun hello', messageId: '<mg-1@example.com>' });
      const form = multipart({ timestamp: ts, token, signature, recipient: 'support@shop.test', 'body-mime': mime, 'X-Mailgun-Spf': 'Pass', 'X-Mailgun-Dkim-Check-Result': 'Pass' });
      const ok = await t.server.inject({ method: 'POST', url: '/webhooks/support/mailgun', payload: form.body, headers: { 'content-type': form.contentType } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().outcome, 'stored');
      const replay = await t.server.inject({ method: 'POST', url: '/webhooks/support/mailgun', payload: multipart({ timestamp: ts, token, signature, 'body-mime': plainMessage({ from: 'x@example.com', subject: 'altered', messageId: '<mg-2@example.com>' }) }).body, headers: { 'content-type': form.contentType } });
      assert.equal(replay.statusCode, 403);
      const forged = multipart({ timestamp: ts, token: 'b'.repeat(50), signature: '0'.repeat(64), 'body-mime': mime });
      assert.equal((await t.server.inject({ method: 'POST', url: '/webhooks/support/mailgun', payload: forged.body, headers: { 'content-type': forged.contentType } })).statusCode, 403);
    });

    it('SES through SNS (signature checked by the mail module\'s verifier): the raw message in content is stored with the SES verdicts', async () => {
      const raw = plainMessage({ from: 'Ola <ola@example.com>', subject: 'SES hello', messageId: '<ses-1@example.com>' });
      const msg = snsNotification({ notificationType: 'Received', receipt: { recipients: ['support@shop.test'], spfVerdict: { status: 'PASS' }, dkimVerdict: { status: 'PASS' }, dmarcVerdict: { status: 'PASS' } }, mail: {}, content: Buffer.from(raw).toString('base64') }, 'sns-in-1');
      const ok = await t.server.inject({ method: 'POST', url: '/webhooks/support/ses', payload: JSON.stringify(msg), headers: { 'content-type': 'text/plain' } });
      assert.equal(ok.statusCode, 200, ok.body);
      const th = await thread(ok.json().conversationId);
      assert.deepEqual({ spf: th.messages[0].auth.spf, dkim: th.messages[0].auth.dkim, dmarc: th.messages[0].auth.dmarc }, { spf: 'pass', dkim: 'pass', dmarc: 'pass' });
      const tampered = { ...msg, Message: msg.Message!.replace('"FAIL"', '').replace('PASS', 'FAIL') };
      assert.equal((await t.server.inject({ method: 'POST', url: '/webhooks/support/ses', payload: JSON.stringify(tampered), headers: { 'content-type': 'text/plain' } })).statusCode, 403);
    });

    it('SendGrid Inbound Parse (basic auth, raw MIME): stored; without credentials refused; a 50 MB post is refused with 413', async () => {
      const form = multipart({ email: plainMessage({ from: 'Pia <pia@example.com>', subject: 'SendGrid hello', messageId: '<sg-1@example.com>' }), envelope: JSON.stringify({ to: ['support@shop.test'], from: 'pia@example.com' }), SPF: 'pass', dkim: '{@example.com : pass}' });
      assert.equal((await t.server.inject({ method: 'POST', url: '/webhooks/support/sendgrid', payload: form.body, headers: { 'content-type': form.contentType } })).statusCode, 403);
      const ok = await t.server.inject({ method: 'POST', url: '/webhooks/support/sendgrid', payload: form.body, headers: { 'content-type': form.contentType, authorization: basic('sendgrid:parse-secret-123') } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await thread(ok.json().conversationId)).messages[0].auth.dkim, 'pass');
      const huge = multipart({ email: 'x'.repeat(50 * 1_048_576) });
      const r = await t.server.inject({ method: 'POST', url: '/webhooks/support/sendgrid', payload: huge.body, headers: { 'content-type': huge.contentType, authorization: basic('sendgrid:parse-secret-123') } });
      assert.equal(r.statusCode, 413);
      assert.ok(!existsSync(path.join(filesDir, 'support', 'nothing')));
    });
  });
}
