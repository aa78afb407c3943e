// SOPs and tasks. The owner writes procedures (Markdown checklists, every save a revision) and
// tasks — one-off or recurring — for a role or a person; each due date becomes one occurrence
// with its own copy of the SOP's checklist, ticked and completed (or skipped) by the assignee.
//
// Occurrences are created by a job on the app clock (and at once when a task is created or
// rescheduled). Creation is idempotent: the task row is locked while its due dates are
// written, and (task_id, due_on) is unique, so two workers — or a retry after a crash — never
// make a second occurrence or a second task.due event. An occurrence past its due time is
// marked overdue once (task.overdue), by an update that only one worker can win per row.
import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { formatActor, systemActor, type Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Signer } from '../../crypto.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { conflict, DomainError, forbidden, invalid, notFound } from '../../errors.js';
import { can, isRole, type Role } from '../../permissions.js';
import { subjectTypes } from './contract.js';
import type { myDayShape, occurrenceShape, sopInputSchema, sopPatchSchema, sopRevisionShape, sopShape, taskInputSchema, taskPatchSchema, taskShape } from './contract.js';
import type { z } from 'zod';
import { addCalendarDays, checklistOf, describeRecurrence, dueDatesBetween, firstDueOnOrAfter, isCalendarDate, localDate, localTime, nextDueAfter, zonedInstant } from './schedule.js';
import { sopRevisions, sops, taskNotificationSettings, taskOccurrences, tasks, type ChecklistItem, type Recurrence } from './schema.js';

export const CREATE_OCCURRENCES_JOB = 'tasks.create-occurrences';
/** Due dates written per task per run: a task asleep for years catches up over several runs. */
const CATCH_UP_LIMIT = 31;
const MAX_TASKS = 2000;
const MAX_SOPS = 1000;
const REMINDER_PURPOSE = 'task-reminder';
const REMINDER_LINK_DAYS = 30;
const REMINDERS_OFF_PURPOSE = 'task-reminders-off';
/** The one-click opt-out in a reminder keeps working this long (mail apps show it for old mail too). */
const REMINDERS_OFF_LINK_DAYS = 365;

/** Who is acting on an occurrence: their actor, role and user id (null for an API key). */
export interface Caller {
  actor: Actor;
  role: Role;
  userId: string | null;
}

export interface PersonRef {
  id: string;
  name: string;
  role: string;
  /** where overdue reminders go (never sent to the browser) */
  email?: string;
}

/** A one-off task another module creates in its own transaction (the automation step). */
export interface OneOffTaskInput {
  /**
   * What created it, unique: `automation:<run id>:<seq>`. The same key again returns the task
   * made the first time (a retried step job makes no second task).
   */
  key: string;
  title: string;
  notes?: string;
  /** a role, or a person (their role is the fallback when they have left the team) */
  assignee: { role: Role } | { userId: string; role: Role };
  /** due this many days after today (brand time zone), at dueTime (default 17:00) */
  dueInDays: number;
  dueTime?: string;
  subject?: { type: string; id: string; label: string } | null;
  sopId?: string | null;
}

export { subjectTypes };
export type SubjectType = (typeof subjectTypes)[number];
export const isSubjectType = (type: string): type is SubjectType => (subjectTypes as readonly string[]).includes(type);
export interface SubjectRef {
  type: string;
  id: string;
  label: string;
}
/** A subject the search found: always one of the kinds it searches. */
export interface FoundSubject extends SubjectRef {
  type: SubjectType;
}

/** The mail an overdue reminder is (queued in the overdue claim's transaction). */
export interface ReminderMail {
  to: string;
  subject: string;
  text: string;
  tag: string;
}

export interface TasksDeps {
  database: Database;
  clock: Clock;
  events: EventLog;
  /** the brand's time zone: due dates are its calendar dates (`db`: read in that transaction) */
  timeZone: (db?: DbOrTx) => Promise<string>;
  /** active team members (assignees are checked against it; names shown from it) */
  people: (db?: DbOrTx) => Promise<PersonRef[]>;
  /**
   * What a task can be about, read through the other modules' services (never their tables):
   * courses, blog posts and products with their titles. Each may be absent.
   */
  subjectSources?: Partial<Record<SubjectType, () => Promise<{ id: string; title: string }[]>>>;
  /** overdue reminders: queue a transactional email in the given transaction (the mail engine) */
  queueMailInTx?: (tx: Tx, message: ReminderMail) => Promise<unknown>;
  /** signs the reminder's link to My day */
  signer?: Signer;
  /** the public address of the app (links in reminders) */
  publicUrl?: string;
}

type SopRow = typeof sops.$inferSelect;
type TaskRow = typeof tasks.$inferSelect;
type OccurrenceRow = typeof taskOccurrences.$inferSelect;
type SopInput = z.output<typeof sopInputSchema>;
type SopPatch = z.output<typeof sopPatchSchema>;
type TaskInput = z.output<typeof taskInputSchema>;
type TaskPatch = z.output<typeof taskPatchSchema>;
/** What the service returns: the API's response shapes (dates as Date). */
export type SopView = z.input<typeof sopShape>;
export type SopRevisionView = z.input<typeof sopRevisionShape>;
export type TaskView = z.input<typeof taskShape>;
export type OccurrenceView = z.input<typeof occurrenceShape>;
export type MyDayView = z.input<typeof myDayShape>;

/** SOP Markdown as safe HTML: headings, lists (checkboxes shown, not clickable), emphasis, links, code. */
export function renderSop(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return sanitizeHtml(html, {
    allowedTags: ['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'br', 'blockquote', 'code', 'pre', 'hr', 'input', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
    allowedAttributes: { a: ['href'], input: ['type', 'checked', 'disabled'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: {
      h1: 'h2',
      // only read-only checkboxes: an SOP is read here, ticked in an occurrence
      input: (_tag, attribs) => ({ tagName: 'input', attribs: { type: 'checkbox', disabled: '', ...(attribs.checked !== undefined ? { checked: '' } : {}) } }),
    },
  });
}

function actorRevisionColumns(actor: Actor) {
  return {
    actorKind: actor.kind,
    actorId: actor.kind === 'system' ? null : actor.id,
    actorRole: actor.kind === 'owner' ? 'owner' : actor.kind === 'assistant' ? actor.role : null,
    actorLabel: actor.label ?? null,
  };
}

export class TasksService {
  constructor(private readonly deps: TasksDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  async today(db?: DbOrTx): Promise<{ today: string; timeZone: string }> {
    const timeZone = await this.deps.timeZone(db);
    return { today: localDate(this.deps.clock.now(), timeZone), timeZone };
  }

  /** Who may be assigned a task (the active team). */
  async people(): Promise<PersonRef[]> {
    return (await this.deps.people()).map((p) => ({ id: p.id, name: p.name, role: p.role }));
  }

  /**
   * Courses, posts and products whose title contains `q` (case-insensitive; all when empty),
   * titles starting with it first, at most `limit`. Read through the modules' services: the
   * lists are small (a business has tens of courses, hundreds of posts and products).
   */
  async searchSubjects(q: string, opts: { type?: SubjectType; limit?: number } = {}): Promise<FoundSubject[]> {
    const needle = q.trim().toLocaleLowerCase();
    const limit = Math.min(opts.limit ?? 20, 50);
    const types = opts.type ? [opts.type] : [...subjectTypes];
    const found: (FoundSubject & { rank: number })[] = [];
    for (const type of types) {
      const source = this.deps.subjectSources?.[type];
      if (!source) continue;
      for (const item of await source()) {
        const title = item.title.toLocaleLowerCase();
        const at = needle ? title.indexOf(needle) : 0;
        if (at < 0) continue;
        found.push({ type, id: item.id, label: item.title.slice(0, 200) || item.id, rank: at === 0 ? 0 : 1 });
      }
    }
    found.sort((a, b) => a.rank - b.rank || a.label.localeCompare(b.label));
    return found.slice(0, limit).map(({ type, id, label }) => ({ type, id, label }));
  }

  /**
   * Of these subjects, the ones that name no course, post or product the search would find now:
   * deleted or archived since they were picked, or of a kind the picker does not offer. Deny by
   * default: a kind whose source is not wired cannot be confirmed, so it counts as missing. Each
   * kind's list is read once, through the same sources as the search (never inside a caller's
   * transaction: the sources read on their own connection).
   */
  async missingSubjects(refs: readonly SubjectRef[]): Promise<SubjectRef[]> {
    const ids = new Map<SubjectType, Set<string>>();
    for (const type of new Set(refs.map((r) => r.type))) {
      const source = isSubjectType(type) ? this.deps.subjectSources?.[type] : undefined;
      if (source) ids.set(type as SubjectType, new Set((await source()).map((item) => item.id)));
    }
    return refs.filter((r) => !ids.get(r.type as SubjectType)?.has(r.id));
  }

  // ---- SOPs ----------------------------------------------------------------------------

  /** What an SOP body will show as, and the checklist its tasks will get. */
  preview(markdown: string): { html: string; checklist: string[] } {
    return { html: renderSop(markdown), checklist: checklistOf(markdown) };
  }

  private sopView(r: SopRow): SopView {
    return { id: r.id, title: r.title, body: r.body, role: r.role, revision: r.revision, html: renderSop(r.body), checklist: checklistOf(r.body), archived: r.archivedAt !== null, createdAt: r.createdAt, updatedAt: r.updatedAt };
  }

  async listSops(opts: { role?: Role } = {}): Promise<SopView[]> {
    const rows = await this.db.select().from(sops).where(isNull(sops.archivedAt)).orderBy(asc(sops.title));
    // Everyone may read every SOP; a role's own come first.
    const mine = opts.role ? rows.filter((r) => r.role === opts.role || r.role === null) : [];
    return [...mine, ...rows.filter((r) => !mine.includes(r))].map((r) => this.sopView(r));
  }

  private async sopRow(db: DbOrTx, id: string): Promise<SopRow> {
    const [row] = await db.select().from(sops).where(eq(sops.id, id));
    if (!row) throw notFound('SOP');
    return row;
  }

  async getSop(id: string): Promise<{ sop: SopView; revisions: SopRevisionView[] }> {
    const row = await this.sopRow(this.db, id);
    const revs = await this.db.select().from(sopRevisions).where(eq(sopRevisions.sopId, id)).orderBy(desc(sopRevisions.revision));
    const names = new Map((await this.deps.people()).map((p) => [p.id, p.name]));
    return {
      sop: this.sopView(row),
      revisions: revs.map((r) => ({
        revision: r.revision,
        title: r.title,
        role: r.role,
        changed: r.changed,
        actor: r.actorKind === 'system' ? 'system' : `${r.actorKind}:${r.actorId}`,
        actorName: (r.actorId && names.get(r.actorId)) ?? r.actorLabel,
        createdAt: r.createdAt,
      })),
    };
  }

  async createSop(input: SopInput, actor: Actor): Promise<SopView> {
    const now = this.deps.clock.now();
    const row = await this.deps.database.transaction(async (tx) => {
      const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(sops).where(isNull(sops.archivedAt))) as [{ n: number }];
      if (n >= MAX_SOPS) throw conflict(`At most ${MAX_SOPS} SOPs: archive some first`);
      const [created] = await tx.insert(sops).values({ title: input.title, body: input.body, role: input.role, revision: 1, createdAt: now, updatedAt: now }).returning();
      await tx.insert(sopRevisions).values({ sopId: created!.id, revision: 1, title: input.title, body: input.body, role: input.role, changed: ['title', 'body', 'role'], ...actorRevisionColumns(actor), createdAt: now });
      await this.deps.events.recordInTx(tx, { type: 'sop.created', actor, subject: { type: 'sop', id: created!.id }, data: { title: input.title, role: input.role, revision: 1 } });
      return created!;
    });
    return this.sopView(row);
  }

  async updateSop(id: string, patch: SopPatch, actor: Actor): Promise<SopView> {
    const row = await this.deps.database.transaction(async (tx) => {
      const [current] = await tx.select().from(sops).where(eq(sops.id, id)).for('update');
      if (!current) throw notFound('SOP');
      if (current.archivedAt) throw conflict('This SOP is archived');
      const changed = (['title', 'body', 'role'] as const).filter((k) => patch[k] !== undefined && patch[k] !== current[k]);
      if (changed.length === 0) return current;
      const now = this.deps.clock.now();
      const next = { title: patch.title ?? current.title, body: patch.body ?? current.body, role: patch.role === undefined ? current.role : patch.role };
      const revision = current.revision + 1;
      const [updated] = await tx.update(sops).set({ ...next, revision, updatedAt: now }).where(eq(sops.id, id)).returning();
      await tx.insert(sopRevisions).values({ sopId: id, revision, ...next, changed: [...changed], ...actorRevisionColumns(actor), createdAt: now });
      await this.deps.events.recordInTx(tx, { type: 'sop.updated', actor, subject: { type: 'sop', id }, data: { title: next.title, revision, changed: [...changed] } });
      return updated!;
    });
    return this.sopView(row);
  }

  async archiveSop(id: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await this.sopRow(tx, id);
      if (row.archivedAt) return;
      await tx.update(sops).set({ archivedAt: this.deps.clock.now() }).where(eq(sops.id, id));
      await this.deps.events.recordInTx(tx, { type: 'sop.archived', actor, subject: { type: 'sop', id }, data: { title: row.title } });
    });
  }

  // ---- tasks ---------------------------------------------------------------------------

  private async checkAssignee(assignee: TaskInput['assignee']): Promise<{ assigneeRole: string | null; assigneeUserId: string | null }> {
    if ('role' in assignee) return { assigneeRole: assignee.role, assigneeUserId: null };
    const person = (await this.deps.people()).find((p) => p.id === assignee.userId);
    if (!person) throw invalid('The assignee is not a member of the team', { field: 'assignee' });
    return { assigneeRole: person.role, assigneeUserId: person.id };
  }

  private async checkSop(db: DbOrTx, sopId: string | null): Promise<void> {
    if (!sopId) return;
    const [row] = await db.select({ archivedAt: sops.archivedAt }).from(sops).where(eq(sops.id, sopId));
    if (!row || row.archivedAt) throw invalid('That SOP does not exist or is archived', { field: 'sopId' });
  }

  private checkStart(startsOn: string, today: string): void {
    if (!isCalendarDate(startsOn)) throw invalid('The start date is not a calendar date', { field: 'startsOn' });
    const years = Number(startsOn.slice(0, 4)) - Number(today.slice(0, 4));
    if (years > 5 || years < -5) throw invalid('The start date must be within five years of today', { field: 'startsOn' });
  }

  async createTask(input: TaskInput, actor: Actor): Promise<TaskView> {
    const { today } = await this.today();
    this.checkStart(input.startsOn, today);
    const assignee = await this.checkAssignee(input.assignee);
    const now = this.deps.clock.now();
    const id = await this.deps.database.transaction(async (tx) => {
      await this.checkSop(tx, input.sopId);
      // Tasks the owner wrote; one-offs made by automations come and go with their runs.
      const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(tasks).where(and(isNull(tasks.archivedAt), isNull(tasks.sourceKey)))) as [{ n: number }];
      if (n >= MAX_TASKS) throw conflict(`At most ${MAX_TASKS} tasks: archive some first`);
      const recurrence = input.recurrence as Recurrence;
      // Due dates before today are not made up: a new task starts from today at the earliest.
      const nextDueOn = firstDueOnOrAfter(recurrence, input.startsOn, input.startsOn > today ? input.startsOn : today);
      const [row] = await tx
        .insert(tasks)
        .values({
          title: input.title, notes: input.notes, ...assignee, sopId: input.sopId,
          subjectType: input.subject?.type ?? null, subjectId: input.subject?.id ?? null, subjectLabel: input.subject?.label ?? null,
          recurrence, startsOn: input.startsOn, dueTime: input.dueTime, nextDueOn, createdAt: now, updatedAt: now,
        })
        .returning();
      await this.deps.events.recordInTx(tx, {
        type: 'task.created', actor, subject: { type: 'task', id: row!.id },
        data: { title: row!.title, recurrence: describeRecurrence(recurrence), ...assignee, sopId: input.sopId },
      });
      return row!.id;
    });
    // Due today: it shows in My day at once, not at the job's next run.
    await this.createOccurrencesFor(id);
    return this.getTask(id);
  }

  async updateTask(id: string, patch: TaskPatch, actor: Actor): Promise<TaskView> {
    const { today } = await this.today();
    if (patch.startsOn) this.checkStart(patch.startsOn, today);
    const assignee = patch.assignee ? await this.checkAssignee(patch.assignee) : null;
    await this.deps.database.transaction(async (tx) => {
      const [current] = await tx.select().from(tasks).where(eq(tasks.id, id)).for('update');
      if (!current) throw notFound('Task');
      if (current.archivedAt) throw conflict('This task is archived');
      if (patch.sopId !== undefined) await this.checkSop(tx, patch.sopId);
      const set: Partial<typeof tasks.$inferInsert> = { updatedAt: this.deps.clock.now() };
      const changed: string[] = [];
      if (patch.title !== undefined && patch.title !== current.title) (set.title = patch.title), changed.push('title');
      if (patch.notes !== undefined && patch.notes !== current.notes) (set.notes = patch.notes), changed.push('notes');
      if (assignee && (assignee.assigneeRole !== current.assigneeRole || assignee.assigneeUserId !== current.assigneeUserId)) Object.assign(set, assignee), changed.push('assignee');
      if (patch.sopId !== undefined && patch.sopId !== current.sopId) (set.sopId = patch.sopId), changed.push('sopId');
      if (patch.subject !== undefined) (set.subjectType = patch.subject?.type ?? null), (set.subjectId = patch.subject?.id ?? null), (set.subjectLabel = patch.subject?.label ?? null), changed.push('subject');
      if (patch.dueTime !== undefined && patch.dueTime !== current.dueTime) (set.dueTime = patch.dueTime), changed.push('dueTime');
      const recurrence = (patch.recurrence as Recurrence | undefined) ?? current.recurrence;
      const startsOn = patch.startsOn ?? current.startsOn;
      if ((patch.recurrence && JSON.stringify(patch.recurrence) !== JSON.stringify(current.recurrence)) || startsOn !== current.startsOn) {
        set.recurrence = recurrence;
        set.startsOn = startsOn;
        // The new rule applies from today; dates that already have an occurrence keep it.
        set.nextDueOn = firstDueOnOrAfter(recurrence, startsOn, startsOn > today ? startsOn : today);
        changed.push('recurrence');
      }
      if (changed.length === 0) return;
      await tx.update(tasks).set(set).where(eq(tasks.id, id));
      // What is still open follows the task: a reassigned task leaves the old assignee's day.
      if (set.title !== undefined || assignee) {
        await tx
          .update(taskOccurrences)
          .set({ ...(set.title !== undefined ? { title: set.title } : {}), ...(assignee ? assignee : {}) })
          .where(and(eq(taskOccurrences.taskId, id), eq(taskOccurrences.status, 'open')));
      }
      await this.deps.events.recordInTx(tx, { type: 'task.updated', actor, subject: { type: 'task', id }, data: { title: set.title ?? current.title, changed } });
    });
    await this.createOccurrencesFor(id);
    return this.getTask(id);
  }

  /** Archived: no more occurrences; the open ones are skipped with that reason. */
  async archiveTask(id: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const [row] = await tx.select().from(tasks).where(eq(tasks.id, id)).for('update');
      if (!row) throw notFound('Task');
      if (row.archivedAt) return;
      const now = this.deps.clock.now();
      await tx.update(tasks).set({ archivedAt: now, nextDueOn: null, updatedAt: now }).where(eq(tasks.id, id));
      const open = await tx
        .update(taskOccurrences)
        .set({ status: 'skipped', skipReason: 'The task was archived', closedAt: now, ...closedBy(actor) })
        .where(and(eq(taskOccurrences.taskId, id), eq(taskOccurrences.status, 'open')))
        .returning();
      for (const o of open) await this.deps.events.recordInTx(tx, { type: 'task.skipped', actor, subject: { type: 'task_occurrence', id: o.id }, data: { ...occurrenceData(o), reason: 'The task was archived' } });
      await this.deps.events.recordInTx(tx, { type: 'task.archived', actor, subject: { type: 'task', id }, data: { title: row.title } });
    });
  }

  /** The owner's tasks, and those automations made while they are still to do (not every one ever made). */
  async listTasks(): Promise<TaskView[]> {
    const stillOpen = sql`(${tasks.nextDueOn} is not null or exists (select 1 from ${taskOccurrences} o where o.task_id = ${tasks.id} and o.status = 'open'))`;
    const rows = await this.db
      .select()
      .from(tasks)
      .where(and(isNull(tasks.archivedAt), or(isNull(tasks.sourceKey), stillOpen)))
      .orderBy(asc(tasks.title))
      .limit(MAX_TASKS + 500);
    return this.taskViews(rows);
  }

  async getTask(id: string): Promise<TaskView> {
    const [row] = await this.db.select().from(tasks).where(eq(tasks.id, id));
    if (!row) throw notFound('Task');
    return (await this.taskViews([row]))[0]!;
  }

  private async taskViews(rows: TaskRow[]): Promise<TaskView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const now = this.deps.clock.now();
    // The latest occurrence of each task (one index range scan per task through the unique key).
    const last = await this.db
      .selectDistinctOn([taskOccurrences.taskId])
      .from(taskOccurrences)
      .where(inArray(taskOccurrences.taskId, ids))
      .orderBy(taskOccurrences.taskId, desc(taskOccurrences.dueOn));
    const lastBy = new Map(last.map((o) => [o.taskId, o]));
    const sopIds = [...new Set(rows.map((r) => r.sopId).filter((x): x is string => !!x))];
    const sopTitles = new Map(sopIds.length ? (await this.db.select({ id: sops.id, title: sops.title }).from(sops).where(inArray(sops.id, sopIds))).map((s) => [s.id, s.title]) : []);
    const people = await this.deps.people();
    return rows.map((r) => {
      const o = lastBy.get(r.id);
      const lastView = o ? this.occurrenceView(o, r, people, sopTitles, now) : null;
      return {
        id: r.id,
        title: r.title,
        notes: r.notes,
        assignee: assigneeView(r.assigneeRole, r.assigneeUserId, people),
        sop: r.sopId ? { id: r.sopId, title: sopTitles.get(r.sopId) ?? 'SOP' } : null,
        subject: r.subjectType && r.subjectId ? { type: r.subjectType, id: r.subjectId, label: r.subjectLabel ?? r.subjectId } : null,
        recurrence: r.recurrence,
        recurrenceText: describeRecurrence(r.recurrence),
        startsOn: r.startsOn,
        dueTime: r.dueTime,
        nextDueOn: r.nextDueOn,
        last: lastView ? { id: lastView.id, dueOn: lastView.dueOn, status: lastView.status, overdue: lastView.overdue, closedAt: lastView.closedAt, closedBy: lastView.closedBy, late: lastView.late } : null,
        createdAt: r.createdAt,
      };
    });
  }

  async taskHistory(taskId: string, limit = 50): Promise<OccurrenceView[]> {
    const [task] = await this.db.select().from(tasks).where(eq(tasks.id, taskId));
    if (!task) throw notFound('Task');
    const rows = await this.db.select().from(taskOccurrences).where(eq(taskOccurrences.taskId, taskId)).orderBy(desc(taskOccurrences.dueOn)).limit(limit);
    return this.occurrenceViews(rows);
  }

  // ---- occurrences -------------------------------------------------------------------

  /**
   * Creates every occurrence that is due by today (in the brand's zone) and not yet made.
   * Returns how many were created. Safe to run in several workers at once.
   */
  async createDueOccurrences(): Promise<number> {
    const { today, timeZone } = await this.today();
    const due = await this.db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(isNull(tasks.archivedAt), lte(tasks.nextDueOn, today)))
      .orderBy(asc(tasks.nextDueOn))
      .limit(500);
    let created = 0;
    for (const { id } of due) created += await this.createOccurrencesFor(id, { today, timeZone });
    return created;
  }

  private async createOccurrencesFor(taskId: string, at?: { today: string; timeZone: string }): Promise<number> {
    const { today, timeZone } = at ?? (await this.today());
    return this.deps.database.transaction(async (tx) => {
      // The row lock serialises two workers on one task; the second sees the advanced next_due_on.
      const [task] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for('update');
      if (!task) return 0;
      return this.writeOccurrences(tx, task, today, timeZone);
    });
  }

  /** Writes the due occurrences of a task whose row the caller holds locked (or just inserted). */
  private async writeOccurrences(tx: Tx, task: TaskRow, today: string, timeZone: string): Promise<number> {
    if (task.archivedAt || !task.nextDueOn || task.nextDueOn > today) return 0;
    const dates = dueDatesBetween(task.recurrence, task.startsOn, task.nextDueOn, today, CATCH_UP_LIMIT);
    const sop = task.sopId ? (await tx.select().from(sops).where(eq(sops.id, task.sopId)))[0] : undefined;
    const usable = sop && !sop.archivedAt ? sop : undefined;
    let created = 0;
    for (const dueOn of dates) {
      const checklist: ChecklistItem[] = usable ? checklistOf(usable.body).map((text, i) => ({ id: `i${i + 1}`, text, done: false })) : [];
      const [row] = await tx
        .insert(taskOccurrences)
        .values({
          taskId: task.id, dueOn, dueAt: zonedInstant(dueOn, task.dueTime, timeZone), title: task.title,
          assigneeRole: task.assigneeRole, assigneeUserId: task.assigneeUserId,
          sopId: usable?.id ?? null, sopRevision: usable?.revision ?? null, checklist, createdAt: this.deps.clock.now(),
        })
        .onConflictDoNothing({ target: [taskOccurrences.taskId, taskOccurrences.dueOn] })
        .returning();
      if (!row) continue;
      created++;
      await this.deps.events.recordInTx(tx, { type: 'task.due', actor: systemActor, subject: { type: 'task_occurrence', id: row.id }, data: occurrenceData(row) });
    }
    const last = dates.at(-1);
    const nextDueOn = last ? nextDueAfter(task.recurrence, task.startsOn, last) : task.nextDueOn;
    if (nextDueOn !== task.nextDueOn) await tx.update(tasks).set({ nextDueOn }).where(eq(tasks.id, task.id));
    return created;
  }

  /**
   * A one-off task made by another module inside its own transaction (the automation step
   * "create a task"), with its occurrence when it is due today. Idempotent on `input.key`: the
   * unique source key and `on conflict do nothing` make a second call — a retried step job, a
   * second worker — return the task the first one made, with no second task.created.
   */
  async createOneOffInTx(tx: Tx, input: OneOffTaskInput, actor: Actor): Promise<{ taskId: string; created: boolean }> {
    const [existing] = await tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.sourceKey, input.key));
    if (existing) return { taskId: existing.id, created: false };
    // Everything read here goes through the caller's transaction (PGlite has one connection).
    const { today, timeZone } = await this.today(tx);
    let assignee: { assigneeRole: string | null; assigneeUserId: string | null } = { assigneeRole: input.assignee.role, assigneeUserId: null };
    if ('userId' in input.assignee) {
      const person = (await this.deps.people(tx)).find((p) => p.id === (input.assignee as { userId: string }).userId);
      // Someone who left the team: the task goes to the role they were chosen from.
      if (person) assignee = { assigneeRole: person.role, assigneeUserId: person.id };
    }
    let sopId = input.sopId ?? null;
    if (sopId && !(await tx.select({ id: sops.id }).from(sops).where(eq(sops.id, sopId)))[0]) sopId = null;
    const dueOn = addCalendarDays(today, Math.max(0, Math.min(366, Math.trunc(input.dueInDays))));
    const now = this.deps.clock.now();
    const recurrence: Recurrence = { kind: 'once' };
    const [row] = await tx
      .insert(tasks)
      .values({
        title: input.title.slice(0, 200), notes: (input.notes ?? '').slice(0, 5000), ...assignee, sopId,
        subjectType: input.subject?.type ?? null, subjectId: input.subject?.id ?? null, subjectLabel: input.subject?.label ?? null,
        recurrence, startsOn: dueOn, dueTime: input.dueTime ?? '17:00', nextDueOn: dueOn, sourceKey: input.key, createdAt: now, updatedAt: now,
      })
      // A concurrent call with the same key committed first: this one makes nothing.
      .onConflictDoNothing({ target: tasks.sourceKey })
      .returning();
    if (!row) {
      const [first] = await tx.select({ id: tasks.id }).from(tasks).where(eq(tasks.sourceKey, input.key));
      return { taskId: first!.id, created: false };
    }
    await this.deps.events.recordInTx(tx, {
      type: 'task.created', actor, subject: { type: 'task', id: row.id },
      data: { title: row.title, recurrence: describeRecurrence(recurrence), ...assignee, sopId },
    });
    // Due today: in the assignee's My day at once; a later date is made by the job on its day.
    await this.writeOccurrences(tx, row, today, timeZone);
    return { taskId: row.id, created: true };
  }

  /**
   * Marks open occurrences past their due time as overdue, once each (task.overdue), and emails
   * the assignee — or everyone in the assigned role — a reminder with a signed link to My day,
   * unless they turned reminders off. The mail is queued in the same transaction as the claim,
   * so of two workers only the one that wins a row mails about it, and a crash leaves neither.
   * Returns how many occurrences became overdue.
   */
  async markOverdue(): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.database.transaction(async (tx) => {
      // `overdue_at is null` is re-checked on the locked row: of two workers, one updates it.
      const rows = await tx
        .update(taskOccurrences)
        .set({ overdueAt: now })
        .where(and(eq(taskOccurrences.status, 'open'), isNull(taskOccurrences.overdueAt), sql`${taskOccurrences.dueAt} < ${now}`))
        .returning();
      if (rows.length === 0) return 0;
      const remind = this.deps.queueMailInTx ? await this.reminderContext(tx) : null;
      for (const o of rows) {
        await this.deps.events.recordInTx(tx, { type: 'task.overdue', actor: systemActor, subject: { type: 'task_occurrence', id: o.id }, data: { ...occurrenceData(o), dueAt: o.dueAt.toISOString() } });
        if (remind) await this.queueOverdueReminders(tx, o, remind);
      }
      return rows.length;
    });
  }

  /** Who may get reminders (the active team, minus those who turned them off) and the brand's zone. */
  private async reminderContext(tx: Tx): Promise<{ people: PersonRef[]; timeZone: string }> {
    const off = new Set((await tx.select({ userId: taskNotificationSettings.userId }).from(taskNotificationSettings).where(eq(taskNotificationSettings.overdueEmail, false))).map((r) => r.userId));
    const people = (await this.deps.people(tx)).filter((p) => p.email && !off.has(p.id));
    return { people, timeZone: await this.deps.timeZone(tx) };
  }

  private async queueOverdueReminders(tx: Tx, o: OccurrenceRow, ctx: { people: PersonRef[]; timeZone: string }): Promise<void> {
    const to = o.assigneeUserId ? ctx.people.filter((p) => p.id === o.assigneeUserId) : ctx.people.filter((p) => p.role === o.assigneeRole);
    const when = `${o.dueOn} at ${localTime(o.dueAt, ctx.timeZone)} (${ctx.timeZone})`;
    for (const person of to) {
      const off = this.remindersOffLink(person.id);
      await this.deps.queueMailInTx!(tx, {
        to: person.email!,
        tag: 'task.overdue',
        subject: `Overdue: ${o.title}`.slice(0, 300),
        text:
          `Hello ${person.name},\n\n"${o.title}" was due ${when} and is still open.\n\n` +
          `Open it in My day: ${this.myDayLink(o.id)}\n\n` +
          `You get this email because the task is ${o.assigneeUserId ? 'assigned to you' : `assigned to everyone in ${ROLE_NAMES[o.assigneeRole ?? ''] ?? o.assigneeRole}`}. ` +
          (off ? `To stop these emails: ${off} (one click, no sign-in), or turn off "Email me when a task is overdue" in My day.\n` : `To stop these emails, turn off "Email me when a task is overdue" in My day.\n`),
        // RFC 8058: the mail app's own "unsubscribe" button POSTs to the link; no sign-in, the signature is the proof.
        ...(off ? { headers: { 'List-Unsubscribe': `<${off}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
      });
    }
  }

  /**
   * The reminder's link: /t/my-day/<token>, the occurrence id signed for 30 days. It leads to
   * My day with the task in view; it does not sign anyone in (staff sign in with their password
   * and second factor).
   */
  private myDayLink(occurrenceId: string): string {
    const base = (this.deps.publicUrl ?? '').replace(/\/$/, '');
    if (!this.deps.signer) return `${base}/admin/my-day`;
    const token = this.deps.signer.sign(REMINDER_PURPOSE, occurrenceId, new Date(this.deps.clock.now().getTime() + REMINDER_LINK_DAYS * 86_400_000));
    return `${base}/t/my-day/${token}`;
  }

  /** The signed one-click link that turns this person's overdue reminders off (null without a signer). */
  private remindersOffLink(userId: string): string | null {
    if (!this.deps.signer) return null;
    const base = (this.deps.publicUrl ?? '').replace(/\/$/, '');
    const token = this.deps.signer.sign(REMINDERS_OFF_PURPOSE, userId, new Date(this.deps.clock.now().getTime() + REMINDERS_OFF_LINK_DAYS * 86_400_000));
    return `${base}/t/task-reminders/off?token=${encodeURIComponent(token)}`;
  }

  /** Who a one-click opt-out token names (an active team member), or an invalid_token error. */
  async remindersOffTarget(token: string): Promise<PersonRef> {
    const userId = this.deps.signer?.verify(REMINDERS_OFF_PURPOSE, token, this.deps.clock.now());
    if (!userId) throw new DomainError('invalid_token', 'This link is not valid: it was altered, or it is too old. Turn reminders off in My day instead.');
    const person = (await this.deps.people()).find((p) => p.id === userId);
    if (!person) throw new DomainError('invalid_token', 'This link is not valid: its team member is no longer on the team.');
    return person;
  }

  /**
   * RFC 8058 one-click opt-out: turns the overdue reminders of the person the token names off,
   * with no sign-in (the signature is the proof), and records it with them as the actor.
   * Idempotent: a second click changes nothing and records nothing.
   */
  async turnOffRemindersByToken(token: string): Promise<{ changed: boolean; name: string }> {
    const person = await this.remindersOffTarget(token);
    const now = this.deps.clock.now();
    const changed = await this.deps.database.transaction(async (tx) => {
      const [before] = await tx.select().from(taskNotificationSettings).where(eq(taskNotificationSettings.userId, person.id)).for('update');
      if (before && !before.overdueEmail) return false;
      await tx
        .insert(taskNotificationSettings)
        .values({ userId: person.id, overdueEmail: false, updatedAt: now })
        .onConflictDoUpdate({ target: taskNotificationSettings.userId, set: { overdueEmail: false, updatedAt: now } });
      const actor: Actor = person.role === 'owner' ? { kind: 'owner', id: person.id, label: person.name } : { kind: 'assistant', id: person.id, role: person.role, label: person.name };
      await this.deps.events.recordInTx(tx, { type: 'task.reminders_turned_off', actor, subject: { type: 'user', id: person.id }, data: { via: 'one_click' } });
      return true;
    });
    return { changed, name: person.name };
  }

  /** Where a reminder's link leads: My day at the task when the token is good, My day otherwise. */
  reminderTarget(token: string): string {
    const id = this.deps.signer?.verify(REMINDER_PURPOSE, token, this.deps.clock.now());
    return id && /^[0-9a-f-]{36}$/.test(id) ? `/admin/my-day?task=${id}` : '/admin/my-day';
  }

  /** The caller's reminder choice (on unless they turned it off). */
  async notificationSettings(userId: string): Promise<{ overdueEmail: boolean }> {
    const [row] = await this.db.select().from(taskNotificationSettings).where(eq(taskNotificationSettings.userId, userId));
    return { overdueEmail: row?.overdueEmail ?? true };
  }

  async setNotificationSettings(userId: string, settings: { overdueEmail: boolean }): Promise<{ overdueEmail: boolean }> {
    const now = this.deps.clock.now();
    await this.db
      .insert(taskNotificationSettings)
      .values({ userId, overdueEmail: settings.overdueEmail, updatedAt: now })
      .onConflictDoUpdate({ target: taskNotificationSettings.userId, set: { overdueEmail: settings.overdueEmail, updatedAt: now } });
    return { overdueEmail: settings.overdueEmail };
  }

  /** Open occurrences for the caller (theirs, or their role's) due by today, and those closed today. */
  async myDay(caller: Pick<Caller, 'role' | 'userId'>): Promise<MyDayView> {
    const { today, timeZone } = await this.today();
    const endOfToday = zonedInstant(today, '23:59', timeZone);
    const startOfToday = zonedInstant(today, '00:00', timeZone);
    const mine = caller.userId
      ? or(eq(taskOccurrences.assigneeUserId, caller.userId), and(isNull(taskOccurrences.assigneeUserId), eq(taskOccurrences.assigneeRole, caller.role)))
      : and(isNull(taskOccurrences.assigneeUserId), eq(taskOccurrences.assigneeRole, caller.role));
    const open = await this.db
      .select()
      .from(taskOccurrences)
      .where(and(mine, eq(taskOccurrences.status, 'open'), lte(taskOccurrences.dueOn, today)))
      .orderBy(asc(taskOccurrences.dueAt))
      .limit(200);
    const closed = await this.db
      .select()
      .from(taskOccurrences)
      .where(and(mine, inArray(taskOccurrences.status, ['done', 'skipped']), sql`${taskOccurrences.closedAt} >= ${startOfToday}`, sql`${taskOccurrences.closedAt} <= ${endOfToday}`))
      .orderBy(desc(taskOccurrences.closedAt))
      .limit(100);
    return { today, timeZone, due: await this.occurrenceViews(open), closedToday: await this.occurrenceViews(closed) };
  }

  async getOccurrence(id: string): Promise<OccurrenceView> {
    const [row] = await this.db.select().from(taskOccurrences).where(eq(taskOccurrences.id, id));
    if (!row) throw notFound('Task');
    return (await this.occurrenceViews([row]))[0]!;
  }

  private assertMayWork(o: OccurrenceRow, caller: Caller): void {
    if (can(caller.role, 'tasks.manage')) return;
    const theirs = o.assigneeUserId ? o.assigneeUserId === caller.userId : o.assigneeRole === caller.role;
    if (!theirs) throw forbidden('This task is assigned to someone else');
  }

  private async lockedOccurrence(tx: Tx, id: string, caller: Caller): Promise<OccurrenceRow> {
    const [row] = await tx.select().from(taskOccurrences).where(eq(taskOccurrences.id, id)).for('update');
    if (!row) throw notFound('Task');
    this.assertMayWork(row, caller);
    if (row.status !== 'open') throw conflict(row.status === 'done' ? 'This task is already done' : 'This task was skipped');
    return row;
  }

  async checkItem(id: string, itemId: string, done: boolean, caller: Caller): Promise<OccurrenceView> {
    await this.deps.database.transaction(async (tx) => {
      const row = await this.lockedOccurrence(tx, id, caller);
      const item = row.checklist.find((i) => i.id === itemId);
      if (!item) throw notFound('Checklist item');
      if (item.done === done) return;
      const at = this.deps.clock.now().toISOString();
      const checklist = row.checklist.map((i) => (i.id === itemId ? (done ? { ...i, done, doneAt: at, doneBy: formatActor(caller.actor) } : { id: i.id, text: i.text, done }) : i));
      await tx.update(taskOccurrences).set({ checklist }).where(eq(taskOccurrences.id, id));
      await this.deps.events.recordInTx(tx, { type: 'task.item_checked', actor: caller.actor, subject: { type: 'task_occurrence', id }, data: { ...occurrenceData(row), itemId, item: item.text, done } });
    });
    return this.getOccurrence(id);
  }

  /**
   * Changes an open occurrence's checklist (a task manager: the SOP changed after the task came
   * due, or this time needs one more step). `items` are the texts in their new order: an item
   * whose text is unchanged keeps its id and its tick (the first one with that text), a new or
   * reworded one starts unticked, one left out is gone. Later occurrences still copy the SOP.
   */
  async editChecklist(id: string, items: string[], caller: Caller): Promise<OccurrenceView> {
    if (!can(caller.role, 'tasks.manage')) throw forbidden('Only a task manager changes a checklist');
    const texts = items.map((t) => t.replace(/\s+/g, ' ').trim());
    if (texts.some((t) => !t)) throw invalid('Every checklist item needs its text', { field: 'items' });
    await this.deps.database.transaction(async (tx) => {
      const row = await this.lockedOccurrence(tx, id, caller);
      const unclaimed = [...row.checklist];
      const taken = new Set<string>();
      const kept: (ChecklistItem | null)[] = texts.map((text) => {
        const i = unclaimed.findIndex((item) => item.text === text);
        if (i < 0) return null;
        const [item] = unclaimed.splice(i, 1);
        taken.add(item!.id);
        return item!;
      });
      // A new item never takes the id of one just removed (a tick sent from a page loaded before
      // the edit must not land on a different item); ids stay within i1…i999, reusing a removed
      // one only past that.
      const current = new Set(row.checklist.map((i) => i.id));
      const nextId = () => {
        for (const avoid of [new Set([...taken, ...current]), taken]) {
          for (let n = 1; n <= 999; n++) {
            if (!avoid.has(`i${n}`)) {
              taken.add(`i${n}`);
              current.add(`i${n}`);
              return `i${n}`;
            }
          }
        }
        throw conflict('This checklist has had too many items');
      };
      const checklist = kept.map((item, k) => item ?? { id: nextId(), text: texts[k]!, done: false });
      const added = kept.filter((x) => x === null).length;
      const removed = unclaimed.length;
      const reordered = !added && !removed && checklist.some((item, k) => item.id !== row.checklist[k]?.id);
      if (!added && !removed && !reordered) return;
      await tx.update(taskOccurrences).set({ checklist }).where(eq(taskOccurrences.id, id));
      await this.deps.events.recordInTx(tx, {
        type: 'task.checklist_edited',
        actor: caller.actor,
        subject: { type: 'task_occurrence', id },
        data: { ...occurrenceData(row), added, removed, items: checklist.length, itemsDone: checklist.filter((i) => i.done).length },
      });
    });
    return this.getOccurrence(id);
  }

  /** Done: every checklist item must be ticked first (skip the task, with a reason, otherwise). */
  async complete(id: string, caller: Caller): Promise<OccurrenceView> {
    await this.deps.database.transaction(async (tx) => {
      const row = await this.lockedOccurrence(tx, id, caller);
      const left = row.checklist.filter((i) => !i.done).length;
      if (left > 0) throw conflict(`Tick the checklist first: ${left} of ${row.checklist.length} item${row.checklist.length === 1 ? '' : 's'} left (or skip the task with a reason)`, { field: 'checklist', left });
      const now = this.deps.clock.now();
      await tx.update(taskOccurrences).set({ status: 'done', closedAt: now, ...closedBy(caller.actor) }).where(eq(taskOccurrences.id, id));
      const late = now > row.dueAt;
      await this.deps.events.recordInTx(tx, {
        type: 'task.completed', actor: caller.actor, subject: { type: 'task_occurrence', id },
        data: { ...occurrenceData(row), late, ...(late ? { minutesLate: Math.round((now.getTime() - row.dueAt.getTime()) / 60_000) } : {}), itemsDone: row.checklist.length, itemsTotal: row.checklist.length },
      });
    });
    return this.getOccurrence(id);
  }

  async skip(id: string, reason: string, caller: Caller): Promise<OccurrenceView> {
    const why = reason.trim();
    if (!why) throw invalid('Say why the task is skipped', { field: 'reason' });
    await this.deps.database.transaction(async (tx) => {
      const row = await this.lockedOccurrence(tx, id, caller);
      await tx.update(taskOccurrences).set({ status: 'skipped', skipReason: why, closedAt: this.deps.clock.now(), ...closedBy(caller.actor) }).where(eq(taskOccurrences.id, id));
      await this.deps.events.recordInTx(tx, { type: 'task.skipped', actor: caller.actor, subject: { type: 'task_occurrence', id }, data: { ...occurrenceData(row), reason: why } });
    });
    return this.getOccurrence(id);
  }

  /**
   * Re-opens a done or skipped occurrence (ticked by mistake, or work found unfinished): open
   * again with its checklist as it was, so an item can be unticked; who closed it and why are
   * kept in the task.completed / task.skipped event, and the re-opening is an event with its
   * actor. It is not reminded again as overdue (that was sent once).
   */
  async reopen(id: string, reason: string, caller: Caller): Promise<OccurrenceView> {
    const why = reason.trim();
    await this.deps.database.transaction(async (tx) => {
      const [row] = await tx.select().from(taskOccurrences).where(eq(taskOccurrences.id, id)).for('update');
      if (!row) throw notFound('Task');
      this.assertMayWork(row, caller);
      if (row.status === 'open') throw conflict('This task is already open');
      await tx
        .update(taskOccurrences)
        .set({ status: 'open', closedAt: null, closedByKind: null, closedById: null, closedByRole: null, closedByLabel: null, skipReason: null })
        .where(eq(taskOccurrences.id, id));
      await this.deps.events.recordInTx(tx, { type: 'task.reopened', actor: caller.actor, subject: { type: 'task_occurrence', id }, data: { ...occurrenceData(row), from: row.status, ...(why ? { reason: why } : {}) } });
    });
    return this.getOccurrence(id);
  }

  private async occurrenceViews(rows: OccurrenceRow[]): Promise<OccurrenceView[]> {
    if (rows.length === 0) return [];
    const taskIds = [...new Set(rows.map((r) => r.taskId))];
    const taskRows = await this.db.select().from(tasks).where(inArray(tasks.id, taskIds));
    const taskBy = new Map(taskRows.map((t) => [t.id, t]));
    const sopIds = [...new Set(rows.map((r) => r.sopId).filter((x): x is string => !!x))];
    const sopTitles = new Map(sopIds.length ? (await this.db.select({ id: sops.id, title: sops.title }).from(sops).where(inArray(sops.id, sopIds))).map((s) => [s.id, s.title]) : []);
    const people = await this.deps.people();
    const now = this.deps.clock.now();
    return rows.map((r) => this.occurrenceView(r, taskBy.get(r.taskId)!, people, sopTitles, now));
  }

  private occurrenceView(r: OccurrenceRow, task: TaskRow, people: PersonRef[], sopTitles: Map<string, string>, now: Date): OccurrenceView {
    const closer = r.closedById ? (people.find((p) => p.id === r.closedById)?.name ?? r.closedByLabel ?? r.closedByRole) : r.closedByKind;
    return {
      id: r.id,
      taskId: r.taskId,
      title: r.title,
      notes: task.notes,
      dueOn: r.dueOn,
      dueAt: r.dueAt,
      assignee: assigneeView(r.assigneeRole, r.assigneeUserId, people),
      sop: r.sopId ? { id: r.sopId, title: sopTitles.get(r.sopId) ?? 'SOP', revision: r.sopRevision } : null,
      subject: task.subjectType && task.subjectId ? { type: task.subjectType, id: task.subjectId, label: task.subjectLabel ?? task.subjectId } : null,
      checklist: r.checklist,
      status: r.status,
      overdue: r.status === 'open' && r.dueAt < now,
      closedAt: r.closedAt,
      closedBy: r.closedAt ? (closer ?? null) : null,
      late: r.status === 'done' && r.closedAt !== null && r.closedAt > r.dueAt,
      skipReason: r.skipReason,
    };
  }
}

function closedBy(actor: Actor) {
  return {
    closedByKind: actor.kind,
    closedById: actor.kind === 'system' ? null : actor.id,
    closedByRole: actor.kind === 'owner' ? 'owner' : actor.kind === 'assistant' ? actor.role : null,
    closedByLabel: actor.label ?? null,
  };
}

function occurrenceData(o: OccurrenceRow) {
  return { taskId: o.taskId, title: o.title, dueOn: o.dueOn, assigneeRole: o.assigneeRole, assigneeUserId: o.assigneeUserId };
}

const ROLE_NAMES: Record<string, string> = { owner: 'Owner', admin: 'Admins', support: 'Support', content: 'Content', marketing: 'Marketing' };

function assigneeView(role: string | null, userId: string | null, people: PersonRef[]) {
  if (userId) return { role, userId, name: people.find((p) => p.id === userId)?.name ?? 'A former team member' };
  return { role, userId: null, name: role && isRole(role) ? `Everyone in ${ROLE_NAMES[role]}` : 'Nobody' };
}
