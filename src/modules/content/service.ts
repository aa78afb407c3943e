// Posts: drafts and their revisions, publishing (now, on a schedule, or after the owner's
// approval, per the writer's role policy), redirects when an address changes, the blog's
// settings and the editorial calendar. Every change is an event with its actor, written in
// the transaction of the change, and bumps the blog's revision so every process's page cache
// drops what it rendered before.
import { performance } from 'node:perf_hooks';
import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { getSetting, putSetting } from '../../db/secrets.js';
import { DomainError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import { blogSettingsSchema, defaultBlogSettings, describePolicy, needsApproval, type BlogSettings, type PolicyRole, type RolePolicy } from './policy.js';
import { postContentSchema, readingMinutes, seoChecklist, type PostContent, type SeoCheck } from './post-content.js';
import { diffLines, revisionLines, type DiffLine } from './revision-diff.js';
import { contentRevision, editorialItems, postRevisions, posts, redirects, type PostStatus } from './schema.js';

export type PostRow = typeof posts.$inferSelect;
export type Redirect = typeof redirects.$inferSelect;
export type EditorialItem = typeof editorialItems.$inferSelect;

export interface PostView extends PostRow {
  url: string;
  readingMinutes: number;
  /** the latest revision number (the draft as saved) */
  revision: number;
}

export interface RevisionView {
  n: number;
  slug: string;
  title: string;
  reason: string;
  actorKind: string;
  actorId: string | null;
  createdAt: Date;
}

/** The approvals module, as the blog uses it (bound in src/app.ts once both exist). */
export interface ContentApprovals {
  requestInTx(tx: Tx, input: { kind: string; data: unknown; title: string; summary?: string; subject?: { type: string; id: string }; actor: Actor }): Promise<{ id: string }>;
  cancelInTx(tx: Tx, id: string, actor: Actor): Promise<void>;
}

/** What an approval of kind `content.publish` carries. */
export interface PublishRequest {
  postId: string;
  revision: number;
  /** ISO time it goes live; absent: at once */
  at?: string | null;
}
export const PUBLISH_APPROVAL_KIND = 'content.publish';

export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_SLUG = 80;

export function slugify(title: string): string {
  return (
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/g, '') || 'post'
  );
}

function checkSlug(slug: string): void {
  if (!SLUG_RE.test(slug) || slug.length > MAX_SLUG) throw invalid('The address may use lower-case letters, digits and single dashes (80 at most)', { field: 'slug' });
}

export interface ContentDeps {
  database: Database;
  clock: Clock;
  events: EventLog;
  /** paths of the rest of the site that answer (pages, products, forms), for the broken-link check */
  sitePaths(): Promise<string[]>;
}

export class ContentService {
  private approvals: ContentApprovals | null = null;
  /** after a local change, re-read the revision for a while (its transaction may still be committing) */
  recheckUntil = -Infinity;

  constructor(private readonly deps: ContentDeps) {}

  /** Binds the approvals module (src/app.ts): without it, writers who need approval cannot publish. */
  useApprovals(approvals: ContentApprovals): void {
    this.approvals = approvals;
  }

  private get db() {
    return this.deps.database.db;
  }

  private now(): Date {
    return this.deps.clock.now();
  }

  /** Marks the blog changed, in the transaction of the change (also called when products, forms or the brand change). */
  async touchInTx(tx: Tx): Promise<void> {
    await tx
      .insert(contentRevision)
      .values({ id: 1, revision: 1 })
      .onConflictDoUpdate({ target: contentRevision.id, set: { revision: sql`${contentRevision.revision} + 1` } });
    this.recheckUntil = performance.now() + 5000;
  }

  /** A team member's name changed or they left: pages with their byline (index, posts, feeds) render again, when they author a live post. */
  async authorChangedInTx(tx: Tx, userId: string): Promise<boolean> {
    const [authored] = await tx.select({ id: posts.id }).from(posts).where(and(eq(posts.authorId, userId), eq(posts.status, 'published'))).limit(1);
    if (!authored) return false;
    await this.touchInTx(tx);
    return true;
  }

  async revision(db: DbOrTx = this.db): Promise<number> {
    const [row] = await db.select({ revision: contentRevision.revision }).from(contentRevision).where(eq(contentRevision.id, 1));
    return row?.revision ?? 0;
  }

  // ---- settings ------------------------------------------------------------------------------

  async getSettings(db: DbOrTx = this.db): Promise<BlogSettings> {
    const stored = await getSetting<unknown>(db as never, 'blog');
    const parsed = blogSettingsSchema.safeParse(stored ?? {});
    return parsed.success ? parsed.data : defaultBlogSettings;
  }

  async updateSettings(patch: Partial<BlogSettings>, actor: Actor): Promise<BlogSettings> {
    return this.deps.database.transaction(async (tx) => {
      const next = blogSettingsSchema.parse({ ...(await this.getSettings(tx)), ...patch });
      await putSetting(tx as never, 'blog', next, this.now());
      await this.deps.events.recordInTx(tx, { type: 'blog.settings_updated', actor, data: { changed: Object.keys(patch) } });
      await this.touchInTx(tx);
      return next;
    });
  }

  /**
   * Sets one role's publishing policy in the caller's transaction (the owner accepting or taking
   * back a delegation from the weekly review); returns the policy it replaced.
   */
  async setRolePolicyInTx(tx: Tx, role: PolicyRole, policy: RolePolicy, actor: Actor): Promise<RolePolicy> {
    const current = await this.getSettings(tx);
    const next = blogSettingsSchema.parse({ ...current, policies: { ...current.policies, [role]: policy } });
    await putSetting(tx as never, 'blog', next, this.now());
    await this.deps.events.recordInTx(tx, { type: 'blog.settings_updated', actor, data: { changed: ['policies'] } });
    await this.touchInTx(tx);
    return current.policies[role];
  }

  async policyFor(actor: Actor): Promise<{ text: string; needsApprovalFor: (tags: string[]) => boolean }> {
    const s = await this.getSettings();
    return { text: describePolicy(actor, s), needsApprovalFor: (tags) => needsApproval(actor, tags, s) };
  }

  // ---- reading -------------------------------------------------------------------------------

  private async view(db: DbOrTx, row: PostRow): Promise<PostView> {
    const [last] = await db.select({ n: postRevisions.n }).from(postRevisions).where(eq(postRevisions.postId, row.id)).orderBy(desc(postRevisions.n)).limit(1);
    return { ...row, url: `/blog/${row.slug}`, readingMinutes: readingMinutes(row.draft.html), revision: last?.n ?? 0 };
  }

  async list(db: DbOrTx, q: { status?: PostStatus; tag?: string; limit?: number } = {}): Promise<PostView[]> {
    const where = [q.status ? eq(posts.status, q.status) : undefined, q.tag ? sql`${q.tag} = any(${posts.tags})` : undefined].filter(Boolean);
    const rows = await db
      .select()
      .from(posts)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(posts.updatedAt))
      .limit(Math.min(q.limit ?? 500, 1000));
    const last = rows.length
      ? await db
          .select({ postId: postRevisions.postId, n: sql<number>`max(${postRevisions.n})::int` })
          .from(postRevisions)
          .where(inArray(postRevisions.postId, rows.map((r) => r.id)))
          .groupBy(postRevisions.postId)
      : [];
    const byPost = new Map(last.map((r) => [r.postId, Number(r.n)]));
    return rows.map((row) => ({ ...row, url: `/blog/${row.slug}`, readingMinutes: readingMinutes(row.draft.html), revision: byPost.get(row.id) ?? 0 }));
  }

  async get(db: DbOrTx, id: string): Promise<PostView> {
    const [row] = await db.select().from(posts).where(eq(posts.id, id)).limit(1);
    if (!row) throw notFound('Post');
    return this.view(db, row);
  }

  /** Every published post's address and date (for the broken-link check and the sitemap). */
  async publishedPaths(db: DbOrTx = this.db): Promise<{ path: string; updatedAt: Date; tags: string[] }[]> {
    const rows = await db.select({ slug: posts.slug, updatedAt: posts.updatedAt, tags: posts.tags }).from(posts).where(eq(posts.status, 'published'));
    return rows.map((r) => ({ path: `/blog/${r.slug}`, updatedAt: r.updatedAt, tags: r.tags }));
  }

  /** Outside any transaction: the rest of the site is read through other modules' services. */
  private async knownPaths(ownSlug: string): Promise<(p: string) => boolean> {
    const [mine, site] = await Promise.all([this.publishedPaths(this.db), this.deps.sitePaths()]);
    const known = new Set([...mine.map((m) => m.path), `/blog/${ownSlug}`, ...site, '/', '/blog', '/account', '/feed.xml', '/atom.xml', '/sitemap.xml']);
    const tags = new Set(mine.flatMap((m) => m.tags));
    return (p) => {
      const path = p.length > 1 ? p.replace(/\/$/, '') : p;
      if (known.has(path)) return true;
      const tag = /^\/blog\/tag\/([^/]+)$/.exec(path);
      if (tag) return tags.has(decodeURIComponent(tag[1]!));
      // Checkout links, uploaded images and assets are checked by their own modules.
      return /^\/(checkout|media|assets|files|account)\//.test(path);
    };
  }

  // ---- writing -------------------------------------------------------------------------------

  async create(input: { slug?: string; content: unknown }, actor: Actor): Promise<PostView> {
    const content = postContentSchema.parse(input.content);
    const slug = input.slug?.trim().toLowerCase() || slugify(content.title);
    checkSlug(slug);
    const now = this.now();
    // Read before the transaction: the rest of the site is read through other modules, outside it.
    const known = await this.knownPaths(slug);
    return this.deps.database.transaction(async (tx) => {
      const [taken] = await tx.select({ id: posts.id }).from(posts).where(eq(posts.slug, slug)).limit(1);
      if (taken) throw conflict('Another post has that address', { field: 'slug' });
      const seo = seoChecklist(content, slug, known);
      const [row] = await tx
        .insert(posts)
        .values({ slug, draft: content, title: content.title, authorId: content.authorId ?? (actor.kind === 'owner' || actor.kind === 'assistant' ? actor.id : null), createdById: actor.kind === 'system' ? null : actor.id, seo, createdAt: now, updatedAt: now })
        .returning();
      if (!row!.draft.authorId && row!.authorId) {
        row!.draft = { ...row!.draft, authorId: row!.authorId };
        await tx.update(posts).set({ draft: row!.draft }).where(eq(posts.id, row!.id));
      }
      await this.addRevision(tx, row!.id, slug, row!.draft, 'saved', actor, now);
      await this.deps.events.recordInTx(tx, { type: 'post.created', actor, subject: { type: 'post', id: row!.id }, data: { slug, title: content.title } });
      return this.view(tx, row!);
    });
  }

  private async addRevision(tx: Tx, postId: string, slug: string, content: PostContent, reason: string, actor: Actor, at: Date): Promise<number> {
    const [last] = await tx.select({ n: postRevisions.n }).from(postRevisions).where(eq(postRevisions.postId, postId)).orderBy(desc(postRevisions.n)).limit(1);
    const n = (last?.n ?? 0) + 1;
    await tx.insert(postRevisions).values({ postId, n, slug, content, reason, actorKind: actor.kind, actorId: actor.kind === 'system' ? null : actor.id, createdAt: at });
    return n;
  }

  /** Saves the draft (a new revision when anything changed) or changes the address. */
  async update(id: string, input: { slug?: string; draft?: unknown }, actor: Actor): Promise<PostView> {
    const now = this.now();
    const [before] = await this.db.select({ slug: posts.slug }).from(posts).where(eq(posts.id, id));
    if (!before) throw notFound('Post');
    const known = await this.knownPaths(input.slug?.trim().toLowerCase() || before.slug);
    return this.deps.database.transaction(async (tx) => {
      const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
      if (!row) throw notFound('Post');
      const draft = input.draft !== undefined ? postContentSchema.parse(input.draft) : row.draft;
      const slug = input.slug?.trim().toLowerCase() || row.slug;
      checkSlug(slug);
      const slugChanged = slug !== row.slug;
      if (slugChanged) {
        const [taken] = await tx.select({ id: posts.id }).from(posts).where(eq(posts.slug, slug)).limit(1);
        if (taken) throw conflict('Another post has that address', { field: 'slug' });
        if (row.status === 'published') {
          // Moving a live post changes what visitors and search engines see: bounded like publishing.
          if (needsApproval(actor, row.tags, await this.getSettings(tx))) throw forbidden('Changing the address of a published post needs the owner: ask them, or change it before publishing');
        }
      }
      const seo = seoChecklist(draft, slug, known);
      const [saved] = await tx.update(posts).set({ draft, slug, seo, authorId: draft.authorId ?? row.authorId, updatedAt: now }).where(eq(posts.id, id)).returning();
      // jsonb keeps keys in its own order: compare canonical forms.
      const changed = canonical(draft) !== canonical(row.draft) || slugChanged;
      let revision = (await this.view(tx, saved!)).revision;
      if (changed) revision = await this.addRevision(tx, id, slug, draft, 'saved', actor, now);
      if (slugChanged && row.version > 0) {
        await this.redirectSlugInTx(tx, row.slug, slug, actor);
        if (row.status === 'published') await this.touchInTx(tx);
      }
      if (changed) await this.deps.events.recordInTx(tx, { type: 'post.updated', actor, subject: { type: 'post', id }, data: { slug, title: draft.title, revision } });
      return this.view(tx, saved!);
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
      if (!row) throw notFound('Post');
      if (row.status === 'published' && needsApproval(actor, row.tags, await this.getSettings(tx))) throw forbidden('Deleting a published post needs the owner: ask them');
      if (row.approvalId && row.status === 'submitted' && this.approvals) await this.approvals.cancelInTx(tx, row.approvalId, actor);
      await tx.delete(posts).where(eq(posts.id, id));
      await this.deps.events.recordInTx(tx, { type: 'post.deleted', actor, subject: { type: 'post', id }, data: { slug: row.slug, title: row.draft.title } });
      await this.touchInTx(tx);
    });
  }

  // ---- revisions -------------------------------------------------------------------------------

  async revisions(db: DbOrTx, id: string): Promise<RevisionView[]> {
    const rows = await db.select().from(postRevisions).where(eq(postRevisions.postId, id)).orderBy(desc(postRevisions.n));
    return rows.map((r) => ({ n: r.n, slug: r.slug, title: r.content.title, reason: r.reason, actorKind: r.actorKind, actorId: r.actorId, createdAt: r.createdAt }));
  }

  private async revisionContent(db: DbOrTx, id: string, n: number): Promise<{ content: PostContent; slug: string }> {
    const [r] = await db.select().from(postRevisions).where(and(eq(postRevisions.postId, id), eq(postRevisions.n, n)));
    if (!r) throw notFound(`Revision ${n}`);
    return { content: r.content, slug: r.slug };
  }

  /** What changed from revision `from` to revision `to` (the published content when `from` is 0). */
  async diff(db: DbOrTx, id: string, from: number, to: number): Promise<DiffLine[]> {
    const post = await this.get(db, id);
    const a = from === 0 ? (post.published ? { content: post.published, slug: post.slug } : null) : await this.revisionContent(db, id, from);
    const b = await this.revisionContent(db, id, to);
    return diffLines(a ? revisionLines(a.content, a.slug) : [], revisionLines(b.content, b.slug));
  }

  /** Makes an old revision the draft again (a new revision: history is never rewritten). */
  async restore(id: string, n: number, actor: Actor): Promise<PostView> {
    const now = this.now();
    const [before] = await this.db.select({ slug: posts.slug }).from(posts).where(eq(posts.id, id));
    if (!before) throw notFound('Post');
    const known = await this.knownPaths(before.slug);
    return this.deps.database.transaction(async (tx) => {
      const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
      if (!row) throw notFound('Post');
      const { content } = await this.revisionContent(tx, id, n);
      const seo = seoChecklist(content, row.slug, known);
      const [saved] = await tx.update(posts).set({ draft: content, seo, updatedAt: now }).where(eq(posts.id, id)).returning();
      const revision = await this.addRevision(tx, id, row.slug, content, 'restored', actor, now);
      await this.deps.events.recordInTx(tx, { type: 'post.restored', actor, subject: { type: 'post', id }, data: { slug: row.slug, title: content.title, from: n, revision } });
      return this.view(tx, saved!);
    });
  }

  // ---- publishing ------------------------------------------------------------------------------

  /**
   * Publishes the saved draft now, or schedules it (`at` in the future). When the actor's role
   * policy asks for approval (or `forReview`), the post is submitted instead: an approval request
   * of kind `content.publish` waits for the owner, and the post stays as it was for visitors.
   */
  async publish(id: string, opts: { at?: Date | null; forReview?: boolean }, actor: Actor): Promise<{ post: PostView; outcome: 'published' | 'scheduled' | 'submitted' }> {
    const now = this.now();
    if (opts.at && opts.at.getTime() > now.getTime() + 5 * 366 * 86_400_000) throw invalid('Schedule it within five years', { field: 'at' });
    return this.deps.database.transaction(async (tx) => {
      const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
      if (!row) throw notFound('Post');
      if (row.status === 'submitted') throw conflict('This post is waiting for the owner’s approval: withdraw it first to change what is submitted');
      const revision = (await this.view(tx, row)).revision;
      const settings = await this.getSettings(tx);
      const at = opts.at && opts.at.getTime() > now.getTime() ? opts.at : null;
      if (opts.forReview || needsApproval(actor, row.draft.tags, settings)) {
        if (!this.approvals) throw forbidden('Publishing needs the owner’s approval, and approvals are not available');
        const request = await this.approvals.requestInTx(tx, {
          kind: PUBLISH_APPROVAL_KIND,
          data: { postId: id, revision, at: at?.toISOString() ?? null } satisfies PublishRequest,
          title: `Publish “${row.draft.title}”`,
          summary: `${row.version > 0 ? 'An update of a published post' : 'A new post'} at /blog/${row.slug}${at ? `, to go live ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}${row.draft.tags.length ? ` (tags: ${row.draft.tags.join(', ')})` : ''}.`,
          subject: { type: 'post', id },
          actor,
        });
        const [saved] = await tx.update(posts).set({ status: 'submitted', pendingRevision: revision, approvalId: request.id, scheduledAt: at, refusedAt: null, refusalNote: null, updatedAt: now }).where(eq(posts.id, id)).returning();
        await this.deps.events.recordInTx(tx, { type: 'post.submitted', actor, subject: { type: 'post', id }, data: { slug: row.slug, title: row.draft.title, revision, approvalId: request.id, at: at?.toISOString() ?? null } });
        return { post: await this.view(tx, saved!), outcome: 'submitted' as const };
      }
      const outcome = await this.publishRevisionInTx(tx, id, revision, at, actor, null);
      return { post: await this.get(tx, id), outcome };
    });
  }

  /** The writer takes a submission back: the request is cancelled, the post is a draft (or stays live as it was). */
  async withdraw(id: string, actor: Actor): Promise<PostView> {
    return this.deps.database.transaction(async (tx) => {
      const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
      if (!row) throw notFound('Post');
      if (row.status !== 'submitted' || !row.approvalId) throw conflict('This post is not waiting for approval');
      // Already cancelled through the approvals page: the post only needs to follow.
      await this.approvals?.cancelInTx(tx, row.approvalId, actor).catch((err) => {
        if (!(err instanceof DomainError && err.code === 'conflict')) throw err;
      });
      const [saved] = await tx.update(posts).set({ status: row.version > 0 && row.published ? 'published' : 'draft', approvalId: null, pendingRevision: null, scheduledAt: null, updatedAt: this.now() }).where(eq(posts.id, id)).returning();
      return this.view(tx, saved!);
    });
  }

  /**
   * Publishes (or schedules) one revision. Called by `publish` for writers who may, by the
   * approval kind when the owner approves, and by the schedule when the time comes.
   */
  async publishRevisionInTx(tx: Tx, id: string, revision: number, at: Date | null, actor: Actor, approvalId: string | null): Promise<'published' | 'scheduled'> {
    const now = this.now();
    const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
    if (!row) throw notFound('Post');
    const { content, slug } = await this.revisionContent(tx, id, revision);
    if (slug !== row.slug) throw conflict('The post’s address changed after this revision: submit it again');
    if (at && at.getTime() > now.getTime()) {
      await tx.update(posts).set({ status: 'scheduled', scheduledAt: at, pendingRevision: revision, approvalId: null, refusedAt: null, refusalNote: null, updatedAt: now }).where(eq(posts.id, id));
      await this.deps.events.recordInTx(tx, { type: 'post.scheduled', actor, subject: { type: 'post', id }, data: { slug, title: content.title, at: at.toISOString() } });
      return 'scheduled';
    }
    const version = row.version + 1;
    await tx
      .update(posts)
      .set({
        status: 'published',
        published: content,
        title: content.title,
        tags: content.tags,
        featured: content.featured,
        audience: content.access.audience,
        authorId: content.authorId ?? row.authorId,
        version,
        publishedAt: row.publishedAt ?? now,
        scheduledAt: null,
        pendingRevision: null,
        approvalId: null,
        refusedAt: null,
        refusalNote: null,
        updatedAt: now,
      })
      .where(eq(posts.id, id));
    await this.deps.events.recordInTx(tx, { type: 'post.published', actor, subject: { type: 'post', id }, data: { slug, title: content.title, version, revision, approvalId } });
    await this.touchInTx(tx);
    return 'published';
  }

  /** The owner refused a submission (the approval kind's `refusedInTx`). */
  async refusedInTx(tx: Tx, id: string, approvalId: string, note: string | null, actor: Actor): Promise<void> {
    const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
    if (!row || row.approvalId !== approvalId) return;
    const now = this.now();
    // Kept on the post for the writer's editor (until the next submission); the event carries it for subscribers and the owner's measures.
    await tx.update(posts).set({ status: row.version > 0 && row.published ? 'published' : 'draft', approvalId: null, pendingRevision: null, scheduledAt: null, refusedAt: now, refusalNote: note, updatedAt: now }).where(eq(posts.id, id));
    await this.deps.events.recordInTx(tx, { type: 'post.refused', actor, subject: { type: 'post', id }, data: { slug: row.slug, title: row.draft.title, approvalId, note } });
  }

  /** Whether an approval still applies: the post exists and still waits on this request. */
  async pendingApprovalInTx(tx: Tx, id: string, approvalId: string): Promise<boolean> {
    const [row] = await tx.select({ approvalId: posts.approvalId, status: posts.status }).from(posts).where(eq(posts.id, id));
    return Boolean(row && row.status === 'submitted' && row.approvalId === approvalId);
  }

  /** Publishes every scheduled post whose time has come (the content.publish-due job, every minute). */
  async publishDue(): Promise<number> {
    const now = this.now();
    const due = await this.db
      .select({ id: posts.id })
      .from(posts)
      .where(and(eq(posts.status, 'scheduled'), lte(posts.scheduledAt, now)))
      .orderBy(asc(posts.scheduledAt))
      .limit(100);
    let n = 0;
    for (const { id } of due) {
      n += await this.deps.database.transaction(async (tx) => {
        // Two processes running the job at once: the row lock and the status check make it once.
        const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
        if (!row || row.status !== 'scheduled' || !row.pendingRevision || !row.scheduledAt || row.scheduledAt > now) return 0;
        await this.publishRevisionInTx(tx, id, row.pendingRevision, null, { kind: 'system', label: 'schedule' }, null);
        return 1;
      });
    }
    return n;
  }

  async unpublish(id: string, actor: Actor): Promise<PostView> {
    return this.deps.database.transaction(async (tx) => {
      const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
      if (!row) throw notFound('Post');
      if (row.status !== 'published' && row.status !== 'scheduled') throw conflict('This post is not published or scheduled');
      if (needsApproval(actor, row.tags, await this.getSettings(tx))) throw forbidden('Taking a post offline needs the owner: ask them');
      const [saved] = await tx.update(posts).set({ status: row.published ? 'unpublished' : 'draft', scheduledAt: null, pendingRevision: null, updatedAt: this.now() }).where(eq(posts.id, id)).returning();
      await this.deps.events.recordInTx(tx, { type: 'post.unpublished', actor, subject: { type: 'post', id }, data: { slug: row.slug, title: row.title || row.draft.title } });
      await this.touchInTx(tx);
      return this.view(tx, saved!);
    });
  }

  async setBroadcastInTx(tx: Tx, id: string, broadcastId: string, segmentId: string | null, actor: Actor): Promise<void> {
    const [row] = await tx.select().from(posts).where(eq(posts.id, id)).for('update');
    if (!row) throw notFound('Post');
    if (row.broadcastId) throw conflict('This post was already sent as a newsletter');
    await tx.update(posts).set({ broadcastId }).where(eq(posts.id, id));
    await this.deps.events.recordInTx(tx, { type: 'post.newsletter_sent', actor, subject: { type: 'post', id }, data: { slug: row.slug, broadcastId, segmentId } });
  }

  // ---- redirects ---------------------------------------------------------------------------

  /** A published post moved: its old address answers 301 to the new one, and no redirect chains. */
  private async redirectSlugInTx(tx: Tx, from: string, to: string, actor: Actor): Promise<void> {
    await this.saveRedirectInTx(tx, `/blog/${from}`, `/blog/${to}`, true, actor);
  }

  private async saveRedirectInTx(tx: Tx, fromPath: string, toPath: string, automatic: boolean, actor: Actor): Promise<Redirect> {
    const now = this.now();
    // The new address is live again: a redirect away from it would hide it.
    await tx.delete(redirects).where(eq(redirects.fromPath, toPath));
    // Redirects that led to the old address now lead straight to the new one (one hop, never a loop).
    await tx.update(redirects).set({ toPath }).where(eq(redirects.toPath, fromPath));
    const [row] = await tx
      .insert(redirects)
      .values({ fromPath, toPath, automatic, createdAt: now })
      .onConflictDoUpdate({ target: redirects.fromPath, set: { toPath, automatic } })
      .returning();
    await this.deps.events.recordInTx(tx, { type: 'redirect.saved', actor, subject: { type: 'redirect', id: row!.id }, data: { from: fromPath, to: toPath, automatic } });
    await this.touchInTx(tx);
    return row!;
  }

  async listRedirects(db: DbOrTx): Promise<Redirect[]> {
    return db.select().from(redirects).orderBy(desc(redirects.createdAt)).limit(2000);
  }

  async saveRedirect(input: { from: string; to: string }, actor: Actor): Promise<Redirect> {
    const from = normalisePath(input.from);
    const to = input.to.trim();
    if (!from) throw invalid('Redirect from a path on this site, like /old-post', { field: 'from' });
    if (!normalisePath(to) && !/^https:\/\/[^\s]+$/i.test(to)) throw invalid('Redirect to a path on this site or an https:// address', { field: 'to' });
    if (from === to) throw invalid('A redirect to itself would loop', { field: 'to' });
    if (/^\/(api|admin|assets|media)(\/|$)/.test(from)) throw invalid('That path belongs to the application', { field: 'from' });
    return this.deps.database.transaction((tx) => this.saveRedirectInTx(tx, from, to, false, actor));
  }

  async deleteRedirect(id: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const [row] = await tx.delete(redirects).where(eq(redirects.id, id)).returning();
      if (!row) throw notFound('Redirect');
      await this.deps.events.recordInTx(tx, { type: 'redirect.deleted', actor, subject: { type: 'redirect', id }, data: { from: row.fromPath } });
      await this.touchInTx(tx);
    });
  }

  /** Where a path moved to, counting the hit; null when it did not. */
  async followRedirect(path: string): Promise<string | null> {
    const from = normalisePath(path);
    if (!from) return null;
    // A read first: every public 404 asks, and a miss (most of them: bots probing) writes nothing.
    const [hit] = await this.db.select({ id: redirects.id, toPath: redirects.toPath }).from(redirects).where(eq(redirects.fromPath, from)).limit(1);
    if (!hit) return null;
    await this.db.update(redirects).set({ hits: sql`${redirects.hits} + 1` }).where(eq(redirects.id, hit.id));
    return hit.toPath;
  }

  // ---- the editorial calendar ----------------------------------------------------------------

  async calendar(db: DbOrTx, q: { from?: string; to?: string } = {}): Promise<EditorialItem[]> {
    const where = [q.from ? sql`${editorialItems.dueOn} >= ${q.from}` : undefined, q.to ? sql`${editorialItems.dueOn} <= ${q.to}` : undefined].filter(Boolean);
    return db.select().from(editorialItems).where(where.length ? and(...where) : undefined).orderBy(asc(editorialItems.dueOn)).limit(1000);
  }

  async saveCalendarItem(id: string | null, input: { title: string; dueOn: string; ownerId?: string | null; postId?: string | null; notes?: string; done?: boolean }, actor: Actor): Promise<EditorialItem> {
    return this.deps.database.transaction(async (tx) => {
      const values = { title: input.title, dueOn: input.dueOn, ownerId: input.ownerId ?? null, postId: input.postId ?? null, notes: input.notes ?? '', done: input.done ?? false };
      const [row] = id
        ? await tx.update(editorialItems).set(values).where(eq(editorialItems.id, id)).returning()
        : await tx.insert(editorialItems).values({ ...values, createdAt: this.now() }).returning();
      if (!row) throw notFound('Calendar item');
      await this.deps.events.recordInTx(tx, { type: 'calendar.item_saved', actor, subject: { type: 'calendar_item', id: row.id }, data: { title: row.title, dueOn: row.dueOn, ownerId: row.ownerId, done: row.done } });
      return row;
    });
  }

  async deleteCalendarItem(id: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const [row] = await tx.delete(editorialItems).where(eq(editorialItems.id, id)).returning();
      if (!row) throw notFound('Calendar item');
      await this.deps.events.recordInTx(tx, { type: 'calendar.item_deleted', actor, subject: { type: 'calendar_item', id }, data: { title: row.title } });
    });
  }
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

/** A path on this site without query or trailing slash, or null when it is not one. */
export function normalisePath(p: string): string | null {
  const path = p.trim().split(/[?#]/)[0]!;
  if (!path.startsWith('/') || path.startsWith('//') || path.length > 300 || /[\s\u0000<>"\\]/.test(path)) return null;
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export type { SeoCheck };
