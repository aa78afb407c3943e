// The batched email step: the tick queues many runs' emails at once (the mail module's
// queueMany) and the mail module's batch job sends them over the SMTP pool. Two ticks at once,
// and two copies of every send job at once, still leave one message per contact at a real SMTP
// sink; contacts who unsubscribed or bounced meanwhile are skipped with the reason.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestApp, setupOwner, type Client, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';

const N = 120;

for (const backend of backends()) {
  describe(`automation: batched email step [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    let sink: SmtpSink;

    before(async () => {
      sink = await startSmtpSink();
      // No workers: the test runs the tick and the send jobs itself, twice at once.
      t = await createTestApp(backend, { config: { SMTP_URL: sink.url, MAIL_FROM: 'Shop <news@shop.example>', MAIL_RATE_PER_SECOND: '0' } });
      owner = await setupOwner(t);
    });
    after(async () => {
      await t.close();
      await sink.close();
    });

    it('two ticks and two copies of each send job at once: one message per contact, skips with their reason', async () => {
      const mark = (await owner.post('/api/tags', { name: 'mailed' })).json().id as string;
      const created = await owner.post('/api/automations', {
        name: 'Batch',
        definition: {
          triggers: [{ type: 'manual' }],
          start: 'mail',
          steps: [
            { id: 'mail', kind: 'email', subject: 'Hi {{ contact.first_name }}', body: 'Hello {{ contact.name }}, see https://shop.example/guide', marketing: true, next: 'mark' },
            { id: 'mark', kind: 'tag', action: 'add', tagId: mark, next: null },
          ],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const wf = created.json().id as string;
      assert.equal((await owner.post(`/api/automations/${wf}/publish`, {})).statusCode, 200);
      const ids: string[] = [];
      for (let i = 0; i < N; i++) {
        const res = await owner.post('/api/contacts', { email: `p${i}@batch.test`, name: `Person${i} Batch` });
        assert.equal(res.statusCode, 201, res.body);
        ids.push(res.json().id);
      }
      const actor = { kind: 'system' as const };
      await t.app.automation.enrol(wf, { contactIds: ids, requestKey: 'batch' }, actor);
      // Mid-run, before the email step: one unsubscribes, one address hard-bounces (suppressed).
      assert.equal((await owner.patch(`/api/contacts/${ids[0]}`, { status: 'unsubscribed' })).statusCode, 200);
      await t.app.mail.recordBounces([{ email: 'p1@batch.test', kind: 'hard', provider: 'smtp', detail: '550 no such user' }]);

      // Two ticks at once, until nothing is left: skip-locked claims keep them apart.
      for (let i = 0; i < 20; i++) {
        const [a, b] = await Promise.all([t.app.automation.engine.tick(), t.app.automation.engine.tick()]);
        if (a + b === 0) break;
      }
      const steps = await t.app.database.execute<{ status: string; detail: string; n: number }>(
        `select s.status, min(s.detail) as detail, count(*)::int as n from automation_steps s where s.workflow_id = $1 and s.step_id = 'mail' group by s.status order by s.status`,
        [wf],
      );
      const byStatus = Object.fromEntries(steps.rows.map((r) => [r.status, r]));
      assert.equal(byStatus.done?.n, N - 2, 'every other contact has the email queued, once');
      assert.equal(byStatus.skipped?.n, 2);
      const reasons = await t.app.database.execute<{ detail: string }>(`select detail from automation_steps where workflow_id = $1 and status = 'skipped' order by detail`, [wf]);
      assert.deepEqual(
        reasons.rows.map((r) => r.detail),
        ['not sent: the address bounced', 'not sent: the contact unsubscribed'],
      );
      const done = await t.app.database.execute<{ n: number }>(`select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'done'`, [wf]);
      assert.equal(done.rows[0]!.n, N, 'the runs went on to the tag after the email (skipped or not) and ended');

      // The send jobs the ticks queued: a hundred messages each, no job per message.
      const jobs = await t.app.database.execute<{ data: { messageIds: string[] } }>(`select data from pgboss.job where name = 'mail.send-batch'`);
      assert.equal(jobs.rows.reduce((n, j) => n + j.data.messageIds.length, 0), N - 2);
      assert.ok(jobs.rows.every((j) => j.data.messageIds.length <= 100));
      const single = await t.app.database.execute<{ n: number }>(`select count(*)::int as n from pgboss.job where name = 'mail.send-transactional'`);
      assert.equal(single.rows[0]!.n, 0, 'no per-message job');
      // Each job delivered twice at once (a duplicate job), then once more as a retry.
      for (const j of jobs.rows) {
        await Promise.all([t.app.mail.deliverMany(j.data.messageIds, { retrying: false, lastAttempt: false }), t.app.mail.deliverMany(j.data.messageIds, { retrying: false, lastAttempt: false })]);
        await t.app.mail.deliverMany(j.data.messageIds, { retrying: true, lastAttempt: false });
      }

      const got = sink.messages.filter((m) => m.to.endsWith('@batch.test'));
      assert.equal(got.length, N - 2, 'one message per contact at the sink');
      assert.equal(new Set(got.map((m) => m.to)).size, N - 2);
      assert.ok(!got.some((m) => m.to === 'p0@batch.test' || m.to === 'p1@batch.test'), 'nothing to the skipped contacts');
      // The Message-ID comes from the run and the step's seq.
      const runs = await t.app.database.execute<{ id: string }>(`select id from automation_runs where workflow_id = $1`, [wf]);
      const expected = new Set(runs.rows.map((r) => `<a${r.id.replace(/-/g, '')}.1@shop.example>`));
      assert.ok(got.every((m) => expected.has(m.messageId)), `Message-IDs from (run, seq): ${got[0]?.messageId}`);
      // Personalised, marketing headers, tracked links.
      const p5 = got.find((m) => m.to === 'p5@batch.test')!;
      assert.match(p5.raw ?? '', /Subject: Hi Person5/);
      assert.match(p5.raw ?? '', /List-Unsubscribe-Post: List-Unsubscribe=One-Click/);
      // Stored as the body only and framed in the brand when sent and when shown: the same HTML.
      const html = (await sink.parse(p5)).html as string;
      assert.match(html, /^<!doctype html>/i, 'sent in the brand frame');
      assert.match(html, /Hello Person5 Batch/);
      const stored = await t.app.database.execute<{ id: string; html: string; brand_frame: boolean }>(`select id, html, brand_frame from mail_messages where to_address = 'p5@batch.test'`);
      assert.equal(stored.rows[0]!.brand_frame, true);
      assert.doesNotMatch(stored.rows[0]!.html, /<!doctype/i, 'the frame is not stored with each message');
      const shown = await owner.get(`/api/outbox/${stored.rows[0]!.id}`);
      assert.equal(shown.statusCode, 200, shown.body);
      assert.equal(shown.json().html, html, 'the outbox shows the message as sent');
      const sent = await t.app.database.execute<{ status: string; n: number }>(`select status, count(*)::int as n from mail_messages where tag = $1 group by status`, [`automation:${wf}`]);
      assert.deepEqual(sent.rows, [{ status: 'sent', n: N - 2 }]);
      const events = await t.app.database.execute<{ n: number }>(`select count(*)::int as n from events where type = 'email.sent' and data->>'tag' = $1`, [`automation:${wf}`]);
      assert.equal(events.rows[0]!.n, N - 2, 'one email.sent event per message');
    });

    it("a step's template gets no file system: the editor names the step, publishing refuses, and a stored one sends its text as written", async () => {
      const steps = (body: string) => [{ id: 'mail', kind: 'email', subject: 'Hello {{ contact.first_name }}', body, marketing: false, next: null }];
      const created = await owner.post('/api/automations', { name: 'Files', definition: { triggers: [{ type: 'manual' }], start: 'mail', steps: steps("Hi {% include 'package.json' %}") } });
      assert.equal(created.statusCode, 201, created.body);
      const wf = created.json().id as string;
      const shown = (await owner.get(`/api/automations/${wf}`)).json() as { problems: { stepId?: string; message: string }[] };
      assert.ok(shown.problems.some((p) => p.stepId === 'mail' && /template/.test(p.message) && /not available/.test(p.message)), JSON.stringify(shown.problems));
      const refused = await owner.post(`/api/automations/${wf}/publish`, {});
      assert.equal(refused.statusCode, 400, refused.body);
      assert.match(refused.body, /template/);

      // A version stored before this check (written here past the API): its text goes out as written, never a file.
      assert.equal((await owner.patch(`/api/automations/${wf}`, { name: 'Files', definition: { triggers: [{ type: 'manual' }], start: 'mail', steps: steps('Hi {{ contact.first_name }}') } })).statusCode, 200);
      assert.equal((await owner.post(`/api/automations/${wf}/publish`, {})).statusCode, 200);
      await t.app.database.execute(
        `update automation_versions set definition = jsonb_set(definition, '{steps,0,body}', to_jsonb($2::text)) where workflow_id = $1`,
        [wf, "Hi {% render 'package.json' %} and {% include '/etc/hostname' %}"],
      );
      const contact = (await owner.post('/api/contacts', { email: 'files@batch.test', name: 'Fiona Files' })).json().id as string;
      await t.app.automation.enrol(wf, { contactIds: [contact], requestKey: 'files' }, { kind: 'system' });
      while ((await t.app.automation.engine.tick()) > 0);
      const queued = await t.app.database.execute<{ subject: string; text: string }>(`select subject, text from mail_messages where tag = $1`, [`automation:${wf}`]);
      assert.equal(queued.rows.length, 1);
      assert.equal(queued.rows[0]!.subject, 'Hello Fiona');
      assert.match(queued.rows[0]!.text, /\{% render 'package\.json' %\}/, 'the text as written');
      assert.doesNotMatch(queued.rows[0]!.text, /"name": "onehour"|"version"/, "nothing of the server's files");
    });
  });
}
