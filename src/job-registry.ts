// Every background job Onehour runs, in one place: its permanent name and its handler.
// Read this file to know what runs in the background. Names are a public contract: never
// rename one (a queued job would be orphaned); add a new name instead.
// Each module declares its jobs (`defineJob`, typed payload) and the narrow dependencies its
// handlers use (`…JobDeps`); the worker hands them the composed application, which has them all.
import type { JobDefinition } from './jobs/types.js';
import { teamJobs, type TeamJobDeps } from './modules/team/index.js';
import { mailJobs, type MailJobDeps } from './modules/mail/index.js';
import { learningJobs, type LearningJobDeps } from './modules/learning/index.js';
import { audienceJobs, type AudienceJobDeps } from './modules/audience/index.js';
import { checkoutJobs, type CheckoutJobDeps } from './modules/checkout/index.js';
import { portalJobs, type PortalJobDeps } from './modules/portal/index.js';
import { webhookJobs, type WebhookJobDeps } from './modules/webhooks/index.js';
import { analyticsJobs, type AnalyticsJobDeps } from './modules/analytics/index.js';
import { automationJobs, type AutomationJobDeps } from './modules/automation/index.js';
import { contentJobs, type ContentJobDeps } from './modules/content/index.js';
import { tasksJobs, type TasksJobDeps } from './modules/tasks/index.js';
import { ownerJobs, type OwnerJobDeps } from './modules/owner/index.js';
import { supportJobs, type SupportJobDeps } from './modules/support/index.js';
import { eventCatalog } from './event-catalog.js';

/** Everything the registered handlers use; `src/app.ts` checks that the App provides it. */
export type JobDeps = TeamJobDeps & MailJobDeps & LearningJobDeps & AudienceJobDeps & CheckoutJobDeps & PortalJobDeps & WebhookJobDeps & AnalyticsJobDeps & AutomationJobDeps & ContentJobDeps & TasksJobDeps & OwnerJobDeps & SupportJobDeps;

export const jobRegistry: JobDefinition<any, JobDeps>[] = [
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
  // webhooks.fan-out (subscribes to every business event, exactly once), webhooks.deliver
  ...webhookJobs(eventCatalog.types),
  // analytics.rotate-salt (00:00 UTC), analytics.roll-up (every minute), analytics.roll-up-range, analytics.prune-raw (daily)
  ...analyticsJobs,
  // automation.on-event (subscribes to the events that trigger, resume and end runs), automation.tick (many runs set-wise), automation.step, automation.wake (every minute)
  ...automationJobs,
  // content.publish-due (every minute: scheduled posts go live on the app's clock), content.author-changed (user.renamed / user.removed → the blog re-renders bylines)
  ...contentJobs,
  // tasks.create-occurrences (every minute: due occurrences, then task.overdue)
  ...tasksJobs,
  // owner.daily-check (hourly, once a day), owner.check-links (daily), owner.weekly-review-mail (hourly, Monday mornings)
  ...ownerJobs,
  // support.wake-snoozed (every minute), support.check-slas (every 5 minutes), support.run-action, support.lesson-question,
  // support.sweep-orphan-files (hourly)
  ...supportJobs,
];
