// Subscriptions and payment plans after the first payment: renewals and instalments, dunning
// (a failed renewal, retries, the grace period, access paused and restored), cancellation, and
// the billing dates (counted from the anchor, in UTC).
import { utc } from '@date-fns/utc';
// One file per function: date-fns' index loads all of its ~300 (a start's CPU).
import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { addYears } from 'date-fns/addYears';
import { and, eq, isNotNull, isNull, lte } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import { DomainError, notFound } from '../../errors.js';
import { formatMoney } from '../catalog/index.js';
import { CheckoutPart, customerActor, system, type CheckoutDeps, type Subscription } from './part.js';
import { orderItems, orders, subscriptions, type SubscriptionStatus } from './schema.js';
import type { CheckoutQueries } from './queries.js';

export class SubscriptionBilling extends CheckoutPart {
  constructor(
    deps: CheckoutDeps,
    private readonly queries: CheckoutQueries,
  ) {
    super(deps);
  }

  /**
   * A renewal (or plan instalment) was paid. Counts once per provider payment. A subscription
   * that was behind recovers, and access paused by dunning comes back. A plan whose last
   * instalment this is completes: access stays, billing stops.
   */
  async renewalPaid(
    subscriptionId: string,
    facts: { providerPaymentId: string; refundRef?: string | null; amount: number; periodEnd: Date | null; billingAnchor?: Date },
  ): Promise<{ recorded: boolean; completedPlan: boolean }> {
    let completedPlan = false;
    let toCancel: string | null = null;
    const recorded = await this.database.transaction(async (tx) => {
      const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for('update');
      if (!sub) throw notFound('Subscription');
      const now = this.clock.now();
      const recorded = await this.ledger.recordRenewalInTx(
        tx,
        {
          orderId: sub.orderId,
          subscriptionId: sub.id,
          provider: sub.provider,
          providerPaymentId: facts.providerPaymentId,
          refundRef: facts.refundRef ?? facts.providerPaymentId,
          kind: 'renewal',
          amount: facts.amount,
          currency: sub.currency,
          createdAt: now,
        },
        now,
      );
      if (!recorded) return false;
      const wasBehind = sub.status === 'past_due' || sub.status === 'unpaid';
      const instalmentsPaid = sub.kind === 'plan' ? sub.instalmentsPaid + 1 : sub.instalmentsPaid;
      completedPlan = sub.kind === 'plan' && instalmentsPaid >= (sub.instalmentsTotal ?? Infinity);
      const nextStatus: SubscriptionStatus = completedPlan ? 'completed' : sub.status === 'canceled' ? 'canceled' : 'active';
      await tx
        .update(subscriptions)
        .set({
          status: nextStatus,
          instalmentsPaid,
          currentPeriodEnd: facts.periodEnd ?? nextPeriodEnd(sub.billingAnchor ?? sub.currentPeriodEnd, sub.interval, sub.currentPeriodEnd > now ? sub.currentPeriodEnd : now),
          ...(facts.billingAnchor ? { billingAnchor: facts.billingAnchor } : {}),
          failedAt: null,
          retryCount: 0,
          nextRetryAt: null,
          graceUntil: null,
          accessRevokedAt: null,
          endedAt: completedPlan ? now : sub.endedAt,
          endedReason: completedPlan ? 'plan_completed' : sub.endedReason,
          updatedAt: now,
        })
        .where(eq(subscriptions.id, sub.id));
      const [order] = await tx.select().from(orders).where(eq(orders.id, sub.orderId));
      const actor = customerActor(sub.contactId, order?.email);
      await this.events.recordInTx(tx, {
        type: 'payment.succeeded',
        actor,
        subject: { type: 'order', id: sub.orderId },
        data: { amount: facts.amount, currency: sub.currency, provider: sub.provider, kind: 'renewal', subscriptionId: sub.id },
      });
      await this.events.recordInTx(tx, {
        type: sub.kind === 'plan' ? 'plan.instalment_paid' : 'subscription.renewed',
        actor,
        subject: { type: 'subscription', id: sub.id },
        data: { amount: facts.amount, currency: sub.currency, instalmentsPaid, instalmentsTotal: sub.instalmentsTotal },
      });
      if (wasBehind) {
        if (sub.accessRevokedAt && order) await this.grantOrderInTx(tx, order, await tx.select().from(orderItems).where(eq(orderItems.orderId, order.id)));
        await this.events.recordInTx(tx, { type: 'subscription.recovered', actor, subject: { type: 'subscription', id: sub.id }, data: { accessRestored: Boolean(sub.accessRevokedAt) } });
        if (order) {
          await this.mail.queueTransactionalInTx(tx, {
            to: order.email,
            contactId: sub.contactId,
            tag: 'checkout.dunning_recovered',
            subject: 'Payment received — thank you',
            text: `Your payment of ${formatMoney(facts.amount, sub.currency)} went through${sub.accessRevokedAt ? ' and your access is back' : ''}. Thank you!\n\nYour account: ${this.settings.publicUrl}/account`,
          });
        }
      }
      if (completedPlan) {
        await this.events.recordInTx(tx, { type: 'plan.completed', actor: system, subject: { type: 'subscription', id: sub.id }, data: { instalments: instalmentsPaid } });
        toCancel = sub.providerSubscriptionId;
      }
      return true;
    });
    // The provider would otherwise keep billing a plan that is paid off.
    if (completedPlan && toCancel) {
      await this.provider.cancelSubscription(toCancel, `plan-complete:${subscriptionId}`).catch((err) => this.log.warn({ err, subscriptionId }, 'could not stop billing a completed plan; reconciliation will retry'));
    }
    return { recorded, completedPlan };
  }

  /**
   * A renewal failed. The first failure starts dunning: the subscription is past due, the
   * customer is mailed (with when we try again and where to fix their card), and access
   * lasts until the grace period ends. `failureKey` names the attempt so a repeat does nothing.
   */
  async renewalFailed(subscriptionId: string, facts: { failureKey: string; message: string; nextRetryAt?: Date | null }): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for('update');
      if (!sub) throw notFound('Subscription');
      if (sub.lastFailureKey === facts.failureKey || sub.status === 'canceled' || sub.status === 'completed') return false;
      const now = this.clock.now();
      const failedAt = sub.failedAt ?? now;
      const graceUntil = sub.graceUntil ?? new Date(failedAt.getTime() + this.settings.dunningGraceDays * 86_400_000);
      const retryCount = sub.failedAt ? sub.retryCount + 1 : 0;
      const nextRetryAt = facts.nextRetryAt !== undefined ? facts.nextRetryAt : this.nextRetry(failedAt, retryCount);
      await tx
        .update(subscriptions)
        .set({ status: sub.status === 'unpaid' ? 'unpaid' : 'past_due', failedAt, graceUntil, retryCount, nextRetryAt, lastFailureKey: facts.failureKey, updatedAt: now })
        .where(eq(subscriptions.id, sub.id));
      const [order] = await tx.select().from(orders).where(eq(orders.id, sub.orderId));
      const product = await this.catalog.getProduct(tx, sub.productId);
      await this.events.recordInTx(tx, {
        type: 'subscription.payment_failed',
        actor: system,
        subject: { type: 'subscription', id: sub.id },
        data: { message: facts.message.slice(0, 300), attempt: retryCount + 1, nextRetryAt: nextRetryAt?.toISOString() ?? null, graceUntil: graceUntil.toISOString(), contactId: sub.contactId },
      });
      const fix = `${this.settings.publicUrl}/account/billing/${sub.id}`;
      const when = nextRetryAt ? `We will try again on ${nextRetryAt.toUTCString().slice(0, 16)}.` : 'We will not try again automatically.';
      await this.mail.queueTransactionalInTx(tx, {
        to: order!.email,
        contactId: sub.contactId,
        tag: 'checkout.dunning_failed',
        subject: `Your payment for ${product.name} did not go through`,
        text:
          `We could not take the payment of ${formatMoney(sub.amount, sub.currency)} for ${product.name} (${facts.message}).\n\n${when}\n\n` +
          `To keep your access, update your payment method here:\n${fix}\n\n` +
          `Your access continues until ${graceUntil.toUTCString().slice(0, 16)}; after that it pauses until the payment goes through.`,
      });
      return true;
    });
  }

  private nextRetry(failedAt: Date, retryCount: number): Date | null {
    const day = this.settings.dunningRetryDays[retryCount];
    return day === undefined ? null : new Date(failedAt.getTime() + day * 86_400_000);
  }

  /** The provider reports a subscription's status (Stripe's customer.subscription.*). */
  async subscriptionUpdated(subscriptionId: string, facts: { status: string; cancelAtPeriodEnd: boolean; currentPeriodEnd: Date | null }): Promise<boolean> {
    if (facts.status === 'canceled' || facts.status === 'incomplete_expired') return this.subscriptionEnded(subscriptionId, 'canceled_at_provider');
    return this.database.transaction(async (tx) => {
      const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for('update');
      if (!sub || sub.status === 'canceled' || sub.status === 'completed') return false;
      const patch: Partial<Subscription> = {};
      if (sub.cancelAtPeriodEnd !== facts.cancelAtPeriodEnd) patch.cancelAtPeriodEnd = facts.cancelAtPeriodEnd;
      if (facts.currentPeriodEnd && facts.currentPeriodEnd.getTime() > sub.currentPeriodEnd.getTime()) patch.currentPeriodEnd = facts.currentPeriodEnd;
      if (facts.status === 'trialing' && sub.status !== 'trialing' && sub.instalmentsPaid === 0 && !sub.failedAt) patch.status = 'trialing';
      if (!Object.keys(patch).length) return false;
      await tx.update(subscriptions).set({ ...patch, updatedAt: this.clock.now() }).where(eq(subscriptions.id, sub.id));
      await this.events.recordInTx(tx, { type: 'subscription.updated', actor: system, subject: { type: 'subscription', id: sub.id }, data: { ...patch, currentPeriodEnd: patch.currentPeriodEnd?.toISOString() } });
      return true;
    });
  }

  /**
   * The customer cancels: no more renewals; access lasts until the paid period ends (then
   * the provider reports the end, or the test provider's billing run ends it). A payment plan
   * is a commitment to pay in full, so it cannot be cancelled from the account page.
   */
  async cancelByCustomer(contactId: string, subscriptionId: string): Promise<Subscription> {
    const sub = await this.queries.subscriptionOf(contactId, subscriptionId);
    if (sub.kind === 'plan') throw new DomainError('precondition_failed', 'A payment plan cannot be cancelled here; please contact us.');
    if (sub.status === 'canceled' || sub.status === 'completed' || sub.cancelAtPeriodEnd) return sub;
    if (sub.providerSubscriptionId) await this.provider.cancelAtPeriodEnd(sub.providerSubscriptionId, `cancel-at-period-end:${sub.id}`);
    return this.database.transaction(async (tx) => {
      const [row] = await tx.update(subscriptions).set({ cancelAtPeriodEnd: true, updatedAt: this.clock.now() }).where(eq(subscriptions.id, sub.id)).returning();
      await this.events.recordInTx(tx, { type: 'subscription.cancel_requested', actor: customerActor(contactId), subject: { type: 'subscription', id: sub.id }, data: { endsAt: sub.currentPeriodEnd.toISOString(), contactId } });
      return row!;
    });
  }

  /** The subscription is over: access it gave ends (a completed plan keeps its access). */
  async subscriptionEnded(subscriptionId: string, reason: string, actor: Actor = system): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for('update');
      if (!sub || sub.status === 'canceled' || sub.status === 'completed') return false;
      const now = this.clock.now();
      await tx.update(subscriptions).set({ status: 'canceled', endedAt: now, endedReason: reason, nextRetryAt: null, updatedAt: now }).where(eq(subscriptions.id, sub.id));
      const [order] = await tx.select().from(orders).where(eq(orders.id, sub.orderId));
      const items = await tx.select().from(orderItems).where(and(eq(orderItems.orderId, sub.orderId), eq(orderItems.priceId, sub.priceId)));
      const revoked = order ? await this.revokeItemsInTx(tx, order, items, `subscription ended (${reason})`, actor) : 0;
      await this.events.recordInTx(tx, { type: sub.kind === 'plan' ? 'plan.canceled' : 'subscription.canceled', actor, subject: { type: 'subscription', id: sub.id }, data: { reason, revoked, contactId: sub.contactId } });
      return true;
    });
  }

  /**
   * Dunning, run by a job: past the grace period access pauses (status unpaid; a later
   * successful payment restores it). The test provider's due retries are charged by its own job.
   */
  async enforceGracePeriods(): Promise<number> {
    const now = this.clock.now();
    const due = await this.db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.status, 'past_due'), isNotNull(subscriptions.graceUntil), lte(subscriptions.graceUntil, now), isNull(subscriptions.accessRevokedAt)))
      .limit(200);
    let n = 0;
    for (const sub of due) {
      const done = await this.database.transaction(async (tx) => {
        const [locked] = await tx.select().from(subscriptions).where(eq(subscriptions.id, sub.id)).for('update');
        if (!locked || locked.status !== 'past_due' || locked.accessRevokedAt) return false;
        await tx.update(subscriptions).set({ status: 'unpaid', accessRevokedAt: now, nextRetryAt: null, updatedAt: now }).where(eq(subscriptions.id, sub.id));
        const [order] = await tx.select().from(orders).where(eq(orders.id, sub.orderId));
        const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, sub.orderId));
        const revoked = order ? await this.revokeItemsInTx(tx, order, items, 'payment overdue', system) : 0;
        const product = await this.catalog.getProduct(tx, sub.productId);
        await this.events.recordInTx(tx, { type: 'subscription.access_paused', actor: system, subject: { type: 'subscription', id: sub.id }, data: { revoked, contactId: sub.contactId } });
        await this.mail.queueTransactionalInTx(tx, {
          to: order!.email,
          contactId: sub.contactId,
          tag: 'checkout.dunning_paused',
          subject: `Your access to ${product.name} is paused`,
          text: `We still could not take your payment for ${product.name}, so your access is paused.\n\nUpdate your payment method to restore it at once:\n${this.settings.publicUrl}/account/billing/${sub.id}`,
        });
        return true;
      });
      if (done) n++;
    }
    return n;
  }
}

/** `from` plus n billing intervals in UTC; a day the month lacks becomes its last day (31 Jan + 1 month = 28 or 29 Feb). */
export function addIntervals(from: Date, interval: 'month' | 'year', n: number): Date {
  const d = interval === 'year' ? addYears(from, n, { in: utc }) : addMonths(from, n, { in: utc });
  return new Date(d.getTime());
}

/** The end of a first period: a trial's days, or one interval. */
export function addInterval(from: Date, interval: 'month' | 'year', trialDays: number | null): Date {
  if (trialDays) return new Date(addDays(from, trialDays, { in: utc }).getTime());
  return addIntervals(from, interval, 1);
}

/**
 * The first period end after `after` on the schedule that starts at `anchor` (anchor + k
 * intervals). Each end is counted from the anchor, never from the previous, clamped end, so a
 * subscription started on 31 January renews on 28/29 February and then on 31 March again.
 */
export function nextPeriodEnd(anchor: Date, interval: 'month' | 'year', after: Date): Date {
  const months = (after.getUTCFullYear() - anchor.getUTCFullYear()) * 12 + (after.getUTCMonth() - anchor.getUTCMonth());
  let k = Math.max(1, interval === 'year' ? Math.floor(months / 12) : months);
  while (k > 1 && addIntervals(anchor, interval, k - 1).getTime() > after.getTime()) k--;
  while (addIntervals(anchor, interval, k).getTime() <= after.getTime()) k++;
  return addIntervals(anchor, interval, k);
}
