// How a module reacts to another's events: a subscriber is a job listed under `onEvents`,
// enqueued by `EventLog.record` in the transaction of the event. `defineSubscriber` makes it
// exactly once: the handler runs in one transaction that also writes (event, subscriber) to
// event_deliveries, so a retry after a crash — before or after that commit — applies the
// effect once. Effects outside the database (an HTTP call) belong in a job the handler
// enqueues in that transaction (as the outbound webhooks do), never in the handler itself.
import type { App } from '../app.js';
import type { Tx } from '../db/client.js';
import type { EventDelivery } from '../db/events.js';
import type { EventType } from '../db/event-catalog.js';
import type { JobDefinition, JobInfo } from './types.js';

export interface SubscriberDefinition {
  /** Permanent, like every job name; also the subscriber's key in event_deliveries. */
  name: string;
  description: string;
  onEvents: EventType[];
  /** Applies the effect inside `tx`; never called twice for one event. */
  handle: (app: App, tx: Tx, event: EventDelivery, job: JobInfo) => Promise<void>;
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  concurrency?: number;
  priority?: number;
}

export function defineSubscriber(def: SubscriberDefinition): JobDefinition<EventDelivery> {
  const { handle, ...job } = def;
  return {
    ...job,
    handler: async (app, event, info) => {
      await app.database.transaction(async (tx) => {
        if (!(await app.events.claimDelivery(tx, event.eventId, def.name))) return;
        await handle(app, tx, event, info);
      });
    },
  };
}
