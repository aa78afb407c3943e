// Background work that keeps sales whole with nobody watching: reconciliation with Stripe,
// lapsing abandoned checkouts, dunning, and the test provider's renewals.
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../jobs/types.js';
import type { CheckoutService } from './service.js';
import type { StripeSync } from './stripe.js';
import type { TestProvider } from './test-provider.js';

export const RECONCILE_JOB = 'checkout.reconcile';
export const EXPIRE_ORDERS_JOB = 'checkout.expire-orders';
export const DUNNING_JOB = 'checkout.dunning';
export const TEST_BILLING_JOB = 'checkout.test-billing';
export const SETTLE_REFUNDS_JOB = 'checkout.settle-refunds';

/** What the checkout jobs use (Stripe's sync or the test provider, whichever is configured). */
export interface CheckoutJobDeps {
  checkout: CheckoutService;
  stripeSync: StripeSync | null;
  testPayments: TestProvider | null;
}

const cronRun = z.object({});

export const checkoutJobs: JobDefinition<any, CheckoutJobDeps>[] = [
  defineJob({
    name: RECONCILE_JOB,
    description: 'Ask Stripe for recent sessions and events and apply whatever a lost webhook missed; record what was repaired',
    cron: '*/15 * * * *',
    retryLimit: 2,
    expireInSeconds: 600,
    concurrency: 1,
    data: cronRun,
    handler: async ({ stripeSync }: CheckoutJobDeps) => {
      if (stripeSync) await stripeSync.reconcile();
    },
  }),
  defineJob({
    name: SETTLE_REFUNDS_JOB,
    description: 'Check again every refund whose outcome is unknown (a dropped connection): read it back from the provider, or repeat the same request under the same idempotency key',
    cron: '*/5 * * * *',
    concurrency: 1,
    data: cronRun,
    handler: async ({ checkout }: CheckoutJobDeps) => {
      await checkout.refunds.settleUnknownRefunds();
    },
  }),
  defineJob({
    name: EXPIRE_ORDERS_JOB,
    description: 'Lapse checkouts nobody finished and give back their coupon uses',
    cron: '*/5 * * * *',
    concurrency: 1,
    data: cronRun,
    handler: async ({ checkout }: CheckoutJobDeps) => {
      await checkout.expireStale();
    },
  }),
  defineJob({
    name: DUNNING_JOB,
    description: 'Pause access of subscriptions still unpaid at the end of their grace period, and tell the customer',
    cron: '*/30 * * * *',
    concurrency: 1,
    data: cronRun,
    handler: async ({ checkout }: CheckoutJobDeps) => {
      await checkout.billing.enforceGracePeriods();
    },
  }),
  defineJob({
    name: TEST_BILLING_JOB,
    description: 'Test provider: charge due renewals and retry failed ones on the dunning schedule',
    cron: '*/5 * * * *',
    concurrency: 1,
    data: cronRun,
    handler: async ({ testPayments }: CheckoutJobDeps) => {
      if (testPayments) await testPayments.runBilling();
    },
  }),
];
