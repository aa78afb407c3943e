// The catalog staff API's shapes: the request and response schemas its routes validate with
// (routes.ts), and the types the admin's Products and Coupons pages use for them (types only
// reach the browser: src/wire.ts). Plain data: no server code here. Money is integer minor units.
import { z } from 'zod';
import type { Wire } from '../../wire.js';

export const productKinds = ['course', 'download', 'membership', 'bundle'] as const;
export const productStatuses = ['draft', 'published', 'archived'] as const;
/** What a refund does to the access the order gave. */
export const refundPolicies = ['revoke_on_full', 'revoke_on_any', 'keep'] as const;
export const priceTypes = ['one_time', 'subscription', 'payment_plan'] as const;
export const intervals = ['month', 'year'] as const;
export const couponKinds = ['percent', 'fixed'] as const;
export const offerKinds = ['bump', 'upsell'] as const;

/** an amount of money in minor units (cents), as stored */
const cents = z.number().int();
/** an amount the staff may set: whole minor units, up to a million in major units */
export const money = z.number().int().min(0).max(100_000_000);

// ---- responses ----------------------------------------------------------------------------------

export const priceShape = z.object({
  id: z.string(),
  productId: z.string(),
  type: z.enum(priceTypes),
  currency: z.string(),
  amount: cents,
  interval: z.enum(intervals).nullable(),
  trialDays: z.number().nullable(),
  instalments: z.number().nullable(),
  label: z.string(),
  active: z.boolean(),
  position: z.number(),
  createdAt: z.date(),
});
export const productFileShape = z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), sha256: z.string(), createdAt: z.date() });
/** POST /api/products/:id/files (the file is the raw body): its name. */
export const productFileQuery = z.object({ name: z.string().min(1).max(255) });
export const productShape = z.object({
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
export const productDetailShape = productShape.extend({
  files: z.array(productFileShape),
  includes: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(productKinds), slug: z.string() })),
});
export const couponShape = z.object({
  id: z.string(),
  code: z.string(),
  kind: z.enum(couponKinds),
  percentOff: z.number().nullable(),
  amountOff: cents.nullable(),
  currency: z.string().nullable(),
  expiresAt: z.date().nullable(),
  maxRedemptions: z.number().nullable(),
  redemptions: z.number(),
  productIds: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.date(),
});
/** an offer as created or changed */
export const offerShape = z.object({
  id: z.string(),
  kind: z.enum(offerKinds),
  productId: z.string(),
  offerPriceId: z.string(),
  /** the special amount; null: the price's own */
  amount: cents.nullable(),
  headline: z.string(),
  body: z.string(),
  active: z.boolean(),
  position: z.number(),
  createdAt: z.date(),
});
/** an offer as listed: with the product and price it sells */
export const offerDetailShape = offerShape.extend({ offerProduct: z.object({ id: z.string(), name: z.string(), slug: z.string() }), price: priceShape });
export const catalogDefaultsShape = z.object({ currency: z.string() });
export const productListShape = z.object({ products: z.array(productShape) });
/** GET /api/products: one status, one kind; archived ones too with archived=1 (or true). */
export const productListQuery = z.object({ status: z.enum(productStatuses).optional(), kind: z.enum(productKinds).optional(), archived: z.enum(['0', '1', 'true', 'false']).optional().transform((v) => v === '1' || v === 'true') });
export const couponListShape = z.object({ coupons: z.array(couponShape) });
export const offerListShape = z.object({ offers: z.array(offerDetailShape) });
/** GET /api/offers: one product's, one kind. */
export const offerListQuery = z.object({ productId: z.uuid().optional(), kind: z.enum(offerKinds).optional() });

// ---- requests -----------------------------------------------------------------------------------

export const productBody = z.object({
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
export const productPatchBody = productBody.omit({ kind: true }).partial().extend({ status: z.enum(productStatuses).optional() });
export const priceBody = z.object({
  type: z.enum(priceTypes),
  /** empty: the business's currency (brand settings) */
  currency: z.string().trim().toLowerCase().length(3).optional(),
  amount: money,
  interval: z.enum(intervals).nullable().optional(),
  trialDays: z.number().int().min(0).max(365).nullable().optional(),
  instalments: z.number().int().min(2).max(36).nullable().optional(),
  label: z.string().trim().max(60).optional(),
  position: z.number().int().optional(),
});
export const pricePatchBody = z.object({ label: z.string().trim().max(60).optional(), active: z.boolean().optional(), position: z.number().int().optional() });
export const couponBody = z.object({
  code: z.string().trim().max(40),
  kind: z.enum(couponKinds),
  percentOff: z.number().int().min(1).max(100).nullable().optional(),
  amountOff: money.nullable().optional(),
  currency: z.string().trim().toLowerCase().length(3).nullable().optional(),
  /** an ISO date-time, as JSON carries it */
  expiresAt: z.coerce.date<string>().nullable().optional(),
  maxRedemptions: z.number().int().min(1).nullable().optional(),
  productIds: z.array(z.uuid()).max(100).optional(),
  active: z.boolean().optional(),
});
export const couponPatchBody = z.object({
  active: z.boolean().optional(),
  expiresAt: z.coerce.date<string>().nullable().optional(),
  maxRedemptions: z.number().int().min(1).nullable().optional(),
  productIds: z.array(z.uuid()).max(100).optional(),
});
export const offerBody = z.object({
  kind: z.enum(offerKinds),
  productId: z.uuid(),
  offerPriceId: z.uuid(),
  amount: money.nullable().optional(),
  headline: z.string().trim().min(1).max(200),
  body: z.string().trim().max(2000).optional(),
  active: z.boolean().optional(),
  position: z.number().int().optional(),
});
export const offerPatchBody = z.object({
  headline: z.string().trim().min(1).max(200).optional(),
  body: z.string().trim().max(2000).optional(),
  amount: money.nullable().optional(),
  active: z.boolean().optional(),
  position: z.number().int().optional(),
});

export type Price = Wire<z.output<typeof priceShape>>;
export type ProductFile = Wire<z.output<typeof productFileShape>>;
export type Product = Wire<z.output<typeof productShape>>;
export type ProductDetail = Wire<z.output<typeof productDetailShape>>;
export type Coupon = Wire<z.output<typeof couponShape>>;
export type Offer = Wire<z.output<typeof offerShape>>;
export type OfferDetail = Wire<z.output<typeof offerDetailShape>>;
export type CatalogDefaults = Wire<z.output<typeof catalogDefaultsShape>>;
export type ProductList = Wire<z.output<typeof productListShape>>;
export type CouponList = Wire<z.output<typeof couponListShape>>;
export type OfferList = Wire<z.output<typeof offerListShape>>;
export type ProductInput = z.input<typeof productBody>;
export type ProductPatch = z.input<typeof productPatchBody>;
export type PriceInput = z.input<typeof priceBody>;
export type PricePatch = z.input<typeof pricePatchBody>;
export type CouponInput = z.input<typeof couponBody>;
export type CouponPatch = z.input<typeof couponPatchBody>;
export type OfferInput = z.input<typeof offerBody>;
export type OfferPatch = z.input<typeof offerPatchBody>;
