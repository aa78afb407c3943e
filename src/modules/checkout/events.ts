// The checkout module's events (a contract: subscribers and webhooks read them).
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const money = { amount: ev.money(), currency: ev.currency() };
const contactId = ev.id();
const subscriptionStarted = ev.object({
  orderId: ev.id(),
  productId: ev.id(),
  ...money,
  interval: z.string().nullable().optional(),
  status: z.string(),
  instalments: z.number().int().nullable().optional(),
});
const instalment = ev.object({ ...money, instalmentsPaid: z.number().int(), instalmentsTotal: z.number().int().nullable().optional() });
const canceled = ev.object({ reason: z.string(), revoked: z.number().int().optional(), contactId: contactId.optional() });

export const checkoutEvents = defineEvents({
  'order.created': {
    subject: 'order',
    data: ev.object({
      number: z.number().int().optional(),
      contactId,
      total: ev.money(),
      currency: ev.currency(),
      coupon: z.string().nullable().optional(),
      items: z.array(ev.object({ productId: ev.id(), role: z.string() })).optional(),
    }),
  },
  'order.paid': {
    subject: 'order',
    data: ev.object({
      number: z.number().int().optional(),
      contactId,
      kind: z.string(),
      total: ev.money(),
      amountPaid: ev.money(),
      tax: ev.money().optional(),
      currency: ev.currency(),
      provider: z.string(),
      via: z.string().optional(),
      coupon: z.string().nullable().optional(),
      productIds: z.array(ev.id()).optional(),
    }),
  },
  'order.expired': { subject: 'order', data: ev.object({ number: z.number().int().optional(), total: ev.money(), currency: ev.currency() }) },
  'order.refunded': {
    subject: 'order',
    data: ev.object({ ...money, full: z.boolean(), totalRefunded: ev.money(), revoked: z.number().int().optional(), contactId, providerRefundId: z.string().nullable().optional() }),
  },
  'order.disputed': {
    subject: 'order',
    data: ev.object({ reason: z.string().nullable().optional(), ...money, disputeId: z.string().optional(), contactId, accessKept: z.boolean().optional() }),
  },
  'order.dispute_won': { subject: 'order', data: ev.object({ disputeId: z.string(), ...money, contactId }) },
  'order.dispute_lost': { subject: 'order', data: ev.object({ disputeId: z.string(), ...money, totalRefunded: ev.money(), revoked: z.number().int(), contactId }) },
  'upsell.accepted': { subject: 'order', data: ev.object({ parentOrderId: ev.id(), offerId: ev.id(), ...money }) },
  'upsell.declined': { subject: 'order', data: ev.object({ offerId: ev.id() }) },
  'payment.succeeded': {
    subject: 'order',
    data: ev.object({ ...money, provider: z.string(), kind: z.enum(['initial', 'upsell', 'renewal']), subscriptionId: ev.id().optional() }),
  },
  'payment.failed': { subject: 'order', data: ev.object({ message: z.string(), provider: z.string(), ...money }) },
  'refund.requested': { subject: 'order', data: ev.object({ ...money, reason: z.string() }) },
  'refund.failed': { subject: 'order', data: ev.object({ refundId: ev.id(), amount: ev.money() }) },
  'subscription.started': { subject: 'subscription', data: subscriptionStarted },
  'plan.started': { subject: 'subscription', data: subscriptionStarted },
  'subscription.renewed': { subject: 'subscription', data: instalment },
  'plan.instalment_paid': { subject: 'subscription', data: instalment },
  'plan.completed': { subject: 'subscription', data: ev.object({ instalments: z.number().int() }) },
  'subscription.recovered': { subject: 'subscription', data: ev.object({ accessRestored: z.boolean() }) },
  'subscription.payment_failed': {
    subject: 'subscription',
    data: ev.object({ message: z.string(), attempt: z.number().int(), nextRetryAt: ev.iso().nullable().optional(), graceUntil: ev.iso().optional(), contactId }),
  },
  'subscription.updated': { subject: 'subscription', data: ev.object({ status: z.string().optional(), cancelAtPeriodEnd: z.boolean().optional(), currentPeriodEnd: ev.iso().optional() }) },
  'subscription.cancel_requested': { subject: 'subscription', data: ev.object({ endsAt: ev.iso().optional(), contactId }) },
  'subscription.canceled': { subject: 'subscription', data: canceled },
  'plan.canceled': { subject: 'subscription', data: canceled },
  'subscription.access_paused': { subject: 'subscription', data: ev.object({ revoked: z.number().int(), contactId }) },
  'download.started': { subject: 'product', data: ev.object({ fileId: ev.id(), contactId }) },
  'checkout.reconciled': { subject: 'reconciliation', data: ev.object({ repaired: z.number().int(), repairs: z.array(z.unknown()) }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof checkoutEvents> {}
}
