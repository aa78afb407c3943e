// Editing a workflow's graph as a vertical flow: where a step leads (its exits), inserting a
// step on an exit, removing one (what pointed at it now points where it led). Pure functions
// over the definition, so the builder stays a view.
import type { Definition, Step, StepKind } from './api.js';

/** An exit of a step: `start` (the first step), or a step's next / yes / no / timeoutNext / branch i. */
export interface Exit {
  from: string | null;
  key: string;
  label?: string;
}

export function exitsOf(step: Step): Exit[] {
  switch (step.kind) {
    case 'end':
      return [];
    case 'condition':
      return [
        { from: step.id, key: 'yes', label: 'Yes' },
        { from: step.id, key: 'no', label: 'No' },
      ];
    case 'wait_event':
      return [
        { from: step.id, key: 'next', label: 'It happened' },
        { from: step.id, key: 'timeoutNext', label: 'Timed out' },
      ];
    case 'split':
      return step.branches.map((b, i) => ({ from: step.id, key: `branches.${i}`, label: `Branch ${String.fromCharCode(65 + i)} (${b.percent} %)` }));
    default:
      return [{ from: step.id, key: 'next' }];
  }
}

export function targetOf(def: Definition, exit: Exit): string | null {
  if (exit.from === null) return def.start;
  const step = def.steps.find((s) => s.id === exit.from);
  if (!step) return null;
  if (step.kind === 'split') return step.branches[Number(exit.key.slice(9))]?.next ?? null;
  // next, yes, no or timeoutNext: the keys exitsOf names for this step's kind
  const exits: Record<string, unknown> = step;
  return (exits[exit.key] as string | null | undefined) ?? null;
}

function setTarget(def: Definition, exit: Exit, target: string | null): Definition {
  if (exit.from === null) return { ...def, start: target };
  return {
    ...def,
    steps: def.steps.map((s) => {
      if (s.id !== exit.from) return s;
      if (s.kind === 'split') {
        const i = Number(exit.key.slice(9));
        return { ...s, branches: s.branches.map((b, j) => (j === i ? { ...b, next: target } : b)) };
      }
      return { ...s, [exit.key]: target };
    }),
  };
}

export function defaultsFor(kind: StepKind): Record<string, unknown> {
  switch (kind) {
    case 'wait':
      return { minutes: 1440 };
    case 'wait_until':
      return { at: new Date(Date.now() + 7 * 86_400_000).toISOString() };
    case 'wait_weekday':
      return { weekday: 2, time: '09:00' };
    case 'wait_event':
      return { event: 'order.paid', timeoutMinutes: 4320, timeoutNext: null };
    case 'condition':
      return { condition: { test: 'field_equals', field: 'plan', value: '' }, yes: null, no: null };
    case 'split':
      return { branches: [{ percent: 50, next: null }, { percent: 50, next: null }] };
    case 'email':
      return { subject: 'Hello {{ contact.first_name }}', body: 'Hi {{ contact.first_name }},\n\n', marketing: true };
    case 'tag':
      return { action: 'add', tagId: '' };
    case 'set_field':
      return { field: 'stage', value: '' };
    case 'list':
      return { action: 'subscribe', listId: '' };
    case 'access':
      return { action: 'grant', productId: '' };
    case 'task':
      return { role: 'support', title: 'Follow up with {{ contact.email }}', dueInDays: 0, subject: 'contact' };
    case 'webhook':
      return { url: 'https://' };
    case 'notify':
      return { message: '{{ contact.email }} reached this step', urgent: false };
    case 'end':
      return {};
  }
}

function freshId(def: Definition, kind: StepKind): string {
  const base = kind.replace(/_/g, '-');
  for (let i = 1; ; i++) if (!def.steps.some((s) => s.id === `${base}-${i}`)) return `${base}-${i}`;
}

/** Puts a new step on an exit; what the exit led to now follows the new step (on its first exit). */
export function insertStep(def: Definition, exit: Exit, kind: StepKind): { def: Definition; id: string } {
  const id = freshId(def, kind);
  const after = targetOf(def, exit);
  let step: Step = { id, kind, ...defaultsFor(kind) } as Step;
  const first = exitsOf(step)[0];
  if (first) {
    const tmp = setTarget({ ...def, steps: [step] }, first, after);
    step = tmp.steps[0]!;
  }
  const withStep = { ...def, steps: [...def.steps, step] };
  return { def: setTarget(withStep, exit, id), id };
}

/** Removes a step; every exit that led to it now leads where its first exit led. */
export function removeStep(def: Definition, id: string): Definition {
  const step = def.steps.find((s) => s.id === id);
  if (!step) return def;
  const first = exitsOf(step)[0];
  const onward = first ? targetOf(def, first) : null;
  let out: Definition = { ...def, steps: def.steps.filter((s) => s.id !== id) };
  const exits: Exit[] = [{ from: null, key: 'start' }, ...out.steps.flatMap(exitsOf)];
  for (const e of exits) if (targetOf(out, e) === id) out = setTarget(out, e, onward);
  return out;
}

export function updateStep(def: Definition, id: string, patch: Record<string, unknown>): Definition {
  return { ...def, steps: def.steps.map((s) => (s.id === id ? ({ ...s, ...patch } as Step) : s)) };
}
