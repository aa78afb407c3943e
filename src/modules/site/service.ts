// Pages and the storefront. Visitors get server-rendered HTML, cached per process and
// checked against a revision in the database, so a page renders once per edit rather than
// once per visit, and an edit made through any process shows on every process.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { getSetting, putSetting } from '../../db/secrets.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { renderHtml } from '../../http/html.js';
import { describePrice, formatMoney, minorPerMajor, type CatalogService, type Price, type Product } from '../catalog/index.js';
import { SalesPage, StorePage, type SiteView, type StoreProductView } from '../../../web/public/site/pages.js';
import type { PriceView } from '../../../web/public/site/blocks.js';
import { pageContentSchema, type Block, type PageContent } from './blocks.js';
import { pages, siteRevision } from './schema.js';

export type Page = typeof pages.$inferSelect;

export interface SiteSettings {
  name: string;
  tagline: string;
}

export interface RenderedPage {
  html: string;
  etag: string;
}

const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_CACHED = 1000;

export class SiteService {
  private cache = new Map<string, RenderedPage>();
  private revision = -1;
  private checkedAt = -Infinity;
  /** after a local edit, re-read the revision on every request for a while (the edit's transaction may still be committing) */
  private recheckUntil = -Infinity;
  private inflight: Promise<number> | null = null;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly catalog: CatalogService,
    private readonly settings: { publicUrl: string; cacheCheckMs: number },
  ) {}

  private get db() {
    return this.database.db;
  }

  // ---- the revision that keeps every process's cache honest ------------------------------

  /** Marks the storefront changed, in the transaction of the change. */
  async touch(tx: Tx): Promise<void> {
    await tx
      .insert(siteRevision)
      .values({ id: 1, revision: 1 })
      .onConflictDoUpdate({ target: siteRevision.id, set: { revision: sql`${siteRevision.revision} + 1` } });
    this.recheckUntil = performance.now() + 5000;
  }

  private async currentRevision(): Promise<number> {
    const now = performance.now();
    if (this.revision >= 0 && now - this.checkedAt < this.settings.cacheCheckMs && now > this.recheckUntil) return this.revision;
    this.inflight ??= (async () => {
      try {
        const [row] = await this.db.select({ revision: siteRevision.revision }).from(siteRevision).where(eq(siteRevision.id, 1));
        return row?.revision ?? 0;
      } finally {
        this.inflight = null;
      }
    })();
    const rev = await this.inflight;
    if (rev !== this.revision) {
      this.cache.clear();
      this.revision = rev;
    }
    this.checkedAt = performance.now();
    return rev;
  }

  private async cached(key: string, build: () => Promise<string | null>): Promise<RenderedPage | null> {
    const rev = await this.currentRevision();
    const hit = this.cache.get(key);
    if (hit) return hit;
    const html = await build();
    if (html === null) return null;
    const page = { html, etag: `"${rev}-${createHash('sha1').update(html).digest('base64url').slice(0, 16)}"` };
    // Only cache while the revision is unchanged: a page built from data older than the
    // revision must not be kept under the newer one.
    if (this.revision === rev) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, page);
    }
    return page;
  }

  // ---- settings ----------------------------------------------------------------------

  async getSettings(): Promise<SiteSettings> {
    const s = await getSetting<Partial<SiteSettings>>(this.db, 'site');
    return { name: s?.name || 'Onehour', tagline: s?.tagline ?? '' };
  }

  async updateSettings(patch: Partial<SiteSettings>, actor: Actor): Promise<SiteSettings> {
    const next = { ...(await this.getSettings()), ...patch };
    if (!next.name.trim()) throw invalid('The store needs a name', { field: 'name' });
    await this.database.transaction(async (tx) => {
      await putSetting(tx as never, 'site', next, this.clock.now());
      await this.events.record(tx, { type: 'site.settings_updated', actor, data: { changed: Object.keys(patch) } });
      await this.touch(tx);
    });
    return next;
  }

  private async siteView(): Promise<SiteView> {
    const s = await this.getSettings();
    return { ...s, publicUrl: this.settings.publicUrl };
  }

  // ---- public pages ----------------------------------------------------------------------

  async renderStore(): Promise<RenderedPage> {
    return (await this.cached('store', async () => {
      const [site, list] = await Promise.all([this.siteView(), this.catalog.listProducts(this.db, { status: 'published' })]);
      const urls = await this.salesUrls(list.map((p) => p.id));
      const products: StoreProductView[] = list.map((p) => ({
        id: p.id,
        name: p.name,
        summary: p.summary,
        kind: p.kind,
        imageUrl: p.imageUrl,
        url: urls.get(p.id) ?? `/p/${p.slug}`,
        priceText: priceSummary(p.prices.filter((x) => x.active)),
      }));
      return renderHtml(StorePage({ site, products }));
    }))!;
  }

  /** A published page, or a published product's default sales page; null when neither exists. */
  async renderPublic(slug: string): Promise<RenderedPage | null> {
    if (!SLUG_RE.test(slug) || slug.length > 80) return null;
    return this.cached(`p:${slug}`, async () => {
      const [page] = await this.db.select().from(pages).where(and(eq(pages.slug, slug), eq(pages.status, 'published'))).limit(1);
      if (page?.published) {
        const product = page.productId ? await this.catalog.getProduct(this.db, page.productId).catch(() => null) : null;
        return this.renderContent(page.published, { product, url: `${this.settings.publicUrl}/p/${slug}` });
      }
      const product = await this.catalog.findProductBySlug(this.db, slug);
      if (!product || product.status !== 'published') return null;
      const [own] = await this.db.select({ slug: pages.slug }).from(pages).where(and(eq(pages.productId, product.id), eq(pages.status, 'published'))).limit(1);
      // The product has its own published page elsewhere: that page is the one to show.
      if (own && own.slug !== slug) return this.renderPublic(own.slug).then((r) => r?.html ?? null);
      return this.renderContent(defaultSalesContent(product), { product, url: `${this.settings.publicUrl}/p/${slug}` });
    });
  }

  private async renderContent(content: PageContent, opts: { product: (Product & { prices: Price[] }) | null; url: string; previewNotice?: string }): Promise<string> {
    const site = await this.siteView();
    const onSale = opts.product && opts.product.status === 'published' ? opts.product.prices.filter((p) => p.active) : [];
    const priceViews: PriceView[] = onSale.map((p) => ({ id: p.id, label: p.label, description: describePrice(p), checkoutUrl: `/checkout/${p.id}` }));
    const image = content.ogImage ?? opts.product?.imageUrl ?? undefined;
    const absoluteImage = image?.startsWith('/') ? `${this.settings.publicUrl}${image}` : image;
    const jsonLd = opts.product
      ? {
          '@context': 'https://schema.org',
          '@type': 'Product',
          name: opts.product.name,
          description: content.description || opts.product.summary,
          ...(absoluteImage ? { image: absoluteImage } : {}),
          offers: onSale.map((p) => ({
            '@type': 'Offer',
            price: (p.amount / minorPerMajor(p.currency)).toFixed(Math.log10(minorPerMajor(p.currency))),
            priceCurrency: p.currency.toUpperCase(),
            url: `${this.settings.publicUrl}/checkout/${p.id}`,
            availability: 'https://schema.org/InStock',
          })),
        }
      : undefined;
    return renderHtml(
      SalesPage({
        site,
        title: content.title,
        description: content.description || opts.product?.summary || '',
        url: opts.url,
        ogImage: absoluteImage,
        blocks: content.blocks,
        productName: opts.product?.name,
        prices: priceViews,
        jsonLd,
        previewNotice: opts.previewNotice,
      }),
    );
  }

  /** Renders unsaved content exactly as visitors would see it (the editor's live preview). */
  async renderPreview(input: unknown, productId?: string | null): Promise<string> {
    const content = pageContentSchema.parse(input);
    const product = productId ? await this.catalog.getProduct(this.db, productId) : null;
    return this.renderContent(content, { product, url: `${this.settings.publicUrl}/p/preview`, previewNotice: 'Preview — visitors do not see this until you publish.' });
  }

  /** Where a product is sold: its published page, else its default page. */
  async salesUrls(productIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!productIds.length) return out;
    const rows = await this.db
      .select({ productId: pages.productId, slug: pages.slug })
      .from(pages)
      .where(and(inArray(pages.productId, productIds), eq(pages.status, 'published')));
    for (const r of rows) if (r.productId) out.set(r.productId, `/p/${r.slug}`);
    return out;
  }

  // ---- page management ----------------------------------------------------------------------

  async listPages(db: DbOrTx): Promise<Page[]> {
    return db.select().from(pages).orderBy(desc(pages.updatedAt));
  }

  async getPage(db: DbOrTx, id: string): Promise<Page> {
    const [row] = await db.select().from(pages).where(eq(pages.id, id)).limit(1);
    if (!row) throw notFound('Page');
    return row;
  }

  async createPage(input: { slug: string; kind: 'sales' | 'landing'; productId?: string | null; content?: unknown }, actor: Actor): Promise<Page> {
    if (!SLUG_RE.test(input.slug) || input.slug.length > 80) throw invalid('The address may use lower-case letters, digits and single dashes', { field: 'slug' });
    if (input.kind === 'sales' && !input.productId) throw invalid('A sales page sells a product: choose one', { field: 'productId' });
    const product = input.productId ? await this.catalog.getProduct(this.db, input.productId) : null;
    const content = input.content !== undefined ? pageContentSchema.parse(input.content) : product ? defaultSalesContent(product) : pageContentSchema.parse({ title: 'New page' });
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const [taken] = await tx.select({ id: pages.id }).from(pages).where(eq(pages.slug, input.slug));
      if (taken) throw conflict(`Another page already uses /p/${input.slug}`, { field: 'slug' });
      if (product) {
        const [other] = await tx.select({ id: pages.id }).from(pages).where(eq(pages.productId, product.id));
        if (other) throw conflict('This product already has a sales page', { field: 'productId', pageId: other.id });
      }
      const [row] = await tx
        .insert(pages)
        .values({ slug: input.slug, kind: input.kind, productId: product?.id ?? null, draft: content, createdAt: now, updatedAt: now })
        .returning();
      await this.events.record(tx, { type: 'page.created', actor, subject: { type: 'page', id: row!.id }, data: { slug: row!.slug, kind: row!.kind, productId: row!.productId } });
      return row!;
    });
  }

  async updatePage(id: string, patch: { slug?: string; draft?: unknown }, actor: Actor): Promise<Page> {
    if (patch.slug !== undefined && (!SLUG_RE.test(patch.slug) || patch.slug.length > 80)) throw invalid('The address may use lower-case letters, digits and single dashes', { field: 'slug' });
    const draft = patch.draft !== undefined ? pageContentSchema.parse(patch.draft) : undefined;
    return this.database.transaction(async (tx) => {
      const [current] = await tx.select().from(pages).where(eq(pages.id, id)).for('update');
      if (!current) throw notFound('Page');
      if (patch.slug && patch.slug !== current.slug) {
        const [taken] = await tx.select({ id: pages.id }).from(pages).where(eq(pages.slug, patch.slug));
        if (taken) throw conflict(`Another page already uses /p/${patch.slug}`, { field: 'slug' });
      }
      const [row] = await tx
        .update(pages)
        .set({ slug: patch.slug ?? current.slug, draft: draft ?? current.draft, updatedAt: this.clock.now() })
        .where(eq(pages.id, id))
        .returning();
      await this.events.record(tx, { type: 'page.updated', actor, subject: { type: 'page', id }, data: { slug: row!.slug } });
      // A new address is visible at once for a published page.
      if (patch.slug && patch.slug !== current.slug && current.status === 'published') await this.touch(tx);
      return row!;
    });
  }

  async publishPage(id: string, actor: Actor): Promise<Page> {
    return this.database.transaction(async (tx) => {
      const [current] = await tx.select().from(pages).where(eq(pages.id, id)).for('update');
      if (!current) throw notFound('Page');
      const [row] = await tx
        .update(pages)
        .set({ published: current.draft, status: 'published', version: current.version + 1, publishedAt: this.clock.now(), updatedAt: this.clock.now() })
        .where(eq(pages.id, id))
        .returning();
      await this.events.record(tx, { type: 'page.published', actor, subject: { type: 'page', id }, data: { slug: row!.slug, version: row!.version } });
      await this.touch(tx);
      return row!;
    });
  }

  async unpublishPage(id: string, actor: Actor): Promise<Page> {
    return this.database.transaction(async (tx) => {
      const [row] = await tx.update(pages).set({ status: 'draft', updatedAt: this.clock.now() }).where(eq(pages.id, id)).returning();
      if (!row) throw notFound('Page');
      await this.events.record(tx, { type: 'page.unpublished', actor, subject: { type: 'page', id }, data: { slug: row.slug } });
      await this.touch(tx);
      return row;
    });
  }

  async deletePage(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const [row] = await tx.delete(pages).where(eq(pages.id, id)).returning();
      if (!row) throw notFound('Page');
      await this.events.record(tx, { type: 'page.deleted', actor, subject: { type: 'page', id }, data: { slug: row.slug } });
      await this.touch(tx);
    });
  }

  async pageForProduct(db: DbOrTx, productId: string): Promise<Page | null> {
    const [row] = await db.select().from(pages).where(eq(pages.productId, productId)).orderBy(asc(pages.createdAt)).limit(1);
    return row ?? null;
  }
}

/** What a product's page says before anyone writes one: its name, summary and prices. */
export function defaultSalesContent(product: Pick<Product, 'name' | 'summary' | 'imageUrl'>): PageContent {
  const blocks: Block[] = [
    { id: 'hero', type: 'hero', heading: product.name, subheading: product.summary, ctaLabel: 'Get it now', ...(product.imageUrl ? { imageUrl: product.imageUrl } : {}) },
    { id: 'pricing', type: 'pricing', heading: '', priceIds: [], ctaLabel: '' },
  ];
  return { title: product.name, description: product.summary, blocks };
}

function priceSummary(active: Price[]): string {
  if (active.length === 0) return 'Not on sale';
  if (active.length === 1) return describePrice(active[0]!);
  const currency = active[0]!.currency;
  if (active.every((p) => p.currency === currency)) {
    const min = Math.min(...active.map((p) => p.amount));
    return `From ${formatMoney(min, currency)}`;
  }
  return describePrice(active[0]!);
}
