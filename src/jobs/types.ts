import type { App } from '../app.js';

export interface JobInfo {
  id: string;
  name: string;
  retryCount: number;
}

/** A job is plain data with a permanent name. Handlers must be idempotent: a job whose worker died runs again. */
export interface JobDefinition<D = Record<string, unknown>> {
  /** Permanent: a public contract between versions. Never rename one. */
  name: string;
  description: string;
  handler: (app: App, data: D, job: JobInfo) => Promise<void>;
  /** Event types that enqueue this job in the same transaction as the event. */
  onEvents?: string[];
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
  /** Higher runs first; transactional mail outranks bulk work. */
  priority?: number;
}

export type SendOptions = {
  startAfter?: Date | number;
  singletonKey?: string;
  priority?: number;
};
