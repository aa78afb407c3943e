// Workflows, their immutable published versions, runs (one per version, contact and entry) and
// the executions of their steps. A step execution is keyed by (run, seq): `seq` counts the
// steps a run has executed, so the primary key is what makes a retried job repeat nothing.
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { runStates, workflowStatuses, type StepStatus } from './contract.js';

export { runStates, workflowStatuses };
export type WorkflowStatus = (typeof workflowStatuses)[number];
export type RunState = (typeof runStates)[number];

export const automationWorkflows = pgTable(
  'automation_workflows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    status: text('status').$type<WorkflowStatus>().notNull().default('draft'),
    /** the definition being edited (definition.ts); publishing copies it into a version */
    draft: jsonb('draft').$type<Record<string, unknown>>().notNull(),
    /** the version new runs start on (null until first published) */
    versionId: uuid('version_id'),
    /** the template it was made from, if any */
    template: text('template'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('automation_workflows_status_idx').on(t.status)],
);

export const automationVersions = pgTable(
  'automation_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workflowId: uuid('workflow_id').notNull(),
    number: integer('number').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('automation_versions_number_key').on(t.workflowId, t.number)],
);

export const automationRuns = pgTable(
  'automation_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workflowId: uuid('workflow_id').notNull(),
    versionId: uuid('version_id').notNull(),
    contactId: uuid('contact_id').notNull(),
    /** what started it (an event id, `manual:<request>`): the same trigger never starts two runs */
    triggerKey: text('trigger_key').notNull(),
    state: text('state').$type<RunState>().notNull(),
    /** the step the run executes next (null: the run ends when woken) */
    stepId: text('step_id'),
    /** steps executed so far; the next execution is seq + 1 */
    seq: integer('seq').notNull().default(0),
    /** waiting: wake at (clock time) */
    dueAt: timestamp('due_at', { withTimezone: true }),
    /** waiting for an event: its type, and the step to go to when it happens */
    waitEvent: text('wait_event'),
    waitEventNext: text('wait_event_next'),
    /** the A/B branch taken, per split step id */
    branches: jsonb('branches').$type<Record<string, number>>().notNull().default({}),
    /** orders paid by the contact while the run was going or within the attribution window after */
    revenue: bigint('revenue', { mode: 'number' }).notNull().default(0),
    endReason: text('end_reason'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('automation_runs_trigger_key').on(t.workflowId, t.contactId, t.triggerKey),
    index('automation_runs_contact_idx').on(t.contactId, t.state),
    index('automation_runs_workflow_idx').on(t.workflowId, t.startedAt),
    // the wake-up scan: waiting runs by due time
    index('automation_runs_due_idx').on(t.dueAt).where(sql`state = 'waiting'`),
    // The tick's claim: active runs, oldest move first (most runs are done: a partial index stays small).
    index('automation_runs_active_idx').on(t.updatedAt).where(sql`state = 'active'`),
  ],
);

export const automationSteps = pgTable(
  'automation_steps',
  {
    runId: uuid('run_id').notNull(),
    seq: integer('seq').notNull(),
    workflowId: uuid('workflow_id').notNull(),
    stepId: text('step_id').notNull(),
    kind: text('kind').notNull(),
    status: text('status').$type<StepStatus>().notNull(),
    /** what happened, in words (the branch taken, why it was skipped, the error) */
    detail: text('detail').notNull().default(''),
    /** e.g. the queued mail message id, the branch */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] }), index('automation_steps_workflow_idx').on(t.workflowId, t.stepId, t.status)],
);

/**
 * What recipients did with a workflow's emails: opens (pixel) and clicks (signed redirect
 * links), per (run, seq) of the email step. One row per (run, seq, kind, url); `count` counts
 * repeats. Conditions ("opened / clicked the previous email") and revenue attribution read it.
 */
export const automationEmailActivity = pgTable(
  'automation_email_activity',
  {
    runId: uuid('run_id').notNull(),
    seq: integer('seq').notNull(),
    workflowId: uuid('workflow_id').notNull(),
    contactId: uuid('contact_id').notNull(),
    /** open | click */
    kind: text('kind').notNull(),
    /** the link clicked ('' for an open) */
    url: text('url').notNull().default(''),
    count: integer('count').notNull().default(1),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq, t.kind, t.url] }), index('automation_email_activity_contact_idx').on(t.contactId, t.kind, t.lastAt)],
);

/** An order attributed to the workflow whose email the buyer clicked last (within its window). One row per order. */
export const automationAttributions = pgTable(
  'automation_attributions',
  {
    orderId: text('order_id').primaryKey(),
    workflowId: uuid('workflow_id').notNull(),
    runId: uuid('run_id').notNull(),
    contactId: uuid('contact_id').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    clickedAt: timestamp('clicked_at', { withTimezone: true }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('automation_attributions_workflow_idx').on(t.workflowId, t.at)],
);
