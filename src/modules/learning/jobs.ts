import { z } from 'zod';
import type { Logger } from 'pino';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import type { LearningService } from './service.js';

export const UNLOCK_LESSONS_JOB = 'learning.announce-unlocked-lessons';

/** What the learning jobs use. */
export interface LearningJobDeps {
  learning: LearningService;
  log: Logger;
}

export const learningJobs: JobDefinition<any, LearningJobDeps>[] = [
  defineJob({
    name: UNLOCK_LESSONS_JOB,
    description: 'Record lesson.unlocked once per student and scheduled lesson that has opened (drip)',
    cron: '*/5 * * * *',
    // One run at a time is enough; a second would find nothing new to announce.
    concurrency: 1,
    data: z.object({}),
    handler: async ({ learning, log }: LearningJobDeps) => {
      const n = await learning.student.announceUnlockedLessons();
      if (n) log.info({ lessons: n }, 'announced unlocked lessons');
    },
  }),
];
