// What the business sells: products of four kinds, their prices, the files of downloads,
// what bundles and memberships contain, coupons, and the offers around a checkout (order
// bumps on the checkout page, upsells after it). Money is integer minor units + currency.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, bigint } from 'drizzle-orm/pg-core';
import { couponKinds, intervals, offerKinds, priceTypes, productKinds, productStatuses, refundPolicies } from './contract.js';

export { couponKinds, intervals, offerKinds, priceTypes, productKinds, productStatuses, refundPolicies };
export type ProductKind = (typeof productKinds)[number];
export type ProductStatus = (typeof productStatuses)[number];
/** What a refund does to the access the order gave. */
export type RefundPolicy = (typeof refundPolicies)[number];

export const products = pgTable(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** the sales page lives at /p/<slug> */
    slug: text('slug').notNull(),
    kind: text('kind').$type<ProductKind>().notNull(),
    name: text('name').notNull(),
    /** one or two sentences: store cards, meta description, receipts */
    summary: text('summary').notNull().default(''),
    imageUrl: text('image_url'),
    status: text('status').$type<ProductStatus>().notNull().default('draft'),
    /** course products: the course (learning module) the purchase opens; no FK, the module is separate */
    courseId: uuid('course_id'),
    refundPolicy: text('refund_policy').$type<RefundPolicy>().notNull().default('revoke_on_full'),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('products_slug_key').on(t.slug), index('products_status_idx').on(t.status, t.position)],
);

/** Bundles (several products) and memberships (access to a set of products while paid). */
export const productIncludes = pgTable(
  'product_includes',
  {
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    includedProductId: uuid('included_product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'restrict' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.productId, t.includedProductId] }), index('product_includes_included_idx').on(t.includedProductId)],
);

/** The files a download product delivers. Bytes live in file storage under `storageKey`. */
export const productFiles = pgTable(
  'product_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('product_files_product_idx').on(t.productId)],
);

export type PriceType = (typeof priceTypes)[number];
export type Interval = (typeof intervals)[number];

/**
 * A way to pay for a product. One-time: `amount` once. Subscription: `amount` every interval,
 * optionally after a free trial. Payment plan: `instalments` payments of `amount`, one per
 * interval, ending in full access. A price that has been bought is never changed, only
 * deactivated, so every order keeps meaning what it meant.
 */
export const prices = pgTable(
  'prices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    type: text('type').$type<PriceType>().notNull(),
    /** ISO 4217, lower case (usd, eur) as Stripe spells it */
    currency: text('currency').notNull(),
    /** minor units: the one-time amount, the amount per interval, or per instalment */
    amount: integer('amount').notNull(),
    interval: text('interval').$type<Interval>(),
    trialDays: integer('trial_days'),
    instalments: integer('instalments'),
    /** shown beside the price, e.g. "Best value" */
    label: text('label').notNull().default(''),
    active: boolean('active').notNull().default(true),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('prices_product_idx').on(t.productId, t.position)],
);

export type CouponKind = (typeof couponKinds)[number];

export const coupons = pgTable(
  'coupons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** what the buyer types; unique regardless of case */
    code: text('code').notNull(),
    kind: text('kind').$type<CouponKind>().notNull(),
    /** percent: 1–100 */
    percentOff: integer('percent_off'),
    /** fixed: minor units in `currency` */
    amountOff: integer('amount_off'),
    currency: text('currency'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    maxRedemptions: integer('max_redemptions'),
    /** reserved by open checkouts and used by paid orders; released when a checkout lapses */
    redemptions: integer('redemptions').notNull().default(0),
    /** empty: every product; otherwise only these */
    productIds: jsonb('product_ids').$type<string[]>().notNull().default([]),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('coupons_code_key').on(sql`lower(${t.code})`)],
);

export type OfferKind = (typeof offerKinds)[number];

/**
 * An order bump (a checkbox on the checkout page of `productId`) or a post-purchase upsell
 * (a one-click page after paying for `productId`, charged to the saved payment method).
 * Both sell a one-time price of another product, optionally at a special amount.
 */
export const offers = pgTable(
  'offers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').$type<OfferKind>().notNull(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    offerPriceId: uuid('offer_price_id')
      .notNull()
      .references(() => prices.id, { onDelete: 'cascade' }),
    /** special amount for this offer (minor units, the price's currency); null = the price's amount */
    amount: integer('amount'),
    headline: text('headline').notNull(),
    body: text('body').notNull().default(''),
    active: boolean('active').notNull().default(true),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('offers_product_idx').on(t.productId, t.kind)],
);
