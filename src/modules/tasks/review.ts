// What the owner's weekly review reads from the tasks module (through index.ts): occurrences
// still open past their due time, and what each person did in a period. Plain functions over a
// database handle, so the review can run them inside its own transaction.
import { and, asc, eq, gte, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { taskOccurrences, tasks } from './schema.js';

export interface OverdueTask {
  occurrenceId: string;
  taskId: string;
  title: string;
  dueOn: string;
  dueAt: Date;
  assigneeRole: string | null;
  assigneeUserId: string | null;
  /** whole days since it was due, at `asOf` */
  daysOverdue: number;
}

/** Open occurrences due before `asOf` (of tasks not archived), the oldest first. */
export async function overdueTasks(db: DbOrTx, asOf: Date): Promise<OverdueTask[]> {
  const rows = await db
    .select({
      occurrenceId: taskOccurrences.id,
      taskId: taskOccurrences.taskId,
      title: taskOccurrences.title,
      dueOn: taskOccurrences.dueOn,
      dueAt: taskOccurrences.dueAt,
      assigneeRole: taskOccurrences.assigneeRole,
      assigneeUserId: taskOccurrences.assigneeUserId,
    })
    .from(taskOccurrences)
    .innerJoin(tasks, eq(tasks.id, taskOccurrences.taskId))
    .where(and(eq(taskOccurrences.status, 'open'), lt(taskOccurrences.dueAt, asOf), isNull(tasks.archivedAt)))
    .orderBy(asc(taskOccurrences.dueAt))
    .limit(1000);
  return rows.map((r) => ({ ...r, daysOverdue: Math.floor((asOf.getTime() - r.dueAt.getTime()) / 86_400_000) }));
}

export interface PersonWork {
  /** as events name actors: owner | assistant | automation | system */
  actorKind: string;
  /** the user (or `apikey:<id>`); null for the system */
  actorId: string | null;
  actorRole: string | null;
  actorLabel: string | null;
  done: number;
  /** of those done, how many after their due time */
  late: number;
  skipped: number;
}

/** Occurrences closed in [from, to) per person who closed them: done, done late, skipped. Most done first. */
export async function assistantWork(db: DbOrTx, period: { from: Date; to: Date }): Promise<PersonWork[]> {
  const o = taskOccurrences;
  const rows = await db
    .select({
      actorKind: o.closedByKind,
      actorId: o.closedById,
      actorRole: sql<string | null>`max(${o.closedByRole})`,
      actorLabel: sql<string | null>`max(${o.closedByLabel})`,
      done: sql<number>`count(*) filter (where ${o.status} = 'done')::int`,
      late: sql<number>`count(*) filter (where ${o.status} = 'done' and ${o.closedAt} > ${o.dueAt})::int`,
      skipped: sql<number>`count(*) filter (where ${o.status} = 'skipped')::int`,
    })
    .from(o)
    .where(and(gte(o.closedAt, period.from), lt(o.closedAt, period.to)))
    .groupBy(o.closedByKind, o.closedById);
  return rows
    .map((r) => ({ ...r, actorKind: r.actorKind ?? 'system' }))
    .sort((a, b) => b.done - a.done || (a.actorId ?? '').localeCompare(b.actorId ?? ''));
}
