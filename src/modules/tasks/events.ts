// The tasks module's events (a contract): SOP edits, task set-up, and the life of each occurrence.
// The owner's weekly review reads task.completed / task.skipped / task.overdue to see what the
// assistants did and what slipped.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const occurrence = {
  taskId: ev.id(),
  title: z.string().max(300),
  /** the due date, a calendar date in the brand's time zone */
  dueOn: z.string().max(10),
  assigneeRole: z.string().nullable().optional(),
  assigneeUserId: z.string().nullable().optional(),
};

export const taskEvents = defineEvents({
  'sop.created': { subject: 'sop', data: ev.object({ title: z.string().max(300), role: z.string().nullable(), revision: ev.int() }) },
  'sop.updated': { subject: 'sop', data: ev.object({ title: z.string().max(300), revision: ev.int(), changed: ev.changed() }) },
  'sop.archived': { subject: 'sop', data: ev.object({ title: z.string().max(300) }) },
  'task.created': { subject: 'task', data: ev.object({ title: z.string().max(300), recurrence: z.string().max(200), assigneeRole: z.string().nullable(), assigneeUserId: z.string().nullable(), sopId: z.string().nullable() }) },
  'task.updated': { subject: 'task', data: ev.object({ title: z.string().max(300), changed: ev.changed() }) },
  'task.archived': { subject: 'task', data: ev.object({ title: z.string().max(300) }) },
  'task.due': { subject: 'task_occurrence', data: ev.object(occurrence), description: 'A task occurrence was created for its due date.' },
  'task.item_checked': { subject: 'task_occurrence', data: ev.object({ ...occurrence, itemId: z.string().max(20), item: z.string().max(500), done: z.boolean() }) },
  'task.completed': {
    subject: 'task_occurrence',
    data: ev.object({ ...occurrence, late: z.boolean(), minutesLate: ev.int().optional(), itemsDone: ev.int().optional(), itemsTotal: ev.int().optional() }),
    description: 'An occurrence was done; late when after its due time.',
  },
  'task.skipped': { subject: 'task_occurrence', data: ev.object({ ...occurrence, reason: z.string().max(1000) }) },
  'task.checklist_edited': {
    subject: 'task_occurrence',
    data: ev.object({ ...occurrence, added: ev.int(), removed: ev.int(), items: ev.int(), itemsDone: ev.int() }),
    description: "A task manager changed an open occurrence's checklist (items added, reworded or removed; unchanged ones keep their ticks).",
  },
  'task.reopened': {
    subject: 'task_occurrence',
    data: ev.object({ ...occurrence, from: z.enum(['done', 'skipped']), reason: z.string().max(1000).optional() }),
    description: 'A done or skipped occurrence was opened again (its checklist can be changed again).',
  },
  'task.reminders_turned_off': {
    subject: 'user',
    data: ev.object({ via: z.enum(['one_click']) }),
    description: "A team member turned overdue reminders off from the email's signed one-click link (no sign-in).",
  },
  'task.overdue': { subject: 'task_occurrence', data: ev.object({ ...occurrence, dueAt: ev.iso() }), description: 'An occurrence passed its due time still open (recorded once).' },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof taskEvents> {}
}
