// Support's public doors: the customer's rating from the signed link in the reply that closed
// the conversation, and the site's contact block that opens a conversation in the inbox.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { FormBrowser, pathOf } from '../../../test/support/forms.js';
import { parseInbound } from './inbound.js';
import { plainMessage } from './test-mail.js';

const rows = (res: unknown): Record<string, unknown>[] => ((res as { rows?: Record<string, unknown>[] }).rows ?? (res as Record<string, unknown>[]));

for (const backend of backends()) {
  describe(`support: rating links and the site contact block [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let n = 0;
    const customerWrites = async (from: string, subject: string) => (await t.app.support.ingest(await parseInbound(plainMessage({ from, subject, messageId: `<pub${++n}@customer.example>` })), 'smtp')).conversationId!;
    const ratedEvents = async (id: string) => rows(await t.app.db.execute(sql`select actor_kind, actor_id, data from events where type = 'support.rated' and subject_id = ${id} order by id`));

    before(async () => {
      t = await createTestApp(backend, { config: { SUPPORT_ADDRESS: 'support@shop.test', RATE_LIMIT_FORMS: '12' } });
      owner = await setupOwner(t);
    });
    after(async () => {
      await t.close();
    });

    it('the reply that closes a conversation carries signed rating links (when ratings are on); the page records the rating with the customer as actor, the last one counts', async () => {
      const id = await customerWrites('Rita <rita@example.com>', 'Where is my invoice?');
      // Ratings off (the default): a closing reply has no links.
      await owner.post(`/api/support/conversations/${id}/reply`, { text: 'Here it is.', status: 'closed' });
      let mails = await t.app.mail.listOutbox({ to: 'rita@example.com' });
      assert.doesNotMatch((await t.app.mail.getMessage(mails[0]!.id)).text, /rate/);
      assert.equal((await owner.patch('/api/support/settings', { ratings: true })).statusCode, 200);
      await customerWrites('Rita <rita@example.com>', 'Re: Where is my invoice?');
      // A reply that leaves it pending asks nothing; the closing one does.
      await owner.post(`/api/support/conversations/${id}/reply`, { text: 'Looking into it.' });
      await owner.post(`/api/support/conversations/${id}/reply`, { text: 'Sent again.', status: 'closed' });
      mails = await t.app.mail.listOutbox({ to: 'rita@example.com' });
      const texts = await Promise.all(mails.map(async (m) => (await t.app.mail.getMessage(m.id)).text));
      assert.equal(texts.filter((x) => /\/support\/rate\//.test(x)).length, 1, 'only the closing reply asks');
      const mail = texts.find((x) => /\/support\/rate\//.test(x))!;
      const links = [...mail.matchAll(/(http:\/\/127\.0\.0\.1:3000\/support\/rate\/\S+)/g)].map((m) => m[1]!);
      assert.equal(links.length, 3);
      assert.ok(links[0]!.endsWith('?r=great') && links[2]!.endsWith('?r=bad'));
      // The thread keeps what the assistant wrote, without the footer.
      const th = (await owner.get(`/api/support/conversations/${id}`)).json();
      assert.equal(th.messages.at(-1).text, 'Sent again.');

      // Opening the link records nothing (mail scanners open links); the button does.
      const customer = new FormBrowser(t);
      const page = await customer.go('GET', pathOf(links[2]!));
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /checked="" value="bad"/);
      assert.equal((await ratedEvents(id)).length, 0);
      const action = pathOf(links[2]!).split('?')[0]!;
      assert.equal((await customer.go('POST', action, { rating: 'bad', comment: 'Slow' })).statusCode, 403, 'no form token: refused');
      const saved = await customer.go('POST', action, { _csrf: FormBrowser.csrf(page.body), rating: 'bad', comment: 'It took two mails.' });
      assert.equal(saved.statusCode, 200, saved.body.slice(0, 300));
      assert.match(saved.body, /your rating is saved/);
      // The same again: nothing new. A change: the last one counts, recorded with the previous.
      await customer.go('POST', action, { _csrf: FormBrowser.csrf(saved.body), rating: 'bad', comment: 'It took two mails.' });
      let events = await ratedEvents(id);
      assert.equal(events.length, 1);
      await customer.go('POST', action, { _csrf: FormBrowser.csrf(saved.body), rating: 'great', comment: '' });
      events = await ratedEvents(id);
      assert.equal(events.length, 2);
      const conv = (await owner.get(`/api/support/conversations/${id}`)).json().conversation;
      assert.equal(events[1]!.actor_kind, 'customer');
      assert.equal(events[1]!.actor_id, conv.contactId);
      assert.deepEqual({ rating: (events[1]!.data as { rating: string }).rating, previous: (events[1]!.data as { previous: string }).previous }, { rating: 'great', previous: 'bad' });
      // Shown in the conversation and in the assistant's figures.
      assert.equal(conv.rating, 'great');
      assert.equal(conv.ratingComment, null);
      const figures = (await owner.get(`/api/support/figures?to=${new Date(t.clock.now().getTime() + 60_000).toISOString()}`)).json().assistants;
      const mine = figures.find((f: { ratings: { great: number } }) => f.ratings.great === 1);
      assert.ok(mine, JSON.stringify(figures));
      assert.equal(mine.ratings.happiness, 100);
    });

    it('a forged, altered or other-purpose rating link is refused and records nothing', async () => {
      const id = await customerWrites('Sol <sol@example.com>', 'Forgery test');
      const good = pathOf(t.app.support.ratingLink(id, 'okay')).split('?')[0]!;
      const token = good.split('/').pop()!;
      const altered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      const customer = new FormBrowser(t);
      for (const bad of [`/support/rate/${altered}`, `/support/rate/${t.app.signer.sign('form', id, null)}`, `/support/rate/${t.app.signer.sign('support.rating', id, new Date(t.clock.now().getTime() - 1000))}`]) {
        const r = await customer.go('GET', bad);
        assert.equal(r.statusCode, 400, bad);
        assert.match(r.body, /not valid or has expired/);
      }
      const page = await customer.go('GET', good);
      const r = await customer.go('POST', `/support/rate/${altered}`, { _csrf: FormBrowser.csrf(page.body), rating: 'bad' });
      assert.equal(r.statusCode, 400);
      assert.equal((await customer.go('POST', good, { _csrf: FormBrowser.csrf(page.body), rating: 'superb' })).statusCode, 400, 'not a rating');
      assert.equal((await customer.go('POST', good, { _csrf: FormBrowser.csrf(page.body), rating: 'bad', comment: 'a\u0000b' })).statusCode, 400, 'NUL bytes');
      assert.equal((await ratedEvents(id)).length, 0);
    });

    it('the site\'s contact block: a page shows the form with its token and bot trap; a message becomes a conversation on the site channel', async () => {
      const page = (await owner.post('/api/pages', { slug: 'contact', kind: 'landing', content: { title: 'Contact', blocks: [{ id: 'talk', type: 'contact', heading: 'Questions? Write to us', askSubject: true }] } })).json();
      assert.equal((await owner.post(`/api/pages/${page.id}/publish`)).statusCode, 200);
      const visitor = new FormBrowser(t);
      const res = await visitor.go('GET', '/p/contact');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<form[^>]* action="\/support\/contact" method="post"/);
      assert.match(res.body, /<div class="hp" aria-hidden="true">/, 'the bot trap');
      assert.match(res.body, /<label for="talk-subject">/);
      const csrf = FormBrowser.csrf(res.body);
      const referer = 'http://127.0.0.1:3000/p/contact';
      const sent = await visitor.go('POST', '/support/contact', { _csrf: csrf, email: 'Vera@Example.com', name: 'Vera', subject: 'Group discount?', message: 'We are five people. Is there a group price?', website: '' }, { referer });
      assert.equal(sent.statusCode, 200, sent.body.slice(0, 300));
      assert.match(sent.body, /Your message is with us/);
      assert.match(sent.body, /href="\/p\/contact"/);
      const list = (await owner.get('/api/support/conversations?status=open&q=vera')).json().conversations;
      assert.equal(list.length, 1);
      assert.equal(list[0].channel, 'site');
      assert.equal(list[0].subject, 'Group discount?');
      assert.equal(list[0].email, 'vera@example.com');
      const th = (await owner.get(`/api/support/conversations/${list[0].id}`)).json();
      assert.equal(th.messages[0].via, 'site');
      assert.match(th.messages[0].text, /We are five people\. Is there a group price\?\n\n\(sent from the contact form on \/p\/contact\)/);
      // The same form sent twice (a double click, a reload) is stored once.
      await visitor.go('POST', '/support/contact', { _csrf: csrf, email: 'vera@example.com', name: 'Vera', subject: 'Group discount?', message: 'We are five people. Is there a group price?', website: '' }, { referer });
      assert.equal((await owner.get(`/api/support/conversations/${list[0].id}`)).json().messages.length, 1);
    });

    it('contact block bad input: a bot (honeypot), a missing token, a bad address, NUL bytes, an empty or 10 001-character message store nothing; the route is rate-limited', async () => {
      const count = async () => Number(rows(await t.app.db.execute(sql`select count(*)::int as n from support_messages where via = 'site'`))[0]!.n);
      const before = await count();
      const visitor = new FormBrowser(t);
      const csrf = FormBrowser.csrf((await visitor.go('GET', '/p/contact')).body);
      const ok = { _csrf: csrf, email: 'bot@example.com', name: 'B', message: 'Buy cheap things', website: '' };
      const bot = await visitor.go('POST', '/support/contact', { ...ok, website: 'http://spam.example' });
      assert.equal(bot.statusCode, 200, 'the bot sees the normal answer');
      assert.match(bot.body, /Your message is with us/);
      assert.equal((await new FormBrowser(t).go('POST', '/support/contact', { ...ok, _csrf: 'x' })).statusCode, 403);
      for (const bad of [{ email: 'not-an-address' }, { email: 'a@b' }, { message: '' }, { message: 'x'.repeat(10_001) }, { message: 'a\u0000b' }, { name: 'N\u0000' }]) {
        const r = await visitor.go('POST', '/support/contact', { ...ok, ...bad });
        assert.equal(r.statusCode, 400, JSON.stringify(bad).slice(0, 80));
      }
      assert.equal(await count(), before, 'nothing stored');
      // 12 posts a minute per address (RATE_LIMIT_FORMS in this test): the next ones are 429.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await visitor.go('POST', '/support/contact', { ...ok, website: 'trap' })).statusCode);
      assert.ok(statuses.includes(429), statuses.join(','));
    });
  });
}
