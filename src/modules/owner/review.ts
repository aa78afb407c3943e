// The weekly review: one page (and one Monday email) with the KPIs against the usual week,
// "what moved" in at most five lines, what ran without the owner, at most seven decisions
// ranked with their data and one-click actions, last week's decisions (done or carried over)
// and a report per assistant compiled from the event log.
//
// The review's week is the last complete Monday-to-Sunday week in the owner's time zone; its
// decisions are filed under the current Monday (the day the owner reads it).
import type { ActorKind } from '../../actor.js';
import { addDays, dayIn, lastWeeks, mondayOf } from './dates.js';
import { classifyFourD, type WeeklyCount } from './meter.js';
import type { OwnerService } from './service.js';
import type { AlertView, EscalatedConversation, Meter, OverdueOccurrence, OwnerDeps, OwnerSettingsView, PendingApproval, ReviewSeries } from './types.js';
import { assignableRoles } from '../../permissions.js';
import type { ShareRisk } from './meter.js';

export const MAX_DECISIONS = 7;
export const MAX_MOVED = 5;

export interface ReviewKpi {
  key: string;
  label: string;
  unit: 'count' | 'money' | 'rate';
  direction: 'up_is_good' | 'down_is_good';
  week: number;
  /** the median of the four weeks before */
  usual: number;
  changePct: number | null;
  /** twelve weekly values, oldest first (the sparkline) */
  weeks: number[];
}

export type DecisionAction =
  | { kind: 'approve' | 'refuse'; label: string; method: 'POST'; url: string }
  | { kind: 'mark_reviewed' | 'acknowledge'; label: string; method: 'POST'; url: string }
  | { kind: 'accept_delegation'; label: string; method: 'POST'; url: string; body: { eventType: string; role: string } }
  | { kind: 'reassign'; label: string; method: 'POST'; url: string; body: { conversationId: string } | { taskOccurrenceId: string } | { approvalId: string }; choices: ReassignChoice[] }
  | { kind: 'open'; label: string; href: string };

/**
 * Someone a decision's work can go to. A person's id goes in the body as `assigneeId`; a role
 * (tasks only: whoever holds it) has `role:<role>` as id and goes as `assigneeRole`.
 */
export interface ReassignChoice { id: string; name: string; role: string }

export interface Decision {
  key: string;
  kind: 'approval' | 'alert' | 'course_review' | 'automation' | 'delegation' | 'conversation' | 'task';
  rank: number;
  title: string;
  why: string;
  /** what is needed to decide, on the same screen */
  facts: { label: string; value: string }[];
  actions: DecisionAction[];
  /** shown in an earlier week and still open */
  carried: boolean;
}

export interface AssistantReport {
  id: string;
  name: string;
  role: string;
  operations: number;
  top: { type: string; n: number }[];
  tasksDone: number;
  escalations: number;
  /** median first-response time in minutes from support events that carry one; null when none */
  medianResponseMinutes: number | null;
}

export interface WeeklyReview {
  week: { from: string; to: string };
  reviewWeek: string;
  timeZone: string;
  settings: OwnerSettingsView;
  kpis: ReviewKpi[];
  whatMoved: string[];
  withoutOwner: {
    operations: Record<ActorKind, number>;
    ownerShare: number;
    revenue: { amount: number; currency: string } | null;
    ownerMinutes: number;
    budgetMinutes: number;
  };
  decisions: Decision[];
  lastWeek: { key: string; title: string; status: 'done' | 'carried' | 'open' }[];
  assistants: AssistantReport[];
  meter: Meter;
  concentration: ShareRisk[];
  alerts: AlertView[];
}

const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Weekly values of a series over `weeks` (Mondays): sums for counts and money, denominator-weighted means for rates. */
export function weeklyValues(s: ReviewSeries, weeks: string[]): number[] {
  const idx = new Map(weeks.map((w, i) => [w, i]));
  const sum = weeks.map(() => 0);
  const den = weeks.map(() => 0);
  for (const p of s.points) {
    const i = idx.get(mondayOf(p.day));
    if (i === undefined) continue;
    if (s.unit === 'rate') {
      const d = p.denominator ?? 1;
      sum[i] = sum[i]! + p.value * d;
      den[i] = den[i]! + d;
    } else sum[i] = sum[i]! + p.value;
  }
  return sum.map((v, i) => (s.unit === 'rate' ? (den[i] ? v / den[i]! : 0) : v));
}

export function reviewKpi(s: ReviewSeries, weeks: string[]): ReviewKpi {
  const values = weeklyValues(s, weeks);
  const week = values[values.length - 1]!;
  const usual = median(values.slice(-5, -1));
  return { key: s.key, label: s.label, unit: s.unit, direction: s.direction, week, usual, changePct: usual ? Math.round(((week - usual) / usual) * 1000) / 10 : null, weeks: values };
}

/** Money series are in major units (kpi-series.ts); the label names the currency. */
const fmt = (k: Pick<ReviewKpi, 'unit'>, v: number, currency = '') =>
  k.unit === 'rate' ? `${(v * 100).toFixed(1)} %` : k.unit === 'money' ? `${v.toLocaleString('en-US', { maximumFractionDigits: 0 })}${currency ? ` ${currency}` : ''}` : Math.round(v).toLocaleString('en-US');

/**
 * At most five lines: open decline alerts first (they are the signal), then the dimensioned
 * series that moved most against their usual week (at least 25 % and a volume worth naming).
 */
export function whatMoved(series: ReviewSeries[], weeks: string[], alerts: AlertView[]): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const a of alerts.filter((a) => a.detector === 'sudden_drop' || a.detector === 'slow_decline')) {
    if (seen.has(a.key)) continue;
    seen.add(a.key);
    lines.push(a.detail.startsWith(a.label) ? a.detail : `${a.label}: ${a.detail}`);
  }
  const movers = series
    .filter((s) => s.dimension && !seen.has(s.key))
    .map((s) => reviewKpi(s, weeks))
    .filter((k) => k.changePct !== null && Math.abs(k.changePct) >= 25 && (k.unit !== 'count' || Math.max(k.week, k.usual) >= 20))
    .sort((a, b) => Math.abs(b.changePct!) - Math.abs(a.changePct!));
  for (const k of movers) {
    const dir = k.changePct! < 0 ? 'below' : 'above';
    lines.push(`${k.label}: ${fmt(k, k.week)}, ${Math.abs(k.changePct!)} % ${dir} your usual week (${fmt(k, k.usual)})`);
  }
  return lines.slice(0, MAX_MOVED);
}

const detectorRank: Record<string, number> = { sudden_drop: 90, automation_health: 80, mail_guard: 75, slow_decline: 60, sla_breach: 55, broken_link: 35 };

/** Ranks every candidate and keeps at most seven. */
export function rankDecisions(input: {
  approvals: PendingApproval[];
  alerts: AlertView[];
  processes: Meter['processes'];
  carriedKeys: Set<string>;
  staffName: (id: string | null) => string;
  /** conversations past their SLA, not reassigned since (support) */
  escalated?: EscalatedConversation[];
  /** who may take a conversation over (owner, admins, support) */
  responders?: { id: string; name: string; role: string }[];
  /** task occurrences past their due time, not reassigned since (tasks), oldest first */
  overdueTasks?: OverdueOccurrence[];
  /** the active team: who may take a task over (and, the admins among them, an approval) */
  team?: { id: string; name: string; role: string }[];
}): Decision[] {
  const team = input.team ?? [];
  const out: (Omit<Decision, 'rank' | 'carried'> & { score: number })[] = [];
  // Escalated conversations, oldest breach first: a person must take each over. Between slow
  // declines (60) and the SLA summary alert (55); at most three, the summary alert counts the rest.
  for (const c of (input.escalated ?? []).slice(0, 3)) {
    const who = c.assigneeId ? input.staffName(c.assigneeId) : 'nobody';
    out.push({
      key: `conversation:${c.id}`, kind: 'conversation', score: 58,
      title: `Conversation #${c.number} waited past its SLA`, why: `Assigned to ${who}; the customer is still waiting`,
      facts: [
        { label: 'Subject', value: c.subject || '(no subject)' },
        { label: 'Customer', value: c.email },
        { label: 'Assigned to', value: who },
        { label: 'Past the SLA since', value: c.breachedAt.toISOString().slice(0, 16).replace('T', ' ') },
      ],
      actions: [
        { kind: 'reassign', label: 'Reassign', method: 'POST', url: '/api/owner/reassign', body: { conversationId: c.id }, choices: (input.responders ?? []).filter((p) => p.id !== c.assigneeId) },
        { kind: 'open', label: 'Open the conversation', href: `/inbox/${c.id}` },
      ],
    });
  }
  // Overdue tasks, the two oldest: someone must do what slipped. Above suggested delegations
  // (30–39), below stale courses (40+): a slipped routine matters less than a course going stale.
  // The longer overdue first (not by id: two tasks' order must not depend on their uuids).
  for (const o of (input.overdueTasks ?? []).slice(0, 2)) {
    const who = o.assigneeUserId ? input.staffName(o.assigneeUserId) : `the ${o.assigneeRole ?? '?'} role`;
    out.push({
      key: `task:${o.occurrenceId}`, kind: 'task', score: 39.1 + Math.min(0.8, o.daysOverdue / 40),
      title: `Task "${o.title}" is overdue`, why: `${who[0]!.toUpperCase()}${who.slice(1)} has not done it; due ${o.dueOn}`,
      facts: [
        { label: 'Assigned to', value: who },
        { label: 'Due', value: o.dueOn },
        { label: 'Overdue for', value: `${o.daysOverdue} day${o.daysOverdue === 1 ? '' : 's'}` },
      ],
      actions: [
        {
          kind: 'reassign', label: 'Reassign', method: 'POST', url: '/api/owner/reassign', body: { taskOccurrenceId: o.occurrenceId },
          choices: [
            ...team.filter((p) => p.id !== o.assigneeUserId),
            ...assignableRoles.filter((r) => o.assigneeUserId || r !== o.assigneeRole).map((r) => ({ id: `role:${r}`, name: `Anyone in ${r}`, role: r })),
          ],
        },
        { kind: 'open', label: 'Open the tasks', href: '/tasks' },
      ],
    });
  }
  const admins = team.filter((p) => p.role === 'admin');
  for (const a of input.approvals) {
    const handedTo = admins.find((p) => p.id === a.delegatedToId);
    out.push({
      key: `approval:${a.id}`, kind: 'approval', score: a.urgent ? 100 : 70,
      title: a.title, why: a.urgent ? 'Urgent request waiting for you' : `Asked by ${input.staffName(a.requestedBy.id)}`,
      facts: [
        ...(a.summary ? [{ label: 'Summary', value: a.summary }] : []),
        { label: 'Kind', value: a.kind },
        { label: 'Asked by', value: `${input.staffName(a.requestedBy.id)}${a.requestedBy.role ? ` (${a.requestedBy.role})` : ''}` },
        { label: 'Waiting since', value: a.createdAt.toISOString().slice(0, 10) },
        ...Object.entries((a.data ?? {}) as Record<string, unknown>).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)).slice(0, 4).map(([k, v]) => ({ label: k, value: String(v) })),
        ...(a.delegatedToId ? [{ label: 'Handed to', value: `${handedTo?.name ?? input.staffName(a.delegatedToId)} on ${a.delegatedAt?.toISOString().slice(0, 10) ?? '?'}, still undecided` }] : []),
      ],
      actions: [
        { kind: 'approve', label: 'Approve', method: 'POST', url: `/api/approvals/${a.id}/approve` },
        { kind: 'refuse', label: 'Refuse', method: 'POST', url: `/api/approvals/${a.id}/refuse` },
        ...(admins.some((p) => p.id !== a.delegatedToId)
          ? [{ kind: 'reassign' as const, label: 'Hand over', method: 'POST' as const, url: '/api/owner/reassign', body: { approvalId: a.id }, choices: admins.filter((p) => p.id !== a.delegatedToId) }]
          : []),
      ],
    });
  }
  // A total whose part fell the same way (visitors and visitors:Google, both a sudden drop) is one
  // decision: the part's alert names the cause; the total's stays in the alerts list.
  const explained = (a: AlertView) => !a.key.includes(':') && input.alerts.some((b) => b.detector === a.detector && b.key.startsWith(`${a.key}:`));
  // A series that fell overnight and stays down (sudden drop, then slow decline of the same key) is
  // one decision: the drop's. When the inbox lists its escalated conversations (even none), the
  // summary of SLA breaches is not a decision: each waiting conversation is one, and a breach on a
  // conversation answered or reassigned since has nothing left to decide (a summary that came back
  // once the last one was reassigned would undo the click). Both stay in the alerts.
  const droppedToo = (a: AlertView) => a.detector === 'slow_decline' && input.alerts.some((b) => b.detector === 'sudden_drop' && b.key === a.key);
  const conversationsListed = input.escalated !== undefined;
  for (const a of input.alerts) {
    if ((a.detector === 'sudden_drop' || a.detector === 'slow_decline') && explained(a)) continue;
    if (droppedToo(a) || (a.detector === 'sla_breach' && conversationsListed)) continue;
    if (a.detector === 'course_overdue') {
      out.push({
        key: `course:${a.key}`, kind: 'course_review', score: 40 + Math.min(15, (a.observed ?? 0) / 60),
        title: `${a.label} needs a review`, why: a.detail,
        facts: [{ label: 'Not reviewed for', value: `${a.observed ?? '?'} days` }],
        actions: [
          { kind: 'mark_reviewed', label: 'Mark reviewed', method: 'POST', url: `/api/learning/courses/${a.key}/reviewed` },
          { kind: 'open', label: 'Open the course', href: `/courses/${a.key}` },
        ],
      });
    } else if (a.detector === 'automation_health') {
      out.push({
        key: `workflow:${a.key}`, kind: 'automation', score: detectorRank[a.detector]!,
        title: `${a.label} is failing`, why: a.detail,
        facts: [{ label: 'Failed runs', value: String(a.observed ?? 0) }],
        actions: [
          { kind: 'open', label: 'Open the automation', href: a.link ?? `/automations/${a.key}` },
          { kind: 'acknowledge', label: 'Acknowledge', method: 'POST', url: `/api/owner/alerts/${a.id}/acknowledge` },
        ],
      });
    } else {
      out.push({
        key: `alert:${a.detector}:${a.key}`, kind: 'alert', score: detectorRank[a.detector] ?? 50,
        title: a.label, why: a.detail,
        facts: [
          ...(a.observed !== null ? [{ label: 'Observed', value: String(Math.round(a.observed * 100) / 100) }] : []),
          ...(a.expected !== null ? [{ label: 'Usual', value: String(Math.round(a.expected * 100) / 100) }] : []),
          ...(a.changePct !== null ? [{ label: 'Change', value: `${Math.round(a.changePct * 10) / 10} %` }] : []),
          { label: 'Since', value: a.day },
        ],
        actions: [
          ...(a.link ? [{ kind: 'open' as const, label: 'Open', href: a.link }] : []),
          { kind: 'acknowledge', label: 'Acknowledge', method: 'POST', url: `/api/owner/alerts/${a.id}/acknowledge` },
        ],
      });
    }
  }
  for (const p of input.processes.filter((p) => p.fix.kind === 'delegate').slice(0, 2)) {
    const role = p.fix.kind === 'delegate' ? p.fix.role : 'admin';
    out.push({
      key: `delegate:${p.type}`, kind: 'delegation', score: 30 + Math.min(9, p.owner / 10),
      title: `Hand "${p.type}" to the ${role} role`, why: `You did ${Math.round(p.ownerShare * 100)} % of it (${p.owner} times in four weeks)`,
      facts: [{ label: 'Suggested', value: p.fix.text }, ...(p.fix.kind === 'delegate' && p.fix.limit ? [{ label: 'Limit', value: p.fix.limit }] : [])],
      actions: [{ kind: 'accept_delegation', label: 'Accept the delegation', method: 'POST', url: '/api/owner/delegations', body: { eventType: p.type, role } }],
    });
  }
  return out
    .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
    .slice(0, MAX_DECISIONS)
    .map(({ score: _s, ...d }, i) => ({ ...d, rank: i + 1, carried: input.carriedKeys.has(d.key) }));
}

/** One report per assistant, from their operations of the week. */
export function assistantReports(counts: WeeklyCount[], week: string, staff: { id: string; name: string; role: string }[], responses: Map<string, number[]>): AssistantReport[] {
  return staff
    .filter((u) => u.role !== 'owner')
    .map((u) => {
      const mine = counts.filter((c) => c.week === week && c.actorKind === 'assistant' && c.actorId === u.id);
      const byType = new Map<string, number>();
      for (const c of mine) byType.set(c.type, (byType.get(c.type) ?? 0) + c.n);
      const n = (pred: (t: string) => boolean) => [...byType].filter(([t]) => pred(t)).reduce((s, [, v]) => s + v, 0);
      const r = responses.get(u.id) ?? [];
      return {
        id: u.id,
        name: u.name,
        role: u.role,
        operations: [...byType.values()].reduce((a, b) => a + b, 0),
        top: [...byType].filter(([t]) => classifyFourD(t) !== null || t.startsWith('approval.')).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([type, n]) => ({ type, n })),
        tasksDone: n((t) => t === 'task.completed' || t === 'task.done'),
        escalations: n((t) => t === 'approval.requested'),
        medianResponseMinutes: r.length ? Math.round(median(r) / 60) : null,
      };
    });
}

export interface ReviewInputs {
  series: ReviewSeries[];
  approvals: PendingApproval[];
}

/** Builds the review of the current week (and tracks its decisions). */
export async function buildReview(owner: OwnerService, deps: OwnerDeps, inputs: ReviewInputs): Promise<WeeklyReview> {
  const timeZone = await owner.timeZone();
  const today = dayIn(deps.clock.now(), timeZone);
  const reviewWeek = mondayOf(today);
  const lastWeek = addDays(reviewWeek, -7);
  const weeks = lastWeeks(lastWeek, 12);
  const [meter, settings, openAlerts, staff, concentration, freshness] = await Promise.all([
    owner.meter({ weeks: 12 }),
    owner.getSettings(),
    owner.listAlerts({ status: 'open' }),
    deps.staff(),
    owner.concentrationRisks(deps.sources.concentration),
    deps.sources.learning.freshness(),
  ]);
  // A course reviewed since the daily check leaves the decisions at once (the next check resolves its alert).
  const now = deps.clock.now().getTime();
  const stale = new Set(freshness.filter((c) => c.type === 'course' && (c.overdue || now - c.lastReviewedAt.getTime() > settings.courseReviewDays * 86_400_000)).map((c) => c.id));
  // Alerts handed to a role by a delegation are its tasks (made by the daily check), not decisions.
  const handed = await owner.handedDetectors();
  const alerts = openAlerts.filter((a) => (a.detector !== 'course_overdue' || stale.has(a.key)) && !handed.has(a.detector));
  const counts = await owner.weeklyCounts(lastWeek, timeZone, addDays(lastWeek, 6));
  const ops: Record<ActorKind, number> = { owner: 0, assistant: 0, automation: 0, customer: 0, system: 0 };
  for (const c of counts) ops[c.actorKind] += c.n;
  const work = ops.owner + ops.assistant + ops.automation;
  const names = new Map(staff.map((u) => [u.id, u.name]));
  const open = await owner.openDecisionKeys();
  const escalated = await deps.sources.support.escalated(new Date(now - 7 * 86_400_000));
  const responders = staff.filter((u) => u.role === 'owner' || u.role === 'admin' || u.role === 'support').map((u) => ({ id: u.id, name: u.name, role: u.role }));
  // An overdue task the owner (or a manager) gave to someone else after it fell due is dealt with.
  const overdue = await deps.sources.tasks.overdue(deps.clock.now());
  const reassigned = await owner.lastReassigned([...new Set(overdue.map((o) => o.taskId))]);
  const overdueTasks = overdue.filter((o) => {
    const at = reassigned.get(o.taskId);
    return !at || at < o.dueAt;
  });
  // An approval handed to an admin is theirs for a week; still pending after that, it comes back.
  const approvals = inputs.approvals.filter((a) => !a.delegatedAt || now - a.delegatedAt.getTime() >= 7 * 86_400_000);
  const decisions = rankDecisions({
    approvals, alerts, processes: meter.processes, carriedKeys: open.before(reviewWeek), staffName: (id) => (id && names.get(id)) || 'someone',
    escalated, responders, overdueTasks, team: staff.map((u) => ({ id: u.id, name: u.name, role: u.role })),
  });
  const tracked = await owner.trackDecisions(reviewWeek, decisions.map((d) => ({ key: d.key, kind: d.kind, title: d.title, rank: d.rank })));
  const lastWeekMeter = meter.weeks.find((w) => w.week === lastWeek);
  return {
    week: { from: lastWeek, to: addDays(lastWeek, 6) },
    reviewWeek,
    timeZone,
    settings,
    kpis: inputs.series.filter((s) => !s.dimension).map((s) => reviewKpi(s, weeks)),
    whatMoved: whatMoved(inputs.series, weeks, alerts),
    withoutOwner: {
      operations: ops,
      ownerShare: work ? ops.owner / work : 0,
      revenue: await owner.revenueWithoutOwner(lastWeek, addDays(lastWeek, 6), timeZone),
      ownerMinutes: lastWeekMeter?.ownerMinutes ?? 0,
      budgetMinutes: settings.budgetMinutes,
    },
    decisions,
    lastWeek: tracked.lastWeek,
    assistants: assistantReports(counts, lastWeek, staff, await owner.responseTimes(lastWeek, addDays(lastWeek, 6), timeZone)),
    meter,
    concentration,
    alerts,
  };
}

/** The review with its inputs read: KPI series (12 weeks and a day) and pending approvals. */
export async function composeReview(owner: OwnerService, deps: OwnerDeps, loadSeries: (q: { today: string; days: number; timeZone: string }) => Promise<ReviewSeries[]>): Promise<WeeklyReview> {
  const timeZone = await owner.timeZone();
  const today = dayIn(deps.clock.now(), timeZone);
  const [series, approvals] = await Promise.all([loadSeries({ today, days: 12 * 7 + 7, timeZone }), deps.sources.approvals.pending()]);
  return buildReview(owner, deps, { series, approvals });
}

const money = (m: { amount: number; currency: string } | null) => (m ? `${(m.amount / 100).toLocaleString('en-US', { maximumFractionDigits: 0 })} ${m.currency}` : 'none');

/** The Monday email: the same review in a few plain lines, with a link to the page. */
export function reviewMail(r: WeeklyReview, publicUrl: string): { subject: string; text: string; html: string } {
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const lines = [
    `Your weekly review, ${r.week.from} to ${r.week.to}`,
    '',
    ...(r.kpis.length ? ['The numbers', ...r.kpis.map((k) => `- ${k.label}: ${fmt(k, k.week)}${k.changePct !== null ? ` (${k.changePct > 0 ? '+' : ''}${k.changePct} % against your usual week)` : ''}`), ''] : []),
    ...(r.whatMoved.length ? ['What moved', ...r.whatMoved.map((l) => `- ${l}`), ''] : []),
    'What ran without you',
    `- ${r.withoutOwner.operations.automation} operations by automations, ${r.withoutOwner.operations.assistant} by assistants, ${r.withoutOwner.operations.owner} by you (${pct(r.withoutOwner.ownerShare)})`,
    `- Revenue with no action of yours: ${money(r.withoutOwner.revenue)}`,
    `- Your time in the admin: ${r.withoutOwner.ownerMinutes} min of a ${r.withoutOwner.budgetMinutes} min budget`,
    '',
    r.decisions.length ? `${r.decisions.length} decision${r.decisions.length === 1 ? '' : 's'} for you` : 'Nothing needs a decision this week.',
    ...r.decisions.map((d) => `${d.rank}. ${d.title}${d.carried ? ' (carried over)' : ''} — ${d.why}`),
    '',
    `Open the review: ${publicUrl.replace(/\/$/, '')}/admin/review`,
  ];
  const text = lines.join('\n');
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const html = lines.map((l) => (l === '' ? '' : `<p style="margin:0 0 6px">${esc(l)}</p>`)).join('\n');
  return { subject: `Weekly review: ${r.decisions.length} decision${r.decisions.length === 1 ? '' : 's'}, ${pct(1 - r.withoutOwner.ownerShare)} ran without you`, text, html };
}
