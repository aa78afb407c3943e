// The storefront (store index, sales and landing pages) and the page editor's API.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { issueFormToken } from '../../http/form-token.js';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { Config } from '../../config.js';
import type { Signer } from '../../crypto.js';
import type { Db } from '../../db/client.js';
import type { SiteService } from './index.js';
import { formTokenEtag, pageBytes, type RenderedPage } from './service.js';
import { formChoicesShape, pageCreateBody, pageShape, pagesShape, pageUpdateBody, previewBody, previewShape, siteSettingsBody, siteSettingsShape } from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface SiteRouteDeps {
  config: Config;
  db: Db;
  signer: Signer;
  site: SiteService;
}
const defineRoute = routesFor<SiteRouteDeps>();

// The page editor's shapes are in contract.ts, shared with the admin.
const idParam = z.object({ id: z.uuid() });
const toShape = <T extends { slug: string }>(p: T) => ({ ...p, url: `/p/${p.slug}` });

/** Sends cached page HTML with an ETag, so a browser that has it gets a 304. */
function sendCached(app: SiteRouteDeps, req: FastifyRequest, reply: FastifyReply, cached: RenderedPage) {
  // A page with a form carries this visitor's form token: no shared cache may keep it.
  const token = cached.hasForms ? issueFormToken(req, reply, app.signer, app.config.secureCookies) : null;
  const etag = formTokenEtag(cached, token);
  reply.header('etag', etag).header('cache-control', cached.hasForms ? 'private, max-age=0, must-revalidate' : 'public, max-age=0, must-revalidate');
  // A browser that has this very page gets a 304 before any of it is assembled.
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type('text/html; charset=utf-8').send(pageBytes(cached, token));
}

export const siteRoutes: AnyRoute<SiteRouteDeps>[] = [
  // ---- public pages ------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/', access: 'public', kind: 'page', summary: 'The store: every product on sale',
    handler: async ({ app, req, reply }) => sendCached(app, req, reply, await app.site.renderStore()),
  }),
  defineRoute({
    method: 'GET', url: '/p/:slug', access: 'public', kind: 'page', summary: 'A sales or landing page',
    params: z.object({ slug: z.string().max(200) }),
    handler: async ({ app, req, reply, params }) => {
      const page = await app.site.renderPublic(params.slug);
      if (!page) return reply.callNotFound();
      return sendCached(app, req, reply, page);
    },
  }),

  // ---- the page editor's API -----------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/pages', access: { permission: 'catalog.read' }, tags: ['site'],
    summary: 'Every page: sales pages of products and landing pages',
    response: pagesShape,
    handler: async ({ app }) => ({ pages: (await app.site.listPages(app.db)).map(toShape) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/pages', access: { permission: 'pages.write' }, tags: ['site'], audit: 'site.page_created', status: 201,
    summary: 'Create a page (a sales page starts from its product: hero and pricing)',
    body: pageCreateBody,
    response: pageShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const page = await app.site.createPage(body, actor);
      auditTarget('page', page.id, { slug: page.slug });
      return toShape(page);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/pages/:id', access: { permission: 'catalog.read' }, tags: ['site'],
    summary: 'One page: its draft and what is published',
    params: idParam,
    response: pageShape,
    handler: async ({ app, params }) => toShape(await app.site.getPage(app.db, params.id)),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/pages/:id', access: { permission: 'pages.write' }, tags: ['site'], audit: 'site.page_updated',
    summary: 'Save the draft (title, description, image, blocks) or change the address; visitors see it once published',
    params: idParam,
    body: pageUpdateBody,
    response: pageShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('page', params.id);
      return toShape(await app.site.updatePage(params.id, body, actor));
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/pages/:id/publish', access: { permission: 'pages.write' }, tags: ['site'], audit: 'site.page_published',
    summary: 'Publish the draft: visitors see it at once, on every process',
    params: idParam,
    response: pageShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('page', params.id);
      return toShape(await app.site.publishPage(params.id, actor));
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/pages/:id/unpublish', access: { permission: 'pages.write' }, tags: ['site'], audit: 'site.page_unpublished',
    summary: 'Take a page offline (a product falls back to its default page)',
    params: idParam,
    response: pageShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('page', params.id);
      return toShape(await app.site.unpublishPage(params.id, actor));
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/pages/:id', access: { permission: 'pages.write' }, tags: ['site'], audit: 'site.page_deleted',
    summary: 'Delete a page',
    params: idParam,
    handler: async ({ app, actor, params, auditTarget }) => {
      await app.site.deletePage(params.id, actor);
      auditTarget('page', params.id);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/pages/:id/preview', access: { permission: 'catalog.read' }, tags: ['site'], kind: 'page',
    summary: 'The saved draft rendered exactly as visitors will see it (for the editor’s preview frame)',
    params: idParam,
    handler: async ({ app, reply, params }) => {
      const page = await app.site.getPage(app.db, params.id);
      const html = await app.site.renderPreview(page.draft, page.productId);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/site/preview', access: { permission: 'pages.write' }, tags: ['site'], audit: false,
    summary: 'Live preview: unsaved page content rendered through the same components as the public page',
    body: previewBody,
    response: previewShape,
    handler: async ({ app, body }) => ({ html: await app.site.renderPreview(body.content, body.productId) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/site/forms', access: { permission: 'catalog.read' }, tags: ['site'],
    summary: 'The forms an opt-in block can embed (archived ones marked)',
    response: formChoicesShape,
    handler: async ({ app }) => ({ forms: await app.site.formChoices() }),
  }),
  defineRoute({
    method: 'GET', url: '/api/site/settings', access: { permission: 'catalog.read' }, tags: ['site'],
    summary: 'The store’s name and tagline',
    response: siteSettingsShape,
    handler: ({ app }) => app.site.getSettings(),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/site/settings', access: { permission: 'pages.write' }, tags: ['site'], audit: 'site.settings_updated',
    summary: 'Rename the store or change its tagline',
    body: siteSettingsBody,
    response: siteSettingsShape,
    handler: ({ app, actor, body }) => app.site.updateSettings(body, actor),
  }),
];
export { siteImageRoutes } from './image-routes.js';
