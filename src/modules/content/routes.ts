// The blog: its public pages (index, tags, posts, feeds, sitemaps, robots.txt, social cards) and
// the editor's API (posts, revisions, publishing per role policy, redirects, calendar, settings).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { issueFormToken } from '../../http/form-token.js';
import { CUSTOMER_COOKIE, routesFor, type AnyRoute } from '../../http/route.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Signer } from '../../crypto.js';
import type { Db } from '../../db/client.js';
import type { AnalyticsService } from '../analytics/index.js';
import type { PortalService } from '../portal/index.js';
import type { TeamService } from '../team/index.js';
import type { BlogNewsletter, BlogPages, ContentService } from './index.js';
import { invalid } from '../../errors.js';
import { docBytes, formTokenEtag, withBlogFormToken, type CachedDoc } from './blog-pages.js';
import { blogSettingsSchema } from './policy.js';
import { postContentSchema } from './post-content.js';
import { PUBLISH_APPROVAL_KIND } from './service.js';
import { topPosts } from './measures.js';
import {
  authorsShape,
  calendarBody,
  calendarListShape,
  calendarShape,
  diffQuery,
  diffShape,
  newsletterDraftShape,
  postCreateBody,
  postListQuery,
  postListShape,
  postPreviewShape,
  postSaveBody,
  postSlug,
  postShape,
  publishAnswerShape,
  redirectBody,
  redirectListShape,
  redirectShape,
  revisionListShape,
  topPostsShape,
} from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface ContentRouteDeps {
  analytics: AnalyticsService;
  blog: BlogPages;
  blogNewsletter: BlogNewsletter;
  clock: Clock;
  config: Config;
  content: ContentService;
  db: Db;
  portal: PortalService;
  signer: Signer;
  team: TeamService;
}
const defineRoute = routesFor<ContentRouteDeps>();

const idParam = z.object({ id: z.uuid() });
const page = z.object({ page: z.coerce.number().int().min(1).max(10_000).default(1) });
const tagParam = z.object({ tag: z.string().max(120) });

/** Sends a cached document with its ETag (a 304 when the browser has it). */
function send(app: ContentRouteDeps, req: FastifyRequest, reply: FastifyReply, cached: CachedDoc, opts: { private?: boolean } = {}) {
  const token = cached.hasForms ? issueFormToken(req, reply, app.signer, app.config.secureCookies) : null;
  const etag = token ? formTokenEtag(cached, token) : cached.etag;
  const isPrivate = cached.hasForms || opts.private;
  reply.header('etag', etag).header('cache-control', isPrivate ? PRIVATE : PUBLIC);
  if (opts.private) reply.header('vary', 'cookie');
  // A browser that has this very page gets a 304 before any of it is assembled.
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type(cached.type).send(token ? withBlogFormToken(cached, token).body : docBytes(cached));
}
const PRIVATE = 'private, max-age=0, must-revalidate';
const PUBLIC = 'public, max-age=0, must-revalidate';


async function sendPost(app: ContentRouteDeps, req: FastifyRequest, reply: FastifyReply, slugValue: string) {
  const post = await app.blog.post(slugValue);
  if (!post) return reply.callNotFound();
  if (!post.gated) return send(app, req, reply, post.full);
  // Members-only: the customer's session decides which variant; neither may sit in a shared cache.
  const session = await app.portal.resolveSession(req.cookies[CUSTOMER_COOKIE]);
  const may = await app.blog.mayRead(post, session?.contact.id ?? null, app.clock.now());
  return send(app, req, reply, may ? post.full : post.teaser, { private: true });
}

export const contentRoutes: AnyRoute<ContentRouteDeps>[] = [
  // ---- public ----------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/blog', access: 'public', kind: 'page', summary: 'The blog: published posts, newest first (featured on top)',
    query: page,
    handler: async ({ app, req, reply, query }) => {
      const doc = await app.blog.renderIndex(query.page);
      return doc ? send(app, req, reply, doc) : reply.callNotFound();
    },
  }),
  defineRoute({
    method: 'GET', url: '/blog/tag/:tag', access: 'public', kind: 'page', summary: 'The posts of one tag',
    params: tagParam, query: page,
    handler: async ({ app, req, reply, params, query }) => {
      const doc = await app.blog.renderIndex(query.page, params.tag);
      return doc ? send(app, req, reply, doc) : reply.callNotFound();
    },
  }),
  defineRoute({
    method: 'GET', url: '/blog/:slug', access: 'public', kind: 'page', summary: 'A post (members-only posts show their teaser to everyone else)',
    params: z.object({ slug: z.string().max(200) }),
    handler: async ({ app, req, reply, params }) => sendPost(app, req, reply, params.slug),
  }),
  defineRoute({
    method: 'GET', url: '/blog/:slug/card.svg', access: 'public', kind: 'page', summary: 'A post’s generated social card (SVG)',
    params: z.object({ slug: z.string().max(200) }),
    handler: async ({ app, req, reply, params }) => {
      const doc = await app.blog.socialCard(params.slug);
      if (!doc) return reply.callNotFound();
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return send(app, req, reply, doc);
    },
  }),
  defineRoute({
    method: 'GET', url: '/blog/:slug/card.png', access: 'public', kind: 'page', summary: 'A post’s generated social card (PNG; 404 unless the optional renderer @resvg/resvg-js is installed)',
    params: z.object({ slug: z.string().max(200) }),
    handler: async ({ app, req, reply, params }) => {
      const doc = await app.blog.socialCard(params.slug, 'png');
      return doc ? send(app, req, reply, doc) : reply.callNotFound();
    },
  }),
  ...(['rss', 'atom'] as const).flatMap((kind) => {
    const file = kind === 'rss' ? 'feed.xml' : 'atom.xml';
    return [
      defineRoute({
        method: 'GET', url: `/${file}`, access: 'public', kind: 'page', summary: `Every post, as ${kind === 'rss' ? 'RSS 2.0' : 'Atom 1.0'} (members-only posts as their teaser)`,
        handler: async ({ app, req, reply }) => send(app, req, reply, (await app.blog.feed(kind))!),
      }),
      defineRoute({
        method: 'GET', url: `/blog/tag/:tag/${file}`, access: 'public', kind: 'page', summary: `One tag’s posts, as ${kind === 'rss' ? 'RSS 2.0' : 'Atom 1.0'}`,
        params: tagParam,
        handler: async ({ app, req, reply, params }) => {
          const doc = await app.blog.feed(kind, params.tag);
          return doc ? send(app, req, reply, doc) : reply.callNotFound();
        },
      }),
    ];
  }),
  defineRoute({
    method: 'GET', url: '/sitemap.xml', access: 'public', kind: 'page', summary: 'The sitemap index: one sitemap per type, each with its last change',
    handler: async ({ app, req, reply }) => send(app, req, reply, await app.blog.sitemap('index')),
  }),
  ...(['posts', 'tags', 'pages', 'products'] as const).map((which) =>
    defineRoute({
      method: 'GET', url: `/sitemap-${which}.xml`, access: 'public', kind: 'page', summary: `The sitemap of ${which}`,
      handler: async ({ app, req, reply }) => send(app, req, reply, await app.blog.sitemap(which)),
    }),
  ),
  defineRoute({
    method: 'GET', url: '/robots.txt', access: 'public', kind: 'page', summary: 'robots.txt (the owner sets what crawlers may read; it names the sitemap)',
    handler: async ({ app, req, reply }) => send(app, req, reply, await app.blog.robots()),
  }),

  // ---- the editor's API ---------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/posts', access: { permission: 'content.read' }, tags: ['content'],
    summary: 'Posts (filter by status or tag), latest change first',
    query: postListQuery,
    response: postListShape,
    handler: async ({ app, query, actor }) => ({ posts: await app.content.list(app.db, query), policy: (await app.content.policyFor(actor)).text }),
  }),
  defineRoute({
    method: 'POST', url: '/api/posts', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.post_created', status: 201,
    summary: 'Start a post (a draft; the address comes from the title unless given)',
    body: postCreateBody,
    response: postShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const post = await app.content.create(body, actor);
      auditTarget('post', post.id, { slug: post.slug });
      return post;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/posts/:id', access: { permission: 'content.read' }, tags: ['content'],
    summary: 'One post: its draft, what is published, its SEO checklist',
    params: idParam, response: postShape,
    handler: async ({ app, params }) => app.content.get(app.db, params.id),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/posts/:id', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.post_updated',
    summary: 'Save the draft (a new revision) or change the address (a published post’s old address answers 301)',
    params: idParam, body: postSaveBody, response: postShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('post', params.id);
      return app.content.update(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/posts/:id', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.post_deleted',
    summary: 'Delete a post (a published one only by those who publish freely)',
    params: idParam,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('post', params.id);
      await app.content.remove(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/posts/:id/publish', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.post_publish',
    summary: 'Publish the saved draft now or at `at`; when the role’s policy asks for approval it is submitted to the owner instead',
    params: idParam, body: z.object({ at: z.iso.datetime({ offset: true }).nullable().optional() }),
    response: publishAnswerShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('post', params.id);
      return app.content.publish(params.id, { at: body.at ? new Date(body.at) : null }, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/posts/:id/submit', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.post_submitted',
    summary: 'Send the saved draft to the owner for review, whatever the role’s policy',
    params: idParam, body: z.object({ at: z.iso.datetime({ offset: true }).nullable().optional() }),
    response: publishAnswerShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('post', params.id);
      return app.content.publish(params.id, { at: body.at ? new Date(body.at) : null, forReview: true }, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/posts/:id/withdraw', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.post_withdrawn',
    summary: 'Take a submission back before the owner decides',
    params: idParam, response: postShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('post', params.id);
      return app.content.withdraw(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/posts/:id/unpublish', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.post_unpublished',
    summary: 'Take a post offline (or cancel its schedule); only for those who publish freely',
    params: idParam, response: postShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('post', params.id);
      return app.content.unpublish(params.id, actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/posts/:id/revisions', access: { permission: 'content.read' }, tags: ['content'],
    summary: 'Every saved revision, newest first',
    params: idParam,
    response: revisionListShape,
    handler: async ({ app, params }) => ({ revisions: await app.content.revisions(app.db, params.id) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/posts/:id/diff', access: { permission: 'content.read' }, tags: ['content'],
    summary: 'What changed between two revisions (from=0: the published post)',
    params: idParam, query: diffQuery,
    response: diffShape,
    handler: async ({ app, params, query }) => ({ lines: await app.content.diff(app.db, params.id, query.from, query.to) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/posts/:id/restore', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.post_restored',
    summary: 'Make an old revision the draft again',
    params: idParam, body: z.object({ revision: z.number().int().min(1) }), response: postShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('post', params.id, { revision: body.revision });
      return app.content.restore(params.id, body.revision, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/posts/preview', access: { permission: 'content.write' }, tags: ['content'], audit: false,
    summary: 'Live preview: unsaved post content rendered through the public page’s components',
    body: z.object({ content: z.unknown(), slug: postSlug.optional() }),
    response: postPreviewShape,
    handler: async ({ app, body }) => ({ html: await app.blog.preview(postContentSchema.parse(body.content), body.slug || 'preview') }),
  }),
  defineRoute({
    method: 'POST', url: '/api/posts/:id/newsletter', access: { permission: 'mail.send' }, tags: ['content'], audit: 'content.post_newsletter',
    summary: 'Send a published post as a newsletter to a segment (a broadcast of the mail engine), once',
    params: idParam, body: z.object({ segmentId: z.uuid().nullable().optional(), listId: z.uuid().nullable().optional(), at: z.iso.datetime({ offset: true }).nullable().optional() }),
    response: newsletterDraftShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('post', params.id);
      return app.blogNewsletter.send(params.id, body, actor);
    },
  }),

  // ---- redirects, calendar, settings ----------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/redirects', access: { permission: 'content.read' }, tags: ['content'],
    summary: 'Redirects: made by slug changes and by hand',
    response: redirectListShape,
    handler: async ({ app }) => ({ redirects: await app.content.listRedirects(app.db) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/redirects', access: { permission: 'content.redirects' }, tags: ['content'], audit: 'content.redirect_saved', status: 201,
    summary: 'Send an old address to a new one (301)',
    body: redirectBody, response: redirectShape,
    handler: async ({ app, actor, body }) => app.content.saveRedirect(body, actor),
  }),
  defineRoute({
    method: 'DELETE', url: '/api/redirects/:id', access: { permission: 'content.redirects' }, tags: ['content'], audit: 'content.redirect_deleted',
    summary: 'Remove a redirect',
    params: idParam,
    handler: async ({ app, actor, params }) => app.content.deleteRedirect(params.id, actor),
  }),
  defineRoute({
    method: 'GET', url: '/api/blog/calendar', access: { permission: 'content.read' }, tags: ['content'],
    summary: 'The editorial calendar: planned posts, owners, due dates',
    query: z.object({ from: z.iso.date().optional(), to: z.iso.date().optional() }),
    response: calendarListShape,
    handler: async ({ app, query }) => ({ items: await app.content.calendar(app.db, query) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/blog/calendar', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.calendar_saved', status: 201,
    summary: 'Plan a post', body: calendarBody, response: calendarShape,
    handler: async ({ app, actor, body }) => app.content.saveCalendarItem(null, body, actor),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/blog/calendar/:id', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.calendar_saved',
    summary: 'Change a planned post', params: idParam, body: calendarBody, response: calendarShape,
    handler: async ({ app, actor, params, body }) => app.content.saveCalendarItem(params.id, body, actor),
  }),
  defineRoute({
    method: 'DELETE', url: '/api/blog/calendar/:id', access: { permission: 'content.write' }, tags: ['content'], audit: 'content.calendar_deleted',
    summary: 'Remove a planned post', params: idParam,
    handler: async ({ app, actor, params }) => app.content.deleteCalendarItem(params.id, actor),
  }),
  defineRoute({
    method: 'GET', url: '/api/blog/top-posts', access: { permission: 'analytics.read' }, tags: ['content'],
    summary: 'Posts ranked by visitors over [from, to] (default: the last 30 days), with sources, opt-ins and sales attributed',
    query: z.object({ from: z.iso.date().optional(), to: z.iso.date().optional(), limit: z.coerce.number().int().min(1).max(50).default(10) }),
    response: topPostsShape,
    handler: async ({ app, query }) => {
      const to = query.to ?? app.clock.now().toISOString().slice(0, 10);
      const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
      if (from > to) throw invalid('The period starts after it ends', { field: 'from' });
      return { from, to, posts: await topPosts(app.db, { from, to, limit: query.limit }, app.analytics) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/blog/authors', access: { permission: 'content.read' }, tags: ['content'],
    summary: 'The team members a post may name as its author, and your policy in a sentence',
    response: authorsShape,
    handler: async ({ app, actor }) => ({
      authors: (await app.team.listUsers()).map((u) => ({ id: u.id, name: u.name })),
      policy: (await app.content.policyFor(actor)).text,
      me: actor.kind === 'owner' || actor.kind === 'assistant' ? actor.id : null,
    }),
  }),
  defineRoute({
    method: 'GET', url: '/api/blog/settings', access: { permission: 'content.read' }, tags: ['content'],
    summary: 'The blog’s title, the publishing policy per role, robots.txt',
    response: blogSettingsSchema,
    handler: async ({ app }) => app.content.getSettings(),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/blog/settings', access: { permission: 'content.settings' }, tags: ['content'], audit: 'content.settings_updated',
    summary: 'Set the publishing policy per role (the owner’s bounded authority), the blog’s title and robots.txt',
    body: z.object({ title: z.string().optional(), description: z.string().optional(), postsPerPage: z.number().optional(), policies: z.unknown().optional(), robots: z.unknown().optional() }),
    response: blogSettingsSchema,
    handler: async ({ app, actor, body }) => {
      const patch = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      if (!Object.keys(patch).length) throw invalid('Nothing to change');
      return app.content.updateSettings(patch as never, actor);
    },
  }),
];

export { PUBLISH_APPROVAL_KIND };
