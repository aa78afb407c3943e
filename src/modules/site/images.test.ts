import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { upload } from '../learning/test-support.js';

// A 1×1 PNG.
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

for (const backend of backends()) {
  describe(`page images: upload limits and safe serving [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-site-images-'));
    const imagesDir = path.join(filesDir, 'site-images');
    const stored = () => (fs.existsSync(imagesDir) ? fs.readdirSync(imagesDir) : []);

    before(async () => {
      t = await createTestApp(backend, { config: { FILES_DIR: filesDir } });
      owner = await setupOwner(t);
    });
    after(async () => {
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    });

    it('stores a PNG and serves it with its real type, nosniff and a locked-down CSP', async () => {
      const res = await upload(t, owner, 'POST', '/api/site/images', 'cover.png', 'image/png', png);
      assert.equal(res.statusCode, 201, res.body);
      const image = res.json();
      assert.match(image.url, /^\/media\/images\/[\w-]{24}\.png$/);
      assert.equal(image.size, png.length);
      const served = await t.server.inject({ method: 'GET', url: image.url });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/png');
      assert.equal(served.headers['x-content-type-options'], 'nosniff');
      assert.match(String(served.headers['content-security-policy']), /default-src 'none'/);
      assert.deepEqual(served.rawPayload, png);
      const [event] = await t.app.events.list(t.app.db, { type: 'site.image_uploaded' });
      assert.equal(event?.actorKind, 'owner');
    });

    it('refuses an image over 5 MB and leaves nothing on disk', async () => {
      const before = stored().length;
      const big = Buffer.concat([png, Buffer.alloc(5 * 1_048_576 + 1)]);
      const res = await upload(t, owner, 'POST', '/api/site/images', 'huge.png', 'image/png', big);
      assert.equal(res.statusCode, 413);
      assert.match(res.json().error.message, /larger than the 5 MB limit/);
      assert.equal(stored().length, before);
    });

    it('refuses what is not an image whatever it claims to be (SVG with script, HTML named .png)', async () => {
      const before = stored().length;
      const svg = await upload(t, owner, 'POST', '/api/site/images', 'logo.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
      assert.equal(svg.statusCode, 400);
      assert.match(svg.json().error.message, /not a PNG, JPEG, WebP or GIF/);
      const html = await upload(t, owner, 'POST', '/api/site/images', 'photo.png', 'image/png', Buffer.from('<html><script>alert(1)</script></html>'));
      assert.equal(html.statusCode, 400);
      assert.equal(stored().length, before);
    });

    it('serves only names it made: no paths, no partial uploads', async () => {
      for (const name of ['..%2F..%2Fsecrets.json', 'x.part', 'abc.png', '%2e%2e']) {
        const res = await t.server.inject({ method: 'GET', url: `/media/images/${name}` });
        assert.equal(res.statusCode, 404, name);
      }
    });

    it('lets only roles that edit pages upload', async () => {
      const support = await addMember(t, owner, 'support');
      const res = await upload(t, support, 'POST', '/api/site/images', 'cover.png', 'image/png', png);
      assert.equal(res.statusCode, 403);
    });
  });
}
