// The approvals module's events (a contract): every request and decision, with its actor.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const request = { approvalId: ev.id(), kind: z.string(), title: z.string() };

export const approvalEvents = defineEvents({
  'approval.requested': {
    subject: 'approval',
    data: ev.object({ ...request, urgent: z.boolean(), subjectType: z.string().nullable(), subjectId: z.string().nullable() }),
    description: 'Someone asked the owner to decide on an action they may not take alone.',
  },
  'approval.approved': { subject: 'approval', data: ev.object({ ...request, requestedBy: z.string(), result: z.string().nullable() }) },
  'approval.refused': { subject: 'approval', data: ev.object({ ...request, requestedBy: z.string(), note: z.string().nullable() }) },
  'approval.cancelled': { subject: 'approval', data: ev.object(request) },
  'approval.delegated': {
    subject: 'approval',
    data: ev.object({ ...request, delegatedTo: ev.id(), previous: z.string().nullable() }),
    description: 'The owner handed a pending request to an admin, who may now decide it (previous: the admin who had it before).',
  },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof approvalEvents> {}
}
