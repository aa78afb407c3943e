// The broadcast report's lists: every recipient with what happened to their message, and the
// bounces and complaints received — filters, keyset paging and who may read them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addMember, backends, Client, createTestApp, setupOwner, waitFor, type TestApp } from '../../../test/support/harness.js';
import { POSTAL, seedAudience } from './test-helpers.js';
import { clickToken, openToken, unsubscribeToken } from './tokens.js';

interface Recipient {
  id: number;
  email: string;
  status: string;
  opens: number;
  clicks: number;
  bounceKind: string | null;
  complainedAt: string | null;
  unsubscribedAt: string | null;
}
interface Bounce {
  id: number;
  email: string;
  kind: string;
  broadcastId: string | null;
  broadcastName: string | null;
}

for (const backend of backends()) {
  describe(`broadcast report: recipients, bounces and complaints [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let broadcastId: string;
    let listId: string;
    const rid: Record<string, number> = {};

    before(async () => {
      t = await createTestApp(backend, { startWorkers: true, config: { MAIL_POSTAL_ADDRESS: POSTAL } });
      owner = await setupOwner(t);
      ({ listId } = await seedAudience(t.app, 8, { domain: 'report.test' }));
      const b = (await owner.post('/api/broadcasts', { name: 'Report me', subject: 'Hi', body: 'Read [the article](https://shop.example/article)', listId })).json();
      broadcastId = b.id;
      assert.equal((await owner.post(`/api/broadcasts/${b.id}/schedule`, {})).statusCode, 200);
      await waitFor(async () => (await owner.get(`/api/broadcasts/${b.id}`)).json().status === 'finished', { what: 'the broadcast to finish' });
      for (const r of (await owner.get(`/api/broadcasts/${b.id}/recipients?limit=200`)).json().recipients as Recipient[]) rid[r.email.split('@')[0]!] = r.id;

      // What people did with it: user1 opened twice, user2 opened and clicked, user6 unsubscribed.
      for (const who of ['user1', 'user1', 'user2']) assert.equal((await t.server.inject({ method: 'GET', url: `/email/o/${openToken(t.app.signer, rid[who]!)}.gif` })).statusCode, 200);
      assert.equal((await t.server.inject({ method: 'GET', url: `/email/c/${clickToken(t.app.signer, rid.user2!, 0)}` })).statusCode, 302);
      const user6 = (await t.app.audience.findByEmail(t.app.db, 'user6@report.test'))!;
      await t.app.mail.tracking.unsubscribe(unsubscribeToken(t.app.signer, { c: user6.id, b: broadcastId, l: listId }), 'one-click');
      // What providers reported: a hard bounce, a soft bounce, a complaint, and a bounce of a
      // transactional message that belongs to no broadcast (recorded last).
      await t.app.mail.recordBounces([
        { email: 'user3@report.test', kind: 'hard', provider: 'ses', providerEventId: 'r-1', detail: '550 5.1.1 user unknown', recipientId: rid.user3 },
        { email: 'user4@report.test', kind: 'soft', provider: 'ses', providerEventId: 'r-2', detail: '452 mailbox full', recipientId: rid.user4 },
        { email: 'user5@report.test', kind: 'complaint', provider: 'ses', providerEventId: 'r-3', detail: 'abuse', recipientId: rid.user5 },
        { email: 'Stranger@Elsewhere.test', kind: 'hard', provider: 'smtp', detail: '550 no such user' },
      ]);
    });
    after(() => t.close());

    const recipients = async (query: string) => {
      const res = await owner.get(`/api/broadcasts/${broadcastId}/recipients?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { recipients: Recipient[]; total: number; nextCursor: string | null };
    };
    const bounces = async (query: string) => {
      const res = await owner.get(`/api/mail/bounces?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { bounces: Bounce[]; total: number; nextCursor: string | null };
    };
    const users = (rows: { email: string }[]) => rows.map((r) => r.email.split('@')[0]);

    it('lists every recipient with their opens, clicks, bounce, complaint and unsubscribe', async () => {
      const all = await recipients('');
      assert.equal(all.total, 8);
      assert.deepEqual(users(all.recipients).sort(), ['user1', 'user2', 'user3', 'user4', 'user5', 'user6', 'user7', 'user8']);
      assert.deepEqual(all.recipients.map((r) => r.id), Object.values(rid).sort((a, b) => a - b), 'in the order they were taken');
      const by = Object.fromEntries(all.recipients.map((r) => [r.email.split('@')[0], r]));
      assert.equal(by.user1!.opens, 2);
      assert.equal(by.user2!.clicks, 1);
      assert.equal(by.user3!.bounceKind, 'hard');
      assert.ok(by.user5!.complainedAt);
      assert.ok(by.user6!.unsubscribedAt);
      assert.ok(all.recipients.every((r) => r.status === 'sent'));
    });

    it('filters by what happened after sending, by row state and by part of the address', async () => {
      const expect = async (status: string, who: string[]) => {
        const page = await recipients(`status=${status}`);
        assert.deepEqual(users(page.recipients).sort(), who, status);
        assert.equal(page.total, who.length, `${status} total`);
      };
      await expect('opened', ['user1', 'user2']);
      await expect('clicked', ['user2']);
      await expect('bounced', ['user3', 'user4']);
      await expect('complained', ['user5']);
      await expect('unsubscribed', ['user6']);
      await expect('failed', []);
      await expect('queued', []);
      assert.equal((await recipients('status=sent')).total, 8);
      assert.deepEqual(users((await recipients('search=USER7@')).recipients), ['user7'], 'case does not matter');
      assert.equal((await recipients('status=opened&search=user2')).total, 1, 'filters combine');
      assert.equal((await recipients('search=%25')).total, 0, 'a % is a character, not a wildcard');
      assert.equal((await owner.get(`/api/broadcasts/${broadcastId}/recipients?status=delivered`)).statusCode, 400);
    });

    it('pages recipients with a cursor, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = '';
      let pages = 0;
      while (cursor !== null) {
        const page = await recipients(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(page.recipients.length <= 3);
        assert.equal(page.total, 8, 'the total is the whole filtered list, on every page');
        seen.push(...users(page.recipients).map(String));
        cursor = page.nextCursor;
        pages++;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, users((await recipients('')).recipients));
      const opened = await recipients('status=opened&limit=1');
      const next = await recipients(`status=opened&limit=1&cursor=${opened.nextCursor}`);
      assert.deepEqual([...users(opened.recipients), ...users(next.recipients)].sort(), ['user1', 'user2'], 'paging keeps the filter');
      assert.equal(next.nextCursor, null);
      assert.equal((await owner.get(`/api/broadcasts/${broadcastId}/recipients?cursor=abc`)).statusCode, 400);
      assert.equal((await owner.get('/api/broadcasts/00000000-0000-4000-8000-000000000000/recipients')).statusCode, 404);
    });

    it('lists bounces and complaints newest first, for one broadcast, by kind or address, page by page', async () => {
      const all = await bounces('');
      assert.equal(all.total, 4);
      assert.equal(all.bounces[0]!.email, 'stranger@elsewhere.test', 'the last recorded comes first');
      assert.equal(all.bounces[0]!.broadcastId, null, 'a transactional bounce belongs to no broadcast');
      const ours = await bounces(`broadcastId=${broadcastId}`);
      assert.deepEqual(users(ours.bounces), ['user5', 'user4', 'user3']);
      assert.ok(ours.bounces.every((b) => b.broadcastName === 'Report me'));
      assert.deepEqual(users((await bounces('kind=complaint')).bounces), ['user5']);
      assert.deepEqual(users((await bounces('kind=hard')).bounces), ['stranger', 'user3']);
      assert.deepEqual(users((await bounces(`kind=soft&broadcastId=${broadcastId}`)).bounces), ['user4']);
      assert.deepEqual(users((await bounces('search=ELSEWHERE')).bounces), ['stranger']);

      const first = await bounces('limit=3');
      assert.equal(first.bounces.length, 3);
      const rest = await bounces(`limit=3&cursor=${first.nextCursor}`);
      assert.deepEqual(users(rest.bounces), ['user3']);
      assert.equal(rest.nextCursor, null);
      assert.equal((await owner.get('/api/mail/bounces?kind=bounce')).statusCode, 400);
      assert.equal((await owner.get('/api/mail/bounces?broadcastId=not-a-uuid')).statusCode, 400);
    });

    it('needs mail.read: support may read both lists, content may not, nobody signed out may', async () => {
      const support = await addMember(t, owner, 'support');
      const content = await addMember(t, owner, 'content');
      for (const url of [`/api/broadcasts/${broadcastId}/recipients`, '/api/mail/bounces']) {
        assert.equal((await support.get(url)).statusCode, 200, `support ${url}`);
        const denied = await content.get(url);
        assert.equal(denied.statusCode, 403, `content ${url}`);
        assert.equal(denied.json().error.code, 'forbidden');
        assert.equal((await new Client(t.server).get(url)).statusCode, 401, `anonymous ${url}`);
      }
    });
  });
}
