// The checkout staff API's shapes (orders, refunds, customers, subscriptions, reconciliation):
// the request and response schemas its routes validate with (routes.tsx), and the types the
// admin's Orders and Customers pages use for them (types only reach the browser: src/wire.ts).
// Plain data: no server code here. Money is integer minor units with its currency.
import { z } from 'zod';
import type { Wire } from '../../wire.js';
import { eventShape } from '../../event-shape.js';
import { intervals, priceTypes } from '../catalog/contract.js';

export const orderStatuses = ['pending', 'paid', 'failed', 'expired'] as const;
/** checkout (the checkout page) | upsell (one click after paying, charged to the saved card) */
export const orderKinds = ['checkout', 'upsell'] as const;
export const providerNames = ['stripe', 'test', 'free'] as const;
/** pending: asked of the provider; unknown: asked, no answer (checked again, same key); then succeeded or failed */
export const refundStatuses = ['pending', 'unknown', 'succeeded', 'failed'] as const;
export const subscriptionStatuses = ['trialing', 'active', 'past_due', 'unpaid', 'canceled', 'completed'] as const;
/** a subscription, or a payment plan (instalments, ending in full access) */
export const subscriptionKinds = ['subscription', 'plan'] as const;

/** an amount of money in minor units (cents), as stored */
const cents = z.number().int();

// ---- responses ----------------------------------------------------------------------------------

export const orderRowShape = z.object({
  id: z.string(),
  number: z.number(),
  kind: z.enum(orderKinds),
  status: z.enum(orderStatuses),
  email: z.string(),
  contactId: z.string(),
  currency: z.string(),
  total: cents,
  amountPaid: cents,
  amountRefunded: cents,
  provider: z.enum(providerNames),
  disputed: z.boolean(),
  createdAt: z.date(),
  paidAt: z.date().nullable(),
  /** the items' names, in order */
  items: z.string(),
});
export const orderShape = z.object({
  id: z.string(),
  number: z.number(),
  kind: z.enum(orderKinds),
  parentOrderId: z.string().nullable(),
  status: z.enum(orderStatuses),
  email: z.string(),
  contactId: z.string(),
  currency: z.string(),
  subtotal: cents,
  discount: cents,
  tax: cents,
  total: cents,
  amountPaid: cents,
  amountRefunded: cents,
  couponCode: z.string().nullable(),
  provider: z.enum(providerNames),
  providerSessionId: z.string().nullable(),
  providerPaymentId: z.string().nullable(),
  failureMessage: z.string().nullable(),
  disputedAt: z.date().nullable(),
  disputeReason: z.string().nullable(),
  disputeStatus: z.enum(['open', 'won', 'lost']).nullable(),
  /** how the payment was confirmed: webhook | return | reconciliation | test | free | upsell */
  paidVia: z.string().nullable(),
  createdAt: z.date(),
  paidAt: z.date().nullable(),
  expiresAt: z.date(),
});
export const orderItemShape = z.object({
  id: z.string(),
  role: z.enum(['main', 'bump', 'upsell']),
  productId: z.string(),
  priceId: z.string(),
  name: z.string(),
  priceType: z.enum(priceTypes),
  interval: z.enum(intervals).nullable(),
  currency: z.string(),
  unitAmount: cents,
  discount: cents,
  amount: cents,
});
export const paymentShape = z.object({
  id: z.string(),
  provider: z.enum(providerNames),
  providerPaymentId: z.string(),
  kind: z.enum(['initial', 'renewal', 'upsell']),
  amount: cents,
  amountRefunded: cents,
  currency: z.string(),
  createdAt: z.date(),
});
export const refundShape = z.object({
  id: z.string(),
  amount: cents,
  currency: z.string(),
  reason: z.string(),
  status: z.enum(refundStatuses),
  providerRefundId: z.string().nullable(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.date(),
  completedAt: z.date().nullable(),
});
export const subscriptionShape = z.object({
  id: z.string(),
  orderId: z.string(),
  contactId: z.string(),
  productId: z.string(),
  kind: z.enum(subscriptionKinds),
  provider: z.enum(providerNames),
  providerSubscriptionId: z.string().nullable(),
  status: z.enum(subscriptionStatuses),
  currency: z.string(),
  /** charged each period */
  amount: cents,
  interval: z.enum(intervals),
  currentPeriodEnd: z.date(),
  instalmentsPaid: z.number(),
  instalmentsTotal: z.number().nullable(),
  cancelAtPeriodEnd: z.boolean(),
  failedAt: z.date().nullable(),
  retryCount: z.number(),
  nextRetryAt: z.date().nullable(),
  graceUntil: z.date().nullable(),
  accessRevokedAt: z.date().nullable(),
  createdAt: z.date(),
  endedAt: z.date().nullable(),
  endedReason: z.string().nullable(),
});
export const grantShape = z.object({
  id: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  /** the product it belongs to, when known */
  resourceName: z.string().nullable(),
  source: z.string(),
  sourceId: z.string().nullable(),
  grantedAt: z.date(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  revokeReason: z.string().nullable(),
});
export const reconciliationRunShape = z.object({
  id: z.string(),
  provider: z.string(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  checked: z.number(),
  repaired: z.number(),
  repairs: z.array(z.object({ orderId: z.string().nullable(), what: z.string(), ref: z.string() })),
  error: z.string().nullable(),
});

export const orderListShape = z.object({ orders: z.array(orderRowShape), nextBefore: z.number().nullable() });
/** GET /api/orders: search by email, name or #number; filter by status, product, dates, disputes (`disputed=1`); the page before an order number. */
export const orderListQuery = z.object({
  q: z.string().max(200).optional(),
  status: z.enum(orderStatuses).optional(),
  productId: z.uuid().optional(),
  disputed: z.enum(['1', 'true']).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const orderDetailShape = z.object({
  order: orderShape,
  items: z.array(orderItemShape),
  payments: z.array(paymentShape),
  refunds: z.array(refundShape),
  subscription: subscriptionShape.nullable(),
  upsells: z.array(z.object({ id: z.string(), number: z.number(), status: z.enum(orderStatuses), total: cents })),
  contact: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  grants: z.array(grantShape),
  events: z.array(eventShape),
  /** what may still be refunded: paid, less refunded, less refunds still pending or unknown */
  refundable: cents,
});
export const refundsShape = z.object({ refunds: z.array(refundShape) });
export const refundRetryShape = z.object({ refund: refundShape });
export const customerRowShape = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  orders: z.number(),
  currency: z.string(),
  /** paid less refunded, in `currency` (one row per currency the customer paid in) */
  lifetimeValue: cents,
  firstPurchaseAt: z.date(),
  lastPurchaseAt: z.date(),
});
export const customerListShape = z.object({ customers: z.array(customerRowShape) });
/** GET /api/customers: search by email or name, a page by offset. */
export const customerListQuery = z.object({ q: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).default(0) });
export const customerDetailShape = z.object({
  contact: z.object({ id: z.string(), email: z.string(), name: z.string(), status: z.string(), createdAt: z.date() }),
  lifetimeValue: z.array(z.object({ currency: z.string(), amount: cents })),
  orders: z.array(orderShape),
  subscriptions: z.array(subscriptionShape),
  grants: z.array(grantShape),
  events: z.array(eventShape),
});
export const subscriptionListShape = z.object({ subscriptions: z.array(subscriptionShape) });
/** GET /api/subscriptions: one status (past_due / unpaid: dunning), one customer. */
export const subscriptionListQuery = z.object({ status: z.enum(subscriptionStatuses).optional(), contactId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
export const checkoutStatusShape = z.object({
  provider: z.enum(providerNames),
  testMode: z.boolean(),
  webhookConfigured: z.boolean(),
  taxEnabled: z.boolean(),
  lastReconciliation: reconciliationRunShape.nullable(),
});
export const reconciliationRunsShape = z.object({ runs: z.array(reconciliationRunShape) });
export const reconcileResultShape = z.object({ checked: z.number(), repaired: z.number(), skipped: z.array(z.object({ ref: z.string(), type: z.string(), reason: z.string() })) });

// ---- requests -----------------------------------------------------------------------------------

/** no amount: refund all that is refundable */
export const refundBody = z.object({ amount: z.number().int().min(1).optional(), reason: z.string().trim().max(300).optional() });

export type OrderRow = Wire<z.output<typeof orderRowShape>>;
export type Order = Wire<z.output<typeof orderShape>>;
export type Refund = Wire<z.output<typeof refundShape>>;
export type Subscription = Wire<z.output<typeof subscriptionShape>>;
export type Grant = Wire<z.output<typeof grantShape>>;
export type OrderList = Wire<z.output<typeof orderListShape>>;
export type OrderDetail = Wire<z.output<typeof orderDetailShape>>;
export type Refunds = Wire<z.output<typeof refundsShape>>;
export type RefundRetry = Wire<z.output<typeof refundRetryShape>>;
export type CustomerRow = Wire<z.output<typeof customerRowShape>>;
export type CustomerList = Wire<z.output<typeof customerListShape>>;
export type CustomerDetail = Wire<z.output<typeof customerDetailShape>>;
export type SubscriptionList = Wire<z.output<typeof subscriptionListShape>>;
export type CheckoutStatus = Wire<z.output<typeof checkoutStatusShape>>;
export type ReconciliationRun = Wire<z.output<typeof reconciliationRunShape>>;
export type ReconciliationRuns = Wire<z.output<typeof reconciliationRunsShape>>;
export type ReconcileResult = Wire<z.output<typeof reconcileResultShape>>;
export type RefundInput = z.input<typeof refundBody>;
