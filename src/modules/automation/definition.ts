// What a workflow is: triggers, a graph of steps (a flat list; each step names the step after
// it), goals, re-entry and what to do when a contact unsubscribes mid-run. Plain JSON checked
// by zod, stored as the draft and copied into each published version. `problemsOf` is the
// validation that runs before publishing (and in the builder, as you edit).
import { z } from 'zod';
import type { EventType } from '../../db/event-catalog.js';

const text = (max: number) => z.string().max(max).refine((s) => !s.includes('\u0000'), 'NUL bytes are not allowed');
const stepId = z.string().regex(/^[a-z0-9_-]{1,40}$/, 'step ids are lower-case letters, digits, - and _');
const next = stepId.nullable().optional();
const uuid = z.uuid();
const fieldKey = z.string().regex(/^[a-z0-9_]{1,40}$/, 'field names are lower-case letters, digits and _');

export const triggerSchema = z.discriminatedUnion('type', [
  /** subscribed to a list (any, or one), from any source or one form: also "form submitted" */
  z.object({ type: z.literal('contact.subscribed'), listId: uuid.optional(), formId: uuid.optional() }),
  z.object({ type: z.literal('contact.confirmed'), formId: uuid.optional() }),
  z.object({ type: z.literal('tag.added'), tagId: uuid }),
  z.object({ type: z.literal('tag.removed'), tagId: uuid }),
  /** any order, or one containing one of these products */
  z.object({ type: z.literal('order.paid'), productIds: z.array(uuid).max(50).optional() }),
  z.object({ type: z.literal('order.refunded') }),
  z.object({ type: z.literal('payment.failed') }),
  /** an order created and not paid within `minutes`: the run starts then, and ends if the contact pays meanwhile */
  z.object({ type: z.literal('checkout.abandoned'), minutes: z.number().int().min(5).max(10_080) }),
  z.object({ type: z.literal('lesson.completed'), courseId: uuid.optional() }),
  z.object({ type: z.literal('lesson.unlocked'), courseId: uuid.optional() }),
  z.object({ type: z.literal('course.completed'), courseId: uuid.optional() }),
  /** a custom field set to a new value (any value, or one) */
  z.object({ type: z.literal('field.changed'), field: fieldKey, value: text(500).optional() }),
  // Time-based: evaluated by the automation.scan job on the app clock, once per occurrence.
  /** started the course, not completed it, and no lesson completed for `days` */
  z.object({ type: z.literal('course.stalled'), courseId: uuid, days: z.number().int().min(1).max(365) }),
  /** an active contact, signed up at least `days` ago, who opened and clicked nothing for `days` */
  z.object({ type: z.literal('inactive'), days: z.number().int().min(1).max(3650) }),
  /** the date in a custom field (YYYY-MM-DD, or MM-DD when yearly) is today, UTC: every year (a birthday) or once */
  z.object({ type: z.literal('date.field'), field: fieldKey, yearly: z.boolean().default(true) }),
  /** `days` days after the contact signed up */
  z.object({ type: z.literal('signup.after'), days: z.number().int().min(1).max(3650) }),
  /** staff enrol contacts from the admin (one, a list of them, a segment) or the API */
  z.object({ type: z.literal('manual') }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const conditionSchema = z.discriminatedUnion('test', [
  z.object({ test: z.literal('has_tag'), tagId: uuid }),
  z.object({ test: z.literal('field_equals'), field: z.string().regex(/^[a-z0-9_]{1,40}$/), value: text(500) }),
  z.object({ test: z.literal('in_segment'), segmentId: uuid }),
  z.object({ test: z.literal('purchased'), productId: uuid }),
  /** the run's last email before this step: opened (a click counts as an open) or clicked */
  z.object({ test: z.literal('opened_previous') }),
  z.object({ test: z.literal('clicked_previous') }),
  /** completed at least `percent` % of the course's lessons */
  z.object({ test: z.literal('course_progress'), courseId: uuid, percent: z.number().int().min(1).max(100) }),
]);
export type Condition = z.infer<typeof conditionSchema>;

const base = { id: stepId, label: text(120).optional() };
export const stepSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('wait'), minutes: z.number().int().min(1).max(525_600), next }),
  z.object({ ...base, kind: z.literal('wait_until'), at: z.iso.datetime({ offset: true }), next }),
  /** weekday 0 = Sunday; time HH:MM in the contact's time zone (field `timezone`, else the business's UTC) */
  z.object({ ...base, kind: z.literal('wait_weekday'), weekday: z.number().int().min(0).max(6), time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/), next }),
  z.object({ ...base, kind: z.literal('wait_event'), event: z.enum(['order.paid', 'contact.tagged', 'course.completed', 'lesson.completed', 'email.clicked']), timeoutMinutes: z.number().int().min(1).max(525_600), next, timeoutNext: next }),
  z.object({ ...base, kind: z.literal('condition'), condition: conditionSchema, yes: next, no: next }),
  z.object({ ...base, kind: z.literal('split'), branches: z.array(z.object({ percent: z.number().int().min(0).max(100), next })).min(2).max(5) }),
  z.object({ ...base, kind: z.literal('email'), subject: text(300).min(1), body: text(50_000).min(1), marketing: z.boolean().default(true), next }),
  z.object({ ...base, kind: z.literal('tag'), action: z.enum(['add', 'remove']), tagId: uuid, next }),
  z.object({ ...base, kind: z.literal('set_field'), field: z.string().regex(/^[a-z0-9_]{1,40}$/), value: text(2000), next }),
  z.object({ ...base, kind: z.literal('list'), action: z.enum(['subscribe', 'unsubscribe']), listId: uuid, next }),
  z.object({ ...base, kind: z.literal('access'), action: z.enum(['grant', 'revoke']), productId: uuid, next }),
  /**
   * A one-off task in the tasks module: for a role (everyone in it) or one person of the team
   * (`userId`; the role when they have left), due `dueInDays` after the day it runs (brand time
   * zone) at `dueTime`, optionally about the run's contact or a picked course / post / product,
   * and following an SOP. Title and notes take Liquid ({{ contact.email }}).
   */
  z.object({
    ...base,
    kind: z.literal('task'),
    role: z.enum(['admin', 'support', 'content', 'marketing']),
    userId: uuid.optional(),
    title: text(200).min(1),
    notes: text(5000).optional(),
    dueInDays: z.number().int().min(0).max(365).default(0),
    dueTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).optional(),
    subject: z.union([z.literal('contact'), z.object({ type: z.string().regex(/^[a-z_]{1,40}$/), id: text(200).min(1), label: text(200).min(1) })]).optional(),
    sopId: uuid.optional(),
    next,
  }),
  z.object({ ...base, kind: z.literal('webhook'), url: z.url().max(2000), next }),
  z.object({ ...base, kind: z.literal('notify'), message: text(500).min(1), urgent: z.boolean().default(false), next }),
  z.object({ ...base, kind: z.literal('end') }),
]);
export type Step = z.infer<typeof stepSchema>;
export type StepKind = Step['kind'];

export const goalSchema = z.object({
  id: stepId,
  label: text(120),
  /** the event that meets it: a paid order (optionally of chosen products) or a tag added */
  event: z.enum(['order.paid', 'contact.tagged']),
  productIds: z.array(uuid).max(50).optional(),
  tagId: uuid.optional(),
  /** null: the contact leaves the workflow; a step id: the run jumps there */
  then: stepId.nullable(),
});
export type Goal = z.infer<typeof goalSchema>;

export const definitionSchema = z.object({
  triggers: z.array(triggerSchema).max(10),
  start: stepId.nullable(),
  steps: z.array(stepSchema).max(200),
  goals: z.array(goalSchema).max(10).default([]),
  /** once: never again; days: again after `reentryDays`; always. Hard cap on top: 10 entries / 24 h. */
  reentry: z.enum(['once', 'days', 'always']).default('once'),
  reentryDays: z.number().int().min(1).max(3650).optional(),
  /** a contact who unsubscribed mid-run: skip the email steps (and go on), or end the run */
  onUnsubscribe: z.enum(['skip_email', 'end']).default('skip_email'),
  /** days after a click on one of the workflow's emails in which the contact's order counts as its revenue (last click wins) */
  attributionDays: z.number().int().min(0).max(90).default(7),
});
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
