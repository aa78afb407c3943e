// The site's events (a contract: subscribers and webhooks read them).
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const slug = ev.object({ slug: z.string() });

export const siteEvents = defineEvents({
  'site.settings_updated': { subject: null, data: ev.object({ changed: ev.changed() }) },
  'page.created': { subject: 'page', data: ev.object({ slug: z.string(), kind: z.string(), productId: z.string().nullable().optional() }) },
  'page.updated': { subject: 'page', data: slug },
  'page.published': { subject: 'page', data: ev.object({ slug: z.string(), version: z.number().int() }) },
  'page.unpublished': { subject: 'page', data: slug },
  'page.deleted': { subject: 'page', data: slug },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof siteEvents> {}
}
