import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { addMember, backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { describePrice, formatMoney, parseMoney } from './money.js';

describe('money', () => {
  it('formats minor units for people and never uses floats for amounts', () => {
    assert.equal(formatMoney(4900, 'usd'), '$49');
    assert.equal(formatMoney(8640, 'usd'), '$86.40');
    assert.equal(formatMoney(1500, 'jpy'), '¥1,500');
    assert.equal(parseMoney('12.5', 'usd'), 1250);
    assert.equal(parseMoney('1500', 'jpy'), 1500);
    assert.throws(() => parseMoney('1.234', 'usd'));
    assert.equal(describePrice({ type: 'subscription', amount: 1900, currency: 'eur', interval: 'month', trialDays: 14, instalments: null }), '14-day free trial, then €19 / month');
    assert.equal(describePrice({ type: 'payment_plan', amount: 9900, currency: 'usd', interval: 'month', trialDays: null, instalments: 3 }), '3 payments of $99 / month');
  });
});

for (const backend of backends()) {
  describe(`catalog [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    before(async () => {
      t = await createTestApp(backend, { config: { FILES_DIR: filesDir, UPLOAD_MAX_MB: '0.01' } });
      owner = await setupOwner(t);
    });
    after(async () => {
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    });

    it('creates products and prices, and refuses to publish what cannot be sold', async () => {
      const created = await owner.post('/api/products', { slug: 'clay-basics', kind: 'course', name: 'Clay Basics', summary: 'Start here.' });
      assert.equal(created.statusCode, 201);
      const id = created.json().id;
      assert.equal(created.json().status, 'draft');
      const noCourse = await owner.patch(`/api/products/${id}`, { status: 'published' });
      assert.equal(noCourse.statusCode, 400);
      assert.match(noCourse.json().error.message, /Link the course/);
      await owner.patch(`/api/products/${id}`, { courseId: randomUUID() });
      const noPrice = await owner.patch(`/api/products/${id}`, { status: 'published' });
      assert.match(noPrice.json().error.message, /at least one active price/);
      const bad = await owner.post(`/api/products/${id}/prices`, { type: 'payment_plan', currency: 'usd', amount: 3000, interval: 'month', instalments: 1 });
      assert.equal(bad.statusCode, 400);
      const trialOnce = await owner.post(`/api/products/${id}/prices`, { type: 'one_time', currency: 'usd', amount: 3000, trialDays: 7 });
      assert.equal(trialOnce.statusCode, 400);
      const price = await owner.post(`/api/products/${id}/prices`, { type: 'one_time', currency: 'USD', amount: 4900, label: 'Lifetime' });
      assert.equal(price.statusCode, 201);
      assert.equal(price.json().currency, 'usd');
      const published = await owner.patch(`/api/products/${id}`, { status: 'published' });
      assert.equal(published.statusCode, 200);
      assert.equal(published.json().status, 'published');
      const dup = await owner.post('/api/products', { slug: 'clay-basics', kind: 'download', name: 'Other' });
      assert.equal(dup.statusCode, 409);
      const badSlug = await owner.post('/api/products', { slug: 'Not A Slug!', kind: 'download', name: 'Other' });
      assert.equal(badSlug.statusCode, 400);
      const events = (await owner.get('/api/activity?type=product.')).json().events;
      assert.ok(events.some((e: { type: string; actorKind: string }) => e.type === 'product.published' && e.actorKind === 'owner'));
    });

    it('a price that may have been bought keeps its amount: only label, order and availability change', async () => {
      const p = (await owner.post('/api/products', { slug: 'ebook-one', kind: 'download', name: 'E-book One' })).json();
      const price = (await owner.post(`/api/products/${p.id}/prices`, { type: 'one_time', currency: 'usd', amount: 1200 })).json();
      const patched = await owner.patch(`/api/prices/${price.id}`, { amount: 1, label: 'Launch price', active: false });
      assert.equal(patched.statusCode, 200);
      assert.equal(patched.json().amount, 1200);
      assert.equal(patched.json().label, 'Launch price');
      assert.equal(patched.json().active, false);
      // Only an amount (which never changes) is nothing to change: a 400 that says so, not a failed UPDATE.
      const nothing = await owner.patch(`/api/prices/${price.id}`, { amount: 5 });
      assert.equal(nothing.statusCode, 400, nothing.body);
      assert.match(nothing.body, /Nothing to change/);
      assert.equal((await owner.patch(`/api/prices/${price.id}`, {})).statusCode, 400);
    });

    it('a price given no currency takes the business\'s currency from the brand settings', async () => {
      assert.equal((await owner.patch('/api/brand', { currency: 'eur' })).statusCode, 200);
      try {
        assert.deepEqual((await owner.get('/api/catalog/defaults')).json(), { currency: 'eur' });
        const p = (await owner.post('/api/products', { slug: 'ebook-euro', kind: 'download', name: 'E-book Euro' })).json();
        const price = await owner.post(`/api/products/${p.id}/prices`, { type: 'one_time', amount: 1900 });
        assert.equal(price.statusCode, 201, price.body);
        assert.equal(price.json().currency, 'eur');
        const chosen = await owner.post(`/api/products/${p.id}/prices`, { type: 'one_time', currency: 'GBP', amount: 1700 });
        assert.equal(chosen.json().currency, 'gbp', 'a currency given wins');
      } finally {
        await owner.patch('/api/brand', { currency: 'usd' });
      }
    });

    it('bundles and memberships open everything they include', async () => {
      const courseId = randomUUID();
      const course = (await owner.post('/api/products', { slug: 'wheel-course', kind: 'course', name: 'Wheel Course', courseId })).json();
      const book = (await owner.post('/api/products', { slug: 'wheel-book', kind: 'download', name: 'Wheel Book' })).json();
      const bundle = await owner.post('/api/products', { slug: 'wheel-bundle', kind: 'bundle', name: 'Wheel Bundle', includes: [course.id, book.id] });
      assert.equal(bundle.statusCode, 201);
      assert.deepEqual(bundle.json().includes.map((i: { name: string }) => i.name), ['Wheel Course', 'Wheel Book']);
      const nested = await owner.post('/api/products', { slug: 'mega', kind: 'membership', name: 'Mega', includes: [bundle.json().id] });
      assert.equal(nested.statusCode, 400);
      const notContainer = await owner.patch(`/api/products/${book.id}`, { includes: [course.id] });
      assert.equal(notContainer.statusCode, 400);
      const ents = await t.app.catalog.entitlementsOf(t.app.db, bundle.json().id);
      const kinds = ents.map((e) => `${e.resource.type}:${e.included}`).sort();
      assert.deepEqual(kinds, ['course:true', 'download:true', 'product:false', 'product:true', 'product:true']);
      assert.ok(ents.some((e) => e.resource.type === 'course' && e.resource.id === courseId));
    });

    it('coupons: percent or fixed, expiry, limits, product restrictions, case-insensitive codes', async () => {
      const p = (await owner.post('/api/products', { slug: 'coupon-target', kind: 'download', name: 'Target' })).json();
      const other = (await owner.post('/api/products', { slug: 'coupon-other', kind: 'download', name: 'Other' })).json();
      assert.equal((await owner.post('/api/coupons', { code: 'HALF', kind: 'percent', percentOff: 50, productIds: [p.id] })).statusCode, 201);
      assert.equal((await owner.post('/api/coupons', { code: 'half', kind: 'percent', percentOff: 10 })).statusCode, 409, 'codes are unique regardless of case');
      assert.equal((await owner.post('/api/coupons', { code: 'TENOFF', kind: 'fixed', amountOff: 1000 })).statusCode, 400, 'a fixed coupon needs a currency');
      const expiring = await owner.post('/api/coupons', { code: 'GONE', kind: 'fixed', amountOff: 1000, currency: 'usd', expiresAt: new Date(t.clock.now().getTime() - 1000).toISOString() });
      assert.equal(expiring.statusCode, 201);
      const ok = await t.app.catalog.findUsableCoupon(t.app.db, 'half', { productIds: [p.id], currency: 'usd' });
      assert.equal(ok.code, 'HALF');
      await assert.rejects(t.app.catalog.findUsableCoupon(t.app.db, 'HALF', { productIds: [other.id], currency: 'usd' }), /does not apply to this product/);
      await assert.rejects(t.app.catalog.findUsableCoupon(t.app.db, 'GONE', { productIds: [p.id], currency: 'usd' }), /has expired/);
      await assert.rejects(t.app.catalog.findUsableCoupon(t.app.db, 'NOPE', { productIds: [p.id], currency: 'usd' }), /is not valid/);
      const list = (await owner.get('/api/coupons')).json().coupons;
      assert.equal(list.length, 2);
    });

    it('offers sell one-time prices of other products', async () => {
      const main = (await owner.post('/api/products', { slug: 'offer-main', kind: 'download', name: 'Main' })).json();
      const extra = (await owner.post('/api/products', { slug: 'offer-extra', kind: 'download', name: 'Extra' })).json();
      const monthly = (await owner.post(`/api/products/${extra.id}/prices`, { type: 'subscription', currency: 'usd', amount: 900, interval: 'month' })).json();
      const once = (await owner.post(`/api/products/${extra.id}/prices`, { type: 'one_time', currency: 'usd', amount: 900 })).json();
      const own = (await owner.post(`/api/products/${main.id}/prices`, { type: 'one_time', currency: 'usd', amount: 900 })).json();
      assert.equal((await owner.post('/api/offers', { kind: 'bump', productId: main.id, offerPriceId: monthly.id, headline: 'x' })).statusCode, 400);
      assert.equal((await owner.post('/api/offers', { kind: 'bump', productId: main.id, offerPriceId: own.id, headline: 'x' })).statusCode, 400);
      const ok = await owner.post('/api/offers', { kind: 'upsell', productId: main.id, offerPriceId: once.id, amount: 500, headline: 'Add Extra' });
      assert.equal(ok.statusCode, 201);
      const list = (await owner.get(`/api/offers?productId=${main.id}`)).json().offers;
      assert.equal(list[0].offerProduct.name, 'Extra');
      assert.equal((await owner.delete(`/api/offers/${ok.json().id}`)).statusCode, 204);
    });

    it('uploads files to download products as a stream, within the size limit', async () => {
      const p = (await owner.post('/api/products', { slug: 'upload-target', kind: 'download', name: 'Upload Target' })).json();
      const body = Buffer.from('%PDF-1.4 hello');
      const empty = await t.server.inject({ method: 'POST', url: `/api/products/${p.id}/files?name=empty.pdf`, headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/pdf' }, payload: Buffer.alloc(0) });
      assert.equal(empty.statusCode, 400);
      const up = await t.server.inject({ method: 'POST', url: `/api/products/${p.id}/files?name=${encodeURIComponent('../../etc/guide.pdf')}`, headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/pdf' }, payload: body });
      assert.equal(up.statusCode, 201, up.body);
      const real = await t.server.inject({ method: 'POST', url: `/api/products/${p.id}/files?name=guide.pdf`, headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/pdf' }, payload: body });
      assert.equal(real.statusCode, 201, real.body);
      assert.equal(real.json().size, body.length);
      assert.equal(real.json().name, 'guide.pdf');
      assert.equal(up.json().name, 'guide.pdf', 'path parts are stripped from names');
      const big = await t.server.inject({ method: 'POST', url: `/api/products/${p.id}/files?name=big.bin`, headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/octet-stream' }, payload: Buffer.alloc(20_000) });
      assert.equal(big.statusCode, 413);
      const detail = (await owner.get(`/api/products/${p.id}`)).json();
      assert.equal(detail.files.length, 2, 'the refused upload left nothing behind');
      const stored = fs.readdirSync(path.join(filesDir, 'products', p.id));
      assert.equal(stored.length, 2);
      const course = (await owner.post('/api/products', { slug: 'no-files-here', kind: 'course', name: 'No files' })).json();
      const wrongKind = await t.server.inject({ method: 'POST', url: `/api/products/${course.id}/files?name=a.pdf`, headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/pdf' }, payload: body });
      assert.equal(wrongKind.statusCode, 400);
      const del = await owner.delete(`/api/products/${p.id}/files/${real.json().id}`);
      assert.equal(del.statusCode, 204);
      assert.equal(fs.readdirSync(path.join(filesDir, 'products', p.id)).length, 1);
    });

    it('roles: support reads the catalog but cannot change it; marketing can; content writes pages only', async () => {
      const support = await addMember(t, owner, 'support', 'cat-support@example.com');
      const marketing = await addMember(t, owner, 'marketing', 'cat-marketing@example.com');
      const content = await addMember(t, owner, 'content', 'cat-content@example.com');
      assert.equal((await support.get('/api/products')).statusCode, 200);
      assert.equal((await support.post('/api/products', { slug: 'nope', kind: 'download', name: 'Nope' })).statusCode, 403);
      assert.equal((await content.post('/api/products', { slug: 'nope', kind: 'download', name: 'Nope' })).statusCode, 403);
      assert.equal((await marketing.post('/api/products', { slug: 'yes-marketing', kind: 'download', name: 'Yes' })).statusCode, 201);
      assert.equal((await content.post('/api/pages', { slug: 'about', kind: 'landing' })).statusCode, 201);
      assert.equal((await support.post('/api/pages', { slug: 'about-2', kind: 'landing' })).statusCode, 403);
      assert.equal((await marketing.get('/api/orders')).statusCode, 403, 'marketing does not see orders');
      assert.equal((await content.get('/api/customers')).statusCode, 403);
    });
  });
}
