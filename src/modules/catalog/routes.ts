// Catalog admin API: products, prices, files, coupons, offers. One line per route below;
// handlers validate, call the catalog service, return.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../http/route.js';
import { couponKinds, intervals, offerKinds, priceTypes, productKinds, productStatuses, refundPolicies } from './schema.js';

const idParam = z.object({ id: z.uuid() });
const money = z.number().int().min(0).max(100_000_000);

const priceShape = z.object({
  id: z.string(),
  productId: z.string(),
  type: z.enum(priceTypes),
  currency: z.string(),
  amount: z.number(),
  interval: z.enum(intervals).nullable(),
  trialDays: z.number().nullable(),
  instalments: z.number().nullable(),
  label: z.string(),
  active: z.boolean(),
  position: z.number(),
  createdAt: z.date(),
});
const fileShape = z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), sha256: z.string(), createdAt: z.date() });
const productShape = z.object({
  id: z.string(),
  slug: z.string(),
  kind: z.enum(productKinds),
  name: z.string(),
  summary: z.string(),
  imageUrl: z.string().nullable(),
  status: z.enum(productStatuses),
  courseId: z.string().nullable(),
  refundPolicy: z.enum(refundPolicies),
  position: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
  prices: z.array(priceShape),
});
const productDetailShape = productShape.extend({
  files: z.array(fileShape),
  includes: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), slug: z.string() })),
});
const couponShape = z.object({
  id: z.string(),
  code: z.string(),
  kind: z.enum(couponKinds),
  percentOff: z.number().nullable(),
  amountOff: z.number().nullable(),
  currency: z.string().nullable(),
  expiresAt: z.date().nullable(),
  maxRedemptions: z.number().nullable(),
  redemptions: z.number(),
  productIds: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.date(),
});
const offerShape = z.object({
  id: z.string(),
  kind: z.enum(offerKinds),
  productId: z.string(),
  offerPriceId: z.string(),
  amount: z.number().nullable(),
  headline: z.string(),
  body: z.string(),
  active: z.boolean(),
  position: z.number(),
  createdAt: z.date(),
});
const offerDetailShape = offerShape.extend({ offerProduct: z.object({ id: z.string(), name: z.string(), slug: z.string() }), price: priceShape });

const productBody = z.object({
  slug: z.string().trim().toLowerCase().max(80),
  kind: z.enum(productKinds),
  name: z.string().trim().min(1, 'Give the product a name').max(200),
  summary: z.string().trim().max(600).optional(),
  imageUrl: z.string().trim().max(2000).nullable().optional(),
  courseId: z.uuid().nullable().optional(),
  refundPolicy: z.enum(refundPolicies).optional(),
  position: z.number().int().optional(),
  includes: z.array(z.uuid()).max(100).optional(),
});

export const catalogRoutes: AnyRoute[] = [
  // ---- products -------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/products', access: { permission: 'catalog.read' }, tags: ['catalog'],
    summary: 'Products with their prices (archived ones with ?archived=1)',
    query: z.object({ status: z.enum(productStatuses).optional(), kind: z.enum(productKinds).optional(), archived: z.enum(['0', '1', 'true', 'false']).optional().transform((v) => v === '1' || v === 'true') }),
    response: z.object({ products: z.array(productShape) }),
    handler: async ({ app, query }) => ({ products: await app.catalog.listProducts(app.db, { status: query.status, kind: query.kind, includeArchived: query.archived }) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/products', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.product_created', status: 201,
    summary: 'Create a product (a draft until published)',
    body: productBody,
    response: productDetailShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const p = await app.catalog.createProduct(body, actor);
      auditTarget('product', p.id, { name: p.name });
      return p;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/products/:id', access: { permission: 'catalog.read' }, tags: ['catalog'],
    summary: 'One product with prices, files and what it includes',
    params: idParam,
    response: productDetailShape,
    handler: ({ app, params }) => app.catalog.getProduct(app.db, params.id),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/products/:id', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.product_updated',
    summary: 'Change a product; status published puts it on sale, archived takes it off',
    params: idParam,
    body: productBody.omit({ kind: true }).partial().extend({ status: z.enum(productStatuses).optional() }),
    response: productDetailShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('product', params.id, { changed: Object.keys(body) });
      return app.catalog.updateProduct(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/catalog/defaults', access: { permission: 'catalog.read' }, tags: ['catalog'],
    summary: 'What a new price starts with: the business\'s currency from the brand settings',
    response: z.object({ currency: z.string() }),
    handler: async ({ app }) => ({ currency: (await app.brand.current()).currency.toLowerCase() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/products/:id/prices', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.price_created', status: 201,
    summary: 'Add a price: one-time, subscription (monthly/yearly, optional trial) or payment plan',
    params: idParam,
    body: z.object({
      type: z.enum(priceTypes),
      /** empty: the business's currency (brand settings) */
      currency: z.string().trim().toLowerCase().length(3).optional(),
      amount: money,
      interval: z.enum(intervals).nullable().optional(),
      trialDays: z.number().int().min(0).max(365).nullable().optional(),
      instalments: z.number().int().min(2).max(36).nullable().optional(),
      label: z.string().trim().max(60).optional(),
      position: z.number().int().optional(),
    }),
    response: priceShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      const currency = body.currency ?? (await app.brand.current()).currency.toLowerCase();
      const price = await app.catalog.createPrice(params.id, { ...body, currency }, actor);
      auditTarget('price', price.id, { productId: params.id });
      return price;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/prices/:id', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.price_updated',
    summary: 'Relabel, reorder or (de)activate a price; amounts never change once set',
    params: idParam,
    body: z.object({ label: z.string().trim().max(60).optional(), active: z.boolean().optional(), position: z.number().int().optional() }),
    response: priceShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('price', params.id, body);
      return app.catalog.updatePrice(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/products/:id/files', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.file_added', status: 201,
    rawBody: 'stream',
    summary: 'Upload a file to a download product: the request body is the file; ?name= gives its name',
    params: idParam,
    query: z.object({ name: z.string().min(1).max(255) }),
    response: fileShape,
    handler: async ({ app, req, actor, params, query, auditTarget }) => {
      const file = await app.catalog.addFile(params.id, { name: query.name, contentType: String(req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!, body: req.body as Readable }, actor);
      auditTarget('product', params.id, { fileId: file.id, name: file.name, size: file.size });
      return file;
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/products/:id/files/:fileId', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.file_removed',
    summary: 'Remove a file from a download product',
    params: z.object({ id: z.uuid(), fileId: z.uuid() }),
    handler: async ({ app, actor, params, auditTarget }) => {
      await app.catalog.removeFile(params.id, params.fileId, actor);
      auditTarget('product', params.id, { fileId: params.fileId });
    },
  }),

  // ---- coupons --------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/coupons', access: { permission: 'catalog.read' }, tags: ['catalog'],
    summary: 'Coupons with how often each was used',
    response: z.object({ coupons: z.array(couponShape) }),
    handler: async ({ app }) => ({ coupons: await app.catalog.listCoupons(app.db) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/coupons', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.coupon_created', status: 201,
    summary: 'Create a coupon: percent or fixed amount off, optional expiry, redemption limit and products',
    body: z.object({
      code: z.string().trim().max(40),
      kind: z.enum(couponKinds),
      percentOff: z.number().int().min(1).max(100).nullable().optional(),
      amountOff: money.nullable().optional(),
      currency: z.string().trim().toLowerCase().length(3).nullable().optional(),
      expiresAt: z.coerce.date().nullable().optional(),
      maxRedemptions: z.number().int().min(1).nullable().optional(),
      productIds: z.array(z.uuid()).max(100).optional(),
      active: z.boolean().optional(),
    }),
    response: couponShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const c = await app.catalog.createCoupon(body, actor);
      auditTarget('coupon', c.id, { code: c.code });
      return c;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/coupons/:id', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.coupon_updated',
    summary: 'Turn a coupon on or off, change its expiry, limit or products',
    params: idParam,
    body: z.object({
      active: z.boolean().optional(),
      expiresAt: z.coerce.date().nullable().optional(),
      maxRedemptions: z.number().int().min(1).nullable().optional(),
      productIds: z.array(z.uuid()).max(100).optional(),
    }),
    response: couponShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('coupon', params.id, { changed: Object.keys(body) });
      return app.catalog.updateCoupon(params.id, body, actor);
    },
  }),

  // ---- offers: order bumps and upsells ------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/offers', access: { permission: 'catalog.read' }, tags: ['catalog'],
    summary: 'Order bumps and post-purchase upsells',
    query: z.object({ productId: z.uuid().optional(), kind: z.enum(offerKinds).optional() }),
    response: z.object({ offers: z.array(offerDetailShape) }),
    handler: async ({ app, query }) => ({ offers: await app.catalog.listOffers(app.db, query) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/offers', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.offer_created', status: 201,
    summary: 'Add an order bump (checkbox on the checkout page) or an upsell (one click after paying)',
    body: z.object({
      kind: z.enum(offerKinds),
      productId: z.uuid(),
      offerPriceId: z.uuid(),
      amount: money.nullable().optional(),
      headline: z.string().trim().min(1).max(200),
      body: z.string().trim().max(2000).optional(),
      active: z.boolean().optional(),
      position: z.number().int().optional(),
    }),
    response: offerShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const o = await app.catalog.createOffer(body, actor);
      auditTarget('offer', o.id, { kind: o.kind });
      return o;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/offers/:id', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.offer_updated',
    summary: 'Change an offer’s wording, special amount, order or availability',
    params: idParam,
    body: z.object({
      headline: z.string().trim().min(1).max(200).optional(),
      body: z.string().trim().max(2000).optional(),
      amount: money.nullable().optional(),
      active: z.boolean().optional(),
      position: z.number().int().optional(),
    }),
    response: offerShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('offer', params.id, { changed: Object.keys(body) });
      return app.catalog.updateOffer(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/offers/:id', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.offer_deleted',
    summary: 'Remove an offer',
    params: idParam,
    handler: async ({ app, actor, params, auditTarget }) => {
      await app.catalog.deleteOffer(params.id, actor);
      auditTarget('offer', params.id);
    },
  }),
];
