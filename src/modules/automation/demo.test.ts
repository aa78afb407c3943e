import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, Client } from '../../../test/support/harness.js';
import { createDemoTestApp, type DemoTestApp } from '../../../test/support/demo-snapshot.js';

for (const backend of backends()) {
  describe(`automation demo data [${backend}]`, () => {
    let t: DemoTestApp;
    let owner: Client;
    before(async () => {
      t = await createDemoTestApp(backend);
      owner = t.owner;
    });
    after(() => t.close());

    it('shows three live workflows with a year of runs, steps and revenue', async () => {
      const { workflows } = (await owner.get('/api/automations')).json();
      assert.deepEqual(workflows.map((w: { name: string }) => w.name).sort(), ['Abandoned checkout', 'Failed-payment recovery', 'Welcome + lead magnet']);
      for (const w of workflows) assert.equal(w.status, 'live');
      const welcome = workflows.find((w: { name: string }) => w.name === 'Welcome + lead magnet');
      assert.ok(welcome.counts.done > 50, `done ${welcome.counts.done}`);
      assert.ok(workflows.some((w: { revenue: number }) => w.revenue > 0), 'revenue attributed');
      const detail = (await owner.get(`/api/automations/${welcome.id}`)).json();
      const deliver = detail.steps.find((s: { stepId: string }) => s.stepId === 'deliver');
      assert.ok(deliver.done > 50);
      const runs = (await owner.get(`/api/automations/${welcome.id}/runs?limit=5`)).json().runs;
      const timeline = (await owner.get(`/api/automation-runs/${runs[0].id}`)).json();
      assert.ok(timeline.steps.length >= 1);
      const oldest = (await t.app.database.execute<{ at: Date }>('select min(started_at) as at from automation_runs')).rows[0]!.at;
      assert.ok(t.clock.now().getTime() - new Date(oldest).getTime() > 200 * 86_400_000, 'history reaches back most of a year');
    });
  });
}
