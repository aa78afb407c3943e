import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { backends, Client, createTestApp, setupOwner, addMember, waitFor, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { POSTAL, seedAudience } from './test-helpers.js';
import { unsubscribeToken } from './tokens.js';

const dkimKeys = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'der' } });

/** DNS is a remote service: the verifier's resolver answers with our test key. */
const resolver = async (name: string, type: string) => {
  if (type === 'TXT' && name === 'mail._domainkey.shop.example') return [[`v=DKIM1; k=rsa; p=${dkimKeys.publicKey.toString('base64')}`]];
  throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
};

async function createBroadcast(owner: Client, listId: string, body: Record<string, unknown> = {}) {
  const res = await owner.post('/api/broadcasts', {
    name: 'November tips',
    subject: 'Hello {{ contact.first_name | default: "friend" }}',
    preheader: 'Three things for your week',
    body: '# Tips for {{ contact.name | default: "you" }}\n\nRead [the guide](https://shop.example/guide?a=1&b=2) from {{ contact.city }}.\n\nBye!',
    listId,
    ...body,
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string };
}

// Generous: PGlite on a loaded 2-core machine sends these small broadcasts in tens of seconds.
async function waitStatus(owner: Client, id: string, status: string, timeoutMs = 90_000) {
  return waitFor(
    async () => {
      const b = (await owner.get(`/api/broadcasts/${id}`)).json();
      return b.status === status ? b : null;
    },
    { timeoutMs, what: `broadcast ${status}` },
  );
}

for (const backend of backends()) {
  // A suite-level limit below the file's: if a test hangs, the report names it (a file timeout shows nothing).
  describe(`mail over SMTP with DKIM [${backend}]`, { timeout: 280_000 }, () => {
    let t: TestApp;
    let owner: Client;
    let sink: SmtpSink;
    before(async () => {
      sink = await startSmtpSink();
      t = await createTestApp(backend, {
        startWorkers: true,
        config: {
          SMTP_URL: sink.url,
          MAIL_FROM: 'Shop Example <news@shop.example>',
          MAIL_POSTAL_ADDRESS: POSTAL,
          DKIM_DOMAIN: 'shop.example',
          DKIM_SELECTOR: 'mail',
          DKIM_PRIVATE_KEY: dkimKeys.privateKey,
          MAIL_RATE_PER_SECOND: '0',
          MAIL_GUARD_MIN_SAMPLE: '50',
        },
      });
      owner = await setupOwner(t);
    });
    after(async () => {
      await t.close();
      await sink.close();
    });

    it('delivers a personalised broadcast whose DKIM signature, List-Unsubscribe headers included, verifies independently', async () => {
      const { listId } = await seedAudience(t.app, 6, { domain: 'dkim.test' });
      const b = await createBroadcast(owner, listId);
      const scheduled = await owner.post(`/api/broadcasts/${b.id}/schedule`, {});
      assert.equal(scheduled.statusCode, 200, scheduled.body);
      const done = await waitStatus(owner, b.id, 'finished');
      assert.equal(done.stats.sent, 6);
      const mine = sink.messages.filter((m) => m.to.endsWith('@dkim.test'));
      assert.equal(mine.length, 6);
      for (const m of mine) {
        const v = await dkimVerify(Buffer.from(m.raw), { resolver } as never);
        const sig = v.results[0] as { status: { result: string }; signingHeaders: { keys: string } };
        assert.equal(sig.status.result, 'pass', `DKIM for ${m.to}`);
        const signed = sig.signingHeaders.keys.toLowerCase();
        assert.match(signed, /list-unsubscribe:/);
        assert.match(signed, /list-unsubscribe-post/);
      }
      const person = mine.find((m) => m.to === 'user1@dkim.test')!;
      const anonymous = mine.find((m) => m.to === 'user3@dkim.test')!; // every third demo contact has no name
      const p = await sink.parse(person);
      const a = await sink.parse(anonymous);
      assert.equal(p.subject, 'Hello Person');
      assert.equal(a.subject, 'Hello friend', 'the Liquid fallback fills a missing name');
      assert.match(p.html as string, /Tips for Person 1/);
      assert.match(p.text as string, /City 1/);
      assert.match(p.html as string, /12 Example Street/, 'the footer carries the postal address');
      const header = (name: string) => p.headerLines.find((h) => h.key === name)?.line ?? '';
      assert.equal(header('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      const lu = header('list-unsubscribe');
      assert.match(lu, /<http:\/\/127\.0\.0\.1:3000\/email\/unsubscribe\?token=[\w.-]+>/);
      assert.match(lu, /<mailto:unsubscribe@shop\.example\?subject=unsubscribe%20/);
      assert.match(p.messageId!, /^<r\d+\.[0-9a-f]{8}@shop\.example>$/);
      // The link in the mail goes through the click redirect, to the original address.
      const click = /href="(http:\/\/127\.0\.0\.1:3000\/email\/c\/[^"]+)"/.exec(p.html as string)![1]!;
      const redirect = await t.server.inject({ method: 'GET', url: click.replace('http://127.0.0.1:3000', '') });
      assert.equal(redirect.statusCode, 302);
      assert.equal(redirect.headers.location, 'https://shop.example/guide?a=1&b=2');

      // RFC 8058: a POST with no cookie and no sign-in unsubscribes at once.
      const url = /<(http:[^>]+)>/.exec(lu)![1]!.replace('http://127.0.0.1:3000', '');
      const res = await t.server.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /You are unsubscribed/);
      const sub = await t.app.database.execute<{ status: string }>(
        `select ls.status from list_subscriptions ls join contacts c on c.id = ls.contact_id where c.email_normalized = 'user1@dkim.test'`,
      );
      assert.equal(sub.rows[0]!.status, 'unsubscribed');
      const stats = (await owner.get(`/api/broadcasts/${b.id}`)).json().stats;
      assert.equal(stats.unsubscribed, 1);
      assert.equal(stats.clicked, 1);
      const ev = (await owner.get('/api/activity?type=contact.unsubscribed')).json().events;
      assert.equal(ev[0].actorKind, 'customer');
      assert.equal(ev[0].data.via, 'one-click');
    });

    it('a contact name full of address syntax and line breaks is one recipient with no injected header; the admin cannot set a From or Reply-To that injects one', async () => {
      const evil = 'Eve <evil@x.test>, "Bob"\r\nBcc: x@y.test; Zoë';
      const { listId } = await seedAudience(t.app, 2, { domain: 'inject.test' });
      await t.app.database.execute(`update contacts set name = $1 where email_normalized = 'user1@inject.test'`, [evil]);
      const b = await createBroadcast(owner, listId, { subject: 'Plain subject' });
      assert.equal((await owner.post(`/api/broadcasts/${b.id}/schedule`, {})).statusCode, 200);
      await waitStatus(owner, b.id, 'finished');
      const mine = sink.messages.filter((m) => /@inject\.test$|@x\.test$|@y\.test$/.test(m.to));
      assert.deepEqual(mine.map((m) => m.to).sort(), ['user1@inject.test', 'user2@inject.test'], 'nobody but the two contacts got mail');
      const parsed = await sink.parse(mine.find((m) => m.to === 'user1@inject.test')!);
      const to = parsed.to as { value: { name: string; address: string }[] };
      assert.equal(to.value.length, 1, 'exactly one recipient in To');
      assert.equal(to.value[0]!.address, 'user1@inject.test');
      assert.equal(to.value[0]!.name, 'Eve <evil@x.test>, "Bob" Bcc: x@y.test; Zoë', 'the name arrives as text');
      assert.equal(parsed.bcc, undefined);
      assert.equal(parsed.headerLines.filter((h) => h.key === 'bcc' || h.key === 'to').length, 1, 'one To header and no Bcc header');

      // The sender and reply-to are single mailboxes on one line, or a 400.
      const bad = [
        { fromAddress: 'Shop <news@shop.example>\r\nBcc: victim@y.test' },
        { fromAddress: 'news@shop.example, other@shop.example' },
        { fromAddress: 'Shop <news@shop.example.>' },
        { replyTo: 'help@shop.example\nBcc: victim@y.test' },
        { replyTo: 'a@shop.example; b@shop.example' },
        { businessName: 'Shop\r\nBcc: victim@y.test' },
      ];
      for (const patch of bad) {
        const res = await owner.patch('/api/mail/settings', patch);
        assert.equal(res.statusCode, 400, `${JSON.stringify(patch)}: ${res.body}`);
      }
      const settings = (await owner.get('/api/mail/settings')).json();
      assert.equal(settings.fromAddress, 'Shop Example <news@shop.example>');
      assert.equal(settings.replyTo, '');
      const ok = await owner.patch('/api/mail/settings', { fromAddress: 'Zoë "The Shop" <news@shop.example>', replyTo: 'help@shop.example' });
      assert.equal(ok.statusCode, 200, ok.body);
      await owner.patch('/api/mail/settings', { fromAddress: 'Shop Example <news@shop.example>', replyTo: '' });
    });

    it('accepts the one-click POST as multipart/form-data too, and a forged token changes nothing', async () => {
      const { listId } = await seedAudience(t.app, 1, { domain: 'multipart.test' });
      const c = await t.app.audience.findByEmail(t.app.db, 'user1@multipart.test');
      const token = unsubscribeToken(t.app.signer, { c: c!.id, b: null, l: listId });
      const boundary = 'XyZ';
      const payload = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
      const forged = await t.server.inject({ method: 'POST', url: `/email/unsubscribe?token=${token.slice(0, -4)}AAAA`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
      assert.equal(forged.statusCode, 400);
      const ok = await t.server.inject({ method: 'POST', url: `/email/unsubscribe?token=${token}`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
      assert.equal(ok.statusCode, 200);
      const page = await t.server.inject({ method: 'GET', url: `/email/unsubscribe?token=${token}` });
      assert.match(page.body, /Weekly tips/);
      assert.match(page.body, /email\/preferences\?token=/, 'the confirm page links to the preference page');
    });

    it('stops mail to a contact who unsubscribes while the broadcast is sending', async () => {
      const { listId } = await seedAudience(t.app, 40, { domain: 'running.test' });
      await owner.patch('/api/mail/settings', { ratePerSecond: 20 });
      try {
        const b = await createBroadcast(owner, listId);
        await owner.post(`/api/broadcasts/${b.id}/schedule`, {});
        await waitFor(async () => sink.messages.filter((m) => m.to.endsWith('@running.test')).length >= 3, { what: 'first messages' });
        const last = await t.app.database.execute<{ contact_id: string; email: string }>(
          `select contact_id, email from broadcast_recipients where broadcast_id = $1 order by id desc limit 1`,
          [b.id],
        );
        const leaver = last.rows[0]!;
        const token = unsubscribeToken(t.app.signer, { c: leaver.contact_id, b: b.id, l: listId });
        const res = await t.server.inject({ method: 'POST', url: `/email/unsubscribe?token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
        assert.equal(res.statusCode, 200);
        const done = await waitStatus(owner, b.id, 'finished');
        const got = sink.messages.filter((m) => m.to.endsWith('@running.test'));
        assert.equal(got.filter((m) => m.to === leaver.email).length, 0, 'no mail after the one-click unsubscribe');
        assert.equal(got.length, 39);
        assert.equal(done.stats.skipped, 1);
        assert.equal(done.stats.sent, 39);
      } finally {
        await owner.patch('/api/mail/settings', { ratePerSecond: 0 });
      }
    });

    it('sends transactional mail at once while a slow broadcast is still going', async () => {
      const { listId } = await seedAudience(t.app, 30, { domain: 'slow.test' });
      // 30 messages at 2 per second: about 17 s of sending for the receipt to overtake.
      await owner.patch('/api/mail/settings', { ratePerSecond: 2 });
      try {
        const b = await createBroadcast(owner, listId);
        await owner.post(`/api/broadcasts/${b.id}/schedule`, {});
        await waitFor(async () => sink.messages.some((m) => m.to.endsWith('@slow.test')), { what: 'broadcast started' });
        const started = Date.now();
        await t.app.database.transaction((tx) => t.app.mail.queueTransactionalInTx(tx, { to: 'buyer@receipts.test', subject: 'Your receipt', text: 'Thanks!', tag: 'checkout.receipt' }));
        await waitFor(async () => sink.messages.some((m) => m.to === 'buyer@receipts.test'), { timeoutMs: 10_000, what: 'receipt' });
        assert.ok(Date.now() - started < 8000, 'the receipt did not wait for the broadcast');
        const status = (await owner.get(`/api/broadcasts/${b.id}`)).json().status;
        assert.equal(status, 'sending', 'the broadcast was still sending when the receipt arrived');
        const receipt = sink.messages.find((m) => m.to === 'buyer@receipts.test')!;
        const v = await dkimVerify(Buffer.from(receipt.raw), { resolver } as never);
        assert.equal((v.results[0] as { status: { result: string } }).status.result, 'pass');
        await owner.post(`/api/broadcasts/${b.id}/cancel`);
        const cancelled = (await owner.get(`/api/broadcasts/${b.id}`)).json();
        assert.equal(cancelled.status, 'cancelled');
        assert.ok(cancelled.stats.cancelled > 0, 'queued recipients are cancelled, not sent');
      } finally {
        await owner.patch('/api/mail/settings', { ratePerSecond: 0 });
      }
    });

    it('a 5xx answer fails the message, records a hard bounce and suppresses the address; the guard pauses a broadcast that bounces too much', async () => {
      const { listId } = await seedAudience(t.app, 150, { domain: 'bouncy.test' });
      sink.refuse((addr) => (addr.endsWith('@bouncy.test') && Number(/\d+/.exec(addr)![0]) % 8 === 0 ? 550 : null));
      await owner.patch('/api/mail/settings', { ratePerSecond: 100 });
      try {
        const b = await createBroadcast(owner, listId);
        await owner.post(`/api/broadcasts/${b.id}/schedule`, {});
        const paused = await waitStatus(owner, b.id, 'paused');
        assert.equal(paused.pausedReason, 'guard');
        assert.match(paused.pausedDetail, /Bounce rate/);
        assert.ok(paused.stats.sent < 140, 'it stopped before the end');
        assert.ok(paused.stats.hardBounced >= 4);
        const events = (await owner.get('/api/activity?type=broadcast.paused_by_guard')).json().events;
        assert.equal(events.length, 1);
        assert.equal(events[0].actorKind, 'system');
        await waitFor(async () => sink.messages.some((m) => m.to === 'owner@example.com' && /Paused/.test(m.raw)), { what: 'owner told', timeoutMs: 40_000 });
        const sup = (await owner.get('/api/mail/suppressions?search=bouncy.test')).json().suppressions;
        assert.ok(sup.length >= 4);
        assert.ok(sup.every((s: { reason: string }) => s.reason === 'hard_bounce'));
        // Only the refused addresses: a refusal must not spoil the SMTP session for the next message.
        assert.ok(sup.every((s: { email: string }) => Number(/\d+/.exec(s.email)![0]) % 8 === 0), `wrongly suppressed: ${sup.map((s: { email: string }) => s.email).join(', ')}`);
        const bounced = sup[0].email as string;
        const contact = await t.app.audience.findByEmail(t.app.db, bounced);
        assert.equal(contact!.status, 'bounced');
        // A suppressed address gets no transactional mail either after a hard bounce.
        await t.app.database.transaction((tx) => t.app.mail.queueTransactionalInTx(tx, { to: bounced, subject: 'Receipt', text: 'x', tag: 'checkout.receipt' }));
        await waitFor(async () => (await owner.get(`/api/outbox?to=${bounced}`)).json().messages.find((m: { status: string }) => m.status === 'failed'), { what: 'suppressed transactional' });
      } finally {
        sink.refuse(() => null);
        await owner.patch('/api/mail/settings', { ratePerSecond: 0 });
      }
    });
  });
}
