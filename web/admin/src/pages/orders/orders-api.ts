// Orders, customers, subscriptions and reconciliation (src/modules/checkout/routes.tsx) for the
// admin pages; request and response shapes from the server's contract
// (src/modules/checkout/contract.ts), so a change there fails the type check here.
import { apiGet, apiSend, type QueryOf } from '../../api.js';
import type {
  CheckoutStatus,
  CustomerDetail,
  CustomerList,
  customerListQuery,
  CustomerRow,
  Grant,
  Order,
  OrderDetail,
  OrderList,
  orderListQuery,
  OrderRow,
  ReconcileResult,
  ReconciliationRun,
  ReconciliationRuns,
  Refund,
  RefundInput,
  RefundRetry,
  Refunds,
  Subscription,
  SubscriptionList,
  subscriptionListQuery,
} from '../../../../../src/modules/checkout/contract.js';

export type { CheckoutStatus, CustomerDetail, CustomerRow, Grant, Order, OrderDetail, OrderRow, ReconciliationRun, Refund, Subscription };
export type OrderStatus = Order['status'];

const id = (s: string) => encodeURIComponent(s);

export const ordersApi = {
  /** `disputed` is a flag the route reads as `1` (it has no `false`: not disputed is left out) */
  list: (q: Omit<QueryOf<typeof orderListQuery>, 'disputed'> & { disputed?: boolean }) =>
    apiGet<OrderList, typeof orderListQuery>('/api/orders', { ...q, disputed: q.disputed ? '1' : undefined }),
  get: (orderId: string) => apiGet<OrderDetail>(`/api/orders/${id(orderId)}`),
  refund: (orderId: string, body: RefundInput) => apiSend<Refunds>('POST', `/api/orders/${id(orderId)}/refunds`, body),
  customers: (q: QueryOf<typeof customerListQuery>) => apiGet<CustomerList, typeof customerListQuery>('/api/customers', q),
  customer: (contactId: string) => apiGet<CustomerDetail>(`/api/customers/${id(contactId)}`),
  subscriptions: (q: QueryOf<typeof subscriptionListQuery>) => apiGet<SubscriptionList, typeof subscriptionListQuery>('/api/subscriptions', q),
  status: () => apiGet<CheckoutStatus>('/api/checkout/status'),
  runs: () => apiGet<ReconciliationRuns>('/api/checkout/reconciliation'),
  reconcileNow: () => apiSend<ReconcileResult>('POST', '/api/checkout/reconciliation'),
  retryRefund: (orderId: string, refundId: string) => apiSend<RefundRetry>('POST', `/api/orders/${id(orderId)}/refunds/${id(refundId)}/retry`),
};

export type SubscriptionStatus = Subscription['status'];

export const orderStatusTone: Record<OrderStatus, string> = { paid: 'good', pending: 'warn', failed: 'bad', expired: '' };
export const orderStatuses = Object.keys(orderStatusTone) as OrderStatus[];
export const subscriptionStatusLabel: Record<SubscriptionStatus, { label: string; tone: string }> = {
  trialing: { label: 'Free trial', tone: 'good' },
  active: { label: 'Active', tone: 'good' },
  past_due: { label: 'Payment overdue', tone: 'warn' },
  unpaid: { label: 'Paused (unpaid)', tone: 'bad' },
  canceled: { label: 'Ended', tone: '' },
  completed: { label: 'Paid in full', tone: 'good' },
};
export const subscriptionStatuses = Object.keys(subscriptionStatusLabel) as SubscriptionStatus[];
