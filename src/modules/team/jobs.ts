import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import type { TeamService } from './service.js';

export const PASSWORD_RESET_REQUEST_JOB = 'team.password-reset-request';

/** What the team jobs use. */
export interface TeamJobDeps {
  team: TeamService;
}

export const teamJobs: JobDefinition<any, TeamJobDeps>[] = [
  defineJob({
    name: 'team.prune-sessions',
    description: 'Delete expired sessions and password-reset tokens',
    cron: '17 * * * *',
    data: z.object({}),
    handler: async ({ team }: TeamJobDeps) => {
      await team.pruneExpired();
    },
  }),
  defineJob({
    name: PASSWORD_RESET_REQUEST_JOB,
    description: 'Look up the address of a password-reset request and mail the link when it is a team member (off the request, so timing tells nothing)',
    data: z.object({ email: z.string() }),
    handler: async ({ team }: TeamJobDeps, data) => {
      await team.requestPasswordReset(data.email);
    },
    priority: 10,
    retryLimit: 3,
    retryDelay: 5,
    expireInSeconds: 60,
  }),
];
