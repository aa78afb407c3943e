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
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof approvalEvents> {}
}
