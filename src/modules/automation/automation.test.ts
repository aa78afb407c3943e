import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { addMember, backends, createTestApp, setupOwner, waitFor, type Client, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { problemsOf, definitionSchema, type Definition } from './definition.js';
import { isPrivateAddress, nextWeekdayTime } from './engine.js';

const DAY = 86_400_000;

describe('automation definitions', () => {
  it('refuses a loop without a wait at publish, and accepts one with a wait', () => {
    const loop = definitionSchema.parse({
      triggers: [{ type: 'manual' }],
      start: 'a',
      steps: [
        { id: 'a', kind: 'set_field', field: 'x', value: '1', next: 'b' },
        { id: 'b', kind: 'condition', condition: { test: 'field_equals', field: 'x', value: '1' }, yes: 'a', no: null },
      ],
    });
    assert.match(problemsOf(loop).map((p) => p.message).join('\n'), /loop without a wait/);
    const waited = definitionSchema.parse({ ...loop, steps: [...loop.steps.slice(0, 1), { id: 'w', kind: 'wait', minutes: 60, next: 'b' }, { ...loop.steps[1]!, yes: 'w' }] });
    waited.steps[0] = { ...waited.steps[0]!, next: 'w' } as Definition['steps'][number];
    assert.deepEqual(problemsOf(waited), []);
  });

  it('names dangling steps, missing triggers and splits that do not add up', () => {
    const def = definitionSchema.parse({
      triggers: [],
      start: 's',
      steps: [{ id: 's', kind: 'split', branches: [{ percent: 50, next: 'nowhere' }, { percent: 40, next: null }] }],
    });
    const messages = problemsOf(def).map((p) => p.message).join('\n');
    assert.match(messages, /Add a trigger/);
    assert.match(messages, /"nowhere", which does not exist/);
    assert.match(messages, /add up to 100/);
  });

  it('computes the next weekday and time in the contact’s time zone', () => {
    // Monday 2026-01-05 09:00 UTC; Tuesday 08:30 in New York (EST, UTC-5) is 13:30 UTC.
    const at = nextWeekdayTime(new Date('2026-01-05T09:00:00Z'), 2, '08:30', 'America/New_York');
    assert.equal(at.toISOString(), '2026-01-06T13:30:00.000Z');
    // Monday 10:00 in Berlin (UTC+1) has passed at 09:30 UTC → next Monday.
    assert.equal(nextWeekdayTime(new Date('2026-01-05T09:30:00Z'), 1, '10:00', 'Europe/Berlin').toISOString(), '2026-01-12T09:00:00.000Z');
  });

  it('knows private and loopback addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '172.16.0.9', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1']) assert.ok(isPrivateAddress(a), a);
    for (const a of ['93.184.216.34', '2606:4700::1111']) assert.ok(!isPrivateAddress(a), a);
  });
});

for (const backend of backends()) {
  describe(`automation engine [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let sink: SmtpSink;
    let hooks: Server;
    let hookPort = 0;
    const received: { id: string; body: string; headers: Record<string, string> }[] = [];
    let hookStatus = 200;

    before(async () => {
      sink = await startSmtpSink();
      hooks = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push({ id: String(req.headers['webhook-id']), body, headers: req.headers as Record<string, string> });
          res.statusCode = hookStatus;
          res.end();
        });
      });
      await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
      hookPort = (hooks.address() as { port: number }).port;
      t = await createTestApp(backend, {
        startWorkers: true,
        config: { SMTP_URL: sink.url, MAIL_FROM: 'Shop <news@shop.example>', MAIL_RATE_PER_SECOND: '0', AUTOMATION_WEBHOOKS_ALLOW_PRIVATE: '1' },
      });
      owner = await setupOwner(t);
    });
    after(async () => {
      await t.close();
      await sink.close();
      await new Promise((r) => hooks.close(r));
    });

    async function contact(email: string, extra: Record<string, unknown> = {}): Promise<string> {
      const res = await owner.post('/api/contacts', { email, name: 'Ada Lovelace', ...extra });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id;
    }
    async function tag(name: string): Promise<string> {
      const res = await owner.post('/api/tags', { name });
      assert.ok(res.statusCode === 201 || res.statusCode === 200, res.body);
      return res.json().id;
    }
    async function workflow(name: string, definition: unknown): Promise<string> {
      const created = await owner.post('/api/automations', { name, definition });
      assert.equal(created.statusCode, 201, created.body);
      const published = await owner.post(`/api/automations/${created.json().id}/publish`, {});
      assert.equal(published.statusCode, 200, published.body);
      return created.json().id;
    }
    const runsOf = async (id: string) => (await owner.get(`/api/automations/${id}/runs`)).json().runs as { id: string; state: string; endReason: string | null; contactId: string }[];
    const stepsOf = async (runId: string) => (await owner.get(`/api/automation-runs/${runId}`)).json().steps as { stepId: string; status: string; detail: string }[];
    async function runIn(id: string, contactId: string, state: string) {
      return waitFor(async () => (await runsOf(id)).find((r) => r.contactId === contactId && r.state === state), { what: `run ${state}` });
    }
    async function wake() {
      await t.app.automation.engine.wakeDue();
    }

    it('runs tag → wait → condition → email → tag on the virtual clock, each step once, as automation:<id>', async () => {
      const trigger = await tag('wants-course');
      const buyer = await tag('buyer');
      const done = await tag('nurtured');
      const id = await workflow('Nurture', {
        triggers: [{ type: 'tag.added', tagId: trigger }],
        start: 'wait',
        steps: [
          { id: 'wait', kind: 'wait', minutes: 1440, next: 'check' },
          { id: 'check', kind: 'condition', condition: { test: 'has_tag', tagId: buyer }, yes: null, no: 'mail' },
          { id: 'mail', kind: 'email', subject: 'Hi {{ contact.first_name }}', body: 'Here is the course.', marketing: true, next: 'mark' },
          { id: 'mark', kind: 'tag', action: 'add', tagId: done, next: null },
        ],
      });
      const ada = await contact('ada@nurture.test');
      const bob = await contact('bob@nurture.test');
      await owner.post(`/api/contacts/${ada}/tags`, { tagIds: [trigger] });
      await owner.post(`/api/contacts/${bob}/tags`, { tagIds: [trigger, buyer] });
      await runIn(id, ada, 'waiting');
      await runIn(id, bob, 'waiting');
      await wake();
      assert.equal((await runsOf(id)).filter((r) => r.state === 'waiting').length, 2, 'not before a day has passed');
      t.clock.advance(DAY + 1000);
      await wake();
      const adaRun = await runIn(id, ada, 'done');
      await runIn(id, bob, 'done');
      await waitFor(async () => sink.messages.some((m) => m.to === 'ada@nurture.test'), { what: 'mail at the sink' });
      assert.ok(!sink.messages.some((m) => m.to === 'bob@nurture.test'), 'the buyer took the yes branch');
      const mail = sink.messages.find((m) => m.to === 'ada@nurture.test')!;
      assert.match(mail.messageId, new RegExp(`^<a${adaRun.id.replace(/-/g, '')}\\.3@`), 'Message-ID derived from (run, seq)');
      assert.match(mail.raw, /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
      assert.match(mail.raw, /Subject: Hi Ada/);
      assert.deepEqual((await stepsOf(adaRun.id)).map((s) => `${s.stepId}:${s.status}`), ['wait:done', 'check:done', 'mail:done', 'mark:done']);
      const tagged = await t.app.events.list(t.app.db, { subjectId: ada, type: 'contact.tagged' });
      const byAutomation = tagged.filter((e) => e.data.tagId === done);
      assert.equal(byAutomation.length, 1);
      assert.equal(byAutomation[0]!.actorKind, 'automation');
      assert.equal(byAutomation[0]!.actorId, id);
      // Per-step counts.
      const detail = (await owner.get(`/api/automations/${id}`)).json();
      const check = detail.steps.find((s: { stepId: string }) => s.stepId === 'check');
      assert.equal(check.done, 2);
      assert.equal(detail.steps.find((s: { stepId: string }) => s.stepId === 'mail').done, 1);
    });

    it('a duplicate or replayed step job does nothing the second time', async () => {
      const id = await workflow('Once', { triggers: [{ type: 'manual' }], start: 'mail', steps: [{ id: 'mail', kind: 'email', subject: 'Once only', body: 'x', marketing: false, next: null }] });
      const c = await contact('once@dup.test');
      const r = await owner.post(`/api/automations/${id}/enrol`, { contactIds: [c] });
      assert.deepEqual(r.json(), { entered: 1, refused: 0 });
      const run = await runIn(id, c, 'done');
      await t.app.automation.engine.runStep(run.id, 1);
      await t.app.automation.engine.runStep(run.id, 1);
      await waitFor(async () => sink.messages.some((m) => m.to === 'once@dup.test'), { what: 'mail' });
      const queued = await t.app.database.execute<{ n: number }>(`select count(*)::int as n from mail_messages where to_address = 'once@dup.test'`);
      assert.equal(queued.rows[0]!.n, 1);
      assert.equal((await stepsOf(run.id)).length, 1);
    });

    it('steps without a wait run in the tick, with no job per step; a chain cut by a crash resumes at the next step, none twice', async () => {
      const [a, b] = [await tag('chain-a'), await tag('chain-b')];
      const id = await workflow('Chain', {
        triggers: [{ type: 'manual' }],
        start: 'a',
        steps: [
          { id: 'a', kind: 'tag', action: 'add', tagId: a, next: 'b' },
          { id: 'b', kind: 'tag', action: 'add', tagId: b, next: 'end' },
          { id: 'end', kind: 'end' },
        ],
      });
      const c = await contact('chain@crash.test');
      await owner.post(`/api/automations/${id}/enrol`, { contactIds: [c] });
      const run = await runIn(id, c, 'done');
      const jobs = await t.app.database.execute<{ n: number }>(`select count(*)::int as n from pgboss.job where name = 'automation.step' and data->>'runId' = $1`, [run.id]);
      assert.equal(jobs.rows[0]!.n, 0, 'tags and the end run in the tick: no step job for this run');
      assert.deepEqual((await stepsOf(run.id)).map((s) => s.stepId), ['a', 'b', 'end']);
      // As if the worker died after committing step 1: the run is active at seq 1, no job queued.
      await t.app.database.execute(`delete from automation_steps where run_id = $1 and seq > 1`, [run.id]);
      await t.app.database.execute(`update automation_runs set state = 'active', seq = 1, step_id = 'b', ended_at = null, end_reason = null where id = $1`, [run.id]);
      await t.app.automation.engine.runStep(run.id, 1, 1); // the expired job, retried
      await t.app.automation.engine.runStep(run.id, 1, 1); // and a duplicate of it
      assert.deepEqual((await stepsOf(run.id)).map((s) => s.stepId), ['a', 'b', 'end']);
      assert.equal((await runsOf(id)).find((r) => r.id === run.id)?.state, 'done');
    });

    it('re-entry once, and the hard cap of 10 entries a day for "always"', async () => {
      const once = await workflow('Once ever', { triggers: [{ type: 'manual' }], start: 'end', steps: [{ id: 'end', kind: 'end' }] });
      const always = await workflow('Always', { triggers: [{ type: 'manual' }], start: 'end', steps: [{ id: 'end', kind: 'end' }], reentry: 'always' });
      const c = await contact('again@reentry.test');
      assert.equal((await owner.post(`/api/automations/${once}/enrol`, { contactIds: [c] })).json().entered, 1);
      assert.equal((await owner.post(`/api/automations/${once}/enrol`, { contactIds: [c] })).json().refused, 1);
      let entered = 0;
      for (let i = 0; i < 12; i++) entered += (await owner.post(`/api/automations/${always}/enrol`, { contactIds: [c] })).json().entered;
      assert.equal(entered, 10);
      t.clock.advance(DAY + 1000);
      assert.equal((await owner.post(`/api/automations/${always}/enrol`, { contactIds: [c] })).json().entered, 1, 'a day later the cap has room again');
    });

    it('skips email to a contact who unsubscribed mid-run, with the reason, and goes on', async () => {
      const after = await tag('after-skip');
      const id = await workflow('Skip', {
        triggers: [{ type: 'manual' }],
        start: 'wait',
        steps: [
          { id: 'wait', kind: 'wait', minutes: 60, next: 'mail' },
          { id: 'mail', kind: 'email', subject: 'News', body: 'x', marketing: true, next: 'mark' },
          { id: 'mark', kind: 'tag', action: 'add', tagId: after, next: null },
        ],
      });
      const c = await contact('leaver@skip.test');
      await owner.post(`/api/automations/${id}/enrol`, { contactIds: [c] });
      await runIn(id, c, 'waiting');
      assert.equal((await owner.patch(`/api/contacts/${c}`, { status: 'unsubscribed' })).statusCode, 200);
      t.clock.advance(61 * 60_000);
      await wake();
      const run = await runIn(id, c, 'done');
      const steps = await stepsOf(run.id);
      assert.equal(steps.find((s) => s.stepId === 'mail')!.status, 'skipped');
      assert.match(steps.find((s) => s.stepId === 'mail')!.detail, /unsubscribed/);
      assert.equal(steps.find((s) => s.stepId === 'mark')!.status, 'done');
    });

    it('a goal ends the run when the contact buys; deleting a workflow ends its waiting runs', async () => {
      const goalTag = await tag('bought-course');
      const id = await workflow('Sales', {
        triggers: [{ type: 'manual' }],
        start: 'wait',
        steps: [
          { id: 'wait', kind: 'wait', minutes: 1440, next: 'pitch' },
          { id: 'pitch', kind: 'email', subject: 'Buy', body: 'x', marketing: false, next: null },
        ],
        goals: [{ id: 'bought', label: 'Bought the course', event: 'contact.tagged', tagId: goalTag, then: null }],
      });
      const a = await contact('goal@sales.test');
      const b = await contact('stays@sales.test');
      await owner.post(`/api/automations/${id}/enrol`, { contactIds: [a, b] });
      await runIn(id, a, 'waiting');
      await owner.post(`/api/contacts/${a}/tags`, { tagIds: [goalTag] });
      const exited = await runIn(id, a, 'exited');
      assert.match(exited.endReason!, /goal met: Bought the course/);
      assert.equal((await owner.delete(`/api/automations/${id}`)).json().ended, 1);
      const ended = (await t.app.automation.runs(id, {})).find((r) => r.contactId === b)!;
      assert.equal(ended.state, 'exited');
      assert.match(ended.endReason!, /workflow was deleted/);
    });

    it('wait for an event: the event branch, or the timeout branch', async () => {
      const signal = await tag('did-it');
      const yes = await tag('event-branch');
      const no = await tag('timeout-branch');
      const id = await workflow('Wait for it', {
        triggers: [{ type: 'manual' }],
        start: 'w',
        steps: [
          { id: 'w', kind: 'wait_event', event: 'contact.tagged', timeoutMinutes: 120, next: 'y', timeoutNext: 'n' },
          { id: 'y', kind: 'tag', action: 'add', tagId: yes, next: null },
          { id: 'n', kind: 'tag', action: 'add', tagId: no, next: null },
        ],
      });
      const fast = await contact('fast@event.test');
      const slow = await contact('slow@event.test');
      await owner.post(`/api/automations/${id}/enrol`, { contactIds: [fast, slow] });
      await runIn(id, fast, 'waiting');
      await runIn(id, slow, 'waiting');
      await owner.post(`/api/contacts/${fast}/tags`, { tagIds: [signal] });
      const fastRun = await runIn(id, fast, 'done');
      t.clock.advance(121 * 60_000);
      await wake();
      const slowRun = await runIn(id, slow, 'done');
      assert.deepEqual((await stepsOf(fastRun.id)).map((s) => s.stepId), ['w', 'y']);
      assert.deepEqual((await stepsOf(slowRun.id)).map((s) => s.stepId), ['w', 'n']);
    });

    it('a signed webhook with an idempotency key; a failing receiver fails the step, retry sends the same id', async () => {
      const id = await workflow('Hook', {
        triggers: [{ type: 'manual' }],
        start: 'hook',
        steps: [{ id: 'hook', kind: 'webhook', url: `http://127.0.0.1:${hookPort}/in`, next: null }],
      });
      hookStatus = 500;
      const c = await contact('hook@webhook.test');
      // Attempts come from pg-boss retries (with backoff): drive them here instead of waiting.
      await owner.post(`/api/automations/${id}/enrol`, { contactIds: [c] });
      const active = await runIn(id, c, 'active');
      for (let attempt = 1; attempt < 4; attempt++) await t.app.automation.engine.runStep(active.id, 1, attempt).catch(() => {});
      const failed = await runIn(id, c, 'failed');
      assert.match(failed.endReason!, /HTTP 500/);
      const ids = new Set(received.map((r) => r.id));
      assert.equal(ids.size, 1, 'every attempt carries the same webhook-id');
      hookStatus = 200;
      assert.equal((await owner.post(`/api/automation-runs/${failed.id}/retry`)).statusCode, 204);
      await runIn(id, c, 'done');
      const last = received.at(-1)!;
      const wh = new Webhook(t.app.automation.engine.webhookSecret);
      // The timestamp is the app clock's (virtual here), so check the signature at that time.
      assert.equal(last.headers['webhook-signature'], wh.sign(last.headers['webhook-id']!, new Date(Number(last.headers['webhook-timestamp']) * 1000), last.body));
      assert.equal(last.headers['idempotency-key'], last.headers['webhook-id']);
      assert.equal(JSON.parse(last.body).data.contactId, c);
    });

    it('a new version keeps running runs on theirs, or moves waiting ones; marketing can read, support cannot', async () => {
      const id = await workflow('Versions', { triggers: [{ type: 'manual' }], start: 'w', steps: [{ id: 'w', kind: 'wait', minutes: 60, next: 'e' }, { id: 'e', kind: 'end' }] });
      const c = await contact('v@versions.test');
      await owner.post(`/api/automations/${id}/enrol`, { contactIds: [c] });
      await runIn(id, c, 'waiting');
      const detail = (await owner.get(`/api/automations/${id}`)).json();
      await owner.patch(`/api/automations/${id}`, { definition: { ...detail.definition, reentry: 'always' } });
      const moved = await owner.post(`/api/automations/${id}/publish`, { waiting: 'move' });
      assert.deepEqual(moved.json(), { version: 2, moved: 1 });
      assert.equal((await t.app.automation.runs(id, {}))[0]!.version, 2);
      const support = await addMember(t, owner, 'support');
      assert.equal((await support.get('/api/automations')).statusCode, 403);
      const marketing = await addMember(t, owner, 'marketing');
      assert.equal((await marketing.get(`/api/automations/${id}`)).statusCode, 200);
    });

    it('the dry run says which steps the draft would take a contact through, and when, changing nothing', async () => {
      const c = await contact('dry@run.test');
      const id = await workflow('Dry run', {
        triggers: [{ type: 'manual' }],
        start: 'w',
        steps: [{ id: 'w', kind: 'wait', minutes: 1440, next: 'mail' }, { id: 'mail', kind: 'email', subject: 'Day two', body: 'Hi', marketing: false, next: null }],
      });
      const start = t.clock.now().getTime();
      const res = await owner.post(`/api/automations/${id}/dry-run`, { contactId: c });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        steps: [
          { stepId: 'w', kind: 'wait', at: new Date(start).toISOString(), what: 'waits 1440 minutes' },
          { stepId: 'mail', kind: 'email', at: new Date(start + DAY).toISOString(), what: 'sends "Day two" to dry@run.test' },
        ],
        problems: [],
      });
      assert.deepEqual(await runsOf(id), [], 'no run started');
    });
  });
}
