// The trigger subscriber (automation.on-event) takes business events in batches: one transaction
// starts the runs of many events set-wise. Same rules as one event at a time (re-entry, the daily
// cap, goals in event order), nothing started twice when a batch is replayed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp, waitFor, type TestApp } from '../../../test/support/harness.js';
import { EventLog, type NewEvent } from '../../db/events.js';
import { runJobBatch } from '../../jobs/queue.js';
import { automationJobs } from './jobs.js';
import { EVENT_JOB } from './engine.js';
import { count, seedContacts } from './test-crash-support.js';

const N = 200;
const system = { kind: 'system' } as const;

for (const backend of backends()) {
  describe(`automation event batches [${backend}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(backend);
    });
    after(async () => {
      await t.close();
    });

    async function workflow(name: string, definition: Record<string, unknown>): Promise<string> {
      const w = await t.app.automation.create({ name, definition }, system);
      await t.app.automation.publish(w.id, {}, system);
      return w.id;
    }
    const runs = (workflowId: string, where = 'true') => count(t, `select count(*)::int as n from automation_runs where workflow_id = $1 and ${where}`, [workflowId]);

    it('starts the runs of many events in a few transactions, with re-entry, the cap and goals as one by one, and a replay starts nothing', async () => {
      const tags = await t.app.database.transaction((tx) => t.app.audience.ensureTags(tx, ['batch-start', 'batch-goal', 'batch-done']));
      const [start, goal, done] = ['batch-start', 'batch-goal', 'batch-done'].map((n) => tags.find((x) => x.name === n)!);
      const once = await workflow('once', {
        triggers: [{ type: 'tag.added', tagId: start!.id }],
        start: 'tag',
        reentry: 'once',
        steps: [{ id: 'tag', kind: 'tag', action: 'add', tagId: done!.id, next: null }],
      });
      const always = await workflow('always', {
        triggers: [{ type: 'tag.added', tagId: start!.id }],
        start: 'wait',
        reentry: 'always',
        goals: [{ id: 'g', label: 'tagged goal', event: 'contact.tagged', tagId: goal!.id, then: null }],
        steps: [{ id: 'wait', kind: 'wait', minutes: 1440, next: null }],
      });
      const ids = await seedContacts(t, N, 'batch.test');
      const tagged = (contactId: string, tag: { id: string; name: string }): NewEvent => ({ type: 'contact.tagged', actor: system, subject: { type: 'contact', id: contactId }, data: { tagId: tag.id, tag: tag.name } });
      // One contact tagged 12 times: the cap lets 10 in.
      const [capped] = ids as [string];
      const list: NewEvent[] = [...ids.map((id) => tagged(id, start!)), ...Array.from({ length: 11 }, () => tagged(capped, start!))];
      const eventIds = await t.app.database.transaction((tx) => t.app.events.recordManyInTx(tx, list));
      const subscribed = eventIds.length;
      await t.app.jobs.work(t.app);
      await waitFor(async () => (await count(t, `select count(*)::int as n from event_deliveries where subscriber = $1 and event_id = any($2::bigint[])`, [EVENT_JOB, eventIds])) === subscribed, { timeoutMs: 120_000, what: 'every event delivered to the automation subscriber' });

      assert.equal(await runs(once), N, 're-entry once: one run per contact, the capped contact included');
      assert.equal(await runs(always), N - 1 + 10, 're-entry always: the capped contact entered 10 times in 24 h, the others once');
      await waitFor(async () => (await runs(always, `state = 'active'`)) === 0, { timeoutMs: 120_000, what: 'the tick carried every run to its wait' });
      assert.equal(await runs(always, `state = 'waiting'`), N + 9);
      assert.equal(await count(t, `select count(*)::int as n from events where type = 'automation.entered' and data->>'workflowId' in ($1, $2)`, [once, always]), 2 * N + 9, 'one entered event per run');
      // Set-wise: runs share transactions (xmin); one transaction started at least half a batch.
      const perTx = await t.app.database.execute<{ n: number }>(`select count(*)::int as n from automation_runs where workflow_id = $1 group by xmin::text order by 1 desc`, [always]);
      assert.ok(perTx.rows.length <= 20, `${N + 9} runs started in ${perTx.rows.length} transactions`);
      assert.ok(perTx.rows[0]!.n >= 50, `the largest transaction started ${perTx.rows[0]!.n} runs`);

      // Replays: the subscriber's batch again (deliveries claimed: nothing), and the engine itself
      // on the same events (the trigger key (workflow, contact, event) refuses a second run).
      const deliveries = (await Promise.all(eventIds.map((id) => t.app.events.get(t.app.db, id)))).map((e) => EventLog.deliveryOf(e!));
      const job = automationJobs.find((j) => j.name === EVENT_JOB)!;
      await runJobBatch(job, t.app, deliveries, deliveries.map((d) => ({ id: String(d.eventId), name: EVENT_JOB, retryCount: 1 })));
      await t.app.database.transaction((tx) => t.app.automation.engine.onEventsInTx(tx, deliveries));
      assert.equal(await runs(once), N);
      assert.equal(await runs(always), N + 9);
      assert.equal(await count(t, `select count(*)::int as n from events where type = 'automation.entered' and data->>'workflowId' in ($1, $2)`, [once, always]), 2 * N + 9);
      await waitFor(async () => (await runs(once, `state = 'done'`)) === N, { timeoutMs: 120_000, what: 'the once workflow’s runs done' });

      // Within one batch the events apply in order: a goal met before the trigger leaves the run
      // it starts alone; a goal met after it ends the run. (Across batches running at once there
      // is no order, as between single events handled by concurrent workers.)
      const [goalFirst, goalAfter] = await seedContacts(t, 2, 'goal.test') as [string, string];
      const first = 1_000_000_000;
      const batch = [tagged(goalFirst, goal!), tagged(goalFirst, start!), tagged(goalAfter, start!), tagged(goalAfter, goal!)].map((e, i) => ({ eventId: first + i, type: e.type, subject: e.subject!, data: e.data as Record<string, unknown> }));
      await t.app.database.transaction((tx) => t.app.automation.engine.onEventsInTx(tx, batch));
      await waitFor(async () => (await runs(always, `state = 'active'`)) === 0, { timeoutMs: 120_000, what: 'the tick carried the new runs to their wait' });
      assert.equal(await runs(always, `contact_id = '${goalFirst}' and state = 'waiting'`), 1, 'a goal met before the trigger does not end the run');
      assert.equal(await runs(always, `contact_id = '${goalAfter}' and state = 'exited' and end_reason = 'goal met: tagged goal'`), 1, 'a goal met after the trigger ends it');
    });
  });
}

for (const backend of backends()) {
  describe(`automation ticks taken together [${backend}]`, () => {
    it('a worker takes the ticks that waited together, and one loop carries every run they stand for', async () => {
      const t = await createTestApp(backend);
      try {
        const [start, done] = await t.app.database.transaction((tx) => t.app.audience.ensureTags(tx, ['ticks-start', 'ticks-done']));
        const w = await t.app.automation.create(
          { name: 'single entries', definition: { triggers: [{ type: 'tag.added', tagId: start!.id }], start: 'tag', reentry: 'once', steps: [{ id: 'tag', kind: 'tag', action: 'add', tagId: done!.id, next: null }] } },
          system,
        );
        await t.app.automation.publish(w.id, {}, system);
        const ids = await seedContacts(t, 40, 'ticks.test');
        // One event per transaction, as single purchases or sign-ups arrive: each entry queues a tick.
        let eventId = 2_000_000_000;
        for (const contactId of ids) await t.app.automation.engine.onEvent({ eventId: eventId++, type: 'contact.tagged', subject: { type: 'contact', id: contactId }, data: { tagId: start!.id } });
        const ticks = (state: string) => count(t, `select count(*)::int as n from pgboss.job where name = 'automation.tick' and state = $1`, [state]);
        assert.ok((await ticks('created')) >= ids.length, 'a tick waits for every entry');
        await t.app.jobs.work(t.app);
        await waitFor(async () => (await count(t, `select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'done'`, [w.id])) === ids.length, { timeoutMs: 60_000, what: 'every run done' });
        await waitFor(async () => (await ticks('created')) + (await ticks('active')) === 0, { timeoutMs: 60_000, what: 'no tick left waiting' });
        assert.equal(await count(t, `select count(*)::int as n from contact_tags where tag_id = $1`, [done!.id]), ids.length, 'each run tagged its contact once');
        // Jobs fetched together share their start time: the 40 ticks were a handful of fetches.
        const fetches = await count(t, `select count(distinct started_on)::int as n from pgboss.job where name = $1 and state = 'completed'`, ['automation.tick']);
        assert.ok((await ticks('completed')) >= ids.length);
        assert.ok(fetches <= 5, `${ids.length} waiting ticks were taken in ${fetches} fetches`);
      } finally {
        await t.close();
      }
    });
  });
}
