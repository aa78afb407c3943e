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
export type TopPostRow = z.output<typeof topPostShape>;
export type PostStatus = (typeof postStatuses)[number];
export type Post = Wire<z.output<typeof postShape>>;
export type PublishAnswer = Wire<z.output<typeof publishAnswerShape>>;
export type Revision = Wire<z.output<typeof revisionShape>>;
export type DiffLine = z.output<typeof diffLineShape>;
export type RedirectRow = Wire<z.output<typeof redirectShape>>;
export type CalendarItem = Wire<z.output<typeof calendarShape>>;
export type { BlogSettings, PostBlock, PostContent, RolePolicy };
