// The business's identity: one row of settings and its two images. Images are small (a logo,
// a favicon) and live in the database, so every app process on one PostgreSQL serves the
// same bytes without shared file storage.
import { integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { BrandSettings } from './brand.js';

export const brandSettings = pgTable('brand_settings', {
  /** always 1: one business per installation */
  id: integer('id').primaryKey(),
  settings: jsonb('settings').$type<BrandSettings>().notNull(),
  /** counts changes (settings and images): cache keys and the default favicon's URL */
  version: integer('version').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const brandImages = pgTable('brand_images', {
  /** logo | favicon */
  kind: text('kind').$type<'logo' | 'favicon'>().primaryKey(),
  /** sniffed from the bytes, never taken from the upload's headers */
  contentType: text('content_type').notNull(),
  /** the image, base64 (same JS type from PGlite and pg) */
  data: text('data').notNull(),
  size: integer('size').notNull(),
  /** first 16 hex digits of the SHA-256: the versioned URL */
  hash: text('hash').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
