// Segments: saved rules over tags, lists, fields, status, purchases, course progress and
// engagement, compiled to one SQL condition on `contacts c`.
//
// The compiler emits SQL text with every value inlined as a quoted literal (each value is
// validated by the zod schema first: uuids are uuids, numbers are integers, strings are quoted
// with doubled single quotes). The text is stored with the segment and run by the database
// function segment_contact_ids(segment, at), so the mail module can select a segment's members
// inside any query without loading its rules. `p.at` is the moment of evaluation ("opened in
// the last 30 days" counts back from it); it comes from the app clock, never from now().
import { invalid } from '../../errors.js';
import { GRANTS_VIEW_NAME } from '../access/index.js';
import { SEGMENT_MAX_DEPTH as MAX_DEPTH, fieldKeySchema, segmentRulesSchema, type SegmentRule, type SegmentRules } from './contract.js';

// The rules' schema and types are in contract.ts (the admin's segment editor uses them too).
export { segmentRulesSchema, type SegmentRule, type SegmentRules } from './contract.js';

/** Bump when the compiler's output changes; stored segments are recompiled on start. */
export const SEGMENT_COMPILER_VERSION = 2;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A string as a SQL literal (standard_conforming_strings is on in every supported server). */
function lit(value: string): string {
  if (value.includes('\0')) throw invalid('A segment value cannot contain a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

function uuidLit(value: string): string {
  if (!UUID_RE.test(value)) throw invalid(`"${value}" is not an id`);
  return `'${value.toLowerCase()}'::uuid`;
}

function intLit(value: number): string {
  if (!Number.isSafeInteger(value)) throw invalid('A segment number must be a whole number');
  return String(value);
}

const NUMERIC_RE = `'^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$'`;

function fieldExpr(key: string): string {
  fieldKeySchema.parse(key);
  return `(c.fields->>${lit(key)})`;
}

function not(cond: string): string {
  return `not (${cond})`;
}

function compileRule(rule: SegmentRule, depth: number): string {
  switch (rule.type) {
    case 'tag': {
      const has = `exists (select 1 from contact_tags ct where ct.contact_id = c.id and ct.tag_id = ${uuidLit(rule.tagId)})`;
      return rule.op === 'has' ? has : not(has);
    }
    case 'list': {
      const on = `exists (select 1 from list_subscriptions ls where ls.contact_id = c.id and ls.list_id = ${uuidLit(rule.listId)} and ls.status = 'subscribed')`;
      return rule.op === 'subscribed' ? on : not(on);
    }
    case 'status': {
      const inList = `c.status in (${rule.values.map((v) => lit(v)).join(', ')})`;
      return rule.op === 'is' ? inList : not(inList);
    }
    case 'field': {
      const f = fieldExpr(rule.field);
      const v = rule.value ?? '';
      switch (rule.op) {
        case 'is_set':
          return `coalesce(${f}, '') <> ''`;
        case 'is_not_set':
          return `coalesce(${f}, '') = ''`;
        case 'equals':
          return `lower(coalesce(${f}, '')) = lower(${lit(v)})`;
        case 'not_equals':
          return `lower(coalesce(${f}, '')) <> lower(${lit(v)})`;
        case 'contains':
          return `strpos(lower(coalesce(${f}, '')), lower(${lit(v)})) > 0`;
        case 'not_contains':
          return `strpos(lower(coalesce(${f}, '')), lower(${lit(v)})) = 0`;
        case 'starts_with':
          return `starts_with(lower(coalesce(${f}, '')), lower(${lit(v)}))`;
        case 'greater_than':
        case 'less_than': {
          const n = Number(v);
          if (v.trim() === '' || !Number.isFinite(n)) throw invalid(`"${v}" is not a number`, { field: rule.field });
          // CASE guards the cast: a field holding text is simply not greater or less than a number.
          return `(case when ${f} ~ ${NUMERIC_RE} then ${f}::numeric end) ${rule.op === 'greater_than' ? '>' : '<'} ${lit(String(n))}::numeric`;
        }
      }
      break;
    }
    case 'email': {
      const v = rule.value.trim().toLowerCase();
      if (rule.op === 'equals') return `c.email_normalized = ${lit(v)}`;
      if (rule.op === 'contains') return `strpos(c.email_normalized, ${lit(v)}) > 0`;
      return `right(c.email_normalized, ${intLit(v.length)}) = ${lit(v)}`;
    }
    case 'source':
      return rule.op === 'is' ? `c.source = ${lit(rule.value)}` : `starts_with(c.source, ${lit(rule.value)})`;
    case 'created': {
      const since = `p.at - interval '${intLit(rule.days)} days'`;
      return rule.op === 'within_days' ? `c.created_at >= ${since}` : `c.created_at < ${since}`;
    }
    case 'purchase': {
      // A purchase is a live access grant bought or held through a membership, read through the
      // access module's view (its table is access's own).
      const parts = [
        `g.contact_id = c.id`,
        `g.source in ('purchase', 'membership')`,
        `g.revoked_at is null`,
        `(g.expires_at is null or g.expires_at > p.at)`,
      ];
      if (rule.resourceType) parts.push(`g.resource_type = ${lit(rule.resourceType)}`);
      if (rule.resourceId) parts.push(`g.resource_id = ${uuidLit(rule.resourceId)}`);
      const has = `exists (select 1 from ${GRANTS_VIEW_NAME} g where ${parts.join(' and ')})`;
      return rule.op === 'has' ? has : not(has);
    }
    case 'course': {
      // Course progress is read from the learning module's events: lesson.completed and
      // course.completed name the student (the indexed events.contact_id, from data.contactId)
      // and the course in data.courseId (or as the event subject).
      const type = rule.op === 'started' || rule.op === 'not_started' ? `e.type in ('lesson.completed', 'course.completed')` : `e.type = 'course.completed'`;
      const parts = [`e.contact_id = c.id::text`, type];
      if (rule.courseId) {
        const id = rule.courseId.toLowerCase();
        uuidLit(id);
        parts.push(`(e.data->>'courseId' = ${lit(id)} or (e.subject_type = 'course' and e.subject_id = ${lit(id)}))`);
      }
      const has = `exists (select 1 from events e where ${parts.join(' and ')})`;
      return rule.op === 'started' || rule.op === 'completed' ? has : not(has);
    }
    case 'engagement': {
      // The mail module records email.opened / email.clicked with the contact as subject (so contact_id).
      const types =
        rule.op === 'opened' || rule.op === 'not_opened'
          ? `'email.opened'`
          : rule.op === 'clicked' || rule.op === 'not_clicked'
            ? `'email.clicked'`
            : `'email.opened', 'email.clicked'`;
      // events_contact_idx (contact_id, type, occurred_at) answers this per contact.
      const has = `exists (select 1 from events e where e.contact_id = c.id::text and e.type in (${types}) and e.occurred_at >= p.at - interval '${intLit(rule.days)} days')`;
      return rule.op.startsWith('not_') ? not(has) : has;
    }
    case 'group':
      if (depth >= MAX_DEPTH) throw invalid(`Segments can nest groups ${MAX_DEPTH} levels deep at most`);
      return combine(rule.match, rule.rules, depth + 1);
  }
  throw invalid('Unknown segment rule');
}

function combine(match: 'all' | 'any', rules: SegmentRule[], depth: number): string {
  if (rules.length === 0) return 'true';
  return rules.map((r) => `(${compileRule(r, depth)})`).join(match === 'all' ? ' and ' : ' or ');
}

/** The WHERE condition over `contacts c` and `p.at` for a set of rules. */
export function compileSegmentCondition(rules: SegmentRules): string {
  const parsed = segmentRulesSchema.parse(rules);
  return combine(parsed.match, parsed.rules, 0);
}

/** `from … where …` for a condition: contacts c, with p.at bound to $1. */
export function segmentFrom(condition: string): string {
  return `from contacts c cross join (select $1::timestamptz as at) p where ${condition}`;
}

/** The statement stored with a segment: the ids of its members at $1. */
export function compileSegmentSql(rules: SegmentRules): string {
  return `select c.id ${segmentFrom(compileSegmentCondition(rules))}`;
}

/** Ids a set of rules refers to (to show names and spot rules pointing at deleted things). */
export function referencedIds(rules: SegmentRules): { tagIds: string[]; listIds: string[] } {
  const tagIds = new Set<string>();
  const listIds = new Set<string>();
  const walk = (rs: SegmentRule[]) => {
    for (const r of rs) {
      if (r.type === 'tag') tagIds.add(r.tagId);
      else if (r.type === 'list') listIds.add(r.listId);
      else if (r.type === 'group') walk(r.rules);
    }
  };
  walk(rules.rules);
  return { tagIds: [...tagIds], listIds: [...listIds] };
}
