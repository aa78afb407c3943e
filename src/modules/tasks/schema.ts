// SOPs (written procedures) and the tasks that follow them: one-off or recurring, each due date
// one occurrence with its own copy of the checklist.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const sops = pgTable('sops', {
  id: uuid('id').primaryKey().defaultRandom(),
  title: text('title').notNull(),
  /** Markdown; `- [ ] item` lines are its checklist */
  body: text('body').notNull(),
  /** the role the procedure is written for (null: anyone) */
  role: text('role'),
  revision: integer('revision').notNull().default(1),
  archivedAt: timestamp('archived_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** Every saved version of an SOP, with who saved it and which fields changed. */
export const sopRevisions = pgTable(
  'sop_revisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sopId: uuid('sop_id')
      .notNull()
      .references(() => sops.id, { onDelete: 'cascade' }),
    revision: integer('revision').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    role: text('role'),
    changed: jsonb('changed').$type<string[]>().notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    actorRole: text('actor_role'),
    actorLabel: text('actor_label'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sop_revisions_uq').on(t.sopId, t.revision)],
);

/** once | weekly on a weekday | monthly on a day (clamped to the month's last) | every N days */
export type Recurrence =
  | { kind: 'once' }
  | { kind: 'weekly'; weekday: number; interval: number }
  | { kind: 'monthly'; day: number; interval: number }
  | { kind: 'days'; every: number };

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    notes: text('notes').notNull().default(''),
    /** a role (everyone in it sees the task) or one person (assignee_user_id) */
    assigneeRole: text('assignee_role'),
    assigneeUserId: uuid('assignee_user_id'),
    sopId: uuid('sop_id').references(() => sops.id, { onDelete: 'set null' }),
    /** what the task is about in another module (a course, a post…): named, not joined */
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    subjectLabel: text('subject_label'),
    recurrence: jsonb('recurrence').$type<Recurrence>().notNull(),
    /** the first due date, a calendar date in the brand's time zone (YYYY-MM-DD) */
    startsOn: text('starts_on').notNull(),
    /** local time of day an occurrence is due (HH:MM); past it, the occurrence is overdue */
    dueTime: text('due_time').notNull().default('17:00'),
    /** the next due date without an occurrence yet; null when a one-off has had its one */
    nextDueOn: text('next_due_on'),
    /**
     * Set when another module created the task, naming what created it (an automation step:
     * `automation:<run id>:<seq>`). Unique, so a retried step makes no second task.
     */
    sourceKey: text('source_key'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('tasks_next_due_idx').on(t.nextDueOn).where(sql`${t.archivedAt} is null`),
    // NULLs are distinct: only created tasks carry a key.
    uniqueIndex('tasks_source_key_uq').on(t.sourceKey),
  ],
);

/** A team member's choices about the tasks module's mail (no row: the defaults). */
export const taskNotificationSettings = pgTable('task_notification_settings', {
  userId: uuid('user_id').primaryKey(),
  /** email me when one of my (or my role's) tasks becomes overdue */
  overdueEmail: boolean('overdue_email').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export interface ChecklistItem {
  id: string;
  text: string;
  done: boolean;
  doneAt?: string;
  doneBy?: string;
}

export type OccurrenceStatus = 'open' | 'done' | 'skipped';

export const taskOccurrences = pgTable(
  'task_occurrences',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    dueOn: text('due_on').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /** copied from the task and its SOP when the occurrence is created */
    title: text('title').notNull(),
    assigneeRole: text('assignee_role'),
    assigneeUserId: uuid('assignee_user_id'),
    sopId: uuid('sop_id'),
    sopRevision: integer('sop_revision'),
    checklist: jsonb('checklist').$type<ChecklistItem[]>().notNull().default([]),
    status: text('status').$type<OccurrenceStatus>().notNull().default('open'),
    /** set once, when the occurrence is first seen past its due time (task.overdue) */
    overdueAt: timestamp('overdue_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedByKind: text('closed_by_kind'),
    closedById: text('closed_by_id'),
    closedByRole: text('closed_by_role'),
    closedByLabel: text('closed_by_label'),
    skipReason: text('skip_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    // One occurrence per task and due date, however many workers create them.
    uniqueIndex('task_occurrences_due_uq').on(t.taskId, t.dueOn),
    index('task_occurrences_open_idx').on(t.dueAt).where(sql`${t.status} = 'open'`),
    index('task_occurrences_closed_idx').on(t.closedAt),
  ],
);
