// The spine: one append-only log of business events. An event is written in the same
// transaction as the change it describes, and the jobs that react to it are enqueued in
// that transaction too (transactional outbox), so a crash never leaves one without the other.
import { and, desc, eq, like, sql, type SQL } from 'drizzle-orm';
import { actorColumns, type Actor, type ActorKind } from '../actor.js';
import type { Clock } from '../clock.js';
import type { DbOrTx, Tx } from './client.js';
import type { JobQueue } from '../jobs/queue.js';
import { events } from './schema.js';

export interface NewEvent {
  /** dotted name, e.g. `order.paid`, `contact.subscribed`, `user.invited` */
  type: string;
  actor: Actor;
  subject?: { type: string; id: string };
  data?: Record<string, unknown>;
  requestId?: string;
  /** defaults to the clock's now */
  occurredAt?: Date;
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
  data: Record<string, unknown>;
}

export interface EventQuery {
  actorKind?: ActorKind;
  /** exact type, or a prefix ending in `.` or `*` (e.g. `order.`) */
  type?: string;
  subjectType?: string;
  subjectId?: string;
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
  ) {}

  /** Records the event in `tx` and enqueues its subscribers in the same transaction. */
  async record(tx: Tx, event: NewEvent): Promise<number> {
    const [row] = await tx
      .insert(events)
      .values({
        occurredAt: event.occurredAt ?? this.clock.now(),
        type: event.type,
        ...actorColumns(event.actor),
        subjectType: event.subject?.type ?? null,
        subjectId: event.subject?.id ?? null,
        data: event.data ?? {},
        requestId: event.requestId ?? null,
      })
      .returning({ id: events.id });
    const id = row!.id;
    for (const jobName of this.jobs.subscribersOf(event.type)) {
      await this.jobs.sendInTx(tx, jobName, { eventId: id, type: event.type, subject: event.subject ?? null, data: event.data ?? {} });
    }
    return id;
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
