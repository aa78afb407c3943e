// Workflows for the admin: drafts, publishing (an immutable version each time), enrolment by
// hand, and what every workflow did (per-step counts, runs, timelines, health). The engine
// (engine.ts) executes; this is the desk.
import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Database } from '../../db/client.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { contactDirectory } from '../audience/index.js';
import type { FoundSubject, SubjectType } from '../tasks/index.js';
import { AutomationEngine, subjectProblems, templateProblems, type EngineDeps } from './engine.js';
import { definitionSchema, problemsOf, type Definition, type Problem } from './definition.js';
import { automationRuns, automationSteps, automationVersions, automationWorkflows, type RunState, type WorkflowStatus } from './schema.js';
import { templateById } from './templates.js';
import { dryRun, type DryRunStep } from './dry-run.js';

export interface WorkflowSummary {
  id: string;
  name: string;
  status: WorkflowStatus;
  version: number | null;
  versionId: string | null;
  template: string | null;
  definition: Definition;
  triggers: string[];
  counts: Record<RunState, number>;
  revenue: number;
  health: { overdue: number; failureRate: number };
  createdAt: Date;
  updatedAt: Date;
}

export interface StepStats {
  stepId: string;
  entered: number;
  done: number;
  skipped: number;
  failed: number;
  waiting: number;
  /** A/B split: runs per branch and their revenue */
  branches?: { branch: number; runs: number; revenue: number }[];
}

export interface RunView {
  id: string;
  contactId: string;
  contactEmail: string | null;
  version: number;
  state: RunState;
  stepId: string | null;
  dueAt: Date | null;
  endReason: string | null;
  revenue: number;
  startedAt: Date;
  endedAt: Date | null;
}

const OVERDUE_MS = 5 * 60_000;
const rowsOf = <T>(r: unknown): T[] => (r as { rows: T[] }).rows;

export class AutomationService {
  readonly engine: AutomationEngine;
  private readonly database: Database;

  constructor(private readonly deps: EngineDeps) {
    this.engine = new AutomationEngine(deps);
    this.database = deps.database;
  }

  // ---- workflows --------------------------------------------------------------------------------

  async create(input: { name: string; definition?: unknown; template?: string }, actor: Actor) {
    const template = input.template ? templateById(input.template) : null;
    if (input.template && !template) throw invalid('No such template', { field: 'template' });
    const definition = definitionSchema.parse(input.definition ?? template?.definition ?? {});
    const now = this.deps.clock.now();
    return this.database.transaction(async (tx) => {
      const [w] = await tx
        .insert(automationWorkflows)
        .values({ name: input.name, draft: definition as unknown as Record<string, unknown>, template: template?.id ?? null, createdAt: now, updatedAt: now })
        .returning();
      await this.deps.events.recordInTx(tx, { type: 'automation.created', actor, subject: { type: 'workflow', id: w!.id }, data: { name: w!.name, template: w!.template } });
      return this.view(w!);
    });
  }

  async get(id: string) {
    const w = await this.row(id);
    return { ...this.view(w), problems: await this.problems(definitionSchema.parse(w.draft)), versions: await this.versions(id) };
  }

  async update(id: string, input: { name?: string; definition?: unknown }, actor: Actor) {
    const definition = input.definition === undefined ? undefined : definitionSchema.parse(input.definition);
    return this.database.transaction(async (tx) => {
      const [w] = await tx
        .update(automationWorkflows)
        .set({ ...(input.name ? { name: input.name } : {}), ...(definition ? { draft: definition as unknown as Record<string, unknown> } : {}), updatedAt: this.deps.clock.now() })
        .where(and(eq(automationWorkflows.id, id), sql`${automationWorkflows.status} <> 'deleted'`))
        .returning();
      if (!w) throw notFound('Workflow');
      await this.deps.events.recordInTx(tx, { type: 'automation.updated', actor, subject: { type: 'workflow', id }, data: { changed: Object.keys(input) } });
      return this.view(w);
    });
  }

  /**
   * Publishes the draft as a new immutable version. Runs already going stay on their version
   * (`waiting: 'keep'`), or waiting runs move to the new version at the same step id when it
   * exists there (`'move'`).
   */
  async publish(id: string, opts: { waiting?: 'keep' | 'move' }, actor: Actor): Promise<{ version: number; moved: number }> {
    const w = await this.row(id);
    if (w.status === 'deleted') throw notFound('Workflow');
    const def = definitionSchema.parse(w.draft);
    const problems = await this.problems(def);
    if (problems.length) throw invalid(problems[0]!.message, { problems });
    const now = this.deps.clock.now();
    return this.database.transaction(async (tx) => {
      const [{ n }] = rowsOf<{ n: number }>(await tx.execute(sql`select coalesce(max(number), 0)::int + 1 as n from automation_versions where workflow_id = ${id}`)) as [{ n: number }];
      const [v] = await tx.insert(automationVersions).values({ workflowId: id, number: n, definition: def as unknown as Record<string, unknown>, publishedAt: now }).returning();
      const [updated] = await tx
        .update(automationWorkflows)
        .set({ versionId: v!.id, status: 'live', updatedAt: now })
        .where(and(eq(automationWorkflows.id, id), eq(automationWorkflows.updatedAt, w.updatedAt)))
        .returning();
      if (!updated) throw conflict('The workflow changed meanwhile; reload it');
      let moved = 0;
      if (opts.waiting === 'move' && w.versionId) {
        const ids = def.steps.map((s) => s.id);
        const res = await tx
          .update(automationRuns)
          .set({ versionId: v!.id })
          .where(and(eq(automationRuns.workflowId, id), eq(automationRuns.state, 'waiting'), or(isNull(automationRuns.stepId), ids.length ? inArray(automationRuns.stepId, ids) : sql`false`)))
          .returning({ id: automationRuns.id });
        moved = res.length;
      }
      await this.deps.events.recordInTx(tx, { type: 'automation.published', actor, subject: { type: 'workflow', id }, data: { version: n, name: w.name, moved } });
      return { version: n, moved };
    });
  }

  async setPaused(id: string, paused: boolean, actor: Actor) {
    return this.database.transaction(async (tx) => {
      const [w] = await tx
        .update(automationWorkflows)
        .set({ status: paused ? 'paused' : 'live', updatedAt: this.deps.clock.now() })
        .where(and(eq(automationWorkflows.id, id), inArray(automationWorkflows.status, paused ? ['live'] : ['paused'])))
        .returning();
      if (!w) throw conflict(paused ? 'Only a live workflow can be paused' : 'Only a paused workflow can be resumed');
      await this.deps.events.recordInTx(tx, { type: paused ? 'automation.paused' : 'automation.resumed', actor, subject: { type: 'workflow', id } });
      return this.view(w);
    });
  }

  /** Deletes a workflow: no new entries, and its running and waiting runs end with that reason. */
  async remove(id: string, actor: Actor): Promise<{ ended: number }> {
    return this.database.transaction(async (tx) => {
      const [w] = await tx.update(automationWorkflows).set({ status: 'deleted', updatedAt: this.deps.clock.now() }).where(and(eq(automationWorkflows.id, id), sql`${automationWorkflows.status} <> 'deleted'`)).returning();
      if (!w) throw notFound('Workflow');
      const ended = await this.engine.endRunsOfInTx(tx, id, 'the workflow was deleted');
      await this.deps.events.recordInTx(tx, { type: 'automation.deleted', actor, subject: { type: 'workflow', id }, data: { name: w.name, ended } });
      return { ended };
    });
  }

  /** Manual enrolment (admin, segment, API): each contact enters once per request key. */
  async enrol(id: string, input: { contactIds?: string[]; segmentId?: string; requestKey: string }, actor: Actor): Promise<{ entered: number; refused: number }> {
    const w = await this.row(id);
    if (w.status !== 'live' || !w.versionId) throw conflict('Publish the workflow first (a paused one takes no one in)');
    const def = await this.engine.definition(this.database.db, w.versionId);
    if (!def.triggers.some((t) => t.type === 'manual')) throw invalid('This workflow has no manual-enrolment trigger; add one to enrol contacts by hand');
    let ids = input.contactIds ?? [];
    if (input.segmentId) {
      ids = [...ids, ...(await this.deps.audience.contactIdsInSegment(input.segmentId, 100_000))];
    }
    let entered = 0;
    let refused = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      // Set-wise: one transaction per 1 000 contacts, each of its writes one statement.
      await this.database.transaction(async (tx) => {
        const slice = ids.slice(i, i + 1000);
        if (slice.some((c) => !/^[0-9a-f-]{36}$/i.test(c))) throw notFound('Contact');
        const found = await this.deps.audience.findByIds(tx, slice);
        if (found.length !== new Set(slice).size) throw notFound('Contact');
        const r = await this.engine.enterManyInTx(tx, { workflowId: id, versionId: w.versionId!, contactIds: slice, triggerKey: `manual:${input.requestKey}`, data: { by: actor.kind } });
        entered += r.entered;
        refused += r.refused + (slice.length - new Set(slice).size);
      });
    }
    return { entered, refused };
  }

  // ---- what happened ----------------------------------------------------------------------------

  async list(): Promise<WorkflowSummary[]> {
    const rows = await this.database.db.select().from(automationWorkflows).where(sql`${automationWorkflows.status} <> 'deleted'`).orderBy(desc(automationWorkflows.updatedAt));
    const stats = rowsOf<{ workflow_id: string; state: RunState; n: number; revenue: number; overdue: number }>(
      await this.database.db.execute(sql`
        select workflow_id, state, count(*)::int as n, coalesce(sum(revenue), 0)::bigint as revenue,
               count(*) filter (where state = 'waiting' and due_at < ${new Date(this.deps.clock.now().getTime() - OVERDUE_MS)})::int as overdue
          from automation_runs group by workflow_id, state`),
    );
    const versions = rowsOf<{ id: string; number: number }>(await this.database.db.execute(sql`select id, number from automation_versions`));
    const number = new Map(versions.map((v) => [v.id, v.number]));
    return rows.map((w) => {
      const mine = stats.filter((s) => s.workflow_id === w.id);
      const counts = { active: 0, waiting: 0, done: 0, exited: 0, failed: 0 } as Record<RunState, number>;
      for (const s of mine) counts[s.state] = s.n;
      const ended = counts.done + counts.exited + counts.failed;
      return {
        ...this.view(w),
        version: w.versionId ? (number.get(w.versionId) ?? null) : null,
        counts,
        revenue: mine.reduce((a, s) => a + Number(s.revenue), 0),
        health: { overdue: mine.reduce((a, s) => a + s.overdue, 0), failureRate: ended ? counts.failed / ended : 0 },
      };
    });
  }

  /** Per step: how many entered it, finished, were skipped, failed, and wait after it now. */
  async stepStats(id: string): Promise<StepStats[]> {
    await this.row(id);
    const done = rowsOf<{ step_id: string; status: string; n: number }>(
      await this.database.db.execute(sql`select step_id, status, count(*)::int as n from automation_steps where workflow_id = ${id} group by step_id, status`),
    );
    const waiting = rowsOf<{ step_id: string; n: number }>(
      await this.database.db.execute(sql`select step_id, count(*)::int as n from automation_runs where workflow_id = ${id} and state in ('waiting', 'active') and step_id is not null group by step_id`),
    );
    const branches = rowsOf<{ step_id: string; branch: number; runs: number; revenue: number }>(
      await this.database.db.execute(sql`
        select b.key as step_id, b.value::int as branch, count(*)::int as runs, coalesce(sum(r.revenue), 0)::bigint as revenue
          from automation_runs r, jsonb_each_text(r.branches) b where r.workflow_id = ${id} group by b.key, b.value`),
    );
    const ids = new Set([...done.map((d) => d.step_id), ...waiting.map((w) => w.step_id)]);
    return [...ids].map((stepId) => {
      const of = (status: string) => done.find((d) => d.step_id === stepId && d.status === status)?.n ?? 0;
      const b = branches.filter((x) => x.step_id === stepId).map((x) => ({ branch: x.branch, runs: x.runs, revenue: Number(x.revenue) }));
      return {
        stepId,
        entered: of('done') + of('skipped') + of('failed'),
        done: of('done'),
        skipped: of('skipped'),
        failed: of('failed'),
        waiting: waiting.find((w) => w.step_id === stepId)?.n ?? 0,
        ...(b.length ? { branches: b.sort((x, y) => x.branch - y.branch) } : {}),
      };
    });
  }

  async runs(id: string, q: { state?: RunState; limit?: number; before?: Date }): Promise<RunView[]> {
    const rows = rowsOf<Record<string, unknown>>(
      await this.database.db.execute(sql`
        select r.id, r.contact_id, c.email, v.number, r.state, r.step_id, r.due_at, r.end_reason, r.revenue, r.started_at, r.ended_at
          from automation_runs r join automation_versions v on v.id = r.version_id left join ${contactDirectory} c on c.id = r.contact_id
         where r.workflow_id = ${id} ${q.state ? sql`and r.state = ${q.state}` : sql``} ${q.before ? sql`and r.started_at < ${q.before}` : sql``}
         order by r.started_at desc limit ${Math.min(q.limit ?? 50, 200)}`),
    );
    return rows.map((r) => ({
      id: r.id as string,
      contactId: r.contact_id as string,
      contactEmail: (r.email as string | null) ?? null,
      version: Number(r.number),
      state: r.state as RunState,
      stepId: (r.step_id as string | null) ?? null,
      dueAt: r.due_at ? new Date(r.due_at as string) : null,
      endReason: (r.end_reason as string | null) ?? null,
      revenue: Number(r.revenue),
      startedAt: new Date(r.started_at as string),
      endedAt: r.ended_at ? new Date(r.ended_at as string) : null,
    }));
  }

  /** One run and every step it executed, oldest first. */
  async timeline(runId: string) {
    const [run] = await this.database.db.select().from(automationRuns).where(eq(automationRuns.id, runId));
    if (!run) throw notFound('Run');
    const steps = await this.database.db.select().from(automationSteps).where(eq(automationSteps.runId, runId)).orderBy(automationSteps.seq);
    return {
      run: { id: run.id, workflowId: run.workflowId, contactId: run.contactId, state: run.state, stepId: run.stepId, dueAt: run.dueAt, endReason: run.endReason, revenue: run.revenue, startedAt: run.startedAt, endedAt: run.endedAt },
      steps: steps.map((s) => ({ seq: s.seq, stepId: s.stepId, kind: s.kind, status: s.status, detail: s.detail, at: s.at })),
    };
  }

  async resumeFailed(runId: string, how: 'retry' | 'skip', actor: Actor): Promise<void> {
    const [run] = await this.database.db.select({ state: automationRuns.state }).from(automationRuns).where(eq(automationRuns.id, runId));
    if (!run) throw notFound('Run');
    if (run.state !== 'failed') throw conflict('Only a failed run can be retried or skipped');
    await this.engine.resumeFailed(runId, how, actor);
  }

  /** Health for the owner: runs overdue by more than 5 minutes and failure rate over 7 days, per workflow. */
  async health(): Promise<{ overdue: number; failedLast7Days: number; endedLast7Days: number; failureRate: number }> {
    const now = this.deps.clock.now();
    const [r] = rowsOf<{ overdue: number; failed: number; ended: number }>(
      await this.database.db.execute(sql`
        select count(*) filter (where state = 'waiting' and due_at < ${new Date(now.getTime() - OVERDUE_MS)})::int as overdue,
               count(*) filter (where state = 'failed' and ended_at > ${new Date(now.getTime() - 7 * 86_400_000)})::int as failed,
               count(*) filter (where state in ('done', 'exited', 'failed') and ended_at > ${new Date(now.getTime() - 7 * 86_400_000)})::int as ended
          from automation_runs`),
    );
    return { overdue: r!.overdue, failedLast7Days: r!.failed, endedLast7Days: r!.ended, failureRate: r!.ended ? r!.failed / r!.ended : 0 };
  }

  /** What the draft would do for a contact, on virtual time, changing nothing. */
  async dryRun(id: string, contactId: string): Promise<{ steps: DryRunStep[]; problems: Problem[] }> {
    const w = await this.row(id);
    const def = definitionSchema.parse(w.draft);
    const contact = await this.deps.audience.getContact(this.database.db, contactId);
    const tagIds = new Set<string>();
    for (const s of def.steps) if (s.kind === 'condition' && s.condition.test === 'has_tag' && (await this.deps.audience.hasTag(this.database.db, contactId, s.condition.tagId))) tagIds.add(s.condition.tagId);
    return { problems: await this.problems(def), steps: dryRun(def, { contact, tagIds, start: this.deps.clock.now() }) };
  }

  /**
   * What a task step can be about, for whoever edits workflows: courses, blog posts and
   * products whose title contains `q` — their type, id and title only (the tasks module's
   * search, which reads them through their modules' services).
   */
  async searchTaskSubjects(q: string, opts: { type?: SubjectType; limit?: number }): Promise<FoundSubject[]> {
    return this.deps.tasks.searchSubjects(q, opts);
  }

  /** Everything that stops the definition from being published, including task subjects that are gone. */
  private async problems(def: Definition): Promise<Problem[]> {
    return [...allProblems(def), ...(await subjectProblems(def, this.deps.tasks))];
  }

  private async row(id: string) {
    const [w] = await this.database.db.select().from(automationWorkflows).where(eq(automationWorkflows.id, id));
    if (!w || w.status === 'deleted') throw notFound('Workflow');
    return w;
  }

  private async versions(id: string) {
    return this.database.db
      .select({ id: automationVersions.id, number: automationVersions.number, publishedAt: automationVersions.publishedAt })
      .from(automationVersions)
      .where(eq(automationVersions.workflowId, id))
      .orderBy(desc(automationVersions.number));
  }

  private view(w: typeof automationWorkflows.$inferSelect) {
    const def = definitionSchema.parse(w.draft);
    return {
      id: w.id,
      name: w.name,
      status: w.status,
      template: w.template,
      versionId: w.versionId,
      definition: def as Definition,
      triggers: def.triggers.map((t) => t.type),
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
    };
  }
}

/** The definition's structural problems and the step texts that would not render. */
function allProblems(def: Definition): Problem[] {
  return [...problemsOf(def), ...templateProblems(def)];
}
