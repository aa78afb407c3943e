// Money going back: refunds from the admin (within the role's limit, one request per refund
// row under its own idempotency key, an unknown outcome settled later and never twice), refunds
// made at the provider, and chargebacks. Access is taken back as each product's refund policy says.
import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import { DomainError, forbidden, invalid, notFound } from '../../errors.js';
import { formatMoney } from '../catalog/index.js';
import type { Role } from '../../permissions.js';
import { ProviderDeclined } from './providers.js';
import { CheckoutPart, IN_FLIGHT_REFUNDS, system, type Refund } from './part.js';
import { orderItems, orders, payments, refunds, subscriptions } from './schema.js';

export class RefundDesk extends CheckoutPart {
  /**
   * Refunds part or all of an order from the admin (one intent). Limits follow the principal's
   * role, whatever the credential: a support assistant (or a support-role API key) may bring an
   * order's refunds in total up to REFUND_LIMIT_SUPPORT_CENTS, counting what is already refunded
   * or still in flight. The refund row exists (pending) before the provider is asked, and
   * the provider's refund carries its id and the idempotency key `refund:<id>`, so the webhook
   * that follows is recognised rather than counted again, and an unknown outcome (a dropped
   * connection) can be settled later without a second refund: see settleRefund.
   */
  async refundOrder(orderId: string, input: { amount?: number; reason?: string }, by: { actor: Actor; role: Role }): Promise<Refund[]> {
    const { actor } = by;
    const planned = await this.database.transaction(async (tx) => {
      const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
      if (!order) throw notFound('Order');
      if (order.status !== 'paid') throw new DomainError('precondition_failed', 'Only paid orders can be refunded');
      const inFlight = await tx.select().from(refunds).where(and(eq(refunds.orderId, orderId), inArray(refunds.status, IN_FLIGHT_REFUNDS)));
      const inFlightTotal = inFlight.reduce((s, r) => s + r.amount, 0);
      const refundable = order.amountPaid - order.amountRefunded - inFlightTotal;
      const amount = input.amount ?? refundable;
      if (!Number.isInteger(amount) || amount < 1) throw invalid('The refund amount must be at least one cent', { field: 'amount' });
      if (amount > refundable) throw invalid(`At most ${formatMoney(refundable, order.currency)} can still be refunded`, { field: 'amount' });
      if (by.role === 'support') {
        const limit = this.settings.refundLimitSupportCents;
        const already = order.amountRefunded + inFlightTotal;
        if (already + amount > limit) {
          throw forbidden(
            `Support can refund up to ${formatMoney(limit, order.currency)} of an order in total (${formatMoney(already, order.currency)} already refunded); ask the owner or an admin for more`,
          );
        }
      }
      const paid = await tx.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(desc(payments.createdAt));
      const rows: Refund[] = [];
      let left = amount;
      for (const p of paid) {
        const inFlightOnP = inFlight.filter((r) => r.paymentId === p.id).reduce((s, r) => s + r.amount, 0);
        const room = p.amount - p.amountRefunded - inFlightOnP;
        if (room <= 0 || left <= 0) continue;
        const part = Math.min(room, left);
        left -= part;
        rows.push(
          await this.ledger.planRefundInTx(tx, { orderId, paymentId: p.id, provider: order.provider, amount: part, currency: order.currency, reason: input.reason?.trim() ?? '', actorKind: actor.kind, actorId: 'id' in actor ? actor.id : null, createdAt: this.clock.now() }),
        );
      }
      if (left > 0) throw invalid('The payments of this order do not cover that amount', { field: 'amount' });
      await this.events.recordInTx(tx, { type: 'refund.requested', actor, subject: { type: 'order', id: orderId }, data: { amount, currency: order.currency, reason: input.reason ?? '' } });
      return rows;
    });
    const done: Refund[] = [];
    for (const row of planned) done.push(await this.settleRefund(row.id, actor, { readBack: false }));
    const failed = done.find((r) => r.status === 'failed');
    if (failed) throw new DomainError('payment_failed', `The payment provider refused the refund, so nothing was refunded: ${failed.error ?? 'no reason given'}`);
    return done;
  }

  /**
   * Asks the provider for one recorded refund, or settles one whose outcome is unknown. The
   * request is always the same: the key `refund:<id>` and parameters derived only from the
   * stored row, so a retry can never become a second refund. A retry first reads back from the
   * provider (its idempotency keys do not last for ever). A refusal marks the refund failed; no
   * answer at all marks it unknown (still counted as in flight), for a later retry.
   */
  async settleRefund(refundId: string, actor: Actor, opts: { readBack: boolean }): Promise<Refund> {
    const row = await this.getRefund(refundId);
    if (!IN_FLIGHT_REFUNDS.includes(row.status)) return row;
    const [payment] = row.paymentId ? await this.db.select().from(payments).where(eq(payments.id, row.paymentId)) : [];
    if (!payment) throw new DomainError('precondition_failed', 'This refund names no payment to refund');
    const ref = payment.refundRef ?? payment.providerPaymentId;
    try {
      let res: { providerRefundId: string } | null = null;
      if (row.provider === 'free') res = { providerRefundId: `free_${row.id}` };
      else {
        if (!ref) throw new ProviderDeclined('The payment has no reference at the provider to refund');
        if (opts.readBack && this.provider.findRefund) res = await this.provider.findRefund({ refundRef: ref, refundId: row.id });
        res ??= await this.provider.refund({ refundRef: ref, amount: row.amount, reason: row.reason, refundId: row.id, orderId: row.orderId, idempotencyKey: `refund:${row.id}` });
      }
      await this.applyRefund(row.orderId, { refundId: row.id, providerRefundId: res.providerRefundId, amount: row.amount, paymentRef: ref }, actor);
    } catch (err) {
      if (err instanceof ProviderDeclined) {
        this.log.warn({ err, orderId: row.orderId, refundId: row.id }, 'the payment provider refused a refund');
        await this.database.transaction(async (tx) => {
          if (await this.ledger.markRefundFailedInTx(tx, row.id, err.message, this.clock.now())) await this.events.recordInTx(tx, { type: 'refund.failed', actor, subject: { type: 'order', id: row.orderId }, data: { refundId: row.id, amount: row.amount } });
        });
      } else {
        // Stripe may have made the refund: never "failed", never a new key.
        this.log.warn({ err, orderId: row.orderId, refundId: row.id }, 'no answer from the payment provider about a refund; its outcome is unknown until checked again');
        await this.ledger.markRefundUnknownInTx(this.db, row.id, 'No answer from the payment provider yet; Onehour checks again with the same request, so it cannot be refunded twice.');
      }
    }
    return this.getRefund(row.id);
  }

  /** The admin's "Check again" on a refund whose outcome is unknown. */
  async retryRefund(orderId: string, refundId: string, actor: Actor): Promise<Refund> {
    const row = await this.getRefund(refundId);
    if (row.orderId !== orderId) throw notFound('Refund');
    if (!IN_FLIGHT_REFUNDS.includes(row.status)) throw new DomainError('precondition_failed', `This refund has already ${row.status}`);
    return this.settleRefund(refundId, actor, { readBack: true });
  }

  /**
   * The checkout.settle-refunds job: every refund whose outcome is unknown, or that has been
   * pending longer than a request can take (the process died mid-request), is read back or
   * retried with its own key and parameters.
   */
  async settleUnknownRefunds(): Promise<{ checked: number; settled: number }> {
    const stuck = new Date(this.clock.now().getTime() - 2 * 60_000);
    const rows = await this.db
      .select({ id: refunds.id })
      .from(refunds)
      .where(or(eq(refunds.status, 'unknown'), and(eq(refunds.status, 'pending'), lt(refunds.createdAt, stuck))))
      .orderBy(asc(refunds.createdAt))
      .limit(100);
    let settled = 0;
    for (const r of rows) {
      const after = await this.settleRefund(r.id, { kind: 'system', label: 'refund checked again' }, { readBack: true });
      if (!IN_FLIGHT_REFUNDS.includes(after.status)) settled++;
    }
    return { checked: rows.length, settled };
  }

  private async getRefund(id: string): Promise<Refund> {
    const [row] = await this.db.select().from(refunds).where(eq(refunds.id, id));
    if (!row) throw notFound('Refund');
    return row;
  }

  /**
   * Money went back to the customer (from our admin, or from the provider's dashboard). Counted
   * once per provider refund; access is revoked as each product's refund policy says.
   */
  async applyRefund(orderId: string, facts: { refundId?: string | null; providerRefundId: string; amount: number; paymentRef: string | null }, actor: Actor): Promise<boolean> {
    let cancel: { providerSubscriptionId: string | null; id: string } | null = null;
    const changed = await this.database.transaction(async (tx) => {
      const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
      if (!order) throw notFound('Order');
      const now = this.clock.now();
      const [known] = await tx
        .select()
        .from(refunds)
        .where(or(and(eq(refunds.provider, order.provider), eq(refunds.providerRefundId, facts.providerRefundId)), facts.refundId ? eq(refunds.id, facts.refundId) : sql`false`))
        .limit(1);
      if (known?.status === 'succeeded') return false;
      const payment = await this.ledger.paymentByRef(tx, orderId, facts.paymentRef);
      const { amount, refunded } = await this.ledger.recordRefundInTx(
        tx,
        order,
        { known: known ?? null, payment, providerRefundId: facts.providerRefundId, amount: facts.amount, actor: { kind: actor.kind, id: 'id' in actor ? actor.id : null } },
        now,
      );
      const full = refunded >= order.amountPaid;
      const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      let revoked = 0;
      for (const item of items) {
        const product = await this.catalog.getProduct(tx, item.productId);
        const revoke = product.refundPolicy === 'revoke_on_any' || (product.refundPolicy === 'revoke_on_full' && full);
        if (!revoke) continue;
        const n = await this.revokeItemsInTx(tx, order, [item], full ? 'refunded' : 'partially refunded', actor);
        revoked += n;
        if (item.priceType !== 'one_time') {
          const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.orderId, orderId));
          if (sub && sub.status !== 'canceled' && sub.status !== 'completed') {
            await tx.update(subscriptions).set({ status: 'canceled', endedAt: now, endedReason: 'refunded', updatedAt: now }).where(eq(subscriptions.id, sub.id));
            await this.events.recordInTx(tx, { type: 'subscription.canceled', actor, subject: { type: 'subscription', id: sub.id }, data: { reason: 'refunded', contactId: sub.contactId } });
            cancel = { providerSubscriptionId: sub.providerSubscriptionId, id: sub.id };
          }
        }
      }
      await this.events.recordInTx(tx, {
        type: 'order.refunded',
        actor,
        subject: { type: 'order', id: orderId },
        data: { amount, currency: order.currency, full, totalRefunded: refunded, revoked, contactId: order.contactId, providerRefundId: facts.providerRefundId },
      });
      await this.mail.queueTransactionalInTx(tx, {
        to: order.email,
        contactId: order.contactId,
        tag: 'checkout.refund',
        subject: `Refund for order #${order.number}`,
        text: `We refunded ${formatMoney(amount, order.currency)} for order #${order.number}. It reaches your account in a few days, depending on your bank.`,
      });
      return true;
    });
    const c = cancel as { providerSubscriptionId: string | null; id: string } | null;
    if (c?.providerSubscriptionId) {
      await this.provider.cancelSubscription(c.providerSubscriptionId, `refund-cancel:${c.id}`).catch((err) => this.log.warn({ err }, 'could not cancel a refunded subscription at the provider'));
    }
    return changed;
  }

  /**
   * A chargeback, as the provider reports it now (events may come in any order; each step
   * happens once):
   * - open: the order is flagged for the owner (`order.disputed`); access stays while the bank decides.
   * - won: nothing was lost (`order.dispute_won`).
   * - lost: the disputed amount counts as money given back (amountRefunded, so revenue and what
   *   can still be refunded drop), and when nothing paid on the order is left the access it gave
   *   is revoked; access from other orders stays (`order.dispute_lost`).
   */
  async applyDispute(orderId: string, facts: { disputeId: string; reason: string; amount: number; status: 'open' | 'won' | 'lost'; paymentRef?: string | null }): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
      if (!order) throw notFound('Order');
      if (order.disputeStatus === facts.status || order.disputeStatus === 'won' || order.disputeStatus === 'lost') return false;
      const now = this.clock.now();
      if (!order.disputedAt) {
        await this.events.recordInTx(tx, {
          type: 'order.disputed',
          actor: system,
          subject: { type: 'order', id: orderId },
          data: { reason: facts.reason, amount: facts.amount, currency: order.currency, disputeId: facts.disputeId, contactId: order.contactId, accessKept: true },
        });
      }
      const patch = { disputedAt: order.disputedAt ?? now, disputeReason: facts.reason, disputeId: facts.disputeId, disputeStatus: facts.status, updatedAt: now };
      if (facts.status === 'open') {
        await this.ledger.markDisputeInTx(tx, orderId, patch);
        return true;
      }
      if (facts.status === 'won') {
        await this.ledger.markDisputeInTx(tx, orderId, patch);
        await this.events.recordInTx(tx, { type: 'order.dispute_won', actor: system, subject: { type: 'order', id: orderId }, data: { disputeId: facts.disputeId, amount: facts.amount, currency: order.currency, contactId: order.contactId } });
        return true;
      }
      const payment = await this.ledger.paymentByRef(tx, orderId, facts.paymentRef);
      const { lost, refunded } = await this.ledger.recordDisputeLostInTx(tx, order, patch, { amount: facts.amount, payment });
      // Other payments on this order (a subscription's other renewals) still cover its access.
      const revoked = refunded >= order.amountPaid ? await this.revokeItemsInTx(tx, order, await tx.select().from(orderItems).where(eq(orderItems.orderId, orderId)), 'dispute lost', system) : 0;
      await this.events.recordInTx(tx, {
        type: 'order.dispute_lost',
        actor: system,
        subject: { type: 'order', id: orderId },
        data: { disputeId: facts.disputeId, amount: lost, currency: order.currency, totalRefunded: refunded, revoked, contactId: order.contactId },
      });
      return true;
    });
  }
}
