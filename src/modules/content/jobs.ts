// The blog's background work: scheduled posts go live on the app's clock, and a change to a
// team member's name (or their removal) re-renders the pages that show them as author.
import type { Logger } from 'pino';
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import { defineSubscriber, type SubscriberDeps } from '../../jobs/subscriber.js';
import type { ContentService } from './service.js';

export const PUBLISH_DUE_JOB = 'content.publish-due';
export const AUTHOR_CHANGED_JOB = 'content.author-changed';

/** What the blog's jobs use. */
export interface ContentJobDeps extends SubscriberDeps {
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
  defineSubscriber<ContentJobDeps>({
    name: AUTHOR_CHANGED_JOB,
    description: 'A team member was renamed or removed: the blog pages that show them as author are rendered again',
    onEvents: ['user.renamed', 'user.removed'],
    handle: async ({ content }, tx, event) => {
      if (event.subject?.type === 'user') await content.authorChangedInTx(tx, event.subject.id);
    },
  }),
];
