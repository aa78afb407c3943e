// The blog. A post keeps a draft (what writers change and preview) and the published content
// (what visitors see), like pages do, so an edit never shows half-finished work and an edit
// that needs the owner's approval waits without taking the live post down. The columns beside
// the two documents mirror the published one for the public lists (index, tag, sitemap, feeds).
import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PostContent, SeoCheck } from './post-content.js';

export type PostStatus = 'draft' | 'submitted' | 'scheduled' | 'published' | 'unpublished';
export type PostAudience = 'everyone' | 'customers' | 'products';

export const posts = pgTable(
  'posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** served at /blog/<slug> */
    slug: text('slug').notNull(),
    status: text('status').$type<PostStatus>().notNull().default('draft'),
    draft: jsonb('draft').$type<PostContent>().notNull(),
    published: jsonb('published').$type<PostContent>(),
    /** the team member shown as author (team) */
    authorId: uuid('author_id'),
    /** who created it (the writer whose approval policy applies) */
    createdById: text('created_by_id'),
    // ---- mirrors of the published content, for the public lists --------------------------
    title: text('title').notNull().default(''),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    featured: boolean('featured').notNull().default(false),
    audience: text('audience').$type<PostAudience>().notNull().default('everyone'),
    // ---- publishing --------------------------------------------------------------------
    /** when a scheduled post goes live (the content.publish-due job, on the app's clock) */
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    /** the revision a scheduled or submitted publication will publish */
    pendingRevision: integer('pending_revision'),
    /** the approval request waiting for the owner (approvals module) */
    approvalId: uuid('approval_id'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    /** counts publications */
    version: integer('version').notNull().default(0),
    /** the SEO checklist of the draft, computed on save */
    seo: jsonb('seo').$type<SeoCheck[]>().notNull().default(sql`'[]'::jsonb`),
    /** the owner's last refusal of a submission, shown to the writer until the next submission or publication */
    refusedAt: timestamp('refused_at', { withTimezone: true }),
    refusalNote: text('refusal_note'),
    /** the broadcast this post was sent as (mail), once */
    broadcastId: uuid('broadcast_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('posts_slug_key').on(t.slug),
    index('posts_published_idx').on(t.publishedAt).where(sql`${t.status} = 'published'`),
    index('posts_scheduled_idx').on(t.scheduledAt).where(sql`${t.status} = 'scheduled'`),
  ],
);

/** Every saved state of a post's draft, numbered from 1: the history a writer diffs and restores. */
export const postRevisions = pgTable(
  'post_revisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    postId: uuid('post_id').notNull().references(() => posts.id, { onDelete: 'cascade' }),
    n: integer('n').notNull(),
    slug: text('slug').notNull(),
    content: jsonb('content').$type<PostContent>().notNull(),
    /** saved | restored | published */
    reason: text('reason').notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('post_revisions_post_n_key').on(t.postId, t.n)],
);

/** Old addresses that answer 301: made when a published post's slug changes, or by hand. */
export const redirects = pgTable(
  'redirects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fromPath: text('from_path').notNull(),
    toPath: text('to_path').notNull(),
    /** made by a slug change (true) or by someone in the admin */
    automatic: boolean('automatic').notNull().default(false),
    hits: integer('hits').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('redirects_from_key').on(t.fromPath)],
);

/** The editorial calendar: planned posts, who owns them and when they are due. */
export const editorialItems = pgTable(
  'editorial_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    ownerId: uuid('owner_id'),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    postId: uuid('post_id').references(() => posts.id, { onDelete: 'set null' }),
    notes: text('notes').notNull().default(''),
    done: boolean('done').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('editorial_items_due_idx').on(t.dueOn)],
);

/** One row, bumped in the transaction of every change visitors can see on the blog (the render cache's key). */
export const contentRevision = pgTable('content_revision', {
  id: integer('id').primaryKey(),
  revision: bigint('revision', { mode: 'number' }).notNull(),
});
