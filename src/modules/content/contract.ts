// The blog's API shapes shared with the admin (zod and plain data only): the routes validate
// their answers with them, and the admin imports their JSON types (`Wire<…>`) with `import type`.
import { z } from 'zod';
import type { Wire } from '../../wire.js';
import type { BlogSettings, RolePolicy } from './policy.js';
import type { PostBlock, PostContent } from './post-content.js';

export const postStatuses = ['draft', 'submitted', 'scheduled', 'published', 'unpublished'] as const;
export const seoCheckShape = z.object({ id: z.string(), ok: z.boolean(), message: z.string() });

export const postShape = z.object({
  id: z.string(),
  slug: z.string(),
  url: z.string(),
  status: z.enum(postStatuses),
  draft: z.custom<PostContent>(),
  published: z.custom<PostContent>().nullable(),
  authorId: z.string().nullable(),
  createdById: z.string().nullable(),
  title: z.string(),
  tags: z.array(z.string()),
  featured: z.boolean(),
  scheduledAt: z.date().nullable(),
  pendingRevision: z.number().nullable(),
  approvalId: z.string().nullable(),
  publishedAt: z.date().nullable(),
  version: z.number(),
  revision: z.number(),
  readingMinutes: z.number(),
  seo: z.array(seoCheckShape),
  broadcastId: z.string().nullable(),
  /** the owner's last refusal and its note, until the post is submitted again or published */
  refusedAt: z.date().nullable(),
  refusalNote: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const publishAnswerShape = z.object({ post: postShape, outcome: z.enum(['published', 'scheduled', 'submitted']) });
export const revisionShape = z.object({ n: z.number(), slug: z.string(), title: z.string(), reason: z.string(), actorKind: z.string(), actorId: z.string().nullable(), createdAt: z.date() });
export const diffLineShape = z.object({ op: z.enum(['same', 'added', 'removed']), text: z.string() });
export const redirectShape = z.object({ id: z.string(), fromPath: z.string(), toPath: z.string(), automatic: z.boolean(), hits: z.number(), createdAt: z.date() });
export const calendarShape = z.object({ id: z.string(), title: z.string(), ownerId: z.string().nullable(), dueOn: z.string(), postId: z.string().nullable(), notes: z.string(), done: z.boolean(), createdAt: z.date() });

export const topPostShape = z.object({
  postId: z.string(), slug: z.string(), title: z.string(), path: z.string(), visitors: z.number(),
  sources: z.array(z.object({ source: z.string(), visitors: z.number() })),
  optIns: z.number(), salesFirstTouch: z.number(), salesLastTouch: z.number(), revenueLastTouch: z.number(), currency: z.string(),
});
/** GET /api/posts. policy: who may publish (the blog settings' role policy). */
export const postListShape = z.object({ posts: z.array(postShape), policy: z.string() });
/** GET /api/posts: one status, one tag. */
export const postListQuery = z.object({ status: z.enum(postStatuses).optional(), tag: z.string().max(40).optional() });
/** GET /api/posts/:id/revisions */
export const revisionListShape = z.object({ revisions: z.array(revisionShape) });
/** GET /api/posts/:id/diff */
export const diffShape = z.object({ lines: z.array(diffLineShape) });
/** GET /api/posts/:id/diff: two revision numbers (from=0: the published post). */
export const diffQuery = z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(1) });
/** POST /api/posts/preview: the post rendered as the blog shows it. */
export const postPreviewShape = z.object({ html: z.string() });
/** POST /api/posts/:id/newsletter: the draft broadcast made from the post. */
export const newsletterDraftShape = z.object({ broadcastId: z.string() });
/** GET /api/redirects */
export const redirectListShape = z.object({ redirects: z.array(redirectShape) });
/** GET /api/blog/calendar */
export const calendarListShape = z.object({ items: z.array(calendarShape) });
/** GET /api/blog/top-posts: the period (YYYY-MM-DD) and its posts. */
export const topPostsShape = z.object({ from: z.string(), to: z.string(), posts: z.array(topPostShape) });
/** GET /api/blog/authors: who may be named author, the role policy, and the caller's own id. */
export const authorsShape = z.object({ authors: z.array(z.object({ id: z.string(), name: z.string() })), policy: z.string(), me: z.string().nullable() });

export type TopPostRow = z.output<typeof topPostShape>;
export type PostStatus = (typeof postStatuses)[number];
export type Post = Wire<z.output<typeof postShape>>;
export type PublishAnswer = Wire<z.output<typeof publishAnswerShape>>;
export type Revision = Wire<z.output<typeof revisionShape>>;
export type DiffLine = z.output<typeof diffLineShape>;
export type RedirectRow = Wire<z.output<typeof redirectShape>>;
export type CalendarItem = Wire<z.output<typeof calendarShape>>;
export type { BlogSettings, PostBlock, PostContent, RolePolicy };
export type PostList = Wire<z.output<typeof postListShape>>;
export type RevisionList = Wire<z.output<typeof revisionListShape>>;
export type Diff = z.output<typeof diffShape>;
export type PostPreview = z.output<typeof postPreviewShape>;
export type NewsletterDraft = z.output<typeof newsletterDraftShape>;
export type RedirectList = Wire<z.output<typeof redirectListShape>>;
export type CalendarList = Wire<z.output<typeof calendarListShape>>;
export type TopPosts = Wire<z.output<typeof topPostsShape>>;
export type Authors = z.output<typeof authorsShape>;

// ---- what the blog editor sends (the routes parse these very schemas) ----

/** A post's address as typed: lowercased; the service makes and checks the final slug. */
export const postSlug = z.string().trim().toLowerCase().max(80);
/** POST /api/posts: a new draft (its content is checked by the service, post-content.ts). */
export const postCreateBody = z.object({ slug: postSlug.optional(), content: z.unknown() });
/** PATCH /api/posts/:id */
export const postSaveBody = z.object({ slug: postSlug.optional(), draft: z.unknown().optional() });
/** POST /api/redirects */
export const redirectBody = z.object({ from: z.string().max(300), to: z.string().max(2000) });
/** POST /api/blog/calendar, PATCH /api/blog/calendar/:id */
export const calendarBody = z.object({
  title: z.string().trim().min(1).max(200),
  dueOn: z.iso.date(),
  ownerId: z.uuid().nullable().optional(),
  postId: z.uuid().nullable().optional(),
  notes: z.string().max(2000).optional(),
  done: z.boolean().optional(),
});
export type PostCreateInput = z.input<typeof postCreateBody>;
export type PostSaveInput = z.input<typeof postSaveBody>;
export type RedirectInput = z.input<typeof redirectBody>;
export type CalendarInput = z.input<typeof calendarBody>;
