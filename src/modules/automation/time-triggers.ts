// Time-based triggers: no event marks the moment a student stalls, a contact goes quiet or a
// birthday comes round, so the automation.scan job asks on the app clock. Contacts are chosen
// by the audience module's segment compiler (its public face: the rules compile to SQL over
// audience's own tables) and the event log (the shared spine: lesson.completed, email.opened,
// email.clicked carry the contact). Each match has an **occurrence key** that names this
// stall / this silence / this year's birthday; it becomes the run's trigger key, and the
// unique index (workflow, contact, trigger key) makes entering idempotent: a second scan, or
// a second worker scanning at the same moment, finds the run already there.
import { compileSegmentSql, type SegmentRules } from '../audience/index.js';
import type { TimeTrigger } from './definition.js';

export interface TriggerQuery {
  /** select contact_id, key … : $1 = now (the app clock), $2 = workflow id, $3 = limit */
  text: string;
  params: unknown[];
}

const utcMonthDay = (d: Date) => `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
const utcDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The contacts a time trigger matches now, with their occurrence keys, leaving out those who
 * already have a run with that key (and, for re-entry "once", any run of the workflow).
 */
export function timeTriggerQuery(t: TimeTrigger, now: Date, opts: { onceOnly: boolean }): TriggerQuery {
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length + 3}`;
  };
  let rules: SegmentRules;
  let key: string;
  let extra = 'true';
  switch (t.type) {
    case 'inactive':
      // Signed up at least N days ago and no open or click in the last N days; the key names
      // the last engagement, so the same silence enters once and a new silence after a click again.
      rules = { match: 'all', rules: [{ type: 'status', op: 'is', values: ['active'] }, { type: 'engagement', op: 'not_engaged', days: t.days }, { type: 'created', op: 'before_days', days: t.days }] };
      key = `'inactive:' || coalesce((select floor(extract(epoch from max(e.occurred_at)))::bigint::text from events e
                where e.contact_id = m.id::text and e.type in ('email.opened', 'email.clicked')), 'never')`;
      break;
    case 'course.stalled': {
      // Started the course (a lesson completed), not completed it, and the last lesson done
      // more than N days ago; the key names that last lesson's time.
      rules = { match: 'all', rules: [{ type: 'course', op: 'started', courseId: t.courseId }, { type: 'course', op: 'not_completed', courseId: t.courseId }] };
      const course = `${param(t.courseId)}::text`;
      const last = `(select max(e.occurred_at) from events e where e.contact_id = m.id::text and e.type = 'lesson.completed' and e.data->>'courseId' = ${course})`;
      key = `'stalled:' || ${course} || ':' || floor(extract(epoch from ${last}))::bigint::text`;
      extra = `${last} < $1::timestamptz - make_interval(days => ${param(t.days)}::int)`;
      break;
    }
    case 'date.field': {
      // YYYY-MM-DD: "-MM-DD" can only match at the month; MM-DD for a date without a year.
      const md = utcMonthDay(now);
      rules = t.yearly
        ? { match: 'any', rules: [{ type: 'field', field: t.field, op: 'contains', value: `-${md}` }, { type: 'field', field: t.field, op: 'equals', value: md }] }
        : { match: 'all', rules: [{ type: 'field', field: t.field, op: 'equals', value: utcDate(now) }] };
      key = `${param(`date:${t.field}:${t.yearly ? now.getUTCFullYear() : 'once'}`)}::text`;
      break;
    }
    case 'signup.after':
      // Signed up N days ago, give or take the two days a stopped server may need to catch up.
      rules = { match: 'all', rules: [{ type: 'created', op: 'before_days', days: t.days }, { type: 'created', op: 'within_days', days: t.days + 2 }] };
      key = `${param(`signup:${t.days}`)}::text`;
      break;
  }
  const once = opts.onceOnly ? `and not exists (select 1 from automation_runs r where r.workflow_id = $2 and r.contact_id = k.contact_id)` : '';
  const text = `with m as (${compileSegmentSql(rules)})
    select k.contact_id, k.key from (select m.id as contact_id, ${key} as key from m where ${extra}) k
     where not exists (select 1 from automation_runs r where r.workflow_id = $2 and r.contact_id = k.contact_id and r.trigger_key = k.key) ${once}
     limit $3`;
  return { text, params };
}
