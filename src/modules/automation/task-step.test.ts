// The workflow step "create a task": a real one-off task in the tasks module, made in the step's
// transaction with the automation as actor, exactly once per (run, seq) — even when the step job
// runs twice at once, or runs again after the run's own bookkeeping was lost.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import { events } from '../../db/schema.js';
import { addMember, backends, createTestApp, OWNER, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';

for (const backend of backends()) {
  describe(`automation step "create a task" [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let support: Client;
    let content: Client;
    let supportId: string;
    const clock = new ManualClock('2026-06-01T08:00:00Z'); // a Monday

    before(async () => {
      t = await createTestApp(backend, { clock });
      owner = await setupOwner(t);
      support = await addMember(t, owner, 'support');
      content = await addMember(t, owner, 'content');
      supportId = (await support.get('/api/auth/session')).json().user.id;
    });
    after(() => t.close());

    async function workflow(name: string, step: Record<string, unknown>): Promise<string> {
      const created = await owner.post('/api/automations', { name, definition: { triggers: [{ type: 'manual' }], start: 'task', steps: [{ id: 'task', kind: 'task', next: null, ...step }] } });
      assert.equal(created.statusCode, 201, created.body);
      const published = await owner.post(`/api/automations/${created.json().id}/publish`, {});
      assert.equal(published.statusCode, 200, published.body);
      return created.json().id;
    }

    /** Enrols a contact and lets the tick hand the task step to its job; returns the run. */
    async function enrol(workflowId: string, email: string): Promise<{ runId: string; contactId: string }> {
      const c = await owner.post('/api/contacts', { email, name: 'Ada Lovelace' });
      assert.equal(c.statusCode, 201, c.body);
      const r = await owner.post(`/api/automations/${workflowId}/enrol`, { contactIds: [c.json().id] });
      assert.deepEqual(r.json(), { entered: 1, refused: 0 });
      await t.app.automation.engine.tick();
      const runs = (await owner.get(`/api/automations/${workflowId}/runs`)).json().runs as { id: string; contactId: string }[];
      return { runId: runs.find((x) => x.contactId === c.json().id)!.id, contactId: c.json().id };
    }

    const taskRows = (runId: string) => t.app.database.execute<{ id: string; title: string; source_key: string }>(`select id, title, source_key from tasks where source_key like $1`, [`automation:${runId}:%`]);

    it('creates one task for the role even when the step job runs twice at once; it is in My day with the automation as actor', async () => {
      const id = await workflow('Check in', { role: 'support', title: 'Check in with {{ contact.email }}', notes: 'They bought {{ contact.first_name }} a course', subject: 'contact' });
      const { runId, contactId } = await enrol(id, 'ada@steps.test');
      // The tick left the step to a job: nothing made yet.
      assert.equal((await taskRows(runId)).rows.length, 0);
      // Two deliveries of the same job (a retry after a lost acknowledgement, a second worker).
      await Promise.all([t.app.automation.engine.runStep(runId, 1), t.app.automation.engine.runStep(runId, 1)]);
      const rows = (await taskRows(runId)).rows;
      assert.equal(rows.length, 1, 'one task');
      assert.equal(rows[0]!.title, 'Check in with ada@steps.test');
      const created = await t.app.db.select().from(events).where(and(eq(events.type, 'task.created'), eq(events.subjectId, rows[0]!.id)));
      assert.equal(created.length, 1, 'one task.created');
      assert.equal(created[0]!.actorKind, 'automation');
      assert.equal(created[0]!.actorId, id);
      const run = (await owner.get(`/api/automation-runs/${runId}`)).json();
      assert.equal(run.run.state, 'done');
      assert.equal(run.steps.length, 1);

      const day = (await support.get('/api/tasks/my-day')).json();
      const occ = day.due.find((o: { taskId: string }) => o.taskId === rows[0]!.id);
      assert.ok(occ, "in support's My day today");
      assert.equal(occ.notes, 'They bought Ada a course');
      assert.deepEqual(occ.subject, { type: 'contact', id: contactId, label: 'Ada Lovelace <ada@steps.test>' });
      assert.equal(occ.dueAt, '2026-06-01T17:00:00.000Z', '17:00 in the brand zone (UTC) by default');
      assert.equal((await content.get('/api/tasks/my-day')).json().due.some((o: { taskId: string }) => o.taskId === rows[0]!.id), false, 'not in another role');
      // The owner sees it among the tasks while it is open.
      assert.ok((await owner.get('/api/tasks')).json().tasks.some((x: { id: string }) => x.id === rows[0]!.id));
    });

    it('a step re-run after its run lost track (same run and seq) returns the task made the first time', async () => {
      const id = await workflow('Replay', { role: 'support', title: 'Replay {{ contact.email }}' });
      const { runId } = await enrol(id, 'replay@steps.test');
      await t.app.automation.engine.runStep(runId, 1);
      assert.equal((await taskRows(runId)).rows.length, 1);
      // As if the run's own rows were lost while the task stayed: the same (run, seq) again.
      await t.app.database.execute(`delete from automation_steps where run_id = $1`, [runId]);
      await t.app.database.execute(`update automation_runs set state = 'active', seq = 0, step_id = 'task', ended_at = null, end_reason = null where id = $1`, [runId]);
      await t.app.automation.engine.runStep(runId, 1);
      assert.equal((await taskRows(runId)).rows.length, 1, 'still one task');
      const steps = (await owner.get(`/api/automation-runs/${runId}`)).json().steps as { detail: string }[];
      assert.match(steps[0]!.detail, /already made/);
      const all = await t.app.db.select().from(events).where(and(eq(events.type, 'task.created'), eq(events.actorId, id)));
      assert.equal(all.length, 1);
    });

    it('createOneOff called twice with one key, in two transactions at once, makes one task', async () => {
      const actor = { kind: 'automation', id: '00000000-0000-4000-8000-000000000001' } as const;
      const input = { key: 'automation:test:1', title: 'Concurrent', assignee: { role: 'support' as const }, dueInDays: 0 };
      const results = await Promise.all([0, 1].map(() => t.app.database.transaction((tx) => t.app.tasks.createOneOffInTx(tx, input, actor))));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(results[0]!.taskId, results[1]!.taskId);
      const rows = await t.app.database.execute<{ n: number }>(`select count(*)::int as n from tasks where source_key = 'automation:test:1'`);
      assert.equal(rows.rows[0]!.n, 1);
    });

    it('a task for one person, due in two days, with an SOP: theirs on its day, with the checklist', async () => {
      const sop = await owner.post('/api/sops', { title: 'Call back', body: '- [ ] Read the order\n- [ ] Call\n', role: 'support' });
      assert.equal(sop.statusCode, 201, sop.body);
      const id = await workflow('Later', { role: 'support', userId: supportId, title: 'Call {{ contact.email }}', dueInDays: 2, dueTime: '10:00', sopId: sop.json().id });
      const { runId } = await enrol(id, 'later@steps.test');
      await t.app.automation.engine.runStep(runId, 1);
      const [task] = (await taskRows(runId)).rows;
      assert.ok(task);
      const mine = () => support.get('/api/tasks/my-day').then((r) => r.json().due.find((o: { taskId: string }) => o.taskId === task!.id));
      assert.equal(await mine(), undefined, 'not due today');
      clock.set('2026-06-03T07:00:00Z');
      await support.login('support@example.com', 'support password 123');
      await t.app.tasks.createDueOccurrences();
      const occ = await mine();
      assert.ok(occ, 'due on the 3rd');
      assert.equal(occ.dueOn, '2026-06-03');
      assert.equal(occ.assignee.userId, supportId);
      assert.deepEqual(occ.checklist.map((i: { text: string }) => i.text), ['Read the order', 'Call']);
      await owner.login(OWNER.email, OWNER.password);
      await content.login('content@example.com', 'content password 123');
    });

    it('a step for someone who left the team goes to the role they were chosen from', async () => {
      const id = await workflow('Gone', { role: 'content', userId: '00000000-0000-4000-8000-00000000dead', title: 'Orphan' });
      const { runId } = await enrol(id, 'gone@steps.test');
      await t.app.automation.engine.runStep(runId, 1);
      const [task] = (await taskRows(runId)).rows;
      const rows = await t.app.database.execute<{ assignee_role: string; assignee_user_id: string | null }>(`select assignee_role, assignee_user_id from tasks where id = $1`, [task!.id]);
      assert.deepEqual(rows.rows[0], { assignee_role: 'content', assignee_user_id: null });
      assert.ok((await content.get('/api/tasks/my-day')).json().due.some((o: { taskId: string }) => o.taskId === task!.id));
    });
  });
}

// The step's task can be about a picked course, post or product. Whoever edits workflows picks it
// through the automation module's own search (marketing may; it does not manage tasks), a picked
// one that is gone stops publishing, and one deleted after publishing leaves the task about the
// contact, saying what was meant.
for (const backend of backends()) {
  describe(`automation task step about a course, post or product [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let marketing: Client;
    let content: Client;
    let support: Client;
    const ids: Record<string, string> = {};

    before(async () => {
      t = await createTestApp(backend, { clock: new ManualClock('2026-06-01T08:00:00Z') });
      owner = await setupOwner(t);
      marketing = await addMember(t, owner, 'marketing');
      content = await addMember(t, owner, 'content');
      support = await addMember(t, owner, 'support');
      const course = await owner.post('/api/learning/courses', { title: 'Glazing 101' });
      assert.equal(course.statusCode, 201, course.body);
      ids.course = course.json().id;
      const post = await owner.post('/api/posts', { content: { title: 'Why glazes crawl', excerpt: 'What makes a glaze crawl away from the pot, and how to stop it.', html: '<p>Dust and oil.</p>', tags: [] } });
      assert.equal(post.statusCode, 201, post.body);
      ids.post = post.json().id;
      const product = await owner.post('/api/products', { slug: 'glaze-kit', kind: 'download', name: 'Glaze recipe kit' });
      assert.equal(product.statusCode, 201, product.body);
      ids.product = product.json().id;
    });
    after(() => t.close());

    const draft = (step: Record<string, unknown>) => ({ triggers: [{ type: 'manual' }], start: 'task', steps: [{ id: 'task', kind: 'task', role: 'support', title: 'Follow up with {{ contact.email }}', next: null, ...step }] });

    async function runOnce(who: Client, workflowId: string, email: string): Promise<{ runId: string; contactId: string }> {
      const c = await who.post('/api/contacts', { email, name: 'Bea Potter' });
      assert.equal(c.statusCode, 201, c.body);
      assert.deepEqual((await who.post(`/api/automations/${workflowId}/enrol`, { contactIds: [c.json().id] })).json(), { entered: 1, refused: 0 });
      await t.app.automation.engine.tick();
      const run = ((await who.get(`/api/automations/${workflowId}/runs`)).json().runs as { id: string; contactId: string }[]).find((r) => r.contactId === c.json().id)!;
      await t.app.automation.engine.runStep(run.id, 1);
      return { runId: run.id, contactId: c.json().id };
    }

    async function taskOf(runId: string) {
      const rows = await t.app.database.execute<{ id: string; subject_type: string; subject_id: string; subject_label: string; notes: string }>(`select id, subject_type, subject_id, subject_label, notes from tasks where source_key = $1`, [`automation:${runId}:1`]);
      assert.equal(rows.rows.length, 1, 'one task');
      return rows.rows[0]!;
    }

    it('marketing, which edits workflows but not tasks, searches titles through the workflow editor; other roles may not', async () => {
      const res = await marketing.get('/api/automations/task-subjects?q=glaz');
      assert.equal(res.statusCode, 200, res.body);
      // Titles and ids of courses, posts and products: nothing else of them.
      assert.deepEqual(res.json().subjects, [
        { type: 'product', id: ids.product, label: 'Glaze recipe kit' },
        { type: 'course', id: ids.course, label: 'Glazing 101' },
        { type: 'post', id: ids.post, label: 'Why glazes crawl' },
      ]);
      assert.deepEqual((await marketing.get('/api/automations/task-subjects?q=glaz&type=post')).json().subjects.map((s: { id: string }) => s.id), [ids.post]);
      assert.equal((await marketing.get('/api/automations/task-subjects?q=glaz&limit=1')).json().subjects.length, 1);
      assert.equal((await marketing.get('/api/automations/task-subjects?type=contact')).statusCode, 400);
      assert.equal((await marketing.get(`/api/automations/task-subjects?q=${'x'.repeat(201)}`)).statusCode, 400);
      // The task managers' search stays theirs.
      assert.equal((await marketing.get('/api/tasks/subjects?q=glaz')).statusCode, 403);
      for (const c of [content, support]) assert.equal((await c.get('/api/automations/task-subjects?q=glaz')).statusCode, 403);
      assert.equal((await t.server.inject({ method: 'GET', url: '/api/automations/task-subjects?q=glaz' })).statusCode, 401);
    });

    it('a step about a picked product makes the task about that product, with the automation as actor', async () => {
      const [product] = (await marketing.get('/api/automations/task-subjects?q=recipe&type=product')).json().subjects;
      const created = await marketing.post('/api/automations', { name: 'Kit buyers', definition: draft({ subject: product }) });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id;
      assert.deepEqual((await marketing.get(`/api/automations/${id}`)).json().problems, []);
      assert.equal((await marketing.post(`/api/automations/${id}/publish`, {})).statusCode, 200);
      const { runId } = await runOnce(marketing, id, 'bea@subjects.test');
      const task = await taskOf(runId);
      assert.deepEqual([task.subject_type, task.subject_id, task.subject_label], ['product', ids.product, 'Glaze recipe kit']);
      const occ = (await support.get('/api/tasks/my-day')).json().due.find((o: { taskId: string }) => o.taskId === task.id);
      assert.deepEqual(occ.subject, { type: 'product', id: ids.product, label: 'Glaze recipe kit' });
      const [event] = await t.app.db.select().from(events).where(and(eq(events.type, 'task.created'), eq(events.subjectId, task.id)));
      assert.equal(event!.actorKind, 'automation');
      assert.equal(event!.actorId, id);
    });

    it('a picked product archived since, or a kind a task cannot be about, is a problem and publishing refuses', async () => {
      const kit = await owner.post('/api/products', { slug: 'old-kit', kind: 'download', name: 'Old kit' });
      const created = await marketing.post('/api/automations', { name: 'Old kit buyers', definition: draft({ subject: { type: 'product', id: kit.json().id, label: 'Old kit' } }) });
      const id = created.json().id;
      assert.deepEqual((await marketing.get(`/api/automations/${id}`)).json().problems, []);
      assert.equal((await owner.patch(`/api/products/${kit.json().id}`, { status: 'archived' })).statusCode, 200);
      const gone = [{ stepId: 'task', message: '"task": the product “Old kit” its task is about no longer exists; pick another, or the contact in the run' }];
      assert.deepEqual((await marketing.get(`/api/automations/${id}`)).json().problems, gone);
      const refused = await marketing.post(`/api/automations/${id}/publish`, {});
      assert.equal(refused.statusCode, 400, refused.body);
      assert.deepEqual(refused.json().error.details.problems, gone);
      assert.equal((await marketing.get(`/api/automations/${id}`)).json().status, 'draft', 'not published');
      // A made-up id of a real kind, and a kind the picker does not offer.
      const saved = await marketing.patch(`/api/automations/${id}`, { definition: draft({ subject: { type: 'course', id: '00000000-0000-4000-8000-00000000beef', label: 'Ghost course' } }) });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.match((await marketing.get(`/api/automations/${id}`)).json().problems[0].message, /the course “Ghost course” its task is about no longer exists/);
      await marketing.patch(`/api/automations/${id}`, { definition: draft({ subject: { type: 'page', id: 'home', label: 'Home' } }) });
      assert.deepEqual((await marketing.get(`/api/automations/${id}`)).json().problems, [{ stepId: 'task', message: '"task": a task can be about the contact in the run, a course, a blog post or a product, not a "page"' }]);
      assert.equal((await marketing.post(`/api/automations/${id}/publish`, {})).statusCode, 400);
      // Back to the contact in the run: it publishes.
      await marketing.patch(`/api/automations/${id}`, { definition: draft({ subject: 'contact' }) });
      assert.equal((await marketing.post(`/api/automations/${id}/publish`, {})).statusCode, 200);
    });

    it('a post deleted after publishing: the run still makes the task, about the contact, and says which post was meant', async () => {
      const post = await owner.post('/api/posts', { content: { title: 'Kiln logs', excerpt: 'Keeping a log of every firing, and what it tells you later.', html: '<p>Cone 6.</p>', tags: [] } });
      assert.equal(post.statusCode, 201, post.body);
      const created = await marketing.post('/api/automations', { name: 'Kiln readers', definition: draft({ subject: { type: 'post', id: post.json().id, label: 'Kiln logs' }, notes: 'Ask {{ contact.first_name }} about it' }) });
      const id = created.json().id;
      assert.equal((await marketing.post(`/api/automations/${id}/publish`, {})).statusCode, 200);
      assert.equal((await owner.delete(`/api/posts/${post.json().id}`)).statusCode, 204);
      const { runId, contactId } = await runOnce(marketing, id, 'cleo@subjects.test');
      const task = await taskOf(runId);
      assert.deepEqual([task.subject_type, task.subject_id, task.subject_label], ['contact', contactId, 'Bea Potter <cleo@subjects.test>']);
      assert.equal(task.notes, 'Ask Bea about it\n\nThe workflow named the blog post “Kiln logs”, which no longer exists: this task is about the contact instead.');
      const run = (await marketing.get(`/api/automation-runs/${runId}`)).json();
      assert.equal(run.run.state, 'done', 'the run is not failed');
      assert.equal(run.steps[0].status, 'done');
      assert.match(run.steps[0].detail, /blog post “Kiln logs”, which no longer exists/);
      // The draft, opened again, names the problem for the next version.
      assert.match((await marketing.get(`/api/automations/${id}`)).json().problems[0]?.message ?? '', /the blog post “Kiln logs” its task is about no longer exists/);
    });
  });
}
