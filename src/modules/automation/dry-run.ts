// The dry run: which steps a contact would go through, and when, on virtual time — computed
// from the draft without touching anything. What cannot be known in advance (an event that
// may come, a segment, a purchase) is assumed not to happen and said so.
import type { Contact } from '../audience/index.js';
import type { Definition, Step } from './definition.js';
import { nextWeekdayTime, validTimeZone } from './engine.js';

export interface DryRunStep {
  stepId: string;
  kind: Step['kind'];
  at: Date;
  what: string;
}

const MAX_STEPS = 60;

export function dryRun(def: Definition, facts: { contact: Contact; tagIds: Set<string>; start: Date }): DryRunStep[] {
  const byId = new Map(def.steps.map((s) => [s.id, s]));
  const out: DryRunStep[] = [];
  let at = facts.start;
  let id: string | null | undefined = def.start;
  const c = facts.contact;
  while (id && out.length < MAX_STEPS) {
    const step = byId.get(id);
    if (!step) break;
    const add = (what: string) => out.push({ stepId: step.id, kind: step.kind, at, what });
    switch (step.kind) {
      case 'wait':
        add(`waits ${step.minutes} minutes`);
        at = new Date(at.getTime() + step.minutes * 60_000);
        id = step.next;
        break;
      case 'wait_until':
        add(`waits until ${step.at}`);
        at = new Date(Math.max(at.getTime(), new Date(step.at).getTime()));
        id = step.next;
        break;
      case 'wait_weekday': {
        const tz = validTimeZone(c.fields?.timezone) ?? 'UTC';
        at = nextWeekdayTime(at, step.weekday, step.time, tz);
        add(`waits until ${at.toISOString()} (${tz})`);
        id = step.next;
        break;
      }
      case 'wait_event':
        add(`waits for ${step.event}; assuming it does not happen, goes on after ${step.timeoutMinutes} minutes`);
        at = new Date(at.getTime() + step.timeoutMinutes * 60_000);
        id = step.timeoutNext;
        break;
      case 'condition': {
        const cond = step.condition;
        const yes = cond.test === 'has_tag' ? facts.tagIds.has(cond.tagId) : cond.test === 'field_equals' ? (c.fields?.[cond.field] ?? '') === cond.value : false;
        const known = cond.test === 'has_tag' || cond.test === 'field_equals';
        add(`${known ? '' : '(assumed) '}${yes ? 'yes' : 'no'}`);
        id = yes ? step.yes : step.no;
        break;
      }
      case 'split':
        add(`A/B split: follows branch A (${step.branches[0]!.percent} % of contacts do)`);
        id = step.branches[0]!.next;
        break;
      case 'email': {
        const blocked = c.status === 'bounced' || c.status === 'complained' || (step.marketing && c.status !== 'active');
        add(blocked ? `would skip "${step.subject}": the contact is ${c.status}` : `sends "${step.subject}" to ${c.email}`);
        id = step.next;
        break;
      }
      case 'end':
        add('ends');
        id = null;
        break;
      default:
        add(describe(step));
        id = 'next' in step ? step.next : null;
    }
  }
  return out;
}

function describe(step: Step): string {
  switch (step.kind) {
    case 'tag':
      return step.action === 'add' ? 'adds a tag' : 'removes a tag';
    case 'set_field':
      return `sets ${step.field} to "${step.value}"`;
    case 'list':
      return step.action === 'subscribe' ? 'subscribes to a list' : 'unsubscribes from a list';
    case 'access':
      return step.action === 'grant' ? 'grants access to a product' : 'revokes access to a product';
    case 'task':
      return `creates a task for ${step.userId ? `a ${step.role} team member` : step.role}${step.dueInDays ? `, due in ${step.dueInDays} day${step.dueInDays === 1 ? '' : 's'}` : ''}: ${step.title}`;
    case 'webhook':
      return `calls ${step.url}`;
    case 'notify':
      return `notifies the owner: ${step.message}`;
    default:
      return step.kind;
  }
}
