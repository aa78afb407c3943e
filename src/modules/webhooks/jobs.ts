// The webhooks' jobs: the fan-out subscriber (every business event → one delivery per
// endpoint that wants it, exactly once) and the delivery job (one signed POST per run).
import type { JobDefinition } from '../../jobs/types.js';
import { defineSubscriber, type SubscriberDeps } from '../../jobs/subscriber.js';
import type { EventType } from '../../db/event-catalog.js';
import { DELIVER_JOB, type WebhookService } from './service.js';

/** What the webhooks' job handlers use. */
export interface WebhookJobDeps extends SubscriberDeps {
  webhooks: WebhookService;
}

export const FAN_OUT_JOB = 'webhooks.fan-out';

/** Event types an endpoint can receive: every catalog type but the webhooks' own. */
export function deliverableTypes(catalogTypes: string[]): string[] {
  return catalogTypes.filter((t) => !t.startsWith('webhook.'));
}

export function webhookJobs(catalogTypes: string[]): JobDefinition<any, WebhookJobDeps>[] {
  return [
    defineSubscriber<WebhookJobDeps>({
      name: FAN_OUT_JOB,
      description: 'creates one webhook delivery per endpoint subscribed to the event',
      onEvents: deliverableTypes(catalogTypes) as EventType[],
      priority: -1,
      handle: async (app, tx, event) => void (await app.webhooks.fanOutInTx(tx, event)),
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
