// The automation staff API's shapes: what a workflow is (its definition: triggers, steps,
// goals — the format stored as the draft and copied into each version, definition.ts checks
// and runs it), the request and response schemas its routes validate with (routes.ts), and the
// types the admin's Automations pages use for them (types only reach the browser:
// src/wire.ts). Plain data: no server code here.
import { z } from 'zod';
import type { Wire } from '../../wire.js';
import { subjectQuery, subjectTypes } from '../tasks/contract.js';

export const workflowStatuses = ['draft', 'live', 'paused', 'deleted'] as const;
export const runStates = ['active', 'waiting', 'done', 'exited', 'failed'] as const;
/** what became of one step a run executed */
export const stepStatuses = ['done', 'skipped', 'failed'] as const;

// ---- a workflow's definition -------------------------------------------------------------------

const text = (max: number) => z.string().max(max).refine((s) => !s.includes('\u0000'), 'NUL bytes are not allowed');
const stepId = z.string().regex(/^[a-z0-9_-]{1,40}$/, 'step ids are lower-case letters, digits, - and _');
const next = stepId.nullable().optional();
const uuid = z.uuid();
const fieldKey = z.string().regex(/^[a-z0-9_]{1,40}$/, 'field names are lower-case letters, digits and _');

export const triggerSchema = z.discriminatedUnion('type', [
  /** subscribed to a list (any, or one), from any source or one form: also "form submitted" */
  z.object({ type: z.literal('contact.subscribed'), listId: uuid.optional(), formId: uuid.optional() }),
  z.object({ type: z.literal('contact.confirmed'), formId: uuid.optional() }),
  z.object({ type: z.literal('tag.added'), tagId: uuid }),
  z.object({ type: z.literal('tag.removed'), tagId: uuid }),
  /** any order, or one containing one of these products */
  z.object({ type: z.literal('order.paid'), productIds: z.array(uuid).max(50).optional() }),
  z.object({ type: z.literal('order.refunded') }),
  z.object({ type: z.literal('payment.failed') }),
  /** an order created and not paid within `minutes`: the run starts then, and ends if the contact pays meanwhile */
  z.object({ type: z.literal('checkout.abandoned'), minutes: z.number().int().min(5).max(10_080) }),
  z.object({ type: z.literal('lesson.completed'), courseId: uuid.optional() }),
  z.object({ type: z.literal('lesson.unlocked'), courseId: uuid.optional() }),
  z.object({ type: z.literal('course.completed'), courseId: uuid.optional() }),
  /** a custom field set to a new value (any value, or one) */
  z.object({ type: z.literal('field.changed'), field: fieldKey, value: text(500).optional() }),
  // Time-based: evaluated by the automation.scan job on the app clock, once per occurrence.
  /** started the course, not completed it, and no lesson completed for `days` */
  z.object({ type: z.literal('course.stalled'), courseId: uuid, days: z.number().int().min(1).max(365) }),
  /** an active contact, signed up at least `days` ago, who opened and clicked nothing for `days` */
  z.object({ type: z.literal('inactive'), days: z.number().int().min(1).max(3650) }),
  /** the date in a custom field (YYYY-MM-DD, or MM-DD when yearly) is today, UTC: every year (a birthday) or once */
  z.object({ type: z.literal('date.field'), field: fieldKey, yearly: z.boolean().default(true) }),
  /** `days` days after the contact signed up */
  z.object({ type: z.literal('signup.after'), days: z.number().int().min(1).max(3650) }),
  /** staff enrol contacts from the admin (one, a list of them, a segment) or the API */
  z.object({ type: z.literal('manual') }),
]);

export const conditionSchema = z.discriminatedUnion('test', [
  z.object({ test: z.literal('has_tag'), tagId: uuid }),
  z.object({ test: z.literal('field_equals'), field: z.string().regex(/^[a-z0-9_]{1,40}$/), value: text(500) }),
  z.object({ test: z.literal('in_segment'), segmentId: uuid }),
  z.object({ test: z.literal('purchased'), productId: uuid }),
  /** the run's last email before this step: opened (a click counts as an open) or clicked */
  z.object({ test: z.literal('opened_previous') }),
  z.object({ test: z.literal('clicked_previous') }),
  /** completed at least `percent` % of the course's lessons */
  z.object({ test: z.literal('course_progress'), courseId: uuid, percent: z.number().int().min(1).max(100) }),
]);

const base = { id: stepId, label: text(120).optional() };
export const stepSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('wait'), minutes: z.number().int().min(1).max(525_600), next }),
  z.object({ ...base, kind: z.literal('wait_until'), at: z.iso.datetime({ offset: true }), next }),
  /** weekday 0 = Sunday; time HH:MM in the contact's time zone (field `timezone`, else the business's UTC) */
  z.object({ ...base, kind: z.literal('wait_weekday'), weekday: z.number().int().min(0).max(6), time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/), next }),
  z.object({ ...base, kind: z.literal('wait_event'), event: z.enum(['order.paid', 'contact.tagged', 'course.completed', 'lesson.completed', 'email.clicked']), timeoutMinutes: z.number().int().min(1).max(525_600), next, timeoutNext: next }),
  z.object({ ...base, kind: z.literal('condition'), condition: conditionSchema, yes: next, no: next }),
  z.object({ ...base, kind: z.literal('split'), branches: z.array(z.object({ percent: z.number().int().min(0).max(100), next })).min(2).max(5) }),
  z.object({ ...base, kind: z.literal('email'), subject: text(300).min(1), body: text(50_000).min(1), marketing: z.boolean().default(true), next }),
  z.object({ ...base, kind: z.literal('tag'), action: z.enum(['add', 'remove']), tagId: uuid, next }),
  z.object({ ...base, kind: z.literal('set_field'), field: z.string().regex(/^[a-z0-9_]{1,40}$/), value: text(2000), next }),
  z.object({ ...base, kind: z.literal('list'), action: z.enum(['subscribe', 'unsubscribe']), listId: uuid, next }),
  z.object({ ...base, kind: z.literal('access'), action: z.enum(['grant', 'revoke']), productId: uuid, next }),
  /**
   * A one-off task in the tasks module: for a role (everyone in it) or one person of the team
   * (`userId`; the role when they have left), due `dueInDays` after the day it runs (brand time
   * zone) at `dueTime`, optionally about the run's contact or a picked course / post / product,
   * and following an SOP. Title and notes take Liquid ({{ contact.email }}).
   */
  z.object({
    ...base,
    kind: z.literal('task'),
    role: z.enum(['admin', 'support', 'content', 'marketing']),
    userId: uuid.optional(),
    title: text(200).min(1),
    notes: text(5000).optional(),
    dueInDays: z.number().int().min(0).max(365).default(0),
    dueTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).optional(),
    subject: z.union([z.literal('contact'), z.object({ type: z.string().regex(/^[a-z_]{1,40}$/), id: text(200).min(1), label: text(200).min(1) })]).optional(),
    sopId: uuid.optional(),
    next,
  }),
  z.object({ ...base, kind: z.literal('webhook'), url: z.url().max(2000), next }),
  z.object({ ...base, kind: z.literal('notify'), message: text(500).min(1), urgent: z.boolean().default(false), next }),
  z.object({ ...base, kind: z.literal('end') }),
]);

export const goalSchema = z.object({
  id: stepId,
  label: text(120),
  /** the event that meets it: a paid order (optionally of chosen products) or a tag added */
  event: z.enum(['order.paid', 'contact.tagged']),
  productIds: z.array(uuid).max(50).optional(),
  tagId: uuid.optional(),
  /** null: the contact leaves the workflow; a step id: the run jumps there */
  then: stepId.nullable(),
});

export const definitionSchema = z.object({
  triggers: z.array(triggerSchema).max(10),
  start: stepId.nullable(),
  steps: z.array(stepSchema).max(200),
  goals: z.array(goalSchema).max(10).default([]),
  /** once: never again; days: again after `reentryDays`; always. Hard cap on top: 10 entries / 24 h. */
  reentry: z.enum(['once', 'days', 'always']).default('once'),
  reentryDays: z.number().int().min(1).max(3650).optional(),
  /** a contact who unsubscribed mid-run: skip the email steps (and go on), or end the run */
  onUnsubscribe: z.enum(['skip_email', 'end']).default('skip_email'),
  /** days after a click on one of the workflow's emails in which the contact's order counts as its revenue (last click wins) */
  attributionDays: z.number().int().min(0).max(90).default(7),
});

// ---- the staff API ------------------------------------------------------------------------------

const name = z.string().trim().min(1, 'Give the workflow a name').max(120).refine((s) => !s.includes('\u0000'));

export const createWorkflowBody = z.object({ name, template: z.string().max(60).optional(), definition: definitionSchema.optional() });
export const updateWorkflowBody = z.object({ name: name.optional(), definition: definitionSchema.optional() });
export const publishBody = z.object({ waiting: z.enum(['keep', 'move']).default('keep') });
export const enrolBody = z.object({ contactIds: z.array(z.uuid()).max(1000).optional(), segmentId: z.uuid().optional(), requestKey: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/).optional() });
export const dryRunBody = z.object({ contactId: z.uuid() });

export const workflowShape = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(workflowStatuses),
  template: z.string().nullable(),
  versionId: z.string().nullable(),
  definition: definitionSchema,
  triggers: z.array(z.string()),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const healthShape = z.object({ overdue: z.number(), failedLast7Days: z.number(), endedLast7Days: z.number(), failureRate: z.number() });
export const workflowSummaryShape = workflowShape.extend({
  version: z.number().nullable(),
  counts: z.object(Object.fromEntries(runStates.map((s) => [s, z.number()])) as Record<(typeof runStates)[number], z.ZodNumber>),
  revenue: z.number(),
  health: z.object({ overdue: z.number(), failureRate: z.number() }),
});
export const workflowListShape = z.object({ workflows: z.array(workflowSummaryShape), health: healthShape });
export const templateShape = z.object({ id: z.string(), name: z.string(), description: z.string(), definition: definitionSchema });
export const problemShape = z.object({ stepId: z.string().optional(), message: z.string() });
export const stepStatsShape = z.object({
  stepId: z.string(),
  entered: z.number(),
  done: z.number(),
  skipped: z.number(),
  failed: z.number(),
  waiting: z.number(),
  branches: z.array(z.object({ branch: z.number(), runs: z.number(), revenue: z.number() })).optional(),
});
export const workflowDetailShape = workflowShape.extend({
  problems: z.array(problemShape),
  versions: z.array(z.object({ id: z.string(), number: z.number(), publishedAt: z.date() })),
  steps: z.array(stepStatsShape),
});
export const publishedShape = z.object({ version: z.number(), moved: z.number() });
export const removedShape = z.object({ ended: z.number() });
export const enrolledShape = z.object({ entered: z.number(), refused: z.number() });
/** `kind` as the dry run names the step (its kind); `at` on virtual time. */
export const dryRunShape = z.object({ steps: z.array(z.object({ stepId: z.string(), kind: z.string(), at: z.date(), what: z.string() })), problems: z.array(problemShape) });
export const runShape = z.object({
  id: z.string(),
  contactId: z.string(),
  contactEmail: z.string().nullable(),
  version: z.number(),
  state: z.enum(runStates),
  stepId: z.string().nullable(),
  dueAt: z.date().nullable(),
  endReason: z.string().nullable(),
  revenue: z.number(),
  startedAt: z.date(),
  endedAt: z.date().nullable(),
});
/** One run and the steps it executed (`kind`: the step's kind when it ran). */
export const timelineShape = z.object({
  run: runShape.omit({ contactEmail: true, version: true }).extend({ workflowId: z.string() }),
  steps: z.array(z.object({ seq: z.number(), stepId: z.string(), kind: z.string(), status: z.enum(stepStatuses), detail: z.string(), at: z.date() })),
});
/** A task step's subject as the search answers it: its kind, id and title, nothing else. */
export const taskSubjectShape = z.object({ type: z.enum(subjectTypes), id: z.string(), label: z.string() });

export type WorkflowStatus = (typeof workflowStatuses)[number];
export type RunState = (typeof runStates)[number];
export type StepStatus = (typeof stepStatuses)[number];
/** GET /api/automations/templates */
export const templateListShape = z.object({ templates: z.array(templateShape) });
/** GET /api/automations/task-subjects */
export const taskSubjectListShape = z.object({ subjects: z.array(taskSubjectShape) });
/** GET /api/automations/task-subjects: the tasks module's search (titles containing q, of one type). */
export const taskSubjectQuery = subjectQuery;
/** GET /api/automations/:id/runs */
export const runListShape = z.object({ runs: z.array(runShape) });
/** GET /api/automations/:id/runs: one state; the page of runs started before a time. */
export const runListQuery = z.object({ state: z.enum(runStates).optional(), limit: z.coerce.number().int().min(1).max(200).optional(), before: z.coerce.date().optional() });

export type Trigger = Wire<z.output<typeof triggerSchema>>;
export type Condition = Wire<z.output<typeof conditionSchema>>;
export type Step = Wire<z.output<typeof stepSchema>>;
export type StepKind = Step['kind'];
export type Goal = Wire<z.output<typeof goalSchema>>;
export type Definition = Wire<z.output<typeof definitionSchema>>;
export type WorkflowInput = z.input<typeof createWorkflowBody>;
export type WorkflowPatch = z.input<typeof updateWorkflowBody>;
export type PublishInput = z.input<typeof publishBody>;
export type EnrolInput = z.input<typeof enrolBody>;
export type DryRunInput = z.input<typeof dryRunBody>;
export type Workflow = Wire<z.output<typeof workflowShape>>;
export type Health = Wire<z.output<typeof healthShape>>;
export type WorkflowSummary = Wire<z.output<typeof workflowSummaryShape>>;
export type WorkflowList = Wire<z.output<typeof workflowListShape>>;
export type Template = Wire<z.output<typeof templateShape>>;
export type Problem = Wire<z.output<typeof problemShape>>;
export type StepStats = Wire<z.output<typeof stepStatsShape>>;
export type WorkflowDetail = Wire<z.output<typeof workflowDetailShape>>;
export type Published = Wire<z.output<typeof publishedShape>>;
export type Removed = Wire<z.output<typeof removedShape>>;
export type Enrolled = Wire<z.output<typeof enrolledShape>>;
export type DryRun = Wire<z.output<typeof dryRunShape>>;
export type Run = Wire<z.output<typeof runShape>>;
export type RunTimeline = Wire<z.output<typeof timelineShape>>;
/** What a task step is about when it is a course, post or product (as picked: the label is its title then). */
export type TaskStepSubject = Exclude<Extract<Step, { kind: 'task' }>['subject'], 'contact' | undefined>;
export type FoundTaskSubject = Wire<z.output<typeof taskSubjectShape>>;
export type TemplateList = Wire<z.output<typeof templateListShape>>;
export type FoundTaskSubjects = Wire<z.output<typeof taskSubjectListShape>>;
export type RunList = Wire<z.output<typeof runListShape>>;
