// The 90-day absence forecast (Built to Sell's Hub-and-Spoke question, answered from the log):
// if the owner stopped today for 90 days, what stops, what goes stale, what piles up, and what
// revenue keeps coming in.
//
// The revenue model (documented in docs/owner.md), over the last 12 weeks of the log:
// - Owner-driven revenue: money received in the 4 days (the day and 3 after) that follow a
//   broadcast the owner sent or a product the owner published, above the evergreen baseline of
//   those days. It stops when the owner does.
// - Evergreen revenue: every other first payment (funnels, automations, search traffic). It
//   continues with its own trend: the least-squares slope of its weekly totals, as a weekly
//   growth rate clamped to [-10 %, +5 %], compounded over the 13 weeks.
// - Recurring revenue: renewals and instalments, continuing at their weekly mean.
// - Range: ±1.645 weekly standard deviations of evergreen revenue × √13 (a 90 % band under
//   independent weeks), and the low end also takes 10 % off evergreen revenue when courses go
//   stale during the absence (content that ages sells less; an assumption, stated as such).
// Everything runs on the injected clock, so a test sets "today" and gets the same forecast.
import { addDays } from './dates.js';
import type { OwnerProcess } from './meter.js';

export const ABSENCE_DAYS = 90;
const WEEKS = 13;

export interface ForecastInput {
  today: string;
  /** daily money received, split: first payments vs renewals/instalments, over the last 84 days (oldest first, every day present) */
  days: { day: string; firstPayments: number; recurring: number }[];
  currency: string;
  /** days the owner sent a broadcast or published a product */
  ownerPushDays: string[];
  processes: OwnerProcess[];
  courses: { id: string; title: string; dueAt: string }[];
  approvals: { pending: number; requestedPerWeek: number };
  scheduledSends: { id: string; name: string; at: string }[];
}

export interface Forecast {
  today: string;
  until: string;
  currency: string;
  revenue: {
    expected: number;
    low: number;
    high: number;
    /** what the last 90 days brought, for comparison */
    lastPeriod: number;
    evergreenWeekly: number;
    recurringWeekly: number;
    ownerDrivenWeekly: number;
    weeklyTrendPct: number;
  };
  stops: { type: string; ownerShare: number; fix: string }[];
  coursesGoingStale: { id: string; title: string; dueAt: string }[];
  approvalsPilingUp: number;
  scheduledSends: { id: string; name: string; at: string }[];
  /** the last day a scheduled send goes out; null when none is scheduled */
  sendsRunOutOn: string | null;
  model: string;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : 0);
/** Least-squares slope of ys against 0, 1, 2 … */
const slopeOf = (ys: number[]) => {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = mean(ys);
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return den ? num / den : 0;
};
const stddev = (xs: number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(sum(xs.map((x) => (x - m) ** 2)) / (xs.length - 1));
};

export function forecastAbsence(input: ForecastInput): Forecast {
  const until = addDays(input.today, ABSENCE_DAYS);
  const push = new Set<string>();
  for (const d of input.ownerPushDays) for (let i = 0; i <= 3; i++) push.add(addDays(d, i));
  const quiet = input.days.filter((d) => !push.has(d.day));
  const baseline = quiet.length ? mean(quiet.map((d) => d.firstPayments)) : mean(input.days.map((d) => d.firstPayments));
  // A pushed day's revenue above the baseline is owner-driven; the baseline part is evergreen.
  let ownerDriven = 0;
  const evergreenDaily = input.days.map((d) => {
    if (!push.has(d.day)) return d.firstPayments;
    const excess = Math.max(0, d.firstPayments - baseline);
    ownerDriven += excess;
    return d.firstPayments - excess;
  });
  const weeks = Math.max(1, Math.floor(input.days.length / 7));
  const weekly: number[] = [];
  for (let w = 0; w < weeks; w++) weekly.push(sum(evergreenDaily.slice(w * 7, w * 7 + 7)));
  const evergreenWeekly = mean(weekly);
  const slope = weekly.length >= 3 ? slopeOf(weekly) : 0;
  const trend = evergreenWeekly ? Math.min(0.05, Math.max(-0.1, slope / evergreenWeekly)) : 0;
  const recurringWeekly = (sum(input.days.map((d) => d.recurring)) / input.days.length) * 7 || 0;
  const last = weekly[weekly.length - 1] ?? evergreenWeekly;
  // Start from the fitted level of the last week (not the mean, which lags a trend).
  const level = weekly.length >= 3 ? Math.max(0, evergreenWeekly + slope * ((weekly.length - 1) / 2)) : last;
  let evergreen = 0;
  for (let w = 1; w <= WEEKS; w++) evergreen += level * (1 + trend) ** w;
  evergreen *= ABSENCE_DAYS / (WEEKS * 7);
  const recurring = recurringWeekly * (ABSENCE_DAYS / 7);
  const expected = evergreen + recurring;
  const band = 1.645 * stddev(weekly) * Math.sqrt(WEEKS);
  const coursesGoingStale = input.courses.filter((c) => c.dueAt <= until).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const stalePenalty = coursesGoingStale.length ? 0.1 * evergreen : 0;
  const scheduled = input.scheduledSends.filter((s) => s.at >= input.today).sort((a, b) => a.at.localeCompare(b.at));
  const lastPeriod = (sum(input.days.map((d) => d.firstPayments + d.recurring)) * ABSENCE_DAYS) / Math.max(1, input.days.length);
  return {
    today: input.today,
    until,
    currency: input.currency,
    revenue: {
      expected: Math.round(expected),
      low: Math.max(0, Math.round(expected - band - stalePenalty)),
      high: Math.round(expected + band),
      lastPeriod: Math.round(lastPeriod),
      evergreenWeekly: Math.round(evergreenWeekly),
      recurringWeekly: Math.round(recurringWeekly),
      ownerDrivenWeekly: Math.round(ownerDriven / weeks),
      weeklyTrendPct: Math.round(trend * 1000) / 10,
    },
    stops: input.processes.map((p) => ({ type: p.type, ownerShare: p.ownerShare, fix: p.fix.text })),
    coursesGoingStale,
    approvalsPilingUp: Math.round(input.approvals.pending + input.approvals.requestedPerWeek * WEEKS),
    scheduledSends: scheduled,
    sendsRunOutOn: scheduled.length ? scheduled[scheduled.length - 1]!.at.slice(0, 10) : null,
    model:
      'Evergreen first payments continue with their 12-week trend; renewals and instalments continue; revenue in the 4 days after the owner\'s broadcasts and launches (above the usual level) stops. 90 % band from the weekly spread; the low end takes 10 % off evergreen revenue when courses go stale.',
  };
}
