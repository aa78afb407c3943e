// Catalog admin API: products, prices, files, coupons, offers. One line per route below;
// handlers validate, call the catalog service, return.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { Db } from '../../db/client.js';
import type { BrandService } from '../brand/index.js';
import type { CatalogService } from './index.js';
import {
  catalogDefaultsShape,
  couponBody,
  couponListShape,
  couponPatchBody,
  couponShape,
  offerBody,
  offerListQuery,
  offerListShape,
  offerPatchBody,
  offerShape,
  priceBody,
  pricePatchBody,
  priceShape,
  productBody,
  productDetailShape,
  productFileQuery,
  productFileShape,
  productListQuery,
  productListShape,
  productPatchBody,
} from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface CatalogRouteDeps {
  brand: BrandService;
  catalog: CatalogService;
  db: Db;
}
const defineRoute = routesFor<CatalogRouteDeps>();

// ---- shapes (the staff API's are in contract.ts, shared with the admin) ----------------------

const idParam = z.object({ id: z.uuid() });

export const catalogRoutes: AnyRoute<CatalogRouteDeps>[] = [
  // ---- products -------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/products', access: { permission: 'catalog.read' }, tags: ['catalog'],
    summary: 'Products with their prices (archived ones with ?archived=1)',
    query: productListQuery,
    response: productListShape,
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
    body: productPatchBody,
    response: productDetailShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('product', params.id, { changed: Object.keys(body) });
      return app.catalog.updateProduct(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/catalog/defaults', access: { permission: 'catalog.read' }, tags: ['catalog'],
    summary: 'What a new price starts with: the business\'s currency from the brand settings',
    response: catalogDefaultsShape,
    handler: async ({ app }) => ({ currency: (await app.brand.current()).currency.toLowerCase() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/products/:id/prices', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.price_created', status: 201,
    summary: 'Add a price: one-time, subscription (monthly/yearly, optional trial) or payment plan',
    params: idParam,
    body: priceBody,
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
    body: pricePatchBody,
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
    query: productFileQuery,
    response: productFileShape,
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
    response: couponListShape,
    handler: async ({ app }) => ({ coupons: await app.catalog.listCoupons(app.db) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/coupons', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.coupon_created', status: 201,
    summary: 'Create a coupon: percent or fixed amount off, optional expiry, redemption limit and products',
    body: couponBody,
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
    body: couponPatchBody,
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
    query: offerListQuery,
    response: offerListShape,
    handler: async ({ app, query }) => ({ offers: await app.catalog.listOffers(app.db, query) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/offers', access: { permission: 'catalog.write' }, tags: ['catalog'], audit: 'catalog.offer_created', status: 201,
    summary: 'Add an order bump (checkbox on the checkout page) or an upsell (one click after paying)',
    body: offerBody,
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
    body: offerPatchBody,
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
