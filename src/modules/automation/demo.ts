// The demo business's automations: three live workflows made from templates (welcome + lead
// magnet, abandoned checkout, failed-payment recovery) with a year of their history — runs,
// step executions and events — written in bulk, so the demo loads fast. Deterministic (seeded).
import type { App } from '../../app.js';
import { events } from '../../db/schema.js';
import { withContactIds } from '../../db/events.js';
import { DAY_MS, type DemoContext, type Random } from '../../demo/random.js';
import { successors, WAIT_KINDS, type Definition } from './definition.js';
import { automationRuns, automationSteps } from './schema.js';

type RunRow = typeof automationRuns.$inferInsert;
type StepRow = typeof automationSteps.$inferInsert;
type EventRow = typeof events.$inferInsert;

interface Entrant {
  contactId: string;
  at: Date;
  /** the contact pays (the goal) this many minutes after entering, if at all */
  paysAfterMinutes?: number;
  amount?: number;
  unsubscribed?: boolean;
}

export async function seedAutomationDemo(app: App, ctx: DemoContext): Promise<void> {
  const { random } = ctx;
  // Setting up the demo's workflows is the demo loader's work today, not the owner's (the owner's
  // share of operations is measured from these actors).
  const setup = { kind: 'system' as const };
  const now = ctx.now.getTime();
  const forms = ctx.shared.forms as { pricingGuide?: string } | undefined;
  const contacts = (
    await app.database.execute<{ id: string; created_at: string; status: string }>(
      `select id, created_at, status from contacts where status <> 'unconfirmed' and source like 'form:%' order by created_at, id`,
    )
  ).rows;
  const customers = (ctx.shared.customers as { contactId: string }[] | undefined) ?? [];
  const buyers = new Set(customers.map((c) => c.contactId));

  const welcome = await createLive(app, 'Welcome + lead magnet', 'welcome', setup, (def) =>
    forms?.pricingGuide ? { ...def, triggers: [{ type: 'contact.subscribed', formId: forms.pricingGuide }] } : def,
  );
  const abandoned = await createLive(app, 'Abandoned checkout', 'abandoned-checkout', setup);
  const dunning = await createLive(app, 'Failed-payment recovery', 'failed-payment', setup);

  const welcomeEntrants: Entrant[] = contacts
    .filter((c) => now - new Date(c.created_at).getTime() < 365 * DAY_MS)
    .map((c) => ({
      contactId: c.id,
      at: new Date(new Date(c.created_at).getTime() + random.int(2, 40) * 60_000),
      unsubscribed: c.status === 'unsubscribed',
      ...(buyers.has(c.id) && random.chance(0.5) ? { paysAfterMinutes: random.int(60, 9 * 1440), amount: random.pick([4900, 9900, 19900]) } : {}),
    }));
  const pool = contacts.map((c) => c.id);
  const sample = (n: number, paidShare: number, amount: () => number): Entrant[] =>
    Array.from({ length: Math.min(n, pool.length) }, () => ({
      contactId: random.pick(pool),
      at: new Date(now - random.int(1, 364) * DAY_MS - random.int(0, 1439) * 60_000),
      ...(random.chance(paidShare) ? { paysAfterMinutes: random.int(20, 3 * 1440), amount: amount() } : {}),
    }));

  const rows = { runs: [] as RunRow[], steps: [] as StepRow[], events: [] as EventRow[] };
  simulate(welcome, welcomeEntrants.filter((e) => e.at.getTime() < now - 60_000), now, random, rows);
  simulate(abandoned, sample(140, 0.3, () => random.pick([4900, 9900, 19900])), now, random, rows);
  simulate(dunning, sample(36, 0.6, () => random.pick([2900, 4900])), now, random, rows);
  for (let i = 0; i < rows.runs.length; i += 1000) await app.db.insert(automationRuns).values(rows.runs.slice(i, i + 1000)).onConflictDoNothing();
  for (let i = 0; i < rows.steps.length; i += 2000) await app.db.insert(automationSteps).values(rows.steps.slice(i, i + 2000));
  rows.events.sort((a, b) => a.occurredAt!.getTime() - b.occurredAt!.getTime());
  for (let i = 0; i < rows.events.length; i += 1000) await app.db.insert(events).values(withContactIds(rows.events.slice(i, i + 1000)));
}

interface LiveWorkflow {
  id: string;
  versionId: string;
  def: Definition;
}

async function createLive(app: App, name: string, template: string, actor: { kind: 'system' }, adjust?: (def: Definition) => Definition): Promise<LiveWorkflow> {
  const w = await app.automation.create({ name, template }, actor);
  const def = adjust ? adjust(w.definition) : w.definition;
  if (adjust) await app.automation.update(w.id, { definition: def }, actor);
  await app.automation.publish(w.id, {}, actor);
  const detail = await app.automation.get(w.id);
  return { id: w.id, versionId: detail.versions[0]!.id, def };
}

/** Walks each entrant along the workflow's first path on the demo's clock, as the engine would have. */
function simulate(w: LiveWorkflow, entrants: Entrant[], now: number, random: Random, out: { runs: RunRow[]; steps: StepRow[]; events: EventRow[] }): void {
  const byId = new Map(w.def.steps.map((s) => [s.id, s]));
  const actor = { actorKind: 'automation', actorId: w.id, actorRole: null } as const;
  const seen = new Set<string>();
  entrants.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const e of entrants) {
    if (seen.has(e.contactId) && w.def.reentry === 'once') continue;
    seen.add(e.contactId);
    const runId = crypto.randomUUID();
    const run: RunRow = { id: runId, workflowId: w.id, versionId: w.versionId, contactId: e.contactId, triggerKey: `demo:${runId}`, state: 'active', stepId: w.def.start, seq: 0, startedAt: e.at, updatedAt: e.at, revenue: 0 };
    out.runs.push(run);
    out.events.push({ occurredAt: e.at, type: 'automation.entered', ...actor, subjectType: 'contact', subjectId: e.contactId, data: { workflowId: w.id, runId, trigger: w.def.triggers[0]?.type ?? 'manual' } });
    let at = e.at.getTime();
    const paysAt = e.paysAfterMinutes !== undefined ? at + e.paysAfterMinutes * 60_000 : Infinity;
    let stepId: string | null | undefined = w.def.start;
    const end = (state: 'done' | 'exited', reason: string, when: number) => {
      Object.assign(run, { state, endReason: reason, endedAt: new Date(when), updatedAt: new Date(when), stepId });
      out.events.push({ occurredAt: new Date(when), type: state === 'done' ? 'automation.completed' : 'automation.exited', ...actor, subjectType: 'contact', subjectId: e.contactId, data: { workflowId: w.id, runId, reason } });
    };
    for (;;) {
      if (paysAt <= Math.min(at, now)) {
        run.revenue = e.amount ?? 0;
        end('exited', 'goal met: Bought something', paysAt);
        break;
      }
      const step: Definition['steps'][number] | undefined = stepId ? byId.get(stepId) : undefined;
      if (!step) {
        end('done', 'completed', at);
        break;
      }
      if (at > now) {
        Object.assign(run, { state: 'waiting', stepId: step.id, dueAt: new Date(at) });
        break;
      }
      run.seq = (run.seq ?? 0) + 1;
      const skipped = step.kind === 'email' && step.marketing && e.unsubscribed && random.chance(0.8);
      out.steps.push({
        runId,
        seq: run.seq,
        workflowId: w.id,
        stepId: step.id,
        kind: step.kind,
        status: skipped ? 'skipped' : 'done',
        detail: skipped ? 'not sent: the contact unsubscribed' : step.kind === 'email' ? `queued "${step.subject.replace(/\{\{[^}]*\}\}/g, '').trim()}"` : step.kind,
        at: new Date(at),
      });
      if (step.kind === 'wait') at += step.minutes * 60_000;
      else if (WAIT_KINDS.includes(step.kind)) at += DAY_MS;
      else at += random.int(1, 20) * 1000;
      stepId = successors(step)[0] ?? null;
    }
  }
}
