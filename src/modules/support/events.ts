// The support module's events (a contract): every change to a conversation, every action an
// assistant takes from one and every decision on it, each with its actor.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const conv = 'support_conversation';
const base = { contactId: ev.id().optional(), number: z.number().int().optional() };

export const supportEvents = defineEvents({
  'support.conversation_created': { subject: conv, data: ev.object({ ...base, channel: z.string(), via: z.string().optional() }) },
  'support.message_received': {
    subject: conv,
    data: ev.object({ ...base, messageId: ev.id(), via: z.string(), auto: z.string().nullable().optional(), reopened: z.boolean().optional() }),
    description: 'A customer wrote (email, the site contact block or a lesson question).',
  },
  'support.replied': { subject: conv, data: ev.object({ ...base, messageId: ev.id(), mailMessageId: ev.id().optional(), first: z.boolean().optional() }) },
  'support.note_added': { subject: conv, data: ev.object({ ...base, messageId: ev.id(), mentions: z.array(z.string()).optional() }) },
  'support.status_changed': { subject: conv, data: ev.object({ ...base, from: z.string(), to: z.string(), snoozedUntil: ev.iso().optional() }) },
  'support.assigned': { subject: conv, data: ev.object({ ...base, assigneeId: ev.id().nullable(), how: z.enum(['manual', 'round_robin']).optional() }) },
  'support.merged': { subject: conv, data: ev.object({ ...base, into: ev.id(), messages: z.number().int() }) },
  'support.split': { subject: conv, data: ev.object({ ...base, from: ev.id(), messages: z.number().int() }) },
  'support.action_taken': {
    subject: conv,
    data: ev.object({ ...base, actionId: ev.id(), kind: z.string(), amount: ev.money().optional(), currency: z.string().optional(), approvalId: ev.id().optional() }),
    description: 'An assistant (or the owner) resent a receipt or sign-in link, extended access or refunded, within their limits or after approval.',
  },
  'support.action_requested': {
    subject: conv,
    data: ev.object({ ...base, actionId: ev.id(), kind: z.string(), approvalId: ev.id(), reason: z.string(), urgent: z.boolean().optional() }),
    description: 'An action above the role\'s limit became an approval request for the owner.',
  },
  'support.action_decided': { subject: conv, data: ev.object({ ...base, actionId: ev.id(), kind: z.string(), decision: z.enum(['approved', 'refused']) }) },
  'support.sla_breached': {
    subject: conv,
    data: ev.object({ ...base, target: z.enum(['first_response', 'resolution']), dueAt: ev.iso(), assigneeId: ev.id().nullable().optional() }),
    description: 'A conversation passed its first-response or resolution target (business hours).',
  },
  'support.rated': {
    subject: conv,
    data: ev.object({ ...base, rating: z.enum(['great', 'okay', 'bad']), previous: z.enum(['great', 'okay', 'bad']).optional(), comment: z.boolean().optional() }),
    description: 'The customer rated a conversation from the link in the reply that closed it (the last rating counts; the comment itself stays on the conversation).',
  },
  'support.settings_changed': { subject: null, data: ev.object({ changed: ev.changed() }) },
  'support.canned_reply_saved': { subject: 'support_canned_reply', data: ev.object({ shortcut: z.string() }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof supportEvents> {}
}
