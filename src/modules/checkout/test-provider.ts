// The built-in test provider: a local stand-in for Stripe Checkout, for the embedded demo and
// the browser tests. Test cards decide what happens; everything it reports goes through the
// same order/payment state machine as Stripe. It never runs in production with Stripe keys
// (config refuses), and every page it shows says TEST MODE.
import { createHash } from 'node:crypto';
import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import { randomToken } from '../../crypto.js';
import type { Database } from '../../db/client.js';
import { DomainError, notFound } from '../../errors.js';
import { ProviderDeclined, type ChargeResult, type PaymentProvider, type SessionRequest } from './providers.js';
import type { CheckoutService, Subscription } from './service.js';
import { addInterval, nextPeriodEnd } from './billing.js';
import { orders, subscriptions, testCharges, testSessions } from './schema.js';

export type CardBehaviour = 'succeeds' | 'declined' | 'authenticate' | 'fails_on_renewal';

export const TEST_CARDS: { number: string; behaviour: CardBehaviour; label: string }[] = [
  { number: '4242 4242 4242 4242', behaviour: 'succeeds', label: 'Payment succeeds' },
  { number: '4000 0000 0000 0002', behaviour: 'declined', label: 'Card is declined' },
  { number: '4000 0025 0000 3155', behaviour: 'authenticate', label: 'Asks for authentication (3-D Secure)' },
  { number: '4000 0000 0000 0341', behaviour: 'fails_on_renewal', label: 'Pays now, fails on renewal' },
];

export function cardBehaviour(input: string): CardBehaviour | null {
  const digits = input.replace(/[\s-]/g, '');
  return TEST_CARDS.find((c) => c.number.replace(/\s/g, '') === digits)?.behaviour ?? null;
}

export type TestSession = typeof testSessions.$inferSelect;

export type PayOutcome =
  | { outcome: 'paid'; redirectUrl: string }
  | { outcome: 'authenticate' }
  | { outcome: 'declined'; message: string }
  | { outcome: 'closed'; message: string; redirectUrl?: string };

const DECLINED = 'Your card was declined. Try a different card.';

export class TestProvider implements PaymentProvider {
  readonly name = 'test' as const;
  readonly testMode = true;
  private checkout!: CheckoutService;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  /** The state machine this provider reports to (set once the checkout service exists). */
  bind(checkout: CheckoutService): void {
    this.checkout = checkout;
  }

  private get db() {
    return this.database.db;
  }

  async createCheckoutSession(req: SessionRequest): Promise<{ id: string; url: string }> {
    const now = this.clock.now();
    await this.db
      .insert(testSessions)
      .values({
        id: `tps_${randomToken(18)}`,
        orderId: req.orderId,
        idempotencyKey: req.idempotencyKey,
        mode: req.mode,
        currency: req.currency,
        amount: req.lines.reduce((s, l) => s + (l.recurring?.trialDays ? 0 : l.amount), 0),
        lines: req.lines.map((l) => ({ name: l.name, amount: l.amount, recurring: l.recurring ? (l.recurring.trialDays ? `${l.recurring.trialDays}-day trial, then every ${l.recurring.interval}` : `every ${l.recurring.interval}`) : null })),
        status: 'open',
        successUrl: req.successUrl,
        cancelUrl: req.cancelUrl,
        createdAt: now,
        expiresAt: req.expiresAt,
      })
      .onConflictDoNothing();
    const [row] = await this.db.select().from(testSessions).where(eq(testSessions.idempotencyKey, req.idempotencyKey));
    return { id: row!.id, url: `${this.publicUrl}/test-checkout/${row!.id}` };
  }

  async getSession(id: string): Promise<TestSession & { orderNumber: number; email: string }> {
    const [row] = await this.db
      .select({ s: testSessions, number: orders.number, email: orders.email })
      .from(testSessions)
      .innerJoin(orders, eq(orders.id, testSessions.orderId))
      .where(eq(testSessions.id, id));
    if (!row) throw notFound('Payment session');
    return { ...row.s, orderNumber: row.number, email: row.email };
  }

  /** The buyer pressed "Pay" with a test card. */
  async pay(sessionId: string, cardNumber: string): Promise<PayOutcome> {
    const behaviour = cardBehaviour(cardNumber);
    if (!behaviour) return { outcome: 'declined', message: 'This is test mode: use one of the test card numbers listed on this page.' };
    const session = await this.getSession(sessionId);
    const closed = this.closedOutcome(session);
    if (closed) return closed;
    if (behaviour === 'declined') {
      await this.checkout.recordPaymentFailed(session.orderId, DECLINED);
      return { outcome: 'declined', message: DECLINED };
    }
    if (behaviour === 'authenticate') {
      await this.db.update(testSessions).set({ status: 'authenticating', pendingCard: cardNumber.replace(/[\s-]/g, '') }).where(and(eq(testSessions.id, sessionId), eq(testSessions.status, 'open')));
      return { outcome: 'authenticate' };
    }
    return this.complete(session, behaviour);
  }

  /** The test 3-D Secure step: approve completes the payment, fail declines it. */
  async authenticate(sessionId: string, approve: boolean): Promise<PayOutcome> {
    const session = await this.getSession(sessionId);
    if (session.status !== 'authenticating') return this.closedOutcome(session) ?? { outcome: 'declined', message: 'Enter your card again.' };
    if (!approve) {
      await this.db.update(testSessions).set({ status: 'open', pendingCard: null }).where(eq(testSessions.id, sessionId));
      const message = 'Authentication failed, so the payment was not made. Try again or use a different card.';
      await this.checkout.recordPaymentFailed(session.orderId, message);
      return { outcome: 'declined', message };
    }
    return this.complete(session, 'succeeds');
  }

  private closedOutcome(session: TestSession): PayOutcome | null {
    if (session.status === 'complete') return { outcome: 'closed', message: 'This order is already paid.', redirectUrl: session.successUrl };
    if (session.status === 'expired' || session.expiresAt <= this.clock.now()) return { outcome: 'closed', message: 'This payment page has expired. Start again from the product page.' };
    return null;
  }

  /** Charge and fulfil in one transaction: the session completes once, so a second press charges nothing. */
  private async complete(session: TestSession, behaviour: CardBehaviour): Promise<PayOutcome> {
    const card = session.pendingCard ?? TEST_CARDS.find((c) => c.behaviour === behaviour)!.number.replace(/\s/g, '');
    const result = await this.database.transaction(async (tx) => {
      const [locked] = await tx
        .update(testSessions)
        .set({ status: 'complete', completedAt: this.clock.now(), pendingCard: null })
        .where(and(eq(testSessions.id, session.id), inArray(testSessions.status, ['open', 'authenticating'])))
        .returning();
      if (!locked) return false;
      const [order] = await tx.select().from(orders).where(eq(orders.id, session.orderId));
      let chargeId: string | null = null;
      if (session.amount > 0) {
        chargeId = chargeIdFor(`session:${session.id}`);
        await tx.insert(testCharges).values({ id: chargeId, idempotencyKey: `session:${session.id}`, orderId: session.orderId, amount: session.amount, currency: session.currency, card: card.slice(-4), status: 'succeeded', createdAt: this.clock.now() }).onConflictDoNothing();
      }
      await this.checkout.fulfilPaidInTx(
        tx,
        session.orderId,
        {
          providerPaymentId: chargeId,
          refundRef: chargeId,
          amount: session.amount,
          customerId: `tcus_${order!.contactId}`,
          paymentMethodId: `tpm_${behaviour}_${card.slice(-4)}`,
          subscription:
            session.mode === 'subscription'
              ? { providerSubscriptionId: `tsub_${session.orderId}`, status: session.amount === 0 ? 'trialing' : 'active', currentPeriodEnd: null, testCard: behaviour }
              : null,
        },
        'test',
      );
      return true;
    });
    if (!result) return this.closedOutcome(await this.getSession(session.id)) ?? { outcome: 'declined', message: 'Try again.' };
    return { outcome: 'paid', redirectUrl: session.successUrl };
  }

  async chargeSaved(req: { orderId: string; paymentMethodId: string; amount: number; currency: string; idempotencyKey: string }): Promise<ChargeResult> {
    const behaviour = /^tpm_([a-z_]+)_\d{4}$/.exec(req.paymentMethodId)?.[1] as CardBehaviour | undefined;
    if (!behaviour) return { status: 'failed', message: 'No saved test card' };
    if (behaviour === 'declined') return { status: 'failed', message: DECLINED };
    if (behaviour === 'authenticate') return { status: 'requires_action', message: 'Your bank asks you to confirm this payment, which cannot be done in one click. Nothing was charged.' };
    const id = chargeIdFor(req.idempotencyKey);
    await this.db
      .insert(testCharges)
      .values({ id, idempotencyKey: req.idempotencyKey, orderId: req.orderId, amount: req.amount, currency: req.currency, card: req.paymentMethodId.slice(-4), status: 'succeeded', createdAt: this.clock.now() })
      .onConflictDoNothing();
    return { status: 'succeeded', paymentId: id, refundRef: id };
  }

  async refund(req: { refundRef: string; amount: number; idempotencyKey: string }): Promise<{ providerRefundId: string }> {
    const id = `tre_${createHash('sha256').update(req.idempotencyKey).digest('hex').slice(0, 24)}`;
    const [charge] = await this.db.select().from(testCharges).where(eq(testCharges.id, req.refundRef));
    if (!charge) throw new ProviderDeclined(`No test charge ${req.refundRef}`);
    if (charge.amountRefunded + req.amount > charge.amount) throw new ProviderDeclined('The refund is larger than what is left on the charge');
    await this.db.update(testCharges).set({ amountRefunded: charge.amountRefunded + req.amount }).where(eq(testCharges.id, charge.id));
    return { providerRefundId: id };
  }

  async cancelSubscription(): Promise<void> {
    // Our subscription row is the test provider's only record: nothing else to stop.
  }

  async cancelAtPeriodEnd(): Promise<void> {
    // The flag on our subscription row is what runBilling reads.
  }

  async billingUrl(req: { subscriptionId: string }): Promise<string> {
    return `${this.publicUrl}/account/billing/${req.subscriptionId}`;
  }

  // ---- renewals and retries (the test provider's stand-in for Stripe Billing) ---------------

  /** Charges test subscriptions whose period ended, and retries failed ones on schedule. */
  async runBilling(): Promise<{ renewed: number; failed: number; ended: number }> {
    const now = this.clock.now();
    const due = await this.db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.provider, 'test'), inArray(subscriptions.status, ['active', 'trialing']), lte(subscriptions.currentPeriodEnd, now)))
      .limit(500);
    const retries = await this.db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.provider, 'test'), eq(subscriptions.status, 'past_due'), lte(subscriptions.nextRetryAt, now)))
      .limit(500);
    const out = { renewed: 0, failed: 0, ended: 0 };
    for (const sub of [...due, ...retries]) {
      if (sub.cancelAtPeriodEnd && sub.status !== 'past_due') {
        if (await this.checkout.billing.subscriptionEnded(sub.id, 'canceled_by_customer')) out.ended++;
        continue;
      }
      const r = await this.chargeRenewal(sub);
      if (r === 'paid') out.renewed++;
      else if (r === 'failed') out.failed++;
    }
    return out;
  }

  private async chargeRenewal(sub: Subscription): Promise<'paid' | 'failed' | 'skipped'> {
    const attempt = sub.failedAt ? `${sub.failedAt.toISOString()}:${sub.retryCount + 1}` : sub.currentPeriodEnd.toISOString();
    if (sub.testCard === 'fails_on_renewal' || sub.testCard === 'declined') {
      const ok = await this.checkout.billing.renewalFailed(sub.id, { failureKey: `test:${sub.id}:${attempt}`, message: 'Your card was declined' });
      return ok ? 'failed' : 'skipped';
    }
    const key = `renewal:${sub.id}:${attempt}`;
    const id = chargeIdFor(key);
    await this.db
      .insert(testCharges)
      .values({ id, idempotencyKey: key, orderId: sub.orderId, amount: sub.amount, currency: sub.currency, card: sub.testCard ?? 'test', status: 'succeeded', createdAt: this.clock.now() })
      .onConflictDoNothing();
    // A recovered subscription starts a fresh schedule today; a regular renewal continues the old
    // one, counted from its anchor (31 Jan → 28 Feb → 31 Mar), not from the previous end.
    const behind = sub.status === 'past_due' || sub.status === 'unpaid';
    const now = this.clock.now();
    const periodEnd = behind ? addInterval(now, sub.interval, null) : nextPeriodEnd(sub.billingAnchor ?? sub.currentPeriodEnd, sub.interval, sub.currentPeriodEnd);
    const r = await this.checkout.billing.renewalPaid(sub.id, { providerPaymentId: id, refundRef: id, amount: sub.amount, periodEnd, ...(behind ? { billingAnchor: now } : {}) });
    return r.recorded ? 'paid' : 'skipped';
  }

  /** The customer entered a new test card: saved, and an overdue payment is tried at once. */
  async updateCard(contactId: string, subscriptionId: string, cardNumber: string): Promise<{ ok: boolean; message: string }> {
    const behaviour = cardBehaviour(cardNumber);
    if (!behaviour) return { ok: false, message: 'This is test mode: use one of the test card numbers listed on this page.' };
    const sub = await this.checkout.queries.subscriptionOf(contactId, subscriptionId);
    if (sub.provider !== 'test') throw new DomainError('precondition_failed', 'This subscription is billed by Stripe');
    if (behaviour === 'declined') return { ok: false, message: DECLINED };
    await this.db.update(subscriptions).set({ testCard: behaviour === 'authenticate' ? 'succeeds' : behaviour, updatedAt: this.clock.now() }).where(eq(subscriptions.id, sub.id));
    if (sub.status === 'past_due' || sub.status === 'unpaid') {
      const r = await this.chargeRenewal({ ...sub, testCard: behaviour === 'authenticate' ? 'succeeds' : behaviour });
      return r === 'paid' ? { ok: true, message: 'Payment received: your subscription is up to date.' } : { ok: false, message: DECLINED };
    }
    return { ok: true, message: 'Your card is saved for the next payment.' };
  }
}

function chargeIdFor(key: string): string {
  return `tch_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}
