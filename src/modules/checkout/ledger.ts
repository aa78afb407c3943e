// The order ledger: the one writer of orders, their lines, payments and refunds (a test fails on
// a write to those tables anywhere else in checkout; the demo's history and tests' fixtures are
// the exceptions, as for table ownership). Every change of money or of an order's state is a
// named operation here, each written so that running it twice changes nothing the second time:
// a guarded update (only from the states it may leave) or an insert on a unique key. The money
// rules live here and nowhere else: an order's amountPaid is its first payment plus its renewals,
// what is refunded (refunds and lost disputes) never passes what was paid, on the order or on a
// payment. The parts (service, billing, refunds) decide what happens; the ledger writes it, inside
// the caller's transaction (the `tx` every method takes first).
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { orderItems, orders, payments, refunds, type OrderStatus, type RefundStatus } from './schema.js';

type Order = typeof orders.$inferSelect;
type Payment = typeof payments.$inferSelect;
type Refund = typeof refunds.$inferSelect;

export type NewOrder = typeof orders.$inferInsert;
export type NewOrderLine = Omit<typeof orderItems.$inferInsert, 'orderId' | 'position'>;
export type NewPayment = typeof payments.$inferInsert;
export type NewRefund = typeof refunds.$inferInsert;

/** Refunds asked of the provider whose money may still go out: they count against what is refundable. */
export const IN_FLIGHT_REFUNDS: RefundStatus[] = ['pending', 'unknown'];

/** What paying an order sets on it (the first payment). */
export interface PaidFacts {
  amount: number;
  tax: number;
  providerPaymentId: string | null;
  providerCustomerId: string | null;
  providerPaymentMethodId: string | null;
  via: string;
}

/** What a dispute's news sets on its order. */
export interface DisputePatch {
  disputedAt: Date;
  disputeReason: string;
  disputeId: string;
  disputeStatus: 'open' | 'won' | 'lost';
  updatedAt: Date;
}

export class OrderLedger {
  // ---- orders ---------------------------------------------------------------------------------

  /**
   * A new order and its lines. Null when its unique key (the checkout key, or the parent order
   * and offer of an upsell) is already taken: the other submit's order stands, nothing is written.
   */
  async openOrderInTx(tx: DbOrTx, order: NewOrder, lines: NewOrderLine[]): Promise<Order | null> {
    const [row] = await tx.insert(orders).values(order).onConflictDoNothing().returning();
    if (!row) return null;
    if (lines.length) await tx.insert(orderItems).values(lines.map((l, position) => ({ ...l, orderId: row.id, position })));
    return row;
  }

  /** Takes the right to create the order's payment page (none yet, and no live claim). */
  async claimPaymentPageInTx(tx: DbOrTx, orderId: string, now: Date, staleBefore: Date): Promise<Order | null> {
    const [claimed] = await tx
      .update(orders)
      .set({ sessionClaimedAt: now })
      .where(and(eq(orders.id, orderId), isNull(orders.checkoutUrl), or(isNull(orders.sessionClaimedAt), lt(orders.sessionClaimedAt, staleBefore))))
      .returning();
    return claimed ?? null;
  }

  async attachPaymentPageInTx(tx: DbOrTx, orderId: string, session: { id: string; url: string }, now: Date): Promise<void> {
    await tx.update(orders).set({ providerSessionId: session.id, checkoutUrl: session.url, updatedAt: now }).where(eq(orders.id, orderId));
  }

  /** The provider did not make the page: the next request may try. */
  async releasePaymentPageClaimInTx(tx: DbOrTx, orderId: string): Promise<void> {
    await tx.update(orders).set({ sessionClaimedAt: null }).where(eq(orders.id, orderId));
  }

  /** Once per order: null when the buyer was already signed in from it. */
  async markBuyerSignedInInTx(tx: DbOrTx, orderId: string, now: Date): Promise<Order | null> {
    const [row] = await tx
      .update(orders)
      .set({ buyerSignedInAt: now })
      .where(and(eq(orders.id, orderId), isNull(orders.buyerSignedInAt)))
      .returning();
    return row ?? null;
  }

  /**
   * The order is paid: its first payment's amount becomes amountPaid (renewals add to it, see
   * recordRenewal). The caller holds the order's row lock and has seen it unpaid.
   */
  async markPaidInTx(tx: DbOrTx, order: Order, facts: PaidFacts, now: Date): Promise<Order> {
    const [paid] = await tx
      .update(orders)
      .set({
        status: 'paid',
        paidAt: now,
        amountPaid: facts.amount,
        tax: facts.tax,
        providerPaymentId: facts.providerPaymentId,
        providerCustomerId: facts.providerCustomerId,
        providerPaymentMethodId: facts.providerPaymentMethodId,
        couponState: order.couponId ? 'used' : null,
        paidVia: facts.via,
        failureMessage: null,
        updatedAt: now,
      })
      .where(eq(orders.id, order.id))
      .returning();
    return paid!;
  }

  /** A payment failed: the order stays open (pending) or is marked failed; null unless it was pending or failed. */
  async markFailedInTx(tx: DbOrTx, orderId: string, message: string, status: Extract<OrderStatus, 'pending' | 'failed'>, now: Date): Promise<Order | null> {
    const [row] = await tx
      .update(orders)
      .set({ failureMessage: message.slice(0, 500), status, updatedAt: now })
      .where(and(eq(orders.id, orderId), inArray(orders.status, ['pending', 'failed'])))
      .returning();
    return row ?? null;
  }

  /** A checkout nobody finished lapses; null unless it was still pending. */
  async markExpiredInTx(tx: DbOrTx, orderId: string, now: Date): Promise<Order | null> {
    const [row] = await tx
      .update(orders)
      .set({ status: 'expired', updatedAt: now })
      .where(and(eq(orders.id, orderId), eq(orders.status, 'pending')))
      .returning();
    return row ?? null;
  }

  /** The order gave its coupon use back (the caller released it in the catalog, same transaction). */
  async markCouponReleasedInTx(tx: DbOrTx, orderId: string): Promise<void> {
    await tx.update(orders).set({ couponState: 'released' }).where(eq(orders.id, orderId));
  }

  // ---- payments -------------------------------------------------------------------------------

  /** The first payment of an order (initial or upsell), once per provider payment; markPaid counts its amount. */
  async recordFirstPaymentInTx(tx: DbOrTx, payment: NewPayment): Promise<boolean> {
    const inserted = await tx.insert(payments).values(payment).onConflictDoNothing().returning({ id: payments.id });
    return inserted.length > 0;
  }

  /** A renewal or plan instalment, once per provider payment; its amount is added to the order's amountPaid. */
  async recordRenewalInTx(tx: DbOrTx, payment: NewPayment & { kind: 'renewal' }, now: Date): Promise<boolean> {
    const inserted = await tx.insert(payments).values(payment).onConflictDoNothing().returning({ id: payments.id });
    if (!inserted.length) return false;
    await tx.update(orders).set({ amountPaid: sql`${orders.amountPaid} + ${payment.amount}`, updatedAt: now }).where(eq(orders.id, payment.orderId));
    return true;
  }

  // ---- refunds and disputes -------------------------------------------------------------------

  /** A refund about to be asked of the provider: pending, counted as in flight until settled. */
  async planRefundInTx(tx: DbOrTx, refund: Omit<NewRefund, 'status'>): Promise<Refund> {
    const [row] = await tx
      .insert(refunds)
      .values({ ...refund, status: 'pending' })
      .returning();
    return row!;
  }

  /** The provider refused: nothing went back. False when the refund had already settled. */
  async markRefundFailedInTx(tx: DbOrTx, refundId: string, error: string, now: Date): Promise<boolean> {
    const [marked] = await tx
      .update(refunds)
      .set({ status: 'failed', error: error.slice(0, 300), completedAt: now })
      .where(and(eq(refunds.id, refundId), inArray(refunds.status, IN_FLIGHT_REFUNDS)))
      .returning({ id: refunds.id });
    return Boolean(marked);
  }

  /** No answer from the provider: still in flight, checked again later under the same key. */
  async markRefundUnknownInTx(tx: DbOrTx, refundId: string, error: string): Promise<void> {
    await tx
      .update(refunds)
      .set({ status: 'unknown', error })
      .where(and(eq(refunds.id, refundId), inArray(refunds.status, IN_FLIGHT_REFUNDS)));
  }

  /**
   * Money went back: the refund row we asked for succeeds (or one made at the provider is
   * recorded), and the payment and the order count it, never past what they were paid. The
   * caller holds the order's row lock and has checked the refund is not already counted.
   * Returns what was counted and the order's refunded total after it.
   */
  async recordRefundInTx(
    tx: DbOrTx,
    order: Order,
    at: { known: Refund | null; payment: Payment | null; providerRefundId: string; amount: number; actor: { kind: string; id: string | null } },
    now: Date,
  ): Promise<{ amount: number; refunded: number }> {
    const { known, payment } = at;
    if (known) {
      await tx.update(refunds).set({ status: 'succeeded', providerRefundId: at.providerRefundId, completedAt: now, error: null }).where(eq(refunds.id, known.id));
    } else {
      await tx.insert(refunds).values({
        orderId: order.id,
        paymentId: payment?.id ?? null,
        provider: order.provider,
        providerRefundId: at.providerRefundId,
        amount: at.amount,
        currency: order.currency,
        reason: 'refunded at the payment provider',
        status: 'succeeded',
        actorKind: at.actor.kind,
        actorId: at.actor.id,
        createdAt: now,
        completedAt: now,
      });
    }
    const amount = known?.amount ?? at.amount;
    if (payment) await this.countRefundedOnPayment(tx, payment.id, amount);
    const refunded = Math.min(order.amountPaid, order.amountRefunded + amount);
    await tx.update(orders).set({ amountRefunded: refunded, updatedAt: now }).where(eq(orders.id, order.id));
    return { amount, refunded };
  }

  /** A dispute opened or was won: the order carries it; no money moved. */
  async markDisputeInTx(tx: DbOrTx, orderId: string, patch: DisputePatch): Promise<void> {
    await tx.update(orders).set(patch).where(eq(orders.id, orderId));
  }

  /**
   * A dispute was lost: the disputed amount counts as given back (on the order and on the
   * payment it names), never past what is left. Returns what was counted and the order's
   * refunded total after it. The caller holds the order's row lock.
   */
  async recordDisputeLostInTx(tx: DbOrTx, order: Order, patch: DisputePatch, disputed: { amount: number; payment: Payment | null }): Promise<{ lost: number; refunded: number }> {
    const lost = Math.max(0, Math.min(disputed.amount, order.amountPaid - order.amountRefunded));
    const refunded = order.amountRefunded + lost;
    await tx.update(orders).set({ ...patch, amountRefunded: refunded }).where(eq(orders.id, order.id));
    if (disputed.payment) await this.countRefundedOnPayment(tx, disputed.payment.id, lost);
    return { lost, refunded };
  }

  private async countRefundedOnPayment(tx: DbOrTx, paymentId: string, amount: number): Promise<void> {
    await tx
      .update(payments)
      .set({ amountRefunded: sql`least(${payments.amount}, ${payments.amountRefunded} + ${amount})` })
      .where(eq(payments.id, paymentId));
  }

  // ---- reads the writes above need -------------------------------------------------------------

  /** The payment a provider's refund or dispute names (by its refund reference or its own id). */
  async paymentByRef(db: DbOrTx, orderId: string, ref: string | null | undefined): Promise<Payment | null> {
    if (!ref) return null;
    const [payment] = await db
      .select()
      .from(payments)
      .where(and(eq(payments.orderId, orderId), or(eq(payments.refundRef, ref), eq(payments.providerPaymentId, ref))))
      .limit(1);
    return payment ?? null;
  }
}
