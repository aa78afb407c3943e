// A small shop for checkout tests: a course with one-time, subscription and plan prices, an
// e-book download (as order bump), a workbook (upsell), a coupon.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Actor } from '../../src/actor.js';
import type { TestApp } from './harness.js';
import { FormBrowser, pathOf } from './forms.js';

export const ownerActor: Actor = { kind: 'owner', id: randomUUID() };

export interface Shop {
  course: { id: string; courseId: string; slug: string };
  ebook: { id: string; fileId: string };
  workbook: { id: string };
  prices: { once: string; monthly: string; trial: string; plan: string; ebook: string; workbook: string };
  bumpId: string;
  upsellId: string;
  coupon: string;
}

export async function seedShop(t: TestApp): Promise<Shop> {
  const { catalog } = t.app;
  const courseId = randomUUID();
  const course = await catalog.createProduct({ slug: 'pottery-course', kind: 'course', name: 'Pottery from Scratch', summary: 'Throw your first bowl in a weekend.', courseId }, ownerActor);
  const once = await catalog.createPrice(course.id, { type: 'one_time', currency: 'usd', amount: 9900, label: 'Lifetime' }, ownerActor);
  const monthly = await catalog.createPrice(course.id, { type: 'subscription', currency: 'usd', amount: 1900, interval: 'month' }, ownerActor);
  const trial = await catalog.createPrice(course.id, { type: 'subscription', currency: 'usd', amount: 2900, interval: 'month', trialDays: 7 }, ownerActor);
  const plan = await catalog.createPrice(course.id, { type: 'payment_plan', currency: 'usd', amount: 3500, interval: 'month', instalments: 3 }, ownerActor);
  await catalog.updateProduct(course.id, { status: 'published' }, ownerActor);

  const ebook = await catalog.createProduct({ slug: 'glaze-guide', kind: 'download', name: 'The Glaze Guide (PDF)', summary: '40 tested glaze recipes.' }, ownerActor);
  const ebookPrice = await catalog.createPrice(ebook.id, { type: 'one_time', currency: 'usd', amount: 1500 }, ownerActor);
  const file = await catalog.addFile(ebook.id, { name: 'glaze-guide.pdf', contentType: 'application/pdf', body: Readable.from([Buffer.from('%PDF-1.4 glaze guide for tests')]) }, ownerActor);
  await catalog.updateProduct(ebook.id, { status: 'published' }, ownerActor);

  const workbook = await catalog.createProduct({ slug: 'kiln-workbook', kind: 'download', name: 'Kiln Workbook', summary: 'Firing logs and checklists.' }, ownerActor);
  const workbookPrice = await catalog.createPrice(workbook.id, { type: 'one_time', currency: 'usd', amount: 2700 }, ownerActor);
  await catalog.addFile(workbook.id, { name: 'kiln-workbook.pdf', contentType: 'application/pdf', body: Readable.from([Buffer.from('%PDF-1.4 kiln workbook')]) }, ownerActor);
  await catalog.updateProduct(workbook.id, { status: 'published' }, ownerActor);

  const bump = await catalog.createOffer({ kind: 'bump', productId: course.id, offerPriceId: ebookPrice.id, amount: 900, headline: 'the Glaze Guide', body: 'Normally $15.' }, ownerActor);
  const upsell = await catalog.createOffer({ kind: 'upsell', productId: course.id, offerPriceId: workbookPrice.id, amount: 1900, headline: 'Add the Kiln Workbook for $19', body: 'Every firing, logged.' }, ownerActor);
  await catalog.createCoupon({ code: 'WELCOME20', kind: 'percent', percentOff: 20 }, ownerActor);
  return {
    course: { id: course.id, courseId, slug: course.slug },
    ebook: { id: ebook.id, fileId: file.id },
    workbook: { id: workbook.id },
    prices: { once: once.id, monthly: monthly.id, trial: trial.id, plan: plan.id, ebook: ebookPrice.id, workbook: workbookPrice.id },
    bumpId: bump.id,
    upsellId: upsell.id,
    coupon: 'WELCOME20',
  };
}

/** A customer buys `priceId` through the real checkout form with the test card; returns the paid order's id. */
export async function buyAsCustomer(t: TestApp, priceId: string, email: string): Promise<string> {
  const b = new FormBrowser(t);
  const page = await b.go('GET', `/checkout/${priceId}`);
  const res = await b.go('POST', `/checkout/${priceId}`, { _csrf: FormBrowser.csrf(page.body), key: FormBrowser.field(page.body, 'key'), email, name: 'Bea Buyer', coupon: '', bump: [], intent: 'pay' });
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  const payPath = pathOf(String(res.headers.location));
  const pay = await b.go('GET', payPath);
  await b.go('POST', payPath, { _csrf: FormBrowser.csrf(pay.body), card: '4242 4242 4242 4242', exp: '12/34', cvc: '123' });
  const { orders } = await t.app.checkout.queries.listOrders(t.app.db, { q: email });
  const paid = orders.find((o) => o.status === 'paid');
  assert.ok(paid, 'the order is paid');
  return paid.id;
}
