// What Onehour asks of a payment provider. Stripe and the built-in test provider both do
// these things; what they report back goes through the same order/payment state machine in
// service.ts. Every create carries an idempotency key, so a retried request never charges twice.

export interface SessionLine {
  name: string;
  /** per payment, after any coupon (minor units) */
  amount: number;
  recurring: { interval: 'month' | 'year'; trialDays: number | null } | null;
}

export interface SessionRequest {
  orderId: string;
  orderNumber: number;
  email: string;
  currency: string;
  mode: 'payment' | 'subscription';
  lines: SessionLine[];
  /** a payment plan: the subscription ends after this many payments */
  planInstalments: number | null;
  successUrl: string;
  cancelUrl: string;
  expiresAt: Date;
  idempotencyKey: string;
}

/**
 * The provider answered and said no: nothing happened there, and the same request would be
 * refused again. Any other error (a dropped connection, a timeout, a 5xx) leaves the outcome
 * unknown: the provider may have done the work.
 */
export class ProviderDeclined extends Error {
  override name = 'ProviderDeclined';
}

export type ChargeResult =
  | { status: 'succeeded'; paymentId: string; refundRef: string }
  | { status: 'failed'; message: string }
  | { status: 'requires_action'; message: string };

export interface PaymentProvider {
  readonly name: 'stripe' | 'test';
  /** shown on every payment page: no real money moves */
  readonly testMode: boolean;
  /** A hosted payment page for the order; the same key returns the same session. */
  createCheckoutSession(req: SessionRequest): Promise<{ id: string; url: string }>;
  /** Charges a saved payment method without the buyer present (one-click upsells). */
  chargeSaved(req: {
    orderId: string;
    customerId: string | null;
    paymentMethodId: string;
    amount: number;
    currency: string;
    description: string;
    idempotencyKey: string;
  }): Promise<ChargeResult>;
  /** Throws ProviderDeclined when the provider refused; any other error means the outcome is unknown. */
  refund(req: { refundRef: string; amount: number; reason: string; refundId: string; orderId: string; idempotencyKey: string }): Promise<{ providerRefundId: string }>;
  /** Reads back a refund we may have made (after an unknown outcome): the provider's refund carrying our refund id, or null. */
  findRefund?(req: { refundRef: string; refundId: string }): Promise<{ providerRefundId: string } | null>;
  cancelSubscription(providerSubscriptionId: string, idempotencyKey: string): Promise<void>;
  /** Stops renewal at the end of the paid period (the customer cancelled). */
  cancelAtPeriodEnd(providerSubscriptionId: string, idempotencyKey: string): Promise<void>;
  /** Where a customer fixes their payment method (Stripe's billing portal; the test provider's own page). */
  billingUrl(req: { customerId: string | null; subscriptionId: string; returnUrl: string }): Promise<string>;
}
