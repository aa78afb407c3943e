import type { z } from 'zod';
import type { Tx } from '../db/client.js';

export interface JobInfo {
  id: string;
  name: string;
  retryCount: number;
}

/**
 * A job is plain data with a permanent name. Handlers must be idempotent: a job whose worker died runs again.
 *
 * `Deps` is what the handler uses, named narrowly by the module (`{ mail: MailService }`), never the
 * whole application: the worker passes the composed dependencies, which satisfy every job's `Deps`.
 */
export interface JobDefinition<D = any, Deps = any> {
  /** Permanent: a public contract between versions. Never rename one. */
  name: string;
  description: string;
  /** The payload's schema: the worker parses every job's data with it before the handler runs. */
  data?: z.ZodType<D>;
  handler: (deps: Deps, data: D, job: JobInfo) => Promise<void>;
  /**
   * Optional, with `batchSize` above 1: handles every job of a fetched batch in one call (one
   * transaction, set-wise), the jobs in the order pg-boss fetched them. When it throws, each job
   * of the batch runs alone through `handler`, so one bad job fails (and is retried) alone.
   * Must be idempotent like `handler`: a batch whose worker died runs again, maybe split.
   */
  batchHandler?: (deps: Deps, data: D[], jobs: JobInfo[]) => Promise<void>;
  /** Event types that enqueue this job in the same transaction as the event. */
  onEvents?: string[];
  /**
   * Optional, with `onEvents`: whether anyone listens for these event types now, read in the
   * event's transaction. False: no job is enqueued for them (a subscriber that would do nothing,
   * such as the webhooks' fan-out with no endpoint, costs no job per event). It sees what was
   * committed before the event's statement, so what starts listening later gets later events.
   */
  listeningInTx?: (tx: Tx, eventTypes: string[]) => Promise<boolean>;
  /** Cron expression (UTC) for recurring work. */
  cron?: string;
  retryLimit?: number;
  /** Seconds before the first retry; doubled each time when retryBackoff is on. */
  retryDelay?: number;
  retryBackoff?: boolean;
  /** A job still active after this many seconds is taken to have died and is retried. */
  expireInSeconds?: number;
  /** How many of this job one process runs at once (default JOB_CONCURRENCY). */
  concurrency?: number;
  /**
   * How many jobs each worker fetches per poll (default 1). Above 1 they run one after the
   * other, each failed and retried on its own. For many short jobs: a worker polls at most once
   * per JOB_POLL_SECONDS, so batch size × concurrency ÷ poll interval bounds the rate.
   */
  batchSize?: number;
  /** Higher runs first; transactional mail outranks bulk work. */
  priority?: number;
}

/**
 * Declares a job with a typed payload: `defineJob({ name, description, data: z.object({…}), handler })`.
 * The handler's `data` is the schema's output, parsed by the worker (a payload that does not
 * parse fails the job instead of reaching the handler).
 */
export function defineJob<S extends z.ZodType, Deps>(
  def: Omit<JobDefinition<z.output<S>, Deps>, 'data' | 'handler'> & { data: S; handler: (deps: Deps, data: z.output<S>, job: JobInfo) => Promise<void> },
): JobDefinition<z.output<S>, Deps> {
  return def as JobDefinition<z.output<S>, Deps>;
}

/** Thrown by the worker when a job's payload does not match its schema. */
export class JobPayloadError extends Error {
  constructor(name: string, issues: string) {
    super(`Job ${name}: payload does not match its schema (${issues})`);
    this.name = 'JobPayloadError';
  }
}

export type SendOptions = {
  startAfter?: Date | number;
  singletonKey?: string;
  priority?: number;
};
