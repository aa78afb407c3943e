// Access grants' events (a contract: subscribers and webhooks read them).
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const grant = ev.object({
  contactId: ev.id(),
  source: z.string(),
  sourceId: z.string().nullable().optional(),
  grantId: ev.id(),
  reason: z.string().nullable().optional(),
});

export const accessEvents = defineEvents({
  /** subject: the resource (a course, a product…) */
  'access.granted': { subject: '*', data: grant },
  'access.revoked': { subject: '*', data: grant },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof accessEvents> {}
}
