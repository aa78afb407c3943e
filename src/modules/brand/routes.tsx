// Business settings (owner and admins, settings.manage) and what visitors fetch: the logo,
// the favicon (uploaded or generated) and the legal pages.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalid, notFound } from '../../errors.js';
import { sendPage } from '../../http/html.js';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { BrandService } from './index.js';
import { LegalPageView } from '../../../web/public/brand/pages.js';
import { defaultFaviconSvg, fontPairings, fonts, legalPages, themeLabels, themes, type LegalPage } from './brand.js';
import { renderLegalText } from './legal.js';
import { IMAGE_LIMITS, type BrandImageKind } from './service.js';
import { brandPageShape, brandSettingsShape as settingsShape } from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface BrandRouteDeps {
  brand: BrandService;
}
const defineRoute = routesFor<BrandRouteDeps>();

const kindParam = z.object({ kind: z.enum(['logo', 'favicon']) });

/** Images we serve: typed by their sniffed bytes, never rendered as a document, cached by version. */
function sendImage(reply: FastifyReply, req: FastifyRequest, img: { contentType: string; bytes: Buffer; hash: string }): FastifyReply {
  const versioned = typeof (req.query as Record<string, unknown> | undefined)?.v === 'string';
  return reply
    .type(img.contentType)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
    .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
    .header('etag', `"${img.hash}"`)
    .send(img.bytes);
}

export const brandRoutes: AnyRoute<BrandRouteDeps>[] = [
  defineRoute({
    method: 'GET', url: '/api/brand', access: { permission: 'settings.manage' }, tags: ['brand'],
    summary: 'The business settings: name, logo, colours, fonts, theme, sender, addresses, time zone, currency, legal pages',
    response: brandPageShape,
    handler: async ({ app }) => ({
      settings: await app.brand.getSettings(),
      choices: {
        themes: themes.map((id) => ({ id, label: themeLabels[id] })),
        fonts: fontPairings.map((id) => ({ id, label: fonts[id].label, heading: fonts[id].heading, body: fonts[id].body })),
        limits: IMAGE_LIMITS,
      },
    }),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/brand', access: { permission: 'settings.manage' }, tags: ['brand'], audit: 'brand.updated',
    summary: 'Change business settings (any subset; checked strictly, an event with the actor)',
    // Checked by the service's schema (one definition); here only its shape and size.
    body: z.record(z.string(), z.unknown()),
    response: settingsShape,
    handler: ({ app, body, actor }) => app.brand.update(body, actor),
  }),
  defineRoute({
    method: 'PUT', url: '/api/brand/images/:kind', access: { permission: 'settings.manage' }, tags: ['brand'], audit: 'brand.image_uploaded',
    summary: 'Upload the logo or the favicon (multipart/form-data, field "file"; PNG, JPEG, GIF, WebP or ICO; logo ≤ 1 MB, favicon ≤ 256 KB)',
    params: kindParam, response: settingsShape,
    handler: async ({ app, req, params, actor }) => {
      if (!req.isMultipart()) throw invalid('Send the image as multipart/form-data in a field named "file"');
      const part = await req.file();
      if (!part) throw invalid('Attach an image in a field named "file"');
      return app.brand.uploadImage(params.kind as BrandImageKind, part.file, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/brand/images/:kind', access: { permission: 'settings.manage' }, tags: ['brand'], audit: 'brand.image_removed',
    summary: 'Remove the logo or the favicon (the generated favicon takes its place)',
    params: kindParam, response: settingsShape,
    handler: ({ app, params, actor }) => app.brand.removeImage(params.kind as BrandImageKind, actor),
  }),

  // ---- public ---------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/brand/logo', access: 'public', kind: 'page', summary: "The business's logo",
    handler: async ({ app, req, reply }) => {
      const img = await app.brand.image('logo');
      if (!img) throw notFound('The logo');
      return sendImage(reply, req, img);
    },
  }),
  defineRoute({
    method: 'GET', url: '/brand/favicon', access: 'public', kind: 'page', summary: "The business's uploaded favicon",
    handler: async ({ app, req, reply }) => {
      const img = await app.brand.image('favicon');
      if (!img) throw notFound('The favicon');
      return sendImage(reply, req, img);
    },
  }),
  defineRoute({
    method: 'GET', url: '/brand/favicon.svg', access: 'public', kind: 'page', summary: "The generated favicon: the business's initial on its colour",
    handler: async ({ app, req, reply }) => {
      const brand = await app.brand.current();
      return sendImage(reply, req, { contentType: 'image/svg+xml', bytes: Buffer.from(defaultFaviconSvg(brand)), hash: `g${brand.version}` });
    },
  }),
  defineRoute({
    method: 'GET', url: '/favicon.ico', access: 'public', kind: 'page', summary: 'The favicon browsers ask for by themselves: the uploaded one or the generated one',
    handler: async ({ app, req, reply }) => {
      const img = await app.brand.image('favicon');
      if (img) return sendImage(reply, req, img);
      const brand = await app.brand.current();
      return sendImage(reply, req, { contentType: 'image/svg+xml', bytes: Buffer.from(defaultFaviconSvg(brand)), hash: `g${brand.version}` });
    },
  }),
  defineRoute({
    method: 'GET', url: '/legal/:page', access: 'public', kind: 'page', summary: 'The terms of sale, privacy policy or refund policy',
    params: z.object({ page: z.string().max(20) }),
    handler: async ({ app, reply, params }) => {
      const key = (Object.keys(legalPages) as LegalPage[]).find((k) => legalPages[k].slug === params.page);
      const text = key ? await app.brand.legalText(key) : '';
      if (!key || !text) throw notFound('This page');
      return sendPage(reply, <LegalPageView title={legalPages[key].title} html={renderLegalText(text)} />);
    },
  }),
];
