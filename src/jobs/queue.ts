// pg-boss on both backends. On PGlite it runs through the same single connection as the
// app (the executeSql adapter); on PostgreSQL several processes share the queue and each
// job is handed to exactly one of them.
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database, Tx } from '../db/client.js';
import { JobPayloadError, type JobDefinition, type JobInfo, type SendOptions } from './types.js';

export const BOSS_SCHEMA = 'pgboss';

/** A job's payload parsed with its schema (when it has one). */
function parsePayload(def: JobDefinition, raw: unknown): unknown {
  if (!def.data) return raw;
  const parsed = def.data.safeParse(raw ?? {});
  if (!parsed.success) throw new JobPayloadError(def.name, parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Parses the payload with the job's schema (when it has one), then runs the handler. */
export async function runJob(def: JobDefinition, deps: unknown, raw: unknown, job: JobInfo): Promise<void> {
  await def.handler(deps, parsePayload(def, raw), job);
}

/** Parses every payload, then runs the job's `batchHandler` on them all at once. */
export async function runJobBatch(def: JobDefinition, deps: unknown, raw: unknown[], jobs: JobInfo[]): Promise<void> {
  if (!def.batchHandler) throw new Error(`Job ${def.name} has no batch handler`);
  await def.batchHandler(deps, raw.map((r) => parsePayload(def, r)), jobs);
}

export class JobQueue {
  readonly boss: PgBoss;
  private definitions = new Map<string, JobDefinition<any>>();
  private started = false;
  private stopRequested = false;
  private working = false;
  /** the handlers of this process now running (idle() waits for them) */
  private readonly running = new Set<Promise<void>>();
  /** This process's workers per job name; `busy` while one runs a fetched batch. */
  private workers = new Map<string, { id: string; busy: boolean }[]>();

  constructor(
    private readonly database: Database,
    private readonly config: Config['jobs'],
    private readonly log: Logger,
    registry: JobDefinition<any>[],
  ) {
    for (const def of registry) {
      if (this.definitions.has(def.name)) throw new Error(`Job name registered twice: ${def.name}`);
      this.definitions.set(def.name, def);
    }
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values?: unknown[]) => database.execute(text, values) },
      schema: BOSS_SCHEMA,
      // Maintenance expires jobs whose worker died, so they are retried.
      maintenanceIntervalSeconds: config.maintenanceSeconds,
    } as ConstructorParameters<typeof PgBoss>[0]);
    this.boss.on('error', (err: Error) => log.error({ err }, 'job queue error'));
  }

  get names(): string[] {
    return [...this.definitions.keys()];
  }

  /** Jobs that react to an event type (the outbox subscriptions). */
  subscribersOf(eventType: string): string[] {
    const names: string[] = [];
    for (const def of this.definitions.values()) if (def.onEvents?.includes(eventType)) names.push(def.name);
    return names;
  }

  /** Whether subscriber `name` wants events of these types now, read in `tx` (true unless its definition says otherwise). */
  async listeningInTx(tx: Tx, name: string, eventTypes: string[]): Promise<boolean> {
    const check = this.definitions.get(name)?.listeningInTx;
    return check ? check(tx, eventTypes) : true;
  }

  /**
   * Creates the schema and every queue, and brings an existing queue's retry and expiry settings
   * in line with its definition (pg-boss's createQueue leaves an existing queue as it was, so a
   * changed retry limit never reached an install made before the change). Reads the queues once:
   * a restart with nothing changed runs one statement here instead of one per queue. Safe to call
   * from several processes at once (creating is `on conflict do nothing`).
   */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    const existing = new Map((await this.boss.getQueues()).map((q) => [q.name, q]));
    for (const def of this.definitions.values()) {
      const options = {
        name: def.name,
        retryLimit: def.retryLimit ?? 5,
        retryDelay: def.retryDelay ?? 5,
        retryBackoff: def.retryBackoff ?? true,
        expireInSeconds: def.expireInSeconds ?? this.config.expireSeconds,
      };
      const current = existing.get(def.name);
      if (!current) await this.boss.createQueue(def.name, options);
      else if (
        current.retryLimit !== options.retryLimit ||
        current.retryDelay !== options.retryDelay ||
        current.retryBackoff !== options.retryBackoff ||
        current.expireInSeconds !== options.expireInSeconds
      ) {
        await this.boss.updateQueue(def.name, options);
      }
    }
    this.started = true;
  }

  /**
   * PGlite is one process: a job left 'active' at start belonged to a process that died.
   * Hand it back at once instead of waiting for its expiry.
   */
  async recoverAbandoned(): Promise<number> {
    if (this.database.kind !== 'pglite') return 0;
    const res = await this.database.execute(
      `update ${BOSS_SCHEMA}.job set state = 'retry', start_after = now(), retry_count = retry_count + 1
        where state = 'active'`,
    );
    if (res.rowCount > 0) this.log.warn({ jobs: res.rowCount }, 'requeued jobs left running by a process that stopped');
    return res.rowCount;
  }

  /**
   * Starts workers for every registered job and the cron schedules; handlers receive `deps`.
   *
   * Polling is the fallback, not the way work moves: a job queued in this process wakes an idle
   * worker of its queue once its transaction commits (`wake`), and a worker that fetched a full
   * batch fetches again at once and wakes a sibling (a backlog drains at the workers' pace, not
   * one batch per poll interval). So only a queue's first worker polls every JOB_POLL_SECONDS;
   * the others poll four times less often (they are woken when there is work): 39 queues at
   * JOB_CONCURRENCY 4 poll 39 times per interval instead of 107, on an idle server too.
   */
  async work(deps: unknown): Promise<void> {
    if (this.working) return;
    this.working = true;
    for (const def of this.definitions.values()) {
      const concurrency = def.concurrency ?? this.config.concurrency;
      const batchSize = def.batchSize ?? 1;
      const mine: { id: string; busy: boolean }[] = [];
      this.workers.set(def.name, mine);
      for (let i = 0; i < concurrency; i++) {
        const worker = { id: '', busy: false };
        worker.id = await this.boss.work<Record<string, unknown>>(
          def.name,
          { pollingIntervalSeconds: i === 0 ? this.config.pollSeconds : this.config.pollSeconds * 4, batchSize, includeMetadata: true },
          async (jobs) => {
            worker.busy = true;
            try {
              if (jobs.length >= batchSize) {
                // More may be waiting: this worker fetches again as soon as it is done, and an idle sibling now.
                if (worker.id) this.boss.notifyWorker(worker.id);
                this.wake(def.name, 1, false);
              }
              const run = this.runFetched(def, deps, jobs, batchSize);
              this.running.add(run);
              try {
                await run;
              } finally {
                this.running.delete(run);
              }
            } finally {
              worker.busy = false;
            }
          },
        );
        mine.push(worker);
      }
      if (def.cron) await this.boss.schedule(def.name, def.cron, {}, { tz: 'UTC' });
    }
  }

  private async runFetched(def: JobDefinition, deps: unknown, jobs: PgBoss.JobWithMetadata<Record<string, unknown>>[], batchSize: number): Promise<void> {
    if (batchSize === 1) {
      if (jobs[0]) await this.runOne(def, deps, jobs[0]);
      return;
    }
    if (def.batchHandler && jobs.length > 1 && (await this.runBatch(def, deps, jobs))) return;
    // A batch: each job runs on its own; one that throws is failed (and retried) alone,
    // pg-boss completes the others (its completion touches only jobs still active).
    for (const job of jobs) {
      try {
        await this.runOne(def, deps, job);
      } catch (err) {
        await this.boss.fail(def.name, job.id, err instanceof Error ? { message: err.message } : { message: String(err) });
      }
    }
  }

  /**
   * Wakes up to `count` of this process's workers of `name`: idle ones first, then (with
   * `busyToo`) busy ones, which then fetch again right after their batch instead of sleeping.
   */
  private wake(name: string, count: number, busyToo = true): void {
    const workers = this.workers.get(name);
    if (!workers || this.stopRequested) return;
    let left = Math.min(workers.length, count);
    for (const busy of busyToo ? [false, true] : [false]) {
      for (const w of workers) {
        if (left <= 0) return;
        if (w.busy !== busy || !w.id) continue;
        this.boss.notifyWorker(w.id);
        left--;
      }
    }
  }

  /** Workers `jobs` new jobs of `name` need (a worker fetches a batch at a time). */
  private needed(name: string, jobs: number): number {
    return Math.ceil(jobs / (this.definitions.get(name)?.batchSize ?? 1));
  }

  /** After `tx` commits: wake workers for jobs that can run now (none for a job that waits for a start time). */
  private wakeAfter(tx: Tx, name: string, jobs: number, opts: SendOptions): void {
    if (opts.startAfter !== undefined || !this.workers.has(name)) return;
    this.database.afterCommit(tx, () => this.wake(name, this.needed(name, jobs)));
  }

  /** The whole batch in one call; false when it threw (the caller then runs each job alone). */
  private async runBatch(def: JobDefinition, deps: unknown, jobs: PgBoss.JobWithMetadata<Record<string, unknown>>[]): Promise<boolean> {
    const started = Date.now();
    try {
      await runJobBatch(def, deps, jobs.map((j) => j.data), jobs.map((j) => ({ id: j.id, name: j.name, retryCount: j.retryCount ?? 0 })));
      this.log.debug({ job: def.name, jobs: jobs.length, ms: Date.now() - started }, 'job batch done');
      return true;
    } catch (err) {
      this.log.warn({ err, job: def.name, jobs: jobs.length }, 'job batch failed; running its jobs one by one');
      return false;
    }
  }

  private async runOne(def: JobDefinition, deps: unknown, job: PgBoss.JobWithMetadata<Record<string, unknown>>): Promise<void> {
    const started = Date.now();
    try {
      await runJob(def, deps, job.data, { id: job.id, name: job.name, retryCount: job.retryCount ?? 0 });
      this.log.debug({ job: def.name, id: job.id, ms: Date.now() - started }, 'job done');
    } catch (err) {
      this.log.warn({ err, job: def.name, id: job.id }, 'job failed; it will be retried if retries remain');
      throw err;
    }
  }

  /** Enqueue outside a transaction. */
  async send(name: string, data: Record<string, unknown>, opts: SendOptions = {}): Promise<string | null> {
    const id = await this.boss.send(name, data, this.sendOptions(name, opts));
    if (id && opts.startAfter === undefined) this.wake(name, 1);
    return id;
  }

  /** Enqueue inside an open transaction: the job exists only if the transaction commits. */
  async sendInTx(tx: Tx, name: string, data: Record<string, unknown>, opts: SendOptions = {}): Promise<string | null> {
    const executeSql = this.database.executorFor(tx);
    const id = await this.boss.send(name, data, { ...this.sendOptions(name, opts), db: { executeSql } } as PgBoss.SendOptions);
    if (id) this.wakeAfter(tx, name, 1, opts);
    return id;
  }

  /**
   * Enqueue many jobs of one name inside an open transaction, in one statement (pg-boss
   * `insert`): what a set-wise writer uses instead of one `sendInTx` round trip per job.
   */
  async sendManyInTx(tx: Tx, name: string, data: Record<string, unknown>[], opts: SendOptions = {}): Promise<void> {
    if (!data.length) return;
    const o = this.sendOptions(name, opts);
    const startAfter = o.startAfter instanceof Date ? o.startAfter.toISOString() : o.startAfter !== undefined ? String(o.startAfter) : undefined;
    const jobs: PgBoss.JobInsert[] = data.map((d) => ({ name, data: d, ...(o.priority !== undefined ? { priority: o.priority } : {}), ...(startAfter !== undefined ? { startAfter } : {}) }));
    await this.boss.insert(jobs, { db: { executeSql: this.database.executorFor(tx) } } as PgBoss.InsertOptions);
    this.wakeAfter(tx, name, jobs.length, opts);
  }

  private sendOptions(name: string, opts: SendOptions): PgBoss.SendOptions {
    const def = this.definitions.get(name);
    if (!def) throw new Error(`Unknown job name: ${name} (add it to src/job-registry.ts)`);
    const out: PgBoss.SendOptions = {};
    if (opts.startAfter !== undefined) out.startAfter = opts.startAfter instanceof Date ? opts.startAfter : opts.startAfter;
    if (opts.singletonKey) out.singletonKey = opts.singletonKey;
    const priority = opts.priority ?? def.priority;
    if (priority !== undefined) out.priority = priority;
    return out;
  }

  /** Stop taking work; let in-flight jobs finish within the timeout (pg-boss then fails them for retry). */
  /** True once stop() was called: long-running handlers end their current step and hand over. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /**
   * Waits until no handler of this process runs (or `timeoutMs` passes): stop() returns once
   * pg-boss gives up on a job still running, and that job's handler still goes on. Tests wait for
   * it before their database closes, so a slow handler on a loaded machine never meets a closed pool.
   */
  async idle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
    return true;
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopRequested = true;
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: Math.max(1000, timeoutMs) } as PgBoss.StopOptions);
  }
}
