// The automation module's events (a contract): what workflows are, and what each run did.
// Every change a run makes elsewhere (a tag, an email, access) is that module's own event,
// recorded with the actor `automation:<workflow id>`.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const run = { workflowId: ev.id(), runId: ev.id() };

export const automationEvents = defineEvents({
  'automation.created': { subject: 'workflow', data: ev.object({ name: z.string(), template: z.string().nullable().optional() }) },
  'automation.updated': { subject: 'workflow', data: ev.object({ changed: ev.changed() }) },
  'automation.published': { subject: 'workflow', data: ev.object({ version: ev.int(), name: z.string(), moved: z.unknown().optional() }) },
  'automation.paused': { subject: 'workflow', data: ev.empty() },
  'automation.resumed': { subject: 'workflow', data: ev.empty() },
  'automation.deleted': { subject: 'workflow', data: ev.object({ name: z.string(), ended: ev.int() }) },
  'automation.entered': { subject: 'contact', data: ev.object({ ...run, trigger: z.string() }), description: 'A contact started a run of a workflow.' },
  'automation.completed': { subject: 'contact', data: ev.object({ ...run, reason: z.string().nullable().optional() }) },
  'automation.exited': { subject: 'contact', data: ev.object({ ...run, reason: z.string().nullable().optional() }), description: 'A run left before its end (a goal met, the contact unsubscribed or was deleted, the workflow deleted).' },
  'automation.failed': { subject: 'contact', data: ev.object({ ...run, reason: z.string().nullable().optional() }) },
  'automation.step_retried': { subject: 'contact', data: ev.object({ ...run, stepId: z.string().nullable() }) },
  'automation.step_skipped': { subject: 'contact', data: ev.object({ ...run, stepId: z.string().nullable() }) },
  'automation.email_clicked': { subject: 'contact', data: ev.object({ ...run, url: z.string() }), description: 'A contact clicked a link in a workflow’s email (first click of each link).' },
  'automation.task_created': { subject: 'contact', data: ev.object({ ...run, role: z.string(), title: z.string() }) },
  'automation.owner_notified': { subject: 'contact', data: ev.object({ ...run, message: z.string(), urgent: z.boolean().optional() }), description: 'Collected for the weekly review unless urgent.' },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof automationEvents> {}
}
