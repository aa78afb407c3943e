import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { backends, createTestApp, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { isPrivateAddress } from './address-guard.js';
import { postWebhook } from './sender.js';

interface Received {
  /** the path and query the delivery was posted to (tests give each endpoint its own query) */
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A receiver on 127.0.0.1 that answers with the next status in `answers` (then 200). */
async function startReceiver() {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers as Record<string, string>, body });
      res.writeHead(answers.shift() ?? 200, { 'content-type': 'text/plain' });
      res.end('ok from the receiver');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { received, answers, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const tag = (t: TestApp, contactId: string) =>
  t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type: 'contact.tagged', actor: { kind: 'system' }, subject: { type: 'contact', id: contactId }, data: { tagId: 't1', tag: 'vip' } }));

for (const backend of backends()) {
  describe(`outbound webhooks [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    before(async () => {
      receiver = await startReceiver();
      t = await createTestApp(backend, { startWorkers: true, config: { WEBHOOKS_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SECONDS: '1,1', WEBHOOK_DISABLE_AFTER_DAYS: '3' } });
      owner = await setupOwner(t);
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });

    it('records events without a fan-out job while no enabled endpoint takes their type', async () => {
      const fanOuts = async (eventIds: number[]) =>
        (await t.app.database.execute<{ n: number }>(`select count(*)::int as n from pgboss.job where name = 'webhooks.fan-out' and (data->>'eventId')::bigint = any($1::bigint[])`, [eventIds])).rows[0]!.n;
      const tagMany = () =>
        t.app.database.transaction((tx) =>
          t.app.events.recordManyInTx(tx, ['k8', 'k9'].map((id) => ({ type: 'contact.tagged' as const, actor: { kind: 'system' as const }, subject: { type: 'contact', id }, data: { tagId: 't1', tag: 'vip' } }))),
        );
      assert.equal(await fanOuts([await tag(t, 'k0'), ...(await tagMany())]), 0, 'no endpoint: no job, one by one or many at once');
      const paidOnly = (await owner.post('/api/webhooks', { url: `${receiver.url}?only=paid`, eventTypes: ['order.paid'] })).json().endpoint;
      assert.equal(await fanOuts([await tag(t, 'k0'), ...(await tagMany())]), 0, 'an endpoint for other types only: no job');
      const all = (await owner.post('/api/webhooks', { url: `${receiver.url}?all=off`, enabled: false })).json().endpoint;
      assert.equal(all.enabled, false);
      assert.equal(await fanOuts([await tag(t, 'k0')]), 0, 'a turned-off endpoint does not listen');
      for (const e of [paidOnly, all]) assert.equal((await owner.request('DELETE', `/api/webhooks/${e.id}`)).statusCode, 204);
      assert.equal(receiver.received.length, 0);
    });

    it('delivers matching events signed per Standard Webhooks: the verifier accepts them and rejects a tampered body', async () => {
      const created = await owner.post('/api/webhooks', { url: receiver.url, description: 'CRM', eventTypes: ['contact.tagged'] });
      assert.equal(created.statusCode, 201, created.body);
      const { endpoint, secret } = created.json();
      assert.match(secret, /^whsec_[A-Za-z0-9+/=]{32}$/);
      const other = (await owner.post('/api/webhooks', { url: `${receiver.url}?only=orders`, eventTypes: ['order.paid'] })).json().endpoint;
      const listed = await owner.get('/api/webhooks');
      assert.ok(!listed.body.includes(secret), 'the secret is shown only once');
      assert.ok(listed.json().eventTypes.includes('order.paid') && !listed.json().eventTypes.some((x: string) => x.startsWith('webhook.')));

      const eventId = await tag(t, 'k1');
      await waitFor(async () => receiver.received.length >= 1, { what: 'the delivery' });
      const got = receiver.received[0]!;
      const verified = new Webhook(secret).verify(got.body, got.headers) as { type: string; data: Record<string, unknown> };
      assert.equal(verified.type, 'contact.tagged');
      assert.equal(verified.data.eventId, eventId);
      assert.equal(verified.data.tag, 'vip');
      assert.equal(verified.data.contactId, 'k1');
      assert.match(got.headers['webhook-id']!, /^msg_/);
      assert.throws(() => new Webhook(secret).verify(got.body.replace('vip', 'VIP'), got.headers), /signature/i);
      assert.throws(() => new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(got.body, got.headers));

      const log = await waitFor(async () => {
        const d = (await owner.get(`/api/webhooks/${endpoint.id}/deliveries`)).json().deliveries;
        return d[0]?.status === 'succeeded' ? d : null;
      }, { what: 'the delivery logged as succeeded' });
      assert.equal(log.length, 1);
      assert.equal(log[0].responseStatus, 200);
      assert.equal(log[0].responseBody, 'ok from the receiver');
      assert.equal(log[0].attempts, 1);
      assert.ok(log[0].durationMs >= 0);
      assert.equal((await owner.get(`/api/webhooks/${other.id}/deliveries`)).json().deliveries.length, 0, 'an endpoint gets only its chosen types');

      // No secret lands in the log, the audit trail or the deliveries.
      const stored = await t.app.database.execute<{ t: string }>(
        `select string_agg(x, ' ') as t from (select data::text as x from events union all select data::text from audit_log union all select payload::text from webhook_deliveries union all select secret_sealed from webhook_endpoints) s`,
      );
      assert.ok(!stored.rows[0]!.t.includes(secret.slice(6)));
    });

    it('fans out many events in a batch: one delivery per event and endpoint, each sent once, signed, with its own webhook-id', async () => {
      const all = (await owner.post('/api/webhooks', { url: `${receiver.url}?batch=all`, description: 'all' })).json();
      const tagged = (await owner.post('/api/webhooks', { url: `${receiver.url}?batch=tagged`, eventTypes: ['contact.tagged'] })).json();
      const before = receiver.received.length;
      // 60 events in one transaction: the fan-out subscriber takes them in batches, not one job each.
      const ids = Array.from({ length: 60 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      await t.app.database.transaction((tx) =>
        t.app.events.recordManyInTx(
          tx,
          ids.map((id) => ({ type: 'contact.tagged' as const, actor: { kind: 'system' as const }, subject: { type: 'contact', id }, data: { tagId: 'batch', tag: 'batch' } })),
        ),
      );
      const mine = () => receiver.received.slice(before).filter((r) => r.url.includes('batch='));
      await waitFor(async () => mine().length >= 120, { timeoutMs: 120_000, what: '120 deliveries received' });
      const got = mine();
      assert.equal(got.length, 120, 'each event once per endpoint');
      assert.equal(new Set(got.map((r) => r.headers['webhook-id'])).size, 120, 'a webhook-id per delivery');
      for (const [endpoint, secret] of [[all.endpoint, all.secret], [tagged.endpoint, tagged.secret]] as const) {
        const these = got.filter((r) => r.url.endsWith(endpoint.id === all.endpoint.id ? 'batch=all' : 'batch=tagged'));
        assert.equal(these.length, 60);
        // Each verifies with its endpoint's secret, and the 60 carry 60 different events.
        assert.equal(new Set(these.map((r) => JSON.stringify(new Webhook(secret).verify(r.body, r.headers)))).size, 60);
      }
      const jobs = await t.app.database.execute<{ name: string; n: number }>(
        `select name, count(*)::int as n from pgboss.job where name in ('webhooks.deliver-batch', 'webhooks.deliver') and created_on > now() - interval '10 minutes' group by name`,
      );
      const byName = Object.fromEntries(jobs.rows.map((r) => [r.name, r.n]));
      assert.ok((byName['webhooks.deliver-batch'] ?? 0) <= 60 && (byName['webhooks.deliver-batch'] ?? 0) >= 3, `deliver-batch jobs carry many deliveries: ${JSON.stringify(byName)}`);
      assert.equal(byName['webhooks.deliver'] ?? 0, 0, 'no job per delivery for a first attempt');
      await owner.delete(`/api/webhooks/${all.endpoint.id}`);
      await owner.delete(`/api/webhooks/${tagged.endpoint.id}`);
    });

    it('retries with backoff until the receiver accepts, replays with the same webhook-id, and sends a test message', async () => {
      receiver.received.length = 0;
      const { endpoint, secret } = (await owner.post('/api/webhooks', { url: `${receiver.url}?retry`, eventTypes: ['contact.untagged'] })).json();
      receiver.answers.push(500, 503);
      await t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type: 'contact.untagged', actor: { kind: 'system' }, subject: { type: 'contact', id: 'k2' }, data: { tagId: 't1' } }));
      const [delivery] = await waitFor(async () => {
        const d = (await owner.get(`/api/webhooks/${endpoint.id}/deliveries`)).json().deliveries;
        return d[0]?.status === 'succeeded' ? d : null;
      }, { what: 'the third attempt to succeed', timeoutMs: 30_000 });
      assert.equal(delivery.attempts, 3);
      assert.equal(receiver.received.length, 3);
      assert.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1, 'every attempt carries the same webhook-id');
      assert.ok(receiver.received.every((r) => new Webhook(secret).verify(r.body, r.headers)));

      const replay = await owner.post(`/api/webhook-deliveries/${delivery.id}/replay`);
      assert.equal(replay.statusCode, 201, replay.body);
      await waitFor(async () => receiver.received.length >= 4, { what: 'the replay' });
      assert.equal(receiver.received[3]!.headers['webhook-id'], delivery.messageId);
      const log = (await owner.get(`/api/webhooks/${endpoint.id}/deliveries`)).json().deliveries;
      assert.equal(log.length, 2);
      assert.equal(log.find((d: { replayOf: string | null }) => d.replayOf)?.replayOf, delivery.id);

      const test = await owner.post(`/api/webhooks/${endpoint.id}/test`);
      assert.equal(test.statusCode, 201, test.body);
      await waitFor(async () => receiver.received.length >= 5, { what: 'the test message' });
      assert.equal((new Webhook(secret).verify(receiver.received[4]!.body, receiver.received[4]!.headers) as { type: string }).type, 'webhook.test');
    });

    it('gives up after the last retry, and turns off an endpoint that keeps failing for days (with an event)', async () => {
      const { endpoint } = (await owner.post('/api/webhooks', { url: `${receiver.url}?down`, eventTypes: ['contact.deleted'] })).json();
      const fail = async () => {
        receiver.answers.push(500, 500, 500);
        await t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type: 'contact.deleted', actor: { kind: 'system' }, subject: { type: 'contact', id: 'k3' } }));
      };
      await fail();
      const [failed] = await waitFor(async () => {
        const d = (await owner.get(`/api/webhooks/${endpoint.id}/deliveries?status=failed`)).json().deliveries;
        return d.length ? d : null;
      }, { what: 'the delivery marked failed', timeoutMs: 30_000 });
      assert.equal(failed.attempts, 3);
      assert.equal(failed.responseStatus, 500);
      assert.match(failed.error, /500/);
      assert.ok((await owner.get('/api/webhooks')).json().endpoints.find((e: { id: string }) => e.id === endpoint.id).failingSince);

      t.clock.advance(4 * 86_400_000);
      receiver.answers.length = 0;
      await fail();
      const off = await waitFor(async () => {
        const e = (await owner.get('/api/webhooks')).json().endpoints.find((x: { id: string }) => x.id === endpoint.id);
        return e.enabled ? null : e;
      }, { what: 'the endpoint turned off', timeoutMs: 30_000 });
      assert.match(off.disabledReason, /failed for 3 days/);
      const disabled = await t.app.events.list(t.app.db, { type: 'webhook.endpoint_disabled' });
      assert.equal(disabled.length, 1);
      assert.equal(disabled[0]!.actorKind, 'system');
      const on = await owner.patch(`/api/webhooks/${endpoint.id}`, { enabled: true });
      assert.equal(on.json().endpoint.failingSince, null);
    });

    it('rotates the secret: both signatures verify during the overlap, only the new secret is shown', async () => {
      receiver.received.length = 0;
      const { endpoint, secret: old } = (await owner.post('/api/webhooks', { url: `${receiver.url}?rotate`, eventTypes: ['contact.resubscribed'] })).json();
      const rotated = await owner.post(`/api/webhooks/${endpoint.id}/rotate-secret`);
      assert.equal(rotated.statusCode, 200, rotated.body);
      const { secret } = rotated.json();
      assert.notEqual(secret, old);
      await t.app.database.transaction((tx) => t.app.events.recordInTx(tx, { type: 'contact.resubscribed', actor: { kind: 'system' }, subject: { type: 'contact', id: 'k4' }, data: {} }));
      // Retries for the endpoint turned back on in the test before can still arrive: take this endpoint's own.
      const got = await waitFor(async () => receiver.received.find((r) => r.url.endsWith('?rotate')), { what: 'the delivery' });
      assert.equal(got.headers['webhook-signature']!.split(' ').length, 2);
      assert.ok(new Webhook(secret).verify(got.body, got.headers));
      assert.ok(new Webhook(old).verify(got.body, got.headers));
    });

    it('refuses plain http, credentials in the address and unknown event types', async () => {
      assert.equal((await owner.post('/api/webhooks', { url: 'ftp://example.com/x' })).statusCode, 400);
      assert.equal((await owner.post('/api/webhooks', { url: 'https://user:pw@example.com/x' })).statusCode, 400);
      assert.equal((await owner.post('/api/webhooks', { url: 'https://example.com/x', eventTypes: ['order.payed'] })).statusCode, 400);
      assert.equal((await owner.post('/api/webhooks', { url: 'https://example.com/x', eventTypes: ['webhook.endpoint_disabled'] })).statusCode, 400);
    });
  });
}

describe('webhook address guard', () => {
  it('knows private, loopback, link-local and special addresses of both families', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip']) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
  });

  it('refuses to connect to a private address at delivery time, for an address literal and for a name that resolves to one', async () => {
    const receiver = await startReceiver();
    try {
      const opts = { timeoutMs: 2000, allowPrivate: false };
      const literal = await postWebhook(receiver.url, {}, '{}', opts);
      assert.equal(literal.status, null);
      assert.match(literal.error!, /private/);
      const named = await postWebhook(receiver.url.replace('127.0.0.1', 'localhost'), {}, '{}', opts);
      assert.equal(named.status, null);
      assert.match(named.error!, /private/);
      assert.equal(receiver.received.length, 0, 'nothing reached the private address');
      const allowed = await postWebhook(receiver.url, {}, '{}', { timeoutMs: 2000, allowPrivate: true });
      assert.equal(allowed.status, 200);
    } finally {
      await receiver.close();
    }
  });

  it('refuses to register a private address unless the operator allows it', async () => {
    const t = await createTestApp(backends()[0]!);
    try {
      const owner = await setupOwner(t);
      for (const url of ['http://example.com/hook', 'https://127.0.0.1/hook', 'https://localhost/hook', 'https://[::1]/hook', 'https://169.254.169.254/latest']) {
        const res = await owner.post('/api/webhooks', { url });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      }
    } finally {
      await t.close();
    }
  });
});
