// Subscription metrics from checkout's read-only `subscriptionsView` (handed in by app.ts):
// MRR by Stripe's definition and its monthly movements per customer (ChartMogul's), logo and
// revenue churn, ARPA, LTV; payment plans apart. Definitions in docs/analytics.md
// ("Subscriptions"). Computed in memory: a business has thousands of subscriptions, not millions.
import type { ExecuteSql } from '../../db/client.js';

/** checkout's `subscriptionsView` relation (SQL text; columns in src/modules/checkout/revenue-view.ts). */
export type SubscriptionsView = string;

export interface SubscriptionFact {
  contactId: string;
  kind: 'subscription' | 'plan';
  status: string;
  amount: number;
  interval: 'month' | 'year';
  payingFrom: Date;
  endedAt: Date | null;
  instalmentsPaid: number;
  instalmentsTotal: number | null;
}

export interface MrrMonth {
  /** YYYY-MM */
  month: string;
  /** MRR at the start of the month and at its end (the current month: now) */
  startMrr: number;
  mrr: number;
  newMrr: number;
  expansion: number;
  contraction: number;
  churned: number;
  reactivation: number;
  startCustomers: number;
  customers: number;
  newCustomers: number;
  churnedCustomers: number;
  /** percent: churned customers ÷ customers at the start */
  logoChurnRate: number;
  /** percent: (churned + contraction MRR) ÷ MRR at the start */
  revenueChurnRate: number;
  /** MRR ÷ paying customers at the end */
  arpa: number;
  /** money received in the month (refunds not deducted) for subscriptions, and for everything else (one-time prices, payment plans) */
  recurringRevenue: number;
  oneTimeRevenue: number;
}

export interface SubscriptionMetrics {
  currency: string;
  mrr: number;
  customers: number;
  arpa: number;
  /** percent: churned customers ÷ customers at the start, over the complete months shown */
  logoChurnRate: number;
  /** ARPA ÷ monthly customer churn rate; null when no customer churned (it would be infinite) */
  ltv: number | null;
  months: MrrMonth[];
  plans: { running: number; completed: number; ended: number; completionRate: number; outstanding: number };
}

/** A subscription's monthly value: annual ÷ 12, rounded to the minor unit. */
export const monthlyValue = (s: Pick<SubscriptionFact, 'amount' | 'interval'>) => (s.interval === 'year' ? Math.round(s.amount / 12) : s.amount);

/** Stripe: active and past-due subscriptions count, trials do not, ended ones do not. Payment plans are not MRR. */
export function countsAt(s: SubscriptionFact, at: Date): boolean {
  return s.kind === 'subscription' && s.payingFrom <= at && (s.endedAt === null || s.endedAt > at);
}

/** Each customer's MRR at an instant. */
export function mrrByCustomer(subs: SubscriptionFact[], at: Date): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of subs) if (countsAt(s, at)) m.set(s.contactId, (m.get(s.contactId) ?? 0) + monthlyValue(s));
  return m;
}

const pct = (a: number, b: number) => (b ? Math.round((10_000 * a) / b) / 100 : 0);
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** Movements of one month, customer by customer: MRR at its start against MRR at its end. */
export function mrrMonth(subs: SubscriptionFact[], start: Date, end: Date): MrrMonth {
  const before = mrrByCustomer(subs, new Date(start.getTime() - 1));
  const after = mrrByCustomer(subs, end);
  const paidBefore = new Set(subs.filter((s) => s.kind === 'subscription' && s.payingFrom < start).map((s) => s.contactId));
  const m: MrrMonth = {
    month: start.toISOString().slice(0, 7), startMrr: sum(before), mrr: sum(after),
    newMrr: 0, expansion: 0, contraction: 0, churned: 0, reactivation: 0,
    startCustomers: before.size, customers: after.size, newCustomers: 0, churnedCustomers: 0, logoChurnRate: 0, revenueChurnRate: 0, arpa: 0,
    recurringRevenue: 0, oneTimeRevenue: 0,
  };
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(id) ?? 0;
    const b = after.get(id) ?? 0;
    if (a === 0 && b > 0) {
      if (paidBefore.has(id)) m.reactivation += b;
      else {
        m.newMrr += b;
        m.newCustomers++;
      }
    } else if (a > 0 && b === 0) {
      m.churned += a;
      m.churnedCustomers++;
    } else if (b > a) m.expansion += b - a;
    else if (b < a) m.contraction += a - b;
  }
  m.logoChurnRate = pct(m.churnedCustomers, m.startCustomers);
  m.revenueChurnRate = pct(m.churned + m.contraction, m.startMrr);
  m.arpa = m.customers ? Math.round(m.mrr / m.customers) : 0;
  return m;
}

/** The last `count` calendar months (UTC), the current one ending now. */
export function monthsUpTo(now: Date, count: number): { start: Date; end: Date; complete: boolean }[] {
  const out: { start: Date; end: Date; complete: boolean }[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i + 1, 1));
    out.push({ start, end: i === 0 ? now : new Date(next.getTime() - 1), complete: i > 0 });
  }
  return out;
}

export function subscriptionMetrics(subs: SubscriptionFact[], now: Date, monthCount: number, currency: string): SubscriptionMetrics {
  const spans = monthsUpTo(now, monthCount);
  const months = spans.map((s) => mrrMonth(subs, s.start, s.end));
  const complete = months.filter((_, i) => spans[i]!.complete);
  const churnedCustomers = complete.reduce((a, m) => a + m.churnedCustomers, 0);
  const startCustomers = complete.reduce((a, m) => a + m.startCustomers, 0);
  const current = months[months.length - 1]!;
  const logoChurnRate = pct(churnedCustomers, startCustomers);
  const plans = subs.filter((s) => s.kind === 'plan');
  const running = plans.filter((s) => s.endedAt === null && s.status !== 'completed');
  const completed = plans.filter((s) => s.status === 'completed').length;
  const ended = plans.filter((s) => s.endedAt !== null && s.status !== 'completed').length;
  return {
    currency,
    mrr: current.mrr,
    customers: current.customers,
    arpa: current.arpa,
    logoChurnRate,
    ltv: churnedCustomers ? Math.round((current.arpa * startCustomers) / churnedCustomers) : null,
    months,
    plans: {
      running: running.length,
      completed,
      ended,
      completionRate: pct(completed, completed + ended),
      outstanding: running.reduce((a, s) => a + Math.max(0, (s.instalmentsTotal ?? 0) - s.instalmentsPaid) * s.amount, 0),
    },
  };
}

interface FactRow {
  contact_id: string;
  kind: 'subscription' | 'plan';
  status: string;
  amount: number;
  interval: 'month' | 'year';
  paying_from: Date | string;
  ended_at: Date | string | null;
  instalments_paid: number;
  instalments_total: number | null;
}

export async function loadSubscriptions(exec: ExecuteSql, view: SubscriptionsView, currency: string): Promise<SubscriptionFact[]> {
  const res = await exec<FactRow>(`select contact_id, kind, status, amount, interval, paying_from, ended_at, instalments_paid, instalments_total from ${view} s where currency = $1`, [currency]);
  return res.rows.map((r) => ({
    contactId: r.contact_id, kind: r.kind, status: r.status, amount: r.amount, interval: r.interval,
    payingFrom: new Date(r.paying_from), endedAt: r.ended_at ? new Date(r.ended_at) : null,
    instalmentsPaid: r.instalments_paid, instalmentsTotal: r.instalments_total,
  }));
}

/** Payments per month (YYYY-MM): subscriptions' apart from one-time prices and payment plans. `view`: checkout's revenueView. */
export async function revenueByMonth(exec: ExecuteSql, view: string, from: Date, currency: string): Promise<Map<string, { recurring: number; oneTime: number }>> {
  const res = await exec<{ month: string; recurring: number | string; one_time: number | string }>(
    `select to_char(at at time zone 'UTC', 'YYYY-MM') as month,
            coalesce(sum(amount) filter (where price_type = 'subscription'), 0)::bigint as recurring,
            coalesce(sum(amount) filter (where price_type is distinct from 'subscription'), 0)::bigint as one_time
     from ${view} r where line = 'payment' and currency = $1 and at >= $2 group by 1`,
    [currency, from],
  );
  return new Map(res.rows.map((r) => [r.month, { recurring: Number(r.recurring), oneTime: Number(r.one_time) }]));
}
