import type { JobDefinition } from '../../jobs/types.js';

export const ROLL_UP_RANGE_JOB = 'analytics.roll-up-range';

export const analyticsJobs: JobDefinition<any>[] = [
  {
    name: 'analytics.rotate-salt',
    description: "Make today's visitor salt at 00:00 UTC and delete salts older than 48 hours (after which visitor ids cannot be recomputed)",
    cron: '0 0 * * *',
    handler: async (app) => {
      await app.analytics.salts.rotate();
    },
  },
  {
    name: 'analytics.roll-up',
    description: 'Sum new page views and events into the daily and hourly rollups the dashboard reads (whole days recomputed, so late events count)',
    cron: '* * * * *',
    expireInSeconds: 600,
    handler: async (app) => {
      await app.analytics.rollUp();
    },
  },
  {
    name: ROLL_UP_RANGE_JOB,
    description: 'Roll up a range of days after a bulk load (the demo year), off the request that loaded it',
    expireInSeconds: 600,
    handler: async (app, data: { from: string; to: string }) => {
      await app.analytics.rollUpRange(data.from, data.to);
    },
  },
  {
    name: 'analytics.prune-raw',
    description: 'Delete raw events older than ANALYTICS_RETENTION_DAYS (their rollups stay)',
    cron: '41 3 * * *',
    expireInSeconds: 3600,
    handler: async (app) => {
      await app.analytics.pruneRaw();
    },
  },
];
