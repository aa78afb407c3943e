// What a workflow is: triggers, a graph of steps (a flat list; each step names the step after
// it), goals, re-entry and what to do when a contact unsubscribes mid-run. Plain JSON checked
// by zod (the schemas are in contract.ts: the admin's builder edits the same shapes), stored as
// the draft and copied into each published version. `problemsOf` is the validation that runs
// before publishing (and in the builder, as you edit).
import type { z } from 'zod';
import type { EventType } from '../../db/event-catalog.js';
import { conditionSchema, definitionSchema, goalSchema, stepSchema, triggerSchema } from './contract.js';

export { conditionSchema, definitionSchema, goalSchema, stepSchema, triggerSchema };
export type Trigger = z.infer<typeof triggerSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type Step = z.infer<typeof stepSchema>;
export type StepKind = Step['kind'];
export type Goal = z.infer<typeof goalSchema>;
export type Definition = z.infer<typeof definitionSchema>;

export const emptyDefinition: Definition = { triggers: [], start: null, steps: [], goals: [], reentry: 'once', onUnsubscribe: 'skip_email', attributionDays: 7 };

export const WAIT_KINDS: StepKind[] = ['wait', 'wait_until', 'wait_weekday', 'wait_event'];

/** The steps a step can lead to (null = the run ends). */
export function successors(step: Step): (string | null)[] {
  switch (step.kind) {
    case 'end':
      return [];
    case 'condition':
      return [step.yes ?? null, step.no ?? null];
    case 'split':
      return step.branches.map((b) => b.next ?? null);
    case 'wait_event':
      return [step.next ?? null, step.timeoutNext ?? null];
    default:
      return [step.next ?? null];
  }
}

export interface Problem {
  stepId?: string;
  message: string;
}

/** Everything that stops a definition from being published; empty when it can go live. */
export function problemsOf(def: Definition): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map<string, Step>();
  for (const s of def.steps) {
    if (byId.has(s.id)) problems.push({ stepId: s.id, message: `Two steps are called "${s.id}"` });
    byId.set(s.id, s);
  }
  if (!def.triggers.length) problems.push({ message: 'Add a trigger: what makes a contact enter this workflow' });
  if (!def.start) problems.push({ message: 'Add a first step' });
  else if (!byId.has(def.start)) problems.push({ message: `The first step "${def.start}" does not exist` });
  for (const s of def.steps) {
    for (const n of successors(s)) if (n !== null && !byId.has(n)) problems.push({ stepId: s.id, message: `"${s.id}" leads to "${n}", which does not exist` });
    if (s.kind === 'split' && s.branches.reduce((a, b) => a + b.percent, 0) !== 100) problems.push({ stepId: s.id, message: `The branches of "${s.id}" must add up to 100 %` });
  }
  for (const g of def.goals) {
    if (g.then !== null && !byId.has(g.then)) problems.push({ message: `Goal "${g.label}" jumps to "${g.then}", which does not exist` });
    if (g.event === 'contact.tagged' && !g.tagId) problems.push({ message: `Goal "${g.label}" needs a tag` });
  }
  if (def.reentry === 'days' && !def.reentryDays) problems.push({ message: 'Say after how many days a contact may enter again' });
  const cycle = cycleWithoutWait(def.steps, byId);
  if (cycle) problems.push({ stepId: cycle[0], message: `The steps ${cycle.join(' → ')} loop without a wait: a contact would go round forever` });
  return problems;
}

/** A loop made only of steps that do not wait (depth-first search over the non-wait steps). */
function cycleWithoutWait(steps: Step[], byId: Map<string, Step>): string[] | null {
  const state = new Map<string, 'open' | 'closed'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    const s = byId.get(id);
    if (!s || WAIT_KINDS.includes(s.kind)) return null;
    if (state.get(id) === 'closed') return null;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const n of successors(s)) {
      const found = n ? visit(n) : null;
      if (found) return found;
    }
    path.pop();
    state.set(id, 'closed');
    return null;
  };
  for (const s of steps) {
    const found = visit(s.id);
    if (found) return found;
  }
  return null;
}

/** The event types a trigger listens to. */
export function triggerEventTypes(t: Trigger): string[] {
  switch (t.type) {
    case 'tag.added':
      return ['contact.tagged'];
    case 'tag.removed':
      return ['contact.untagged'];
    case 'checkout.abandoned':
      return ['order.created'];
    case 'payment.failed':
      return ['payment.failed', 'subscription.payment_failed'];
    case 'field.changed':
      return ['contact.updated'];
    case 'manual':
    case 'course.stalled':
    case 'inactive':
    case 'date.field':
    case 'signup.after':
      return [];
    default:
      return [t.type];
  }
}

/** Every event type the engine reacts to: triggers, waits for an event, goals, revenue. */
export const SUBSCRIBED_EVENTS: EventType[] = [
  'contact.subscribed',
  'contact.confirmed',
  'contact.tagged',
  'contact.untagged',
  'order.created',
  'order.paid',
  'order.refunded',
  'payment.failed',
  'subscription.payment_failed',
  'lesson.completed',
  'lesson.unlocked',
  'course.completed',
  'contact.updated',
  'email.clicked',
];

/** Triggers the automation.scan job evaluates on the clock (no event marks the moment). */
export const TIME_TRIGGERS = ['course.stalled', 'inactive', 'date.field', 'signup.after'] as const;
export type TimeTrigger = Extract<Trigger, { type: (typeof TIME_TRIGGERS)[number] }>;
export const isTimeTrigger = (t: Trigger): t is TimeTrigger => (TIME_TRIGGERS as readonly string[]).includes(t.type);
