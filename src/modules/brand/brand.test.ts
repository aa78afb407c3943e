import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp, setupOwner, addMember, type Client, type TestApp, waitFor } from '../../../test/support/harness.js';
import { expectOk, upload } from '../learning/test-support.js';
import { brandPatchSchema, brandSettingsSchema, contrast, inkOn, readableOn } from './brand.js';
import { sniffImage } from './service.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('brand settings: validation', () => {
  it('accepts a full brand and normalises colours and currency', () => {
    const s = brandSettingsSchema.parse({ name: ' The Creator Lab ', color: '#7C3AED', accent: '#F59E0B', currency: 'eur', timeZone: 'Europe/Berlin', senderAddress: 'hello@creatorlab.example', postalAddress: 'Lab\r\n1 Street' });
    assert.equal(s.name, 'The Creator Lab');
    assert.equal(s.color, '#7c3aed');
    assert.equal(s.currency, 'EUR');
    assert.equal(s.postalAddress, 'Lab\n1 Street');
    assert.equal(s.theme, 'classic');
  });

  it('refuses what would break a page, a header or a footer', () => {
    const bad: Record<string, unknown>[] = [
      { color: 'red' },
      { color: '#12345' },
      { accent: 'url(javascript:alert(1))' },
      { name: '' },
      { name: 'Evil\r\nBcc: x@y.z' },
      { name: 'nul\u0000byte' },
      { senderAddress: 'not an address' },
      { senderAddress: 'a@b.c>, "x" <evil@example.com' },
      { supportEmail: 'x@y' },
      { timeZone: 'Mars/Olympus' },
      { currency: 'ZZZ' },
      { theme: 'neon' },
      { font: 'Comic Sans' },
      { postalAddress: 'x'.repeat(501) },
      { unknownField: 1 },
      { legal: { terms: 'x'.repeat(50_001) } },
    ];
    for (const patch of bad) assert.equal(brandPatchSchema.safeParse(patch).success, false, JSON.stringify(patch).slice(0, 80));
  });

  it('derives readable colours: button text and links keep WCAG AA contrast whatever the brand colour', () => {
    for (const c of ['#ffeb3b', '#7c3aed', '#000000', '#ffffff', '#22c55e', '#0ea5e9']) {
      assert.ok(contrast(c, inkOn(c)) >= 4.5 || contrast(c, inkOn(c)) >= 3, `${c} button text`);
      assert.ok(contrast(readableOn(c), '#ffffff') >= 4.5, `${c} as link text`);
    }
  });

  it('recognises images by their bytes and refuses SVG and HTML', () => {
    assert.equal(sniffImage(PNG), 'image/png');
    assert.equal(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
    assert.equal(sniffImage(Buffer.from([0, 0, 1, 0, 1, 0])), 'image/x-icon');
    assert.equal(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')), null);
    assert.equal(sniffImage(Buffer.from('<html><script>alert(1)</script>')), null);
  });
});

for (const backend of backends()) {
  describe(`brand settings [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend);
      owner = await setupOwner(t);
    });
    after(() => t.close());

    it('only settings managers read and change the brand; a change is an event with its actor', async () => {
      const support = await addMember(t, owner, 'support');
      assert.equal((await support.get('/api/brand')).statusCode, 403);
      assert.equal((await support.patch('/api/brand', { name: 'Hijacked' })).statusCode, 403);
      const bad = await owner.patch('/api/brand', { color: 'blue' });
      assert.equal(bad.statusCode, 400);
      const saved = expectOk(await owner.patch('/api/brand', { name: 'The Creator Lab', color: '#7c3aed', theme: 'bold', senderName: 'Maya at The Creator Lab', senderAddress: 'maya@creatorlab.example', postalAddress: 'The Creator Lab\n1 Studio Lane' }));
      assert.equal(saved.name, 'The Creator Lab');
      const events = await t.app.events.list(t.app.db, { type: 'brand.updated' });
      assert.equal(events.length, 1);
      assert.equal(events[0]!.actorKind, 'owner');
      assert.ok((events[0]!.data.changed as string[]).includes('color'));
    });

    it('callers that find the cached brand stale at the same moment share one read, and a change shows at once', async () => {
      expectOk(await owner.patch('/api/brand', { tagline: 'Clay, glaze and fire' }));
      // The change emptied the cache: the next visitors arrive together (a busy page each second).
      const seen = await Promise.all([t.app.brand.current(), t.app.brand.current(), t.app.brand.current()]);
      assert.equal(seen[0]!.tagline, 'Clay, glaze and fire');
      assert.ok(seen[1] === seen[0] && seen[2] === seen[0], 'one read answered all three');
      // A read already on its way when a change commits does not keep the old brand in the cache.
      const inFlight = t.app.brand.current();
      expectOk(await owner.patch('/api/brand', { tagline: 'Fired twice' }));
      await inFlight;
      assert.equal((await t.app.brand.current()).tagline, 'Fired twice');
    });

    it('every public page wears the brand: name, colour, theme and favicon; the store changes at once', async () => {
      const store = await t.server.inject({ url: '/' });
      assert.match(store.body, /The Creator Lab/);
      assert.match(store.body, /--brand:#7c3aed/);
      assert.match(store.body, /theme-bold/);
      assert.match(store.body, /rel="icon" href="\/brand\/favicon\.svg\?v=\d+"/);
      assert.doesNotMatch(store.body, /Onehour/);
      const signIn = await t.server.inject({ url: '/account/sign-in' });
      assert.match(signIn.body, /The Creator Lab/);
      assert.doesNotMatch(signIn.body, /Onehour/);
      const icon = await t.server.inject({ url: '/favicon.ico' });
      assert.equal(icon.statusCode, 200);
      assert.equal(icon.headers['content-type'], 'image/svg+xml');
      assert.match(icon.body, /fill="#7c3aed"/);
      assert.match(icon.body, />T</);
    });

    it('uploads a logo and a favicon by their bytes, within limits, and serves them with safe headers', async () => {
      const svg = await upload(t, owner, 'PUT', '/api/brand/images/logo', 'logo.png', 'image/png', Buffer.from('<svg><script>alert(1)</script></svg>'));
      assert.equal(svg.statusCode, 400);
      const big = await upload(t, owner, 'PUT', '/api/brand/images/favicon', 'f.png', 'image/png', Buffer.concat([PNG, Buffer.alloc(300_000)]));
      assert.equal(big.statusCode, 413);
      const saved = expectOk(await upload(t, owner, 'PUT', '/api/brand/images/logo', 'logo.gif', 'image/gif', PNG));
      assert.match(saved.logoUrl, /^\/brand\/logo\?v=[0-9a-f]{16}$/);
      const logo = await t.server.inject({ url: saved.logoUrl });
      assert.equal(logo.headers['content-type'], 'image/png');
      assert.equal(logo.headers['x-content-type-options'], 'nosniff');
      assert.match(String(logo.headers['content-security-policy']), /default-src 'none'/);
      assert.deepEqual(logo.rawPayload, PNG);
      await waitFor(async () => (await t.server.inject({ url: '/' })).body.includes(saved.logoUrl), { what: 'the store shows the logo' });
      expectOk(await upload(t, owner, 'PUT', '/api/brand/images/favicon', 'icon.png', 'image/png', PNG));
      const ico = await t.server.inject({ url: '/favicon.ico' });
      assert.equal(ico.headers['content-type'], 'image/png');
      const removed = expectOk(await owner.delete('/api/brand/images/favicon'));
      assert.equal(removed.faviconUrl, null);
    });

    it('legal pages are public, sanitised, linked from every footer, and 404 until written', async () => {
      assert.equal((await t.server.inject({ url: '/legal/terms' })).statusCode, 404);
      expectOk(await owner.patch('/api/brand', { legal: { terms: '## Payment\n\nPay by card. <script>alert(1)</script> [mail us](mailto:help@creatorlab.example) [x](javascript:alert(1))' } }));
      const page = await t.server.inject({ url: '/legal/terms' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<h2>Payment<\/h2>/);
      assert.doesNotMatch(page.body, /<script>alert|javascript:/);
      await waitFor(async () => (await t.server.inject({ url: '/' })).body.includes('href="/legal/terms"'), { what: 'the footer links the terms' });
      assert.equal((await t.server.inject({ url: '/legal/privacy' })).statusCode, 404);
      const after = expectOk(await owner.get('/api/brand')).settings;
      assert.equal(after.color, '#7c3aed', 'a patch of one field leaves the others');
      assert.equal(after.theme, 'bold');
    });

    it('mail wears the brand: sender from the settings, a branded layout with the name and the postal address', async () => {
      await t.app.database.transaction((tx) => t.app.mail.queueTransactionalInTx(tx, { to: 'ana@example.com', subject: 'Your sign-in link', text: 'Sign in here:\n\nhttps://example.com/x?a=1&b=2', tag: 'test.brand' }));
      const msg = await waitFor(async () => {
        const r = await t.app.database.execute<{ from_address: string; html: string }>("select from_address, html from mail_messages where tag = 'test.brand'");
        return r.rows[0];
      });
      assert.equal(msg.from_address, '"Maya at The Creator Lab" <maya@creatorlab.example>');
      assert.match(msg.html, /bgcolor="#7c3aed"/);
      assert.match(msg.html, /The Creator Lab<\/strong><br \/>1 Studio Lane|The Creator Lab<br \/>1 Studio Lane/);
      assert.match(msg.html, /<a style="color:#[0-9a-f]{6}" href="https:\/\/example.com\/x\?a=1&amp;b=2">/);
      assert.doesNotMatch(msg.html, /Onehour/);
    });
  });
}
