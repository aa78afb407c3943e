// How a module reacts to another's events: a subscriber is a job listed under `onEvents`,
// enqueued by `EventLog.recordInTx` in the transaction of the event. `defineSubscriber` makes it
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
  /** Whether anyone listens now (see JobDefinition.listeningInTx); no job is enqueued when not. */
  listeningInTx?: (tx: Tx, eventTypes: string[]) => Promise<boolean>;
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
        if (!(await deps.events.claimDeliveryInTx(tx, event.eventId, def.name))) return;
        await handle(deps, tx, event, info);
      });
    },
  };
}

export interface BatchSubscriberDefinition<Deps = unknown> extends Omit<SubscriberDefinition<Deps>, 'handle'> {
  /** Events one transaction handles at most (the jobs a worker fetches per poll). */
  batchSize: number;
  /**
   * Applies the effect of several events inside `tx`, set-wise; the events come in id order and
   * none of them was handled before (each is claimed in the same transaction). A single event,
   * or each event of a batch that failed as a whole, comes alone.
   */
  handleMany: (deps: Deps, tx: Tx, events: EventDelivery[]) => Promise<void>;
}

/**
 * A subscriber that takes its events in batches: one transaction claims up to `batchSize`
 * deliveries at once (`EventLog.claimDeliveriesInTx`) and handles the unclaimed ones together. The
 * same exactly-once argument as `defineSubscriber`, per event: the claims commit with the effect
 * or not at all. A batch that throws is retried one event per transaction, so a bad event fails
 * alone and the others of its batch go through.
 */
export function defineBatchSubscriber<Deps>(def: BatchSubscriberDefinition<Deps>): JobDefinition<EventDelivery, Deps & SubscriberDeps> {
  const { handleMany, ...job } = def;
  const deliver = async (deps: Deps & SubscriberDeps, list: EventDelivery[]) => {
    await deps.database.transaction(async (tx) => {
      const claimed = await deps.events.claimDeliveriesInTx(tx, list.map((e) => e.eventId), def.name);
      const seen = new Set<number>();
      const fresh = [...list]
        .sort((a, b) => a.eventId - b.eventId)
        .filter((e) => claimed.has(e.eventId) && !seen.has(e.eventId) && seen.add(e.eventId));
      if (fresh.length) await handleMany(deps, tx, fresh);
    });
  };
  return {
    ...job,
    handler: (deps, event) => deliver(deps, [event]),
    batchHandler: (deps, events) => deliver(deps, events),
  };
}
