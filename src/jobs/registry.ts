// Every background job Onehour runs, in one place: its permanent name and its handler.
// Read this file to know what runs in the background. Names are a public contract: never
// rename one (a queued job would be orphaned); add a new name instead.
import type { JobDefinition } from './types.js';
import { teamJobs } from '../modules/team/jobs.js';
import { mailJobs } from '../modules/mail/jobs.js';
import { learningJobs } from '../modules/learning/jobs.js';
import { audienceJobs } from '../modules/audience/jobs.js';
import { checkoutJobs } from '../modules/checkout/jobs.js';
import { portalJobs } from '../modules/portal/jobs.js';
import { automationJobs } from '../modules/automation/jobs.js';

export const jobRegistry: JobDefinition<any>[] = [
  // team.prune-sessions (hourly), team.password-reset-request
  ...teamJobs,
  // mail.send-transactional
  ...mailJobs,
  // learning.announce-unlocked-lessons (every 5 minutes)
  ...learningJobs,
  // audience.import (CSV import chunks), audience.recompile-segments (hourly)
  ...audienceJobs,
  // checkout.reconcile, checkout.expire-orders, checkout.dunning, checkout.test-billing
  ...checkoutJobs,
  // portal.sign-in-request
  ...portalJobs,
  // automation.on-event (event subscriber), automation.step, automation.wake (every minute)
  ...automationJobs,
];
