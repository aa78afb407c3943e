// The customer portal's events (a contract: subscribers and webhooks read them).
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

export const portalEvents = defineEvents({
  'customer.signed_in': { subject: 'contact', data: ev.empty() },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof portalEvents> {}
}
