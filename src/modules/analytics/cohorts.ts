// Monthly buyer cohorts from checkout's `revenueView`: customers grouped by the month of their
// first order; per month since, the share who have ordered again and the money per customer so
// far. Definitions in docs/analytics.md ("Buyer cohorts").
import type { ExecuteSql } from '../../db/client.js';

export interface CohortRow {
  /** YYYY-MM of the first order */
  cohort: string;
  customers: number;
  /** index k = months since the first order (0 = that month), up to the current month */
  cells: { repeatRate: number; revenuePerCustomer: number }[];
}

/** One customer's orders and net money in one month. */
export interface CustomerMonth {
  contactId: string;
  month: string;
  orders: number;
  net: number;
}

const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;

/**
 * Cohorts of the last `count` months up to `current` (YYYY-MM). Repeat rate at k: the share of
 * the cohort with 2 orders or more by the end of month k; revenue per customer at k: the
 * cohort's net money (payments − refunds, renewals included) up to the end of month k ÷ its size.
 */
export function buildCohorts(rows: CustomerMonth[], current: string, count: number): CohortRow[] {
  const byContact = new Map<string, CustomerMonth[]>();
  for (const r of rows) byContact.set(r.contactId, [...(byContact.get(r.contactId) ?? []), r]);
  const now = monthIndex(current);
  const cohorts = new Map<number, { customers: number; repeat: number[]; net: number[] }>();
  for (const months of byContact.values()) {
    const first = Math.min(...months.filter((m) => m.orders > 0).map((m) => monthIndex(m.month)));
    if (!Number.isFinite(first) || first <= now - count) continue;
    const span = now - first + 1;
    const c = cohorts.get(first) ?? { customers: 0, repeat: Array(span).fill(0), net: Array(span).fill(0) };
    c.customers++;
    let orders = 0;
    let net = 0;
    const sorted = [...months].sort((a, b) => monthIndex(a.month) - monthIndex(b.month));
    for (let k = 0, i = 0; k < span; k++) {
      while (i < sorted.length && monthIndex(sorted[i]!.month) <= first + k) {
        orders += sorted[i]!.orders;
        net += sorted[i]!.net;
        i++;
      }
      if (orders >= 2) c.repeat[k]!++;
      c.net[k]! += net;
    }
    cohorts.set(first, c);
  }
  return [...cohorts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([idx, c]) => ({
      cohort: `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`,
      customers: c.customers,
      cells: c.repeat.map((r, k) => ({ repeatRate: Math.round((1000 * r) / c.customers) / 10, revenuePerCustomer: Math.round(c.net[k]! / c.customers) })),
    }));
}

/** Orders (first payments of checkout orders and upsells) and net money per customer per month. `view`: checkout's revenueView. */
export async function loadCustomerMonths(exec: ExecuteSql, view: string, currency: string): Promise<CustomerMonth[]> {
  const res = await exec<{ contact_id: string; month: string; orders: number; net: number | string }>(
    `select contact_id, to_char(at at time zone 'UTC', 'YYYY-MM') as month,
            (count(*) filter (where line = 'payment' and payment_kind in ('initial', 'upsell')))::int as orders,
            (coalesce(sum(amount) filter (where line = 'payment'), 0) - coalesce(sum(amount) filter (where line = 'refund'), 0))::bigint as net
     from ${view} r where currency = $1 group by 1, 2`,
    [currency],
  );
  return res.rows.map((r) => ({ contactId: r.contact_id, month: r.month, orders: r.orders, net: Number(r.net) }));
}
