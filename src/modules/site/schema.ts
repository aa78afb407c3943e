// Pages built from blocks: a sales page per product and free-standing landing pages. Each
// page keeps a draft (what the editor changes and previews) and the published content
// (what visitors see), so editing never shows half-finished work.
import { sql } from 'drizzle-orm';
import { bigint, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PageContent } from './blocks.js';

export const pages = pgTable(
  'pages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** served at /p/<slug> */
    slug: text('slug').notNull(),
    /** sales (a product's page) | landing */
    kind: text('kind').$type<'sales' | 'landing'>().notNull(),
    /** the product a sales page sells (catalog); one sales page per product */
    productId: uuid('product_id'),
    draft: jsonb('draft').$type<PageContent>().notNull(),
    published: jsonb('published').$type<PageContent>(),
    /** draft | published */
    status: text('status').$type<'draft' | 'published'>().notNull().default('draft'),
    /** counts publications */
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('pages_slug_key').on(t.slug), uniqueIndex('pages_product_key').on(t.productId).where(sql`${t.productId} is not null`)],
);

/**
 * One row: bumped in the transaction of every change visitors can see (pages, products,
 * prices, offers, settings). Each process caches rendered pages and compares against it, so
 * an edit made through one process shows on all of them.
 */
export const siteRevision = pgTable('site_revision', {
  id: integer('id').primaryKey(),
  revision: bigint('revision', { mode: 'number' }).notNull(),
});
