import type { JobDefinition } from '../../jobs/types.js';

export const teamJobs: JobDefinition<any>[] = [
  {
    name: 'team.prune-sessions',
    description: 'Delete expired sessions and password-reset tokens',
    cron: '17 * * * *',
    handler: async (app) => {
      await app.team.pruneExpired();
    },
  },
];
