// The webhooks' jobs: the fan-out subscriber (business events, many per transaction → one delivery
// per endpoint that wants it, exactly once), the batch job that sends their first attempts, and the
// delivery job (one signed POST: a retry, a replay, a test).
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import { defineBatchSubscriber, type SubscriberDeps } from '../../jobs/subscriber.js';
import type { EventType } from '../../db/event-catalog.js';
import { DELIVER_BATCH_JOB, DELIVER_JOB, WebhookService } from './service.js';

/** What the webhooks' job handlers use. */
export interface WebhookJobDeps extends SubscriberDeps {
  webhooks: WebhookService;
}

export const FAN_OUT_JOB = 'webhooks.fan-out';
/** Events one fan-out transaction handles at most. */
export const FAN_OUT_BATCH = 100;

/** Event types an endpoint can receive: every catalog type but the webhooks' own. */
export function deliverableTypes(catalogTypes: string[]): string[] {
  return catalogTypes.filter((t) => !t.startsWith('webhook.'));
}

export function webhookJobs(catalogTypes: string[]): JobDefinition<any, WebhookJobDeps>[] {
  return [
    // Exactly once per event, in batches: up to FAN_OUT_BATCH events per transaction (an import or
    // a tick of 500 runs records thousands of events; one job and one transaction each was the cost).
    defineBatchSubscriber<WebhookJobDeps>({
      name: FAN_OUT_JOB,
      description: 'creates one webhook delivery per endpoint subscribed to the event, many events per transaction',
      onEvents: deliverableTypes(catalogTypes) as EventType[],
      // No job per event while no enabled endpoint takes its type.
      listeningInTx: (tx, types) => WebhookService.anyEndpointWantsInTx(tx, types),
      priority: -1,
      batchSize: FAN_OUT_BATCH,
      handleMany: async (app, tx, events) => void (await app.webhooks.fanOutManyInTx(tx, events)),
    }),
    defineJob({
      name: DELIVER_BATCH_JOB,
      description: 'sends the first attempt of many webhook deliveries, 8 at a time (a failure is rescheduled as its own webhooks.deliver job)',
      data: z.object({ deliveryIds: z.array(z.string().uuid()).min(1).max(1000) }),
      // A failure is recorded and rescheduled per delivery; these retries cover a crash (a retry
      // sends only what is still pending, with the same webhook-id).
      retryLimit: 3,
      retryDelay: 30,
      expireInSeconds: 300,
      handler: async (deps: WebhookJobDeps, data) => deps.webhooks.deliverMany(data.deliveryIds),
    }),
    {
      name: DELIVER_JOB,
      description: 'sends one signed webhook delivery (retries are scheduled by the delivery itself)',
      // An HTTP failure is recorded and rescheduled by the handler; these retries cover a crash.
      retryLimit: 3,
      retryDelay: 30,
      expireInSeconds: 120,
      handler: async (deps: WebhookJobDeps, data: { deliveryId: string }) => void (await deps.webhooks.deliver(data.deliveryId)),
    },
  ];
}
