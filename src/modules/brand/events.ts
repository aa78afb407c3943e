// The brand module's events (a contract): the business identity changed, and by whom.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const imageKind = z.enum(['logo', 'favicon']);

export const brandEvents = defineEvents({
  'brand.updated': { subject: null, data: ev.object({ changed: ev.changed() }) },
  'brand.image_uploaded': { subject: null, data: ev.object({ kind: imageKind, contentType: z.string(), size: z.number().int().nonnegative() }) },
  'brand.image_removed': { subject: null, data: ev.object({ kind: imageKind }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof brandEvents> {}
}
