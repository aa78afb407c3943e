// The catalog's events (a contract: subscribers and webhooks read them).
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const changed = ev.object({ changed: ev.changed() });

export const catalogEvents = defineEvents({
  'product.created': { subject: 'product', data: ev.object({ name: z.string(), kind: z.string() }) },
  'product.updated': { subject: 'product', data: changed },
  'product.draft': { subject: 'product', data: changed, description: 'a product went back to draft' },
  'product.published': { subject: 'product', data: changed },
  'product.archived': { subject: 'product', data: changed },
  'price.created': { subject: 'product', data: ev.object({ priceId: ev.id(), type: z.string(), amount: ev.money(), currency: ev.currency() }) },
  'price.updated': { subject: 'product', data: ev.object({ priceId: ev.id() }) },
  'product.file_added': { subject: 'product', data: ev.object({ fileId: ev.id(), name: z.string(), size: z.number() }) },
  'product.file_removed': { subject: 'product', data: ev.object({ fileId: ev.id(), name: z.string() }) },
  'coupon.created': { subject: 'coupon', data: ev.object({ code: z.string() }) },
  'coupon.updated': { subject: 'coupon', data: changed },
  'offer.created': { subject: 'offer', data: ev.object({ kind: z.string(), productId: ev.id() }) },
  'offer.updated': { subject: 'offer', data: changed },
  'offer.deleted': { subject: 'offer', data: ev.object({ kind: z.string() }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof catalogEvents> {}
}
