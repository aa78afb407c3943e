// Turns orders and quotes into what the public pages show (formatted money, plain words).
import { describePrice, formatMoney } from '../catalog/index.js';
import type { PurchasesView, SummaryView } from '../../../web/public/checkout/pages.js';
import type { CheckoutService, OrderItem } from './service.js';
import type { QuoteLine } from './quote.js';

type LineLike = Pick<QuoteLine, 'name' | 'role' | 'priceType' | 'interval' | 'trialDays' | 'instalments' | 'currency' | 'unitAmount' | 'amount'>;

export function summaryOf(lines: LineLike[], totals: { subtotal: number; discount: number; total: number; currency: string; couponCode: string | null }): SummaryView {
  const recurring = lines.find((l) => l.priceType !== 'one_time');
  let recurringText: string | null = null;
  if (recurring) {
    const per = formatMoney(recurring.amount, recurring.currency);
    const every = recurring.interval === 'year' ? 'year' : 'month';
    if (recurring.priceType === 'payment_plan') {
      const more = (recurring.instalments ?? 1) - 1;
      recurringText = `Then ${more} more payment${more === 1 ? '' : 's'} of ${per}, one every ${every}. Full access from today.`;
    } else if (recurring.trialDays) {
      recurringText = `Free for ${recurring.trialDays} days, then ${per} / ${every}. Cancel any time.`;
    } else {
      recurringText = `Then ${per} / ${every}. Cancel any time.`;
    }
  }
  return {
    lines: lines.map((l) => ({
      name: l.name,
      role: l.role,
      priceText: l.priceType === 'one_time' ? formatMoney(l.unitAmount, l.currency) : describePrice({ type: l.priceType, amount: l.unitAmount, currency: l.currency, interval: l.interval, trialDays: l.trialDays, instalments: l.instalments }),
    })),
    subtotalText: formatMoney(totals.subtotal, totals.currency),
    discountText: totals.discount ? formatMoney(totals.discount, totals.currency) : null,
    couponCode: totals.couponCode,
    totalText: formatMoney(totals.total, totals.currency),
    recurringText,
  };
}

export function itemsSummary(items: OrderItem[], order: { subtotal: number; discount: number; total: number; currency: string; couponCode: string | null }): SummaryView {
  return summaryOf(items, order);
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const dateText = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '');

const subscriptionStatusText: Record<string, string> = {
  trialing: 'Free trial',
  active: 'Active',
  past_due: 'Payment overdue',
  unpaid: 'Paused',
  canceled: 'Ended',
  completed: 'Paid in full',
};

export function statusTextOf(status: string): string {
  return subscriptionStatusText[status] ?? status;
}

export async function purchasesView(checkout: CheckoutService, contactId: string, csrf: string): Promise<PurchasesView | null> {
  const p = await checkout.queries.purchasesOf(contactId);
  if (!p.orders.length && !p.downloads.length && !p.subscriptions.length) return null;
  return {
    csrf,
    orders: p.orders.map((o) => ({
      id: o.id,
      number: o.number,
      date: dateText(o.paidAt),
      items: o.items.map((i) => i.name).join(', '),
      paidText: formatMoney(o.amountPaid, o.currency),
      refunded: o.amountRefunded > 0,
    })),
    downloads: p.downloads.map((d) => ({ id: d.id, name: d.name, productName: d.productName, sizeText: sizeText(d.size), url: d.url })),
    subscriptions: p.subscriptions.map((s) => ({
      id: s.id,
      productName: s.productName,
      statusText: statusTextOf(s.status),
      nextText:
        s.status === 'active' || s.status === 'trialing'
          ? s.cancelAtPeriodEnd
            ? `Ends on ${dateText(s.currentPeriodEnd)}.`
            : `Next payment ${formatMoney(s.amount, s.currency)} on ${dateText(s.currentPeriodEnd)}${s.kind === 'plan' ? ` (${s.instalmentsPaid} of ${s.instalmentsTotal} paid)` : ''}.`
          : s.status === 'past_due' && s.nextRetryAt
            ? `We try again on ${dateText(s.nextRetryAt)}.`
            : '',
      billingUrl: s.status === 'canceled' || s.status === 'completed' ? null : `/account/billing/${s.id}`,
      needsAttention: s.status === 'past_due' || s.status === 'unpaid',
      cancellable: s.kind === 'subscription' && !s.cancelAtPeriodEnd && (s.status === 'active' || s.status === 'trialing' || s.status === 'past_due'),
    })),
  };
}
