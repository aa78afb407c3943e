// The demo's SOPs and tasks: a year of work by the assistants, mostly on time, and exactly two
// overdue today — what My day and the owner's weekly review show a newcomer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../../../test/support/harness.js';
import { createDemoTestApp, type DemoTestApp } from '../../../test/support/demo-snapshot.js';
import { assistantWork, overdueTasks } from './index.js';

for (const backend of backends()) {
  describe(`tasks demo [${backend}]`, () => {
    let t: DemoTestApp;
    before(async () => {
      t = await createDemoTestApp(backend);
    });
    after(() => t.close());

    it('has the four SOPs and two overdue tasks today, and the job finds nothing more to create', async () => {
      assert.deepEqual((await t.app.tasks.listSops()).map((s) => s.title), ['Answer the inbox', 'Monthly course review', 'Publish a post', 'Weekly refunds check']);
      const overdue = await overdueTasks(t.app.db, t.app.clock.now());
      assert.equal(overdue.length, 2, JSON.stringify(overdue));
      assert.deepEqual(overdue.map((o) => o.assigneeRole).sort(), ['content', 'support']);
      assert.equal(await t.app.tasks.createDueOccurrences(), 0, 'the demo is caught up to its today');
      assert.equal(await t.app.tasks.markOverdue(), 0, 'its overdue ones are already marked');
    });

    it('credits a year of tasks to the assistants, some late', async () => {
      const now = t.app.clock.now();
      const work = await assistantWork(t.app.db, { from: new Date(now.getTime() - 366 * 86_400_000), to: now });
      const roles = work.map((w) => w.actorRole).sort();
      assert.deepEqual(roles, ['content', 'marketing', 'support']);
      for (const w of work) {
        assert.equal(w.actorKind, 'assistant');
        assert.ok(w.done > 40, `${w.actorRole}: ${w.done} done`);
        assert.ok(w.late > 0 && w.late < w.done / 4, `${w.actorRole}: ${w.late} late of ${w.done}`);
      }
    });
  });
}
