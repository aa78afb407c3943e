// Server-rendered public pages. Components live in web/public and are React, rendered to
// static HTML here: no JavaScript is needed in the browser, and the admin app can preview
// a page with the very same components.
import type { FastifyReply } from 'fastify';
import type { ReactElement } from 'react';
import { renderHtml } from '../../web/public/render.js';

export { renderHtml };

export function sendPage(reply: FastifyReply, element: ReactElement, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderHtml(element));
}
