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
  'site.image_uploaded': { subject: 'image', data: ev.object({ filename: z.string(), size: z.number().int().nonnegative(), contentType: z.string() }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof siteEvents> {}
}
