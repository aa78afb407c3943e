// Delegations that hand alerts over: once the owner hands "automation.step_*" to the admin role,
// every automation the daily check finds failing becomes a task of the admin role (at once for
// the one failing when it is accepted, then from each daily check, once per alert) and leaves the
// owner's weekly decisions; the list ("contact.*") handed to marketing does the same with the
// broadcasts the reputation guard pauses. Taking a delegation back puts its alerts in the review
// again. A real failing run (a webhook step whose receiver answers HTTP 500), through the HTTP
// routes, on both backends.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { addMember, backends, createTestApp, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import type { Review } from './contract.js';

for (const backend of backends()) {
  describe(`failing automation runs handed to admins [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let admin: Client;
    let support: Client;
    let marketing: Client;
    let hooks: Server;
    let hookPort = 0;

    before(async () => {
      hooks = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.statusCode = 500;
          res.end();
        });
      });
      await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
      hookPort = (hooks.address() as { port: number }).port;
      t = await createTestApp(backend, { startWorkers: true, config: { AUTOMATION_WEBHOOKS_ALLOW_PRIVATE: '1' } });
      owner = await setupOwner(t);
      admin = await addMember(t, owner, 'admin');
      support = await addMember(t, owner, 'support');
      marketing = await addMember(t, owner, 'marketing');
    });
    after(async () => {
      await t.close();
      await new Promise((r) => hooks.close(r));
    });

    const review = async (): Promise<Review> => {
      const res = await owner.get('/api/owner/review');
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const automationDecisions = async (id: string) => (await review()).decisions.filter((d) => d.kind === 'automation' && d.key === `workflow:${id}`);
    const adminTasks = async (title: string) => {
      const res = await owner.get('/api/tasks');
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().tasks as { title: string; assignee: { role: string | null; userId: string | null }; notes: string }[]).filter((x) => x.title === title);
    };

    it('a failing automation is a task of the admin role, not a decision of the owner, while the delegation holds', async () => {
      const created = await owner.post('/api/automations', {
        name: 'Partner sync',
        definition: { triggers: [{ type: 'manual' }], start: 'hook', steps: [{ id: 'hook', kind: 'webhook', url: `http://127.0.0.1:${hookPort}/in`, next: null }] },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      assert.equal((await owner.post(`/api/automations/${id}/publish`, {})).statusCode, 200);
      const contact = await owner.post('/api/contacts', { email: 'fails@hook.test', name: 'Fay Lure' });
      assert.equal(contact.statusCode, 201, contact.body);
      const enrolled = await owner.post(`/api/automations/${id}/enrol`, { contactIds: [contact.json().id] });
      assert.ok(enrolled.statusCode < 300, enrolled.body);
      const runs = async () => (await owner.get(`/api/automations/${id}/runs`)).json().runs as { id: string; state: string }[];
      const active = await waitFor(async () => (await runs()).find((r) => r.state === 'active' || r.state === 'failed'), { what: 'the run' });
      // The step job's retries (pg-boss backoff) driven here instead of waited for.
      for (let attempt = 1; attempt < 4; attempt++) await t.app.automation.engine.runStep(active.id, 1, attempt).catch(() => {});
      await waitFor(async () => (await runs()).find((r) => r.state === 'failed'), { what: 'a failed run' });

      await t.app.owner.runDailyChecks();
      assert.equal((await automationDecisions(id)).length, 1, 'before the delegation: the owner decides');
      const title = 'Automation "Partner sync" is failing';
      assert.deepEqual(await adminTasks(title), []);

      // Owner only, and only to the role that may retry, skip or change automations.
      assert.equal((await support.post('/api/owner/delegations', { eventType: 'automation.step_retried', role: 'admin' })).statusCode, 403);
      assert.equal((await admin.post('/api/owner/delegations', { eventType: 'automation.step_retried', role: 'admin' })).statusCode, 403);
      const wrongRole = await owner.post('/api/owner/delegations', { eventType: 'automation.step_retried', role: 'support' });
      assert.equal(wrongRole.statusCode, 400);
      assert.match(wrongRole.body, /admin role/);
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'automation.step_retried', role: 'admin' })).statusCode, 204);

      // At once: the admins have it as a task due today, and it left the owner's decisions.
      const [task] = await adminTasks(title);
      assert.ok(task, 'the admin role has the task');
      assert.equal(task.assignee.role, 'admin');
      assert.equal(task.assignee.userId, null);
      assert.match(task.notes, /1 run failed/);
      assert.match(JSON.stringify((await admin.get('/api/tasks/my-day')).json()), /Partner sync/);
      assert.deepEqual(await automationDecisions(id), []);
      const listed = (await owner.get('/api/owner/delegations')).json().delegations.find((d: { eventType: string }) => d.eventType === 'automation.step_retried');
      assert.deepEqual(listed.grant, { kind: 'failing_runs', role: 'admin' });
      const [accepted] = await t.app.events.list(t.app.db, { type: 'owner.delegation_accepted', limit: 1 });
      assert.equal(accepted!.data.alertsTo, 'admin');
      assert.equal(accepted!.data.detector, 'automation_health');
      assert.equal(accepted!.data.tasksCreated, 1);

      // The next daily checks find the same failure: still one task.
      await t.app.owner.runDailyChecks();
      await t.app.owner.runDailyChecks();
      assert.equal((await adminTasks(title)).length, 1);
      assert.deepEqual(await automationDecisions(id), []);

      // Taken back: the owner decides again (the task made stays with the admins).
      assert.equal((await owner.delete('/api/owner/delegations/automation.step_retried')).statusCode, 204);
      assert.equal((await automationDecisions(id)).length, 1);
      assert.equal((await adminTasks(title)).length, 1);
    });

    it('the list handed to marketing: a broadcast paused by the reputation guard is a task of the marketing role', async () => {
      // What mail's reputation guard records when it pauses a send (mail/bounces.ts).
      const broadcastId = '00000000-0000-4000-8000-0000000000b1';
      await t.app.database.transaction((tx) =>
        t.app.events.recordInTx(tx, {
          type: 'broadcast.paused_by_guard', actor: { kind: 'system' }, subject: { type: 'broadcast', id: broadcastId },
          data: { name: 'Spring sale', sent: 400, bounced: 40, complained: 2, bounceRate: 0.1, complaintRate: 0.005, detail: '10 % of 400 bounced' },
        }),
      );
      await t.app.owner.runDailyChecks();
      const guardDecisions = async () => (await review()).decisions.filter((d) => d.key === `alert:mail_guard:${broadcastId}`);
      assert.equal((await guardDecisions()).length, 1, 'before the delegation: the owner decides');
      const title = 'Broadcast "Spring sale" paused by the reputation guard';

      assert.equal((await marketing.post('/api/owner/delegations', { eventType: 'contact.updated', role: 'marketing' })).statusCode, 403);
      const wrongRole = await owner.post('/api/owner/delegations', { eventType: 'contact.updated', role: 'content' });
      assert.equal(wrongRole.statusCode, 400);
      assert.match(wrongRole.body, /marketing or admin/);
      assert.equal((await owner.post('/api/owner/delegations', { eventType: 'contact.updated', role: 'marketing' })).statusCode, 204);

      const [task] = await adminTasks(title);
      assert.ok(task, 'the marketing role has the task');
      assert.equal(task.assignee.role, 'marketing');
      assert.match(task.notes, /10 % of 400 bounced/);
      assert.match(JSON.stringify((await marketing.get('/api/tasks/my-day')).json()), /Spring sale/);
      assert.deepEqual(await guardDecisions(), []);
      await t.app.owner.runDailyChecks();
      assert.equal((await adminTasks(title)).length, 1);

      assert.equal((await owner.delete('/api/owner/delegations/contact.updated')).statusCode, 204);
      assert.equal((await guardDecisions()).length, 1);
    });
  });
}
