// The automation module's jobs: the event subscriber (triggers, waits for events, goals,
// revenue), the tick (many runs through their in-database steps at once), the step job (one run's
// step that leaves the database or reads another module: an email, a webhook, …), and the wake-up of waits that are due.
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import { defineBatchSubscriber, type SubscriberDeps } from '../../jobs/subscriber.js';
import { SUBSCRIBED_EVENTS } from './definition.js';
import { EVENT_BATCH, EVENT_JOB, SCAN_JOB, STEP_ATTEMPTS, STEP_BATCH, STEP_JOB, TICK_JOB, WAKE_JOB } from './engine.js';
import type { AutomationService } from './service.js';

/** What the automation jobs use. */
export interface AutomationJobDeps extends SubscriberDeps {
  automation: AutomationService;
  jobs: { readonly stopping: boolean };
}

export const automationJobs: JobDefinition<any, AutomationJobDeps>[] = [
  // Exactly once per event, in batches: a worker takes up to EVENT_BATCH pending events and
  // handles them in one transaction, set-wise (a broadcast or an import of 10 000 contacts is
  // 100 transactions, not 10 000).
  defineBatchSubscriber<AutomationJobDeps>({
    name: EVENT_JOB,
    description: 'React to business events, many per transaction: start the runs they trigger, resume runs waiting for them, meet goals, attribute revenue',
    onEvents: SUBSCRIBED_EVENTS,
    batchSize: EVENT_BATCH,
    handleMany: async (app, tx, events) => {
      await app.automation.engine.onEventsInTx(tx, events);
    },
  }),
  defineJob({
    name: STEP_JOB,
    description: 'Execute the next step of one run and the steps that follow it without a wait (each keyed by run and seq: a retry repeats no side effect)',
    // Step jobs are short: a worker takes a batch per poll, or the poll interval caps the rate.
    batchSize: STEP_BATCH,
    retryLimit: STEP_ATTEMPTS - 1,
    retryDelay: 5,
    retryBackoff: true,
    data: z.object({ runId: z.string().min(1).max(100), seq: z.number().int().nonnegative() }),
    handler: async (app: AutomationJobDeps, data, job) => {
      await app.automation.engine.runStep(data.runId, data.seq, job.retryCount);
    },
  }),
  {
    name: TICK_JOB,
    description: 'Carry active runs through their in-database steps (tags, waits, conditions on a tag or field, splits), many runs per transaction; every minute too, as a safety net',
    cron: '* * * * *',
    // Two per process: each claims its runs with skip-locked, so they never take the same run.
    concurrency: 2,
    // Every event batch, wake-up and resume queues a tick; waiting ticks are all the same
    // "look for active runs". A worker takes up to 100 of them at once and runs one loop for
    // them all: each was committed before the fetch, so its runs are visible to that loop.
    // (Hundreds of single-event entries had queued hundreds of ticks that each claimed nothing.)
    batchSize: 100,
    handler: (app: AutomationJobDeps) => tickLoop(app),
    batchHandler: (app: AutomationJobDeps) => tickLoop(app),
  },
  {
    name: WAKE_JOB,
    description: 'Wake the runs whose wait is over on the app clock (every minute)',
    cron: '* * * * *',
    concurrency: 1,
    handler: async (app: AutomationJobDeps) => {
      while ((await app.automation.engine.wakeDue(1000)) === 1000 && !app.jobs.stopping);
    },
  },
  {
    name: SCAN_JOB,
    description: 'Enter the contacts that time-based triggers match now (stalled in a course, inactive, a date field, N days after signup), once per occurrence (hourly)',
    cron: '17 * * * *',
    concurrency: 1,
    handler: async (app: AutomationJobDeps) => {
      while ((await app.automation.engine.scanTimeTriggers(1000)) >= 1000 && !app.jobs.stopping);
    },
  },
];

/** Claims batch after batch while there is work; a full run of 20 hands over to a fresh job. */
async function tickLoop(app: AutomationJobDeps): Promise<void> {
  for (let i = 0; (await app.automation.engine.tick()) > 0 && !app.jobs.stopping; i++) {
    if (i === 19) {
      await app.automation.engine.queueTick();
      return;
    }
  }
}
