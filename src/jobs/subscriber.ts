// How a module reacts to another's events: a subscriber is a job listed under `onEvents`,
// enqueued by `EventLog.record` in the transaction of the event. `defineSubscriber` makes it
// exactly once: the handler runs in one transaction that also writes (event, subscriber) to
// event_deliveries, so a retry after a crash — before or after that commit — applies the
// effect once. Effects outside the database (an HTTP call) belong in a job the handler
// enqueues in that transaction (as the outbound webhooks do), never in the handler itself.
import type { Database, Tx } from '../db/client.js';
import type { EventDelivery, EventLog } from '../db/events.js';
import type { EventType } from '../db/event-catalog.js';
import type { JobDefinition, JobInfo } from './types.js';

/** What the exactly-once wrapper itself uses; the worker's composed dependencies have it. */
export interface SubscriberDeps {
  database: Database;
  events: EventLog;
}

export interface SubscriberDefinition<Deps = unknown> {
  /** Permanent, like every job name; also the subscriber's key in event_deliveries. */
  name: string;
  description: string;
  onEvents: EventType[];
  /** Applies the effect inside `tx`; never called twice for one event. */
  handle: (deps: Deps, tx: Tx, event: EventDelivery, job: JobInfo) => Promise<void>;
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  concurrency?: number;
  priority?: number;
}

export function defineSubscriber<Deps>(def: SubscriberDefinition<Deps>): JobDefinition<EventDelivery, Deps & SubscriberDeps> {
  const { handle, ...job } = def;
  return {
    ...job,
    handler: async (deps, event, info) => {
      await deps.database.transaction(async (tx) => {
        if (!(await deps.events.claimDelivery(tx, event.eventId, def.name))) return;
        await handle(deps, tx, event, info);
      });
    },
  };
}
