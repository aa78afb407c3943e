// The automation engine: runs enter on events, each step execution is keyed by (run, seq), waits
// sleep on the app clock. The tick (`tick`, the automation.tick job) executes the steps whose
// effect is in the database — tags, waits, splits, ends, conditions on a tag or a field, and
// emails (queued set-wise through the mail module, sent by its batch job) — for up to 500 runs
// per transaction, set-wise. Steps that leave the database or read other modules (webhook,
// access, lists, …) run in pg-boss step jobs, one run each (`runStep`).
//
// Why nothing runs twice (the crash-safety argument):
// - The tick claims active runs with `for update skip locked` (concurrent ticks take disjoint
//   runs) and writes every effect, step row (primary key run + seq), run move, event and job of
//   the batch in ONE transaction: a crash leaves nothing, and a retry claims the same runs at
//   the same seq. A run handed to a step job is held (`due_at` set on the active run), so the
//   tick does not take it while its job runs; a step job that meets a run the tick moved on
//   sees a seq it has not reached, under the same row lock, and does nothing twice.
// - Each step locks its run row (`for update`) and acts only if the run is active and the
//   step's seq is the run's next one. Executing the step, writing its execution row (primary
//   key run + seq) and moving the run on happen in ONE transaction. A worker that dies before
//   the commit leaves nothing. The job is not completed until the chain stops (a wait, the
//   end), so a crash anywhere in the chain leaves the job to be retried: the retry starts at
//   the run's next seq, which skips every step already committed. A duplicate job (a retry
//   after a lost acknowledgement, a second process) only ever executes seq the run has not
//   reached, under the same lock, so no step runs twice.
// - Side effects inside the database (tags, fields, lists, access, the email's queued message)
//   are in that transaction. The email's Message-ID is derived from (run, seq), so even the
//   mail engine's own retry of the SMTP hand-off is recognisable at the receiver.
// - The one side effect outside the database, a webhook, is sent before the transaction with
//   an idempotency key (webhook-id = run + seq): a retry after a crash sends the same id, which
//   the receiver uses to drop the copy (Standard Webhooks).
// - Waits store `due_at` (clock time) on the run; the wake job claims due runs with
//   `for update skip locked` and enqueues their next step in the same transaction, so several
//   processes share the work and each run is woken once.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Template } from 'liquidjs';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import type { JobQueue } from '../../jobs/queue.js';
import { normalizeEmail, type AudienceService, type Contact } from '../audience/index.js';
import { safeLiquidEngine, type MailService, type TransactionalMessage } from '../mail/index.js';
import type { AccessService } from '../access/index.js';
import type { CatalogService } from '../catalog/index.js';
import { isSubjectType, type SubjectRef, type TasksService } from '../tasks/index.js';
import { definitionSchema, isTimeTrigger, triggerEventTypes, type Condition, type Definition, type Goal, type Problem, type Step, type Trigger } from './definition.js';
import { timeTriggerQuery } from './time-triggers.js';
import { automationAttributions, automationEmailActivity, automationRuns, automationSteps, automationVersions, automationWorkflows, type RunState } from './schema.js';
import { linkToken, trackedEmail } from './email-tracking.js';

export const STEP_JOB = 'automation.step';
export const WAKE_JOB = 'automation.wake';
export const EVENT_JOB = 'automation.on-event';
export const SCAN_JOB = 'automation.scan';
export const TICK_JOB = 'automation.tick';

/** No contact enters the same workflow more than this many times in 24 hours, whatever its re-entry setting. */
export const ENTRY_CAP_PER_DAY = 10;
/** A failing step is retried this many times (with backoff) before its run is marked failed. */
export const STEP_ATTEMPTS = 4;
/** At most this many steps run in one step job before it hands the run over to a fresh job. */
export const MAX_CHAIN = 50;
/** Step jobs one worker fetches per poll. */
export const STEP_BATCH = 25;
/** Business events the subscriber (automation.on-event) handles in one transaction at most. */
export const EVENT_BATCH = 100;
/** Runs one tick transaction claims and carries, set-wise, through their in-database steps. */
export const TICK_BATCH = 500;
/**
 * A run whose next step is handed to a step job (an email, a webhook, …) stays active with
 * `due_at` set this far ahead: the tick leaves it to the job, and takes it back only if the job
 * vanished (a safety net; the job's retries end long before).
 */
export const HOLD_MS = 60 * 60_000;

/**
 * Steps the tick executes itself, many runs at once in one transaction: their effect is in the
 * database, cannot fail for one contact alone, and needs no read outside the transaction. An
 * email is one of them: its effect here is the queued message (the mail module's `queueManyInTx`,
 * sent afterwards by its batch job); what leaves the machine leaves after the commit. Every
 * other step (webhook, access, lists, fields, tasks, notes to the owner, conditions that read
 * other modules) runs in a step job of its own, with its retries.
 */
export function runsInTick(step: Step | undefined): boolean {
  if (!step) return true;
  switch (step.kind) {
    case 'tag':
    case 'wait':
    case 'wait_until':
    case 'wait_weekday':
    case 'wait_event':
    case 'split':
    case 'end':
    case 'email':
      return true;
    case 'condition':
      return step.condition.test === 'has_tag' || step.condition.test === 'field_equals';
    default:
      return false;
  }
}

export interface EngineDeps {
  database: Database;
  clock: Clock;
  events: EventLog;
  jobs: JobQueue;
  log: Logger;
  audience: AudienceService;
  mail: MailService;
  access: AccessService;
  catalog: CatalogService;
  /**
   * the "create a task" step: a one-off task, idempotent by its key, and what it can be about
   * (courses, posts and products by title; which of them no longer exist) — the tasks module
   */
  tasks: Pick<TasksService, 'createOneOffInTx' | 'searchSubjects' | 'missingSubjects'>;
  /** course progress for the "completed N % of a course" condition (the learning module's student side) */
  learning: { student: { myCourses(contactId: string): Promise<{ id: string; percent: number }[]> } };
  secretKey: string;
  settings: { webhooksAllowPrivate: boolean; publicUrl: string };
}

export interface EventJob {
  eventId: number;
  type: string;
  subject: { type: string; id: string } | null;
  data: Record<string, unknown>;
}

type Run = typeof automationRuns.$inferSelect;

/** What executing a step decided. */
interface Outcome {
  status: 'done' | 'skipped';
  detail: string;
  data?: Record<string, unknown>;
  /** where the run goes next (null: it ends) */
  next: string | null;
  wait?: { dueAt: Date; event?: string; eventNext?: string | null };
  end?: { state: RunState; reason: string };
  branches?: Record<string, number>;
}

interface Prefetched {
  /** course id → percent of its lessons completed */
  courses?: Map<string, number>;
  suppressed?: boolean;
  marketing?: { headers: Record<string, string>; unsubscribeUrl: string };
  /** a task step's picked course / post / product that no longer exists */
  missingSubject?: boolean;
}

export const automationActor = (workflowId: string): Actor => ({ kind: 'automation', id: workflowId });

// The mail engine's safe settings (no file system: an email step or a task's title that says
// {% include '.env' %} refuses instead of reading the server's files), lenient on filters.
const liquid = safeLiquidEngine({ strictFilters: false });
/** Parsed step templates by their text: a step's subject and body are parsed once, not per contact. */
const parsedTemplates = new Map<string, Template[]>();

export class AutomationEngine {
  private readonly definitions = new Map<string, Definition>();
  private readonly webhookSigner: Webhook;
  private readonly linkKey: Buffer;

  constructor(private readonly deps: EngineDeps) {
    const secret = createHmac('sha256', deps.secretKey).update('automation-webhooks').digest('base64');
    this.webhookSigner = new Webhook(secret);
    this.linkKey = createHmac('sha256', deps.secretKey).update('automation-email-links').digest();
  }

  /** The secret receivers verify automation webhooks with (Standard Webhooks, whsec_ form). */
  get webhookSecret(): string {
    return `whsec_${createHmac('sha256', this.deps.secretKey).update('automation-webhooks').digest('base64')}`;
  }

  /** A version's definition: immutable, so cached for the life of the process. */
  async definition(db: DbOrTx, versionId: string): Promise<Definition> {
    const cached = this.definitions.get(versionId);
    if (cached) return cached;
    const [v] = await db.select({ definition: automationVersions.definition }).from(automationVersions).where(eq(automationVersions.id, versionId));
    if (!v) throw new Error(`automation version ${versionId} is missing`);
    const def = definitionSchema.parse(v.definition);
    this.definitions.set(versionId, def);
    return def;
  }

  // ---- entering ---------------------------------------------------------------------------------

  /**
   * Starts a run of a live workflow for a contact, in `tx`, unless re-entry or the daily cap
   * says no. `triggerKey` names what started it: the same key never starts a second run.
   * Returns the run id, or the reason it did not start.
   */
  async enterInTx(
    tx: Tx,
    input: { workflowId: string; versionId: string; contactId: string; triggerKey: string; trigger?: Trigger; data?: Record<string, unknown> },
  ): Promise<{ runId: string } | { refused: string }> {
    const def = await this.definition(tx, input.versionId);
    const now = this.deps.clock.now();
    // One entry decision at a time per (workflow, contact): re-entry and the cap count runs.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.workflowId}), hashtext(${input.contactId}))`);
    const counts = await this.deps.database.executorFor(tx)<{ total: number; today: number; last: Date | null }>(
      `select count(*)::int as total, count(*) filter (where started_at > $3)::int as today, max(started_at) as last
         from automation_runs where workflow_id = $1 and contact_id = $2`,
      [input.workflowId, input.contactId, new Date(now.getTime() - 86_400_000)],
      { name: 'automation_entry_counts' },
    );
    const c = counts.rows[0]!;
    if (c.total > 0 && def.reentry === 'once') return { refused: 'already entered once' };
    if (c.last && def.reentry === 'days' && now.getTime() - new Date(c.last).getTime() < (def.reentryDays ?? 1) * 86_400_000) return { refused: `entered less than ${def.reentryDays} days ago` };
    if (c.today >= ENTRY_CAP_PER_DAY) return { refused: `entered ${ENTRY_CAP_PER_DAY} times in 24 hours (the cap)` };
    const abandoned = input.trigger?.type === 'checkout.abandoned' ? input.trigger : null;
    const [run] = await tx
      .insert(automationRuns)
      .values({
        workflowId: input.workflowId,
        versionId: input.versionId,
        contactId: input.contactId,
        triggerKey: input.triggerKey,
        state: abandoned ? 'waiting' : 'active',
        stepId: def.start,
        dueAt: abandoned ? new Date(now.getTime() + abandoned.minutes * 60_000) : null,
        startedAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: automationRuns.id });
    if (!run) return { refused: 'this trigger already started a run' };
    await this.deps.events.recordInTx(tx, {
      type: 'automation.entered',
      actor: automationActor(input.workflowId),
      subject: { type: 'contact', id: input.contactId },
      data: { workflowId: input.workflowId, runId: run.id, trigger: input.trigger?.type ?? 'manual', ...(input.data ?? {}) },
    });
    if (!abandoned) await this.deps.jobs.sendInTx(tx, TICK_JOB, {});
    return { runId: run.id };
  }

  /**
   * The set-wise form of `enterInTx` for many contacts with one trigger key (manual enrolment): one
   * lock statement, one count of earlier runs, one insert of runs, one insert of events, one tick
   * job. The same rules: re-entry, the daily cap, one run per trigger key.
   */
  async enterManyInTx(tx: Tx, input: { workflowId: string; versionId: string; contactIds: string[]; triggerKey: string; data?: Record<string, unknown> }): Promise<{ entered: number; refused: number }> {
    const ids = [...new Set(input.contactIds)].sort();
    if (!ids.length) return { entered: 0, refused: 0 };
    const def = await this.definition(tx, input.versionId);
    const now = this.deps.clock.now();
    const exec = this.deps.database.executorFor(tx);
    // The same advisory locks as `enterInTx`, taken in a fixed order (no deadlock between two batches).
    await exec(`select count(pg_advisory_xact_lock(hashtext($1), hashtext(c))) from unnest($2::text[]) with ordinality as u(c, o)`, [input.workflowId, ids], { name: 'automation_entry_locks' });
    const counts = await exec<{ contact_id: string; total: number; today: number; last: Date | null }>(
      `select contact_id, count(*)::int as total, count(*) filter (where started_at > $3)::int as today, max(started_at) as last
         from automation_runs where workflow_id = $1 and contact_id = any($2::uuid[]) group by contact_id`,
      [input.workflowId, ids, new Date(now.getTime() - 86_400_000)],
      { name: 'automation_entry_counts_many' },
    );
    const seen = new Map(counts.rows.map((r) => [r.contact_id, r]));
    const allowed = ids.filter((id) => {
      const c = seen.get(id);
      if (!c) return true;
      if (c.total > 0 && def.reentry === 'once') return false;
      if (c.last && def.reentry === 'days' && now.getTime() - new Date(c.last).getTime() < (def.reentryDays ?? 1) * 86_400_000) return false;
      return c.today < ENTRY_CAP_PER_DAY;
    });
    if (!allowed.length) return { entered: 0, refused: ids.length };
    const runs = await tx
      .insert(automationRuns)
      .values(allowed.map((contactId) => ({ workflowId: input.workflowId, versionId: input.versionId, contactId, triggerKey: input.triggerKey, state: 'active' as const, stepId: def.start, startedAt: now, updatedAt: now })))
      .onConflictDoNothing()
      .returning({ id: automationRuns.id, contactId: automationRuns.contactId });
    await this.deps.events.recordManyInTx(
      tx,
      runs.map((r) => ({
        type: 'automation.entered' as const,
        actor: automationActor(input.workflowId),
        subject: { type: 'contact', id: r.contactId },
        data: { workflowId: input.workflowId, runId: r.id, trigger: 'manual', ...(input.data ?? {}) },
      })),
    );
    if (runs.length) await this.deps.jobs.sendInTx(tx, TICK_JOB, {});
    return { entered: runs.length, refused: ids.length - runs.length };
  }

  // ---- the event subscriber ---------------------------------------------------------------------

  /** Reacts to one business event, in a transaction of its own (see `onEventsInTx`). */
  async onEvent(evt: EventJob): Promise<void> {
    await this.deps.database.transaction((tx) => this.onEventsInTx(tx, [evt]));
  }

  /**
   * Reacts to a batch of business events in `tx`, set-wise, with the effect of handling them one
   * after the other in the order given (the subscriber passes them in event-id order): starts the
   * runs they trigger (one insert … select for every workflow and event; re-entry and the daily
   * cap counted through the batch), resumes the runs waiting for them (one update), meets goals
   * (one read of the contacts' running runs) and attributes revenue. A run is keyed by
   * (workflow, contact, `event:<id>`): replaying an event starts nothing twice.
   */
  async onEventsInTx(tx: Tx, list: EventJob[]): Promise<void> {
    const about = list.flatMap((evt) => {
      const contactId = contactOf(evt);
      return contactId ? [{ evt, contactId }] : [];
    });
    if (!about.length) return;
    const startedBy = await this.enterOnEvents(tx, await this.liveWorkflows(tx), about);
    await this.resumeWaiting(tx, about);
    await this.meetGoals(tx, about, startedBy);
    for (const { evt, contactId } of about) {
      if (evt.type === 'order.paid') await this.attributeRevenue(tx, contactId, evt.subject?.type === 'order' ? evt.subject.id : null, Number(evt.data.total ?? evt.data.amountPaid ?? 0));
    }
  }

  /** Live workflows and the version new runs start on (in `tx` when given: PGlite must not leave it). */
  private async liveWorkflows(tx?: Tx): Promise<{ id: string; versionId: string }[]> {
    const exec = tx ? this.deps.database.executorFor(tx) : this.deps.database.execute;
    const rows = await exec<{ id: string; version_id: string }>(
      `select id, version_id from automation_workflows where status = 'live' and version_id is not null order by id`,
      [],
      { name: 'automation_live_workflows' },
    );
    return rows.rows.map((r) => ({ id: r.id, versionId: r.version_id }));
  }

  /**
   * The entries a batch of events triggers, set-wise: the same rules as `enterInTx` (advisory lock per
   * workflow and contact, re-entry, the daily cap, one run per trigger key), with the runs a
   * batch starts counted as it goes. Returns the started runs' ids → the id of the event that
   * started them (goals of later events in the batch apply to them, of earlier ones do not).
   */
  private async enterOnEvents(tx: Tx, live: { id: string; versionId: string }[], about: { evt: EventJob; contactId: string }[]): Promise<Map<string, number>> {
    const started = new Map<string, number>();
    type Candidate = { workflowId: string; versionId: string; def: Definition; trigger: Trigger; evt: EventJob; contactId: string };
    let candidates: Candidate[] = [];
    for (const { evt, contactId } of about) {
      for (const w of live) {
        const def = await this.definition(tx, w.versionId);
        const trigger = def.triggers.find((t) => triggerEventTypes(t).includes(evt.type) && triggerMatches(t, evt));
        if (trigger) candidates.push({ workflowId: w.id, versionId: w.versionId, def, trigger, evt, contactId });
      }
    }
    // "field changed to a value" reads the contact's fields now, as a single event would.
    const byValue = candidates.filter((c) => c.trigger.type === 'field.changed' && c.trigger.value !== undefined);
    if (byValue.length) {
      const contacts = new Map((await this.deps.audience.findByIds(tx, [...new Set(byValue.map((c) => c.contactId))])).map((c) => [c.id, c]));
      candidates = candidates.filter((c) => c.trigger.type !== 'field.changed' || c.trigger.value === undefined || (contacts.get(c.contactId)?.fields?.[c.trigger.field] ?? '') === c.trigger.value);
    }
    if (!candidates.length) return started;
    const now = this.deps.clock.now();
    const exec = this.deps.database.executorFor(tx);
    const pairs = [...new Set(candidates.map((c) => `${c.workflowId}|${c.contactId}`))].sort().map((k) => k.split('|') as [string, string]);
    const workflows = pairs.map((p) => p[0]);
    const contactIds = pairs.map((p) => p[1]);
    // The advisory locks of `enterInTx`, in a fixed order (no deadlock between two batches).
    await exec(`select count(pg_advisory_xact_lock(hashtext(w), hashtext(c))) from unnest($1::text[], $2::text[]) with ordinality as u(w, c, o)`, [workflows, contactIds], {
      name: 'automation_entry_locks_pairs',
    });
    const counts = await exec<{ workflow_id: string; contact_id: string; total: number; today: number; last: Date | null }>(
      `select r.workflow_id, r.contact_id, count(*)::int as total, count(*) filter (where r.started_at > $3)::int as today, max(r.started_at) as last
         from automation_runs r join unnest($1::uuid[], $2::uuid[]) as u(w, c) on r.workflow_id = u.w and r.contact_id = u.c
        group by r.workflow_id, r.contact_id`,
      [workflows, contactIds, new Date(now.getTime() - 86_400_000)],
      { name: 'automation_entry_counts_pairs' },
    );
    const seen = new Map(counts.rows.map((r) => [`${r.workflow_id}|${r.contact_id}`, { total: r.total, today: r.today, last: r.last ? new Date(r.last) : null }]));
    const entering: (Candidate & { triggerKey: string; abandoned: boolean })[] = [];
    for (const c of candidates) {
      const key = `${c.workflowId}|${c.contactId}`;
      const n = seen.get(key) ?? { total: 0, today: 0, last: null };
      if (n.total > 0 && c.def.reentry === 'once') continue;
      if (n.last && c.def.reentry === 'days' && now.getTime() - n.last.getTime() < (c.def.reentryDays ?? 1) * 86_400_000) continue;
      if (n.today >= ENTRY_CAP_PER_DAY) continue;
      seen.set(key, { total: n.total + 1, today: n.today + 1, last: now });
      entering.push({ ...c, triggerKey: `event:${c.evt.eventId}`, abandoned: c.trigger.type === 'checkout.abandoned' });
    }
    if (!entering.length) return started;
    const runs = await exec<{ id: string; workflow_id: string; contact_id: string; trigger_key: string }>(
      `insert into automation_runs (workflow_id, version_id, contact_id, trigger_key, state, step_id, due_at, started_at, updated_at)
       select workflow_id, version_id, contact_id, trigger_key, state, step_id, due_at, $2, $2
         from jsonb_to_recordset($1::jsonb) as v(workflow_id uuid, version_id uuid, contact_id uuid, trigger_key text, state text, step_id text, due_at timestamptz)
       on conflict do nothing
       returning id, workflow_id, contact_id, trigger_key`,
      [
        JSON.stringify(
          entering.map((c) => ({
            workflow_id: c.workflowId,
            version_id: c.versionId,
            contact_id: c.contactId,
            trigger_key: c.triggerKey,
            state: c.abandoned ? 'waiting' : 'active',
            step_id: c.def.start,
            due_at: c.trigger.type === 'checkout.abandoned' ? new Date(now.getTime() + c.trigger.minutes * 60_000).toISOString() : null,
          })),
        ),
        now,
      ],
      { name: 'automation_enter_on_events' },
    );
    const ids = new Map(runs.rows.map((r) => [`${r.workflow_id}|${r.contact_id}|${r.trigger_key}`, r.id]));
    const entered = entering.flatMap((c) => {
      const runId = ids.get(`${c.workflowId}|${c.contactId}|${c.triggerKey}`);
      return runId ? [{ ...c, runId }] : [];
    });
    for (const c of entered) started.set(c.runId, c.evt.eventId);
    await this.deps.events.recordManyInTx(
      tx,
      entered.map((c) => ({
        type: 'automation.entered' as const,
        actor: automationActor(c.workflowId),
        subject: { type: 'contact', id: c.contactId },
        data: { workflowId: c.workflowId, runId: c.runId, trigger: c.trigger.type },
      })),
    );
    if (entered.some((c) => !c.abandoned)) await this.deps.jobs.sendInTx(tx, TICK_JOB, {});
    return started;
  }

  /** Runs of these contacts waiting for these events go on to their "it happened" branch (one update). */
  private async resumeWaiting(tx: Tx, about: { evt: Pick<EventJob, 'type'>; contactId: string }[]): Promise<void> {
    const rows = await this.deps.database.executorFor(tx)<{ id: string }>(
      `update automation_runs r
          set state = 'active', step_id = r.wait_event_next, due_at = null, wait_event = null, wait_event_next = null, updated_at = $3
        where r.state = 'waiting' and (r.contact_id, r.wait_event) in (select * from unnest($1::uuid[], $2::text[]))
        returning r.id`,
      [about.map((a) => a.contactId), about.map((a) => a.evt.type), this.deps.clock.now()],
      { name: 'automation_resume_waiting' },
    );
    if (rows.rows.length) await this.deps.jobs.sendInTx(tx, TICK_JOB, {});
  }

  /**
   * Goals: an event that meets one moves the contact's running runs to it, or out. The running
   * runs of every contact concerned are read (and locked) at once, then the events are applied
   * in order; a run started by a later event of the batch is not touched by an earlier one.
   */
  private async meetGoals(tx: Tx, about: { evt: EventJob; contactId: string }[], startedBy: Map<string, number>): Promise<void> {
    const relevant = about.filter(({ evt }) => evt.type === 'order.paid' || evt.type === 'contact.tagged');
    if (!relevant.length) return;
    const runs = await tx
      .select()
      .from(automationRuns)
      .where(and(inArray(automationRuns.contactId, [...new Set(relevant.map((r) => r.contactId))]), inArray(automationRuns.state, ['active', 'waiting'])))
      .orderBy(automationRuns.id)
      .for('update');
    if (!runs.length) return;
    const byContact = new Map<string, Run[]>();
    for (const run of runs) byContact.set(run.contactId, [...(byContact.get(run.contactId) ?? []), run]);
    let moved = false;
    for (const { evt, contactId } of relevant) {
      for (const run of byContact.get(contactId) ?? []) {
        if (run.state !== 'active' && run.state !== 'waiting') continue;
        if ((startedBy.get(run.id) ?? 0) > evt.eventId) continue;
        const def = await this.definition(tx, run.versionId);
        const goal = def.goals.find((g) => goalMet(g, evt));
        const abandonedPaid = evt.type === 'order.paid' && run.state === 'waiting' && run.seq === 0 && def.triggers.some((t) => t.type === 'checkout.abandoned');
        if (!goal && !abandonedPaid) continue;
        if (goal?.then) {
          const set = { state: 'active' as const, stepId: goal.then, dueAt: null, waitEvent: null, waitEventNext: null, updatedAt: this.deps.clock.now() };
          await tx.update(automationRuns).set(set).where(eq(automationRuns.id, run.id));
          Object.assign(run, set);
          moved = true;
        } else {
          await this.endRun(tx, run, 'exited', goal ? `goal met: ${goal.label}` : 'paid before the reminder');
          run.state = 'exited';
        }
      }
    }
    if (moved) await this.deps.jobs.sendInTx(tx, TICK_JOB, {});
  }

  /**
   * Click-based attribution: an order paid within `attributionDays` (per workflow, 7 unless
   * set) of a click on a workflow's email is that workflow's revenue; the last click wins.
   * One attribution per order (a replayed event adds nothing).
   */
  private async attributeRevenue(tx: Tx, contactId: string, orderId: string | null, amount: number): Promise<void> {
    if (!amount || !orderId) return;
    const now = this.deps.clock.now();
    const clicks = await tx
      .select({ runId: automationEmailActivity.runId, workflowId: automationEmailActivity.workflowId, at: automationEmailActivity.lastAt, versionId: automationRuns.versionId })
      .from(automationEmailActivity)
      .innerJoin(automationRuns, eq(automationRuns.id, automationEmailActivity.runId))
      .where(and(eq(automationEmailActivity.contactId, contactId), eq(automationEmailActivity.kind, 'click'), sql`${automationEmailActivity.lastAt} > ${new Date(now.getTime() - 90 * 86_400_000)}`, sql`${automationEmailActivity.lastAt} <= ${now}`))
      .orderBy(sql`${automationEmailActivity.lastAt} desc`)
      .limit(20);
    for (const c of clicks) {
      const def = await this.definition(tx, c.versionId);
      if (now.getTime() - c.at.getTime() > def.attributionDays * 86_400_000) continue;
      const [row] = await tx
        .insert(automationAttributions)
        .values({ orderId, workflowId: c.workflowId, runId: c.runId, contactId, amount, clickedAt: c.at, at: now })
        .onConflictDoNothing()
        .returning({ orderId: automationAttributions.orderId });
      if (row) await tx.update(automationRuns).set({ revenue: sql`${automationRuns.revenue} + ${amount}` }).where(eq(automationRuns.id, c.runId));
      return;
    }
  }

  // ---- opens and clicks of the workflows' emails -------------------------------------------------

  /** A signed open or click token of an email step: the run, the seq and (for a click) the link's index. */
  readLinkToken(token: string): { runId: string; seq: number; idx: number | null } | null {
    const m = /^([0-9a-f]{32})\.(\d{1,9})(?:\.(\d{1,3}))?\.[A-Za-z0-9_-]{22}$/.exec(token);
    if (!m) return null;
    const runId = m[1]!.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const idx = m[3] === undefined ? null : Number(m[3]);
    const expected = linkToken(this.linkKey, runId, Number(m[2]), idx);
    if (expected.length !== token.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(token))) return null;
    return { runId, seq: Number(m[2]), idx };
  }

  /**
   * Records an open or a click of a workflow's email (idempotent per link: repeats count up).
   * The first click of a link is an `automation.email_clicked` event, and resumes the contact's
   * runs waiting for a click. Returns where a click goes (null: not one of our links).
   */
  async recordEmailActivity(token: string): Promise<string | null> {
    const t = this.readLinkToken(token);
    if (!t) return null;
    return this.deps.database.transaction(async (tx) => {
      const [step] = await tx
        .select({ workflowId: automationSteps.workflowId, data: automationSteps.data, contactId: automationRuns.contactId })
        .from(automationSteps)
        .innerJoin(automationRuns, eq(automationRuns.id, automationSteps.runId))
        .where(and(eq(automationSteps.runId, t.runId), eq(automationSteps.seq, t.seq), eq(automationSteps.kind, 'email')));
      if (!step) return null;
      const links = Array.isArray(step.data.links) ? (step.data.links as string[]) : [];
      const url = t.idx === null ? '' : links[t.idx];
      if (url === undefined) return null;
      const now = this.deps.clock.now();
      const rows = await this.deps.database.executorFor(tx)<{ first: boolean }>(
        `insert into automation_email_activity (run_id, seq, workflow_id, contact_id, kind, url, first_at, last_at) values ($1, $2, $3, $4, $5, $6, $7, $7)
         on conflict (run_id, seq, kind, url) do update set count = automation_email_activity.count + 1, last_at = excluded.last_at
         returning (count = 1) as first`,
        [t.runId, t.seq, step.workflowId, step.contactId, t.idx === null ? 'open' : 'click', url, now],
        { name: 'automation_record_email_activity' },
      );
      if (t.idx !== null && rows.rows[0]?.first) {
        await this.deps.events.recordInTx(tx, { type: 'automation.email_clicked', actor: { kind: 'customer', id: step.contactId }, subject: { type: 'contact', id: step.contactId }, data: { workflowId: step.workflowId, runId: t.runId, url } });
        await this.resumeWaiting(tx, [{ evt: { type: 'email.clicked' }, contactId: step.contactId }]);
      }
      return t.idx === null ? '' : url;
    });
  }

  // ---- time-based triggers ----------------------------------------------------------------------

  /**
   * Enters the contacts that time-based triggers (stalled in a course, inactive, a date field,
   * N days after signup) match now on the app clock, at most `limit` per trigger per call, in
   * transactions of 100. Idempotent: each entry's trigger key names the occurrence, and the
   * query leaves out contacts who already have it (see time-triggers.ts). Returns how many entered.
   */
  async scanTimeTriggers(limit = 1000): Promise<number> {
    const now = this.deps.clock.now();
    let entered = 0;
    for (const w of await this.liveWorkflows()) {
      const def = await this.definition(this.deps.database.db, w.versionId);
      for (const trigger of def.triggers.filter(isTimeTrigger)) {
        const q = timeTriggerQuery(trigger, now, { onceOnly: def.reentry === 'once' });
        const found = await this.deps.database.execute<{ contact_id: string; key: string }>(q.text, [now, w.id, limit, ...q.params]);
        for (let i = 0; i < found.rows.length; i += 100) {
          entered += await this.deps.database.transaction(async (tx) => {
            let n = 0;
            for (const r of found.rows.slice(i, i + 100)) {
              const res = await this.enterInTx(tx, { workflowId: w.id, versionId: w.versionId, contactId: r.contact_id, triggerKey: r.key, trigger });
              if ('runId' in res) n++;
            }
            return n;
          });
        }
      }
    }
    return entered;
  }

  // ---- waking -----------------------------------------------------------------------------------

  /**
   * Wakes waiting runs that are due on the app clock: each claimed with skip-locked and its next
   * step enqueued in the same transaction. A run waiting for an event that timed out goes to
   * its timeout branch (kept in step_id). Returns how many were woken.
   */
  async wakeDue(limit = 1000): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.database.transaction(async (tx) => {
      const exec = this.deps.database.executorFor(tx);
      const due = await exec<{ id: string; seq: number }>(
        `update automation_runs r set state = 'active', due_at = null, wait_event = null, wait_event_next = null, updated_at = $1
           where r.id in (select id from automation_runs where state = 'waiting' and due_at <= $1 order by due_at limit $2 for update skip locked)
         returning r.id`,
        [now, limit],
        { name: 'automation_wake_due' },
      );
      // The woken runs are active again: one tick job carries them on, many at a time.
      if (due.rows.length) await this.deps.jobs.sendInTx(tx, TICK_JOB, {});
      return due.rows.length;
    });
  }

  // ---- the tick: many runs, set-wise ------------------------------------------------------------

  /** Queues a tick job (outside a transaction). */
  async queueTick(): Promise<void> {
    await this.deps.jobs.send(TICK_JOB, {});
  }

  /**
   * One tick transaction: claims up to `limit` active runs that no step job holds (`for update
   * skip locked`, so two workers take disjoint runs) and carries them, round by round, through
   * their in-database steps (see `runsInTick`): each round executes one step of every run still
   * going, tags with one write per round, conditions on a tag with one read per tag. A run stops
   * at a wait, its end, or a step of a step job (it is then held and that job queued). The step
   * rows, the runs' moves, the events and the jobs are written set-wise at the end, in the same
   * transaction: a crash leaves nothing, and the tick job's retry claims the same runs again.
   * Returns how many runs it claimed.
   */
  async tick(limit = TICK_BATCH): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.database.transaction(async (tx) => {
      const claimed = await tx
        .select()
        .from(automationRuns)
        .where(and(eq(automationRuns.state, 'active'), or(isNull(automationRuns.dueAt), lte(automationRuns.dueAt, now))))
        .orderBy(automationRuns.updatedAt)
        .limit(limit)
        .for('update', { skipLocked: true });
      if (!claimed.length) return 0;
      const contacts = new Map((await this.deps.audience.findByIds(tx, claimed.map((r) => r.contactId))).map((c) => [c.id, c]));
      const stepRows: { run_id: string; seq: number; workflow_id: string; step_id: string; kind: string; status: string; detail: string; data: Record<string, unknown>; at: string }[] = [];
      const ended: { run: Run; state: RunState; reason: string }[] = [];
      const handoff: { runId: string; seq: number }[] = [];
      let going = claimed;
      for (let round = 0; going.length && round < MAX_CHAIN; round++) {
        const done: { run: Run; step: Step; outcome: Outcome }[] = [];
        const tagging: { run: Run; step: Extract<Step, { kind: 'tag' }> }[] = [];
        const tagTests = new Map<string, { run: Run; step: Extract<Step, { kind: 'condition' }> }[]>();
        const emailing: { run: Run; step: Extract<Step, { kind: 'email' }>; contact: Contact; def: Definition }[] = [];
        for (const run of going) {
          const def = await this.definition(tx, run.versionId);
          const step = def.steps.find((x) => x.id === run.stepId);
          const contact = contacts.get(run.contactId);
          if (!step) {
            this.endInMemory(run, 'done', run.stepId ? `step "${run.stepId}" is not in this version` : 'completed', now, ended);
          } else if (!contact) {
            done.push({ run, step, outcome: { status: 'skipped', detail: 'the contact was deleted', next: null, end: { state: 'exited', reason: 'contact deleted' } } });
          } else if (!runsInTick(step)) {
            run.dueAt = new Date(now.getTime() + HOLD_MS);
            handoff.push({ runId: run.id, seq: run.seq + 1 });
          } else if (step.kind === 'tag') {
            tagging.push({ run, step });
          } else if (step.kind === 'email') {
            emailing.push({ run, step, contact, def });
          } else if (step.kind === 'condition' && step.condition.test === 'has_tag') {
            const list = tagTests.get(step.condition.tagId) ?? [];
            list.push({ run, step });
            tagTests.set(step.condition.tagId, list);
          } else {
            done.push({ run, step, outcome: await this.execute(tx, step, run, run.seq + 1, contact, def, {}) });
          }
        }
        for (const action of ['add', 'remove'] as const) {
          const these = tagging.filter((x) => x.step.action === action);
          if (!these.length) continue;
          const { changed, unknownTags } = await this.deps.audience.tagManyInTx(tx, action, these.map((x) => ({ contactId: x.run.contactId, tagId: x.step.tagId, actor: automationActor(x.run.workflowId) })));
          const told = new Set<string>();
          for (const { run, step } of these) {
            if (unknownTags.has(step.tagId)) {
              // A deleted tag: the step job fails it with the reason (after its retries), as for any failing step.
              run.dueAt = new Date(now.getTime() + HOLD_MS);
              handoff.push({ runId: run.id, seq: run.seq + 1 });
              continue;
            }
            const key = `${run.contactId}:${step.tagId}`;
            // Two runs of one contact tagging alike in one round: the first one made the change.
            const did = changed.has(key) && !told.has(key);
            told.add(key);
            done.push({ run, step, outcome: { status: 'done', detail: `${action === 'add' ? 'tag added' : 'tag removed'}${did ? '' : ' (no change)'}`, data: { tagId: step.tagId }, next: step.next ?? null } });
          }
        }
        for (const [tagId, these] of tagTests) {
          const having = await this.deps.audience.contactsWithTag(tx, tagId, these.map((x) => x.run.contactId));
          for (const { run, step } of these) {
            const yes = having.has(run.contactId);
            done.push({ run, step, outcome: { status: 'done', detail: yes ? 'yes' : 'no', data: { branch: yes ? 'yes' : 'no' }, next: (yes ? step.yes : step.no) ?? null } });
          }
        }
        if (emailing.length) done.push(...(await this.emailMany(tx, emailing)));
        going = [];
        for (const { run, step, outcome } of done) {
          const seq = run.seq + 1;
          stepRows.push({ run_id: run.id, seq, workflow_id: run.workflowId, step_id: step.id, kind: step.kind, status: outcome.status, detail: outcome.detail.slice(0, 500), data: outcome.data ?? {}, at: now.toISOString() });
          if (this.moveInMemory(run, seq, outcome, now, ended)) going.push(run);
        }
      }
      // Runs still going after MAX_CHAIN rounds stay active: the next claim takes them on.
      const exec = this.deps.database.executorFor(tx);
      for (let i = 0; i < stepRows.length; i += 5000) {
        await exec(
          `insert into automation_steps (run_id, seq, workflow_id, step_id, kind, status, detail, data, at)
           select run_id, seq, workflow_id, step_id, kind, status, detail, data, at
             from jsonb_to_recordset($1::jsonb) as v(run_id uuid, seq int, workflow_id uuid, step_id text, kind text, status text, detail text, data jsonb, at timestamptz)`,
          [JSON.stringify(stepRows.slice(i, i + 5000))],
          { name: 'automation_tick_steps' },
        );
      }
      const moved = claimed.map((r) => ({
        id: r.id,
        seq: r.seq,
        state: r.state,
        step_id: r.stepId,
        due_at: r.dueAt?.toISOString() ?? null,
        wait_event: r.waitEvent,
        wait_event_next: r.waitEventNext,
        branches: r.branches,
        end_reason: r.endReason,
        ended_at: r.endedAt?.toISOString() ?? null,
      }));
      await exec(
        `update automation_runs r
            set seq = v.seq, state = v.state, step_id = v.step_id, due_at = v.due_at, wait_event = v.wait_event, wait_event_next = v.wait_event_next,
                branches = v.branches, end_reason = v.end_reason, ended_at = v.ended_at, updated_at = $2
           from jsonb_to_recordset($1::jsonb) as v(id uuid, seq int, state text, step_id text, due_at timestamptz, wait_event text, wait_event_next text, branches jsonb, end_reason text, ended_at timestamptz)
          where r.id = v.id`,
        [JSON.stringify(moved), now],
        { name: 'automation_tick_runs' },
      );
      await this.deps.events.recordManyInTx(
        tx,
        ended.map(({ run, state, reason }) => ({
          type: state === 'failed' ? ('automation.failed' as const) : state === 'done' ? ('automation.completed' as const) : ('automation.exited' as const),
          actor: automationActor(run.workflowId),
          subject: { type: 'contact', id: run.contactId },
          data: { workflowId: run.workflowId, runId: run.id, reason },
        })),
      );
      await this.deps.jobs.sendManyInTx(tx, STEP_JOB, handoff);
      return claimed.length;
    });
  }

  /** `advance` on a claimed run, in memory (the tick writes every run's move at once). True when it goes on at once. */
  private moveInMemory(run: Run, seq: number, o: Outcome, now: Date, ended: { run: Run; state: RunState; reason: string }[]): boolean {
    run.seq = seq;
    if (o.branches) run.branches = { ...run.branches, ...o.branches };
    if (o.end || (!o.wait && o.next === null)) {
      this.endInMemory(run, o.end?.state ?? 'done', o.end?.reason ?? 'completed', now, ended);
      return false;
    }
    run.stepId = o.next;
    if (o.wait) {
      Object.assign(run, { state: 'waiting', dueAt: o.wait.dueAt, waitEvent: o.wait.event ?? null, waitEventNext: o.wait.eventNext ?? null });
      return false;
    }
    return true;
  }

  private endInMemory(run: Run, state: RunState, reason: string, now: Date, ended: { run: Run; state: RunState; reason: string }[]): void {
    Object.assign(run, { state, endReason: reason, endedAt: now, dueAt: null, waitEvent: null, waitEventNext: null });
    ended.push({ run, state, reason });
  }

  // ---- executing a step -------------------------------------------------------------------------

  /**
   * The step job: executes the run's next step and, while the run goes on without a wait, the
   * steps after it (each in its own transaction keyed by (run, seq)). Idempotent: see the top
   * of this file. A job whose step is already done continues the run if it is still active
   * (that is how a chain interrupted by a crash resumes), else does nothing.
   */
  async runStep(runId: string, seq: number, attempt = 0): Promise<void> {
    for (let i = 0; ; i++) {
      const peek = await this.loadRun(this.deps.database.db, runId);
      if (!peek || peek.state !== 'active' || peek.seq + 1 < seq) return;
      const next = peek.seq + 1;
      if (i >= MAX_CHAIN) {
        // A long chain hands over to a fresh job rather than hold one worker.
        await this.deps.jobs.send(STEP_JOB, { runId, seq: next });
        return;
      }
      try {
        if (!(await this.executeNext(peek, next, i === 0 ? attempt : 0))) return;
      } catch (err) {
        if (i === 0) throw err;
        // A chained step failed: it gets a job of its own, with its own retries and backoff.
        await this.deps.jobs.send(STEP_JOB, { runId, seq: next }, { startAfter: 5 });
        return;
      }
    }
  }

  /** Executes step `seq` of the run (peeked outside the transaction). True when the run goes on at once. */
  private async executeNext(peek: Run, seq: number, attempt: number): Promise<boolean> {
    const runId = peek.id;
    const def = await this.definition(this.deps.database.db, peek.versionId);
    const step = def.steps.find((s) => s.id === peek.stepId);
    // The one step whose effect leaves the database goes first, outside the transaction.
    let webhook: { status: number } | null = null;
    // Reads that go through other connections happen before the transaction (PGlite has one).
    const pre: Prefetched = {};
    try {
      if (step?.kind === 'webhook') webhook = await this.sendWebhook(step.url, peek, seq);
      if (step?.kind === 'email') await this.prefetchEmail(peek, step, pre);
      if (step?.kind === 'condition' && step.condition.test === 'course_progress') {
        pre.courses = new Map((await this.deps.learning.student.myCourses(peek.contactId)).map((c) => [c.id, c.percent]));
      }
      const picked = step?.kind === 'task' ? pickedSubject(step) : null;
      if (picked) pre.missingSubject = (await this.deps.tasks.missingSubjects([picked])).length > 0;
    } catch (err) {
      if (attempt + 1 < STEP_ATTEMPTS) throw err;
      await this.failStep(runId, seq, step!, err);
      return false;
    }
    try {
      return await this.deps.database.transaction(async (tx) => {
        const [run] = await tx.select().from(automationRuns).where(eq(automationRuns.id, runId)).for('update');
        // Someone else moved the run meanwhile: look again.
        if (!run || run.state !== 'active' || run.seq + 1 !== seq) return run?.state === 'active';
        const current = def.steps.find((s) => s.id === run.stepId);
        if (!current) {
          await this.endRun(tx, run, 'done', run.stepId ? `step "${run.stepId}" is not in this version` : 'completed');
          return false;
        }
        const contact = await this.contactOrNull(tx, run.contactId);
        const outcome: Outcome = contact
          ? current.kind === 'webhook'
            ? { status: 'done', detail: `POST ${hostOf(current.url)}: HTTP ${webhook?.status}`, data: { status: webhook?.status }, next: current.next ?? null }
            : await this.execute(tx, current, run, seq, contact, def, pre)
          : { status: 'skipped', detail: 'the contact was deleted', next: null, end: { state: 'exited', reason: 'contact deleted' } };
        await tx.insert(automationSteps).values({
          runId,
          seq,
          workflowId: run.workflowId,
          stepId: current.id,
          kind: current.kind,
          status: outcome.status,
          detail: outcome.detail.slice(0, 500),
          data: outcome.data ?? {},
          at: this.deps.clock.now(),
        });
        return this.advance(tx, run, seq, outcome, def);
      });
    } catch (err) {
      if (attempt + 1 < STEP_ATTEMPTS) throw err;
      await this.failStep(runId, seq, step!, err);
      return false;
    }
  }

  /**
   * Moves the run past step `seq`. True when it goes on at once (the calling step job runs the
   * next step; the run stays held).
   */
  private async advance(tx: Tx, run: Run, seq: number, o: Outcome, def: Definition): Promise<boolean> {
    const now = this.deps.clock.now();
    const branches = o.branches ? { ...run.branches, ...o.branches } : run.branches;
    if (o.end || (!o.wait && o.next === null)) {
      await tx.update(automationRuns).set({ seq, branches }).where(eq(automationRuns.id, run.id));
      await this.endRun(tx, run, o.end?.state ?? 'done', o.end?.reason ?? 'completed');
      return false;
    }
    if (o.wait) {
      await tx
        .update(automationRuns)
        .set({ seq, branches, state: 'waiting', stepId: o.next, dueAt: o.wait.dueAt, waitEvent: o.wait.event ?? null, waitEventNext: o.wait.eventNext ?? null, updatedAt: now })
        .where(eq(automationRuns.id, run.id));
      return false;
    }
    // The step job holds the run and carries it on through the steps after its own, whatever
    // their kind: handing a tag after an email back to the tick cost a tick job per run and
    // halved the rate of email workflows. Runs the tick itself starts stay with the tick.
    await tx
      .update(automationRuns)
      .set({ seq, branches, stepId: o.next, dueAt: new Date(now.getTime() + HOLD_MS), updatedAt: now })
      .where(eq(automationRuns.id, run.id));
    return true;
  }

  private async endRun(tx: Tx, run: Pick<Run, 'id' | 'workflowId' | 'contactId'>, state: RunState, reason: string): Promise<void> {
    const now = this.deps.clock.now();
    await tx
      .update(automationRuns)
      .set({ state, endReason: reason, endedAt: now, updatedAt: now, dueAt: null, waitEvent: null, waitEventNext: null })
      .where(eq(automationRuns.id, run.id));
    await this.deps.events.recordInTx(tx, {
      type: state === 'failed' ? 'automation.failed' : state === 'done' ? 'automation.completed' : 'automation.exited',
      actor: automationActor(run.workflowId),
      subject: { type: 'contact', id: run.contactId },
      data: { workflowId: run.workflowId, runId: run.id, reason },
    });
  }

  /** The last attempt failed: the step is recorded as failed and the run waits for retry or skip. */
  private async failStep(runId: string, seq: number, step: Step, err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    await this.deps.database.transaction(async (tx) => {
      const [run] = await tx.select().from(automationRuns).where(eq(automationRuns.id, runId)).for('update');
      if (!run || run.state !== 'active' || run.seq + 1 !== seq) return;
      await tx.insert(automationSteps).values({ runId, seq, workflowId: run.workflowId, stepId: step.id, kind: step.kind, status: 'failed', detail: reason.slice(0, 500), at: this.deps.clock.now() });
      await tx.update(automationRuns).set({ seq }).where(eq(automationRuns.id, runId));
      await this.endRun(tx, run, 'failed', `step "${step.id}" failed: ${reason.slice(0, 300)}`);
    });
  }

  /** Retry (run the failed step again) or skip it (go on to the step after it). */
  async resumeFailed(runId: string, how: 'retry' | 'skip', actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const [run] = await tx.select().from(automationRuns).where(eq(automationRuns.id, runId)).for('update');
      if (!run || run.state !== 'failed') return;
      const def = await this.definition(tx, run.versionId);
      const step = def.steps.find((s) => s.id === run.stepId);
      const target = how === 'retry' ? run.stepId : step && 'next' in step ? (step.next ?? null) : null;
      await tx.update(automationRuns).set({ state: 'active', stepId: target, dueAt: null, endReason: null, endedAt: null, updatedAt: this.deps.clock.now() }).where(eq(automationRuns.id, run.id));
      await this.deps.events.recordInTx(tx, { type: how === 'retry' ? 'automation.step_retried' : 'automation.step_skipped', actor, subject: { type: 'contact', id: run.contactId }, data: { workflowId: run.workflowId, runId, stepId: run.stepId } });
      await this.deps.jobs.sendInTx(tx, TICK_JOB, {});
    });
  }

  /** The workflow was deleted: its waiting and active runs end with that reason. */
  async endRunsOfInTx(tx: Tx, workflowId: string, reason: string): Promise<number> {
    const runs = await tx.select().from(automationRuns).where(and(eq(automationRuns.workflowId, workflowId), inArray(automationRuns.state, ['active', 'waiting']))).for('update');
    for (const r of runs) await this.endRun(tx, r, 'exited', reason);
    return runs.length;
  }

  private async loadRun(db: DbOrTx, id: string): Promise<Run | null> {
    const [run] = await db.select().from(automationRuns).where(eq(automationRuns.id, id));
    return run ?? null;
  }

  private async contactOrNull(tx: Tx, id: string): Promise<Contact | null> {
    try {
      return await this.deps.audience.getContact(tx, id);
    } catch {
      return null;
    }
  }

  private async prefetchEmail(run: Run, step: Extract<Step, { kind: 'email' }>, pre: Prefetched): Promise<void> {
    const contact = await this.deps.audience.getContact(this.deps.database.db, run.contactId).catch(() => null);
    if (!contact) return;
    pre.suppressed = await this.deps.mail.bounces.isSuppressed(contact.email);
    if (step.marketing) pre.marketing = await this.deps.mail.marketingHeaders(contact.id, run.workflowId);
  }

  private async execute(tx: Tx, step: Step, run: Run, seq: number, contact: Contact, def: Definition, pre: Prefetched): Promise<Outcome> {
    const actor = automationActor(run.workflowId);
    const now = this.deps.clock.now();
    switch (step.kind) {
      case 'wait':
        return { status: 'done', detail: `wait ${describeMinutes(step.minutes)}`, next: step.next ?? null, wait: { dueAt: new Date(now.getTime() + step.minutes * 60_000) } };
      case 'wait_until': {
        const at = new Date(step.at);
        return at > now ? { status: 'done', detail: `wait until ${at.toISOString()}`, next: step.next ?? null, wait: { dueAt: at } } : { status: 'skipped', detail: 'the date had passed', next: step.next ?? null };
      }
      case 'wait_weekday': {
        const tz = validTimeZone(contact.fields?.timezone) ?? 'UTC';
        const at = nextWeekdayTime(now, step.weekday, step.time, tz);
        return { status: 'done', detail: `wait until ${at.toISOString()} (${tz})`, next: step.next ?? null, wait: { dueAt: at } };
      }
      case 'wait_event':
        return {
          status: 'done',
          detail: `wait for ${step.event} (at most ${describeMinutes(step.timeoutMinutes)})`,
          next: step.timeoutNext ?? null,
          wait: { dueAt: new Date(now.getTime() + step.timeoutMinutes * 60_000), event: step.event, eventNext: step.next ?? null },
        };
      case 'condition': {
        const yes = await this.test(tx, step.condition, contact, run, seq, pre);
        return { status: 'done', detail: yes ? 'yes' : 'no', data: { branch: yes ? 'yes' : 'no' }, next: (yes ? step.yes : step.no) ?? null };
      }
      case 'split': {
        // Deterministic per run: a retried split takes the same branch.
        const roll = parseInt(createHmac('sha256', 'split').update(`${run.id}:${step.id}`).digest('hex').slice(0, 8), 16) % 100;
        let acc = 0;
        let idx = step.branches.length - 1;
        for (let i = 0; i < step.branches.length; i++) {
          acc += step.branches[i]!.percent;
          if (roll < acc) {
            idx = i;
            break;
          }
        }
        return { status: 'done', detail: `branch ${String.fromCharCode(65 + idx)}`, data: { branch: idx }, next: step.branches[idx]!.next ?? null, branches: { [step.id]: idx } };
      }
      case 'email':
        return this.email(tx, step, run, seq, contact, def, pre);
      case 'tag': {
        const changed = step.action === 'add' ? (await this.deps.audience.tagContactInTx(tx, contact.id, [step.tagId], actor)) > 0 : await this.deps.audience.untagContactInTx(tx, contact.id, step.tagId, actor);
        return { status: 'done', detail: `${step.action === 'add' ? 'tag added' : 'tag removed'}${changed ? '' : ' (no change)'}`, data: { tagId: step.tagId }, next: step.next ?? null };
      }
      case 'set_field': {
        const changed = await this.deps.audience.setFieldInTx(tx, contact.id, step.field, step.value, actor);
        return { status: 'done', detail: `${step.field} set${changed ? '' : ' (no change)'}`, next: step.next ?? null };
      }
      case 'list':
        if (step.action === 'subscribe') await this.deps.audience.subscribeToListsInTx(tx, { contactId: contact.id, listIds: [step.listId], actor, via: 'automation' });
        else await this.deps.audience.unsubscribeInTx(tx, { contactId: contact.id, listId: step.listId, actor, via: 'automation' });
        return { status: 'done', detail: step.action === 'subscribe' ? 'subscribed to the list' : 'unsubscribed from the list', data: { listId: step.listId }, next: step.next ?? null };
      case 'access': {
        const ents = await this.deps.catalog.entitlementsOf(tx, step.productId);
        let n = 0;
        for (const e of ents) {
          if (step.action === 'grant') n += (await this.deps.access.grantInTx(tx, { contactId: contact.id, resource: e.resource, source: 'manual', sourceId: `automation:${run.workflowId}`, actor, reason: 'automation' })).created ? 1 : 0;
          else n += await this.deps.access.revokeInTx(tx, { contactId: contact.id, resource: e.resource }, actor, 'automation');
        }
        return { status: 'done', detail: `${step.action === 'grant' ? 'granted' : 'revoked'} ${n} access${n === 1 ? '' : 'es'}`, data: { productId: step.productId }, next: step.next ?? null };
      }
      case 'task': {
        // A real task in the assignee's My day, made in this transaction. Keyed by (run, seq):
        // the tasks module returns the first task for a key it has seen (a retried step).
        const title = renderText(step.title, contact).replace(/[\r\n]+/g, ' ').trim().slice(0, 200) || step.title;
        const aboutContact = { type: 'contact', id: contact.id, label: (contact.name ? `${contact.name} <${contact.email}>` : contact.email).slice(0, 200) };
        // A picked course / post / product deleted since publishing (checked before this
        // transaction): the task is still made, about the contact, and says what was meant.
        const picked = pickedSubject(step);
        const lost = picked && pre.missingSubject ? picked : null;
        const notes = (step.notes ? renderText(step.notes, contact) : '') + (lost ? `${step.notes ? '\n\n' : ''}${lostSubjectNote(lost)}` : '');
        const made = await this.deps.tasks.createOneOffInTx(
          tx,
          {
            key: `automation:${run.id}:${seq}`,
            title,
            notes: notes.slice(0, 5000),
            assignee: step.userId ? { userId: step.userId, role: step.role } : { role: step.role },
            dueInDays: step.dueInDays,
            dueTime: step.dueTime,
            subject: step.subject === 'contact' || lost ? aboutContact : picked,
            sopId: step.sopId ?? null,
          },
          actor,
        );
        return {
          status: 'done',
          detail: `task for ${step.userId ? 'a team member' : step.role}: ${title}${made.created ? '' : ' (already made)'}${lost ? `; ${lostSubjectNote(lost)}` : ''}`,
          data: { taskId: made.taskId, ...(lost ? { missingSubject: lost } : {}) },
          next: step.next ?? null,
        };
      }
      case 'notify':
        await this.deps.events.recordInTx(tx, { type: 'automation.owner_notified', actor, subject: { type: 'contact', id: contact.id }, data: { workflowId: run.workflowId, runId: run.id, message: renderText(step.message, contact), urgent: step.urgent } });
        return { status: 'done', detail: step.urgent ? 'owner notified (urgent)' : 'owner notified (weekly review)', next: step.next ?? null };
      case 'end':
        return { status: 'done', detail: 'end', next: null };
      case 'webhook':
        throw new Error('webhook steps are sent before the transaction');
    }
  }

  private async test(tx: Tx, c: Condition, contact: Contact, run: Run, seq: number, pre: Prefetched): Promise<boolean> {
    switch (c.test) {
      case 'opened_previous':
      case 'clicked_previous': {
        // The run's last email sent before this step; a click proves an open (images may be off).
        const res = await this.deps.database.executorFor(tx)<{ yes: boolean }>(
          `select exists (select 1 from automation_email_activity a
                           where a.run_id = $1 and ($3 = 'open' or a.kind = 'click')
                             and a.seq = (select max(s.seq) from automation_steps s where s.run_id = $1 and s.seq < $2 and s.kind = 'email' and s.status = 'done')) as yes`,
          [run.id, seq, c.test === 'opened_previous' ? 'open' : 'click'],
          { name: 'automation_previous_email_activity' },
        );
        return Boolean(res.rows[0]?.yes);
      }
      case 'course_progress':
        return (pre.courses?.get(c.courseId) ?? 0) >= c.percent;
      case 'has_tag':
        return this.deps.audience.hasTag(tx, contact.id, c.tagId);
      case 'field_equals':
        return (contact.fields?.[c.field] ?? '') === c.value;
      case 'in_segment':
        return this.deps.audience.inSegment(tx, contact.id, c.segmentId);
      case 'purchased':
        return this.deps.access.hasAccess(tx, contact.id, { type: 'product', id: c.productId });
    }
  }

  /** Queues the email in the step's transaction, honouring consent and suppression (a step job: one run). */
  private async email(tx: Tx, step: Extract<Step, { kind: 'email' }>, run: Run, seq: number, contact: Contact, def: Definition, pre: Prefetched): Promise<Outcome> {
    const blocked = emailBlocked(step, contact, pre.suppressed ?? false);
    if (blocked) return skippedEmail(step, contact, def, blocked);
    const marketing = step.marketing ? (pre.marketing ?? (await this.deps.mail.marketingHeaders(contact.id, run.workflowId))) : undefined;
    const m = this.composeEmail(step, run, seq, contact, marketing);
    const messageId = await this.deps.mail.queueTransactionalInTx(tx, m.message);
    return { status: 'done', detail: `queued "${m.message.subject}"`, data: { messageId, ...m.data }, next: step.next ?? null };
  }

  /**
   * The email steps of many runs in the tick's transaction: one read of the suppression list,
   * each contact's message rendered (the same template engine, personalisation and tracking as
   * one step), and all of them queued in one insert with one send job per hundred (the mail
   * module's `queueManyInTx`, delivered over the same SMTP pool as broadcasts). The Message-ID comes
   * from (run, seq), so a message queued again after a crash is the same message at the receiver;
   * and since the queueing commits with the step rows, a retried tick queues nothing twice.
   */
  private async emailMany(tx: Tx, list: { run: Run; step: Extract<Step, { kind: 'email' }>; contact: Contact; def: Definition }[]): Promise<{ run: Run; step: Step; outcome: Outcome }[]> {
    const suppressed = await this.deps.mail.bounces.suppressedAmong(
      list.map((x) => x.contact.email),
      undefined,
      tx,
    );
    const out: { run: Run; step: Step; outcome: Outcome }[] = [];
    const queued: { i: number; subject: string; data: Record<string, unknown> }[] = [];
    const messages: TransactionalMessage[] = [];
    for (const { run, step, contact, def } of list) {
      const blocked = emailBlocked(step, contact, suppressed.has(normalizeEmail(contact.email)));
      if (blocked) {
        out.push({ run, step, outcome: skippedEmail(step, contact, def, blocked) });
        continue;
      }
      const marketing = step.marketing ? await this.deps.mail.marketingHeaders(contact.id, run.workflowId, tx) : undefined;
      const m = this.composeEmail(step, run, run.seq + 1, contact, marketing);
      queued.push({ i: out.length, subject: m.message.subject, data: m.data });
      out.push({ run, step, outcome: { status: 'done', detail: '', next: step.next ?? null } });
      messages.push(m.message);
    }
    const ids = await this.deps.mail.queueManyInTx(tx, messages);
    queued.forEach((q, k) => {
      const o = out[q.i]!.outcome;
      Object.assign(o, { detail: `queued "${q.subject}"`, data: { messageId: ids[k], ...q.data } });
    });
    return out;
  }

  /** One contact's message of an email step: rendered, tracked, with its Message-ID key from (run, seq). */
  private composeEmail(
    step: Extract<Step, { kind: 'email' }>,
    run: Run,
    seq: number,
    contact: Contact,
    marketing: { headers: Record<string, string>; unsubscribeUrl: string } | undefined,
  ): { message: TransactionalMessage; data: Record<string, unknown> } {
    const subject = renderText(step.subject, contact).replace(/[\r\n]+/g, ' ').slice(0, 300);
    let text = renderText(step.body, contact);
    if (marketing) text += `\n\n--\nUnsubscribe: ${marketing.unsubscribeUrl}`;
    // Links go through a signed redirect and an open pixel is added: what the contact does with
    // this email feeds the "opened / clicked the previous email" conditions and revenue attribution.
    const tracked = trackedEmail(text, { baseUrl: this.deps.settings.publicUrl, runId: run.id, seq, key: this.linkKey, keep: (u) => u.includes('/email/unsubscribe') });
    const messageKey = `a${run.id.replace(/-/g, '')}.${seq}`;
    return {
      message: { to: contact.email, subject, text: tracked.text, html: tracked.html, tag: `automation:${run.workflowId}`, contactId: contact.id, headers: marketing?.headers, messageKey },
      data: { messageKey, marketing: step.marketing, links: tracked.links },
    };
  }

  // ---- webhooks ---------------------------------------------------------------------------------

  private async sendWebhook(url: string, run: Run, seq: number): Promise<{ status: number }> {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('only http(s) webhooks');
    if (!this.deps.settings.webhooksAllowPrivate) await assertPublicHost(target.hostname);
    const id = `${run.id}.${seq}`;
    const at = this.deps.clock.now();
    const payload = JSON.stringify({ type: 'automation.webhook', timestamp: at.toISOString(), data: { workflowId: run.workflowId, runId: run.id, contactId: run.contactId } });
    const signature = this.webhookSigner.sign(id, at, payload);
    const res = await fetch(target, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature, 'idempotency-key': id },
      body: payload,
    });
    await res.body?.cancel();
    if (res.status < 200 || res.status >= 300) throw new Error(`the receiver answered HTTP ${res.status}`);
    return { status: res.status };
  }
}

// ---- helpers ------------------------------------------------------------------------------------

export function contactOf(evt: Pick<EventJob, 'subject' | 'data'>): string | null {
  if (evt.subject?.type === 'contact') return evt.subject.id;
  const c = evt.data?.contactId;
  return typeof c === 'string' && /^[0-9a-f-]{36}$/i.test(c) ? c : null;
}

function triggerMatches(t: Trigger, evt: EventJob): boolean {
  const d = evt.data ?? {};
  switch (t.type) {
    case 'contact.subscribed':
      return (!t.formId || d.formId === t.formId) && (!t.listId || (Array.isArray(d.listIds) && d.listIds.includes(t.listId)));
    case 'contact.confirmed':
      return !t.formId || d.formId === t.formId;
    case 'tag.added':
    case 'tag.removed':
      return d.tagId === t.tagId;
    case 'order.paid':
      return !t.productIds?.length || (Array.isArray(d.productIds) && d.productIds.some((p) => t.productIds!.includes(p as string)));
    case 'field.changed':
      // setField names the field; an edit in the admin only says "fields" (then a value is needed, checked by the caller).
      return d.field === t.field || (d.field === undefined && t.value !== undefined && Array.isArray(d.changed) && d.changed.includes('fields'));
    case 'lesson.completed':
    case 'lesson.unlocked':
    case 'course.completed':
      return !t.courseId || d.courseId === t.courseId || (t.type === 'course.completed' && evt.subject?.id === t.courseId);
    default:
      return true;
  }
}

function goalMet(g: Goal, evt: EventJob): boolean {
  if (g.event !== evt.type) return false;
  if (g.event === 'contact.tagged') return evt.data.tagId === g.tagId;
  return !g.productIds?.length || (Array.isArray(evt.data.productIds) && evt.data.productIds.some((p) => g.productIds!.includes(p as string)));
}

/** A step text's template, parsed once and kept (throws what liquidjs throws: a syntax error, a refused file tag). */
function parseTemplate(template: string): Template[] {
  let parsed = parsedTemplates.get(template);
  if (!parsed) {
    parsed = liquid.parse(template);
    // Bounded: step texts are few; an edited workflow's old texts fall out with the rest.
    if (parsedTemplates.size >= 500) parsedTemplates.clear();
    parsedTemplates.set(template, parsed);
  }
  return parsed;
}

/**
 * The step texts that would not render (an email's subject and body, a task's title and notes,
 * an owner notification): a workflow with one cannot be published, and the editor names it.
 */
export function templateProblems(def: Definition): Problem[] {
  const problems: Problem[] = [];
  for (const step of def.steps) {
    const texts = step.kind === 'email' ? [step.subject, step.body] : step.kind === 'task' ? [step.title, step.notes ?? ''] : step.kind === 'notify' ? [step.message] : [];
    for (const text of texts) {
      try {
        parseTemplate(text);
      } catch (err) {
        problems.push({ stepId: step.id, message: `"${step.id}": its text does not work as a template (${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200)})` });
        break;
      }
    }
  }
  return problems;
}

/** The course, post or product a task step names (null: the contact in the run, or nothing). */
export function pickedSubject(step: Extract<Step, { kind: 'task' }>): SubjectRef | null {
  return step.subject && step.subject !== 'contact' ? step.subject : null;
}

const subjectKindNames: Record<string, string> = { course: 'course', post: 'blog post', product: 'product' };

/** What the task and the run's timeline say when the picked subject is gone at run time. */
function lostSubjectNote(s: SubjectRef): string {
  return isSubjectType(s.type)
    ? `The workflow named the ${subjectKindNames[s.type]} “${s.label}”, which no longer exists: this task is about the contact instead.`
    : `The workflow named “${s.label}” (a ${s.type}), which a task cannot be about: this task is about the contact instead.`;
}

/**
 * A workflow's task steps whose picked subject is of a kind a task cannot be about, or names a
 * course, post or product that no longer exists (deleted, archived): it cannot be published
 * until the step names another one, or the contact. Reads the tasks module's sources once per
 * kind (outside any transaction).
 */
export async function subjectProblems(def: Definition, tasks: Pick<TasksService, 'missingSubjects'>): Promise<Problem[]> {
  const picked = def.steps.flatMap((step) => {
    const subject = step.kind === 'task' ? pickedSubject(step) : null;
    return subject ? [{ stepId: step.id, subject }] : [];
  });
  if (!picked.length) return [];
  const key = (s: SubjectRef) => `${s.type}:${s.id}`;
  const missing = new Set((await tasks.missingSubjects(picked.map((p) => p.subject))).map(key));
  return picked
    .filter((p) => missing.has(key(p.subject)))
    .map(({ stepId, subject }) => ({
      stepId,
      message: isSubjectType(subject.type)
        ? `"${stepId}": the ${subjectKindNames[subject.type]} “${subject.label}” its task is about no longer exists; pick another, or the contact in the run`
        : `"${stepId}": a task can be about the contact in the run, a course, a blog post or a product, not a "${subject.type}"`,
    }));
}

function renderText(template: string, contact: Contact): string {
  const first = (contact.name ?? '').trim().split(/\s+/)[0] ?? '';
  try {
    return String(liquid.renderSync(parseTemplate(template), { contact: { name: contact.name, first_name: first, email: contact.email, fields: contact.fields ?? {} } }));
  } catch {
    return template;
  }
}

/** Why an email step must not send to this contact now (null: it may). */
function emailBlocked(step: Extract<Step, { kind: 'email' }>, contact: Contact, suppressed: boolean): string | null {
  if (contact.status === 'bounced' || contact.status === 'complained') return `the address ${contact.status}`;
  if (step.marketing && contact.status !== 'active') return contact.status === 'unsubscribed' ? 'the contact unsubscribed' : 'the contact has not confirmed their subscription';
  return suppressed ? 'the address is on the suppression list' : null;
}

/** A blocked email step: skipped with the reason; the run goes on, or ends on an unsubscribe when the workflow says so. */
function skippedEmail(step: Extract<Step, { kind: 'email' }>, contact: Contact, def: Definition, blocked: string): Outcome {
  if (def.onUnsubscribe === 'end' && contact.status === 'unsubscribed') return { status: 'skipped', detail: `not sent: ${blocked}`, next: null, end: { state: 'exited', reason: blocked } };
  return { status: 'skipped', detail: `not sent: ${blocked}`, data: { reason: blocked }, next: step.next ?? null };
}

function describeMinutes(m: number): string {
  if (m % 1440 === 0) return `${m / 1440} day${m === 1440 ? '' : 's'}`;
  if (m % 60 === 0) return `${m / 60} hour${m === 60 ? '' : 's'}`;
  return `${m} minute${m === 1 ? '' : 's'}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'webhook';
  }
}

export function validTimeZone(tz: string | undefined): string | null {
  if (!tz) return null;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return null;
  }
}

/** Minutes east of UTC of `tz` at `at`. */
function offsetMinutes(at: Date, tz: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** The next moment after `now` that is `weekday` at `time` (HH:MM) on the wall clock of `tz`. */
export function nextWeekdayTime(now: Date, weekday: number, time: string, tz: string): Date {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const local = new Date(now.getTime() + offsetMinutes(now, tz) * 60_000);
  for (let i = 0; i <= 7; i++) {
    const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + i, h, m));
    if (day.getUTCDay() !== weekday) continue;
    const utc = new Date(day.getTime() - offsetMinutes(day, tz) * 60_000);
    if (utc > now) return utc;
  }
  return new Date(now.getTime() + 7 * 86_400_000);
}

/** Refuses loopback, private, link-local and other non-public addresses (the host and what it resolves to). */
async function assertPublicHost(host: string): Promise<void> {
  const name = host.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(name) ? [name] : (await lookup(name, { all: true })).map((a) => a.address);
  for (const a of addresses) if (isPrivateAddress(a)) throw new Error(`refused: ${host} is a private or loopback address (set AUTOMATION_WEBHOOKS_ALLOW_PRIVATE=1 to allow it)`);
}

export function isPrivateAddress(address: string): boolean {
  const list = new net.BlockList();
  for (const [net4, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 3]] as const) list.addSubnet(net4, prefix, 'ipv4');
  for (const [net6, prefix] of [['::', 127], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) list.addSubnet(net6, prefix, 'ipv6');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return list.check(mapped[1]!, 'ipv4');
  return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

export { automationWorkflows };
