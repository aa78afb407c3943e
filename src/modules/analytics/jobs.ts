import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import type { AnalyticsService } from './service.js';

/** What the analytics jobs use. */
export interface AnalyticsJobDeps {
  analytics: AnalyticsService;
}

export const ROLL_UP_RANGE_JOB = 'analytics.roll-up-range';

export const analyticsJobs: JobDefinition<any, AnalyticsJobDeps>[] = [
  {
    name: 'analytics.rotate-salt',
    description: "Make today's visitor salt at 00:00 UTC and delete salts older than 48 hours (after which visitor ids cannot be recomputed)",
    cron: '0 0 * * *',
    handler: async (app: AnalyticsJobDeps) => {
      await app.analytics.salts.rotate();
    },
  },
  {
    name: 'analytics.roll-up',
    description: 'Fold the page views and events since the last run into the daily and hourly rollups the dashboard reads (only what changed; late events and visits that go on count)',
    cron: '* * * * *',
    expireInSeconds: 600,
    handler: async (app: AnalyticsJobDeps) => {
      await app.analytics.rollUp();
    },
  },
  defineJob({
    name: ROLL_UP_RANGE_JOB,
    description: 'Roll up a range of days after a bulk load (the demo year), off the request that loaded it',
    expireInSeconds: 600,
    data: z.object({ from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
    handler: async (app: AnalyticsJobDeps, data) => {
      await app.analytics.rollUpRange(data.from, data.to);
    },
  }),
  {
    name: 'analytics.prune-raw',
    description: 'Delete raw events older than ANALYTICS_RETENTION_DAYS (their rollups stay)',
    cron: '41 3 * * *',
    expireInSeconds: 3600,
    handler: async (app: AnalyticsJobDeps) => {
      await app.analytics.pruneRaw();
    },
  },
];
