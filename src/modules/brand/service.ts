// The business's identity: settings the owner changes in Settings, read by every page, email
// and certificate. Reads are cached per process for a second (SITE_CACHE_CHECK_MS) and dropped
// at once after a local change; every change bumps the storefront's revision in its own
// transaction (`onChange`), so cached pages of every process show the new brand.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { eq, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { invalid, notFound } from '../../errors.js';
import { saveStream } from '../../files.js';
import { brandPatchSchema, brandSettingsSchema, defaultBrand, toPublicBrand, type BrandPatch, type BrandSettings, type PublicBrand } from './brand.js';
import { brandImages, brandSettings } from './schema.js';

export type BrandImageKind = 'logo' | 'favicon';

/** Largest upload per kind: a logo is shown at most ~300 px wide, a favicon at 32–180 px. */
export const IMAGE_LIMITS: Record<BrandImageKind, number> = { logo: 1_048_576, favicon: 262_144 };

/** The image types we accept, recognised by their first bytes (never by the upload's name or headers). SVG is refused: it can carry scripts. */
export function sniffImage(head: Buffer): string | null {
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (head.length >= 12 && head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0) return 'image/x-icon';
  return null;
}

export interface BrandSettingsView extends BrandSettings {
  logoUrl: string | null;
  faviconUrl: string | null;
  version: number;
}

export class BrandService {
  private cached: { at: number; value: PublicBrand } | null = null;
  /** the read every caller that finds the cache stale at the same moment waits for */
  private loading: Promise<PublicBrand> | null = null;
  /** bumped by each change: a read begun before it does not fill the cache */
  private generation = 0;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly opts: {
      cacheCheckMs: number;
      /** the name shown before the owner sets one (the store's name); reads through `db` */
      fallbackName: (db: DbOrTx) => Promise<string>;
      /** the change is visible to visitors: called in its transaction */
      onChange: (tx: Tx) => Promise<void>;
      /** after the change committed: readers with their own caches (mail) drop them */
      afterChange?: () => void;
    },
  ) {}

  private async read(db: DbOrTx): Promise<{ settings: BrandSettings; version: number; stored: boolean }> {
    const [row] = await db.select().from(brandSettings).where(eq(brandSettings.id, 1));
    if (row) return { settings: brandSettingsSchema.parse(row.settings), version: row.version, stored: true };
    return { settings: defaultBrand(await this.opts.fallbackName(db)), version: 0, stored: false };
  }

  private async imageHashes(db: DbOrTx): Promise<{ logo: string | null; favicon: string | null }> {
    const rows = await db.select({ kind: brandImages.kind, hash: brandImages.hash }).from(brandImages);
    const by = new Map(rows.map((r) => [r.kind, r.hash]));
    return { logo: by.get('logo') ?? null, favicon: by.get('favicon') ?? null };
  }

  /** What the settings page edits. */
  async getSettings(): Promise<BrandSettingsView> {
    const db = this.database.db;
    const [{ settings, version }, images] = await Promise.all([this.read(db), this.imageHashes(db)]);
    const pub = toPublicBrand(settings, images, version);
    return { ...settings, logoUrl: pub.logoUrl, faviconUrl: images.favicon ? pub.faviconUrl : null, version };
  }

  /**
   * What pages, mail and certificates use. Inside a transaction pass it: on PGlite (one
   * connection) a query outside the open transaction would wait for it forever.
   */
  async current(db?: DbOrTx): Promise<PublicBrand> {
    if (this.cached && performance.now() - this.cached.at < this.opts.cacheCheckMs) return this.cached.value;
    if (db) return this.load(db);
    // Once a second the cache goes stale under every visitor of a busy page at once: one read
    // for all of them, not two queries each (100 at a time queued for the pool on PostgreSQL).
    if (this.loading) return this.loading;
    const loading = this.load(this.database.db).finally(() => {
      if (this.loading === loading) this.loading = null;
    });
    this.loading = loading;
    return loading;
  }

  private async load(db: DbOrTx): Promise<PublicBrand> {
    const generation = this.generation;
    const [{ settings, version }, images] = [await this.read(db), await this.imageHashes(db)];
    const value = toPublicBrand(settings, images, version);
    if (generation === this.generation) this.cached = { at: performance.now(), value };
    return value;
  }

  /** A legal page's text (terms, privacy, refunds), or '' when the owner wrote none. */
  async legalText(page: keyof BrandSettings['legal']): Promise<string> {
    return (await this.read(this.database.db)).settings.legal[page];
  }

  async update(input: unknown, actor: Actor): Promise<BrandSettingsView> {
    // Only what was sent: zod fills a missing field with its default, which must not reset it.
    const parsed = brandPatchSchema.parse(input);
    const sent = new Set(Object.keys(input as object));
    const patch = Object.fromEntries(Object.entries(parsed).filter(([k]) => sent.has(k))) as BrandPatch;
    if (patch.legal) patch.legal = Object.fromEntries(Object.entries(patch.legal).filter(([k]) => k in ((input as { legal: object }).legal ?? {}))) as BrandPatch['legal'];
    await this.database.transaction(async (tx) => {
      const { settings } = await this.read(tx);
      const next = brandSettingsSchema.parse({ ...settings, ...patch, legal: { ...settings.legal, ...patch.legal } });
      const changed = (Object.keys(patch) as (keyof BrandPatch)[]).filter((k) => JSON.stringify(patch[k]) !== JSON.stringify(k === 'legal' ? pick(settings.legal, Object.keys(patch.legal ?? {})) : settings[k]));
      await this.store(tx, next);
      await this.events.recordInTx(tx, { type: 'brand.updated', actor, data: { changed } });
      await this.opts.onChange(tx);
    });
    this.changed();
    return this.getSettings();
  }

  private async store(tx: Tx, settings: BrandSettings): Promise<void> {
    const now = this.clock.now();
    await tx
      .insert(brandSettings)
      .values({ id: 1, settings, version: 1, updatedAt: now })
      .onConflictDoUpdate({ target: brandSettings.id, set: { settings, version: sql`${brandSettings.version} + 1`, updatedAt: now } });
  }

  /** Saves an uploaded logo or favicon: at most IMAGE_LIMITS[kind] bytes, a PNG, JPEG, GIF, WebP or ICO by its bytes. */
  async uploadImage(kind: BrandImageKind, source: Readable, actor: Actor): Promise<BrandSettingsView> {
    const limit = IMAGE_LIMITS[kind];
    const temp = path.join(os.tmpdir(), `onehour-brand-${randomUUID()}`);
    let bytes: Buffer;
    try {
      await saveStream(source, temp, { maxBytes: limit, tooLarge: (max) => `The ${kind} is larger than ${Math.round(max / 1024)} KB: make it smaller` });
      bytes = await fs.promises.readFile(temp);
    } finally {
      await fs.promises.rm(temp, { force: true });
    }
    if (bytes.length === 0) throw invalid(`The ${kind} file is empty`, { field: kind });
    const contentType = sniffImage(bytes.subarray(0, 16));
    if (!contentType) throw invalid(`The ${kind} must be a PNG, JPEG, GIF, WebP or ICO image (SVG is not accepted)`, { field: kind });
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    await this.database.transaction(async (tx) => {
      const now = this.clock.now();
      const row = { kind, contentType, data: bytes.toString('base64'), size: bytes.length, hash, updatedAt: now };
      await tx.insert(brandImages).values(row).onConflictDoUpdate({ target: brandImages.kind, set: row });
      await this.store(tx, (await this.read(tx)).settings);
      await this.events.recordInTx(tx, { type: 'brand.image_uploaded', actor, data: { kind, contentType, size: bytes.length } });
      await this.opts.onChange(tx);
    });
    this.changed();
    return this.getSettings();
  }

  async removeImage(kind: BrandImageKind, actor: Actor): Promise<BrandSettingsView> {
    await this.database.transaction(async (tx) => {
      const [row] = await tx.delete(brandImages).where(eq(brandImages.kind, kind)).returning({ kind: brandImages.kind });
      if (!row) throw notFound(kind === 'logo' ? 'The logo' : 'The favicon');
      await this.store(tx, (await this.read(tx)).settings);
      await this.events.recordInTx(tx, { type: 'brand.image_removed', actor, data: { kind } });
      await this.opts.onChange(tx);
    });
    this.changed();
    return this.getSettings();
  }

  private changed(): void {
    this.generation++;
    this.cached = null;
    this.loading = null;
    this.opts.afterChange?.();
  }

  /** The stored image's bytes, or null. */
  async image(kind: BrandImageKind): Promise<{ contentType: string; bytes: Buffer; hash: string } | null> {
    const [row] = await this.database.db.select().from(brandImages).where(eq(brandImages.kind, kind));
    return row ? { contentType: row.contentType, bytes: Buffer.from(row.data, 'base64'), hash: row.hash } : null;
  }
}

function pick<T extends object>(o: T, keys: string[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]])) as Partial<T>;
}
