// The owner module's events (a contract): the owner's settings, the alerts it raises and what
// the owner did with the weekly review's decisions.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const publishPolicy = z.object({ mode: z.enum(['free', 'approval', 'tags']), tags: z.array(z.string().max(40)).max(20).optional() });

const sendLimit = ev.object({ maxRecipients: z.number().int(), maxPerWeek: z.number().int() });

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
    data: ev.object({ eventType: z.string(), role: z.string(), refundMax: ev.money().optional(), previousRefundMax: ev.money().optional(), publishPolicy: publishPolicy.optional(), previousPublishPolicy: publishPolicy.optional(), sendLimit: sendLimit.optional(), previousSendLimit: sendLimit.optional(), editsLiveCourses: z.boolean().optional(), roundRobin: z.boolean().optional(), alertsTo: z.enum(['admin', 'marketing']).optional(), detector: z.string().optional(), tasksCreated: ev.int().optional() }),
    description: 'The owner handed a process that still needed them to an assistant role; for refunds and approvals the role\'s refund limit is raised (refundMax, in minor units); for blog posts the role\'s publishing policy is eased (publishPolicy); for broadcasts the marketing role\'s send limit is raised (sendLimit); for lessons the content role may change published courses (editsLiveCourses); for support new conversations go to the support role in turn (roundRobin); for failing automation runs (to admin) and the list (to marketing or admin) each alert of the matching detector (automation_health, mail_guard) becomes a task of the role (alertsTo, detector, with the tasks made for those already open: tasksCreated).',
  },
  'owner.delegation_revoked': {
    subject: 'owner_delegation',
    data: ev.object({ eventType: z.string(), role: z.string(), refundMax: ev.money().optional(), publishPolicy: publishPolicy.optional(), sendLimit: sendLimit.optional(), editsLiveCourses: z.boolean().optional(), roundRobin: z.boolean().optional() }),
    description: 'The owner took a delegation back; a refund limit, publishing policy, send limit or live-course permission it changed is set back (refundMax, publishPolicy, sendLimit, editsLiveCourses).',
  },
  'owner.review_sent': { subject: 'owner_review', data: ev.object({ week: z.string(), decisions: ev.int() }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof ownerEvents> {}
}
