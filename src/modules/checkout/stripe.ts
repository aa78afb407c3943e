// Stripe, through the official SDK. Outgoing: Checkout Sessions, off-session charges (upsells),
// refunds, subscription cancels, the billing portal — each create under an idempotency key.
// Incoming: webhooks (signature checked on the raw body, deduplicated by event id) and
// reconciliation. Neither trusts the event's copy of an object: both re-read its current
// state from Stripe and hand the facts to the checkout state machine, so the order in which
// events arrive, or whether they arrive at all, does not change the outcome.
import Stripe from 'stripe';
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/client.js';
import { DomainError } from '../../errors.js';
import type { ChargeResult, PaymentProvider, SessionRequest } from './providers.js';
import type { CheckoutService, PaidVia } from './service.js';
import { reconciliationRuns, webhookEvents } from './schema.js';

export interface StripeSettings {
  secretKey: string;
  webhookSecret?: string;
  apiUrl?: string;
  tax: boolean;
  maxNetworkRetries: number;
}

/** A change the state machine made, for the reconciliation report. */
export interface Change {
  orderId: string | null;
  what: string;
}

/** Stripe's signature tolerance: a delivery signed more than five minutes ago is refused (replays). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export function createStripeClient(s: Pick<StripeSettings, 'secretKey' | 'apiUrl' | 'maxNetworkRetries'>): Stripe {
  const config: ConstructorParameters<typeof Stripe>[1] = { maxNetworkRetries: s.maxNetworkRetries, timeout: 20_000, telemetry: false };
  if (s.apiUrl) {
    const u = new URL(s.apiUrl);
    config.protocol = u.protocol === 'http:' ? 'http' : 'https';
    config.host = u.hostname;
    config.port = u.port || (u.protocol === 'http:' ? 80 : 443);
  }
  return new Stripe(s.secretKey, config);
}

type Expandable = string | { id: string } | null | undefined;
const idOf = (x: Expandable): string | null => (x == null ? null : typeof x === 'string' ? x : x.id);

function periodEndOf(sub: Stripe.Subscription): Date | null {
  const end = sub.items?.data?.[0]?.current_period_end;
  return end ? new Date(end * 1000) : null;
}

function invoicePaymentIntent(inv: Stripe.Invoice): string | null {
  for (const p of inv.payments?.data ?? []) {
    const pi = idOf(p.payment?.payment_intent as Expandable);
    if (pi) return pi;
  }
  return null;
}

/** What a Stripe dispute status means for the order; null when a refund already settled it. */
function disputeOutcome(status: Stripe.Dispute.Status): 'open' | 'won' | 'lost' | null {
  if (status === 'won' || status === 'warning_closed' || status === 'prevented') return 'won';
  if (status === 'lost') return 'lost';
  if (status === 'charge_refunded') return null;
  return 'open';
}

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  readonly testMode: boolean;

  constructor(
    readonly client: Stripe,
    private readonly settings: StripeSettings,
    private readonly clock: Clock,
  ) {
    this.testMode = settings.secretKey.startsWith('sk_test_');
  }

  async createCheckoutSession(req: SessionRequest): Promise<{ id: string; url: string }> {
    const trial = req.lines.find((l) => l.recurring?.trialDays)?.recurring?.trialDays ?? null;
    // Stripe wants a session to live at least 30 minutes.
    const expiresAt = Math.max(Math.floor(req.expiresAt.getTime() / 1000), Math.floor(this.clock.now().getTime() / 1000) + 31 * 60);
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: req.mode,
      line_items: req.lines.map((l) => ({
        quantity: 1,
        price_data: {
          currency: req.currency,
          unit_amount: l.amount,
          product_data: { name: l.name },
          ...(l.recurring ? { recurring: { interval: l.recurring.interval } } : {}),
        },
      })),
      customer_email: req.email,
      client_reference_id: req.orderId,
      metadata: { orderId: req.orderId, orderNumber: String(req.orderNumber) },
      success_url: req.successUrl,
      cancel_url: req.cancelUrl,
      expires_at: expiresAt,
      ...(req.mode === 'payment'
        ? {
            customer_creation: 'always' as const,
            // Saved for one-click upsells after the purchase.
            payment_intent_data: { metadata: { orderId: req.orderId }, setup_future_usage: 'off_session' as const },
          }
        : {
            subscription_data: {
              metadata: { orderId: req.orderId, ...(req.planInstalments ? { instalments: String(req.planInstalments) } : {}) },
              ...(trial ? { trial_period_days: trial } : {}),
            },
          }),
      ...(this.settings.tax ? { automatic_tax: { enabled: true }, billing_address_collection: 'required' as const } : {}),
    };
    const session = await this.client.checkout.sessions.create(params, { idempotencyKey: req.idempotencyKey });
    if (!session.url) throw new Error('Stripe returned a session without a URL');
    return { id: session.id, url: session.url };
  }

  async chargeSaved(req: { orderId: string; customerId: string | null; paymentMethodId: string; amount: number; currency: string; description: string; idempotencyKey: string }): Promise<ChargeResult> {
    try {
      const pi = await this.client.paymentIntents.create(
        {
          amount: req.amount,
          currency: req.currency,
          ...(req.customerId ? { customer: req.customerId } : {}),
          payment_method: req.paymentMethodId,
          off_session: true,
          confirm: true,
          description: req.description,
          metadata: { orderId: req.orderId },
        },
        { idempotencyKey: req.idempotencyKey },
      );
      if (pi.status === 'succeeded') return { status: 'succeeded', paymentId: pi.id, refundRef: pi.id };
      if (pi.status === 'requires_action') return { status: 'requires_action', message: 'Your bank asks you to confirm this payment, which cannot be done in one click. Nothing was charged.' };
      return { status: 'failed', message: pi.last_payment_error?.message ?? 'The payment did not go through.' };
    } catch (err) {
      const e = err as { type?: string; code?: string; message?: string };
      if (e.type === 'StripeCardError') {
        if (e.code === 'authentication_required') return { status: 'requires_action', message: 'Your bank asks you to confirm this payment, which cannot be done in one click. Nothing was charged.' };
        return { status: 'failed', message: e.message ?? 'Your card was declined.' };
      }
      throw err;
    }
  }

  async refund(req: { refundRef: string; amount: number; refundId: string; orderId: string; idempotencyKey: string }): Promise<{ providerRefundId: string }> {
    const r = await this.client.refunds.create(
      { payment_intent: req.refundRef, amount: req.amount, metadata: { refundId: req.refundId, orderId: req.orderId } },
      { idempotencyKey: req.idempotencyKey },
    );
    return { providerRefundId: r.id };
  }

  async cancelSubscription(providerSubscriptionId: string, idempotencyKey: string): Promise<void> {
    try {
      await this.client.subscriptions.cancel(providerSubscriptionId, {}, { idempotencyKey });
    } catch (err) {
      // Already canceled is what we wanted.
      if ((err as { code?: string }).code === 'resource_missing' || /canceled/i.test(String((err as Error).message))) return;
      throw err;
    }
  }

  async cancelAtPeriodEnd(providerSubscriptionId: string, idempotencyKey: string): Promise<void> {
    await this.client.subscriptions.update(providerSubscriptionId, { cancel_at_period_end: true }, { idempotencyKey });
  }

  async billingUrl(req: { customerId: string | null; returnUrl: string }): Promise<string> {
    if (!req.customerId) throw new DomainError('precondition_failed', 'This subscription has no Stripe customer to manage');
    const s = await this.client.billingPortal.sessions.create({ customer: req.customerId, return_url: req.returnUrl });
    return s.url;
  }
}

export class StripeSync {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly provider: StripeProvider,
    private readonly checkout: CheckoutService,
    private readonly webhookSecret: string | undefined,
  ) {}

  private get stripe() {
    return this.provider.client;
  }

  private get db() {
    return this.database.db;
  }

  // ---- webhooks ------------------------------------------------------------------------------

  /**
   * POST /webhooks/stripe. A forged, altered or stale delivery is refused before anything is
   * read or written. A repeat of a processed event is acknowledged and ignored. A failure while
   * processing answers 500, so Stripe delivers again; processing is idempotent.
   */
  async handleWebhook(rawBody: Buffer, signature: string | undefined): Promise<{ received: true; duplicate?: boolean; ignored?: boolean }> {
    if (!this.webhookSecret) throw new DomainError('unavailable', 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature ?? '', this.webhookSecret, WEBHOOK_TOLERANCE_SECONDS, undefined, this.clock.now().getTime());
    } catch (err) {
      throw new DomainError('invalid_token', `The webhook signature is not valid: ${(err as Error).message}`);
    }
    const [seen] = await this.db.select().from(webhookEvents).where(eq(webhookEvents.id, event.id));
    if (seen?.processedAt) return { received: true, duplicate: true };
    const objectId = (event.data.object as { id?: string }).id ?? null;
    const now = this.clock.now();
    await this.db
      .insert(webhookEvents)
      .values({ id: event.id, provider: 'stripe', type: event.type, objectId, receivedAt: now, attempts: 1 })
      .onConflictDoUpdate({ target: webhookEvents.id, set: { attempts: sql`${webhookEvents.attempts} + 1` } });
    try {
      const changes = await this.processEvent(event, 'webhook');
      await this.db.update(webhookEvents).set({ processedAt: this.clock.now(), processedVia: 'webhook', lastError: null }).where(eq(webhookEvents.id, event.id));
      return changes === null ? { received: true, ignored: true } : { received: true };
    } catch (err) {
      this.log.warn({ err, eventId: event.id, type: event.type }, 'stripe webhook failed; Stripe will deliver it again');
      await this.db.update(webhookEvents).set({ lastError: String((err as Error).message).slice(0, 500) }).where(eq(webhookEvents.id, event.id));
      throw err;
    }
  }

  /** Applies one event by re-reading the object it is about. Null when the event type is not one we act on. */
  async processEvent(event: Stripe.Event, via: PaidVia): Promise<Change[] | null> {
    const obj = event.data.object as { id: string; object: string; charge?: Expandable };
    const t = event.type;
    if (t.startsWith('checkout.session.')) return this.syncSession(obj.id, via);
    if (t.startsWith('payment_intent.')) return this.syncPaymentIntent(obj.id, via);
    if (t === 'invoice.paid' || t === 'invoice.payment_succeeded' || t === 'invoice.payment_failed' || t === 'invoice.payment_action_required') return this.syncInvoice(obj.id, via);
    if (t.startsWith('customer.subscription.')) return this.syncSubscription(obj.id, via);
    if (t.startsWith('charge.') || t.startsWith('refund.')) {
      const chargeId = obj.object === 'charge' ? obj.id : idOf(obj.charge);
      return chargeId ? this.syncCharge(chargeId, via) : [];
    }
    return null;
  }

  /** A Checkout Session's current state: paid → fulfil; expired → lapse; async failure → failed. */
  async syncSession(sessionId: string, via: PaidVia): Promise<Change[]> {
    const s = await this.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent', 'subscription'] });
    const orderId = s.metadata?.orderId ?? s.client_reference_id;
    if (!orderId) return [];
    const order = await this.checkout.getOrder(this.db, orderId).catch(() => null);
    if (!order) return [];
    if (s.status === 'complete' && (s.payment_status === 'paid' || s.payment_status === 'no_payment_required')) {
      const pi = s.payment_intent && typeof s.payment_intent === 'object' ? s.payment_intent : null;
      const sub = s.subscription && typeof s.subscription === 'object' ? s.subscription : null;
      let paymentId = pi?.id ?? null;
      let refundRef = pi?.id ?? null;
      // Money received is what a succeeded charge took, never the session's amount: a trial
      // (no_payment_required) takes nothing until its first invoice is paid.
      let received = pi?.status === 'succeeded' ? pi.amount_received : 0;
      const invoiceId = idOf(s.invoice as Expandable) ?? idOf(sub?.latest_invoice as Expandable);
      if (!pi && invoiceId) {
        const inv = await this.stripe.invoices.retrieve(invoiceId, { expand: ['payments'] });
        paymentId = inv.id;
        refundRef = invoicePaymentIntent(inv);
        received = inv.status === 'paid' ? inv.amount_paid : 0;
      }
      const changed = await this.checkout.fulfilPaid(
        order.id,
        {
          providerPaymentId: paymentId,
          refundRef,
          amount: received,
          tax: received > 0 ? (s.total_details?.amount_tax ?? 0) : 0,
          customerId: idOf(s.customer as Expandable),
          paymentMethodId: idOf(pi?.payment_method as Expandable) ?? idOf(sub?.default_payment_method as Expandable),
          subscription: sub
            ? { providerSubscriptionId: sub.id, status: sub.status === 'trialing' ? 'trialing' : sub.status === 'past_due' ? 'past_due' : 'active', currentPeriodEnd: periodEndOf(sub) }
            : null,
        },
        via,
      );
      return changed ? [{ orderId: order.id, what: 'order paid and delivered' }] : [];
    }
    if (s.status === 'expired') return (await this.checkout.expireOrder(order.id)) ? [{ orderId: order.id, what: 'checkout lapsed' }] : [];
    if (s.status === 'complete' && s.payment_status === 'unpaid') {
      const pi = s.payment_intent && typeof s.payment_intent === 'object' ? s.payment_intent : null;
      if (pi && (pi.status === 'requires_payment_method' || pi.status === 'canceled')) {
        return (await this.checkout.recordPaymentFailed(order.id, pi.last_payment_error?.message ?? 'The payment failed', 'failed')) ? [{ orderId: order.id, what: 'payment failed' }] : [];
      }
    }
    return [];
  }

  /** A PaymentIntent: an upsell charge settles its order; a checkout payment defers to its session. */
  async syncPaymentIntent(piId: string, via: PaidVia): Promise<Change[]> {
    const pi = await this.stripe.paymentIntents.retrieve(piId);
    const orderId = pi.metadata?.orderId;
    if (!orderId) return [];
    const order = await this.checkout.getOrder(this.db, orderId).catch(() => null);
    if (!order || order.status === 'paid') return [];
    if (order.kind === 'upsell') {
      if (pi.status === 'succeeded') {
        const changed = await this.checkout.fulfilPaid(order.id, { providerPaymentId: pi.id, refundRef: pi.id, amount: pi.amount_received, customerId: idOf(pi.customer as Expandable), paymentMethodId: idOf(pi.payment_method as Expandable) }, via);
        return changed ? [{ orderId: order.id, what: 'upsell paid and delivered' }] : [];
      }
      if (pi.status === 'requires_payment_method' && pi.last_payment_error) {
        return (await this.checkout.recordPaymentFailed(order.id, pi.last_payment_error.message ?? 'The payment failed', 'failed')) ? [{ orderId: order.id, what: 'upsell payment failed' }] : [];
      }
      return [];
    }
    return this.syncOrderSession(order.id, { payment_intent: pi.id }, via);
  }

  /** Finds the Checkout Session behind an order (by payment or subscription) and syncs it. */
  private async syncOrderSession(orderId: string, by: { payment_intent?: string; subscription?: string }, via: PaidVia): Promise<Change[]> {
    const order = await this.checkout.getOrder(this.db, orderId).catch(() => null);
    if (order?.providerSessionId) return this.syncSession(order.providerSessionId, via);
    const list = await this.stripe.checkout.sessions.list({ ...by, limit: 1 });
    const s = list.data[0];
    return s ? this.syncSession(s.id, via) : [];
  }

  /** An invoice of a subscription or plan: a paid renewal counts; a failed one starts or continues dunning. */
  async syncInvoice(invoiceId: string, via: PaidVia): Promise<Change[]> {
    const inv = await this.stripe.invoices.retrieve(invoiceId, { expand: ['payments'] });
    const details = inv.parent?.subscription_details;
    const providerSubscriptionId = idOf(details?.subscription as Expandable);
    if (!providerSubscriptionId) return [];
    const changes: Change[] = [];
    let sub = await this.checkout.findSubscription(this.db, { provider: 'stripe', providerSubscriptionId });
    if (!sub) {
      // The renewal news arrived before the checkout's: settle the checkout first.
      const orderId = details?.metadata?.orderId;
      if (!orderId) return [];
      changes.push(...(await this.syncOrderSession(orderId, { subscription: providerSubscriptionId }, via)));
      sub = await this.checkout.findSubscription(this.db, { provider: 'stripe', providerSubscriptionId });
      if (!sub) return changes;
    }
    if (inv.billing_reason === 'subscription_create') return changes;
    if (inv.status === 'paid') {
      const line = inv.lines?.data?.[0];
      const r = await this.checkout.renewalPaid(sub.id, {
        providerPaymentId: inv.id,
        refundRef: invoicePaymentIntent(inv),
        amount: inv.amount_paid,
        periodEnd: line?.period?.end ? new Date(line.period.end * 1000) : null,
      });
      if (r.recorded) changes.push({ orderId: sub.orderId, what: r.completedPlan ? 'final plan instalment paid' : 'renewal paid' });
    } else if (inv.status === 'open' && inv.attempt_count > 0) {
      const failed = await this.checkout.renewalFailed(sub.id, {
        failureKey: `${inv.id}:${inv.attempt_count}`,
        message: 'the card was declined',
        nextRetryAt: inv.next_payment_attempt ? new Date(inv.next_payment_attempt * 1000) : null,
      });
      if (failed) changes.push({ orderId: sub.orderId, what: 'renewal failed' });
    }
    return changes;
  }

  async syncSubscription(providerSubscriptionId: string, via: PaidVia): Promise<Change[]> {
    const s = await this.stripe.subscriptions.retrieve(providerSubscriptionId);
    const changes: Change[] = [];
    let sub = await this.checkout.findSubscription(this.db, { provider: 'stripe', providerSubscriptionId });
    if (!sub) {
      const orderId = s.metadata?.orderId;
      if (!orderId) return [];
      changes.push(...(await this.syncOrderSession(orderId, { subscription: providerSubscriptionId }, via)));
      sub = await this.checkout.findSubscription(this.db, { provider: 'stripe', providerSubscriptionId });
      if (!sub) return changes;
    }
    const changed = await this.checkout.subscriptionUpdated(sub.id, { status: s.status, cancelAtPeriodEnd: s.cancel_at_period_end, currentPeriodEnd: periodEndOf(s) });
    if (changed) changes.push({ orderId: sub.orderId, what: s.status === 'canceled' ? 'subscription ended' : 'subscription updated' });
    return changes;
  }

  /** A charge's refunds and disputes, whoever made them (our admin or Stripe's dashboard). */
  async syncCharge(chargeId: string, via: PaidVia): Promise<Change[]> {
    const ch = await this.stripe.charges.retrieve(chargeId, { expand: ['refunds'] });
    const piId = idOf(ch.payment_intent as Expandable);
    if (!piId) return [];
    const changes: Change[] = [];
    let order = await this.checkout.findOrderByPaymentRef(this.db, 'stripe', piId);
    if (!order) {
      changes.push(...(await this.syncPaymentIntent(piId, via)));
      order = await this.checkout.findOrderByPaymentRef(this.db, 'stripe', piId);
      if (!order) return changes;
    }
    for (const r of ch.refunds?.data ?? []) {
      if (r.status !== 'succeeded') continue;
      const applied = await this.checkout.applyRefund(
        order.id,
        { refundId: r.metadata?.refundId ?? null, providerRefundId: r.id, amount: r.amount, paymentRef: piId },
        { kind: 'system', label: 'Stripe dashboard' },
      );
      if (applied) changes.push({ orderId: order.id, what: `refund of ${r.amount} applied` });
    }
    if (ch.disputed) {
      const disputes = await this.stripe.disputes.list({ charge: ch.id, limit: 1 });
      const d = disputes.data[0];
      const status = d ? disputeOutcome(d.status) : null;
      if (d && status && (await this.checkout.applyDispute(order.id, { reason: d.reason, amount: d.amount, disputeId: d.id, status, paymentRef: piId }))) {
        changes.push({ orderId: order.id, what: status === 'open' ? 'dispute flagged' : `dispute ${status}` });
      }
    }
    return changes;
  }

  // ---- reconciliation --------------------------------------------------------------------------

  /**
   * Asks Stripe what happened recently and applies whatever a lost webhook would have told us:
   * completed sessions whose order is unpaid, and events never processed. What it repaired is
   * recorded for the owner.
   */
  async reconcile(): Promise<{ runId: string; checked: number; repairs: { orderId: string | null; what: string; ref: string }[] }> {
    const startedAt = this.clock.now();
    const [last] = await this.db
      .select({ startedAt: reconciliationRuns.startedAt })
      .from(reconciliationRuns)
      .where(and(eq(reconciliationRuns.provider, 'stripe'), isNotNull(reconciliationRuns.finishedAt)))
      .orderBy(desc(reconciliationRuns.startedAt))
      .limit(1);
    const floor = startedAt.getTime() - 3 * 86_400_000;
    const since = Math.floor(Math.max(floor, (last?.startedAt.getTime() ?? floor) - 3_600_000) / 1000);
    const repairs: { orderId: string | null; what: string; ref: string }[] = [];
    let checked = 0;
    let error: string | undefined;
    try {
      for await (const s of this.stripe.checkout.sessions.list({ created: { gte: since }, limit: 100 })) {
        checked++;
        const orderId = s.metadata?.orderId ?? s.client_reference_id;
        if (!orderId) continue;
        const order = await this.checkout.getOrder(this.db, orderId).catch(() => null);
        if (!order) continue;
        const needsPaying = s.status === 'complete' && s.payment_status !== 'unpaid' && order.status !== 'paid';
        const needsLapsing = s.status === 'expired' && order.status === 'pending';
        if (!needsPaying && !needsLapsing) continue;
        for (const c of await this.syncSession(s.id, 'reconciliation')) repairs.push({ ...c, ref: s.id });
      }
      for await (const e of this.stripe.events.list({ created: { gte: since }, limit: 100 })) {
        checked++;
        const [seen] = await this.db.select({ processedAt: webhookEvents.processedAt }).from(webhookEvents).where(eq(webhookEvents.id, e.id));
        if (seen?.processedAt) continue;
        const changes = await this.processEvent(e, 'reconciliation');
        await this.db
          .insert(webhookEvents)
          .values({ id: e.id, provider: 'stripe', type: e.type, objectId: (e.data.object as { id?: string }).id ?? null, receivedAt: this.clock.now(), processedAt: this.clock.now(), processedVia: 'reconciliation', attempts: 1 })
          .onConflictDoUpdate({ target: webhookEvents.id, set: { processedAt: this.clock.now(), processedVia: 'reconciliation' } });
        for (const c of changes ?? []) repairs.push({ ...c, ref: e.id });
      }
    } catch (err) {
      error = String((err as Error).message).slice(0, 500);
      this.log.warn({ err }, 'stripe reconciliation stopped early; the next run continues');
    }
    const runId = await this.checkout.recordReconciliation({ provider: 'stripe', startedAt, checked, repairs, error });
    if (error) throw new Error(`Reconciliation stopped early: ${error}`);
    return { runId, checked, repairs };
  }
}

