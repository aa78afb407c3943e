// The spine: one append-only log of business events. An event is written in the same
// transaction as the change it describes, and the jobs that react to it are enqueued in
// that transaction too (transactional outbox), so a crash never leaves one without the other.
//
// Every type is declared in the event catalog (src/event-catalog.ts): `recordInTx` refuses an
// unknown type and checks the data (see src/db/event-catalog.ts for strict vs production).
// Subscribers (jobs with `onEvents`, best written with `defineSubscriber`) apply their effect
// exactly once per event: `claimDeliveryInTx` writes (event, subscriber) in the handler's own
// transaction, so a handler retried after a crash finds it and skips.
import { and, desc, eq, like, sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import { actorColumns, type Actor, type ActorKind } from '../actor.js';
import type { Clock } from '../clock.js';
import type { DbOrTx, Tx } from './client.js';
import type { JobQueue } from '../jobs/queue.js';
import { eventDeliveries, events } from './schema.js';
import { contactOf, InvalidEventError, type EventCatalog, type EventData, type EventType } from './event-catalog.js';

export type NewEvent<T extends EventType = EventType> = {
  /** dotted name, e.g. `order.paid`, `contact.subscribed`, `user.invited`; declared in the catalog */
  type: T;
  actor: Actor;
  subject?: { type: string; id: string };
  requestId?: string;
  /** defaults to the clock's now */
  occurredAt?: Date;
} & ({} extends EventData<T> ? { data?: EventData<T> } : { data: EventData<T> });

/** What a subscriber's job receives for one event (its payload in the queue). */
export interface EventDelivery {
  eventId: number;
  type: string;
  /** ISO time the event happened */
  occurredAt: string;
  actor: { kind: string; id: string | null; role: string | null };
  subject: { type: string; id: string } | null;
  contactId: string | null;
  data: Record<string, unknown>;
}

export interface EventLogOptions {
  catalog: EventCatalog;
  /** Invalid data throws (development, tests); otherwise it is logged and recorded as given. */
  strict: boolean;
  log?: Logger;
}

export interface EventRecord {
  id: number;
  occurredAt: Date;
  type: string;
  actorKind: string;
  actorId: string | null;
  actorRole: string | null;
  subjectType: string | null;
  subjectId: string | null;
  contactId: string | null;
  data: Record<string, unknown>;
}

export interface EventQuery {
  actorKind?: ActorKind;
  /** exact type, or a prefix ending in `.` or `*` (e.g. `order.`) */
  type?: string;
  subjectType?: string;
  subjectId?: string;
  /** events about this contact (the indexed contact_id column) */
  contactId?: string;
  /** a cursor from a previous page (`nextCursor`): events older than its last one */
  before?: string;
  limit?: number;
}

function parseCursor(cursor: string): { at: Date; id: number } | null {
  const m = /^(\d{1,15})_(\d{1,15})$/.exec(cursor);
  return m ? { at: new Date(Number(m[1])), id: Number(m[2]) } : null;
}

export class EventLog {
  constructor(
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly options: EventLogOptions,
  ) {}

  get catalog(): EventCatalog {
    return this.options.catalog;
  }

  /** Records the event in `tx` and enqueues its subscribers in the same transaction. */
  async recordInTx<T extends EventType>(tx: Tx, event: NewEvent<T>): Promise<number> {
    const data = (event.data ?? {}) as Record<string, unknown>;
    this.validate(event.type, event.subject, data);
    const actor = actorColumns(event.actor);
    const values = {
      occurredAt: event.occurredAt ?? this.clock.now(),
      type: event.type,
      ...actor,
      subjectType: event.subject?.type ?? null,
      subjectId: event.subject?.id ?? null,
      data,
      requestId: event.requestId ?? null,
    };
    const contactId = contactOf(values);
    const [row] = await tx
      .insert(events)
      .values({ ...values, contactId })
      .returning({ id: events.id });
    const id = row!.id;
    const delivery = EventLog.deliveryOf({ ...values, contactId, id });
    for (const jobName of this.jobs.subscribersOf(event.type)) {
      if (!(await this.jobs.listeningInTx(tx, jobName, [event.type]))) continue;
      await this.jobs.sendInTx(tx, jobName, delivery as unknown as Record<string, unknown>);
    }
    return id;
  }

  /**
   * Records many events in `tx` with one insert, and enqueues their subscribers with one insert
   * per subscriber job: the set-wise form of `recordInTx` (same rows, same deliveries, in order).
   * Returns the ids in the order given.
   */
  async recordManyInTx(tx: Tx, list: NewEvent[]): Promise<number[]> {
    if (!list.length) return [];
    const now = this.clock.now();
    const values = list.map((event) => {
      const data = (event.data ?? {}) as Record<string, unknown>;
      this.validate(event.type, event.subject, data);
      const v = {
        occurredAt: event.occurredAt ?? now,
        type: event.type,
        ...actorColumns(event.actor),
        subjectType: event.subject?.type ?? null,
        subjectId: event.subject?.id ?? null,
        data,
        requestId: event.requestId ?? null,
      };
      return { ...v, contactId: contactOf(v) };
    });
    // One JSON parameter rather than Drizzle's ten per row: building a thousand-row insert
    // through the query builder cost more CPU than the database spent on it (the mail and
    // automation hot paths record hundreds of events per transaction).
    const json = JSON.stringify(
      values.map((v) => ({
        occurred_at: v.occurredAt.toISOString(),
        type: v.type,
        actor_kind: v.actorKind,
        actor_id: v.actorId,
        actor_role: v.actorRole,
        subject_type: v.subjectType,
        subject_id: v.subjectId,
        contact_id: v.contactId,
        data: v.data,
        request_id: v.requestId,
      })),
    );
    const rows = (await tx.execute(
      sql`insert into events (occurred_at, type, actor_kind, actor_id, actor_role, subject_type, subject_id, contact_id, data, request_id)
          select occurred_at, type, actor_kind, actor_id, actor_role, subject_type, subject_id, contact_id, coalesce(data, '{}'::jsonb), request_id
            from jsonb_to_recordset(${json}::jsonb) as v(occurred_at timestamptz, type text, actor_kind text, actor_id text, actor_role text, subject_type text, subject_id text, contact_id text, data jsonb, request_id text)
          returning id`,
    )) as unknown as { rows: { id: number | string }[] };
    // Ids come from one sequence in insertion order; sort rather than trust the returned order.
    const ids = rows.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    const perJob = new Map<string, Record<string, unknown>[]>();
    values.forEach((v, i) => {
      for (const jobName of this.jobs.subscribersOf(v.type)) {
        const delivery = EventLog.deliveryOf({ ...v, id: ids[i]! });
        const batch = perJob.get(jobName) ?? [];
        batch.push(delivery as unknown as Record<string, unknown>);
        perJob.set(jobName, batch);
      }
    });
    for (const [jobName, batch] of perJob) {
      if (!(await this.jobs.listeningInTx(tx, jobName, [...new Set(batch.map((d) => String(d.type)))]))) continue;
      await this.jobs.sendManyInTx(tx, jobName, batch);
    }
    return ids;
  }

  /** Unknown types always throw; invalid data throws in strict mode and is logged otherwise. */
  private validate(type: string, subject: NewEvent['subject'], data: Record<string, unknown>): void {
    const issues = this.options.catalog.check(type, subject, data);
    if (!issues.length) return;
    const err = new InvalidEventError(type, issues);
    if (this.options.strict) throw err;
    this.options.log?.error({ err, type, issues }, 'event data does not match the catalog; recorded as given');
  }

  /**
   * Marks (event, subscriber) delivered in the subscriber's transaction. False when it already
   * was: the caller skips its effect. A concurrent attempt waits on the key until the first
   * commits (then sees it) or rolls back (then claims it).
   */
  async claimDeliveryInTx(tx: Tx, eventId: number, subscriber: string): Promise<boolean> {
    const rows = await tx
      .insert(eventDeliveries)
      .values({ eventId, subscriber, deliveredAt: this.clock.now() })
      .onConflictDoNothing()
      .returning({ eventId: eventDeliveries.eventId });
    return rows.length > 0;
  }

  /**
   * `claimDeliveryInTx` for many events at once, in one statement (keys taken in id order, so two
   * overlapping batches cannot deadlock on them). Returns the ids claimed now: the others were
   * already delivered and the caller skips them.
   */
  async claimDeliveriesInTx(tx: Tx, eventIds: number[], subscriber: string): Promise<Set<number>> {
    const ids = [...new Set(eventIds)].sort((a, b) => a - b);
    if (!ids.length) return new Set();
    const rows = await tx.execute<{ event_id: number | string }>(
      sql`insert into event_deliveries (event_id, subscriber, delivered_at)
          select id, ${subscriber}, ${this.clock.now().toISOString()}::timestamptz from unnest(${`{${ids.join(',')}}`}::bigint[]) with ordinality as u(id, o) order by o
          on conflict do nothing
          returning event_id`,
    );
    return new Set((rows as unknown as { rows: { event_id: number | string }[] }).rows.map((r) => Number(r.event_id)));
  }

  async get(db: DbOrTx, id: number): Promise<EventRecord | null> {
    const [row] = await db.select().from(events).where(eq(events.id, id));
    if (!row) return null;
    const { requestId: _r, ...rest } = row;
    return rest;
  }

  /** The delivery payload of a recorded event (replays and test sends build it the same way). */
  static deliveryOf(e: EventRecord): EventDelivery {
    return {
      eventId: e.id,
      type: e.type,
      occurredAt: e.occurredAt.toISOString(),
      actor: { kind: e.actorKind, id: e.actorId, role: e.actorRole },
      subject: e.subjectType && e.subjectId ? { type: e.subjectType, id: e.subjectId } : null,
      contactId: e.contactId,
      data: e.data,
    };
  }

  async list(db: DbOrTx, q: EventQuery): Promise<EventRecord[]> {
    const where: SQL[] = [];
    if (q.actorKind) where.push(eq(events.actorKind, q.actorKind));
    if (q.type) {
      const t = q.type.replace(/\*$/, '');
      where.push(t.endsWith('.') ? like(events.type, `${t.replace(/[%_]/g, '')}%`) : eq(events.type, t));
    }
    if (q.subjectType) where.push(eq(events.subjectType, q.subjectType));
    if (q.subjectId) where.push(eq(events.subjectId, q.subjectId));
    if (q.contactId) where.push(eq(events.contactId, q.contactId));
    const cursor = q.before ? parseCursor(q.before) : null;
    // Newest first by when it happened (history can be recorded after the fact), id breaking ties.
    if (cursor) where.push(sql`(${events.occurredAt}, ${events.id}) < (${cursor.at}, ${cursor.id})`);
    const rows = await db
      .select()
      .from(events)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(events.occurredAt), desc(events.id))
      .limit(Math.min(q.limit ?? 50, 500));
    return rows.map(({ requestId: _r, ...rest }) => rest);
  }

  /** The cursor that continues a newest-first list after `last`. */
  static cursorAfter(last: Pick<EventRecord, 'occurredAt' | 'id'>): string {
    return `${last.occurredAt.getTime()}_${last.id}`;
  }

  /** Distinct event types seen, for filter menus. */
  async types(db: DbOrTx): Promise<string[]> {
    const rows = await db.execute<{ type: string }>(sql`select distinct type from events order by type`);
    return (rows as unknown as { rows: { type: string }[] }).rows.map((r) => r.type);
  }
}

/**
 * Rows written in bulk past `recordInTx` (demo history) get the same contact column. Types must
 * still be declared in the catalog; the demo tests check them.
 */
export function withContactIds<R extends { subjectType?: string | null; subjectId?: string | null; data?: Record<string, unknown> | null; actorKind?: string | null; actorId?: string | null }>(
  rows: R[],
): (R & { contactId: string | null })[] {
  return rows.map((r) => ({ ...r, contactId: contactOf(r) }));
}
