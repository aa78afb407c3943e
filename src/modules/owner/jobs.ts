// The owner module's jobs: the daily check (declines and health), the link check (rate-limited,
// no private addresses) and the Monday review email (owner's time zone; waits while away).
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import { z } from 'zod';
import type { Owner } from './owner.js';

export const DAILY_CHECK_JOB = 'owner.daily-check';
export const LINK_CHECK_JOB = 'owner.check-links';
export const REVIEW_MAIL_JOB = 'owner.weekly-review-mail';

/** What the owner jobs use. */
export interface OwnerJobDeps {
  owner: Owner;
}

export const ownerJobs: JobDefinition<any, OwnerJobDeps>[] = [
  defineJob({
    name: DAILY_CHECK_JOB,
    description: 'Decline detection on every KPI series and the watched health checks; raises alerts (one open per detector and key)',
    cron: '20 * * * *',
    concurrency: 1,
    data: z.object({}).loose(),
    handler: async (app: OwnerJobDeps) => {
      await app.owner.dailyCheckIfDue();
    },
  }),
  defineJob({
    name: LINK_CHECK_JOB,
    description: 'Check the outside links of pages, lessons and emails (at most 100 a run, one request per second per host, private addresses refused)',
    cron: '40 3 * * *',
    concurrency: 1,
    expireInSeconds: 900,
    data: z.object({}).loose(),
    handler: async (app: OwnerJobDeps) => {
      await app.owner.checkLinks();
    },
  }),
  defineJob({
    name: REVIEW_MAIL_JOB,
    description: 'Send the weekly review email on Monday morning in the owner\'s time zone (once a week; waits while the owner is away)',
    cron: '5 * * * *',
    concurrency: 1,
    data: z.object({}).loose(),
    handler: async (app: OwnerJobDeps) => {
      await app.owner.sendReviewIfDue();
    },
  }),
];
