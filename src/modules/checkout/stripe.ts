// Stripe, through the official SDK. Outgoing: Checkout Sessions, off-session charges (upsells),
// refunds, subscription cancels, the billing portal — each create under an idempotency key.
// Incoming: webhooks (signature checked on the raw body, deduplicated by event id) and
// reconciliation. Neither trusts the event's copy of an object: both re-read its current
// state from Stripe and hand the facts to the checkout state machine, so the order in which
// events arrive, or whether they arrive at all, does not change the outcome.
import type Stripe from 'stripe';

// The Stripe SDK is loaded when a shop is configured for Stripe (createStripeClient), not at every
// start: it is one of the heaviest packages the server imports, and a shop on the test provider
// never needs it. No Stripe error can exist before it is loaded.
let stripeLib: typeof Stripe | null = null;
function isStripeError(err: unknown): err is Stripe.errors.StripeError {
  return stripeLib !== null && err instanceof stripeLib.errors.StripeError;
}
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/client.js';
import { DomainError } from '../../errors.js';
import { ProviderDeclined, type ChargeResult, type PaymentProvider, type SessionRequest } from './providers.js';
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

export interface Skipped {
  /** the session or event id */
  ref: string;
  type: string;
  reason: string;
}

export interface ReconcileResult {
  runId: string;
  checked: number;
  repairs: { orderId: string | null; what: string; ref: string }[];
  skipped: Skipped[];
}

/**
 * A failure that belongs to one session or event (Stripe cannot give us its object, an
 * object in a shape we cannot read, a state our rules refuse), as opposed to one that
 * stops everything (the database is down): the pass skips the first kind and stops on the second.
 */
function isItemFailure(err: unknown): boolean {
  return isStripeError(err) || err instanceof DomainError || err instanceof UnknownShape;
}

/** Stripe's signature tolerance: a delivery signed more than five minutes ago is refused (replays). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export async function createStripeClient(s: Pick<StripeSettings, 'secretKey' | 'apiUrl' | 'maxNetworkRetries'>): Promise<Stripe> {
  const Stripe = (stripeLib ??= (await import('stripe')).default);
  const config: ConstructorParameters<typeof Stripe>[1] = { maxNetworkRetries: s.maxNetworkRetries, timeout: 20_000, telemetry: false };
  if (s.apiUrl) {
    const u = new URL(s.apiUrl);
    config.protocol = u.protocol === 'http:' ? 'http' : 'https';
    config.host = u.hostname;
    config.port = u.port || (u.protocol === 'http:' ? 80 : 443);
  }
  return new Stripe(s.secretKey, config);
}

/**
 * Stripe answered and refused (a 4xx other than a conflict or a rate limit): nothing happened.
 * Anything else (no answer, a 5xx, a 409 "request in progress", a 429) leaves the outcome unknown.
 */
function isDefiniteRefusal(err: unknown): boolean {
  if (!(isStripeError(err))) return false;
  const status = err.statusCode ?? 0;
  return status >= 400 && status < 500 && status !== 409 && status !== 429;
}

type Expandable = string | { id: string } | null | undefined;
const idOf = (x: Expandable): string | null => (x == null ? null : typeof x === 'string' ? x : x.id);

// Objects are read in whatever API version the account or the event uses, so every field that
// moved between versions is read in both shapes: the current one (2025-03-31 "basil" onwards)
// and the older one. A field found in neither is an error, never a silent "nothing to do".
/** An object in a shape no API version we know has: refused loudly (the webhook answers 500, reconciliation reports it). */
export class UnknownShape extends Error {
  override name = 'UnknownShape';
}

type LegacySubscription = { current_period_end?: number | null };
type LegacyInvoice = { subscription?: Expandable; subscription_details?: { metadata?: Record<string, string> | null } | null; payment_intent?: Expandable };

function periodEndOf(sub: Stripe.Subscription): Date | null {
  const end = sub.items?.data?.[0]?.current_period_end ?? (sub as unknown as LegacySubscription).current_period_end;
  return end ? new Date(end * 1000) : null;
}

function invoicePaymentIntent(inv: Stripe.Invoice): string | null {
  for (const p of inv.payments?.data ?? []) {
    const pi = idOf(p.payment?.payment_intent as Expandable);
    if (pi) return pi;
  }
  return idOf((inv as unknown as LegacyInvoice).payment_intent);
}

/** The subscription an invoice bills and its metadata: `parent.subscription_details` now, `subscription` before. */
function invoiceSubscription(inv: Stripe.Invoice): { id: string | null; metadata: Record<string, string> } {
  const details = inv.parent?.subscription_details;
  const legacy = inv as unknown as LegacyInvoice;
  const id = idOf(details?.subscription as Expandable) ?? idOf(legacy.subscription);
  if (!id && inv.billing_reason?.startsWith('subscription')) {
    throw new UnknownShape(`Invoice ${inv.id} (${inv.billing_reason}) names no subscription in any API shape Onehour knows`);
  }
  return { id, metadata: { ...(legacy.subscription_details?.metadata ?? {}), ...(details?.metadata ?? {}) } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What Onehour tells a caller when Stripe could not tell us something: our own words, with
 * Stripe's own message kept for the log only.
 */
function providerError(err: Stripe.errors.StripeError, what: string): DomainError {
  const missing = err.statusCode === 404 || err.code === 'resource_missing';
  return new DomainError(
    'unavailable',
    missing ? `Stripe does not know ${what} (with this API key); nothing was changed` : `Stripe could not be asked about ${what} just now; nothing was changed`,
    { provider: 'stripe', status: err.statusCode ?? null },
  );
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
    // Every parameter comes from the stored order (never from the clock), so a retry under the
    // same idempotency key is byte-identical; Stripe refuses a key reused with other parameters.
    const expiresAt = Math.floor(req.expiresAt.getTime() / 1000);
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
    try {
      // Only stored facts go in, in a fixed order: a retry under the same key is byte-identical.
      const r = await this.client.refunds.create(
        { payment_intent: req.refundRef, amount: req.amount, metadata: { refundId: req.refundId, orderId: req.orderId } },
        { idempotencyKey: req.idempotencyKey },
      );
      return { providerRefundId: r.id };
    } catch (err) {
      if (isDefiniteRefusal(err)) throw new ProviderDeclined(`Stripe refused the refund (${(err as Stripe.errors.StripeError).code ?? (err as Stripe.errors.StripeError).type})`);
      throw err;
    }
  }

  /** The refund Stripe made for our refund id, if it made one (read back after an unknown outcome). */
  async findRefund(req: { refundRef: string; refundId: string }): Promise<{ providerRefundId: string } | null> {
    for await (const r of this.client.refunds.list({ payment_intent: req.refundRef, limit: 100 })) {
      if (r.metadata?.refundId === req.refundId && r.status !== 'failed' && r.status !== 'canceled') return { providerRefundId: r.id };
    }
    return null;
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

  /**
   * The order Stripe's metadata names, or null when there is no such order here (another shop's
   * session, a deleted order). Only "not found" is null: a database failure is thrown, so the
   * webhook answers 500, is not marked processed, and Stripe delivers it again.
   */
  private async findOrder(orderId: string | null | undefined) {
    if (!orderId || !UUID.test(orderId)) return null;
    try {
      return await this.checkout.queries.getOrder(this.db, orderId);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not_found') return null;
      throw err;
    }
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
      // Not marked processed. The database may be what failed: keep the original error.
      await this.db
        .update(webhookEvents)
        .set({ lastError: String((err as Error).message).slice(0, 500) })
        .where(eq(webhookEvents.id, event.id))
        .catch((e: unknown) => this.log.warn({ err: e, eventId: event.id }, 'could not note the webhook failure'));
      if (isStripeError(err)) throw providerError(err, `the ${objectId ?? 'object'} of event ${event.id} (${event.type})`);
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
    const order = await this.findOrder(s.metadata?.orderId ?? s.client_reference_id);
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
    const order = await this.findOrder(pi.metadata?.orderId);
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
    const order = await this.findOrder(orderId);
    if (order?.providerSessionId) return this.syncSession(order.providerSessionId, via);
    const list = await this.stripe.checkout.sessions.list({ ...by, limit: 1 });
    const s = list.data[0];
    return s ? this.syncSession(s.id, via) : [];
  }

  /** An invoice of a subscription or plan: a paid renewal counts; a failed one starts or continues dunning. */
  async syncInvoice(invoiceId: string, via: PaidVia): Promise<Change[]> {
    const inv = await this.stripe.invoices.retrieve(invoiceId, { expand: ['payments'] });
    const billed = invoiceSubscription(inv);
    const providerSubscriptionId = billed.id;
    if (!providerSubscriptionId) return [];
    const changes: Change[] = [];
    let sub = await this.checkout.queries.findSubscription(this.db, { provider: 'stripe', providerSubscriptionId });
    if (!sub) {
      // The renewal news arrived before the checkout's: settle the checkout first.
      const orderId = billed.metadata.orderId;
      if (!orderId) return [];
      changes.push(...(await this.syncOrderSession(orderId, { subscription: providerSubscriptionId }, via)));
      sub = await this.checkout.queries.findSubscription(this.db, { provider: 'stripe', providerSubscriptionId });
      if (!sub) return changes;
    }
    if (inv.billing_reason === 'subscription_create') return changes;
    if (inv.status === 'paid') {
      const line = inv.lines?.data?.[0];
      const r = await this.checkout.billing.renewalPaid(sub.id, {
        providerPaymentId: inv.id,
        refundRef: invoicePaymentIntent(inv),
        amount: inv.amount_paid,
        periodEnd: line?.period?.end ? new Date(line.period.end * 1000) : null,
      });
      if (r.recorded) changes.push({ orderId: sub.orderId, what: r.completedPlan ? 'final plan instalment paid' : 'renewal paid' });
    } else if (inv.status === 'open' && inv.attempt_count > 0) {
      const failed = await this.checkout.billing.renewalFailed(sub.id, {
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
    let sub = await this.checkout.queries.findSubscription(this.db, { provider: 'stripe', providerSubscriptionId });
    if (!sub) {
      const orderId = s.metadata?.orderId;
      if (!orderId) return [];
      changes.push(...(await this.syncOrderSession(orderId, { subscription: providerSubscriptionId }, via)));
      sub = await this.checkout.queries.findSubscription(this.db, { provider: 'stripe', providerSubscriptionId });
      if (!sub) return changes;
    }
    const changed = await this.checkout.billing.subscriptionUpdated(sub.id, { status: s.status, cancelAtPeriodEnd: s.cancel_at_period_end, currentPeriodEnd: periodEndOf(s) });
    if (changed) changes.push({ orderId: sub.orderId, what: s.status === 'canceled' ? 'subscription ended' : 'subscription updated' });
    return changes;
  }

  /** A charge's refunds and disputes, whoever made them (our admin or Stripe's dashboard). */
  async syncCharge(chargeId: string, via: PaidVia): Promise<Change[]> {
    const ch = await this.stripe.charges.retrieve(chargeId, { expand: ['refunds'] });
    const piId = idOf(ch.payment_intent as Expandable);
    if (!piId) return [];
    const changes: Change[] = [];
    let order = await this.checkout.queries.findOrderByPaymentRef(this.db, 'stripe', piId);
    if (!order) {
      changes.push(...(await this.syncPaymentIntent(piId, via)));
      order = await this.checkout.queries.findOrderByPaymentRef(this.db, 'stripe', piId);
      if (!order) return changes;
    }
    for (const r of ch.refunds?.data ?? []) {
      if (r.status !== 'succeeded') continue;
      const applied = await this.checkout.refunds.applyRefund(
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
      if (d && status && (await this.checkout.refunds.applyDispute(order.id, { reason: d.reason, amount: d.amount, disputeId: d.id, status, paymentRef: piId }))) {
        changes.push({ orderId: order.id, what: status === 'open' ? 'dispute flagged' : `dispute ${status}` });
      }
    }
    return changes;
  }

  // ---- reconciliation --------------------------------------------------------------------------

  /**
   * Asks Stripe what happened recently and applies whatever a lost webhook would have told us:
   * completed sessions whose order is unpaid, and events never processed. One session or event
   * that cannot be applied (its object cannot be read, an unknown shape) is skipped and
   * reported, and the pass goes on, so older lost news (a renewal) is still repaired; a skipped
   * event stays unprocessed for the next pass. What it repaired and what it skipped is recorded
   * for the owner. Only when Stripe's lists themselves cannot be read does the pass stop early.
   */
  async reconcile(): Promise<ReconcileResult> {
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
    const skipped: Skipped[] = [];
    let checked = 0;
    let stoppedEarly: string | undefined;
    /** Runs one item; a failure that belongs to that item alone is skipped and reported. */
    const attempt = async (ref: string, type: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        if (!isItemFailure(err)) throw err;
        const reason = isStripeError(err) ? providerError(err, ref).message : String((err as Error).message).slice(0, 300);
        skipped.push({ ref, type, reason });
        this.log.warn({ err, ref, type }, 'reconciliation skipped one item it could not apply; the pass goes on');
        if (type !== 'checkout.session') {
          await this.db.update(webhookEvents).set({ lastError: reason.slice(0, 500) }).where(eq(webhookEvents.id, ref));
        }
      }
    };
    try {
      for await (const s of this.stripe.checkout.sessions.list({ created: { gte: since }, limit: 100 })) {
        checked++;
        const order = await this.findOrder(s.metadata?.orderId ?? s.client_reference_id);
        if (!order) continue;
        const needsPaying = s.status === 'complete' && s.payment_status !== 'unpaid' && order.status !== 'paid';
        const needsLapsing = s.status === 'expired' && order.status === 'pending';
        if (!needsPaying && !needsLapsing) continue;
        await attempt(s.id, 'checkout.session', async () => {
          for (const c of await this.syncSession(s.id, 'reconciliation')) repairs.push({ ...c, ref: s.id });
        });
      }
      for await (const e of this.stripe.events.list({ created: { gte: since }, limit: 100 })) {
        checked++;
        const [seen] = await this.db.select({ processedAt: webhookEvents.processedAt }).from(webhookEvents).where(eq(webhookEvents.id, e.id));
        if (seen?.processedAt) continue;
        const objectId = (e.data.object as { id?: string }).id ?? null;
        await this.db.insert(webhookEvents).values({ id: e.id, provider: 'stripe', type: e.type, objectId, receivedAt: this.clock.now(), attempts: 0 }).onConflictDoNothing();
        await attempt(e.id, e.type, async () => {
          const changes = await this.processEvent(e, 'reconciliation');
          await this.db.update(webhookEvents).set({ processedAt: this.clock.now(), processedVia: 'reconciliation', lastError: null }).where(eq(webhookEvents.id, e.id));
          for (const c of changes ?? []) repairs.push({ ...c, ref: e.id });
        });
      }
    } catch (err) {
      if (!(isStripeError(err))) throw err;
      stoppedEarly = providerError(err, 'the recent sessions and events').message;
      this.log.warn({ err }, 'stripe reconciliation stopped early; the next run continues');
    }
    const notes = [
      ...(stoppedEarly ? [`Stopped early: ${stoppedEarly}`] : []),
      ...(skipped.length ? [`Skipped ${skipped.length}: ${skipped.map((x) => `${x.ref} (${x.type}): ${x.reason}`).join('; ')}`] : []),
    ];
    const runId = await this.checkout.recordReconciliation({ provider: 'stripe', startedAt, checked, repairs, error: notes.length ? notes.join(' · ').slice(0, 2000) : undefined });
    if (stoppedEarly) throw new DomainError('unavailable', `Reconciliation stopped early and will go on at its next run: ${stoppedEarly}`);
    return { runId, checked, repairs, skipped };
  }
}

