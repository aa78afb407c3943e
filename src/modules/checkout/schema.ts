// Orders, what they contain, the money that moved (payments, refunds), subscriptions and
// payment plans with their dunning state, the webhook deliveries seen, reconciliation runs,
// and the built-in test provider's own records. Money: integer minor units + currency.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contacts } from '../audience/schema.js';
import { orderKinds, orderStatuses, providerNames, refundStatuses, subscriptionKinds, subscriptionStatuses } from './contract.js';

export { orderStatuses, subscriptionStatuses };
export type OrderStatus = (typeof orderStatuses)[number];
export type ProviderName = (typeof providerNames)[number];

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** the number people see and say: #1001 */
    number: bigserial('number', { mode: 'number' }).notNull(),
    /** checkout (the checkout page) | upsell (one click after paying, charged to the saved card) */
    kind: text('kind').$type<(typeof orderKinds)[number]>().notNull().default('checkout'),
    parentOrderId: uuid('parent_order_id'),
    offerId: uuid('offer_id'),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'restrict' }),
    email: text('email').notNull(),
    status: text('status').$type<OrderStatus>().notNull().default('pending'),
    currency: text('currency').notNull(),
    subtotal: integer('subtotal').notNull(),
    discount: integer('discount').notNull().default(0),
    /** what the buyer is asked to pay now (a trial: 0); tax comes on top when the provider adds it */
    total: integer('total').notNull(),
    tax: integer('tax').notNull().default(0),
    amountPaid: integer('amount_paid').notNull().default(0),
    amountRefunded: integer('amount_refunded').notNull().default(0),
    couponId: uuid('coupon_id'),
    couponCode: text('coupon_code'),
    /** reserved (an open checkout holds a use) | used (paid) | released (lapsed) */
    couponState: text('coupon_state').$type<'reserved' | 'used' | 'released'>(),
    provider: text('provider').$type<ProviderName>().notNull(),
    providerSessionId: text('provider_session_id'),
    checkoutUrl: text('checkout_url'),
    /** one request at a time creates the provider's checkout session; a stale claim may be taken over */
    sessionClaimedAt: timestamp('session_claimed_at', { withTimezone: true }),
    providerPaymentId: text('provider_payment_id'),
    providerCustomerId: text('provider_customer_id'),
    /** the saved payment method (upsells are charged to it) */
    providerPaymentMethodId: text('provider_payment_method_id'),
    /** from the checkout form: ten identical submits make one order */
    checkoutKey: text('checkout_key'),
    failureMessage: text('failure_message'),
    disputedAt: timestamp('disputed_at', { withTimezone: true }),
    disputeReason: text('dispute_reason'),
    /** open (access kept while the bank decides) | won (nothing lost) | lost (the money went back; counted in amountRefunded) */
    disputeStatus: text('dispute_status').$type<'open' | 'won' | 'lost'>(),
    disputeId: text('dispute_id'),
    /** the contact did not exist before this checkout: only then may the buyer be signed in without a mailed link */
    contactCreated: boolean('contact_created').notNull().default(false),
    /** how the payment was confirmed: webhook | return | reconciliation | test | free | upsell */
    paidVia: text('paid_via'),
    buyerSignedInAt: timestamp('buyer_signed_in_at', { withTimezone: true }),
    meta: jsonb('meta').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('orders_number_key').on(t.number),
    uniqueIndex('orders_checkout_key').on(t.checkoutKey),
    uniqueIndex('orders_session_key').on(t.provider, t.providerSessionId),
    // One upsell order per offer after a purchase, however often "yes" is pressed.
    uniqueIndex('orders_upsell_key').on(t.parentOrderId, t.offerId).where(sql`${t.parentOrderId} is not null`),
    index('orders_contact_idx').on(t.contactId, t.createdAt),
    index('orders_status_idx').on(t.status, t.createdAt),
    index('orders_created_idx').on(t.createdAt),
    index('orders_email_idx').on(sql`lower(${t.email})`),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    /** main | bump | upsell */
    role: text('role').$type<'main' | 'bump' | 'upsell'>().notNull(),
    productId: uuid('product_id').notNull(),
    priceId: uuid('price_id').notNull(),
    offerId: uuid('offer_id'),
    /** snapshots: the order keeps meaning what it meant when bought */
    name: text('name').notNull(),
    priceType: text('price_type').$type<'one_time' | 'subscription' | 'payment_plan'>().notNull(),
    interval: text('interval').$type<'month' | 'year'>(),
    trialDays: integer('trial_days'),
    instalments: integer('instalments'),
    currency: text('currency').notNull(),
    /** list amount per payment */
    unitAmount: integer('unit_amount').notNull(),
    /** coupon discount per payment */
    discount: integer('discount').notNull().default(0),
    /** charged per payment: unitAmount − discount */
    amount: integer('amount').notNull(),
    position: integer('position').notNull().default(0),
  },
  (t) => [index('order_items_order_idx').on(t.orderId), index('order_items_product_idx').on(t.productId)],
);

/** Money that arrived. One row per provider payment, so a payment seen twice counts once. */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    subscriptionId: uuid('subscription_id'),
    provider: text('provider').$type<ProviderName>().notNull(),
    /** payment intent, invoice or test charge id */
    providerPaymentId: text('provider_payment_id').notNull(),
    /** what a refund of this payment names at the provider (Stripe payment intent, test charge) */
    refundRef: text('refund_ref'),
    /** initial | renewal | upsell */
    kind: text('kind').$type<'initial' | 'renewal' | 'upsell'>().notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    amountRefunded: integer('amount_refunded').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('payments_provider_key').on(t.provider, t.providerPaymentId), index('payments_order_idx').on(t.orderId), index('payments_refund_ref_idx').on(t.refundRef)],
);

export type RefundStatus = (typeof refundStatuses)[number];

export const refunds = pgTable(
  'refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    paymentId: uuid('payment_id'),
    provider: text('provider').$type<ProviderName>().notNull(),
    providerRefundId: text('provider_refund_id'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull().default(''),
    /** pending (asked the provider) | succeeded | failed */
    /** pending: asked of the provider; unknown: asked, no answer (checked again, same key); then succeeded or failed */
    status: text('status').$type<RefundStatus>().notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('refunds_provider_key').on(t.provider, t.providerRefundId), index('refunds_order_idx').on(t.orderId)],
);

export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** A subscription or a payment plan, started by an order. */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').notNull(),
    productId: uuid('product_id').notNull(),
    priceId: uuid('price_id').notNull(),
    /** subscription | plan */
    kind: text('kind').$type<(typeof subscriptionKinds)[number]>().notNull(),
    provider: text('provider').$type<ProviderName>().notNull(),
    providerSubscriptionId: text('provider_subscription_id'),
    status: text('status').$type<SubscriptionStatus>().notNull(),
    currency: text('currency').notNull(),
    /** charged each period */
    amount: integer('amount').notNull(),
    interval: text('interval').$type<'month' | 'year'>().notNull(),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }).notNull(),
    /** periods are counted from here (anchor + n months), so 31 January renews on the last day of each shorter month and the 31st again after */
    billingAnchor: timestamp('billing_anchor', { withTimezone: true }),
    instalmentsPaid: integer('instalments_paid').notNull().default(0),
    instalmentsTotal: integer('instalments_total'),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    /** dunning: when the current run of failures began, retries so far, the next try, when access ends */
    failedAt: timestamp('failed_at', { withTimezone: true }),
    retryCount: integer('retry_count').notNull().default(0),
    nextRetryAt: timestamp('next_retry_at', { withTimezone: true }),
    graceUntil: timestamp('grace_until', { withTimezone: true }),
    /** the provider's last failed attempt seen, so a webhook delivered twice mails once */
    lastFailureKey: text('last_failure_key'),
    accessRevokedAt: timestamp('access_revoked_at', { withTimezone: true }),
    /** test provider: how the saved test card behaves on renewal */
    testCard: text('test_card'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedReason: text('ended_reason'),
  },
  (t) => [
    uniqueIndex('subscriptions_order_key').on(t.orderId),
    uniqueIndex('subscriptions_provider_key').on(t.provider, t.providerSubscriptionId),
    index('subscriptions_status_idx').on(t.status, t.currentPeriodEnd),
    index('subscriptions_contact_idx').on(t.contactId),
  ],
);

/** Every provider webhook delivery seen, by the provider's event id: a repeat is answered without acting twice. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    type: text('type').notNull(),
    objectId: text('object_id'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    /** webhook | reconciliation */
    processedVia: text('processed_via'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('webhook_events_received_idx').on(t.receivedAt)],
);

/** What each reconciliation pass checked and repaired: the owner reads this. */
export const reconciliationRuns = pgTable(
  'reconciliation_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    provider: text('provider').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** events or sessions looked at */
    checked: integer('checked').notNull().default(0),
    repaired: integer('repaired').notNull().default(0),
    repairs: jsonb('repairs').$type<{ orderId: string | null; what: string; ref: string }[]>().notNull().default([]),
    error: text('error'),
  },
  (t) => [index('reconciliation_runs_started_idx').on(t.startedAt)],
);

/** The built-in test provider's checkout sessions (its stand-in for Stripe Checkout). */
export const testSessions = pgTable(
  'test_payment_sessions',
  {
    id: text('id').primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    idempotencyKey: text('idempotency_key').notNull(),
    mode: text('mode').$type<'payment' | 'subscription'>().notNull(),
    currency: text('currency').notNull(),
    /** due now */
    amount: integer('amount').notNull(),
    lines: jsonb('lines').$type<{ name: string; amount: number; recurring: string | null }[]>().notNull(),
    /** open | authenticating | complete | expired */
    status: text('status').$type<'open' | 'authenticating' | 'complete' | 'expired'>().notNull(),
    successUrl: text('success_url').notNull(),
    cancelUrl: text('cancel_url').notNull(),
    /** the card waiting for its authentication step */
    pendingCard: text('pending_card'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('test_payment_sessions_key').on(t.idempotencyKey)],
);

/** The test provider's charges: what "the card" was charged, and refunded. */
export const testCharges = pgTable(
  'test_charges',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    orderId: uuid('order_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    card: text('card').notNull(),
    status: text('status').$type<'succeeded' | 'failed'>().notNull(),
    amountRefunded: integer('amount_refunded').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('test_charges_key').on(t.idempotencyKey), index('test_charges_order_idx').on(t.orderId)],
);

/** Upsell offers the buyer said "no thanks" to, per order: not shown again for that order. */
export const declinedUpsells = pgTable(
  'declined_upsells',
  {
    orderId: uuid('order_id').notNull(),
    offerId: uuid('offer_id').notNull(),
    declinedAt: timestamp('declined_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.offerId] })],
);
