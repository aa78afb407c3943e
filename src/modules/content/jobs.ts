// The blog's background work: scheduled posts go live on the app's clock.
import type { Logger } from 'pino';
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import type { ContentService } from './service.js';

export const PUBLISH_DUE_JOB = 'content.publish-due';

/** What the blog's jobs use. */
export interface ContentJobDeps {
  content: ContentService;
  log: Logger;
}

export const contentJobs: JobDefinition<any, ContentJobDeps>[] = [
  defineJob({
    name: PUBLISH_DUE_JOB,
    description: 'Publish every scheduled post whose time has come (each once: row lock and status check)',
    cron: '* * * * *',
    concurrency: 1,
    data: z.object({}),
    handler: async ({ content, log }: ContentJobDeps) => {
      const n = await content.publishDue();
      if (n) log.info({ posts: n }, 'published scheduled posts');
    },
  }),
];
