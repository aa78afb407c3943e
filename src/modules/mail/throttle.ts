// The global send rate, shared by every process on one database. A GCRA ("virtual
// scheduling") row: each reservation takes the next n slots, spaced 1/rate apart, and says
// how long to wait for the first one. Time is the database's clock_timestamp(), so processes
// on different machines agree on it; it is physical time on purpose (a rate limit is about
// real seconds), unlike business time, which comes from app.clock.
import type { Database } from '../../db/client.js';

/**
 * Slots are spaced 15 % wider than 1/rate: a message reaches the server some milliseconds
 * after its slot (timers, scheduling, the network), and without this margin two messages
 * whose delays differ could fall into one sliding second together with `rate` others. The
 * margin absorbs up to ~130 ms of such jitter (less the engine's 20 ms lateness tolerance),
 * which held on a 2-core machine at load average 10.
 */
export const RATE_SAFETY_MARGIN = 0.15;

export interface Reservation {
  /** how many of the asked slots were granted (fewer when the hourly cap is reached) */
  granted: number;
  /** first slot, in ms from now (process-local monotonic time when returned) */
  startAt: number;
  /** spacing of the slots in ms */
  intervalMs: number;
  /** ms until the hourly counter resets (when granted < asked) */
  nextHourInMs: number;
}

export interface RateLimits {
  perSecond: number;
  perHour: number;
}

export class Throttle {
  constructor(private readonly database: Database) {}

  /**
   * Reserves up to n send slots. `bulk: false` (transactional mail) counts toward the hourly
   * total but is never held back by it: a receipt or a sign-in link must not wait an hour.
   */
  async reserve(n: number, limits: RateLimits, opts: { bulk: boolean }): Promise<Reservation> {
    const intervalUs = limits.perSecond > 0 ? Math.ceil((1_000_000 / limits.perSecond) * (1 + RATE_SAFETY_MARGIN)) : 0;
    const hourCap = opts.bulk ? limits.perHour : 0;
    // One statement: read and advance the shared row under its row lock.
    const res = await this.database.execute<{ granted: number; delay_ms: number; next_hour_ms: number }>(
      `with s as (
         select tat, hour_start, hour_count, clock_timestamp() as now, date_trunc('hour', clock_timestamp()) as this_hour
           from mail_rate_state where id = 'global' for update
       ), g as (
         select s.*, case when $3::int = 0 then $1::int
                          else greatest(0, least($1::int, $3::int - case when s.hour_start < s.this_hour then 0 else s.hour_count end)) end as granted
           from s
       )
       update mail_rate_state m
          set tat = greatest(g.tat, g.now) + (g.granted * $2::bigint) * interval '1 microsecond',
              hour_start = g.this_hour,
              hour_count = case when g.hour_start < g.this_hour then 0 else g.hour_count end + g.granted
         from g
        where m.id = 'global'
      returning g.granted,
                extract(epoch from (greatest(g.tat, g.now) - g.now)) * 1000 as delay_ms,
                extract(epoch from (g.this_hour + interval '1 hour' - g.now)) * 1000 as next_hour_ms`,
      [n, intervalUs, hourCap],
      { name: 'mail.reserve-slots' },
    );
    let row = res.rows[0];
    if (!row) {
      await this.database.execute(
        `insert into mail_rate_state (id, tat, hour_start, hour_count) values ('global', clock_timestamp(), date_trunc('hour', clock_timestamp()), 0) on conflict do nothing`,
      );
      return this.reserve(n, limits, opts);
    }
    row = { granted: Number(row.granted), delay_ms: Number(row.delay_ms), next_hour_ms: Number(row.next_hour_ms) };
    return { granted: row.granted, startAt: performance.now() + row.delay_ms, intervalMs: intervalUs / 1000, nextHourInMs: row.next_hour_ms };
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** Waits until a process-local monotonic time (performance.now()). */
export function sleepUntil(at: number): Promise<void> {
  return sleep(at - performance.now());
}
