// Orders, customers, subscriptions and reconciliation (src/modules/checkout/routes.tsx) for the
// admin pages; request and response shapes from the server's contract
// (src/modules/checkout/contract.ts), so a change there fails the type check here.
import { apiGet, apiSend } from '../../api.js';
import type {
  CheckoutStatus,
  CustomerDetail,
  CustomerList,
  CustomerRow,
  Grant,
  Order,
  OrderDetail,
  OrderList,
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
} from '../../../../../src/modules/checkout/contract.js';

export type { CheckoutStatus, CustomerDetail, CustomerRow, Grant, Order, OrderDetail, OrderRow, ReconciliationRun, Refund, Subscription };
export type OrderStatus = Order['status'];

const id = (s: string) => encodeURIComponent(s);

export const ordersApi = {
  list: (q: { q?: string; status?: string; disputed?: boolean; productId?: string; before?: number; limit?: number }) =>
    apiGet<OrderList>('/api/orders', { ...q, disputed: q.disputed ? '1' : undefined }),
  get: (orderId: string) => apiGet<OrderDetail>(`/api/orders/${id(orderId)}`),
  refund: (orderId: string, body: RefundInput) => apiSend<Refunds>('POST', `/api/orders/${id(orderId)}/refunds`, body),
  customers: (q: { q?: string; limit?: number; offset?: number }) => apiGet<CustomerList>('/api/customers', q),
  customer: (contactId: string) => apiGet<CustomerDetail>(`/api/customers/${id(contactId)}`),
  subscriptions: (q: { status?: string; contactId?: string }) => apiGet<SubscriptionList>('/api/subscriptions', q),
  status: () => apiGet<CheckoutStatus>('/api/checkout/status'),
  runs: () => apiGet<ReconciliationRuns>('/api/checkout/reconciliation'),
  reconcileNow: () => apiSend<ReconcileResult>('POST', '/api/checkout/reconciliation'),
  retryRefund: (orderId: string, refundId: string) => apiSend<RefundRetry>('POST', `/api/orders/${id(orderId)}/refunds/${id(refundId)}/retry`),
};

export const orderStatusTone: Record<OrderStatus, string> = { paid: 'good', pending: 'warn', failed: 'bad', expired: '' };
export const subscriptionStatusLabel: Record<string, { label: string; tone: string }> = {
  trialing: { label: 'Free trial', tone: 'good' },
  active: { label: 'Active', tone: 'good' },
  past_due: { label: 'Payment overdue', tone: 'warn' },
  unpaid: { label: 'Paused (unpaid)', tone: 'bad' },
  canceled: { label: 'Ended', tone: '' },
  completed: { label: 'Paid in full', tone: 'good' },
};
