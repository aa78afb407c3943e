import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import type { AudienceService } from './service.js';
import { IMPORT_JOB } from './imports.js';

const IMPORT_RETRY_LIMIT = 5;

/** What the audience jobs use. */
export interface AudienceJobDeps {
  audience: AudienceService;
}

export const audienceJobs: JobDefinition<any, AudienceJobDeps>[] = [
  defineJob({
    name: IMPORT_JOB,
    description: 'Import contacts from an uploaded CSV, chunk by chunk from its last checkpoint (a long import hands over to a fresh job every minute)',
    data: z.object({ importId: z.string().min(1) }),
    handler: async ({ audience }: AudienceJobDeps, data, job) => {
      try {
        await audience.imports.run(data.importId);
      } catch (err) {
        if (job.retryCount >= IMPORT_RETRY_LIMIT) await audience.imports.markFailed(data.importId, (err as Error).message);
        throw err;
      }
    },
    retryLimit: IMPORT_RETRY_LIMIT,
    retryDelay: 5,
    retryBackoff: true,
    // A run works for about a minute, then enqueues its continuation; a worker that died is
    // noticed after this long and its import resumes from the checkpoint.
    expireInSeconds: 180,
    concurrency: 1,
  }),
  defineJob({
    name: 'audience.recompile-segments',
    description: 'Recompile saved segments written by an older segment compiler',
    cron: '23 * * * *',
    data: z.object({}),
    handler: async ({ audience }: AudienceJobDeps) => {
      await audience.segments.recompileStale();
    },
  }),
];
