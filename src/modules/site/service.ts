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
import { renderHtml } from '../../../web/public/render.js';
import { describePrice, formatMoney, type CatalogService, type Price, type Product } from '../catalog/index.js';
import type { Form } from '../audience/index.js';
import type { PublicBrand } from '../brand/index.js';
import { SalesPage, StorePage, type SiteView, type StoreProductView } from '../../../web/public/site/pages.js';
import type { PriceView } from '../../../web/public/site/blocks.js';
import { toPublicForm, type PublicForm } from '../../../web/public/audience/pages.js';
import { legacyFormSlug, pageContentSchema, type Block, type PageContent } from './blocks.js';
import { pages, siteRevision } from './schema.js';
import type { FormChoice, SiteSettings } from './contract.js';
import { salesPageJsonLd } from './structured-data.js';

export type Page = typeof pages.$inferSelect;
/** The store's name and tagline; a form the editor's picker offers (their shapes are the API's: contract.ts). */
export type { FormChoice, SiteSettings };

export interface RenderedPage {
  html: string;
  etag: string;
  /** the page embeds a form: fill the visitor's form token in with `withFormToken` before sending */
  hasForms: boolean;
  /** the HTML encoded once, cut at the form-token slots (filled per visit by `pageBytes`) */
  parts?: Buffer[];
}

/** Where pages find the forms their opt-in blocks embed (the audience module's forms). */
export interface SiteForms {
  /** every form, archived ones too */
  all(): Promise<Form[]>;
}

/**
 * Stands in the cached HTML where each visitor's own form token goes. A form token is tied to
 * the visitor's cookie, so it cannot be cached with the page; the route swaps it in per request.
 */
const FORM_TOKEN_SLOT = 'oh-form-token-slot-7f3a9c';

/** The page with the visitor's form token in every embedded form; its ETag names the token too. */
export function withFormToken(page: RenderedPage, token: string): RenderedPage {
  if (!page.hasForms) return page;
  const html = page.html.split(FORM_TOKEN_SLOT).join(escapeToken(token));
  return { html, etag: formTokenEtag(page, token), hasForms: true };
}

const escapeToken = (token: string) => token.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The ETag of `page` filled with `token`: the token's signature ends it (fixed per form cookie, no hashing per visit). */
export function formTokenEtag(page: RenderedPage, token: string | null): string {
  return token && page.hasForms ? `${page.etag.slice(0, -1)}-${token.slice(-12)}"` : page.etag;
}

/**
 * The bytes a visit sends, the same as `withFormToken(page, token).html`: the cached page is
 * encoded once and cut at the token's slots, so a visit joins a few buffers instead of
 * splitting and re-encoding the whole page.
 */
export function pageBytes(page: RenderedPage, token: string | null): Buffer {
  const parts = (page.parts ??= page.hasForms ? page.html.split(FORM_TOKEN_SLOT).map((p) => Buffer.from(p)) : [Buffer.from(page.html)]);
  if (!token || parts.length === 1) return parts[0]!;
  const filled = Buffer.from(escapeToken(token));
  const chunks: Buffer[] = [];
  parts.forEach((p, i) => (i ? chunks.push(filled, p) : chunks.push(p)));
  return Buffer.concat(chunks);
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
  private building = new Map<string, Promise<RenderedPage | null>>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly catalog: CatalogService,
    private readonly settings: { publicUrl: string; cacheCheckMs: number },
    private readonly forms: SiteForms,
    /** the business's identity (brand module): name, colours, theme of every page */
    private readonly brand: { current(): Promise<PublicBrand> },
  ) {}

  private get db() {
    return this.database.db;
  }

  // ---- the revision that keeps every process's cache honest ------------------------------

  /** Marks the storefront changed, in the transaction of the change. */
  async touchInTx(tx: Tx): Promise<void> {
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

  private async cached(pageKey: string, build: () => Promise<string | null>): Promise<RenderedPage | null> {
    const rev = await this.currentRevision();
    // The brand's version is part of the key: a process whose brand cache is a moment older
    // than the revision never keeps a page in the old colours under the new revision.
    const key = `${(await this.brand.current()).version}:${pageKey}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    // One render per page and revision however many visitors miss at once (a page just shared,
    // the cache just cleared): otherwise each renders it, and on PGlite's one connection their
    // queries queue until requests time out.
    const flight = `${rev}:${key}`;
    let pending = this.building.get(flight);
    if (!pending) {
      pending = this.render(key, rev, build).finally(() => this.building.delete(flight));
      this.building.set(flight, pending);
    }
    return pending;
  }

  private async render(key: string, rev: number, build: () => Promise<string | null>): Promise<RenderedPage | null> {
    const html = await build();
    if (html === null) return null;
    const page = { html, etag: `"${rev}-${createHash('sha1').update(html).digest('base64url').slice(0, 16)}"`, hasForms: html.includes(FORM_TOKEN_SLOT) };
    // Only cache while the revision is unchanged: a page built from data older than the
    // revision must not be kept under the newer one.
    if (this.revision === rev) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, page);
    }
    return page;
  }

  // ---- settings ----------------------------------------------------------------------

  /** Inside a transaction pass it (on PGlite a read outside an open transaction waits for it). */
  async getSettings(db: DbOrTx = this.db): Promise<SiteSettings> {
    const s = await getSetting<Partial<SiteSettings>>(db as never, 'site');
    return { name: s?.name || 'Onehour', tagline: s?.tagline ?? '' };
  }

  async updateSettings(patch: Partial<SiteSettings>, actor: Actor): Promise<SiteSettings> {
    const next = { ...(await this.getSettings()), ...patch };
    if (!next.name.trim()) throw invalid('The store needs a name', { field: 'name' });
    await this.database.transaction(async (tx) => {
      await putSetting(tx as never, 'site', next, this.clock.now());
      await this.events.recordInTx(tx, { type: 'site.settings_updated', actor, data: { changed: Object.keys(patch) } });
      await this.touchInTx(tx);
    });
    return next;
  }

  private async siteView(): Promise<SiteView> {
    const [s, brand] = await Promise.all([this.getSettings(), this.brand.current()]);
    return { name: brand.name, tagline: brand.tagline || s.tagline, publicUrl: this.settings.publicUrl, brand };
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
      return renderHtml(StorePage({ site, products }), site.brand);
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

  private async renderContent(stored: PageContent, opts: { product: (Product & { prices: Price[] }) | null; url: string; previewNotice?: string }): Promise<string> {
    const site = await this.siteView();
    const { content, forms } = await this.withForms(stored);
    const onSale = opts.product && opts.product.status === 'published' ? opts.product.prices.filter((p) => p.active) : [];
    const priceViews: PriceView[] = onSale.map((p) => ({ id: p.id, label: p.label, description: describePrice(p), checkoutUrl: `/checkout/${p.id}` }));
    const image = content.ogImage ?? opts.product?.imageUrl ?? undefined;
    const absoluteImage = image?.startsWith('/') ? `${this.settings.publicUrl}${image}` : image;
    const logoPath = site.brand?.logoUrl;
    const logo = logoPath ? (logoPath.startsWith('/') ? `${this.settings.publicUrl}${logoPath}` : logoPath) : undefined;
    const jsonLd = opts.product
      ? salesPageJsonLd(opts.product, { url: opts.url, description: content.description || opts.product.summary, image: absoluteImage, site: { name: site.name, publicUrl: this.settings.publicUrl, logoUrl: logo } })
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
        forms,
        // The preview frame is not a visitor's page: its forms carry no token.
        formToken: opts.previewNotice ? '' : FORM_TOKEN_SLOT,
        jsonLd,
        previewNotice: opts.previewNotice,
      }),
      site.brand,
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

  /** Every page, with typed form paths mapped to forms and what the owner should fix on each. */
  async listPages(db: DbOrTx): Promise<PageWithWarnings[]> {
    const rows = await db.select().from(pages).orderBy(desc(pages.updatedAt));
    const all = await this.forms.all();
    return rows.map((row) => this.withWarnings(row, all));
  }

  async getPage(db: DbOrTx, id: string): Promise<PageWithWarnings> {
    const [row] = await db.select().from(pages).where(eq(pages.id, id)).limit(1);
    if (!row) throw notFound('Page');
    return this.withWarnings(row, await this.forms.all());
  }

  /** The forms the editor's picker offers: live ones first, archived ones marked. */
  async formChoices(): Promise<FormChoice[]> {
    const all = await this.forms.all();
    return all
      .map((f) => ({ id: f.id, name: f.name, title: f.title, slug: f.slug, url: `/f/${f.slug}`, archived: f.archivedAt !== null }))
      .sort((a, b) => Number(a.archived) - Number(b.archived));
  }

  private withWarnings(row: Page, all: Form[]): PageWithWarnings {
    const draft = upgradeContent(row.draft, all);
    const published = row.published ? upgradeContent(row.published, all) : null;
    const warnings = new Set(formWarnings(draft, all));
    if (published && row.status === 'published') for (const w of formWarnings(published, all)) warnings.add(w);
    return { ...row, draft, published, warnings: [...warnings] };
  }

  /** The content with typed form paths mapped to forms, and the live forms its blocks embed. */
  private async withForms(content: PageContent): Promise<{ content: PageContent; forms: Record<string, PublicForm> }> {
    if (!content.blocks.some((b) => b.type === 'optin')) return { content, forms: {} };
    const all = await this.forms.all();
    const upgraded = upgradeContent(content, all);
    const forms: Record<string, PublicForm> = {};
    for (const f of all) if (!f.archivedAt) forms[f.id] = toPublicForm(f);
    return { content: upgraded, forms };
  }

  async createPage(input: { slug: string; kind: 'sales' | 'landing'; productId?: string | null; content?: unknown }, actor: Actor): Promise<PageWithWarnings> {
    if (!SLUG_RE.test(input.slug) || input.slug.length > 80) throw invalid('The address may use lower-case letters, digits and single dashes', { field: 'slug' });
    if (input.kind === 'sales' && !input.productId) throw invalid('A sales page sells a product: choose one', { field: 'productId' });
    const product = input.productId ? await this.catalog.getProduct(this.db, input.productId) : null;
    const content = input.content !== undefined ? pageContentSchema.parse(input.content) : product ? defaultSalesContent(product) : pageContentSchema.parse({ title: 'New page' });
    const now = this.clock.now();
    const saved = await this.database.transaction(async (tx) => {
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
      await this.events.recordInTx(tx, { type: 'page.created', actor, subject: { type: 'page', id: row!.id }, data: { slug: row!.slug, kind: row!.kind, productId: row!.productId } });
      return row!;
    });
    return this.withWarnings(saved, await this.forms.all());
  }

  async updatePage(id: string, patch: { slug?: string; draft?: unknown }, actor: Actor): Promise<PageWithWarnings> {
    if (patch.slug !== undefined && (!SLUG_RE.test(patch.slug) || patch.slug.length > 80)) throw invalid('The address may use lower-case letters, digits and single dashes', { field: 'slug' });
    const draft = patch.draft !== undefined ? pageContentSchema.parse(patch.draft) : undefined;
    const saved = await this.database.transaction(async (tx) => {
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
      await this.events.recordInTx(tx, { type: 'page.updated', actor, subject: { type: 'page', id }, data: { slug: row!.slug } });
      // A new address is visible at once for a published page.
      if (patch.slug && patch.slug !== current.slug && current.status === 'published') await this.touchInTx(tx);
      return row!;
    });
    return this.withWarnings(saved, await this.forms.all());
  }

  async publishPage(id: string, actor: Actor): Promise<PageWithWarnings> {
    const saved = await this.database.transaction(async (tx) => {
      const [current] = await tx.select().from(pages).where(eq(pages.id, id)).for('update');
      if (!current) throw notFound('Page');
      const [row] = await tx
        .update(pages)
        .set({ published: current.draft, status: 'published', version: current.version + 1, publishedAt: this.clock.now(), updatedAt: this.clock.now() })
        .where(eq(pages.id, id))
        .returning();
      await this.events.recordInTx(tx, { type: 'page.published', actor, subject: { type: 'page', id }, data: { slug: row!.slug, version: row!.version } });
      await this.touchInTx(tx);
      return row!;
    });
    return this.withWarnings(saved, await this.forms.all());
  }

  async unpublishPage(id: string, actor: Actor): Promise<PageWithWarnings> {
    const saved = await this.database.transaction(async (tx) => {
      const [row] = await tx.update(pages).set({ status: 'draft', updatedAt: this.clock.now() }).where(eq(pages.id, id)).returning();
      if (!row) throw notFound('Page');
      await this.events.recordInTx(tx, { type: 'page.unpublished', actor, subject: { type: 'page', id }, data: { slug: row.slug } });
      await this.touchInTx(tx);
      return row;
    });
    return this.withWarnings(saved, await this.forms.all());
  }

  async deletePage(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const [row] = await tx.delete(pages).where(eq(pages.id, id)).returning();
      if (!row) throw notFound('Page');
      await this.events.recordInTx(tx, { type: 'page.deleted', actor, subject: { type: 'page', id }, data: { slug: row.slug } });
      await this.touchInTx(tx);
    });
  }

  async pageForProduct(db: DbOrTx, productId: string): Promise<Page | null> {
    const [row] = await db.select().from(pages).where(eq(pages.productId, productId)).orderBy(asc(pages.createdAt)).limit(1);
    return row ?? null;
  }
}

export type PageWithWarnings = Page & {
  /** problems visitors would notice, for the editor and the page list (a deleted or archived form) */
  warnings: string[];
};

/**
 * Lazy upgrade of opt-in blocks saved before forms could be chosen: a typed path to a form's
 * page (/forms/<slug> or /f/<slug>) becomes that form's id. The page is stored with the id the
 * next time it is saved; until then every read maps it again.
 */
export function upgradeContent(content: PageContent, all: Pick<Form, 'id' | 'slug'>[]): PageContent {
  if (!content.blocks.some((b) => b.type === 'optin' && !b.formId && b.action)) return content;
  const bySlug = new Map(all.map((f) => [f.slug, f.id]));
  return {
    ...content,
    blocks: content.blocks.map((b) => {
      if (b.type !== 'optin' || b.formId || !b.action) return b;
      const slug = legacyFormSlug(b.action);
      const formId = slug ? bySlug.get(slug) : undefined;
      if (!formId) return b;
      const { action: _legacy, ...rest } = b;
      return { ...rest, formId };
    }),
  };
}

/** What the owner should fix: opt-in blocks whose form is missing, deleted or archived. */
export function formWarnings(content: PageContent, all: Pick<Form, 'id' | 'name' | 'archivedAt'>[]): string[] {
  const byId = new Map(all.map((f) => [f.id, f]));
  const out: string[] = [];
  for (const b of content.blocks) {
    if (b.type !== 'optin') continue;
    const form = b.formId ? byId.get(b.formId) : undefined;
    if (!b.formId) out.push(`The opt-in block “${b.heading}” has no form: choose one, or visitors see “This sign-up form is no longer available”.`);
    else if (!form) out.push(`The form of the opt-in block “${b.heading}” was deleted: choose another, or visitors see “This sign-up form is no longer available”.`);
    else if (form.archivedAt) out.push(`The form “${form.name}” of the opt-in block “${b.heading}” is archived: choose another or restore it, or visitors see “This sign-up form is no longer available”.`);
  }
  return out;
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
