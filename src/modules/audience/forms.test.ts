import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client, createTestApp, setupOwner, type TestApp } from '../../../test/support/harness.js';
import { Browser, pageText } from '../../../test/support/form-browser.js';

const ORIGIN = 'http://127.0.0.1:3000';

async function lastMailTo(t: TestApp, to: string) {
  const [m] = await t.app.mail.listOutbox({ to });
  return m ? t.app.mail.getMessage(m.id) : null;
}

function linkIn(text: string, path: string): string {
  const m = new RegExp(`(http\\S+${path.replace(/[/?]/g, (c) => `\\${c}`)}\\S*)`).exec(text);
  if (!m) throw new Error(`no ${path} link in: ${text}`);
  const u = new URL(m[1]!);
  return u.pathname + u.search;
}

for (const backend of backends()) {
  describe(`opt-in forms and double opt-in [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let weekly: string;
    let news: string;
    let tagId: string;
    before(async () => {
      t = await createTestApp(backend, { config: { DATA_DIR: `/tmp/onehour-test-audience-forms-${backend}` } });
      owner = await setupOwner(t);
      weekly = (await owner.post('/api/lists', { name: 'Weekly letter' })).json().id;
      news = (await owner.post('/api/lists', { name: 'Product news' })).json().id;
      tagId = (await owner.post('/api/tags', { name: 'lead-magnet' })).json().id;
    });
    after(() => t.close());

    it('double opt-in: the form creates an unconfirmed contact, mails a signed link, and only the button press confirms', async () => {
      const created = await owner.post('/api/forms', {
        slug: 'weekly',
        name: 'Weekly letter sign-up',
        title: 'Get the Weekly letter',
        intro: '<p>One <strong>useful</strong> idea every Friday.</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>',
        consentText: 'I agree to receive the Weekly letter by email. I can unsubscribe at any time.',
        listIds: [weekly],
        tagIds: [tagId],
        customFields: [{ key: 'company', label: 'Company', required: false }],
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().doubleOptIn, true, 'double opt-in is the default');

      const b = new Browser(t.server, ORIGIN);
      const page = await b.go('GET', '/f/weekly');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<strong>useful<\/strong>/);
      assert.doesNotMatch(page.body, /<script>alert|javascript:/, 'the intro is sanitised');
      assert.match(page.body, /<label for="email">Email address<\/label>/);

      const sent = await b.go('POST', '/f/weekly', { _csrf: Browser.csrf(page.body), email: 'Nora@Example.com', name: 'Nora', field_company: 'Acme', website: '' });
      assert.equal(sent.statusCode, 200);
      assert.match(pageText(sent.body), /Check your inbox/);

      const contact = await t.app.audience.findByEmail(t.app.db, 'nora@example.com');
      assert.equal(contact!.status, 'unconfirmed');
      assert.equal(contact!.fields.company, 'Acme');
      const before = (await owner.get(`/api/contacts/${contact!.id}`)).json();
      assert.equal(before.lists.length, 0, 'nothing is joined before confirmation');
      assert.equal(before.consent[0].kind, 'form');
      assert.equal(before.consent[0].statement, 'I agree to receive the Weekly letter by email. I can unsubscribe at any time.');
      assert.ok(before.consent[0].ip, 'the IP is kept as evidence');

      const mail = await lastMailTo(t, 'Nora@Example.com');
      assert.equal(mail!.tag, 'audience.confirm');
      const confirmPath = linkIn(mail!.text, '/f/confirm?token=');

      const landing = await b.go('GET', confirmPath);
      assert.equal(landing.statusCode, 200);
      assert.equal(landing.headers['referrer-policy'], 'same-origin', 'the token does not leak to other sites');
      assert.equal((await t.app.audience.findByEmail(t.app.db, 'nora@example.com'))!.status, 'unconfirmed', 'opening the link (a mail scanner) confirms nothing');

      const confirmed = await b.go('POST', '/f/confirm', { _csrf: Browser.csrf(landing.body), token: Browser.hidden(landing.body, 'token') });
      assert.equal(confirmed.statusCode, 200);
      assert.match(pageText(confirmed.body), /Subscription confirmed/);
      const detail = (await owner.get(`/api/contacts/${contact!.id}`)).json();
      assert.equal(detail.contact.status, 'active');
      assert.ok(detail.contact.confirmedAt);
      assert.deepEqual(detail.lists.map((l: { id: string; status: string }) => [l.id, l.status]), [[weekly, 'subscribed']]);
      assert.deepEqual(detail.tags.map((x: { name: string }) => x.name), ['lead-magnet']);
      assert.deepEqual(detail.consent.map((c: { kind: string }) => c.kind), ['confirmed', 'form']);

      const types = detail.events.map((e: { type: string; actorKind: string; actorId: string }) => [e.type, e.actorKind, e.actorId]);
      for (const type of ['contact.created', 'contact.opt_in_requested', 'contact.confirmed', 'contact.subscribed', 'contact.tagged']) {
        assert.ok(types.some(([ty, kind, id]: string[]) => ty === type && kind === 'customer' && id === contact!.id), `${type} with the person as actor`);
      }

      const again = await b.go('POST', '/f/confirm', { _csrf: Browser.csrf(landing.body), token: Browser.hidden(landing.body, 'token') });
      assert.match(pageText(again.body), /already confirmed/);
      const after = (await owner.get(`/api/contacts/${contact!.id}`)).json();
      assert.equal(after.events.filter((e: { type: string }) => e.type === 'contact.confirmed').length, 1, 'a second press records nothing');

      const stats = (await owner.get('/api/forms')).json().forms.find((f: { slug: string }) => f.slug === 'weekly').stats;
      assert.deepEqual(stats, { submissions: 1, confirmations: 1 });
    });

    it('explains an invalid address on the form itself, keeping what was typed', async () => {
      const b = new Browser(t.server, ORIGIN);
      const page = await b.go('GET', '/f/weekly');
      const res = await b.go('POST', '/f/weekly', { _csrf: Browser.csrf(page.body), email: 'nora.example.com', name: 'Typo Tim', website: '' });
      assert.equal(res.statusCode, 400);
      const text = pageText(res.body);
      assert.match(text, /"nora\.example\.com" is missing the @/);
      assert.match(res.body, /aria-invalid="true"/);
      assert.match(res.body, /value="Typo Tim"/);
      assert.equal(await t.app.audience.findByEmail(t.app.db, 'nora.example.com'), null);
    });

    it('confirmation links expire and cannot be forged; a form cannot flood an inbox', async () => {
      const b = new Browser(t.server, ORIGIN);
      const page = await b.go('GET', '/f/weekly');
      await b.go('POST', '/f/weekly', { _csrf: Browser.csrf(page.body), email: 'late@example.com', website: '' });
      await b.go('POST', '/f/weekly', { _csrf: Browser.csrf(page.body), email: 'late@example.com', website: '' });
      await b.go('POST', '/f/weekly', { _csrf: Browser.csrf(page.body), email: 'late@example.com', website: '' });
      assert.equal((await t.app.mail.listOutbox({ to: 'late@example.com' })).length, 1, 'one confirmation mail per address per 10 minutes');
      const mail = await lastMailTo(t, 'late@example.com');
      const path = linkIn(mail!.text, '/f/confirm?token=');

      const forged = await b.go('GET', path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
      assert.equal(forged.statusCode, 400);

      t.clock.advance(8 * 86_400_000);
      const expired = await b.go('GET', path);
      assert.equal(expired.statusCode, 400);
      assert.match(pageText(expired.body), /expired or is not valid/);
      t.clock.advance(-8 * 86_400_000);
    });

    it('a bot that fills the honeypot sees the normal answer and nothing is stored', async () => {
      const b = new Browser(t.server, ORIGIN);
      const page = await b.go('GET', '/f/weekly');
      const res = await b.go('POST', '/f/weekly', { _csrf: Browser.csrf(page.body), email: 'bot@spam.example', website: 'http://spam.example' });
      assert.equal(res.statusCode, 200);
      assert.match(pageText(res.body), /Check your inbox/);
      assert.equal(await t.app.audience.findByEmail(t.app.db, 'bot@spam.example'), null);
      assert.equal((await t.app.mail.listOutbox({ to: 'bot@spam.example' })).length, 0);
    });

    it('the embeddable snippet posts from another site; the hosted form refuses cross-site posts', async () => {
      const form = (await owner.get('/api/forms')).json().forms.find((f: { slug: string }) => f.slug === 'weekly');
      const detail = (await owner.get(`/api/forms/${form.id}`)).json();
      assert.match(detail.embedHtml, /<form method="post" action="http:\/\/127\.0\.0\.1:3000\/f\/weekly\/embed"/);
      assert.match(detail.embedHtml, /name="website" tabindex="-1"/);
      assert.doesNotMatch(detail.embedHtml, /<script/);

      const blog = new Browser(t.server, 'https://my-blog.example');
      const embedded = await blog.go('POST', '/f/weekly/embed', { email: 'reader@example.com', name: 'Reader', website: '' });
      assert.equal(embedded.statusCode, 200, embedded.body);
      assert.match(pageText(embedded.body), /Check your inbox/);
      assert.equal((await t.app.audience.findByEmail(t.app.db, 'reader@example.com'))!.status, 'unconfirmed');

      const hosted = await blog.go('POST', '/f/weekly', { email: 'cross@example.com', website: '' });
      assert.equal(hosted.statusCode, 403);

      await owner.patch(`/api/forms/${form.id}`, { embedAllowed: false });
      const refused = await blog.go('POST', '/f/weekly/embed', { email: 'reader2@example.com', website: '' });
      assert.equal(refused.statusCode, 403);
      await owner.patch(`/api/forms/${form.id}`, { embedAllowed: true });
    });

    it('single opt-in subscribes at once and delivers the lead magnet; a person who had left must confirm to come back', async () => {
      const res = await owner.post('/api/forms', {
        slug: 'free-guide',
        name: 'Free guide',
        title: 'The pricing guide',
        consentText: 'Send me the guide and the Product news.',
        doubleOptIn: false,
        askName: 'required',
        listIds: [news],
      });
      assert.equal(res.statusCode, 201, res.body);
      const formId = res.json().id;
      const pdf = Buffer.from('%PDF-1.4 pretend guide');
      const upload = await t.server.inject({
        method: 'PUT',
        url: `/api/forms/${formId}/lead-magnet?name=${encodeURIComponent('Pricing guide.pdf')}`,
        headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/octet-stream' },
        payload: pdf,
      });
      assert.equal(upload.statusCode, 200, upload.body);
      assert.deepEqual(upload.json().leadMagnet, { name: 'Pricing guide.pdf', type: 'application/pdf', size: pdf.length });

      const b = new Browser(t.server, ORIGIN);
      const page = await b.go('GET', '/f/free-guide');
      const noName = await b.go('POST', '/f/free-guide', { _csrf: Browser.csrf(page.body), email: 'pia@example.com', name: '', website: '' });
      assert.equal(noName.statusCode, 400);
      assert.match(pageText(noName.body), /Enter your name/);

      const ok = await b.go('POST', '/f/free-guide', { _csrf: Browser.csrf(page.body), email: 'pia@example.com', name: 'Pia', website: '' });
      assert.equal(ok.statusCode, 200);
      assert.match(pageText(ok.body), /You are subscribed/);
      const pia = await t.app.audience.findByEmail(t.app.db, 'pia@example.com');
      assert.equal(pia!.status, 'active');
      const download = /href="(http[^"]+\/f\/free-guide\/download\?token=[^"]+)"/.exec(ok.body)![1]!.replace(/&amp;/g, '&');
      const mail = await lastMailTo(t, 'pia@example.com');
      assert.equal(mail!.tag, 'audience.lead_magnet');
      assert.ok(mail!.text.includes(download), 'the download link is mailed too');

      const file = await b.go('GET', new URL(download).pathname + new URL(download).search);
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-type'], 'application/pdf');
      assert.match(String(file.headers['content-disposition']), /attachment; filename="Pricing guide.pdf"/);
      assert.equal(file.rawPayload.toString(), pdf.toString());
      t.clock.advance(8 * 86_400_000);
      assert.equal((await b.go('GET', new URL(download).pathname + new URL(download).search)).statusCode, 400, 'the link expires');
      t.clock.advance(-8 * 86_400_000);

      // Pia leaves everything; signing up again through a single opt-in form needs her confirmation.
      await t.app.database.transaction((tx) => t.app.audience.unsubscribeInTx(tx, { contactId: pia!.id, actor: { kind: 'customer', id: pia!.id }, via: 'test' }));
      t.clock.advance(11 * 60_000);
      const back = await b.go('POST', '/f/free-guide', { _csrf: Browser.csrf(page.body), email: 'pia@example.com', name: 'Pia', website: '' });
      assert.match(pageText(back.body), /Check your inbox/);
      assert.equal((await t.app.audience.findByEmail(t.app.db, 'pia@example.com'))!.status, 'unsubscribed', 'still unsubscribed until she confirms');
      const confirmMail = (await t.app.mail.listOutbox({ to: 'pia@example.com' })).find((m) => m.tag === 'audience.confirm');
      assert.ok(confirmMail);
    });

    it('archived forms are offline; a reserved or taken address is refused', async () => {
      const form = (await owner.get('/api/forms')).json().forms.find((f: { slug: string }) => f.slug === 'free-guide');
      await owner.patch(`/api/forms/${form.id}`, { archived: true });
      assert.equal((await new Browser(t.server).go('GET', '/f/free-guide')).statusCode, 404);
      const taken = await owner.post('/api/forms', { slug: 'weekly', name: 'x', title: 'x', consentText: 'x' });
      assert.equal(taken.statusCode, 409);
      const reserved = await owner.post('/api/forms', { slug: 'confirm', name: 'x', title: 'x', consentText: 'x' });
      assert.equal(reserved.statusCode, 400);
    });
  });
}

describe('opt-in forms are rate limited per visitor', () => {
  it('answers 429 after RATE_LIMIT_FORMS posts in a minute', async () => {
    const t = await createTestApp('pglite', { config: { RATE_LIMIT_FORMS: '3' } });
    try {
      const owner = await setupOwner(t);
      await owner.post('/api/forms', { slug: 'r', name: 'r', title: 'R', consentText: 'ok' });
      const b = new Browser(t.server, ORIGIN);
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await b.go('POST', '/f/r/embed', { email: `r${i}@example.com`, website: '' })).statusCode);
      assert.deepEqual(codes, [200, 200, 200, 429, 429]);
    } finally {
      await t.close();
    }
  });
});
