// The mail module's events (a contract: subscribers and webhooks read them).
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const bounce = ev.object({ email: z.string().optional(), kind: z.string(), provider: z.string(), detail: z.string().optional(), broadcastId: ev.id().nullable().optional() });
const named = ev.object({ name: z.string() });
const transition = ev.object({ name: z.string(), from: z.string() });

export const mailEvents = defineEvents({
  'email.sent': { subject: 'contact', data: ev.object({ tag: z.string().nullable().optional(), messageId: ev.id(), kept: z.boolean() }) },
  'email.opened': { subject: 'contact', data: ev.object({ broadcastId: ev.id().nullable().optional() }) },
  'email.clicked': { subject: 'contact', data: ev.object({ broadcastId: ev.id().nullable().optional(), url: z.string().optional() }) },
  'email.bounced': { subject: 'contact', data: bounce },
  'email.complained': { subject: 'contact', data: bounce },
  'contact.suppressed': { subject: 'contact', data: ev.object({ email: z.string(), reason: z.string() }) },
  'contact.unsuppressed': { subject: 'contact', data: ev.object({ email: z.string() }) },
  'broadcast.created': { subject: 'broadcast', data: named },
  'broadcast.updated': { subject: 'broadcast', data: ev.object({ fields: ev.changed() }) },
  'broadcast.deleted': { subject: 'broadcast', data: named },
  'broadcast.test_sent': { subject: 'broadcast', data: ev.object({ to: z.array(z.string()) }) },
  'broadcast.scheduled': { subject: 'broadcast', data: ev.object({ at: ev.iso(), name: z.string() }) },
  'broadcast.unscheduled': { subject: 'broadcast', data: transition },
  'broadcast.paused': { subject: 'broadcast', data: transition },
  'broadcast.resumed': { subject: 'broadcast', data: transition },
  'broadcast.cancelled': { subject: 'broadcast', data: transition },
  'broadcast.started': { subject: 'broadcast', data: ev.object({ recipients: z.number().int(), name: z.string() }) },
  'broadcast.finished': {
    subject: 'broadcast',
    data: ev.object({ sent: z.number().int(), failed: z.number().int(), skipped: z.number().int(), reclaimed: z.number().int().optional() }),
  },
  'broadcast.send_requested': {
    subject: 'broadcast',
    data: ev.object({ name: z.string(), approvalId: ev.id(), recipients: z.number().int(), reason: z.string() }),
    description: 'The marketing role asked to send a broadcast above its send limit; it waits for the owner\'s approval.',
  },
  'mail.send_limits_changed': {
    subject: null,
    data: ev.object({ role: z.string(), maxRecipients: z.number().int(), maxPerWeek: z.number().int(), previousMaxRecipients: z.number().int(), previousMaxPerWeek: z.number().int() }),
    description: 'The owner changed how many people one marketing send may reach and how many sends a week it may make.',
  },
  'broadcast.paused_by_guard': {
    subject: 'broadcast',
    data: ev.object({ name: z.string(), sent: z.number(), bounced: z.number(), complained: z.number(), bounceRate: z.number(), complaintRate: z.number(), detail: z.string() }),
  },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof mailEvents> {}
}
