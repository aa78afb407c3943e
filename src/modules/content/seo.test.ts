// What search engines and feed readers get: sitemaps, RSS, Atom and JSON-LD checked against
// their rules, and a members-only post that leaks nowhere (page, feeds, sitemap, JSON-LD).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { systemActor } from '../../actor.js';
import { CUSTOMER_COOKIE } from '../../http/route.js';
import { backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { checkAtom, checkRss, checkSitemap, child, jsonLdOf, sitemapSchemaErrors } from './test-xml.js';
import { jsonLdProblems, readFeed, sitemapIndexSchemaErrors } from './test-validators.js';
import { BlogPages } from './blog-pages.js';
import { loadSvgRasteriser } from './social-card-png.js';

const SECRET = 'The secret glaze is two parts wood ash';
const base = 'http://127.0.0.1:3000';

for (const backend of backends()) {
  describe(`blog SEO and members-only posts [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let productId: string;
    let priceId: string;
    let member: string;
    let stranger: string;
    const get = (url: string, cookie?: string) => t.server.inject({ method: 'GET', url, headers: cookie ? { cookie: `${CUSTOMER_COOKIE}=${cookie}` } : {} });

    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
      const p = (await owner.post('/api/products', { slug: 'glaze-lab', kind: 'course', name: 'Glaze Lab', summary: 'Mix your own glazes.', courseId: randomUUID() })).json();
      productId = p.id;
      priceId = (await owner.post(`/api/products/${p.id}/prices`, { type: 'one_time', currency: 'usd', amount: 9900 })).json().id;
      await owner.patch(`/api/products/${p.id}`, { status: 'published' });
      await owner.post('/api/pages', { slug: 'spring', kind: 'landing', content: { title: 'Spring workshop' } }).then((r) => owner.post(`/api/pages/${r.json().id}/publish`));
      // A customer who bought Glaze Lab, and one who bought nothing.
      const sessions = await t.app.database.transaction(async (tx) => {
        const { contact: buyer } = await t.app.audience.upsertContact(tx, { email: 'buyer@example.com', source: 'test' });
        await t.app.access.grantInTx(tx, { contactId: buyer.id, resource: { type: 'product', id: productId }, source: 'manual', actor: systemActor });
        const { contact: other } = await t.app.audience.upsertContact(tx, { email: 'other@example.com', source: 'test' });
        return [await t.app.portal.openSession(tx, buyer), await t.app.portal.openSession(tx, other)];
      });
      member = sessions[0]!.token;
      stranger = sessions[1]!.token;
      const publish = async (content: unknown) => {
        const post = (await owner.post('/api/posts', { content })).json();
        const r = await owner.post(`/api/posts/${post.id}/publish`, {});
        assert.equal(r.json().outcome, 'published', r.body);
        return post;
      };
      await publish({
        title: 'Ash glazes & other <experiments>',
        excerpt: 'What wood ash does to a glaze, and why it runs.',
        html: '<h2>Ash</h2><p>Open to all: ash melts at cone 10.</p><p><a href="/p/glaze-lab">Glaze Lab</a></p>',
        tags: ['glazes', 'firing'],
        blocks: [
          { id: 'b1', type: 'product', productId, priceId },
          { id: 'b2', type: 'cta', heading: 'Come to the workshop', label: 'See dates', url: '/p/spring' },
        ],
      });
      await publish({
        title: 'The members’ glaze recipe',
        excerpt: 'A recipe for Glaze Lab students.',
        teaser: 'Students of Glaze Lab get the full recipe below.',
        html: `<h2>Recipe</h2><p>${SECRET}, one part feldspar.</p>`,
        tags: ['glazes'],
        access: { audience: 'products', productIds: [productId] },
      });
    });
    after(() => t.close());

    it('the sitemap index and each sitemap follow sitemaps.org, with lastmod, posts, tags, pages and products', async () => {
      const index = await get('/sitemap.xml');
      assert.equal(index.statusCode, 200);
      assert.match(String(index.headers['content-type']), /xml/);
      const maps = checkSitemap(index.body, 'sitemapindex');
      assert.deepEqual(maps.sort(), [`${base}/sitemap-pages.xml`, `${base}/sitemap-posts.xml`, `${base}/sitemap-products.xml`, `${base}/sitemap-tags.xml`].sort());
      const postsXml = (await get('/sitemap-posts.xml')).body;
      const postLocs = checkSitemap(postsXml, 'urlset');
      // Each urlset is valid against sitemaps.org's XML Schema (libxml2); the check does refuse a bad one.
      for (const u of ['/sitemap-posts.xml', '/sitemap-tags.xml', '/sitemap-pages.xml', '/sitemap-products.xml']) assert.deepEqual(await sitemapSchemaErrors((await get(u)).body), [], u);
      assert.notDeepEqual(await sitemapSchemaErrors(postsXml.replace('<loc>', '<changefreq>sometimes</changefreq><loc>')), []);
      assert.ok(postLocs.includes(`${base}/blog/ash-glazes-other-experiments`));
      assert.ok(!postLocs.some((l) => l.includes('members')), 'a members-only post is not offered to search');
      assert.deepEqual(checkSitemap((await get('/sitemap-tags.xml')).body, 'urlset').sort(), [`${base}/blog/tag/firing`, `${base}/blog/tag/glazes`]);
      const pages = checkSitemap((await get('/sitemap-pages.xml')).body, 'urlset');
      assert.ok(pages.includes(`${base}/p/spring`));
      // Glaze Lab has no page of its own: its default sales page is in the products sitemap.
      const products = checkSitemap((await get('/sitemap-products.xml')).body, 'urlset');
      assert.deepEqual(products, [`${base}/p/glaze-lab`]);
      const robots = (await get('/robots.txt')).body;
      assert.match(robots, /^User-agent: \*$/m);
      assert.match(robots, /^Disallow: \/admin$/m);
      assert.match(robots, new RegExp(`^Sitemap: ${base}/sitemap.xml$`, 'm'));
      await owner.patch('/api/blog/settings', { robots: { disallow: ['/p/spring'], blockAll: false } });
      assert.match((await get('/robots.txt')).body, /^Disallow: \/p\/spring$/m);
    });

    it('RSS and Atom (all posts and per tag) are valid and escape what they carry; members-only posts carry only the teaser', async () => {
      const items = checkRss((await get('/feed.xml')).body);
      assert.equal(items.length, 2);
      const ash = items.find((i) => child(i, 'title')!.text === 'Ash glazes & other <experiments>');
      assert.ok(ash, 'the title is escaped and reads back as written');
      assert.match(child(ash, 'content:encoded')!.text, /href="http:\/\/127\.0\.0\.1:3000\/p\/glaze-lab"/, 'links are absolute for feed readers');
      const entries = checkAtom((await get('/atom.xml')).body);
      assert.equal(entries.length, 2);
      checkRss((await get('/blog/tag/firing/feed.xml')).body);
      assert.equal(checkAtom((await get('/blog/tag/firing/atom.xml')).body).length, 1);
      for (const url of ['/feed.xml', '/atom.xml', '/blog/tag/glazes/feed.xml', '/blog/tag/glazes/atom.xml', '/sitemap-posts.xml', '/blog', '/blog/tag/glazes']) {
        const body = (await get(url)).body;
        assert.doesNotMatch(body, /two parts wood ash/, `${url} does not leak the members-only body`);
      }
      assert.match((await get('/feed.xml')).body, /Students of Glaze Lab get the full recipe below/);
    });

    it('a post page carries valid Article, BreadcrumbList and Organization JSON-LD, Open Graph and Twitter cards, and its blocks', async () => {
      const page = await get('/blog/ash-glazes-other-experiments');
      assert.equal(page.statusCode, 200);
      const [ld] = jsonLdOf(page.body);
      assert.equal(ld!['@context'], 'https://schema.org');
      const graph = ld!['@graph'] as Record<string, any>[];
      const article = graph.find((g) => g['@type'] === 'BlogPosting')!;
      assert.equal(article.headline, 'Ash glazes & other <experiments>');
      assert.ok(article.headline.length <= 110);
      assert.ok(!Number.isNaN(Date.parse(article.datePublished)) && !Number.isNaN(Date.parse(article.dateModified)));
      assert.equal(article.author.name, 'Olivia Owner');
      assert.match(article.image[0], /^http:\/\/127\.0\.0\.1:3000\/blog\/ash-glazes-other-experiments\/card\.png$/);
      assert.equal(article.mainEntityOfPage['@id'], `${base}/blog/ash-glazes-other-experiments`);
      const crumbs = graph.find((g) => g['@type'] === 'BreadcrumbList')!;
      assert.deepEqual(crumbs.itemListElement.map((c: { position: number }) => c.position), [1, 2, 3]);
      assert.ok(crumbs.itemListElement.every((c: { item: string }) => c.item.startsWith(base)));
      assert.equal(graph.find((g) => g['@type'] === 'Organization')!.url, `${base}/`);
      assert.doesNotMatch(page.body, /<\/script><experiments>/, 'the JSON-LD cannot close its script tag');
      assert.match(page.body, /<meta property="og:image" content="http:\/\/127\.0\.0\.1:3000\/blog\/ash-glazes-other-experiments\/card\.png"/);
      assert.match(page.body, /<meta name="twitter:card" content="summary_large_image"/);
      assert.match(page.body, /<meta name="description" content="What wood ash does to a glaze, and why it runs\."/);
      // The product card: its price and the link that buys it; the call to action.
      assert.match(page.body, /\$99/);
      assert.match(page.body, new RegExp(`href="/checkout/${priceId}"`));
      assert.match(page.body, /href="\/p\/spring"/);
      const card = await get('/blog/ash-glazes-other-experiments/card.svg');
      assert.equal(card.headers['content-type'], 'image/svg+xml');
      assert.match(card.body, /Ash glazes &amp; other<\/tspan><tspan[^>]*>&lt;experiments&gt;/);
      // The PNG card (what social networks show), drawn by resvg: a 1200 × 630 PNG.
      assert.ok(await loadSvgRasteriser());
      const pngCard = await get('/blog/ash-glazes-other-experiments/card.png');
      assert.equal(pngCard.statusCode, 200);
      assert.equal(pngCard.headers['content-type'], 'image/png');
      const bytes = pngCard.rawPayload;
      assert.ok(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG signature');
      assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [1200, 630], 'the IHDR size');
      assert.equal((await get('/blog/no-such-post/card.png')).statusCode, 404);
      // Without a renderer the pages name the SVG card and card.png is not there.
      const svgOnly = new BlogPages({
        database: t.app.database, content: t.app.content, catalog: t.app.catalog, brand: t.app.brand, forms: t.app.audience.forms,
        people: async () => new Map(), sitePages: async () => [], settings: { publicUrl: base, cacheCheckMs: 1000 }, rasteriser: null,
      });
      assert.equal(await svgOnly.socialCard('ash-glazes-other-experiments', 'png'), null);
      assert.match((await svgOnly.post('ash-glazes-other-experiments'))!.full.body as string, /<meta property="og:image" content="[^"]*\/card\.svg"/);
      // With a renderer: og:image names the PNG, and the card is rasterised once per change, from the same SVG.
      const rasterised: string[] = [];
      const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const withPng = new BlogPages({
        database: t.app.database, content: t.app.content, catalog: t.app.catalog, brand: t.app.brand, forms: t.app.audience.forms,
        people: async () => new Map(), sitePages: async () => [], settings: { publicUrl: base, cacheCheckMs: 1000 },
        rasteriser: { png: async (svg) => (rasterised.push(svg), Buffer.concat([signature, Buffer.from(svg)])) },
      });
      const png = (await withPng.socialCard('ash-glazes-other-experiments', 'png'))!;
      assert.equal(png.type, 'image/png');
      assert.ok(Buffer.isBuffer(png.body) && png.body.subarray(0, 8).equals(signature));
      assert.equal(rasterised[0], card.body, 'the PNG is the SVG card rasterised');
      await withPng.socialCard('ash-glazes-other-experiments', 'png');
      assert.equal(rasterised.length, 1, 'cached');
      assert.equal(await withPng.socialCard('no-such-post', 'png'), null);
      const full = (await withPng.post('ash-glazes-other-experiments'))!.full.body as string;
      assert.match(full, /<meta property="og:image" content="http:\/\/127\.0\.0\.1:3000\/blog\/ash-glazes-other-experiments\/card\.png"/);
      assert.match(full, /<meta name="twitter:image" content="http:\/\/127\.0\.0\.1:3000\/blog\/ash-glazes-other-experiments\/card\.png"/);
      // A price change shows on the post at once (the catalog bumps the blog's revision).
      const next = (await owner.post(`/api/products/${productId}/prices`, { type: 'one_time', currency: 'usd', amount: 12900 })).json().id;
      assert.equal((await owner.patch(`/api/prices/${priceId}`, { active: false })).statusCode, 200);
      const repriced = (await get('/blog/ash-glazes-other-experiments')).body;
      assert.match(repriced, /\$129/);
      assert.match(repriced, new RegExp(`href="/checkout/${next}"`));
    });

    it('validators: the sitemap index against the protocol\'s schema, both feeds read by a feed parser, JSON-LD expanded and checked for rich results', async () => {
      const index = (await get('/sitemap.xml')).body;
      assert.deepEqual(await sitemapIndexSchemaErrors(index), []);
      assert.notDeepEqual(await sitemapIndexSchemaErrors(index.replace('<loc>', '<priority>0.5</priority><loc>')), [], 'the schema refuses what an index may not hold');
      assert.notDeepEqual(await sitemapIndexSchemaErrors(index.replace(/<lastmod>[^<]*<\/lastmod>/, '<lastmod>yesterday</lastmod>')), [], 'and a lastmod that is no W3C datetime');
      // What a feed reader gets: both formats, every post for everyone in full, the members-only one as its teaser.
      for (const [url, format] of [['/feed.xml', 'rss 2.0'], ['/atom.xml', 'atom 1.0']] as const) {
        const feed = await readFeed((await get(url)).body);
        assert.equal(feed.format, format, url);
        assert.equal(feed.self, `${base}${url}`);
        assert.equal(feed.url, `${base}/blog`);
        assert.deepEqual(feed.items.map((i) => i.url).sort(), [`${base}/blog/ash-glazes-other-experiments`, `${base}/blog/the-members-glaze-recipe`]);
        const ash = feed.items.find((i) => i.url?.endsWith('ash-glazes-other-experiments'))!;
        assert.equal(ash.title, 'Ash glazes & other <experiments>');
        assert.ok(ash.id && ash.published instanceof Date && !Number.isNaN(ash.published.getTime()), `${url}: an id and a publication date`);
        assert.deepEqual(ash.authors, ['Olivia Owner']);
        assert.deepEqual([...ash.categories].sort(), ['firing', 'glazes']);
        assert.match(ash.content ?? '', /ash melts at cone 10/);
        const members = feed.items.find((i) => i.url?.endsWith('the-members-glaze-recipe'))!;
        assert.doesNotMatch(`${members.content} ${members.description}`, /two parts wood ash/, `${url}: the members-only body is not in the feed`);
        assert.match(`${members.content} ${members.description}`, /Students of Glaze Lab get the full recipe below/);
      }
      assert.deepEqual((await readFeed((await get('/blog/tag/firing/atom.xml')).body)).items.map((i) => i.title), ['Ash glazes & other <experiments>']);
      // JSON-LD: the post (BlogPosting, BreadcrumbList, Organization), the members-only teaser, the
      // course's sales page (Course) and a download's (Product with its Offer).
      const download = (await owner.post('/api/products', { slug: 'glaze-charts', kind: 'download', name: 'Glaze charts', summary: 'Printable cone charts.', imageUrl: '/assets/demo/course-hero.svg' })).json();
      await owner.post(`/api/products/${download.id}/prices`, { type: 'one_time', currency: 'usd', amount: 1900 });
      await owner.patch(`/api/products/${download.id}`, { status: 'published' });
      for (const url of ['/blog/ash-glazes-other-experiments', '/blog/the-members-glaze-recipe', '/p/glaze-lab', '/p/glaze-charts']) {
        const page = await get(url);
        assert.equal(page.statusCode, 200, url);
        const blocks = jsonLdOf(page.body);
        assert.ok(blocks.length > 0, `${url} has JSON-LD`);
        assert.deepEqual(await jsonLdProblems(blocks), [], url);
      }
      const types = (url: string) => get(url).then((p) => jsonLdOf(p.body).flatMap((b) => ((b['@graph'] as Record<string, unknown>[] | undefined) ?? [b]).map((n) => n['@type'])));
      assert.ok((await types('/p/glaze-lab')).includes('Course'));
      assert.ok((await types('/p/glaze-charts')).includes('Product'));
      // The validators do refuse: a post without its date, a product without a price, an invalid @id.
      const [ld] = jsonLdOf((await get('/blog/ash-glazes-other-experiments')).body);
      const graph = ld!['@graph'] as Record<string, unknown>[];
      const broken = { ...ld, '@graph': graph.map((n) => (n['@type'] === 'BlogPosting' ? { ...n, datePublished: undefined } : n)) };
      assert.ok((await jsonLdProblems([JSON.parse(JSON.stringify(broken))])).some((p) => /datePublished/.test(p)));
      const [productLd] = jsonLdOf((await get('/p/glaze-charts')).body);
      const noPrice = JSON.parse(JSON.stringify(productLd, (k, v) => (k === 'price' ? undefined : v)));
      assert.ok((await jsonLdProblems([noPrice])).some((p) => /price/i.test(p)), 'an offer without its price is refused');
      // Google shows no product snippet without an image: a product without one is flagged (docs/site.md).
      const noImage = JSON.parse(JSON.stringify(productLd, (k, v) => (k === 'image' ? undefined : v)));
      assert.ok((await jsonLdProblems([noImage])).some((p) => /"image" is missing/.test(p)));
      assert.ok((await jsonLdProblems([{ '@context': 'https://schema.org', '@type': 'Organization', '@id': 'not an iri', name: 'x', url: 'x', '@bogus': 1 }])).some((p) => p.startsWith('jsonld:')));
    });

    it('a members-only post: anonymous visitors and other customers get the teaser (noindex, private), its buyers the post', async () => {
      const anonymous = await get('/blog/the-members-glaze-recipe');
      assert.equal(anonymous.statusCode, 200);
      assert.doesNotMatch(anonymous.body, /two parts wood ash/);
      assert.match(anonymous.body, /Students of Glaze Lab get the full recipe below/);
      assert.match(anonymous.body, /for customers of Glaze Lab/);
      assert.match(anonymous.body, /<meta name="robots" content="noindex"/);
      assert.match(String(anonymous.headers['cache-control']), /^private/);
      const ld = (jsonLdOf(anonymous.body)[0]!['@graph'] as Record<string, unknown>[]).find((g) => g['@type'] === 'BlogPosting')!;
      assert.equal(ld.isAccessibleForFree, false);
      assert.doesNotMatch(JSON.stringify(ld), /two parts wood ash/);
      const other = await get('/blog/the-members-glaze-recipe', stranger);
      assert.doesNotMatch(other.body, /two parts wood ash/);
      const buyer = await get('/blog/the-members-glaze-recipe', member);
      assert.match(buyer.body, new RegExp(SECRET));
      assert.match(String(buyer.headers['cache-control']), /^(private|no-store)/);
      assert.notEqual(buyer.headers.etag, anonymous.headers.etag);
      // The buyer's access is revoked: back to the teaser.
      await t.app.database.transaction((tx) => t.app.access.revokeInTx(tx, { resource: { type: 'product', id: productId } }, systemActor, 'test'));
      assert.doesNotMatch((await get('/blog/the-members-glaze-recipe', member)).body, /two parts wood ash/);
    });
  });
}
