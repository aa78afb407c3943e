// Background work that keeps sales whole with nobody watching: reconciliation with Stripe,
// lapsing abandoned checkouts, dunning, and the test provider's renewals.
import type { JobDefinition } from '../../jobs/types.js';

export const RECONCILE_JOB = 'checkout.reconcile';
export const EXPIRE_ORDERS_JOB = 'checkout.expire-orders';
export const DUNNING_JOB = 'checkout.dunning';
export const TEST_BILLING_JOB = 'checkout.test-billing';
export const SETTLE_REFUNDS_JOB = 'checkout.settle-refunds';

export const checkoutJobs: JobDefinition<any>[] = [
  {
    name: RECONCILE_JOB,
    description: 'Ask Stripe for recent sessions and events and apply whatever a lost webhook missed; record what was repaired',
    cron: '*/15 * * * *',
    retryLimit: 2,
    expireInSeconds: 600,
    concurrency: 1,
    handler: async (app) => {
      if (app.stripeSync) await app.stripeSync.reconcile();
    },
  },
  {
    name: SETTLE_REFUNDS_JOB,
    description: 'Check again every refund whose outcome is unknown (a dropped connection): read it back from the provider, or repeat the same request under the same idempotency key',
    cron: '*/5 * * * *',
    concurrency: 1,
    handler: async (app) => {
      await app.checkout.settleUnknownRefunds();
    },
  },
  {
    name: EXPIRE_ORDERS_JOB,
    description: 'Lapse checkouts nobody finished and give back their coupon uses',
    cron: '*/5 * * * *',
    concurrency: 1,
    handler: async (app) => {
      await app.checkout.expireStale();
    },
  },
  {
    name: DUNNING_JOB,
    description: 'Pause access of subscriptions still unpaid at the end of their grace period, and tell the customer',
    cron: '*/30 * * * *',
    concurrency: 1,
    handler: async (app) => {
      await app.checkout.enforceGracePeriods();
    },
  },
  {
    name: TEST_BILLING_JOB,
    description: 'Test provider: charge due renewals and retry failed ones on the dunning schedule',
    cron: '*/5 * * * *',
    concurrency: 1,
    handler: async (app) => {
      if (app.testPayments) await app.testPayments.runBilling();
    },
  },
];
