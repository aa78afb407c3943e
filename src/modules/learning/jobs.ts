import type { JobDefinition } from '../../jobs/types.js';

export const UNLOCK_LESSONS_JOB = 'learning.announce-unlocked-lessons';

export const learningJobs: JobDefinition<any>[] = [
  {
    name: UNLOCK_LESSONS_JOB,
    description: 'Record lesson.unlocked once per student and scheduled lesson that has opened (drip)',
    cron: '*/5 * * * *',
    // One run at a time is enough; a second would find nothing new to announce.
    concurrency: 1,
    handler: async (app) => {
      const n = await app.learning.student.announceUnlockedLessons();
      if (n) app.log.info({ lessons: n }, 'announced unlocked lessons');
    },
  },
];
