// Buyer cohorts against a hand-computed fixture (the view behind them: revenue.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCohorts } from './cohorts.js';

describe('monthly buyer cohorts (hand-computed)', () => {
  const rows = [
    { contactId: 'A', month: '2026-01', orders: 1, net: 10000 },
    { contactId: 'A', month: '2026-03', orders: 1, net: 5000 }, // A orders again in March
    { contactId: 'B', month: '2026-01', orders: 1, net: 2000 },
    { contactId: 'B', month: '2026-02', orders: 0, net: 2000 }, // a renewal: money, not an order
    { contactId: 'C', month: '2026-02', orders: 2, net: 3000 }, // an order and its upsell: a repeat in month 0
    { contactId: 'D', month: '2025-12', orders: 1, net: 9000 }, // before the three months shown
    { contactId: 'D', month: '2026-02', orders: 1, net: 9000 },
  ];

  it('groups by the month of the first order; repeat rate and money per customer so far, month by month', () => {
    assert.deepEqual(buildCohorts(rows, '2026-03', 3), [
      // January: A and B. Money so far per customer: (100 + 20) / 2, then + 20, then + 50
      { cohort: '2026-01', customers: 2, cells: [{ repeatRate: 0, revenuePerCustomer: 6000 }, { repeatRate: 0, revenuePerCustomer: 7000 }, { repeatRate: 50, revenuePerCustomer: 9500 }] },
      { cohort: '2026-02', customers: 1, cells: [{ repeatRate: 100, revenuePerCustomer: 3000 }, { repeatRate: 100, revenuePerCustomer: 3000 }] },
    ]);
  });
});
