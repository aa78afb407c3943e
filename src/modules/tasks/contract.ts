// The tasks API's shapes: request and response schemas its routes validate with, and the types
// the admin app uses for them (types only reach the browser). Plain data: no server code here.
import { z } from 'zod';
import type { Wire } from '../../wire.js';
import { roles } from '../../permissions.js';

/** The kinds of things the task editor's subject picker searches. */
export const subjectTypes = ['course', 'post', 'product'] as const;

const title = z.string().trim().min(1, 'Give it a title').max(200);
/** Markdown bodies: 100 000 characters is a long manual; more is a mistake or an attack. */
const markdown = z.string().max(100_000, 'At most 100 000 characters');

export const recurrenceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once') }),
  z.object({ kind: z.literal('weekly'), weekday: z.number().int().min(0).max(6), interval: z.number().int().min(1).max(52).default(1) }),
  z.object({ kind: z.literal('monthly'), day: z.number().int().min(1).max(31), interval: z.number().int().min(1).max(12).default(1) }),
  z.object({ kind: z.literal('days'), every: z.number().int().min(1).max(366) }),
]);

export const assigneeSchema = z.union([z.object({ role: z.enum(roles) }).strict(), z.object({ userId: z.uuid('Choose a team member') }).strict()]);
const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date as YYYY-MM-DD');
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time as HH:MM');

export const subjectSchema = z.object({
  type: z.string().regex(/^[a-z_]{1,40}$/, 'a kind such as course or post'),
  id: z.string().trim().min(1).max(200),
  label: z.string().trim().min(1).max(200),
});

export const sopInputSchema = z.object({ title, body: markdown, role: z.enum(roles).nullable().default(null) });
export const sopPatchSchema = z.object({ title, body: markdown, role: z.enum(roles).nullable() }).partial();

export const taskInputSchema = z.object({
  title,
  notes: z.string().max(5000).default(''),
  assignee: assigneeSchema,
  sopId: z.uuid().nullable().default(null),
  subject: subjectSchema.nullable().default(null),
  recurrence: recurrenceSchema,
  startsOn: calendarDate,
  dueTime: timeOfDay.default('17:00'),
});
export const taskPatchSchema = z.object({
  title,
  notes: z.string().max(5000),
  assignee: assigneeSchema,
  sopId: z.uuid().nullable(),
  subject: subjectSchema.nullable(),
  recurrence: recurrenceSchema,
  startsOn: calendarDate,
  dueTime: timeOfDay,
}).partial();

export const sopShape = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  role: z.string().nullable(),
  revision: z.number(),
  /** the body rendered and sanitised */
  html: z.string(),
  checklist: z.array(z.string()),
  archived: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const sopRevisionShape = z.object({
  revision: z.number(),
  title: z.string(),
  role: z.string().nullable(),
  changed: z.array(z.string()),
  actor: z.string(),
  actorName: z.string().nullable(),
  createdAt: z.date(),
});

const assigneeView = z.object({ role: z.string().nullable(), userId: z.string().nullable(), name: z.string() });
export const checklistItemShape = z.object({ id: z.string(), text: z.string(), done: z.boolean(), doneAt: z.string().optional(), doneBy: z.string().optional() });

export const occurrenceShape = z.object({
  id: z.string(),
  taskId: z.string(),
  title: z.string(),
  notes: z.string(),
  dueOn: z.string(),
  dueAt: z.date(),
  assignee: assigneeView,
  sop: z.object({ id: z.string(), title: z.string(), revision: z.number().nullable() }).nullable(),
  subject: subjectSchema.nullable(),
  checklist: z.array(checklistItemShape),
  status: z.enum(['open', 'done', 'skipped']),
  overdue: z.boolean(),
  closedAt: z.date().nullable(),
  closedBy: z.string().nullable(),
  late: z.boolean(),
  skipReason: z.string().nullable(),
});

export const taskShape = z.object({
  id: z.string(),
  title: z.string(),
  notes: z.string(),
  assignee: assigneeView,
  sop: z.object({ id: z.string(), title: z.string() }).nullable(),
  subject: subjectSchema.nullable(),
  recurrence: recurrenceSchema,
  recurrenceText: z.string(),
  startsOn: z.string(),
  dueTime: z.string(),
  nextDueOn: z.string().nullable(),
  last: occurrenceShape.pick({ id: true, dueOn: true, status: true, overdue: true, closedAt: true, closedBy: true, late: true }).nullable(),
  createdAt: z.date(),
});

export const myDayShape = z.object({
  today: z.string(),
  timeZone: z.string(),
  /** open occurrences due today or earlier, the overdue first */
  due: z.array(occurrenceShape),
  /** closed today by anyone, for the same assignee */
  closedToday: z.array(occurrenceShape),
});

/** A team member's reminder choice: an email when one of their (or their role's) tasks becomes overdue. */
export const notificationSettingsShape = z.object({ overdueEmail: z.boolean() });

export const personShape = z.object({ id: z.string(), name: z.string(), role: z.string() });

/** GET /api/sops */
export const sopListShape = z.object({ sops: z.array(sopShape) });
/** GET /api/sops/:id: the procedure and its revisions. */
export const sopDetailShape = z.object({ sop: sopShape, revisions: z.array(sopRevisionShape) });
/** POST /api/sops/preview: the procedure rendered, and the checklist its tasks would get. */
export const sopPreviewShape = z.object({ html: z.string(), checklist: z.array(z.string()) });
/** GET /api/tasks: the tasks, the people they can go to, and the business's time zone and today (YYYY-MM-DD). */
export const taskListShape = z.object({ tasks: z.array(taskShape), people: z.array(personShape), timeZone: z.string(), today: z.string() });
/** GET /api/tasks/subjects */
export const subjectListShape = z.object({ subjects: z.array(subjectSchema) });
/** GET /api/tasks/subjects: titles containing q, of one type. */
export const subjectQuery = z.object({ q: z.string().max(200).default(''), type: z.enum(subjectTypes).optional(), limit: z.coerce.number().int().min(1).max(50).default(20) });
/** GET /api/tasks/:id/occurrences */
export const occurrenceListShape = z.object({ occurrences: z.array(occurrenceShape) });

export type RecurrenceInput = z.input<typeof recurrenceSchema>;
export type TaskInput = z.input<typeof taskInputSchema>;
export type SopInput = z.input<typeof sopInputSchema>;
export type Sop = Wire<z.output<typeof sopShape>>;
export type SopRevision = Wire<z.output<typeof sopRevisionShape>>;
export type TaskOccurrence = Wire<z.output<typeof occurrenceShape>>;
export type Task = Wire<z.output<typeof taskShape>>;
export type MyDay = Wire<z.output<typeof myDayShape>>;
export type NotificationSettings = z.output<typeof notificationSettingsShape>;
export type Person = Wire<z.output<typeof personShape>>;
export type SopList = Wire<z.output<typeof sopListShape>>;
export type SopDetail = Wire<z.output<typeof sopDetailShape>>;
export type SopPreview = z.output<typeof sopPreviewShape>;
export type TaskList = Wire<z.output<typeof taskListShape>>;
export type TaskSubjects = Wire<z.output<typeof subjectListShape>>;
export type OccurrenceList = Wire<z.output<typeof occurrenceListShape>>;
