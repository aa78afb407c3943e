// Two test subscribers to `contact.tagged` for the exactly-once tests: each applies its effect
// (a row in test_effects, which has no unique key, so a second application would show) and
// holds its transaction open for `holdMs`, so a process can be killed in the middle.
import { defineSubscriber, type SubscriberDeps } from '../../src/jobs/subscriber.js';
import type { JobDefinition } from '../../src/jobs/types.js';

export const SUBSCRIBERS = ['test.sub-a', 'test.sub-b'] as const;

export const EFFECTS_TABLE = 'create table if not exists test_effects (event_id bigint not null, subscriber text not null, pid int not null)';

export function testSubscribers(opts: { holdMs: number; announce?: boolean; onApplied?: (eventId: number, subscriber: string) => void }): JobDefinition<any>[] {
  return SUBSCRIBERS.map((name) =>
    defineSubscriber<SubscriberDeps>({
      name,
      description: 'test: applies one effect per event',
      onEvents: ['contact.tagged'],
      expireInSeconds: 2,
      retryDelay: 1,
      retryBackoff: false,
      retryLimit: 20,
      concurrency: 2,
      handle: async (app, tx, event) => {
        await app.database.executorFor(tx)('insert into test_effects (event_id, subscriber, pid) values ($1, $2, $3)', [event.eventId, name, process.pid]);
        if (opts.announce) process.stdout.write(`apply ${event.eventId} ${name}\n`);
        await new Promise((r) => setTimeout(r, opts.holdMs));
        opts.onApplied?.(event.eventId, name);
      },
    }),
  );
}
