// The owner module's events (a contract): the owner's settings, the alerts it raises and what
// the owner did with the weekly review's decisions.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

export const ownerEvents = defineEvents({
  'owner.settings_updated': { subject: 'owner_settings', data: ev.object({ changed: ev.changed() }) },
  'owner.alert_raised': {
    subject: 'owner_alert',
    data: ev.object({ detector: z.string(), key: z.string(), label: z.string(), detail: ev.text() }),
    description: 'A decline or a health problem the weekly review shows (one open alert per key and detector).',
  },
  'owner.alert_acknowledged': { subject: 'owner_alert', data: ev.object({ detector: z.string(), key: z.string() }) },
  'owner.delegation_accepted': {
    subject: 'owner_delegation',
    data: ev.object({ eventType: z.string(), role: z.string(), refundMax: ev.money().optional(), previousRefundMax: ev.money().optional() }),
    description: 'The owner handed a process that still needed them to an assistant role; for refunds and approvals the role\'s refund limit is raised (refundMax, in minor units).',
  },
  'owner.delegation_revoked': {
    subject: 'owner_delegation',
    data: ev.object({ eventType: z.string(), role: z.string(), refundMax: ev.money().optional() }),
    description: 'The owner took a delegation back; a refund limit it raised is set back (refundMax).',
  },
  'owner.review_sent': { subject: 'owner_review', data: ev.object({ week: z.string(), decisions: ev.int() }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof ownerEvents> {}
}
