import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { backends, createTestApp, setupOwner, testConfig, type Client, type TestApp, waitFor } from '../../../test/support/harness.js';
import { createApp } from '../../app.js';
import { openDatabase } from '../../db/client.js';
import { buildServer } from '../../http/server.js';
import { FormBrowser } from '../../../test/support/forms.js';
import { sanitizeRichText, videoEmbedUrl } from './blocks.js';
import { checkSiteLinks, injectRequester } from './link-check.js';
import { salesPageJsonLd } from './structured-data.js';

const allBlocks = [
  { id: 'h', type: 'hero', heading: 'Throw a bowl this weekend <script>alert(1)</script>', subheading: 'No experience needed.', ctaLabel: 'Enroll', imageUrl: 'https://cdn.example.com/hero.jpg' },
  { id: 'r', type: 'richText', html: '<p>Hello <strong>potter</strong><script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">bad</a> <a href="https://example.com">good</a></p><img src="http://insecure.example/x.png" onerror="x()"><img src="https://ok.example/y.png" alt="y">' },
  { id: 'm', type: 'media', kind: 'video', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', caption: 'Watch the first lesson' },
  { id: 'i', type: 'media', kind: 'image', url: '/assets/studio.jpg', alt: 'The studio' },
  { id: 'b', type: 'bullets', heading: 'What you get', items: ['12 lessons', 'Glaze recipes'] },
  { id: 't', type: 'testimonial', quote: 'My first bowl!', author: 'Ana', role: 'Student' },
  { id: 'p', type: 'pricing', heading: 'Choose your plan' },
  { id: 'f', type: 'faq', items: [{ question: 'Do I need a wheel?', answer: 'No.' }] },
  { id: 'o', type: 'optin', heading: 'Free glaze chart', action: '/forms/glaze-chart' },
  { id: 'g', type: 'guarantee', text: 'Full refund, no questions.', days: 30 },
];

for (const backend of backends()) {
  describe(`store and pages [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let productId: string;
    let priceId: string;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      const p = (await owner.post('/api/products', { slug: 'bowls', kind: 'course', name: 'Bowls & Mugs', summary: 'Throw, trim, glaze.', courseId: randomUUID(), imageUrl: 'https://cdn.example.com/bowls.jpg' })).json();
      productId = p.id;
      priceId = (await owner.post(`/api/products/${p.id}/prices`, { type: 'one_time', currency: 'usd', amount: 14900 })).json().id;
      await owner.post(`/api/products/${p.id}/prices`, { type: 'payment_plan', currency: 'usd', amount: 5500, interval: 'month', instalments: 3 });
      await owner.patch(`/api/products/${p.id}`, { status: 'published' });
      await owner.post('/api/products', { slug: 'secret-draft', kind: 'download', name: 'Secret Draft' });
    });
    after(() => t.close());

    it('the store lists what is on sale, and only that', async () => {
      await owner.patch('/api/site/settings', { name: 'Clay Studio', tagline: 'Pottery courses for busy people' });
      const res = await t.server.inject({ method: 'GET', url: '/' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<title>Clay Studio<\/title>/);
      assert.match(res.body, /Bowls &amp; Mugs/);
      assert.match(res.body, /From \$55/);
      assert.match(res.body, /href="\/p\/bowls"/);
      assert.doesNotMatch(res.body, /Secret Draft/);
    });

    it('a product has a sales page before anyone writes one, with search and social metadata', async () => {
      const res = await t.server.inject({ method: 'GET', url: '/p/bowls' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<h1>Bowls &amp; Mugs<\/h1>/);
      assert.match(res.body, /<meta name="description" content="Throw, trim, glaze\."/);
      assert.match(res.body, /<link rel="canonical" href="http:\/\/127\.0\.0\.1:3000\/p\/bowls"/);
      assert.match(res.body, /<meta property="og:image" content="https:\/\/cdn\.example\.com\/bowls\.jpg"/);
      assert.match(res.body, /"@type":"Course"/);
      assert.match(res.body, /"price":"149.00","priceCurrency":"USD"/);
      assert.match(res.body, new RegExp(`href="/checkout/${priceId}"`));
      assert.match(res.body, /3 payments of \$55 \/ month/);
      assert.equal((await t.server.inject({ method: 'GET', url: '/p/secret-draft' })).statusCode, 404);
      assert.equal((await t.server.inject({ method: 'GET', url: '/p/no-such-thing', headers: { accept: 'text/html' } })).statusCode, 404);
    });

    it('search engines read a Course (provider, offers) on a course page and a Product (offers, price, currency, availability) on the others', async () => {
      const scripts = (html: string) => [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
      const course = scripts((await t.server.inject({ method: 'GET', url: '/p/bowls' })).body);
      assert.equal(course.length, 1);
      const c = JSON.parse(course[0]!) as Record<string, any>;
      assert.equal(c['@context'], 'https://schema.org');
      assert.equal(c['@type'], 'Course');
      assert.equal(c.name, 'Bowls & Mugs');
      assert.equal(c.description, 'Throw, trim, glaze.');
      assert.equal(c.url, 'http://127.0.0.1:3000/p/bowls');
      assert.deepEqual(c.provider, { '@type': 'Organization', '@id': 'http://127.0.0.1:3000/#organization', name: 'Clay Studio', url: 'http://127.0.0.1:3000/' });
      assert.deepEqual(c.hasCourseInstance, { '@type': 'CourseInstance', courseMode: 'Online' });
      assert.equal(c.offers.length, 2);
      const [once, plan] = c.offers;
      assert.deepEqual(
        { type: once['@type'], price: once.price, currency: once.priceCurrency, availability: once.availability, url: once.url, category: once.category },
        { type: 'Offer', price: '149.00', currency: 'USD', availability: 'https://schema.org/InStock', url: `http://127.0.0.1:3000/checkout/${priceId}`, category: 'Paid' },
      );
      // A payment plan: the offer's price is the whole (3 × $55); the instalment is in the specification.
      assert.equal(plan.price, '165.00');
      assert.deepEqual(plan.priceSpecification, { '@type': 'UnitPriceSpecification', price: '55.00', priceCurrency: 'USD', billingDuration: 'P1M', billingIncrement: 3 });

      // A download whose name tries to end the script: a Product, and the JSON stays inside its script.
      const d = (await owner.post('/api/products', { slug: 'glaze-chart-pdf', kind: 'download', name: 'Glaze chart </script><script>alert(1)</script>', summary: 'Forty glazes <b>tested</b>.' })).json();
      await owner.post(`/api/products/${d.id}/prices`, { type: 'one_time', currency: 'jpy', amount: 1500 });
      await owner.post(`/api/products/${d.id}/prices`, { type: 'subscription', currency: 'eur', amount: 900, interval: 'year' });
      await owner.patch(`/api/products/${d.id}`, { status: 'published' });
      const page = await t.server.inject({ method: 'GET', url: '/p/glaze-chart-pdf' });
      assert.equal(page.statusCode, 200);
      const [raw] = scripts(page.body);
      assert.ok(raw && !raw.includes('<'), 'no raw < inside the JSON-LD script');
      assert.doesNotMatch(page.body, /<script>alert/);
      const p = JSON.parse(raw) as Record<string, any>;
      assert.equal(p['@type'], 'Product');
      assert.equal(p.name, 'Glaze chart </script><script>alert(1)</script>', 'the name survives, escaped');
      assert.equal(p.description, 'Forty glazes <b>tested</b>.');
      assert.equal(p.sku, 'glaze-chart-pdf');
      assert.deepEqual(p.brand, { '@type': 'Brand', name: 'Clay Studio' });
      assert.deepEqual(
        p.offers.map((o: Record<string, any>) => [o.price, o.priceCurrency, o.availability, o.seller?.name]),
        [
          ['1500', 'JPY', 'https://schema.org/InStock', 'Clay Studio'],
          ['9.00', 'EUR', 'https://schema.org/InStock', 'Clay Studio'],
        ],
      );
      assert.equal(p.offers[1].priceSpecification.billingDuration, 'P1Y');
      for (const o of [...c.offers, ...p.offers]) {
        assert.match(o.price, /^\d+(\.\d+)?$/, 'price is a plain decimal');
        assert.match(o.priceCurrency, /^[A-Z]{3}$/, 'ISO 4217');
        assert.match(o.url, /^https?:\/\//, 'absolute offer url');
      }

      // Nothing on sale (every price switched off): no offers rather than an empty or priceless one.
      const off = salesPageJsonLd({ ...d, status: 'published', kind: 'membership', prices: [] }, { url: 'http://127.0.0.1:3000/p/club', description: '', site: { name: 'Clay Studio', publicUrl: 'http://127.0.0.1:3000' } });
      assert.equal(off['@type'], 'Product');
      assert.equal('offers' in off, false);
      assert.equal(off.description, 'Forty glazes <b>tested</b>.');
    });

    it('the editor previews a draft through the public components; visitors see it only once published', async () => {
      const created = await owner.post('/api/pages', { slug: 'bowls', kind: 'sales', productId });
      assert.equal(created.statusCode, 201);
      const page = created.json();
      const saved = await owner.patch(`/api/pages/${page.id}`, { draft: { title: 'Bowls & Mugs — the course', description: 'Learn to throw.', blocks: allBlocks } });
      assert.equal(saved.statusCode, 200, saved.body);
      const live = await owner.post('/api/site/preview', { content: { title: 'Live', blocks: allBlocks }, productId });
      assert.equal(live.statusCode, 200);
      const framed = await owner.get(`/api/pages/${page.id}/preview`);
      assert.equal(framed.statusCode, 200);
      assert.match(String(framed.headers['content-type']), /text\/html/);
      for (const html of [live.json().html as string, framed.body]) {
        assert.match(html, /Preview — visitors do not see this/);
        assert.match(html, /<h1>Throw a bowl this weekend &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h1>/, 'text is escaped');
        assert.doesNotMatch(html, /<script>alert/);
        assert.doesNotMatch(html, /javascript:|onclick|onerror|http:\/\/insecure/);
        assert.match(html, /<a href="https:\/\/example.com" rel="nofollow noopener">good<\/a>/);
        assert.match(html, /src="https:\/\/www\.youtube-nocookie\.com\/embed\/dQw4w9WgXcQ" title="Watch the first lesson"/);
        assert.match(html, /<img src="\/assets\/studio.jpg" alt="The studio"/);
        assert.match(html, /<details><summary>Do I need a wheel\?<\/summary>/);
        assert.match(html, /This sign-up form is no longer available/, 'a typed path to no form: a message, never a broken post');
        assert.doesNotMatch(html, /action="\/forms\/glaze-chart"/);
        assert.match(html, /30-day money-back guarantee/);
        assert.match(html, new RegExp(`/checkout/${priceId}`));
        assert.equal(html.match(/<h1[ >]/g)?.length, 1, 'one h1');
      }
      const before = await t.server.inject({ method: 'GET', url: '/p/bowls' });
      assert.doesNotMatch(before.body, /Throw a bowl this weekend/, 'the draft is not public');
      assert.equal((await owner.post(`/api/pages/${page.id}/publish`)).statusCode, 200);
      const after = await t.server.inject({ method: 'GET', url: '/p/bowls' });
      assert.match(after.body, /Throw a bowl this weekend/);
      assert.doesNotMatch(after.body, /Preview — visitors/);
      assert.match(after.body, /<title>Bowls &amp; Mugs — the course · Clay Studio<\/title>/);
      const bad = await owner.patch(`/api/pages/${page.id}`, { draft: { title: 'x', blocks: [{ id: 'm', type: 'media', kind: 'image', url: 'javascript:alert(1)' }] } });
      assert.equal(bad.statusCode, 400);
      assert.equal((await owner.post(`/api/pages/${page.id}/unpublish`)).statusCode, 200);
      const fallback = await t.server.inject({ method: 'GET', url: '/p/bowls' });
      assert.match(fallback.body, /<h1>Bowls &amp; Mugs<\/h1>/, 'back to the default page');
      await owner.post(`/api/pages/${page.id}/publish`);
    });

    it('a landing page with logos and numbers, made through the admin API, shows them to visitors', async () => {
      const created = await owner.post('/api/pages', { slug: 'proof', kind: 'landing' });
      assert.equal(created.statusCode, 201, created.body);
      const blocks = [
        { id: 'l', type: 'logos', heading: 'As featured in', items: [{ name: 'Ceramics Weekly' }, { name: 'Kiln & Co', imageUrl: 'https://cdn.example.com/kiln.png' }] },
        { id: 's', type: 'stats', heading: 'In numbers', items: [{ value: '4,200+', label: 'students' }, { value: '4.9 ★', label: 'average rating' }] },
      ];
      const saved = await owner.patch(`/api/pages/${created.json().id}`, { draft: { title: 'Proof', blocks } });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal((await owner.post(`/api/pages/${created.json().id}/publish`)).statusCode, 200);
      const res = await t.server.inject({ method: 'GET', url: '/p/proof' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<section class="block logos" aria-label="As featured in">/);
      assert.match(res.body, /Ceramics Weekly/);
      assert.match(res.body, /<img src="https:\/\/cdn\.example\.com\/kiln\.png" alt="Kiln &amp; Co"/);
      assert.match(res.body, /<dt>students<\/dt><dd>4,200\+<\/dd>/);
      assert.match(res.body, /<dt>average rating<\/dt><dd>4\.9 ★<\/dd>/);
    });

    it('cached pages change the moment the catalog or page changes, and answer 304 to a browser that has them', async () => {
      const first = await t.server.inject({ method: 'GET', url: '/p/bowls' });
      const etag = String(first.headers.etag);
      const same = await t.server.inject({ method: 'GET', url: '/p/bowls', headers: { 'if-none-match': etag } });
      assert.equal(same.statusCode, 304);
      await owner.patch(`/api/prices/${priceId}`, { label: 'Best value' });
      const changed = await t.server.inject({ method: 'GET', url: '/p/bowls', headers: { 'if-none-match': etag } });
      assert.equal(changed.statusCode, 200);
      assert.match(changed.body, /Best value/);
      await owner.patch(`/api/prices/${priceId}`, { active: false });
      assert.doesNotMatch((await t.server.inject({ method: 'GET', url: '/p/bowls' })).body, new RegExp(`/checkout/${priceId}`));
      await owner.patch(`/api/prices/${priceId}`, { active: true });
      const checkout = await t.server.inject({ method: 'GET', url: `/checkout/${priceId}` });
      assert.equal(checkout.statusCode, 200);
    });

    it('fifty visitors at once right after a change get one render of the page between them', async () => {
      await owner.patch(`/api/prices/${priceId}`, { label: 'Most popular' });
      const catalog = t.app.catalog;
      const getProduct = catalog.getProduct;
      let renders = 0;
      catalog.getProduct = (async (...args: Parameters<typeof getProduct>) => {
        renders++;
        return getProduct.apply(catalog, args);
      }) as typeof getProduct;
      try {
        const all = await Promise.all(Array.from({ length: 50 }, () => t.server.inject({ method: 'GET', url: '/p/bowls' })));
        assert.deepEqual([...new Set(all.map((r) => r.statusCode))], [200]);
        assert.match(all[0]!.body, /Most popular/);
        assert.equal(new Set(all.map((r) => r.headers.etag)).size, 1);
        assert.equal(renders, 1, 'rendered once, not once per visitor');
      } finally {
        catalog.getProduct = getProduct;
      }
    });

    it('an opt-in block embeds the chosen form: its fields, consent and token inline, posting to /f/<slug>, and the lead is captured', async () => {
      const created = await owner.post('/api/forms', {
        slug: 'glaze-chart',
        name: 'Glaze chart',
        title: 'Free glaze chart',
        consentText: 'Send me the glaze chart and the weekly studio letter.',
        buttonLabel: 'Get the chart',
        askName: 'required',
        customFields: [{ key: 'kiln', label: 'Your kiln', required: true }],
      });
      assert.equal(created.statusCode, 201, created.body);
      const form = created.json();
      const choices = (await owner.get('/api/site/forms')).json().forms;
      assert.ok(choices.some((f: { id: string; name: string; archived: boolean }) => f.id === form.id && f.name === 'Glaze chart' && !f.archived), 'the editor can pick it');

      const page = (await owner.post('/api/pages', { slug: 'glaze', kind: 'landing', content: { title: 'Glazes', blocks: [{ id: 'chart', type: 'optin', heading: 'Get the chart', formId: form.id }] } })).json();
      assert.deepEqual(page.warnings, []);
      await owner.post(`/api/pages/${page.id}/publish`);

      const visitor = new FormBrowser(t);
      const res = await visitor.go('GET', '/p/glaze');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<form[^>]* action="\/f\/glaze-chart" method="post"/);
      assert.match(res.body, /Send me the glaze chart and the weekly studio letter\./, 'the consent text people agree to');
      assert.match(res.body, /<label for="chart-field_kiln">Your kiln<\/label>/);
      assert.match(res.body, /<div class="hp" aria-hidden="true">/, 'the bot trap');
      assert.match(res.body, /Get the chart<\/button>/);
      assert.match(String(res.headers['cache-control']), /private/, 'a page with a visitor\'s token is not shared');
      const token = FormBrowser.csrf(res.body);
      const sent = await visitor.go('POST', '/f/glaze-chart', { _csrf: token, email: 'ana@example.com', name: 'Ana', field_kiln: 'Electric', website: '' });
      assert.equal(sent.statusCode, 200, sent.body);
      assert.match(sent.body, /Check your inbox/);
      const contact = await t.app.audience.findByEmail(t.app.db, 'ana@example.com');
      assert.equal(contact?.status, 'unconfirmed', 'double opt-in: waiting for confirmation');

      // Another visitor gets their own token; the cached page never hands one visitor's token to another.
      const other = await new FormBrowser(t).go('GET', '/p/glaze');
      assert.notEqual(FormBrowser.csrf(other.body), token);
      assert.notEqual(other.headers.etag, res.headers.etag);
      const again = await visitor.go('GET', '/p/glaze', undefined, { 'if-none-match': String(res.headers.etag) });
      assert.equal(again.statusCode, 304, 'the same visitor still gets a 304');
    });

    it('a page saved with a typed path (/forms/<slug> or /f/<slug>) keeps working: the path becomes the form', async () => {
      const page = (await owner.post('/api/pages', {
        slug: 'old-glaze',
        kind: 'landing',
        content: { title: 'Old page', blocks: [{ id: 'a', type: 'optin', heading: 'Old path', action: '/forms/glaze-chart' }, { id: 'b', type: 'optin', heading: 'Hosted path', action: '/f/glaze-chart' }] },
      })).json();
      const form = (await owner.get('/api/site/forms')).json().forms.find((f: { slug: string }) => f.slug === 'glaze-chart');
      const editor = (await owner.get(`/api/pages/${page.id}`)).json();
      assert.deepEqual(editor.draft.blocks.map((b: { formId?: string; action?: string }) => [b.formId, b.action]), [[form.id, undefined], [form.id, undefined]], 'the editor sees the form chosen');
      assert.deepEqual(editor.warnings, []);
      await owner.post(`/api/pages/${page.id}/publish`);
      const visitor = new FormBrowser(t);
      const res = await visitor.go('GET', '/p/old-glaze');
      assert.equal(res.body.match(/<form[^>]* action="\/f\/glaze-chart" method="post"/g)?.length, 2);
      assert.doesNotMatch(res.body, /\/forms\/glaze-chart/);
      const sent = await visitor.go('POST', '/f/glaze-chart', { _csrf: FormBrowser.csrf(res.body), email: 'ben@example.com', name: 'Ben', field_kiln: 'Gas' });
      assert.equal(sent.statusCode, 200, sent.body);
      assert.equal((await t.app.audience.findByEmail(t.app.db, 'ben@example.com'))?.status, 'unconfirmed');
    });

    it('an archived or deleted form: visitors read that sign-up is closed, the owner sees a warning in the editor and the page list', async () => {
      const form = (await owner.get('/api/site/forms')).json().forms.find((f: { slug: string }) => f.slug === 'glaze-chart');
      const gone = randomUUID();
      const page = (await owner.post('/api/pages', {
        slug: 'closed',
        kind: 'landing',
        content: { title: 'Closed', blocks: [{ id: 'a', type: 'optin', heading: 'Archived one', formId: form.id }, { id: 'b', type: 'optin', heading: 'Deleted one', formId: gone }] },
      })).json();
      await owner.post(`/api/pages/${page.id}/publish`);
      const late = new FormBrowser(t);
      const before = await late.go('GET', '/p/closed');
      assert.equal(before.body.match(/This sign-up form is no longer available/g)?.length, 1, 'only the deleted one, so far');

      assert.equal((await owner.patch(`/api/forms/${form.id}`, { archived: true })).statusCode, 200);
      const res = await t.server.inject({ method: 'GET', url: '/p/closed' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body.match(/This sign-up form is no longer available/g)?.length, 2, 'the archive shows at once');
      assert.doesNotMatch(res.body, /<form[^>]*method="post"/, 'no form posts to a dead address');
      // A visitor who opened the page before the form was archived, posting now: told why, nothing stored.
      const post = await late.go('POST', '/f/glaze-chart', { _csrf: FormBrowser.csrf(before.body), email: 'late@example.com', name: 'Late', field_kiln: 'Gas' });
      assert.equal(post.statusCode, 404);
      assert.match(post.body, /<h1>This sign-up form is no longer available<\/h1>/);
      assert.equal(await t.app.audience.findByEmail(t.app.db, 'late@example.com'), null);
      const warnings: string[] = (await owner.get(`/api/pages/${page.id}`)).json().warnings;
      assert.equal(warnings.length, 2);
      assert.match(warnings[0]!, /“Glaze chart” of the opt-in block “Archived one” is archived/);
      assert.match(warnings[1]!, /opt-in block “Deleted one” was deleted/);
      const listed = (await owner.get('/api/pages')).json().pages;
      assert.equal(listed.find((p: { id: string }) => p.id === page.id).warnings.length, 2);
      assert.ok(listed.find((p: { slug: string }) => p.slug === 'glaze').warnings.length === 1, 'every page that uses the form is flagged');
      assert.equal((await owner.get('/api/site/forms')).json().forms.find((f: { id: string }) => f.id === form.id).archived, true);

      const bad = await owner.patch(`/api/pages/${page.id}`, { draft: { title: 'x', blocks: [{ id: 'a', type: 'optin', heading: 'x', formId: 'not-a-form' }] } });
      assert.equal(bad.statusCode, 400, 'a malformed form id is refused, not stored');

      await owner.patch(`/api/forms/${form.id}`, { archived: false });
      assert.equal((await t.server.inject({ method: 'GET', url: '/p/closed' })).body.match(/This sign-up form is no longer available/g)?.length, 1, 'restored');
    });

    it('the link check finds the owner\'s dead links and dead forms without creating anyone', async () => {
      const page = (await owner.post('/api/pages', {
        slug: 'links',
        kind: 'landing',
        content: { title: 'Links', blocks: [{ id: 'r', type: 'richText', html: '<p><a href="/p/closed">closed</a> <a href="/p/nowhere">gone</a> <a href="/p/bowls">bowls</a> <a href="https://example.com/x">elsewhere</a></p>' }] },
      })).json();
      await owner.post(`/api/pages/${page.id}/publish`);
      const contactsBefore = (await t.app.database.execute<{ n: number }>('select count(*)::int as n from contacts')).rows[0]!.n;
      const report = await checkSiteLinks(injectRequester(t.server), { origin: t.app.config.publicUrl, start: '/p/links', submitForms: false });
      assert.deepEqual(report.deadLinks, [
        { from: '/p/links', href: '/p/nowhere', status: 404 },
        { from: '/p/bowls', href: '/assets/studio.jpg', status: 404 }, // the image block above names a file that was never uploaded
      ]);
      assert.ok(report.pages.includes('/p/bowls') && report.pages.includes(`/checkout/${priceId}`), 'follows links to sales pages and checkout');
      assert.deepEqual(
        report.deadForms.map((f) => f.page),
        ['/p/closed'],
        'the opt-in block whose form was deleted',
      );
      assert.deepEqual(report.submissions, []);
      assert.equal((await t.app.database.execute<{ n: number }>('select count(*)::int as n from contacts')).rows[0]!.n, contactsBefore);
    });

    if (backend === 'pg') {
      it('an edit made through one process shows on another process sharing the database', async () => {
        const database = await openDatabase({ kind: 'pg', url: t.url! }, { poolSize: 2 });
        const other = await createApp({ config: testConfig({ SITE_CACHE_CHECK_MS: '50' }), database, clock: t.clock, log: pino({ level: 'silent' }) });
        const otherServer = await buildServer(other);
        try {
          const before = await otherServer.inject({ method: 'GET', url: '/' });
          assert.match(before.body, /Clay Studio/);
          await owner.patch('/api/site/settings', { name: 'Kiln & Co' });
          // The other process notices within its cache check (50 ms here).
          const after = await waitFor(async () => {
            const res = await otherServer.inject({ method: 'GET', url: '/' });
            return /Kiln &amp; Co/.test(res.body) && res;
          }, { timeoutMs: 5000, intervalMs: 20, what: 'the edit on the other process' });
          assert.match(after.body, /Kiln &amp; Co/);
        } finally {
          await otherServer.close();
          await other.jobs.stop(1000);
          await database.close();
        }
      });
    }
  });
}

describe('page content safety', () => {
  it('keeps formatting and safe links, drops scripts, handlers and unsafe schemes', () => {
    assert.equal(sanitizeRichText('<h2>Hi</h2><p onclick="x">a<script>b</script></p>'), '<h2>Hi</h2><p>a</p>');
    assert.equal(sanitizeRichText('<a href="//evil.example">x</a>'), '<a rel="nofollow noopener">x</a>');
    assert.equal(sanitizeRichText('<iframe src="https://evil.example"></iframe><style>*{}</style>ok'), 'ok');
    assert.equal(videoEmbedUrl('https://youtu.be/dQw4w9WgXcQ'), 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    assert.equal(videoEmbedUrl('https://vimeo.com/76979871'), 'https://player.vimeo.com/video/76979871');
    assert.equal(videoEmbedUrl('https://cdn.example.com/intro.mp4'), null);
  });
});
