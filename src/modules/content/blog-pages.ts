// The blog as visitors and crawlers see it: index and tag pages, posts, the sitemaps, feeds,
// robots.txt, social cards and the 404 that suggests posts. Rendered once per change and cached
// per process like the sales pages (the site module's scheme): each render is keyed by the
// blog's revision (bumped in the transaction of every visible change, including product, form
// and brand changes, see src/app.ts) and the brand's version, so an edit made through any
// process shows on all of them, and a visit costs one cache lookup.
//
// Members-only posts: the cached variants are "teaser" and "full"; which one a visitor gets is
// decided per request from the access module's grants. Feeds, sitemaps, JSON-LD and the teaser
// page never carry the body of a post that is not for everyone.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { renderHtml } from '../../../web/public/render.js';
import { BlogIndexPage, BlogNotFoundPage, PostPage, type BlogFrame, type PostCardView, type ProductCardView } from '../../../web/public/content/pages.js';
import { toPublicForm, type PublicForm } from '../../../web/public/audience/pages.js';
import type { Form } from '../audience/index.js';
import type { PublicBrand } from '../brand/index.js';
import { describePrice, formatMoney, type CatalogService, type Price } from '../catalog/index.js';
import { grantsView } from '../access/index.js';
import { atom, robotsTxt, rss, sitemapIndex, socialCardSvg, urlset, type FeedEntry, type SitemapUrl } from './feeds.js';
import { plainText, readingMinutes, type PostContent } from './post-content.js';
import { posts } from './schema.js';
import type { SvgRasteriser } from './social-card-png.js';
import type { ContentService } from './service.js';

export interface CachedDoc {
  body: string | Buffer;
  etag: string;
  type: string;
  /** the page embeds a form: the visitor's form token goes in before sending (`withBlogFormToken`) */
  hasForms: boolean;
  /** the body as sent, encoded once (a page with forms: cut at the form-token slot) */
  bytes?: Buffer;
  parts?: Buffer[];
}

export interface PublicPost {
  /** the page every visitor who may not read it all gets */
  teaser: CachedDoc;
  /** the whole post: for everyone, or for those `mayRead` allows */
  full: CachedDoc;
  gated: boolean;
  productIds: string[];
  audience: 'everyone' | 'customers' | 'products';
}

export interface BlogPagesDeps {
  database: Database;
  content: ContentService;
  catalog: CatalogService;
  brand: { current(): Promise<PublicBrand> };
  forms: { all(): Promise<Form[]> };
  /** team members' display names, by id (authors) */
  people(): Promise<Map<string, string>>;
  /** the rest of the site's public pages (sales and landing pages, products' default pages), for the sitemap */
  sitePages(): Promise<{ path: string; lastmod: Date | null; type: 'pages' | 'products' }[]>;
  settings: { publicUrl: string; cacheCheckMs: number };
  /** rasterises the social card to PNG (social networks show no SVG); without it cards stay SVG */
  rasteriser?: SvgRasteriser | null;
}

const FORM_TOKEN_SLOT = 'oh-blog-form-token-slot-2c81e4';
const MAX_CACHED = 2000;

/**
 * The page as one visitor gets it: their form token in every form. The cached page is cut at the
 * token's slots and encoded once; a visit joins the parts (no re-encoding of the whole page). The
 * token is fixed per form cookie, so a returning visitor's ETag matches and earns a 304.
 */
export function withBlogFormToken(doc: CachedDoc, token: string): CachedDoc {
  if (!doc.hasForms || typeof doc.body !== 'string') return doc;
  const etag = formTokenEtag(doc, token);
  const parts = (doc.parts ??= doc.body.split(FORM_TOKEN_SLOT).map((p) => Buffer.from(p)));
  const filled = Buffer.from(token.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`));
  const chunks: Buffer[] = [];
  parts.forEach((p, i) => (i ? chunks.push(filled, p) : chunks.push(p)));
  return { ...doc, body: Buffer.concat(chunks), etag, parts: undefined, bytes: undefined };
}

/** The ETag of `doc` filled with `token`: the token's signature ends it (no hashing per visit). */
export function formTokenEtag(doc: CachedDoc, token: string): string {
  return `${doc.etag.slice(0, -1)}-${token.slice(-12)}"`;
}

/** The bytes to send: encoded once per cached document. */
export function docBytes(doc: CachedDoc): Buffer {
  if (Buffer.isBuffer(doc.body)) return doc.body;
  return (doc.bytes ??= Buffer.from(doc.body));
}

const dateText = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function priceSummary(active: Price[]): string {
  if (active.length === 0) return 'Not on sale';
  if (active.length === 1) return describePrice(active[0]!);
  const currency = active[0]!.currency;
  if (active.every((p) => p.currency === currency)) return `From ${formatMoney(Math.min(...active.map((p) => p.amount)), currency)}`;
  return describePrice(active[0]!);
}

type PublishedRow = { id: string; slug: string; published: PostContent; publishedAt: Date; updatedAt: Date; authorId: string | null; audience: string };

export class BlogPages {
  private cache = new Map<string, CachedDoc | PublicPost | null>();
  private revision = -1;
  private checkedAt = -Infinity;
  private inflight: Promise<number> | null = null;
  private building = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: BlogPagesDeps) {}

  private get db() {
    return this.deps.database.db;
  }
  private get url() {
    return this.deps.settings.publicUrl;
  }

  private async currentRevision(): Promise<number> {
    const now = performance.now();
    if (this.revision >= 0 && now - this.checkedAt < this.deps.settings.cacheCheckMs && now > this.deps.content.recheckUntil) return this.revision;
    this.inflight ??= this.deps.content.revision().finally(() => {
      this.inflight = null;
    });
    const rev = await this.inflight;
    if (rev !== this.revision) {
      this.cache.clear();
      this.revision = rev;
    }
    this.checkedAt = performance.now();
    return rev;
  }

  private async cached<T extends CachedDoc | PublicPost | null>(pageKey: string, build: (rev: number) => Promise<T>): Promise<T> {
    const rev = await this.currentRevision();
    const key = `${(await this.deps.brand.current()).version}:${pageKey}`;
    if (this.cache.has(key)) return this.cache.get(key) as T;
    // One render per page and revision, however many visitors miss at once: a hundred concurrent
    // first visits (a post shared, the cache just cleared) would otherwise each render it, and on
    // PGlite's one connection their queries queue up until requests time out.
    const flight = `${rev}:${key}`;
    let pending = this.building.get(flight) as Promise<T> | undefined;
    if (!pending) {
      pending = build(rev).finally(() => this.building.delete(flight));
      this.building.set(flight, pending);
    }
    const value = await pending;
    // Only cache while the revision is unchanged: a render from data older than it must not stay.
    if (this.revision === rev) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, value);
    }
    return value;
  }

  private doc(body: string | Buffer, rev: number, type = 'text/html; charset=utf-8'): CachedDoc {
    return { body, type, etag: `"b${rev}-${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`, hasForms: typeof body === 'string' && body.includes(FORM_TOKEN_SLOT) };
  }

  private async frame(): Promise<BlogFrame & { brand: PublicBrand }> {
    const [brand, s] = await Promise.all([this.deps.brand.current(), this.deps.content.getSettings()]);
    return { siteName: brand.name, publicUrl: this.url, blogTitle: s.title, blogDescription: s.description, brand };
  }

  // ---- queries -------------------------------------------------------------------------------

  private async published(q: { tag?: string; limit?: number; offset?: number } = {}): Promise<PublishedRow[]> {
    const rows = await this.db
      .select({ id: posts.id, slug: posts.slug, published: posts.published, publishedAt: posts.publishedAt, updatedAt: posts.updatedAt, authorId: posts.authorId, audience: posts.audience })
      .from(posts)
      .where(and(eq(posts.status, 'published'), q.tag ? sql`${q.tag} = any(${posts.tags})` : undefined))
      .orderBy(desc(posts.featured), desc(posts.publishedAt))
      .limit(q.limit ?? 10_000)
      .offset(q.offset ?? 0);
    return rows as PublishedRow[];
  }

  private async count(tag?: string): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(posts)
      .where(and(eq(posts.status, 'published'), tag ? sql`${tag} = any(${posts.tags})` : undefined));
    return Number(row?.n ?? 0);
  }

  private card(r: PublishedRow): PostCardView {
    const c = r.published;
    return {
      title: c.title,
      url: `/blog/${r.slug}`,
      excerpt: c.excerpt || (c.access.audience === 'everyone' ? plainText(c.html).slice(0, 200) : c.teaser.slice(0, 200)),
      date: dateText(r.publishedAt),
      dateIso: r.publishedAt.toISOString(),
      readingMinutes: readingMinutes(c.html),
      tags: c.tags,
      featured: c.featured,
      membersOnly: c.access.audience !== 'everyone',
      cover: c.cover,
    };
  }

  // ---- pages ---------------------------------------------------------------------------------

  async renderIndex(page: number, tag?: string): Promise<CachedDoc | null> {
    if (tag !== undefined && (!/^[^\s/\u0000]{1,40}$/.test(tag) || tag !== tag.toLowerCase())) return null;
    if (!Number.isInteger(page) || page < 1 || page > 10_000) return null;
    return this.cached(`index:${tag ?? ''}:${page}`, async (rev) => {
      const [frame, settings] = await Promise.all([this.frame(), this.deps.content.getSettings()]);
      const per = settings.postsPerPage;
      const [total, rows, allTags] = await Promise.all([this.count(tag), this.published({ tag, limit: per, offset: (page - 1) * per }), this.tags()]);
      const pages = Math.max(1, Math.ceil(total / per));
      if (page > pages || (tag && total === 0)) return null;
      return this.doc(renderHtml(BlogIndexPage({ frame, posts: rows.map((r) => this.card(r)), tag, page, pages, tags: allTags }), frame.brand), rev);
    });
  }

  private async tags(): Promise<string[]> {
    const res = await this.db.execute(sql`select distinct unnest(${posts.tags}) as tag from ${posts} where ${posts.status} = 'published' order by 1`);
    return rowsOf<{ tag: string }>(res).map((r) => r.tag);
  }

  /** A published post (both variants), or null. */
  async post(slug: string): Promise<PublicPost | null> {
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug) || slug.length > 80) return null;
    return this.cached(`post:${slug}`, async (rev) => {
      const [row] = await this.db.select().from(posts).where(and(eq(posts.slug, slug), eq(posts.status, 'published'))).limit(1);
      if (!row?.published || !row.publishedAt) return null;
      const c = row.published;
      const gated = c.access.audience !== 'everyone';
      const full = this.doc(await this.renderPost(c, { slug, publishedAt: row.publishedAt, updatedAt: row.updatedAt, authorId: row.authorId, full: true }), rev);
      const teaser = gated ? this.doc(await this.renderPost(c, { slug, publishedAt: row.publishedAt, updatedAt: row.updatedAt, authorId: row.authorId, full: false }), rev) : full;
      return { full, teaser, gated, productIds: c.access.productIds, audience: c.access.audience };
    });
  }

  /** Whether this customer may read a gated post (the access module's grants view), at `now`. */
  async mayRead(post: PublicPost, contactId: string | null, now: Date): Promise<boolean> {
    if (!post.gated) return true;
    if (!contactId) return false;
    const products = post.audience === 'products' ? sql`and g.resource_type = 'product' and g.resource_id in (${sql.join(post.productIds.map((p) => sql`${p}::uuid`), sql`, `)})` : sql``;
    const res = await this.db.execute(sql`select 1 as ok from ${grantsView} g
       where g.contact_id = ${contactId} and g.revoked_at is null and (g.expires_at is null or g.expires_at > ${now}::timestamptz) ${products} limit 1`);
    return rowsOf(res).length > 0;
  }

  /** Unsaved or unpublished content as visitors would see it (the editor's preview). */
  async preview(content: PostContent, slug: string): Promise<string> {
    const now = new Date();
    return this.renderPost(content, { slug, publishedAt: now, updatedAt: now, authorId: content.authorId, full: true, previewNotice: 'Preview — visitors do not see this until it is published.' });
  }

  private async renderPost(c: PostContent, o: { slug: string; publishedAt: Date; updatedAt: Date; authorId: string | null; full: boolean; previewNotice?: string }): Promise<string> {
    const frame = await this.frame();
    const url = `${this.url}/blog/${o.slug}`;
    const [names, forms, products] = await Promise.all([this.deps.people(), this.formsFor(c), this.productsFor(c)]);
    const authorName = (o.authorId && names.get(o.authorId)) || frame.siteName;
    const description = c.seo.description || c.excerpt || (c.access.audience === 'everyone' ? plainText(c.html).slice(0, 160) : c.teaser.slice(0, 160));
    const abs = (u: string) => (u.startsWith('/') ? `${this.url}${u}` : u);
    const image = abs(c.seo.ogImage || c.cover?.url || `/blog/${o.slug}/card.${this.deps.rasteriser ? 'png' : 'svg'}`);
    const gateProduct = c.access.audience === 'products' ? products[c.access.productIds[0]!] : undefined;
    const gate =
      c.access.audience === 'everyone'
        ? null
        : {
            text: c.access.audience === 'customers' ? 'The rest of this post is for our customers.' : `The rest of this post is for customers of ${c.access.productIds.map((p) => products[p]?.name).filter(Boolean).join(' or ') || 'our products'}.`,
            buyUrl: gateProduct?.url ?? null,
          };
    const logo = frame.brand.logoUrl ? abs(frame.brand.logoUrl) : undefined;
    const organization = { '@type': 'Organization', '@id': `${this.url}/#organization`, name: frame.siteName, url: `${this.url}/`, ...(logo ? { logo: { '@type': 'ImageObject', url: logo } } : {}) };
    const article = {
      '@type': 'BlogPosting',
      '@id': `${url}#article`,
      headline: c.title.slice(0, 110),
      description,
      image: [image],
      datePublished: o.publishedAt.toISOString(),
      dateModified: o.updatedAt.toISOString(),
      author: { '@type': 'Person', name: authorName },
      publisher: { '@id': `${this.url}/#organization` },
      mainEntityOfPage: { '@type': 'WebPage', '@id': url },
      ...(c.tags.length ? { keywords: c.tags.join(', ') } : {}),
      wordCount: plainText(c.html).split(' ').filter(Boolean).length,
      // Google's paywalled-content markup: the body is not free, and the part that is gated is named.
      ...(c.access.audience !== 'everyone' ? { isAccessibleForFree: false, hasPart: { '@type': 'WebPageElement', isAccessibleForFree: false, cssSelector: '.post-body' } } : {}),
    };
    const breadcrumbs = {
      '@type': 'BreadcrumbList',
      itemListElement: [
        { '@type': 'ListItem', position: 1, name: frame.siteName, item: `${this.url}/` },
        { '@type': 'ListItem', position: 2, name: frame.blogTitle, item: `${this.url}/blog` },
        { '@type': 'ListItem', position: 3, name: c.title, item: url },
      ],
    };
    return renderHtml(
      PostPage({
        frame,
        title: c.title,
        seoTitle: c.seo.title || c.title,
        description,
        url,
        canonical: c.seo.canonicalUrl || url,
        image,
        imageAlt: c.seo.ogImage || c.cover ? (c.cover?.alt ?? c.title) : c.title,
        authorName,
        publishedIso: o.publishedAt.toISOString(),
        modifiedIso: o.updatedAt.toISOString(),
        dateText: dateText(o.publishedAt),
        readingMinutes: readingMinutes(c.html),
        tags: c.tags,
        cover: c.cover,
        html: o.full ? c.html : null,
        teaser: c.teaser || c.excerpt,
        gate,
        blocks: c.blocks,
        forms,
        products,
        formToken: o.previewNotice ? '' : FORM_TOKEN_SLOT,
        jsonLd: { '@context': 'https://schema.org', '@graph': [article, breadcrumbs, organization] },
        previewNotice: o.previewNotice,
      }),
      frame.brand,
    );
  }

  private async formsFor(c: PostContent): Promise<Record<string, PublicForm>> {
    if (!c.blocks.some((b) => b.type === 'optin' || b.type === 'leadMagnet')) return {};
    const out: Record<string, PublicForm> = {};
    for (const f of await this.deps.forms.all()) if (!f.archivedAt) out[f.id] = toPublicForm(f);
    return out;
  }

  private async productsFor(c: PostContent): Promise<Record<string, ProductCardView>> {
    const ids = new Set([...c.blocks.flatMap((b) => (b.type === 'product' ? [b.productId] : [])), ...c.access.productIds]);
    if (!ids.size) return {};
    const priceOf = new Map(c.blocks.flatMap((b) => (b.type === 'product' && b.priceId ? [[b.productId, b.priceId] as const] : [])));
    const out: Record<string, ProductCardView> = {};
    for (const p of await this.deps.catalog.listProducts(this.db, { status: 'published' })) {
      if (!ids.has(p.id)) continue;
      const active = p.prices.filter((x) => x.active);
      const chosen = active.find((x) => x.id === priceOf.get(p.id)) ?? (active.length === 1 ? active[0] : undefined);
      out[p.id] = { name: p.name, summary: p.summary, imageUrl: p.imageUrl, priceText: chosen ? describePrice(chosen) : priceSummary(active), buyUrl: chosen ? `/checkout/${chosen.id}` : null, url: `/p/${p.slug}` };
    }
    return out;
  }

  // ---- feeds and sitemaps ------------------------------------------------------------------

  async feed(kind: 'rss' | 'atom', tag?: string): Promise<CachedDoc | null> {
    if (tag !== undefined && !/^[^\s/\u0000]{1,40}$/.test(tag)) return null;
    return this.cached(`feed:${kind}:${tag ?? ''}`, async (rev) => {
      const [frame, rows, names] = await Promise.all([this.frame(), this.published({ tag, limit: 50 }), this.deps.people()]);
      if (tag && rows.length === 0) return null;
      rows.sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime());
      const base = tag ? `${this.url}/blog/tag/${encodeURIComponent(tag)}` : this.url;
      const entries: FeedEntry[] = rows.map((r) => {
        const c = r.published;
        const open = c.access.audience === 'everyone';
        return {
          id: r.id,
          title: c.title,
          url: `${this.url}/blog/${r.slug}`,
          // A members-only post's feed entry is its teaser: the body stays behind the gate.
          summary: open ? c.excerpt || plainText(c.html).slice(0, 300) : c.teaser || c.excerpt,
          html: open ? absolutise(c.html, this.url) : undefined,
          author: (r.authorId && names.get(r.authorId)) || frame.siteName,
          tags: c.tags,
          published: r.publishedAt,
          updated: r.updatedAt,
        };
      });
      const info = {
        title: tag ? `${frame.blogTitle} · ${tag} · ${frame.siteName}` : `${frame.blogTitle} · ${frame.siteName}`,
        description: frame.blogDescription,
        link: tag ? `${this.url}/blog/tag/${encodeURIComponent(tag)}` : `${this.url}/blog`,
        self: `${base}/${kind === 'rss' ? 'feed' : 'atom'}.xml`,
        updated: rows.reduce((m, r) => (r.updatedAt > m ? r.updatedAt : m), new Date(0)),
      };
      return this.doc(kind === 'rss' ? rss(info, entries) : atom(info, entries), rev, kind === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8');
    });
  }

  /** `/sitemap.xml` (the index) or one of its per-type sitemaps: posts, tags, pages, products. */
  async sitemap(which: 'index' | 'posts' | 'tags' | 'pages' | 'products'): Promise<CachedDoc> {
    return this.cached(`sitemap:${which}`, async (rev) => {
      // Members-only posts stay out of search: not in the sitemap, and their teaser page says noindex.
      const rows = (await this.published()).filter((r) => r.published.access.audience === 'everyone');
      const site = await this.deps.sitePages();
      const latest = (ds: (Date | null)[]) => ds.reduce<Date | null>((m, d) => (d && (!m || d > m) ? d : m), null);
      const postUrls: SitemapUrl[] = [{ loc: `${this.url}/blog`, lastmod: latest(rows.map((r) => r.updatedAt)) ?? undefined }, ...rows.map((r) => ({ loc: `${this.url}/blog/${r.slug}`, lastmod: r.updatedAt }))];
      const tagLast = new Map<string, Date>();
      for (const r of rows) for (const t of r.published.tags) if (!tagLast.has(t) || tagLast.get(t)! < r.updatedAt) tagLast.set(t, r.updatedAt);
      const tagUrls: SitemapUrl[] = [...tagLast].map(([t, d]) => ({ loc: `${this.url}/blog/tag/${encodeURIComponent(t)}`, lastmod: d }));
      const pageUrls: SitemapUrl[] = site.filter((p) => p.type === 'pages').map((p) => ({ loc: `${this.url}${p.path}`, lastmod: p.lastmod ?? undefined }));
      const productUrls: SitemapUrl[] = site.filter((p) => p.type === 'products').map((p) => ({ loc: `${this.url}${p.path}`, lastmod: p.lastmod ?? undefined }));
      const maps = { posts: postUrls, tags: tagUrls, pages: [{ loc: `${this.url}/` }, ...pageUrls], products: productUrls };
      if (which !== 'index') return this.doc(urlset(maps[which]), rev, 'application/xml; charset=utf-8');
      const index = (Object.keys(maps) as (keyof typeof maps)[])
        .filter((k) => maps[k].length)
        .map((k) => ({ loc: `${this.url}/sitemap-${k}.xml`, lastmod: latest(maps[k].map((u) => u.lastmod ?? null)) ?? undefined }));
      return this.doc(sitemapIndex(index), rev, 'application/xml; charset=utf-8');
    });
  }

  async robots(): Promise<CachedDoc> {
    return this.cached('robots', async (rev) => this.doc(robotsTxt(this.url, (await this.deps.content.getSettings()).robots), rev, 'text/plain; charset=utf-8'));
  }

  /** Whether cards are served as PNG too (a rasteriser is installed). */
  get pngCards(): boolean {
    return Boolean(this.deps.rasteriser);
  }

  /** A post's generated social card: SVG always; PNG when a rasteriser is installed (else null). */
  async socialCard(slug: string, format: 'svg' | 'png' = 'svg'): Promise<CachedDoc | null> {
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) return null;
    const rasteriser = this.deps.rasteriser;
    if (format === 'png' && !rasteriser) return null;
    return this.cached(`card:${format}:${slug}`, async (rev) => {
      const [row] = await this.db.select({ published: posts.published }).from(posts).where(and(eq(posts.slug, slug), eq(posts.status, 'published'))).limit(1);
      if (!row?.published) return null;
      const brand = await this.deps.brand.current();
      const svg = socialCardSvg(row.published.title, brand.name, brand.color);
      // Rasterised once per change, like every page here (a render takes tens of milliseconds).
      return format === 'png' ? this.doc(await rasteriser!.png(svg), rev, 'image/png') : this.doc(svg, rev, 'image/svg+xml');
    });
  }

  private recent: { revision: number; rows: PublishedRow[] } | null = null;

  /** A 404 page suggesting the posts whose words are closest to the path asked for. */
  async notFound(path: string): Promise<string> {
    const frame = await this.frame();
    const words = path.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2 && w !== 'blog');
    // The candidates are read once per blog revision: 404s are frequent (bots) and must stay cheap.
    const rev = await this.currentRevision();
    if (this.recent?.revision !== rev) this.recent = { revision: rev, rows: await this.published({ limit: 200 }) };
    const rows = this.recent.rows;
    const scored = rows
      .map((r) => ({ r, score: words.filter((w) => r.slug.includes(w) || r.published.title.toLowerCase().includes(w)).length }))
      .sort((a, b) => b.score - a.score || b.r.publishedAt.getTime() - a.r.publishedAt.getTime())
      .slice(0, 5);
    return renderHtml(BlogNotFoundPage({ frame, path: path.slice(0, 200), suggestions: scored.map((s) => this.card(s.r)) }), frame.brand);
  }
}

/** Makes the site's own links and images absolute (feed readers resolve nothing). */
function absolutise(html: string, base: string): string {
  return html.replace(/\b(href|src)="\/(?!\/)/g, `$1="${base}/`);
}

function rowsOf<T>(res: unknown): T[] {
  return (Array.isArray(res) ? res : ((res as { rows?: T[] }).rows ?? [])) as T[];
}
