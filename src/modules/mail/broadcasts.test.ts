import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addMember, backends, Client, createTestApp, setupOwner, waitFor, type TestApp } from '../../../test/support/harness.js';
import { POSTAL, seedAudience } from './test-helpers.js';

for (const backend of backends()) {
  describe(`broadcasts: compose, preview, schedule, tracking [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let listId: string;
    before(async () => {
      t = await createTestApp(backend, { startWorkers: true });
      owner = await setupOwner(t);
      ({ listId } = await seedAudience(t.app, 5, { domain: 'compose.test' }));
    });
    after(() => t.close());

    const waitFinished = (id: string) =>
      waitFor(async () => {
        const b = (await owner.get(`/api/broadcasts/${id}`)).json();
        return b.status === 'finished' ? b : null;
      }, { what: 'finished' });

    it('refuses to send without a postal address for the footer, then sends once it is set', async () => {
      const b = (await owner.post('/api/broadcasts', { name: 'Launch', subject: 'Hi {{ contact.name }}', body: 'Hello', listId })).json();
      const refused = await owner.post(`/api/broadcasts/${b.id}/schedule`, {});
      assert.equal(refused.statusCode, 400);
      assert.match(refused.json().error.message, /postal address/);
      assert.equal((await owner.patch('/api/mail/settings', { postalAddress: POSTAL })).statusCode, 200);
      assert.equal((await owner.post(`/api/broadcasts/${b.id}/schedule`, {})).statusCode, 200);
      const done = await waitFinished(b.id);
      assert.equal(done.stats.sent, 5);
      const stored = (await owner.get('/api/outbox?stream=broadcast&to=compose.test')).json();
      assert.equal(stored.outboxOnly, true, 'with no SMTP_URL broadcasts land in the outbox');
      assert.equal(stored.messages.length, 5);
      const one = (await owner.get(`/api/outbox/${stored.messages[0].id}`)).json();
      assert.match(one.html, /12 Example Street/);
      assert.match(one.text, /Unsubscribe: http:\/\/127\.0\.0\.1:3000\/email\/unsubscribe\?token=/);
      assert.equal(one.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
      const events = (await owner.get('/api/activity?type=broadcast.')).json().events.map((e: { type: string }) => e.type);
      assert.ok(events.includes('broadcast.started') && events.includes('broadcast.finished') && events.includes('broadcast.scheduled'));
    });

    it('previews unsaved content for a contact, escaping what a contact typed; refuses a personalised link', async () => {
      const c = await t.app.audience.findByEmail(t.app.db, 'user1@compose.test');
      await t.app.database.execute(`update contacts set name = '<script>alert(1)</script>' where id = $1`, [c!.id]);
      const p = await owner.post('/api/broadcasts/preview', { subject: 'For {{ contact.name }}', body: '**Hi** {{ contact.name | default: "friend" }} from {{ contact.city | default: "somewhere" }}', contactId: c!.id });
      assert.equal(p.statusCode, 200, p.body);
      assert.doesNotMatch(p.json().html, /<script>/);
      assert.match(p.json().html, /&lt;script&gt;/);
      assert.match(p.json().html, /<strong>Hi<\/strong>/);
      assert.match(p.json().html, /City 1/);
      const bad = await owner.post('/api/broadcasts/preview', { subject: 'x', body: '[click]({{ contact.website }})' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /cannot be personalised/);
      const broken = await owner.post('/api/broadcasts/preview', { subject: 'x', body: 'Hello {% if %}' });
      assert.equal(broken.statusCode, 400);
    });

    it('test-sends to the outbox, marked [Test]; marketing may send, support may only read', async () => {
      const b = (await owner.post('/api/broadcasts', { name: 'Draft', subject: 'News', body: 'Body', listId })).json();
      const sent = await owner.post(`/api/broadcasts/${b.id}/test`, { to: ['me@owner.test'] });
      assert.equal(sent.statusCode, 200);
      await waitFor(async () => (await owner.get('/api/outbox?to=me@owner.test')).json().messages.find((m: { subject: string; status: string }) => m.subject === '[Test] News' && m.status === 'stored'), { what: 'test send' });
      const support = await addMember(t, owner, 'support', 'sam@example.com');
      assert.equal((await support.get(`/api/broadcasts/${b.id}`)).statusCode, 200);
      assert.equal((await support.post(`/api/broadcasts/${b.id}/schedule`, {})).statusCode, 403);
      const marketing = await addMember(t, owner, 'marketing', 'mo@example.com');
      assert.equal((await marketing.patch(`/api/broadcasts/${b.id}`, { subject: 'Better news' })).json().subject, 'Better news');
    });

    it('schedules for later, can go back to draft, and a sent broadcast cannot be edited', async () => {
      const b = (await owner.post('/api/broadcasts', { name: 'Later', subject: 'Soon', body: 'x', listId })).json();
      const at = new Date(t.clock.now().getTime() + 3 * 86_400_000).toISOString();
      const s = await owner.post(`/api/broadcasts/${b.id}/schedule`, { at });
      assert.equal(s.json().status, 'scheduled');
      assert.equal(new Date(s.json().scheduledAt).toISOString(), at);
      assert.equal((await owner.post(`/api/broadcasts/${b.id}/unschedule`)).json().status, 'draft');
      const first = (await owner.get('/api/broadcasts?status=finished')).json().broadcasts[0];
      const edit = await owner.patch(`/api/broadcasts/${first.id}`, { subject: 'changed' });
      assert.equal(edit.statusCode, 409);
      assert.equal((await owner.delete(`/api/broadcasts/${b.id}`)).statusCode, 204);
    });

    it('counts opens and clicks per broadcast and per link; only the first open is an event', async () => {
      const b = (await owner.post('/api/broadcasts', { name: 'Tracked', subject: 'Links', body: 'See [one](https://a.example/1) and [two](https://a.example/2?x=1&y=2)', listId })).json();
      await owner.post(`/api/broadcasts/${b.id}/schedule`, {});
      await waitFinished(b.id);
      const msg = (await owner.get('/api/outbox?stream=broadcast&to=user2@compose.test')).json().messages.find((m: { subject: string }) => m.subject === 'Links');
      const html = (await owner.get(`/api/outbox/${msg.id}`)).json().html as string;
      const pixel = /src="http:\/\/127\.0\.0\.1:3000(\/email\/o\/[^"]+)"/.exec(html)![1]!;
      const clicks = [...html.matchAll(/href="http:\/\/127\.0\.0\.1:3000(\/email\/c\/[^"]+)"/g)].map((m) => m[1]!);
      for (let i = 0; i < 2; i++) {
        const r = await t.server.inject({ method: 'GET', url: pixel });
        assert.equal(r.statusCode, 200);
        assert.equal(r.headers['content-type'], 'image/gif');
      }
      const second = clicks.find((c) => c !== clicks[0])!;
      const r1 = await t.server.inject({ method: 'GET', url: second });
      assert.equal(r1.headers.location, 'https://a.example/2?x=1&y=2');
      await t.server.inject({ method: 'GET', url: second });
      assert.equal((await t.server.inject({ method: 'GET', url: second.slice(0, -3) + 'xyz' })).statusCode, 404, 'a forged redirect goes nowhere');
      const stats = (await owner.get(`/api/broadcasts/${b.id}`)).json().stats;
      assert.equal(stats.opened, 1);
      assert.equal(stats.opens, 2);
      assert.equal(stats.clicked, 1);
      const links = (await owner.get(`/api/broadcasts/${b.id}/links`)).json().links;
      assert.deepEqual(links.map((l: { url: string; clicks: number; uniqueClicks: number }) => [l.url, l.clicks, l.uniqueClicks]), [['https://a.example/1', 0, 0], ['https://a.example/2?x=1&y=2', 2, 1]]);
      const opened = (await owner.get('/api/activity?type=email.opened')).json().events.filter((e: { data: { broadcastId: string } }) => e.data.broadcastId === b.id);
      assert.equal(opened.length, 1);
      assert.equal(opened[0].actorKind, 'customer');
      assert.equal((await owner.get('/api/activity?type=email.clicked')).json().events.filter((e: { data: { broadcastId: string } }) => e.data.broadcastId === b.id).length, 1);

      await owner.patch('/api/mail/settings', { trackingEnabled: false });
      const quiet = (await owner.post('/api/broadcasts', { name: 'Untracked', subject: 'Quiet', body: 'See [one](https://a.example/1)', listId })).json();
      await owner.post(`/api/broadcasts/${quiet.id}/schedule`, {});
      await waitFinished(quiet.id);
      const q = (await owner.get('/api/outbox?stream=broadcast&to=user2@compose.test')).json().messages.find((m: { subject: string }) => m.subject === 'Quiet');
      const qhtml = (await owner.get(`/api/outbox/${q.id}`)).json().html as string;
      assert.doesNotMatch(qhtml, /\/email\/o\//);
      assert.match(qhtml, /href="https:\/\/a\.example\/1"/, 'links go straight to their address');
    });

    it('a segment of people who opened (from the email.opened events) receives the next broadcast, and nobody else', async () => {
      await owner.patch('/api/mail/settings', { trackingEnabled: true });
      const seg = await owner.post('/api/segments', { name: 'Openers', rules: { match: 'all', rules: [{ type: 'engagement', op: 'opened', days: 30 }] } });
      assert.equal(seg.statusCode, 201, seg.body);
      const b = (await owner.post('/api/broadcasts', { name: 'For openers', subject: 'Thanks for reading', body: 'Hi', segmentId: seg.json().id })).json();
      assert.equal((await owner.post(`/api/broadcasts/${b.id}/schedule`, {})).statusCode, 200);
      const done = await waitFinished(b.id);
      assert.equal(done.stats.sent, 1);
      const to = (await owner.get('/api/outbox?stream=broadcast&limit=200')).json().messages.filter((m: { subject: string }) => m.subject === 'Thanks for reading').map((m: { to: string }) => m.to);
      assert.deepEqual(to, ['user2@compose.test']);
    });
  });
}

for (const backend of backends()) {
  describe(`broadcast watchdog [${backend}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(backend, { config: { MAIL_POSTAL_ADDRESS: POSTAL } });
    });
    after(() => t.close());

    it('starts a scheduled broadcast that is due and restarts one whose workers stopped', async () => {
      const { listId } = await seedAudience(t.app, 3, { domain: 'watchdog.test' });
      const b = await t.app.mail.broadcasts.create({ name: 'Due', subject: 'Hi', body: 'x', listId }, { kind: 'system' });
      await t.app.mail.broadcasts.schedule(b.id, new Date(t.clock.now().getTime() + 3_600_000), { kind: 'system' });
      await t.app.mail.engine.watchdog();
      assert.equal((await t.app.mail.broadcasts.get(b.id)).status, 'scheduled', 'not before its time');
      t.clock.advance(3_600_000 + 1000);
      await t.app.mail.engine.watchdog();
      assert.equal((await t.app.mail.broadcasts.get(b.id)).status, 'sending', 'the audience was taken');
      // No worker ran (this app has none); two minutes later the watchdog queues new ones.
      const queued = async () => Number((await t.app.database.execute<{ n: number }>(`select count(*)::int as n from pgboss.job where name = 'mail.broadcast-send' and state = 'created'`)).rows[0]!.n);
      const before = await queued();
      t.clock.advance(3 * 60_000);
      await t.app.mail.engine.watchdog();
      assert.ok((await queued()) > before, 'workers were queued again');
      // A worker finishes it.
      await t.app.mail.engine.work(b.id, 5000);
      assert.equal((await t.app.mail.broadcasts.get(b.id)).status, 'finished');
    });
  });
}
