// Approval requests and decisions. A module that limits what a role may do alone (support's
// refund limit, the blog's publishing policy) registers a kind: its data schema and what runs
// when the owner approves. The action runs in the decision's transaction, so an approval whose
// action fails (the order was refunded meanwhile) is not recorded as approved.
import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { actorColumns, formatActor, type Actor, type ActorKind } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { conflict, forbidden, invalid, notFound } from '../../errors.js';
import { approvalRequests, type ApprovalStatus } from './schema.js';

export interface ApprovalView {
  id: string;
  kind: string;
  title: string;
  summary: string;
  data: unknown;
  status: ApprovalStatus;
  urgent: boolean;
  subjectType: string | null;
  subjectId: string | null;
  requestedBy: { kind: ActorKind; id: string | null; role: string | null };
  decidedBy: { kind: ActorKind; id: string | null; role: string | null } | null;
  decidedAt: Date | null;
  /** the admin the owner handed the decision to (they may decide it too); null: the owner's alone */
  delegatedToId: string | null;
  delegatedAt: Date | null;
  note: string | null;
  result: string | null;
  createdAt: Date;
}

export interface ApprovalContext {
  request: ApprovalView;
  actor: Actor;
}

export interface ApprovalKind<D> {
  /** lowercase and dotted, owned by the registering module: `support.refund`, `content.publish` */
  kind: string;
  /** validated when the request is made and again when it is decided */
  data: z.ZodType<D>;
  /**
   * Runs in the decision's transaction when the owner approves; returns a short note of what it
   * did. A DomainError refuses the approval and stores nothing.
   */
  applyInTx(tx: Tx, data: D, ctx: ApprovalContext): Promise<string | void>;
  /** Runs in the decision's transaction when the owner refuses (tell the requester, undo a hold). */
  refusedInTx?(tx: Tx, data: D, ctx: ApprovalContext): Promise<void>;
}

export function defineApprovalKind<D>(kind: ApprovalKind<D>): ApprovalKind<D> {
  if (!/^[a-z][a-z_]*(\.[a-z_]+)+$/.test(kind.kind)) throw new Error(`approval kind ${kind.kind}: use lowercase.dotted names`);
  return kind;
}

export interface ApprovalRequestInput {
  kind: string;
  data: unknown;
  title: string;
  summary?: string;
  /** the owner is told at once (otherwise the request waits for the weekly review) */
  urgent?: boolean;
  subject?: { type: string; id: string };
  actor: Actor;
}

export interface ApprovalQuery {
  status?: ApprovalStatus;
  kind?: string;
  subject?: { type: string; id: string };
  requestedById?: string;
  limit?: number;
}

export interface ApprovalDeps {
  database: Database;
  clock: Clock;
  events: EventLog;
  /** tells whoever decides now (the owner, or the admin standing in while the owner is away); same transaction */
  notifyUrgentInTx(tx: Tx, request: ApprovalView): Promise<void>;
}

type Row = typeof approvalRequests.$inferSelect;

function view(r: Row): ApprovalView {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    summary: r.summary,
    data: r.data,
    status: r.status,
    urgent: r.urgent,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    requestedBy: { kind: r.requestedByKind, id: r.requestedById, role: r.requestedByRole },
    decidedBy: r.decidedByKind ? { kind: r.decidedByKind, id: r.decidedById, role: r.decidedByRole } : null,
    decidedAt: r.decidedAt,
    delegatedToId: r.delegatedToId,
    delegatedAt: r.delegatedAt,
    note: r.note,
    result: r.result,
    createdAt: r.createdAt,
  };
}

const clean = (s: string, max: number, what: string) => {
  const v = s.trim();
  if (!v) throw invalid(`${what} is required`);
  if (v.length > max) throw invalid(`${what} is longer than ${max} characters`);
  if (v.includes('\u0000')) throw invalid(`${what} holds a NUL character`);
  return v;
};

export class ApprovalService {
  private readonly kinds = new Map<string, ApprovalKind<any>>();
  constructor(private readonly deps: ApprovalDeps) {}

  register(kind: ApprovalKind<any>): void {
    if (this.kinds.has(kind.kind)) throw new Error(`approval kind ${kind.kind} is registered twice`);
    this.kinds.set(kind.kind, kind);
  }

  registeredKinds(): string[] {
    return [...this.kinds.keys()].sort();
  }

  private kindOf(name: string): ApprovalKind<any> {
    const k = this.kinds.get(name);
    if (!k) throw invalid(`Unknown approval kind: ${name}`);
    return k;
  }

  private parse(k: ApprovalKind<any>, data: unknown) {
    const parsed = k.data.safeParse(data);
    if (!parsed.success) throw invalid(`The request for ${k.kind} is not valid: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return parsed.data;
  }

  async requestInTx(tx: Tx, input: ApprovalRequestInput): Promise<ApprovalView> {
    const k = this.kindOf(input.kind);
    const data = this.parse(k, input.data);
    const a = actorColumns(input.actor);
    const [row] = await tx
      .insert(approvalRequests)
      .values({
        kind: k.kind,
        title: clean(input.title, 200, 'A title'),
        summary: input.summary ? clean(input.summary, 4000, 'A summary') : '',
        data,
        urgent: input.urgent ?? false,
        subjectType: input.subject?.type ?? null,
        subjectId: input.subject?.id ?? null,
        requestedByKind: a.actorKind,
        requestedById: a.actorId,
        requestedByRole: a.actorRole,
        createdAt: this.deps.clock.now(),
      })
      .returning();
    const v = view(row!);
    await this.deps.events.recordInTx(tx, {
      type: 'approval.requested',
      actor: input.actor,
      subject: { type: 'approval', id: v.id },
      data: { approvalId: v.id, kind: v.kind, title: v.title, urgent: v.urgent, subjectType: v.subjectType, subjectId: v.subjectId },
    });
    if (v.urgent) await this.deps.notifyUrgentInTx(tx, v);
    return v;
  }

  async list(db: DbOrTx, q: ApprovalQuery = {}): Promise<ApprovalView[]> {
    const where: SQL[] = [];
    if (q.status) where.push(eq(approvalRequests.status, q.status));
    if (q.kind) where.push(eq(approvalRequests.kind, q.kind));
    if (q.subject) where.push(eq(approvalRequests.subjectType, q.subject.type), eq(approvalRequests.subjectId, q.subject.id));
    if (q.requestedById) where.push(eq(approvalRequests.requestedById, q.requestedById));
    const rows = await db
      .select()
      .from(approvalRequests)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(approvalRequests.urgent), desc(approvalRequests.createdAt))
      .limit(Math.min(q.limit ?? 100, 500));
    return rows.map(view);
  }

  async get(db: DbOrTx, id: string): Promise<ApprovalView | null> {
    const [row] = await db.select().from(approvalRequests).where(eq(approvalRequests.id, id));
    return row ? view(row) : null;
  }

  /**
   * Hands a pending request to a named admin: they may then decide it (`decide` with
   * `asDelegate`), the owner still may. Handing it again moves it to the new admin. The caller
   * checks who may receive it (the owner module: an active admin) and tells them, in `tx`.
   */
  async delegateInTx(tx: Tx, id: string, toUserId: string, actor: Actor): Promise<ApprovalView> {
    const [row] = await tx.select().from(approvalRequests).where(eq(approvalRequests.id, id)).for('update');
    if (!row) throw notFound('The approval request');
    if (row.status !== 'pending') throw conflict(`This request was already ${row.status}`, { status: row.status });
    if (row.delegatedToId === toUserId) throw invalid('This request is already with them', { field: 'assigneeId' });
    const [updated] = await tx.update(approvalRequests).set({ delegatedToId: toUserId, delegatedAt: this.deps.clock.now() }).where(eq(approvalRequests.id, id)).returning();
    await this.deps.events.recordInTx(tx, {
      type: 'approval.delegated', actor, subject: { type: 'approval', id },
      data: { approvalId: id, kind: row.kind, title: row.title, delegatedTo: toUserId, previous: row.delegatedToId },
    });
    return view(updated!);
  }

  /**
   * Approve (running the action) or refuse a pending request; a decided one answers 409.
   * `asDelegate`: the actor decides as the admin the request was handed to; a request not
   * handed to them is forbidden (the route lets only admins through).
   */
  async decide(id: string, input: { decision: 'approve' | 'refuse'; note?: string; actor: Actor; asDelegate?: boolean }): Promise<ApprovalView> {
    const note = input.note?.trim() ? clean(input.note, 2000, 'A note') : null;
    return this.deps.database.transaction(async (tx) => {
      // Locked, so two owners' tabs (or a double click) decide once.
      const [row] = await tx.select().from(approvalRequests).where(eq(approvalRequests.id, id)).for('update');
      if (!row) throw notFound('The approval request');
      if (input.asDelegate && (input.actor.kind === 'system' || !row.delegatedToId || row.delegatedToId !== input.actor.id)) throw forbidden('The owner has not handed this request to you');
      if (row.status !== 'pending') throw conflict(`This request was already ${row.status}`, { status: row.status });
      const k = this.kindOf(row.kind);
      const data = this.parse(k, row.data);
      // The decider's note is part of the decision: the kind's `refusedInTx` passes it on (a post's writer reads why).
      const ctx = { request: { ...view(row), note }, actor: input.actor };
      let result: string | null = null;
      if (input.decision === 'approve') result = (await k.applyInTx(tx, data, ctx)) || null;
      else await k.refusedInTx?.(tx, data, ctx);
      const a = actorColumns(input.actor);
      const [updated] = await tx
        .update(approvalRequests)
        .set({
          status: input.decision === 'approve' ? 'approved' : 'refused',
          decidedByKind: a.actorKind,
          decidedById: a.actorId,
          decidedByRole: a.actorRole,
          decidedAt: this.deps.clock.now(),
          note,
          result,
        })
        .where(eq(approvalRequests.id, id))
        .returning();
      const requestedBy = formatActor(
        row.requestedByKind === 'system' ? { kind: 'system' } : ({ kind: row.requestedByKind, id: row.requestedById ?? '', role: row.requestedByRole ?? '' } as Actor),
      );
      const base = { approvalId: id, kind: row.kind, title: row.title, requestedBy };
      if (input.decision === 'approve') await this.deps.events.recordInTx(tx, { type: 'approval.approved', actor: input.actor, subject: { type: 'approval', id }, data: { ...base, result } });
      else await this.deps.events.recordInTx(tx, { type: 'approval.refused', actor: input.actor, subject: { type: 'approval', id }, data: { ...base, note } });
      return view(updated!);
    });
  }

  /** The requester (or a manager) withdraws a pending request. */
  async cancelInTx(tx: Tx, id: string, actor: Actor): Promise<void> {
    const a = actorColumns(actor);
    const [row] = await tx
      .update(approvalRequests)
      .set({ status: 'cancelled', decidedAt: this.deps.clock.now(), decidedByKind: a.actorKind, decidedById: a.actorId, decidedByRole: a.actorRole })
      .where(and(eq(approvalRequests.id, id), eq(approvalRequests.status, 'pending')))
      .returning();
    if (!row) {
      const existing = await this.get(tx, id);
      if (!existing) throw notFound('The approval request');
      throw conflict(`This request was already ${existing.status}`, { status: existing.status });
    }
    await this.deps.events.recordInTx(tx, { type: 'approval.cancelled', actor, subject: { type: 'approval', id }, data: { approvalId: id, kind: row.kind, title: row.title } });
  }
}
