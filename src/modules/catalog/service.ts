// The catalog: products, prices, files, what bundles and memberships include, coupons and
// offers. Every change is an event with its actor, and tells the storefront its pages changed.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { and, asc, desc, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { conflict, invalid, notFound } from '../../errors.js';
import {
  coupons,
  offers,
  prices,
  productFiles,
  productIncludes,
  products,
  type CouponKind,
  type Interval,
  type OfferKind,
  type PriceType,
  type ProductKind,
  type ProductStatus,
  type RefundPolicy,
} from './schema.js';
import type { FileStorage } from './storage.js';

export type Product = typeof products.$inferSelect;
export type Price = typeof prices.$inferSelect;
export type Coupon = typeof coupons.$inferSelect;
export type Offer = typeof offers.$inferSelect;
export type ProductFile = typeof productFiles.$inferSelect;

export interface ProductDetail extends Product {
  prices: Price[];
  files: ProductFile[];
  includes: Pick<Product, 'id' | 'name' | 'kind' | 'slug'>[];
}

export interface ProductInput {
  slug: string;
  kind: ProductKind;
  name: string;
  summary?: string;
  imageUrl?: string | null;
  courseId?: string | null;
  refundPolicy?: RefundPolicy;
  position?: number;
  includes?: string[];
}

export interface PriceInput {
  type: PriceType;
  currency: string;
  amount: number;
  interval?: Interval | null;
  trialDays?: number | null;
  instalments?: number | null;
  label?: string;
  position?: number;
}

export interface CouponInput {
  code: string;
  kind: CouponKind;
  percentOff?: number | null;
  amountOff?: number | null;
  currency?: string | null;
  expiresAt?: Date | null;
  maxRedemptions?: number | null;
  productIds?: string[];
  active?: boolean;
}

export interface OfferInput {
  kind: OfferKind;
  productId: string;
  offerPriceId: string;
  amount?: number | null;
  headline: string;
  body?: string;
  active?: boolean;
  position?: number;
}

/** A resource a purchase opens, and why (the grant source). */
export interface Entitlement {
  resource: { type: 'course' | 'download' | 'product'; id: string };
  /** the product this entitlement comes from */
  productId: string;
  /** true when it comes through a bundle or membership rather than the product bought */
  included: boolean;
}

const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CURRENCY_RE = /^[a-z]{3}$/;
const MAX_AMOUNT = 100_000_000;

export interface CatalogSettings {
  maxUploadBytes: number;
}

export class CatalogService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    readonly storage: FileStorage,
    private readonly settings: CatalogSettings,
    /** called in the transaction of every change that shows on the storefront */
    private readonly onChange: (tx: Tx) => Promise<void> = async () => {},
  ) {}

  private get db() {
    return this.database.db;
  }

  // ---- products ------------------------------------------------------------------------

  async listProducts(db: DbOrTx, filter: { status?: ProductStatus; kind?: ProductKind; includeArchived?: boolean } = {}): Promise<(Product & { prices: Price[] })[]> {
    const where = [];
    if (filter.status) where.push(eq(products.status, filter.status));
    else if (!filter.includeArchived) where.push(ne(products.status, 'archived'));
    if (filter.kind) where.push(eq(products.kind, filter.kind));
    const rows = await db
      .select()
      .from(products)
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(products.position), asc(products.createdAt));
    if (rows.length === 0) return [];
    const priceRows = await db
      .select()
      .from(prices)
      .where(inArray(prices.productId, rows.map((r) => r.id)))
      .orderBy(asc(prices.position), asc(prices.createdAt));
    return rows.map((r) => ({ ...r, prices: priceRows.filter((p) => p.productId === r.id) }));
  }

  async getProduct(db: DbOrTx, id: string): Promise<ProductDetail> {
    const [row] = await db.select().from(products).where(eq(products.id, id)).limit(1);
    if (!row) throw notFound('Product');
    return this.detail(db, row);
  }

  async findProductBySlug(db: DbOrTx, slug: string): Promise<ProductDetail | null> {
    const [row] = await db.select().from(products).where(eq(products.slug, slug)).limit(1);
    return row ? this.detail(db, row) : null;
  }

  private async detail(db: DbOrTx, row: Product): Promise<ProductDetail> {
    // One after another: `db` may be a transaction, whose single connection runs one query at a time.
    const priceRows = await db.select().from(prices).where(eq(prices.productId, row.id)).orderBy(asc(prices.position), asc(prices.createdAt));
    const files = await db.select().from(productFiles).where(eq(productFiles.productId, row.id)).orderBy(asc(productFiles.createdAt));
    const includes = await db
      .select({ id: products.id, name: products.name, kind: products.kind, slug: products.slug })
      .from(productIncludes)
      .innerJoin(products, eq(products.id, productIncludes.includedProductId))
      .where(eq(productIncludes.productId, row.id))
      .orderBy(asc(productIncludes.position));
    return { ...row, prices: priceRows, files, includes };
  }

  private checkProductInput(input: Partial<ProductInput>): void {
    if (input.slug !== undefined && (!SLUG_RE.test(input.slug) || input.slug.length > 80)) {
      throw invalid('The address (slug) may use lower-case letters, digits and single dashes, like "my-course"', { field: 'slug' });
    }
    if (input.name !== undefined && !input.name.trim()) throw invalid('Give the product a name', { field: 'name' });
    if (input.imageUrl && !isSafeUrl(input.imageUrl)) throw invalid('The image must be an https:// address or a path on this site', { field: 'imageUrl' });
  }

  async createProduct(input: ProductInput, actor: Actor): Promise<ProductDetail> {
    this.checkProductInput(input);
    const now = this.clock.now();
    const id = await this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(products)
        .values({
          slug: input.slug,
          kind: input.kind,
          name: input.name.trim(),
          summary: input.summary?.trim() ?? '',
          imageUrl: input.imageUrl || null,
          courseId: input.courseId ?? null,
          refundPolicy: input.refundPolicy ?? 'revoke_on_full',
          position: input.position ?? 0,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw conflict(`Another product already uses the address /p/${input.slug}`, { field: 'slug' });
      if (input.includes?.length) await this.writeIncludes(tx, row, input.includes);
      await this.events.recordInTx(tx, { type: 'product.created', actor, subject: { type: 'product', id: row.id }, data: { name: row.name, kind: row.kind } });
      await this.onChange(tx);
      return row.id;
    });
    return this.getProduct(this.db, id);
  }

  async updateProduct(id: string, patch: Partial<ProductInput> & { status?: ProductStatus }, actor: Actor): Promise<ProductDetail> {
    this.checkProductInput(patch);
    await this.database.transaction(async (tx) => {
      const [current] = await tx.select().from(products).where(eq(products.id, id)).for('update');
      if (!current) throw notFound('Product');
      if (patch.kind && patch.kind !== current.kind) throw invalid('The kind of a product cannot change; create a new product instead', { field: 'kind' });
      const next = { ...current, ...definedOnly(patch) };
      if (patch.status === 'published' && current.status !== 'published') await this.checkPublishable(tx, next);
      if (patch.slug && patch.slug !== current.slug) {
        const [taken] = await tx.select({ id: products.id }).from(products).where(and(eq(products.slug, patch.slug), ne(products.id, id)));
        if (taken) throw conflict(`Another product already uses the address /p/${patch.slug}`, { field: 'slug' });
      }
      await tx
        .update(products)
        .set({
          slug: next.slug,
          name: next.name.trim(),
          summary: next.summary.trim(),
          imageUrl: next.imageUrl || null,
          courseId: next.courseId ?? null,
          refundPolicy: next.refundPolicy,
          position: next.position,
          status: next.status,
          updatedAt: this.clock.now(),
        })
        .where(eq(products.id, id));
      if (patch.includes) await this.writeIncludes(tx, current, patch.includes);
      const type: `product.${ProductStatus}` | 'product.updated' = patch.status && patch.status !== current.status ? `product.${patch.status}` : 'product.updated';
      await this.events.recordInTx(tx, { type, actor, subject: { type: 'product', id }, data: { changed: Object.keys(definedOnly(patch)) } });
      await this.onChange(tx);
    });
    return this.getProduct(this.db, id);
  }

  private async checkPublishable(tx: Tx, p: Product): Promise<void> {
    if (p.kind === 'course' && !p.courseId) throw invalid('Link the course this product opens before publishing it', { field: 'courseId' });
    const active = await tx.select({ id: prices.id }).from(prices).where(and(eq(prices.productId, p.id), eq(prices.active, true))).limit(1);
    if (!active.length) throw invalid('Add at least one active price before publishing', { field: 'status' });
    if (p.kind === 'bundle' || p.kind === 'membership') {
      const inc = await tx.select().from(productIncludes).where(eq(productIncludes.productId, p.id)).limit(1);
      if (!inc.length) throw invalid(`A ${p.kind} must include at least one product before publishing`, { field: 'includes' });
    }
  }

  /** Bundles and memberships contain plain products (courses, downloads): one level, so no cycles. */
  private async writeIncludes(tx: Tx, product: Product, ids: string[]): Promise<void> {
    if (product.kind !== 'bundle' && product.kind !== 'membership') {
      if (ids.length) throw invalid('Only bundles and memberships include other products', { field: 'includes' });
      return;
    }
    const unique = [...new Set(ids)];
    if (unique.includes(product.id)) throw invalid('A product cannot include itself', { field: 'includes' });
    if (unique.length) {
      const found = await tx.select({ id: products.id, kind: products.kind }).from(products).where(inArray(products.id, unique));
      if (found.length !== unique.length) throw invalid('One of the included products does not exist', { field: 'includes' });
      if (found.some((f) => f.kind === 'bundle' || f.kind === 'membership')) {
        throw invalid('Include courses and downloads; bundles and memberships cannot contain each other', { field: 'includes' });
      }
    }
    await tx.delete(productIncludes).where(eq(productIncludes.productId, product.id));
    if (unique.length) await tx.insert(productIncludes).values(unique.map((includedProductId, position) => ({ productId: product.id, includedProductId, position })));
  }

  // ---- prices --------------------------------------------------------------------------

  async getPrice(db: DbOrTx, id: string): Promise<Price & { product: Product }> {
    const [row] = await db.select({ price: prices, product: products }).from(prices).innerJoin(products, eq(products.id, prices.productId)).where(eq(prices.id, id)).limit(1);
    if (!row) throw notFound('Price');
    return { ...row.price, product: row.product };
  }

  async createPrice(productId: string, input: PriceInput, actor: Actor): Promise<Price> {
    const currency = input.currency.toLowerCase();
    if (!CURRENCY_RE.test(currency)) throw invalid('The currency is a three-letter code such as usd or eur', { field: 'currency' });
    if (!Number.isInteger(input.amount) || input.amount < 0 || input.amount > MAX_AMOUNT) throw invalid('The amount is a whole number of cents between 0 and 1,000,000.00', { field: 'amount' });
    if (input.type === 'one_time') {
      if (input.interval || input.instalments || input.trialDays) throw invalid('A one-time price has no interval, trial or instalments', { field: 'type' });
    } else {
      if (!input.interval) throw invalid('Choose monthly or yearly', { field: 'interval' });
      if (input.amount === 0) throw invalid('A recurring price needs an amount above zero', { field: 'amount' });
    }
    if (input.type === 'payment_plan' && (!input.instalments || input.instalments < 2 || input.instalments > 36)) {
      throw invalid('A payment plan has between 2 and 36 instalments', { field: 'instalments' });
    }
    if (input.type !== 'payment_plan' && input.instalments) throw invalid('Only payment plans have instalments', { field: 'instalments' });
    if (input.trialDays && (input.type !== 'subscription' || input.trialDays < 1 || input.trialDays > 365)) {
      throw invalid('A free trial (1–365 days) is for subscriptions only', { field: 'trialDays' });
    }
    return this.database.transaction(async (tx) => {
      const [product] = await tx.select().from(products).where(eq(products.id, productId));
      if (!product) throw notFound('Product');
      const [row] = await tx
        .insert(prices)
        .values({
          productId,
          type: input.type,
          currency,
          amount: input.amount,
          interval: input.type === 'one_time' ? null : (input.interval ?? null),
          trialDays: input.trialDays || null,
          instalments: input.type === 'payment_plan' ? (input.instalments ?? null) : null,
          label: input.label?.trim() ?? '',
          position: input.position ?? 0,
          createdAt: this.clock.now(),
        })
        .returning();
      await this.events.recordInTx(tx, { type: 'price.created', actor, subject: { type: 'product', id: productId }, data: { priceId: row!.id, type: row!.type, amount: row!.amount, currency } });
      await this.onChange(tx);
      return row!;
    });
  }

  /** Label, order and availability only: the amount of a price that may have been bought never changes. */
  async updatePrice(id: string, patch: { label?: string; active?: boolean; position?: number }, actor: Actor): Promise<Price> {
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .update(prices)
        .set(changesOf({ label: patch.label?.trim(), active: patch.active, position: patch.position }))
        .where(eq(prices.id, id))
        .returning();
      if (!row) throw notFound('Price');
      await this.events.recordInTx(tx, { type: 'price.updated', actor, subject: { type: 'product', id: row.productId }, data: { priceId: id, ...definedOnly(patch) } });
      await this.onChange(tx);
      return row;
    });
  }

  // ---- files ---------------------------------------------------------------------------

  async addFile(productId: string, input: { name: string; contentType: string; body: Readable }, actor: Actor): Promise<ProductFile> {
    const product = await this.getProduct(this.db, productId);
    if (product.kind !== 'download') throw invalid('Files belong to download products', { field: 'kind' });
    const name = cleanFileName(input.name);
    const key = `products/${productId}/${randomUUID()}`;
    const stored = await this.storage.put(key, input.body, { maxBytes: this.settings.maxUploadBytes });
    if (stored.size === 0) {
      await this.storage.remove(key);
      throw invalid('The file is empty', { field: 'file' });
    }
    try {
      return await this.database.transaction(async (tx) => {
        const [row] = await tx
          .insert(productFiles)
          .values({ productId, name, contentType: input.contentType || 'application/octet-stream', size: stored.size, sha256: stored.sha256, storageKey: key, createdAt: this.clock.now() })
          .returning();
        await this.events.recordInTx(tx, { type: 'product.file_added', actor, subject: { type: 'product', id: productId }, data: { fileId: row!.id, name, size: stored.size } });
        return row!;
      });
    } catch (err) {
      await this.storage.remove(key);
      throw err;
    }
  }

  async removeFile(productId: string, fileId: string, actor: Actor): Promise<void> {
    const row = await this.database.transaction(async (tx) => {
      const [deleted] = await tx.delete(productFiles).where(and(eq(productFiles.id, fileId), eq(productFiles.productId, productId))).returning();
      if (!deleted) throw notFound('File');
      await this.events.recordInTx(tx, { type: 'product.file_removed', actor, subject: { type: 'product', id: productId }, data: { fileId, name: deleted.name } });
      return deleted;
    });
    await this.storage.remove(row.storageKey);
  }

  async getFile(db: DbOrTx, fileId: string): Promise<ProductFile & { product: Pick<Product, 'id' | 'name'> }> {
    const [row] = await db
      .select({ file: productFiles, product: { id: products.id, name: products.name } })
      .from(productFiles)
      .innerJoin(products, eq(products.id, productFiles.productId))
      .where(eq(productFiles.id, fileId))
      .limit(1);
    if (!row) throw notFound('File');
    return { ...row.file, product: row.product };
  }

  async filesOf(db: DbOrTx, productIds: string[]): Promise<ProductFile[]> {
    if (!productIds.length) return [];
    return db.select().from(productFiles).where(inArray(productFiles.productId, productIds)).orderBy(asc(productFiles.name));
  }

  // ---- what a purchase opens -------------------------------------------------------------

  /**
   * The resources buying `productId` gives: the product itself, its course or files, and for
   * bundles and memberships everything they include.
   */
  async entitlementsOf(db: DbOrTx, productId: string): Promise<Entitlement[]> {
    const product = await this.getProduct(db, productId);
    const out: Entitlement[] = [...ownEntitlements(product, false)];
    if (product.kind === 'bundle' || product.kind === 'membership') {
      const included = product.includes.length
        ? await db.select().from(products).where(inArray(products.id, product.includes.map((i) => i.id)))
        : [];
      for (const p of included) out.push(...ownEntitlements(p, true));
    }
    return out;
  }

  // ---- coupons -------------------------------------------------------------------------

  async listCoupons(db: DbOrTx): Promise<Coupon[]> {
    return db.select().from(coupons).orderBy(desc(coupons.createdAt));
  }

  private checkCoupon(input: Partial<CouponInput>): void {
    if (input.code !== undefined && !/^[A-Za-z0-9_-]{2,40}$/.test(input.code)) throw invalid('A code is 2–40 letters, digits, dashes or underscores', { field: 'code' });
    if (input.kind === 'percent' && (!input.percentOff || input.percentOff < 1 || input.percentOff > 100)) throw invalid('A percent coupon takes 1–100 % off', { field: 'percentOff' });
    if (input.kind === 'fixed') {
      if (!input.amountOff || input.amountOff < 1) throw invalid('A fixed coupon takes an amount off', { field: 'amountOff' });
      if (!input.currency || !CURRENCY_RE.test(input.currency.toLowerCase())) throw invalid('A fixed coupon needs the currency of its amount', { field: 'currency' });
    }
    if (input.maxRedemptions !== undefined && input.maxRedemptions !== null && input.maxRedemptions < 1) throw invalid('Maximum redemptions is at least 1', { field: 'maxRedemptions' });
  }

  async createCoupon(input: CouponInput, actor: Actor): Promise<Coupon> {
    this.checkCoupon(input);
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(coupons)
        .values({
          code: input.code,
          kind: input.kind,
          percentOff: input.kind === 'percent' ? (input.percentOff ?? null) : null,
          amountOff: input.kind === 'fixed' ? (input.amountOff ?? null) : null,
          currency: input.kind === 'fixed' ? (input.currency?.toLowerCase() ?? null) : null,
          expiresAt: input.expiresAt ?? null,
          maxRedemptions: input.maxRedemptions ?? null,
          productIds: input.productIds ?? [],
          active: input.active ?? true,
          createdAt: this.clock.now(),
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw conflict(`The code ${input.code} is already in use`, { field: 'code' });
      await this.events.recordInTx(tx, { type: 'coupon.created', actor, subject: { type: 'coupon', id: row.id }, data: { code: row.code } });
      return row;
    });
  }

  async updateCoupon(id: string, patch: { active?: boolean; expiresAt?: Date | null; maxRedemptions?: number | null; productIds?: string[] }, actor: Actor): Promise<Coupon> {
    this.checkCoupon(patch);
    return this.database.transaction(async (tx) => {
      const [row] = await tx.update(coupons).set(changesOf(patch)).where(eq(coupons.id, id)).returning();
      if (!row) throw notFound('Coupon');
      await this.events.recordInTx(tx, { type: 'coupon.updated', actor, subject: { type: 'coupon', id }, data: { changed: Object.keys(definedOnly(patch)) } });
      return row;
    });
  }

  /** The coupon for a code if it may be used now on these products in this currency; a clear reason otherwise. */
  async findUsableCoupon(db: DbOrTx, code: string, ctx: { productIds: string[]; currency: string }): Promise<Coupon> {
    const [c] = await db.select().from(coupons).where(sql`lower(${coupons.code}) = ${code.trim().toLowerCase()}`).limit(1);
    if (!c || !c.active) throw invalid(`The code "${code.trim()}" is not valid`, { field: 'coupon' });
    if (c.expiresAt && c.expiresAt <= this.clock.now()) throw invalid(`The code "${c.code}" has expired`, { field: 'coupon' });
    if (c.maxRedemptions !== null && c.redemptions >= c.maxRedemptions) throw invalid(`The code "${c.code}" has been used up`, { field: 'coupon' });
    if (c.productIds.length && !ctx.productIds.some((p) => c.productIds.includes(p))) throw invalid(`The code "${c.code}" does not apply to this product`, { field: 'coupon' });
    if (c.kind === 'fixed' && c.currency !== ctx.currency) throw invalid(`The code "${c.code}" is for prices in ${c.currency?.toUpperCase()}`, { field: 'coupon' });
    return c;
  }

  /** Reserves one use of the coupon; false when it was used up in the meantime. */
  async reserveCouponInTx(tx: Tx, couponId: string): Promise<boolean> {
    const rows = await tx
      .update(coupons)
      .set({ redemptions: sql`${coupons.redemptions} + 1` })
      .where(and(eq(coupons.id, couponId), or(isNull(coupons.maxRedemptions), sql`${coupons.redemptions} < ${coupons.maxRedemptions}`)))
      .returning({ id: coupons.id });
    return rows.length === 1;
  }

  /** Counts a use without the limit: a payment that arrived after its checkout lapsed is honoured. */
  async countCouponUseInTx(tx: Tx, couponId: string): Promise<void> {
    await tx.update(coupons).set({ redemptions: sql`${coupons.redemptions} + 1` }).where(eq(coupons.id, couponId));
  }

  /** Gives a reserved use back (a checkout that lapsed or failed). */
  async releaseCouponInTx(tx: Tx, couponId: string): Promise<void> {
    await tx.update(coupons).set({ redemptions: sql`greatest(${coupons.redemptions} - 1, 0)` }).where(eq(coupons.id, couponId));
  }

  // ---- offers (bumps and upsells) --------------------------------------------------------

  async listOffers(db: DbOrTx, filter: { productId?: string; kind?: OfferKind; activeOnly?: boolean } = {}): Promise<(Offer & { price: Price; offerProduct: Product })[]> {
    const where = [];
    if (filter.productId) where.push(eq(offers.productId, filter.productId));
    if (filter.kind) where.push(eq(offers.kind, filter.kind));
    if (filter.activeOnly) where.push(eq(offers.active, true), eq(prices.active, true), eq(products.status, 'published'));
    const rows = await db
      .select({ offer: offers, price: prices, product: products })
      .from(offers)
      .innerJoin(prices, eq(prices.id, offers.offerPriceId))
      .innerJoin(products, eq(products.id, prices.productId))
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(offers.position), asc(offers.createdAt));
    return rows.map((r) => ({ ...r.offer, price: r.price, offerProduct: r.product }));
  }

  async getOffer(db: DbOrTx, id: string): Promise<Offer & { price: Price; offerProduct: Product }> {
    const [row] = await db
      .select({ offer: offers, price: prices, product: products })
      .from(offers)
      .innerJoin(prices, eq(prices.id, offers.offerPriceId))
      .innerJoin(products, eq(products.id, prices.productId))
      .where(eq(offers.id, id))
      .limit(1);
    if (!row) throw notFound('Offer');
    return { ...row.offer, price: row.price, offerProduct: row.product };
  }

  async createOffer(input: OfferInput, actor: Actor): Promise<Offer> {
    if (!input.headline.trim()) throw invalid('Write a headline for the offer', { field: 'headline' });
    return this.database.transaction(async (tx) => {
      const [product] = await tx.select().from(products).where(eq(products.id, input.productId));
      if (!product) throw notFound('Product');
      const [price] = await tx.select().from(prices).where(eq(prices.id, input.offerPriceId));
      if (!price) throw notFound('Price');
      if (price.type !== 'one_time') throw invalid('Bumps and upsells sell a one-time price', { field: 'offerPriceId' });
      if (price.productId === input.productId) throw invalid('Offer a different product from the one being bought', { field: 'offerPriceId' });
      if (input.amount !== undefined && input.amount !== null && (input.amount < 1 || input.amount > MAX_AMOUNT)) throw invalid('The special amount must be above zero', { field: 'amount' });
      const [row] = await tx
        .insert(offers)
        .values({
          kind: input.kind,
          productId: input.productId,
          offerPriceId: input.offerPriceId,
          amount: input.amount ?? null,
          headline: input.headline.trim(),
          body: input.body?.trim() ?? '',
          active: input.active ?? true,
          position: input.position ?? 0,
          createdAt: this.clock.now(),
        })
        .returning();
      await this.events.recordInTx(tx, { type: 'offer.created', actor, subject: { type: 'offer', id: row!.id }, data: { kind: input.kind, productId: input.productId } });
      await this.onChange(tx);
      return row!;
    });
  }

  async updateOffer(id: string, patch: { headline?: string; body?: string; amount?: number | null; active?: boolean; position?: number }, actor: Actor): Promise<Offer> {
    return this.database.transaction(async (tx) => {
      const [row] = await tx.update(offers).set(changesOf(patch)).where(eq(offers.id, id)).returning();
      if (!row) throw notFound('Offer');
      await this.events.recordInTx(tx, { type: 'offer.updated', actor, subject: { type: 'offer', id }, data: { changed: Object.keys(definedOnly(patch)) } });
      await this.onChange(tx);
      return row;
    });
  }

  async deleteOffer(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const [row] = await tx.delete(offers).where(eq(offers.id, id)).returning();
      if (!row) throw notFound('Offer');
      await this.events.recordInTx(tx, { type: 'offer.deleted', actor, subject: { type: 'offer', id }, data: { kind: row.kind } });
      await this.onChange(tx);
    });
  }
}

function ownEntitlements(p: Pick<Product, 'id' | 'kind' | 'courseId'>, included: boolean): Entitlement[] {
  const out: Entitlement[] = [{ resource: { type: 'product', id: p.id }, productId: p.id, included }];
  if (p.kind === 'course' && p.courseId) out.push({ resource: { type: 'course', id: p.courseId }, productId: p.id, included });
  if (p.kind === 'download') out.push({ resource: { type: 'download', id: p.id }, productId: p.id, included });
  return out;
}

export function isSafeUrl(url: string): boolean {
  if (url.startsWith('/') && !url.startsWith('//')) return true;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f"<>|:*?]/g, '').trim().slice(0, 200);
  if (!clean) throw invalid('Give the file a name', { field: 'name' });
  return clean;
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The fields a patch sets; an empty patch is a 400 (an UPDATE that sets nothing is not SQL). */
function changesOf<T extends Record<string, unknown>>(o: T): Partial<T> {
  const changes = definedOnly(o);
  if (Object.keys(changes).length === 0) throw invalid('Nothing to change: send at least one field');
  return changes;
}
