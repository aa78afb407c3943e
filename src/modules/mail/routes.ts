import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../http/route.js';

const messageSummary = z.object({
  id: z.string(),
  stream: z.string(),
  tag: z.string(),
  to: z.string(),
  subject: z.string(),
  status: z.string(),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
});

export const mailRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET', url: '/api/outbox', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'Messages Onehour sent or keeps in its outbox, newest first',
    query: z.object({ to: z.string().max(320).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    response: z.object({ messages: z.array(messageSummary), outboxOnly: z.boolean() }),
    handler: async ({ app, query }) => ({ messages: await app.mail.listOutbox(query), outboxOnly: app.mail.outboxOnly }),
  }),
  defineRoute({
    method: 'GET', url: '/api/outbox/:id', access: { permission: 'mail.read' }, tags: ['mail'],
    summary: 'One message with its text and HTML, for preview',
    params: z.object({ id: z.uuid() }),
    response: messageSummary.extend({ from: z.string(), text: z.string(), html: z.string().nullable(), error: z.string().nullable() }),
    handler: async ({ app, params }) => {
      const m = await app.mail.getMessage(params.id);
      return { id: m.id, stream: m.stream, tag: m.tag, to: m.toAddress, from: m.fromAddress, subject: m.subject, status: m.status, createdAt: m.createdAt, sentAt: m.sentAt, text: m.text, html: m.html, error: m.error };
    },
  }),
];
