// The receipt mailed when an order is paid: its words, in text and HTML, from the order alone.
// Sending it (in the payment's transaction, with the customer's sign-in link) is the service's.
import { describePrice, formatMoney } from '../catalog/index.js';
import type { orderItems, orders } from './schema.js';

type Order = typeof orders.$inferSelect;
type OrderItem = typeof orderItems.$inferSelect;

export interface ReceiptInput {
  order: Order;
  items: OrderItem[];
  /** the single-use sign-in link to the customer's account */
  link: string;
  publicUrl: string;
  testMode: boolean;
}

export function receiptMessage({ order, items, link, publicUrl, testMode }: ReceiptInput): { subject: string; text: string; html: string } {
  const lines = items.map((i) => `${i.name} — ${i.priceType === 'one_time' ? formatMoney(i.unitAmount, i.currency) : describePrice({ type: i.priceType, amount: i.unitAmount, currency: i.currency, interval: i.interval, trialDays: i.trialDays, instalments: i.instalments })}`);
  const totals = [
    ...(order.discount ? [`Discount${order.couponCode ? ` (${order.couponCode})` : ''}: −${formatMoney(order.discount, order.currency)}`] : []),
    ...(order.tax ? [`Tax: ${formatMoney(order.tax, order.currency)}`] : []),
    `Paid today: ${formatMoney(order.amountPaid, order.currency)}`,
  ];
  const recurring = items.find((i) => i.priceType !== 'one_time');
  const recurringNote = recurring
    ? recurring.priceType === 'payment_plan'
      ? `\nThis is payment 1 of ${recurring.instalments}; the next ${(recurring.instalments ?? 1) - 1} follow every ${recurring.interval}.`
      : `\nYour subscription renews at ${formatMoney(recurring.amount, recurring.currency)} every ${recurring.interval}${recurring.trialDays ? ` after your ${recurring.trialDays}-day free trial` : ''}. Cancel any time.`
    : '';
  const testNote = testMode && order.provider !== 'free' ? '\n(TEST MODE: no real money was charged.)' : '';
  const signIn = `${publicUrl}/account/sign-in`;
  const text =
    `Thank you for your order #${order.number}.\n\n${lines.join('\n')}\n\n${totals.join('\n')}${recurringNote}${testNote}\n\n` +
    `Your purchases and downloads are in your account. This link signs you in (once, within 30 minutes):\n${link}\n\n` +
    `Later, sign in any time at ${signIn} with this email address.`;
  const html =
    `<p>Thank you for your order <strong>#${order.number}</strong>.</p><ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` +
    `<p>${totals.map(escapeHtml).join('<br>')}</p>${recurringNote ? `<p>${escapeHtml(recurringNote.trim())}</p>` : ''}${testNote ? `<p><strong>${escapeHtml(testNote.trim())}</strong></p>` : ''}` +
    `<p><a href="${escapeHtml(link)}">Open your account</a> (this link works once, within 30 minutes).</p>` +
    `<p>Later, sign in any time at <a href="${escapeHtml(signIn)}">${escapeHtml(signIn)}</a>.</p>`;
  return { subject: `Your receipt for order #${order.number}`, text, html };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
