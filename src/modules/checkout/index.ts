export { CheckoutService, customerActor, type Order, type OrderItem, type Payment, type Refund, type Subscription, type PaymentFacts } from './service.js';
export { TestProvider, TEST_CARDS, cardBehaviour } from './test-provider.js';
export { StripeProvider, StripeSync, createStripeClient, WEBHOOK_TOLERANCE_SECONDS } from './stripe.js';
export type { PaymentProvider } from './providers.js';
export { checkoutJobs, type CheckoutJobDeps, RECONCILE_JOB, EXPIRE_ORDERS_JOB, DUNNING_JOB, TEST_BILLING_JOB } from './jobs.js';
export { purchasesView } from './views.js';
export { checkoutEvents } from './events.js';
export { revenueView, subscriptionsView } from './revenue-view.js';
