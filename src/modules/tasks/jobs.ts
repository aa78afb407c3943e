// The tasks module's job: on the app clock, create the occurrences that are due and mark the
// ones past their due time as overdue. Both steps are idempotent (see service.ts).
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import { CREATE_OCCURRENCES_JOB, type TasksService } from './service.js';

/** What the tasks job uses. */
export interface TasksJobDeps {
  tasks: TasksService;
}

export const tasksJobs: JobDefinition<any, TasksJobDeps>[] = [
  defineJob({
    name: CREATE_OCCURRENCES_JOB,
    description: 'Create the task occurrences due by today (brand time zone) and record task.overdue for those past due (every minute)',
    cron: '* * * * *',
    concurrency: 1,
    data: z.object({}).loose(),
    handler: async (deps: TasksJobDeps) => {
      await deps.tasks.createDueOccurrences();
      await deps.tasks.markOverdue();
    },
  }),
];
