// Automation at scale (issue 12): N contacts (100 000 by default) enter a workflow through a tag
// trigger — wait one day → tag → A/B split → end — on PostgreSQL, with the workers in this
// process and the virtual clock advanced past the wait; then email workflows (tag trigger → wait
// a day → email → end, timed from the wake-up; and tag trigger → email → end, timed from the
// tagging) against the broadcast engine, all to the same local SMTP sink in the same run.
// Baseline in the same run (the machine is shared): the trigger subscriber's old way (one
// transaction per event) against the batched one, on the same number of events.
//
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/automation.ts scale [contacts=100000] [mails=2000] [budget-seconds=780]
//   (or bench/automation-scale.ts with the same arguments)
//
// Bounded: every phase waits at most its share of the budget and then reports the rate over
// what it finished (marked "stopped at the budget").
import os from 'node:os';
import pino from 'pino';
import { createApp, type App } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { openDatabase } from '../src/db/client.js';
import { createPgDatabase, testConfig } from '../test/support/harness.js';
import { startSmtpSink } from '../test/support/smtp-sink.js';
import { seedAudience, POSTAL } from '../src/modules/mail/test-helpers.js';

// Arguments after `scale` (bench/automation.ts hands over) or after the file name.
const args = process.argv.slice(process.argv[2] === 'scale' ? 3 : 2);
const N = Number(args[0] ?? 100_000);
const MAILS = Number(args[1] ?? 2000);
const BUDGET_MS = Number(args[2] ?? 780) * 1000;
type EventJob = Parameters<App['automation']['engine']['onEvent']>[0];
const BASELINE = Math.min(500, N);
/** The budget counts from the end of the baseline (reset below). */
let began = performance.now();
const system = { kind: 'system' } as const;
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const secs = (ms: number) => (ms / 1000).toFixed(1);

/** Waits for `check` to reach `target`, at most `shareMs` (and never past the whole budget). */
async function reach(check: () => Promise<number>, target: number, shareMs: number): Promise<{ got: number; ms: number; stopped: boolean }> {
  const start = performance.now();
  const end = Math.min(start + shareMs, began + BUDGET_MS);
  for (;;) {
    const got = await check();
    if (got >= target) return { got, ms: performance.now() - start, stopped: false };
    if (performance.now() > end) return { got, ms: performance.now() - start, stopped: true };
    await new Promise((r) => setTimeout(r, 250));
  }
}
const note = (r: { stopped: boolean }) => (r.stopped ? ' (stopped at the budget)' : '');
const count = async (app: App, sql: string, params: unknown[] = []) => Number((await app.database.execute<{ n: number }>(sql, params)).rows[0]!.n);

async function seed(app: App, n: number, domain: string): Promise<string[]> {
  const now = app.clock.now();
  const res = await app.database.execute<{ id: string }>(
    `insert into contacts (email, email_normalized, name, status, source, fields, created_at, updated_at)
     select 'c' || g || '@' || $2::text, 'c' || g || '@' || $2::text, 'Person ' || g, 'active', 'import', '{}'::jsonb, $1, $1
       from generate_series(1, $3::int) g returning id`,
    [now, domain, n],
  );
  return res.rows.map((r) => r.id);
}

async function workflow(app: App, name: string, definition: Record<string, unknown>): Promise<string> {
  const w = await app.automation.create({ name, definition }, system);
  await app.automation.publish(w.id, {}, system);
  return w.id;
}

/** Tags contacts 5 000 per transaction, as an import would: one contact.tagged event each. */
async function tagAll(app: App, ids: string[], tagId: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 5000) {
    await app.database.transaction((tx) => app.audience.tagManyInTx(tx, 'add', ids.slice(i, i + 5000).map((contactId) => ({ contactId, tagId, actor: system }))));
  }
}

const sink = await startSmtpSink({ keepRaw: false });
const created = await createPgDatabase();
const database = await openDatabase({ kind: 'pg', url: created.url }, { poolSize: 10 });
const clock = new ManualClock(new Date());
const app = await createApp({
  config: testConfig({ DATABASE_URL: created.url, SMTP_URL: sink.url, MAIL_FROM: 'Shop <news@shop.example>', MAIL_POSTAL_ADDRESS: POSTAL, MAIL_RATE_PER_SECOND: '0', JOB_POLL_SECONDS: '0.5', JOB_CONCURRENCY: '8' }),
  clock,
  database,
  log: pino({ level: 'warn' }),
});
console.log(`automation at scale: ${N} contacts, ${MAILS} mails, budget ${BUDGET_MS / 1000} s; ${os.cpus().length} cores, Node ${process.version}; load ${load()}`);
try {
  const tags = await app.database.transaction((tx) => app.audience.ensureTags(tx, ['scale-trigger', 'scale-tagged', 'scale-baseline', 'scale-mail', 'scale-mail-wait']));
  const tag = (name: string) => tags.find((t) => t.name === name)!.id;
  const flow = (trigger: string) => ({
    triggers: [{ type: 'tag.added', tagId: trigger }],
    start: 'wait',
    reentry: 'always',
    steps: [
      { id: 'wait', kind: 'wait', minutes: 1440, next: 'tag' },
      { id: 'tag', kind: 'tag', action: 'add', tagId: tag('scale-tagged'), next: 'split' },
      { id: 'split', kind: 'split', branches: [{ percent: 50, next: 'a' }, { percent: 50, next: 'b' }] },
      { id: 'a', kind: 'end' },
      { id: 'b', kind: 'end' },
    ],
  });
  let t = performance.now();
  const ids = await seed(app, N, 'scale.test');
  console.log(`(seeded ${N} contacts in ${secs(performance.now() - t)} s)`);

  // ---- baseline: the trigger subscriber one event per transaction vs batches of 100 -----------
  const baseline = await workflow(app, 'baseline', flow(tag('scale-baseline')));
  const events = (from: number, offset: number): EventJob[] =>
    ids.slice(from, from + BASELINE).map((id, i) => ({ eventId: offset + i, type: 'contact.tagged', subject: { type: 'contact', id }, data: { tagId: tag('scale-baseline') } }));
  const single = events(0, 2_000_000_000);
  t = performance.now();
  for (const e of single) await app.automation.engine.onEvent(e);
  const singleMs = performance.now() - t;
  const batched = events(N - BASELINE, 3_000_000_000);
  t = performance.now();
  for (let i = 0; i < batched.length; i += 100) await app.database.transaction((tx) => app.automation.engine.onEventsInTx(tx, batched.slice(i, i + 100)));
  const batchedMs = performance.now() - t;
  const entered = await count(app, 'select count(*)::int as n from automation_runs where workflow_id = $1', [baseline]);
  console.log(
    `trigger subscriber, ${BASELINE} tag events (engine only, no queue): one per transaction ${Math.round((BASELINE * 1000) / singleMs)} events/s; ` +
      `100 per transaction ${Math.round((BASELINE * 1000) / batchedMs)} events/s (x${(singleMs / batchedMs).toFixed(1)}); ${entered} runs [load ${load()}]`,
  );
  await app.automation.remove(baseline, system);
  began = performance.now();

  // ---- tag trigger → wait → tag → split → end, N contacts, through the queue ------------------
  const main = await workflow(app, 'scale', flow(tag('scale-trigger')));
  const steps = () => count(app, 'select count(*)::int as n from automation_steps where workflow_id = $1', [main]);
  await app.jobs.work(app);
  t = performance.now();
  await tagAll(app, ids, tag('scale-trigger'));
  const taggedMs = performance.now() - t;
  const toWait = await reach(steps, N, BUDGET_MS * 0.35);
  const enterMs = taggedMs > toWait.ms ? taggedMs : taggedMs + toWait.ms;
  console.log(
    `tag → run → wait: ${toWait.got} of ${N} runs waiting in ${secs(taggedMs + toWait.ms)} s (tagging ${secs(taggedMs)} s) = ` +
      `${Math.round((toWait.got * 1000) / (taggedMs + toWait.ms))} contact-steps/s${note(toWait)} [load ${load()}]`,
  );
  clock.advance(86_400_000 + 60_000);
  // Counted before the wake-up: a woken run's next steps may be done before wakeDue returns.
  const waitedSteps = await steps();
  t = performance.now();
  while ((await app.automation.engine.wakeDue(5000)) > 0);
  const after = await reach(async () => (await steps()) - waitedSteps, 3 * toWait.got, BUDGET_MS * 0.3);
  console.log(
    `after the wait (wake-up, tag, split, end): ${after.got} contact-steps in ${secs(after.ms)} s = ${Math.round((after.got * 1000) / after.ms)} contact-steps/s${note(after)} [load ${load()}]`,
  );
  const branches = await app.database.execute<{ step_id: string; n: number }>(`select step_id, count(*)::int as n from automation_steps where workflow_id = $1 and step_id in ('a', 'b') group by 1 order by 1`, [main]);
  console.log(
    `whole workflow: ${toWait.got + after.got} contact-steps in ${secs(taggedMs + toWait.ms + after.ms)} s = ${Math.round(((toWait.got + after.got) * 1000) / (taggedMs + toWait.ms + after.ms))} contact-steps/s; ` +
      `split ${branches.rows.map((r) => `${r.step_id} ${r.n}`).join(' / ')}; enter phase ${secs(enterMs)} s`,
  );

  // ---- email: a workflow's email steps vs the broadcast engine, same sink ---------------------
  // Two shapes against the one broadcast below. The issue's: the runs wait a day, the clock
  // passes it, and the email step goes out (from the wake-up to the sink: the step's own rate).
  // And an email right after the trigger (tagging, entry and tick included: the stricter figure).
  const subject = 'Hello {{ contact.name }}';
  const body = `Hi {{ contact.name }},\n\n${'Some useful paragraph with a [link](https://shop.example/guide).\n\n'.repeat(8)}`;
  const mailStep = { id: 'mail', kind: 'email', subject, body, marketing: false, next: 'end' };
  const afterWait = await workflow(app, 'mail after a wait', {
    triggers: [{ type: 'tag.added', tagId: tag('scale-mail-wait') }],
    start: 'wait',
    reentry: 'always',
    steps: [{ id: 'wait', kind: 'wait', minutes: 1440, next: 'mail' }, mailStep, { id: 'end', kind: 'end' }],
  });
  const atOnce = await workflow(app, 'mail at once', {
    triggers: [{ type: 'tag.added', tagId: tag('scale-mail') }],
    start: 'mail',
    reentry: 'always',
    steps: [mailStep, { id: 'end', kind: 'end' }],
  });
  // Counted by recipient domain: the senders' mail never mix in a figure.
  const atSink = (domain: string) => Promise.resolve(sink.messages.filter((m) => m.to.endsWith(`@${domain}`)).length);
  /**
   * A phase's time from `from` (performance.now()) to the sink's own receipt of its last message,
   * not to the poll that saw it: `reach` looks every 250 ms, a tenth of a 3 000-mail phase. When
   * the phase stopped at the budget, the poll's time.
   */
  const sinkMs = (domain: string, from: number, polled: { ms: number; stopped: boolean }) => {
    if (polled.stopped) return polled.ms;
    let last = 0;
    for (const m of sink.messages) if (m.to.endsWith(`@${domain}`) && m.at > last) last = m.at;
    return last ? last - performance.timeOrigin - from : polled.ms;
  };
  /** BENCH_TIMELINE=1: what the queue and the messages look like every half second (where the time goes). */
  const timeline = (workflowId: string, domain: string, from: number) =>
    process.env.BENCH_TIMELINE
      ? setInterval(async () => {
          const r = await app.database
            .execute<{ runs: number; queued: number; sending: number; jobs: string }>(
              `select (select count(*)::int from automation_runs where workflow_id = $1) as runs,
                      (select count(*)::int from mail_messages where status = 'queued') as queued,
                      (select count(*)::int from mail_messages where status = 'sending') as sending,
                      (select string_agg(name || ':' || state || '=' || n, ' ') from (select name, state, count(*) n from pgboss.job where state in ('created','active','retry') group by 1,2) j) as jobs`,
              [workflowId],
            )
            .catch(() => null);
          if (r) console.log(`  t=${secs(performance.now() - from)} sink=${await atSink(domain)}`, JSON.stringify(r.rows[0]));
        }, 500)
      : undefined;

  // The issue's shape: MAILS runs waiting, then the day passes.
  const waitIds = await seed(app, MAILS, 'wait.test');
  await tagAll(app, waitIds, tag('scale-mail-wait'));
  const waiting = await reach(() => count(app, `select count(*)::int as n from automation_runs where workflow_id = $1 and state = 'waiting'`, [afterWait]), MAILS, BUDGET_MS * 0.1);
  clock.advance(86_400_000 + 60_000);
  t = performance.now();
  let shown = timeline(afterWait, 'wait.test', t);
  while ((await app.automation.engine.wakeDue(5000)) > 0);
  const woken = await reach(() => atSink('wait.test'), waiting.got, BUDGET_MS * 0.15);
  clearInterval(shown);
  const wokenMs = sinkMs('wait.test', t, woken);
  const wakeRate = (woken.got * 1000) / wokenMs;
  console.log(`workflow email step after a wait: ${woken.got} of ${waiting.got} mails at the sink ${secs(wokenMs)} s after the wake-up = ${wakeRate.toFixed(1)} mails/s${note(woken)} [load ${load()}]`);

  // An email right after the trigger.
  const onceIds = await seed(app, MAILS, 'once.test');
  t = performance.now();
  shown = timeline(atOnce, 'once.test', t);
  await tagAll(app, onceIds, tag('scale-mail'));
  const taggedMailMs = performance.now() - t;
  // Where the time goes: the email step rows are written when the messages are queued.
  let queuedMs = 0;
  const mailSteps = () => count(app, `select count(*)::int as n from automation_steps where workflow_id = $1 and step_id = 'mail'`, [atOnce]);
  const wf = await reach(
    async () => {
      if (!queuedMs && (await mailSteps()) >= MAILS) queuedMs = performance.now() - t;
      return atSink('once.test');
    },
    MAILS,
    BUDGET_MS * 0.15,
  );
  const wfMs = sinkMs('once.test', t, { ms: performance.now() - t, stopped: wf.stopped });
  clearInterval(shown);
  const wfRate = (wf.got * 1000) / wfMs;
  console.log(
    `workflow email step right after the trigger: ${wf.got} of ${MAILS} mails at the sink in ${secs(wfMs)} s (tagging ${secs(taggedMailMs)} s, ` +
      `all queued at ${queuedMs ? secs(queuedMs) : '-'} s) = ${wfRate.toFixed(1)} mails/s${note(wf)} [load ${load()}]`,
  );

  const { listId } = await seedAudience(app, MAILS, { domain: 'broadcast.test' });
  const b = await app.mail.broadcasts.create({ name: 'Scale', subject, body: `${body}[Unsubscribe]({{ unsubscribe_url }})`, listId }, system);
  t = performance.now();
  await app.mail.broadcasts.schedule(b.id, null, system);
  const bc = await reach(() => atSink('broadcast.test'), MAILS, Math.max(30_000, began + BUDGET_MS - performance.now()));
  const bcMs = sinkMs('broadcast.test', t, bc);
  const bcRate = (bc.got * 1000) / bcMs;
  console.log(`broadcast engine: ${bc.got} of ${MAILS} mails at the sink in ${secs(bcMs)} s = ${bcRate.toFixed(1)} mails/s${note(bc)} [load ${load()}]`);
  console.log(
    `email step rate = ${((wakeRate / bcRate) * 100).toFixed(0)} % of the broadcast engine's after a wait (target >= 70 %), ` +
      `${((wfRate / bcRate) * 100).toFixed(0)} % right after the trigger (entry included); whole run ${secs(performance.now() - began)} s`,
  );
} finally {
  // Jobs still in flight when the budget ends fail against the closed pool: expected, not news.
  process.on('unhandledRejection', () => undefined);
  await app.close().catch(() => undefined);
  await created.drop();
  await sink.close();
}
