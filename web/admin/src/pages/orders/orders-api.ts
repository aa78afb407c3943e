// Orders, customers, subscriptions and reconciliation (src/modules/checkout/routes.tsx), typed for the admin pages.
import { apiGet, apiSend, type BusinessEvent, type IsoDate } from '../../api.js';

export type OrderStatus = 'pending' | 'paid' | 'failed' | 'expired';

export interface OrderRow {
  id: string;
  number: number;
  kind: 'checkout' | 'upsell';
  status: OrderStatus;
  email: string;
  contactId: string;
  currency: string;
  total: number;
  amountPaid: number;
  amountRefunded: number;
  provider: string;
  disputed: boolean;
  createdAt: IsoDate;
  paidAt: IsoDate | null;
  items: string;
}

export interface Order {
  id: string;
  number: number;
  kind: string;
  parentOrderId: string | null;
  status: OrderStatus;
  email: string;
  contactId: string;
  currency: string;
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  amountPaid: number;
  amountRefunded: number;
  couponCode: string | null;
  provider: string;
  providerSessionId: string | null;
  providerPaymentId: string | null;
  failureMessage: string | null;
  disputedAt: IsoDate | null;
  disputeReason: string | null;
  paidVia: string | null;
  createdAt: IsoDate;
  paidAt: IsoDate | null;
  expiresAt: IsoDate;
}

export interface Subscription {
  id: string;
  orderId: string;
  contactId: string;
  productId: string;
  kind: 'subscription' | 'plan';
  provider: string;
  providerSubscriptionId: string | null;
  status: 'trialing' | 'active' | 'past_due' | 'unpaid' | 'canceled' | 'completed';
  currency: string;
  amount: number;
  interval: string;
  currentPeriodEnd: IsoDate;
  instalmentsPaid: number;
  instalmentsTotal: number | null;
  cancelAtPeriodEnd: boolean;
  failedAt: IsoDate | null;
  retryCount: number;
  nextRetryAt: IsoDate | null;
  graceUntil: IsoDate | null;
  accessRevokedAt: IsoDate | null;
  createdAt: IsoDate;
  endedAt: IsoDate | null;
  endedReason: string | null;
}

export interface Grant {
  id: string;
  resourceType: string;
  resourceId: string;
  /** the product it belongs to, when known */
  resourceName: string | null;
  source: string;
  sourceId: string | null;
  grantedAt: IsoDate;
  expiresAt: IsoDate | null;
  revokedAt: IsoDate | null;
  revokeReason: string | null;
}

export interface Refund {
  id: string;
  amount: number;
  currency: string;
  reason: string;
  /** unknown: Stripe did not answer; Onehour checks again with the same request */
  status: 'pending' | 'unknown' | 'succeeded' | 'failed';
  providerRefundId: string | null;
  actorKind: string;
  actorId: string | null;
  error: string | null;
  createdAt: IsoDate;
  completedAt: IsoDate | null;
}

export interface OrderDetail {
  order: Order;
  items: { id: string; role: string; productId: string; priceId: string; name: string; priceType: string; interval: string | null; currency: string; unitAmount: number; discount: number; amount: number }[];
  payments: { id: string; provider: string; providerPaymentId: string; kind: string; amount: number; amountRefunded: number; currency: string; createdAt: IsoDate }[];
  refunds: Refund[];
  subscription: Subscription | null;
  upsells: { id: string; number: number; status: string; total: number }[];
  contact: { id: string; email: string; name: string };
  grants: Grant[];
  events: BusinessEvent[];
  refundable: number;
}

export interface CustomerRow {
  id: string;
  email: string;
  name: string;
  orders: number;
  currency: string;
  lifetimeValue: number;
  firstPurchaseAt: IsoDate;
  lastPurchaseAt: IsoDate;
}

export interface CustomerDetail {
  contact: { id: string; email: string; name: string; status: string; createdAt: IsoDate };
  lifetimeValue: { currency: string; amount: number }[];
  orders: Order[];
  subscriptions: Subscription[];
  grants: Grant[];
  events: BusinessEvent[];
}

export interface ReconciliationRun {
  id: string;
  provider: string;
  startedAt: IsoDate;
  finishedAt: IsoDate | null;
  checked: number;
  repaired: number;
  repairs: { orderId: string | null; what: string; ref: string }[];
  error: string | null;
}

const id = (s: string) => encodeURIComponent(s);

export const ordersApi = {
  list: (q: { q?: string; status?: string; disputed?: boolean; productId?: string; before?: number; limit?: number }) =>
    apiGet<{ orders: OrderRow[]; nextBefore: number | null }>('/api/orders', { ...q, disputed: q.disputed ? '1' : undefined }),
  get: (orderId: string) => apiGet<OrderDetail>(`/api/orders/${id(orderId)}`),
  refund: (orderId: string, body: { amount?: number; reason?: string }) => apiSend<{ refunds: Refund[] }>('POST', `/api/orders/${id(orderId)}/refunds`, body),
  customers: (q: { q?: string; limit?: number; offset?: number }) => apiGet<{ customers: CustomerRow[] }>('/api/customers', q),
  customer: (contactId: string) => apiGet<CustomerDetail>(`/api/customers/${id(contactId)}`),
  subscriptions: (q: { status?: string; contactId?: string }) => apiGet<{ subscriptions: Subscription[] }>('/api/subscriptions', q),
  status: () => apiGet<{ provider: string; testMode: boolean; webhookConfigured: boolean; taxEnabled: boolean; lastReconciliation: ReconciliationRun | null }>('/api/checkout/status'),
  runs: () => apiGet<{ runs: ReconciliationRun[] }>('/api/checkout/reconciliation'),
  reconcileNow: () => apiSend<{ checked: number; repaired: number; skipped: { ref: string; type: string; reason: string }[] }>('POST', '/api/checkout/reconciliation'),
  retryRefund: (orderId: string, refundId: string) => apiSend<{ refund: Refund }>('POST', `/api/orders/${id(orderId)}/refunds/${id(refundId)}/retry`),
};

export const orderStatusTone: Record<string, string> = { paid: 'good', pending: 'warn', failed: 'bad', expired: '' };
export const subscriptionStatusLabel: Record<string, { label: string; tone: string }> = {
  trialing: { label: 'Free trial', tone: 'good' },
  active: { label: 'Active', tone: 'good' },
  past_due: { label: 'Payment overdue', tone: 'warn' },
  unpaid: { label: 'Paused (unpaid)', tone: 'bad' },
  canceled: { label: 'Ended', tone: '' },
  completed: { label: 'Paid in full', tone: 'good' },
};
