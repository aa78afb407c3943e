// The owner module's tables: the owner's settings (time budget, away mode), their activity
// windows (what "active time" is measured from), the alerts it raised, the decisions it put in
// front of the owner each week, and the outcome of the broken-link check.
import { sql } from 'drizzle-orm';
import { date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const timeBudgets = ['hour_week', 'day_week', 'hour_day'] as const;
export type TimeBudget = (typeof timeBudgets)[number];
export const alertStatuses = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof alertStatuses)[number];
export const decisionStatuses = ['open', 'done', 'carried'] as const;
export type DecisionStatus = (typeof decisionStatuses)[number];

/** One row (id = 1): the owner's own settings. */
export const ownerSettings = pgTable('owner_settings', {
  id: integer('id').primaryKey(),
  timeBudget: text('time_budget').$type<TimeBudget>().notNull().default('hour_week'),
  awayFrom: date('away_from'),
  awayUntil: date('away_until'),
  /** the staff member (an admin) who receives urgent escalations while the owner is away */
  awayDelegateId: uuid('away_delegate_id'),
  /** a course not reviewed for this many days is overdue for review */
  courseReviewDays: integer('course_review_days').notNull().default(180),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/**
 * One row per staff member and 5-minute window in which they made a request: the owner's
 * active time is the count of their windows × 5 minutes. The session table only keeps the
 * last time a session was seen, which cannot give a week's time.
 */
export const ownerActivity = pgTable(
  'owner_activity',
  {
    userId: uuid('user_id').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    role: text('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.windowStart] }), index('owner_activity_window_idx').on(t.windowStart)],
);

export const ownerAlerts = pgTable(
  'owner_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** sudden_drop, slow_decline, or a watched health check (automation_failures, mail_guard, sla_breach, course_overdue, broken_link) */
    detector: text('detector').notNull(),
    /** what it is about: a KPI series key, a workflow, a course, a URL */
    key: text('key').notNull(),
    label: text('label').notNull(),
    day: date('day').notNull(),
    observed: doublePrecision('observed'),
    expected: doublePrecision('expected'),
    changePct: doublePrecision('change_pct'),
    detail: text('detail').notNull(),
    /** where the owner acts on it (an admin path) */
    link: text('link'),
    status: text('status').$type<AlertStatus>().notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  // One open alert per key and detector: the daily job re-finding a decline changes nothing.
  (t) => [uniqueIndex('owner_alerts_open_key').on(t.detector, t.key).where(sql`status = 'open'`), index('owner_alerts_created_idx').on(t.createdAt)],
);

/** The decisions a weekly review put in front of the owner: tracked to done or carried over. */
export const ownerDecisions = pgTable(
  'owner_decisions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Monday of the review's week, in the owner's time zone */
    week: date('week').notNull(),
    /** stable across weeks: `approval:<id>`, `course:<id>`, `alert:<id>`, `workflow:<id>`, `delegate:<event type>` */
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    rank: integer('rank').notNull(),
    status: text('status').$type<DecisionStatus>().notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('owner_decisions_week_key').on(t.week, t.key)],
);

/** Delegations the owner accepted from a review (a process handed to a role). */
export const ownerDelegations = pgTable('owner_delegations', {
  eventType: text('event_type').primaryKey(),
  role: text('role').notNull(),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull(),
  /** the authority the delegation changed (a role's refund limit), kept so it can be taken back */
  grant: jsonb('grant').$type<DelegationGrant>(),
});

/** A blog role's publishing policy (content's RolePolicy, as stored). */
export type PublishPolicy = { mode: 'free' } | { mode: 'approval' } | { mode: 'tags'; tags: string[] };

/**
 * What an accepted delegation changed, kept so that taking it back sets it back: a role's refund
 * limit (minor units), a role's blog publishing policy, the marketing role's send limit, or
 * whether the content role may change published courses.
 */
export type DelegationGrant =
  | { kind: 'refund_limit'; role: 'admin' | 'support'; before: number; after: number }
  | { kind: 'publish_policy'; role: 'admin' | 'content' | 'marketing'; before: PublishPolicy; after: PublishPolicy }
  | { kind: 'send_limit'; role: 'marketing'; before: SendLimit; after: SendLimit }
  | { kind: 'live_lessons'; role: 'content'; before: boolean; after: boolean }
  | { kind: 'round_robin'; role: 'support'; before: boolean; after: boolean }
  /** failing automation runs: each one the daily check finds becomes a task of the admin role, not a decision of the owner's */
  | { kind: 'failing_runs'; role: 'admin' }
  /** the list: each broadcast the reputation guard pauses (bounces, complaints) becomes a task of the role, not a decision of the owner's */
  | { kind: 'list_care'; role: 'admin' | 'marketing' };

/** The marketing role's send limit (mail's MarketingSendLimits, as stored). */
export type SendLimit = { maxRecipients: number; maxPerWeek: number };

/** The last outcome per checked URL (pages, lessons, emails). */
export const ownerLinkChecks = pgTable(
  'owner_link_checks',
  {
    url: text('url').primaryKey(),
    /** where it was found: `page:<slug>`, `lesson:<id>`, `email:<id>` */
    foundIn: text('found_in').notNull(),
    status: integer('status'),
    error: text('error'),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('owner_link_checks_checked_idx').on(t.checkedAt)],
);

/** Weekly review mails already sent (one per week). */
export const ownerReviewMails = pgTable('owner_review_mails', {
  week: date('week').primaryKey(),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
});
