// Page images: the editor uploads them (pages.write); anyone may fetch them, as they appear on
// public pages. Served with their sniffed type, nosniff and a CSP that runs nothing.
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { invalid } from '../../errors.js';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { SiteImageStore } from './index.js';
import { imageShape } from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface SiteImageRouteDeps {
  siteImages: SiteImageStore;
}
const defineRoute = routesFor<SiteImageRouteDeps>();

export const siteImageRoutes: AnyRoute<SiteImageRouteDeps>[] = [
  defineRoute({
    method: 'POST', url: '/api/site/images', access: { permission: 'pages.write' }, tags: ['site'], status: 201,
    summary: 'Upload an image for a page block (multipart/form-data, field "file"; PNG, JPEG, WebP or GIF up to 5 MB)',
    response: imageShape,
    handler: async ({ app, req, actor, auditTarget }) => {
      if (!req.isMultipart()) throw invalid('Send the image as multipart/form-data in a field named "file"', { field: 'file' });
      const part = await req.file();
      if (!part) throw invalid('Attach an image in a field named "file"', { field: 'file' });
      const image = await app.siteImages.save({ stream: part.file, filename: part.filename }, actor);
      auditTarget('image', image.name, { size: image.size });
      return image;
    },
  }),
  defineRoute({
    method: 'GET', url: '/media/images/:name', access: 'public', kind: 'page',
    summary: 'A page image',
    params: z.object({ name: z.string().max(64) }),
    handler: async ({ app, reply, params }) => {
      const image = await app.siteImages.open(params.name);
      if (!image) return reply.callNotFound();
      return reply
        .header('content-type', image.contentType)
        .header('content-length', image.size)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        // The name is random and never reused: the bytes behind it never change.
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(createReadStream(image.file));
    },
  }),
];
