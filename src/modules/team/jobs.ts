import type { JobDefinition } from '../../jobs/types.js';

export const PASSWORD_RESET_REQUEST_JOB = 'team.password-reset-request';

export const teamJobs: JobDefinition<any>[] = [
  {
    name: 'team.prune-sessions',
    description: 'Delete expired sessions and password-reset tokens',
    cron: '17 * * * *',
    handler: async (app) => {
      await app.team.pruneExpired();
    },
  },
  {
    name: PASSWORD_RESET_REQUEST_JOB,
    description: 'Look up the address of a password-reset request and mail the link when it is a team member (off the request, so timing tells nothing)',
    handler: async (app, data: { email: string }) => {
      await app.team.requestPasswordReset(data.email);
    },
    priority: 10,
    retryLimit: 3,
    retryDelay: 5,
    expireInSeconds: 60,
  },
];
