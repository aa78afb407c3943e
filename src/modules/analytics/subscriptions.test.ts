// MRR, its movements, churn, ARPA, LTV and payment plans against a hand-computed fixture
// (pure functions; the view behind them is exercised through the API in revenue.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscriptionMetrics, type SubscriptionFact } from './subscriptions.js';

const sub = (contactId: string, amount: number, payingFrom: string, endedAt: string | null = null, interval: 'month' | 'year' = 'month'): SubscriptionFact => ({
  contactId, kind: 'subscription', status: endedAt ? 'canceled' : 'active', amount, interval, payingFrom: new Date(payingFrom), endedAt: endedAt ? new Date(endedAt) : null, instalmentsPaid: 0, instalmentsTotal: null,
});
const plan = (status: string, paid: number, total: number, amount: number, endedAt: string | null): SubscriptionFact => ({
  contactId: 'p', kind: 'plan', status, amount, interval: 'month', payingFrom: new Date('2026-01-01T00:00:00Z'), endedAt: endedAt ? new Date(endedAt) : null, instalmentsPaid: paid, instalmentsTotal: total,
});

const facts: SubscriptionFact[] = [
  sub('A', 2900, '2026-01-10T00:00:00Z'),
  sub('B', 24000, '2026-01-20T00:00:00Z', '2026-03-05T00:00:00Z', 'year'), // 240.00 a year = 20.00 MRR; churns in March
  sub('C', 1000, '2026-02-10T00:00:00Z'), // new in February
  sub('C', 1500, '2026-03-12T00:00:00Z'), // expansion in March: 10 → 25
  sub('D', 5000, '2026-01-05T00:00:00Z', '2026-02-20T00:00:00Z'), // churns in February
  sub('D', 5000, '2026-04-02T00:00:00Z'), // reactivation in April
  sub('E', 9900, '2026-04-20T00:00:00Z'), // still in its trial (paying from the 20th): not MRR
  sub('F', 3000, '2026-01-01T00:00:00Z'),
  sub('F', 1200, '2026-01-01T00:00:00Z', '2026-04-03T00:00:00Z'), // contraction in April: 42 → 30
  sub('G', 4000, '2026-03-03T00:00:00Z', '2026-03-25T00:00:00Z'), // joined and left within March: no movement
  plan('active', 1, 3, 10000, null), // 2 × 100.00 outstanding
  plan('completed', 3, 3, 10000, '2026-03-01T00:00:00Z'),
  plan('canceled', 1, 3, 10000, '2026-02-01T00:00:00Z'),
];

describe('subscription metrics (hand-computed)', () => {
  const m = subscriptionMetrics(facts, new Date('2026-04-15T12:00:00Z'), 3, 'usd');
  const row = (month: string) => {
    const { recurringRevenue: _r, oneTimeRevenue: _o, ...rest } = m.months.find((x) => x.month === month)!;
    return rest;
  };

  it('February: C is new, D churns', () => {
    // start A 29 + B 20 + D 50 + F 42 = 141; end 141 + 10 − 50 = 101; revenue churn 50 / 141
    assert.deepEqual(row('2026-02'), {
      month: '2026-02', startMrr: 14100, mrr: 10100, newMrr: 1000, expansion: 0, contraction: 0, churned: 5000, reactivation: 0,
      startCustomers: 4, customers: 4, newCustomers: 1, churnedCustomers: 1, logoChurnRate: 25, revenueChurnRate: 35.46, arpa: 2525,
    });
  });

  it('March: C expands, B churns, G (in and out within the month) moves nothing', () => {
    // 101 + 15 − 20 = 96 over A, C, F; revenue churn 20 / 101
    assert.deepEqual(row('2026-03'), {
      month: '2026-03', startMrr: 10100, mrr: 9600, newMrr: 0, expansion: 1500, contraction: 0, churned: 2000, reactivation: 0,
      startCustomers: 4, customers: 3, newCustomers: 0, churnedCustomers: 1, logoChurnRate: 25, revenueChurnRate: 19.8, arpa: 3200,
    });
  });

  it('April so far: D reactivates, F contracts, E is still on trial', () => {
    // 96 + 50 − 12 = 134 over A, C, D, F; ARPA 33.50
    assert.deepEqual(row('2026-04'), {
      month: '2026-04', startMrr: 9600, mrr: 13400, newMrr: 0, expansion: 0, contraction: 1200, churned: 0, reactivation: 5000,
      startCustomers: 3, customers: 4, newCustomers: 0, churnedCustomers: 0, logoChurnRate: 0, revenueChurnRate: 12.5, arpa: 3350,
    });
  });

  it('MRR now, customer churn over complete months, LTV = ARPA ÷ churn, payment plans', () => {
    // churn over February and March: 2 churned of 4 + 4 at the starts = 25 %; LTV 33.50 ÷ 0.25 = 134.00
    assert.deepEqual({ mrr: m.mrr, customers: m.customers, arpa: m.arpa, logoChurnRate: m.logoChurnRate, ltv: m.ltv }, { mrr: 13400, customers: 4, arpa: 3350, logoChurnRate: 25, ltv: 13400 });
    assert.deepEqual(m.plans, { running: 1, completed: 1, ended: 1, completionRate: 50, outstanding: 20000 });
  });

  it('LTV is null, not infinite, when nobody churned', () => {
    assert.equal(subscriptionMetrics([sub('A', 2900, '2026-01-10T00:00:00Z')], new Date('2026-04-15T12:00:00Z'), 3, 'usd').ltv, null);
  });
});
