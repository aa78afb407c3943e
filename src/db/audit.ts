// The audit log: who did what, when, from where. Every admin write and every refused
// request lands here.
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { actorColumns, type Actor } from '../actor.js';
import type { Clock } from '../clock.js';
import type { DbOrTx } from './client.js';
import { auditLog } from './schema.js';

export interface AuditEntry {
  actor: Actor;
  action: string;
  outcome?: 'allowed' | 'denied';
  target?: { type: string; id: string };
  ip?: string;
  userAgent?: string;
  requestId?: string;
  data?: Record<string, unknown>;
}

export class AuditLog {
  constructor(private readonly clock: Clock) {}

  async write(db: DbOrTx, entry: AuditEntry): Promise<void> {
    const { actorKind, actorId } = actorColumns(entry.actor);
    await db.insert(auditLog).values({
      at: this.clock.now(),
      actorKind,
      actorId,
      actorLabel: entry.actor.label ?? null,
      action: entry.action,
      outcome: entry.outcome ?? 'allowed',
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent?.slice(0, 300) ?? null,
      requestId: entry.requestId ?? null,
      data: entry.data ?? {},
    });
  }

  async list(db: DbOrTx, q: { actorId?: string; outcome?: 'allowed' | 'denied'; before?: number; limit?: number }) {
    const where: SQL[] = [];
    if (q.actorId) where.push(eq(auditLog.actorId, q.actorId));
    if (q.outcome) where.push(eq(auditLog.outcome, q.outcome));
    if (q.before) where.push(lt(auditLog.id, q.before));
    return db
      .select()
      .from(auditLog)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(auditLog.id))
      .limit(Math.min(q.limit ?? 50, 500));
  }
}
