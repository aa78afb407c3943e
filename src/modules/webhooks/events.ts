// The webhooks module's events (a contract). They are not delivered as webhooks themselves.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

/** Only the scheme and host of an endpoint are recorded: a URL's path or query can be a secret. */
const endpoint = ev.object({ origin: z.string() });

export const webhookEvents = defineEvents({
  'webhook.endpoint_created': { subject: 'webhook_endpoint', data: ev.object({ origin: z.string(), eventTypes: z.array(z.string()), enabled: z.boolean() }) },
  'webhook.endpoint_updated': { subject: 'webhook_endpoint', data: ev.object({ origin: z.string(), changed: ev.changed() }) },
  'webhook.endpoint_deleted': { subject: 'webhook_endpoint', data: endpoint },
  'webhook.secret_rotated': { subject: 'webhook_endpoint', data: ev.object({ origin: z.string(), previousValidUntil: ev.iso() }) },
  'webhook.endpoint_disabled': {
    subject: 'webhook_endpoint',
    data: ev.object({ origin: z.string(), failingSince: ev.iso(), reason: z.string() }),
    description: 'An endpoint that kept failing was switched off; its owner turns it on again.',
  },
  'webhook.delivery_replayed': { subject: 'webhook_endpoint', data: ev.object({ deliveryId: ev.id(), replayOf: ev.id(), eventType: z.string() }) },
  'webhook.test_sent': { subject: 'webhook_endpoint', data: ev.object({ deliveryId: ev.id() }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof webhookEvents> {}
}
