// Types shared by the owner module's files (kept apart so no file imports one that imports it back).
import type { Logger } from 'pino';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Role } from '../../permissions.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import type { AnalyticsService } from '../analytics/index.js';
import type { OverdueTask } from '../tasks/index.js';
import type { Leverage, OwnerProcess, WeekMeter } from './meter.js';
import type { AlertStatus, PublishPolicy, SendLimit, TimeBudget } from './schema.js';

export interface OwnerSettingsView {
  timeBudget: TimeBudget;
  budgetMinutes: number;
  awayFrom: string | null;
  awayUntil: string | null;
  awayDelegateId: string | null;
  courseReviewDays: number;
  /** away today (the owner's time zone) */
  away: boolean;
}

export interface AlertView {
  id: string;
  detector: string;
  key: string;
  label: string;
  day: string;
  observed: number | null;
  expected: number | null;
  changePct: number | null;
  detail: string;
  link: string | null;
  status: AlertStatus;
  createdAt: Date;
}

export interface NewAlert {
  detector: string;
  key: string;
  label: string;
  day: string;
  observed?: number | null;
  expected?: number | null;
  changePct?: number | null;
  detail: string;
  link?: string | null;
}

export interface Meter {
  timeZone: string;
  budgetMinutes: number;
  weeks: WeekMeter[];
  /** the last complete-or-current week */
  current: WeekMeter;
  leverage: Leverage;
  processes: OwnerProcess[];
}

export interface OwnerDeps {
  database: Database;
  clock: Clock;
  events: EventLog;
  log: Logger;
  /** the business's time zone (the brand's) */
  timeZone: (db?: DbOrTx) => Promise<string>;
  staff: (db?: DbOrTx) => Promise<{ id: string; name: string; email: string; role: string }[]>;
  /** the other modules' public faces the review reads (wired in app.ts) */
  sources: OwnerSources;
  settings: { publicUrl: string; linksAllowPrivate: boolean };
}

export interface OwnerSources {
  /** the traffic breakdowns the KPI series read */
  analytics: Pick<AnalyticsService, 'panel'>;
  concentration: ConcentrationSources;
  automation: { list(): Promise<{ id: string; name: string; status: string; counts: Record<string, number>; health: { overdue: number; failureRate: number } }[]> };
  learning: {
    freshness(opts?: { overdueOnly?: boolean }): Promise<{ type: 'course' | 'lesson'; id: string; title: string; courseId: string; lastReviewedAt: Date; dueAt: Date; overdue: boolean; overdueDays: number }[]>;
    /** every lesson's content, for the link check */
    lessonContents(): Promise<{ id: string; content: string }[]>;
  };
  /** every page's content, for the link check */
  pageContents(): Promise<{ slug: string; content: unknown }[]>;
  /** every broadcast's content, for the link check */
  emailContents(): Promise<{ id: string; content: unknown }[]>;
  /** broadcasts scheduled to go out later */
  scheduledSends(): Promise<{ id: string; name: string; at: Date }[]>;
  /** pending approval requests (the approvals module); handing one to an admin, in the caller's transaction */
  approvals: { pending(): Promise<PendingApproval[]>; delegateInTx(tx: Tx, approvalId: string, toUserId: string, actor: Actor): Promise<PendingApproval> };
  /** the tasks module: occurrences past their due time, and handing a task to someone else */
  tasks: TasksSource;
  mail: {
    queueTransactionalInTx(tx: Tx, m: { to: string; subject: string; text: string; html?: string; tag: string }): Promise<string>;
    /** the marketing role's send limit, which a delegation of broadcasts raises */
    sendLimit(db?: DbOrTx): Promise<SendLimit>;
    setSendLimitInTx(tx: Tx, limit: SendLimit, actor: Actor): Promise<void>;
  };
  /** learning: whether the content role may change published courses, which a delegation of lessons grants */
  lessons: {
    contentEditsLive(db?: DbOrTx): Promise<boolean>;
    setContentEditsLiveInTx(tx: Tx, on: boolean, actor: Actor): Promise<void>;
  };
  /** the blog (content module): each role's publishing policy, which a delegation may change */
  content: {
    rolePolicies(db?: DbOrTx): Promise<Record<'admin' | 'content' | 'marketing', PublishPolicy>>;
    /** sets one role's policy in the caller's transaction; returns the one it replaced */
    setRolePolicyInTx(tx: Tx, role: 'admin' | 'content' | 'marketing', policy: PublishPolicy, actor: Actor): Promise<PublishPolicy>;
  };
  /** the shared inbox (support module): escalated conversations, reassigning them, each role's bounded authority */
  support: SupportSource;
}

/** A role's bounded authority in the shared inbox (support's settings). */
export interface RoleAuthority {
  refundMax: number;
  refundMaxDays: number;
  extendMaxDays: number;
  resend: boolean;
}
export type AuthorityRole = 'admin' | 'support';

export interface EscalatedConversation {
  id: string;
  number: number;
  subject: string;
  email: string;
  assigneeId: string | null;
  breachedAt: Date;
}

export interface SupportSource {
  /** open conversations past an SLA since `since`, not reassigned by hand after the breach */
  escalated(since: Date): Promise<EscalatedConversation[]>;
  /** the conversation's current assignee (not found: an error) */
  assigneeOf(conversationId: string): Promise<string | null>;
  /** assigns the conversation (its own transaction; records support.assigned with the actor) */
  reassign(conversationId: string, assigneeId: string, actor: Actor): Promise<void>;
  roleLimits(db?: DbOrTx): Promise<Record<AuthorityRole, RoleAuthority>>;
  setRoleLimitsInTx(tx: Tx, role: AuthorityRole, limits: RoleAuthority, actor: Actor): Promise<void>;
  /** whether new conversations are given to the support role's members in turn */
  roundRobin(db?: DbOrTx): Promise<boolean>;
  setRoundRobinInTx(tx: Tx, on: boolean, actor: Actor): Promise<void>;
}

export type TaskAssignee = { userId: string } | { role: Role };

/** An overdue task occurrence, as the tasks module reports it. */
export type OverdueOccurrence = OverdueTask;

export interface TasksSource {
  /** open occurrences due before `asOf`, oldest first */
  overdue(asOf: Date): Promise<OverdueOccurrence[]>;
  /** reassigns the task: its open occurrences (the overdue one among them) and the ones to come (records task.updated with the actor) */
  reassign(taskId: string, to: TaskAssignee, actor: Actor): Promise<void>;
  /** a one-off task for a role, due today, in the caller's transaction; the same key makes no second task */
  handOffInTx(tx: Tx, task: { key: string; title: string; notes: string; role: Role }, actor: Actor): Promise<{ created: boolean }>;
}

/** What the concentration risks read from analytics (wired in app.ts). */
export interface ConcentrationSources {
  sourceVisitors(range: { from: string; to: string }): Promise<{ name: string; value: number }[]>;
  sourceSales(range: { from: string; to: string }): Promise<{ name: string; value: number }[]>;
  productRevenue(range: { from: string; to: string }): Promise<{ name: string; value: number }[]>;
}

/** What the review needs from approvals (the approvals module's public face). */
export interface PendingApproval {
  id: string;
  kind: string;
  title: string;
  summary: string;
  urgent: boolean;
  data: unknown;
  requestedBy: { kind: string; id: string | null; role: string | null };
  /** the admin the owner handed it to, and when (null: the owner's) */
  delegatedToId: string | null;
  delegatedAt: Date | null;
  createdAt: Date;
}

/** The KPI series the review and the daily check read (detectors.ts). */
export type { KpiSeries as ReviewSeries } from './detectors.js';

