// Funnels: 2–8 steps, each a page view (a path, `*` at the end for a prefix) or an event (a
// goal from the script or POST /api/event, or a business step the server records itself:
// form_submitted, checkout_started, order_paid, lesson_completed). Sequential, as Plausible's
// default: a visitor reaches step n when they did step n-1 and, at that moment or later, step n;
// other activity in between is allowed. A visitor is one day's visitor id (no cookies), so a
// funnel is counted within a day — a buyer who returns from the payment page is still the same.
import type { ExecuteSql } from '../../db/client.js';
import { dayEnd, dayStart, dimensionColumn, type Filter } from './dimensions.js';
import type { DayRange } from './queries.js';

export interface FunnelStep {
  kind: 'page' | 'event';
  /** a path (`/p/bowls`, `/learn/*`) or an event name */
  match: string;
}

export interface FunnelResult {
  steps: { label: string; visitors: number; conversionRate: number; dropOff: number }[];
  /** per source of the visit where step 1 happened: visitors at each step */
  bySource: { source: string; visitors: number[] }[];
}

function stepSql(step: FunnelStep, param: number): string {
  if (step.kind === 'event') return `e.name = $${param}`;
  return step.match.endsWith('*') ? `e.name = 'pageview' and e.path like $${param}` : `e.name = 'pageview' and e.path = $${param}`;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const stepValue = (step: FunnelStep) => (step.kind === 'page' && step.match.endsWith('*') ? `${likeEscape(step.match.slice(0, -1))}%` : step.match);

export async function computeFunnel(exec: ExecuteSql, range: DayRange, steps: FunnelStep[], filter: Filter | null): Promise<FunnelResult> {
  const values: unknown[] = [range.from, range.to];
  const filterSql = filter ? ` and e.${dimensionColumn[filter.dim]} = $${values.push(filter.value)}` : '';
  const scope = `e.at >= ${dayStart('$1')} and e.at < ${dayEnd('$2')}${filterSql}`;
  const ctes: string[] = [];
  steps.forEach((step, i) => {
    const p = values.push(stepValue(step));
    if (i === 0) {
      ctes.push(`s0 as (select distinct on (e.visitor_id) e.visitor_id, e.at, e.source from analytics_events e where ${scope} and ${stepSql(step, p)} order by e.visitor_id, e.at)`);
    } else {
      ctes.push(
        `s${i} as (select e.visitor_id, min(e.at) as at, min(prev.source) as source from analytics_events e join s${i - 1} prev on prev.visitor_id = e.visitor_id and e.at >= prev.at
                   where ${scope} and ${stepSql(step, p)} group by e.visitor_id)`,
      );
    }
  });
  const unions = steps.map((_, i) => `select ${i} as step, source, count(*)::int as n from s${i} group by source`).join(' union all ');
  const res = await exec<{ step: number; source: string; n: number }>(`with ${ctes.join(', ')} ${unions}`, values);
  const totals = steps.map((_, i) => res.rows.filter((r) => r.step === i).reduce((s, r) => s + r.n, 0));
  const sources = new Map<string, number[]>();
  for (const r of res.rows) {
    const row = sources.get(r.source) ?? steps.map(() => 0);
    row[r.step] = r.n;
    sources.set(r.source, row);
  }
  const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : 0);
  return {
    steps: steps.map((s, i) => ({
      label: `${s.kind === 'page' ? 'Visited' : 'Event'} ${s.match}`,
      visitors: totals[i]!,
      conversionRate: pct(totals[i]!, totals[0]!),
      dropOff: i === 0 ? 0 : pct(totals[i - 1]! - totals[i]!, totals[i - 1]!),
    })),
    bySource: [...sources].map(([source, visitors]) => ({ source, visitors })).sort((a, b) => b.visitors[0]! - a.visitors[0]!),
  };
}

/** A saved funnel: a name the team chose and its steps. */
export interface SavedFunnel {
  id: string;
  name: string;
  steps: FunnelStep[];
  createdAt: string;
}

export const stepText = (s: FunnelStep) => `${s.kind}:${s.match}`;

interface FunnelRow {
  id: string;
  name: string;
  steps: FunnelStep[] | string;
  created_at: Date | string;
}

const toSaved = (r: FunnelRow): SavedFunnel => ({
  id: r.id,
  name: r.name,
  steps: typeof r.steps === 'string' ? (JSON.parse(r.steps) as FunnelStep[]) : r.steps,
  createdAt: new Date(r.created_at).toISOString(),
});

export async function listFunnels(exec: ExecuteSql): Promise<SavedFunnel[]> {
  return (await exec<FunnelRow>(`select id, name, steps, created_at from analytics_funnels order by name`)).rows.map(toSaved);
}

export async function getFunnel(exec: ExecuteSql, id: string): Promise<SavedFunnel | null> {
  const r = (await exec<FunnelRow>(`select id, name, steps, created_at from analytics_funnels where id = $1`, [id])).rows[0];
  return r ? toSaved(r) : null;
}

/** Saves a funnel, or replaces the steps of the one with that name; null when `id` is given and does not exist. */
export async function saveFunnel(exec: ExecuteSql, f: { id?: string; name: string; steps: FunnelStep[] }, at: Date): Promise<SavedFunnel | null> {
  const steps = JSON.stringify(f.steps.map((s) => ({ kind: s.kind, match: s.match })));
  const res = f.id
    ? await exec<FunnelRow>(`update analytics_funnels set name = $2, steps = $3::jsonb where id = $1 returning id, name, steps, created_at`, [f.id, f.name, steps])
    : await exec<FunnelRow>(
        `insert into analytics_funnels (name, steps, created_at) values ($1, $2::jsonb, $3)
         on conflict (name) do update set steps = excluded.steps returning id, name, steps, created_at`,
        [f.name, steps, at],
      );
  return res.rows[0] ? toSaved(res.rows[0]) : null;
}

export async function deleteFunnel(exec: ExecuteSql, id: string): Promise<boolean> {
  return (await exec(`delete from analytics_funnels where id = $1`, [id])).rowCount > 0;
}
