// A workflow's health over a period, for the owner's weekly review (the owner module reads it
// through index.ts): runs started, completed, failed and stalled, the last failure's reason,
// and the revenue its emails' clicks brought (automation_attributions, last click wins).
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';

/** A waiting run this long past its wake time is stalled (the wake job is not keeping up, or stopped). */
export const STALLED_AFTER_MS = 60 * 60_000;

export interface WorkflowHealth {
  workflowId: string;
  name: string;
  status: string;
  /** runs that started in [from, to) */
  started: number;
  /** runs that ended in [from, to): done (to the end, or a goal met / left early: `exited` counts apart) */
  completed: number;
  exited: number;
  failed: number;
  /** waiting runs whose wake time passed more than an hour before `to` */
  stalled: number;
  /** the reason of the last run that failed in [from, to), null if none did */
  lastFailure: { message: string; at: Date } | null;
  /** orders paid in [from, to) attributed to the workflow, in the currency's minor unit */
  revenue: number;
  orders: number;
}

const rowsOf = <T>(r: unknown): T[] => (r as { rows: T[] }).rows;

/** Per workflow (deleted ones left out unless something happened to them in the period). */
export async function automationHealth(db: DbOrTx, period: { from: Date; to: Date }): Promise<WorkflowHealth[]> {
  const { from, to } = period;
  const stalledBefore = new Date(to.getTime() - STALLED_AFTER_MS);
  const rows = rowsOf<{
    id: string; name: string; status: string; started: number; completed: number; exited: number; failed: number; stalled: number;
    last_failure: string | null; last_failure_at: Date | string | null; revenue: number | string; orders: number;
  }>(
    await db.execute(sql`
      select w.id, w.name, w.status,
             coalesce(r.started, 0)::int as started, coalesce(r.completed, 0)::int as completed, coalesce(r.exited, 0)::int as exited,
             coalesce(r.failed, 0)::int as failed, coalesce(r.stalled, 0)::int as stalled,
             f.end_reason as last_failure, f.ended_at as last_failure_at,
             coalesce(a.revenue, 0)::bigint as revenue, coalesce(a.orders, 0)::int as orders
        from automation_workflows w
        left join lateral (
          select count(*) filter (where started_at >= ${from} and started_at < ${to}) as started,
                 count(*) filter (where state = 'done' and ended_at >= ${from} and ended_at < ${to}) as completed,
                 count(*) filter (where state = 'exited' and ended_at >= ${from} and ended_at < ${to}) as exited,
                 count(*) filter (where state = 'failed' and ended_at >= ${from} and ended_at < ${to}) as failed,
                 count(*) filter (where state = 'waiting' and due_at < ${stalledBefore}) as stalled
            from automation_runs where workflow_id = w.id) r on true
        left join lateral (
          select end_reason, ended_at from automation_runs
           where workflow_id = w.id and state = 'failed' and ended_at >= ${from} and ended_at < ${to}
           order by ended_at desc limit 1) f on true
        left join lateral (
          select sum(amount) as revenue, count(*) as orders from automation_attributions
           where workflow_id = w.id and at >= ${from} and at < ${to}) a on true
       where w.status <> 'deleted' or coalesce(r.started, 0) + coalesce(r.failed, 0) > 0
       order by w.name`),
  );
  return rows.map((r) => ({
    workflowId: r.id,
    name: r.name,
    status: r.status,
    started: r.started,
    completed: r.completed,
    exited: r.exited,
    failed: r.failed,
    stalled: r.stalled,
    lastFailure: r.last_failure ? { message: r.last_failure, at: new Date(r.last_failure_at!) } : null,
    revenue: Number(r.revenue),
    orders: r.orders,
  }));
}
