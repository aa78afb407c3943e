// Server-rendered public pages. Components live in web/public and are React, rendered to
// static HTML here: no JavaScript is needed in the browser, and the admin app can preview
// a page with the very same components.
// Every page wears the business's brand: the server puts it on the request before the
// handler runs (server.ts), and it reaches the layout through BrandContext.
import type { FastifyReply } from 'fastify';
import type { ReactElement } from 'react';
import type { PublicBrand } from '../modules/brand/index.js';
import { renderHtml } from '../../web/public/render.js';

export { renderHtml };

declare module 'fastify' {
  interface FastifyRequest {
    /** the business's brand, for public pages (null on API and asset requests) */
    brand: PublicBrand | null;
  }
}

export function sendPage(reply: FastifyReply, element: ReactElement, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderHtml(element, reply.request.brand));
}
