// Checkout: from the checkout form to a paid, delivered order. One state machine for every
// provider: an order goes pending → paid exactly once (a guarded update inside the
// transaction that also records the payment, grants access, queues the receipt and writes the
// events), however many times and in whatever order the provider tells us about it.
import { setTimeout as sleep } from 'node:timers/promises';
import { utc } from '@date-fns/utc';
// One file per function: date-fns' index loads all of its ~300 (a start's CPU).
import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { addYears } from 'date-fns/addYears';
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Signer } from '../../crypto.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { DomainError, forbidden, invalid, notFound } from '../../errors.js';
import type { AccessService } from '../access/index.js';
import { contactDirectory, type AudienceService } from '../audience/index.js';
import { formatMoney, type CatalogService, type Coupon, type Offer, type Price, type Product } from '../catalog/index.js';
import type { MailService } from '../mail/index.js';
import type { PortalService } from '../portal/index.js';
import type { Role } from '../../permissions.js';
import { ProviderDeclined, type ChargeResult, type PaymentProvider, type SessionRequest } from './providers.js';
import { buildQuote, type Quote } from './quote.js';
import { receiptMessage } from './receipt.js';
import { STRIPE_TEST_BANNER, TEST_PROVIDER_BANNER } from './test-mode.js';
import {
  declinedUpsells,
  orderItems,
  orders,
  payments,
  reconciliationRuns,
  refunds,
  subscriptions,
  type OrderStatus,
  type ProviderName,
  type RefundStatus,
  type SubscriptionStatus,
} from './schema.js';

export type Order = typeof orders.$inferSelect;
export type OrderItem = typeof orderItems.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type Refund = typeof refunds.$inferSelect;
export type Subscription = typeof subscriptions.$inferSelect;

export interface CheckoutSettings {
  publicUrl: string;
  refundLimitSupportCents: number;
  dunningRetryDays: number[];
  dunningGraceDays: number;
  sessionMinutes: number;
  downloadLinkHours: number;
}

/** What a provider tells us about a successful first payment. */
export interface PaymentFacts {
  /** payment intent, invoice or test charge */
  providerPaymentId: string | null;
  refundRef?: string | null;
  /** charged now, tax included */
  amount: number;
  tax?: number;
  customerId?: string | null;
  paymentMethodId?: string | null;
  subscription?: { providerSubscriptionId: string; status: 'trialing' | 'active' | 'past_due'; currentPeriodEnd: Date | null; testCard?: string | null } | null;
}

export type PaidVia = 'webhook' | 'return' | 'reconciliation' | 'test' | 'free' | 'upsell';

export interface StartCheckoutInput {
  priceId: string;
  email: string;
  name?: string;
  couponCode?: string;
  bumpOfferIds: string[];
  /** from the checkout form: identical submits share it */
  checkoutKey: string;
  meta?: Record<string, string>;
}

const SESSION_CLAIM_MS = 20_000;
const UPSELL_WINDOW_MS = 60 * 60_000;
const RETURN_TOKEN_MS = 7 * 86_400_000;
/** Refunds asked of the provider whose money may still go out: they count against what is refundable. */
const IN_FLIGHT_REFUNDS: RefundStatus[] = ['pending', 'unknown'];

export const customerActor = (contactId: string, label?: string): Actor => ({ kind: 'customer', id: contactId, label });
const system: Actor = { kind: 'system' };

export class CheckoutService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly log: Logger,
    private readonly signer: Signer,
    private readonly catalog: CatalogService,
    private readonly access: AccessService,
    private readonly audience: AudienceService,
    private readonly portal: PortalService,
    private readonly mail: MailService,
    readonly provider: PaymentProvider,
    readonly settings: CheckoutSettings,
  ) {}

  private get db() {
    return this.database.db;
  }

  get testMode(): boolean {
    return this.provider.testMode;
  }

  /** What payment pages say while no real money can move; null in live mode. */
  get testBanner(): string | null {
    if (!this.provider.testMode) return null;
    return this.provider.name === 'test' ? TEST_PROVIDER_BANNER : STRIPE_TEST_BANNER;
  }

  // ---- the checkout page -----------------------------------------------------------------

  /** The price being bought, its product and the order bumps offered with it; refused when not on sale. */
  async checkoutOffer(priceId: string): Promise<{ price: Price; product: Product; bumps: (Offer & { price: Price; offerProduct: Product })[] }> {
    const price = await this.catalog.getPrice(this.db, priceId);
    if (!price.active || price.product.status !== 'published') throw notFound('This price');
    const bumps = (await this.catalog.listOffers(this.db, { productId: price.productId, kind: 'bump', activeOnly: true })).filter((b) => b.price.currency === price.currency);
    return { price, product: price.product, bumps };
  }

  /** The quote for the form's choices. Coupon problems are validation errors with a clear message. */
  async quote(priceId: string, choice: { couponCode?: string; bumpOfferIds: string[] }): Promise<Quote> {
    const { price, product, bumps } = await this.checkoutOffer(priceId);
    const chosen = bumps.filter((b) => choice.bumpOfferIds.includes(b.id));
    let coupon: Coupon | null = null;
    if (choice.couponCode?.trim()) {
      coupon = await this.catalog.findUsableCoupon(this.db, choice.couponCode, {
        productIds: [product.id, ...chosen.map((b) => b.offerProduct.id)],
        currency: price.currency,
      });
    }
    return buildQuote({ main: { price, product }, bumps: chosen, coupon });
  }

  /**
   * Turns a checkout form into an order and a payment page. Identical submits (same checkout
   * key) end in the same order and the same payment session: a unique key on the order, and
   * one request at a time creating the provider session, under an idempotency key.
   */
  async startCheckout(input: StartCheckoutInput): Promise<{ order: Order; redirectUrl: string }> {
    const existing = await this.findByCheckoutKey(input.checkoutKey);
    if (existing) return { order: existing, redirectUrl: await this.ensurePaymentPage(existing) };
    const quote = await this.quote(input.priceId, input);
    const now = this.clock.now();
    let order: Order | null = null;
    try {
      order = await this.database.transaction(async (tx) => {
        const { contact, created: contactCreated } = await this.audience.upsertContact(tx, { email: input.email, name: input.name, source: 'checkout' });
        if (quote.coupon && !(await this.catalog.reserveCoupon(tx, quote.coupon.id))) {
          throw invalid(`The code "${quote.coupon.code}" has just been used up`, { field: 'coupon' });
        }
        const free = quote.total === 0 && !quote.recurring;
        const [row] = await tx
          .insert(orders)
          .values({
            kind: 'checkout',
            contactId: contact.id,
            email: contact.email,
            currency: quote.currency,
            subtotal: quote.subtotal,
            discount: quote.discount,
            total: quote.total,
            couponId: quote.coupon?.id ?? null,
            couponCode: quote.coupon?.code ?? null,
            couponState: quote.coupon ? 'reserved' : null,
            provider: free ? 'free' : this.provider.name,
            checkoutKey: input.checkoutKey,
            contactCreated,
            meta: input.meta ?? {},
            createdAt: now,
            updatedAt: now,
            expiresAt: new Date(now.getTime() + this.settings.sessionMinutes * 60_000),
          })
          .onConflictDoNothing()
          .returning();
        // Another identical submit won the race: undo this one (its coupon reservation too).
        if (!row) throw new DuplicateSubmit();
        await tx.insert(orderItems).values(quote.lines.map((l, position) => ({ ...l, orderId: row.id, position })));
        await this.events.record(tx, {
          type: 'order.created',
          actor: customerActor(contact.id, contact.email),
          subject: { type: 'order', id: row.id },
          data: { number: row.number, contactId: contact.id, total: row.total, currency: row.currency, coupon: row.couponCode, items: quote.lines.map((l) => ({ productId: l.productId, role: l.role })) },
        });
        if (free) await this.fulfilPaidInTx(tx, row.id, { providerPaymentId: null, amount: 0 }, 'free');
        return row;
      });
    } catch (err) {
      if (!(err instanceof DuplicateSubmit)) throw err;
    }
    order ??= (await this.findByCheckoutKey(input.checkoutKey))!;
    if (order.provider === 'free') return { order, redirectUrl: this.returnUrl(order.id) };
    return { order, redirectUrl: await this.ensurePaymentPage(order) };
  }

  private async findByCheckoutKey(key: string): Promise<Order | null> {
    const [row] = await this.db.select().from(orders).where(eq(orders.checkoutKey, key)).limit(1);
    return row ?? null;
  }

  /** The provider's payment page for a pending order, created once. */
  async ensurePaymentPage(order: Order): Promise<string> {
    if (order.status === 'paid') return this.returnUrl(order.id);
    if (order.status !== 'pending') throw new DomainError('precondition_failed', 'This checkout has lapsed. Start again from the product page.');
    if (order.checkoutUrl) return order.checkoutUrl;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const now = this.clock.now();
      const [claimed] = await this.db
        .update(orders)
        .set({ sessionClaimedAt: now })
        .where(
          and(
            eq(orders.id, order.id),
            isNull(orders.checkoutUrl),
            or(isNull(orders.sessionClaimedAt), lt(orders.sessionClaimedAt, new Date(now.getTime() - SESSION_CLAIM_MS))),
          ),
        )
        .returning();
      if (claimed) return this.createPaymentPage(claimed);
      const [current] = await this.db.select().from(orders).where(eq(orders.id, order.id));
      if (current?.checkoutUrl) return current.checkoutUrl;
      if (Date.now() > deadline) throw new DomainError('unavailable', 'Your payment page is still being prepared. Reload this page in a moment.');
      await sleep(50);
    }
  }

  private async createPaymentPage(order: Order): Promise<string> {
    const items = await this.db.select().from(orderItems).where(eq(orderItems.orderId, order.id)).orderBy(asc(orderItems.position));
    const recurring = items.find((i) => i.priceType !== 'one_time');
    const req: SessionRequest = {
      orderId: order.id,
      orderNumber: order.number,
      email: order.email,
      currency: order.currency,
      mode: recurring ? 'subscription' : 'payment',
      lines: items.map((i) => ({
        name: i.priceType === 'payment_plan' ? `${i.name} (payment 1 of ${i.instalments})` : i.name,
        amount: i.amount,
        recurring: i.priceType === 'one_time' ? null : { interval: i.interval ?? 'month', trialDays: i.trialDays },
      })),
      planInstalments: recurring?.priceType === 'payment_plan' ? recurring.instalments : null,
      // Same key ⇒ byte-identical parameters: everything here is derived from the stored order,
      // never from the clock (a resubmit after a lost answer must reach the same session).
      successUrl: this.returnUrl(order.id, new Date(order.expiresAt.getTime() + RETURN_TOKEN_MS)),
      cancelUrl: `${this.settings.publicUrl}/checkout/${items[0]!.priceId}?cancelled=1`,
      // Stripe wants a session to live at least 30 minutes from its creation.
      expiresAt: new Date(Math.max(order.expiresAt.getTime(), order.createdAt.getTime() + 31 * 60_000)),
      idempotencyKey: `checkout-session:${order.id}`,
    };
    try {
      const session = await this.provider.createCheckoutSession(req);
      await this.db.update(orders).set({ providerSessionId: session.id, checkoutUrl: session.url, updatedAt: this.clock.now() }).where(eq(orders.id, order.id));
      return session.url;
    } catch (err) {
      this.log.warn({ err, orderId: order.id }, 'payment provider did not create a checkout session');
      await this.db.update(orders).set({ sessionClaimedAt: null }).where(eq(orders.id, order.id));
      throw new DomainError('unavailable', 'The payment page could not be opened just now. Please try again in a moment; you have not been charged.');
    }
  }

  // ---- return, thank-you and upsell pages ----------------------------------------------------

  /** Where the provider sends the buyer after paying: carries a signed token bound to the order. */
  returnUrl(orderId: string, until?: Date): string {
    return `${this.settings.publicUrl}/checkout/complete/${orderId}?t=${this.orderToken(orderId, until)}`;
  }

  orderToken(orderId: string, until?: Date): string {
    return this.signer.sign('order', orderId, until ?? new Date(this.clock.now().getTime() + RETURN_TOKEN_MS));
  }

  /** The order a return/thank-you/upsell link names, when its token is genuine. */
  async orderFromToken(orderId: string, token: string | undefined): Promise<Order> {
    const ok = token ? this.signer.verify('order', token, this.clock.now()) : null;
    if (ok !== orderId) throw new DomainError('forbidden', 'This link is not valid any more. Your receipt email has a link to your account.');
    return this.getOrder(this.db, orderId);
  }

  /**
   * Right after paying, once per order (a return link that leaks later does not keep opening
   * the account): a buyer whose contact this checkout created is signed in at once. Anyone can
   * type any address into a checkout, so an address that already belonged to someone is opened
   * only from its mailbox: it gets a sign-in link instead. Returns the session token to set as
   * a cookie, or whether a link was mailed.
   */
  async signInBuyerOnce(order: Order, meta: { ip?: string; userAgent?: string }): Promise<{ token: string | null; linkSent: boolean }> {
    // Only right after paying: later, the receipt's magic link is the way in.
    if (order.status !== 'paid' || !order.paidAt || this.clock.now().getTime() - order.paidAt.getTime() > UPSELL_WINDOW_MS) return { token: null, linkSent: false };
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .update(orders)
        .set({ buyerSignedInAt: this.clock.now() })
        .where(and(eq(orders.id, order.id), isNull(orders.buyerSignedInAt)))
        .returning();
      if (!row) return { token: null, linkSent: false };
      const contact = await this.audience.getContact(tx, order.contactId);
      if (!row.contactCreated) {
        await this.portal.mailMagicLink(tx, contact, '/account');
        return { token: null, linkSent: true };
      }
      const { token } = await this.portal.openSession(tx, contact, meta);
      return { token, linkSent: false };
    });
  }

  /** The upsell to show after this order, if any and still in its one-hour window. */
  async nextUpsell(order: Order): Promise<(Offer & { price: Price; offerProduct: Product }) | null> {
    if (order.kind !== 'checkout' || order.status !== 'paid' || !order.paidAt) return null;
    if (this.clock.now().getTime() - order.paidAt.getTime() > UPSELL_WINDOW_MS) return null;
    if (!order.providerPaymentMethodId) return null;
    const items = await this.db.select().from(orderItems).where(eq(orderItems.orderId, order.id));
    const main = items.find((i) => i.role === 'main');
    if (!main) return null;
    const offers = (await this.catalog.listOffers(this.db, { productId: main.productId, kind: 'upsell', activeOnly: true })).filter((o) => o.price.currency === order.currency);
    if (!offers.length) return null;
    const decided = await this.db.select({ offerId: orders.offerId }).from(orders).where(eq(orders.parentOrderId, order.id));
    const owned = new Set(items.map((i) => i.productId));
    return offers.find((o) => !decided.some((d) => d.offerId === o.id) && !owned.has(o.offerProduct.id)) ?? null;
  }

  /**
   * One click: a new order for the offer, charged to the payment method saved at checkout.
   * Pressing "yes" twice makes one order and one charge (unique per parent order and offer,
   * and the charge carries an idempotency key).
   */
  async acceptUpsell(parentId: string, offerId: string): Promise<{ order: Order; result: 'paid' | 'failed' | 'pending'; message?: string }> {
    const parent = await this.getOrder(this.db, parentId);
    if (parent.status !== 'paid' || !parent.paidAt || this.clock.now().getTime() - parent.paidAt.getTime() > UPSELL_WINDOW_MS) {
      throw new DomainError('precondition_failed', 'This offer has expired.');
    }
    if (!parent.providerPaymentMethodId) throw new DomainError('precondition_failed', 'This offer needs the card from your order, which was not saved.');
    const offer = await this.catalog.getOffer(this.db, offerId);
    const parentItems = await this.db.select().from(orderItems).where(eq(orderItems.orderId, parent.id));
    if (offer.kind !== 'upsell' || !offer.active || !parentItems.some((i) => i.role === 'main' && i.productId === offer.productId)) throw notFound('Offer');
    const amount = offer.amount ?? offer.price.amount;
    const now = this.clock.now();
    await this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(orders)
        .values({
          kind: 'upsell',
          parentOrderId: parent.id,
          offerId: offer.id,
          contactId: parent.contactId,
          email: parent.email,
          currency: offer.price.currency,
          subtotal: amount,
          total: amount,
          provider: parent.provider === 'free' ? this.provider.name : parent.provider,
          providerCustomerId: parent.providerCustomerId,
          providerPaymentMethodId: parent.providerPaymentMethodId,
          createdAt: now,
          updatedAt: now,
          expiresAt: new Date(now.getTime() + UPSELL_WINDOW_MS),
        })
        .onConflictDoNothing()
        .returning();
      if (!row) return;
      await tx.insert(orderItems).values({
        orderId: row.id,
        role: 'upsell',
        productId: offer.offerProduct.id,
        priceId: offer.price.id,
        offerId: offer.id,
        name: offer.offerProduct.name,
        priceType: 'one_time',
        currency: offer.price.currency,
        unitAmount: amount,
        amount,
      });
      await this.events.record(tx, {
        type: 'upsell.accepted',
        actor: customerActor(parent.contactId, parent.email),
        subject: { type: 'order', id: row.id },
        data: { parentOrderId: parent.id, offerId: offer.id, amount, currency: row.currency },
      });
    });
    const [order] = await this.db.select().from(orders).where(and(eq(orders.parentOrderId, parent.id), eq(orders.offerId, offer.id)));
    if (!order) throw notFound('Order');
    if (order.status === 'paid') return { order, result: 'paid' };
    const charge = () =>
      this.provider.chargeSaved({
        orderId: order.id,
        customerId: order.providerCustomerId,
        paymentMethodId: order.providerPaymentMethodId!,
        amount: order.total,
        currency: order.currency,
        description: `Order #${order.number}: ${offer.offerProduct.name}`,
        idempotencyKey: `upsell:${order.id}`,
      });
    let result: ChargeResult;
    try {
      result = await charge();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      // The answer was lost (the charge may or may not have run). Asking again under the same
      // idempotency key reads back what happened without charging twice.
      this.log.warn({ err, orderId: order.id }, 'upsell charge outcome unknown; asking the provider again under the same key');
      try {
        result = await charge();
      } catch (again) {
        if (again instanceof DomainError) throw again;
        this.log.warn({ err: again, orderId: order.id }, 'upsell charge outcome still unknown; the webhook or reconciliation settles it');
        return { order: await this.getOrder(this.db, order.id), result: 'pending' };
      }
    }
    if (result.status === 'succeeded') {
      await this.fulfilPaid(order.id, { providerPaymentId: result.paymentId, refundRef: result.refundRef, amount: order.total, customerId: order.providerCustomerId, paymentMethodId: order.providerPaymentMethodId }, 'upsell');
      return { order: await this.getOrder(this.db, order.id), result: 'paid' };
    }
    await this.recordPaymentFailed(order.id, result.message, 'failed');
    return { order: await this.getOrder(this.db, order.id), result: 'failed', message: result.message };
  }

  /** "No thanks": remembered (in the checkout's own table) so the offer is not shown again for this order. */
  async declineUpsell(parentId: string, offerId: string): Promise<void> {
    const parent = await this.getOrder(this.db, parentId);
    await this.database.transaction(async (tx) => {
      const [fresh] = await tx.insert(declinedUpsells).values({ orderId: parent.id, offerId, declinedAt: this.clock.now() }).onConflictDoNothing().returning();
      if (fresh) await this.events.record(tx, { type: 'upsell.declined', actor: customerActor(parent.contactId, parent.email), subject: { type: 'order', id: parent.id }, data: { offerId } });
    });
  }

  async declinedUpsells(orderId: string): Promise<string[]> {
    const rows = await this.db.select({ offerId: declinedUpsells.offerId }).from(declinedUpsells).where(eq(declinedUpsells.orderId, orderId));
    return rows.map((r) => r.offerId);
  }

  // ---- the state machine -------------------------------------------------------------------

  async fulfilPaid(orderId: string, facts: PaymentFacts, via: PaidVia): Promise<boolean> {
    return this.database.transaction((tx) => this.fulfilPaidInTx(tx, orderId, facts, via));
  }

  /**
   * pending/failed/expired → paid, exactly once: the payment, the subscription, access for
   * everything bought, the receipt and the events commit together or not at all. Returns
   * false when the order was already paid (a repeat delivery, a second path to the same news).
   */
  async fulfilPaidInTx(tx: Tx, orderId: string, facts: PaymentFacts, via: PaidVia): Promise<boolean> {
    const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
    if (!order) throw notFound('Order');
    if (order.status === 'paid') return false;
    const now = this.clock.now();
    // A checkout that lapsed gave its coupon use back; a late payment still honours the coupon.
    if (order.couponId && order.couponState === 'released') {
      await this.catalog.countCouponUse(tx, order.couponId);
    }
    const [paid] = await tx
      .update(orders)
      .set({
        status: 'paid',
        paidAt: now,
        amountPaid: facts.amount,
        tax: facts.tax ?? 0,
        providerPaymentId: facts.providerPaymentId,
        providerCustomerId: facts.customerId ?? order.providerCustomerId,
        providerPaymentMethodId: facts.paymentMethodId ?? order.providerPaymentMethodId,
        couponState: order.couponId ? 'used' : null,
        paidVia: via,
        failureMessage: null,
        updatedAt: now,
      })
      .where(eq(orders.id, orderId))
      .returning();
    const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, orderId)).orderBy(asc(orderItems.position));
    const recurring = items.find((i) => i.priceType !== 'one_time');
    let subscriptionId: string | null = null;
    if (recurring) {
      const plan = recurring.priceType === 'payment_plan';
      const trialDays = recurring.trialDays && !plan ? recurring.trialDays : null;
      const firstPeriodEnd = addInterval(now, recurring.interval ?? 'month', trialDays);
      const [sub] = await tx
        .insert(subscriptions)
        .values({
          orderId,
          contactId: order.contactId,
          productId: recurring.productId,
          priceId: recurring.priceId,
          kind: plan ? 'plan' : 'subscription',
          provider: order.provider,
          providerSubscriptionId: facts.subscription?.providerSubscriptionId ?? null,
          status: facts.subscription?.status ?? (recurring.trialDays && !plan ? 'trialing' : 'active'),
          currency: order.currency,
          amount: recurring.amount,
          interval: recurring.interval ?? 'month',
          currentPeriodEnd: facts.subscription?.currentPeriodEnd ?? firstPeriodEnd,
          // Paid periods count from the first charge: today, or the day the trial ends.
          billingAnchor: trialDays ? firstPeriodEnd : now,
          instalmentsPaid: plan ? 1 : 0,
          instalmentsTotal: plan ? recurring.instalments : null,
          testCard: facts.subscription?.testCard ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      subscriptionId = sub?.id ?? null;
      if (sub) {
        await this.events.record(tx, {
          type: plan ? 'plan.started' : 'subscription.started',
          actor: customerActor(order.contactId, order.email),
          subject: { type: 'subscription', id: sub.id },
          data: { orderId, productId: sub.productId, amount: sub.amount, currency: sub.currency, interval: sub.interval, status: sub.status, instalments: sub.instalmentsTotal },
        });
      }
    }
    if (facts.amount > 0 && facts.providerPaymentId) {
      await tx
        .insert(payments)
        .values({
          orderId,
          subscriptionId,
          provider: order.provider,
          providerPaymentId: facts.providerPaymentId,
          refundRef: facts.refundRef ?? facts.providerPaymentId,
          kind: order.kind === 'upsell' ? 'upsell' : 'initial',
          amount: facts.amount,
          currency: order.currency,
          createdAt: now,
        })
        .onConflictDoNothing();
      await this.events.record(tx, {
        type: 'payment.succeeded',
        actor: customerActor(order.contactId, order.email),
        subject: { type: 'order', id: orderId },
        data: { amount: facts.amount, currency: order.currency, provider: order.provider, kind: order.kind === 'upsell' ? 'upsell' : 'initial' },
      });
    }
    await this.grantOrder(tx, paid!, items);
    await this.events.record(tx, {
      type: 'order.paid',
      actor: customerActor(order.contactId, order.email),
      subject: { type: 'order', id: orderId },
      data: {
        number: order.number,
        contactId: order.contactId,
        kind: order.kind,
        total: order.total,
        amountPaid: facts.amount,
        tax: facts.tax ?? 0,
        currency: order.currency,
        provider: order.provider,
        via,
        coupon: order.couponCode,
        productIds: items.map((i) => i.productId),
      },
    });
    await this.queueReceipt(tx, paid!, items);
    return true;
  }

  /** Access for everything an order bought (bundles and memberships: what they include). Idempotent. */
  private async grantOrder(tx: Tx, order: Order, items: OrderItem[]): Promise<number> {
    let granted = 0;
    for (const item of items) {
      const source = item.priceType === 'one_time' ? 'purchase' : item.priceType === 'payment_plan' ? 'plan' : 'membership';
      const product = await this.catalog.getProduct(tx, item.productId);
      for (const ent of await this.catalog.entitlementsOf(tx, item.productId)) {
        const viaSource = ent.included ? (product.kind === 'membership' ? 'membership' : 'bundle') : source;
        const r = await this.access.grant(tx, { contactId: order.contactId, resource: ent.resource, source: viaSource, sourceId: order.id, actor: system, reason: `order #${order.number}` });
        if (r.created) granted++;
      }
    }
    return granted;
  }

  private async revokeItems(tx: Tx, order: Order, items: OrderItem[], reason: string, actor: Actor): Promise<number> {
    let n = 0;
    for (const item of items) {
      for (const ent of await this.catalog.entitlementsOf(tx, item.productId)) {
        n += await this.access.revoke(tx, { contactId: order.contactId, resource: ent.resource, sourceId: order.id }, actor, reason);
      }
    }
    return n;
  }

  /** A card was declined or a payment failed: the order stays open for another try; nothing is granted. */
  async recordPaymentFailed(orderId: string, message: string, status: Extract<OrderStatus, 'pending' | 'failed'> = 'pending'): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const [order] = await tx
        .update(orders)
        .set({ failureMessage: message.slice(0, 500), status, updatedAt: this.clock.now() })
        .where(and(eq(orders.id, orderId), inArray(orders.status, ['pending', 'failed'])))
        .returning();
      if (!order) return false;
      if (status === 'failed') await this.releaseCoupon(tx, order);
      await this.events.record(tx, {
        type: 'payment.failed',
        actor: customerActor(order.contactId, order.email),
        subject: { type: 'order', id: orderId },
        data: { message: message.slice(0, 300), provider: order.provider, amount: order.total, currency: order.currency, contactId: order.contactId },
      });
      return true;
    });
  }

  private async releaseCoupon(tx: Tx, order: Order): Promise<void> {
    if (order.couponId && order.couponState === 'reserved') {
      await this.catalog.releaseCoupon(tx, order.couponId);
      await tx.update(orders).set({ couponState: 'released' }).where(eq(orders.id, order.id));
    }
  }

  /** A checkout nobody finished: it lapses and gives back its coupon use. */
  async expireOrder(orderId: string): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const [order] = await tx
        .update(orders)
        .set({ status: 'expired', updatedAt: this.clock.now() })
        .where(and(eq(orders.id, orderId), eq(orders.status, 'pending')))
        .returning();
      if (!order) return false;
      await this.releaseCoupon(tx, order);
      await this.events.record(tx, { type: 'order.expired', actor: system, subject: { type: 'order', id: orderId }, data: { number: order.number, total: order.total, currency: order.currency } });
      return true;
    });
  }

  /** Lapses every pending checkout past its expiry (the checkout.expire-orders job). */
  async expireStale(): Promise<number> {
    // A few minutes of slack: a provider may still be confirming a payment made at the last second.
    const cutoff = new Date(this.clock.now().getTime() - 5 * 60_000);
    const stale = await this.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.status, 'pending'), lt(orders.expiresAt, cutoff)))
      .limit(500);
    let n = 0;
    for (const o of stale) if (await this.expireOrder(o.id)) n++;
    return n;
  }

  // ---- subscriptions, payment plans and dunning ------------------------------------------------

  async findSubscription(db: DbOrTx, by: { id?: string; provider?: ProviderName; providerSubscriptionId?: string; orderId?: string }): Promise<Subscription | null> {
    const where: SQL[] = [];
    if (by.id) where.push(eq(subscriptions.id, by.id));
    if (by.providerSubscriptionId) where.push(eq(subscriptions.providerSubscriptionId, by.providerSubscriptionId));
    if (by.provider) where.push(eq(subscriptions.provider, by.provider));
    if (by.orderId) where.push(eq(subscriptions.orderId, by.orderId));
    if (!where.length) return null;
    const [row] = await db.select().from(subscriptions).where(and(...where)).limit(1);
    return row ?? null;
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
      const inserted = await tx
        .insert(payments)
        .values({
          orderId: sub.orderId,
          subscriptionId: sub.id,
          provider: sub.provider,
          providerPaymentId: facts.providerPaymentId,
          refundRef: facts.refundRef ?? facts.providerPaymentId,
          kind: 'renewal',
          amount: facts.amount,
          currency: sub.currency,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning();
      if (!inserted.length) return false;
      await tx.update(orders).set({ amountPaid: sql`${orders.amountPaid} + ${facts.amount}`, updatedAt: now }).where(eq(orders.id, sub.orderId));
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
      await this.events.record(tx, {
        type: 'payment.succeeded',
        actor,
        subject: { type: 'order', id: sub.orderId },
        data: { amount: facts.amount, currency: sub.currency, provider: sub.provider, kind: 'renewal', subscriptionId: sub.id },
      });
      await this.events.record(tx, {
        type: sub.kind === 'plan' ? 'plan.instalment_paid' : 'subscription.renewed',
        actor,
        subject: { type: 'subscription', id: sub.id },
        data: { amount: facts.amount, currency: sub.currency, instalmentsPaid, instalmentsTotal: sub.instalmentsTotal },
      });
      if (wasBehind) {
        if (sub.accessRevokedAt && order) await this.grantOrder(tx, order, await tx.select().from(orderItems).where(eq(orderItems.orderId, order.id)));
        await this.events.record(tx, { type: 'subscription.recovered', actor, subject: { type: 'subscription', id: sub.id }, data: { accessRestored: Boolean(sub.accessRevokedAt) } });
        if (order) {
          await this.mail.queueTransactional(tx, {
            to: order.email,
            contactId: sub.contactId,
            tag: 'checkout.dunning_recovered',
            subject: 'Payment received — thank you',
            text: `Your payment of ${formatMoney(facts.amount, sub.currency)} went through${sub.accessRevokedAt ? ' and your access is back' : ''}. Thank you!\n\nYour account: ${this.settings.publicUrl}/account`,
          });
        }
      }
      if (completedPlan) {
        await this.events.record(tx, { type: 'plan.completed', actor: system, subject: { type: 'subscription', id: sub.id }, data: { instalments: instalmentsPaid } });
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
      await this.events.record(tx, {
        type: 'subscription.payment_failed',
        actor: system,
        subject: { type: 'subscription', id: sub.id },
        data: { message: facts.message.slice(0, 300), attempt: retryCount + 1, nextRetryAt: nextRetryAt?.toISOString() ?? null, graceUntil: graceUntil.toISOString(), contactId: sub.contactId },
      });
      const fix = `${this.settings.publicUrl}/account/billing/${sub.id}`;
      const when = nextRetryAt ? `We will try again on ${nextRetryAt.toUTCString().slice(0, 16)}.` : 'We will not try again automatically.';
      await this.mail.queueTransactional(tx, {
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
      await this.events.record(tx, { type: 'subscription.updated', actor: system, subject: { type: 'subscription', id: sub.id }, data: { ...patch, currentPeriodEnd: patch.currentPeriodEnd?.toISOString() } });
      return true;
    });
  }

  /**
   * The customer cancels: no more renewals; access lasts until the paid period ends (then
   * the provider reports the end, or the test provider's billing run ends it). A payment plan
   * is a commitment to pay in full, so it cannot be cancelled from the account page.
   */
  async cancelByCustomer(contactId: string, subscriptionId: string): Promise<Subscription> {
    const sub = await this.subscriptionOf(contactId, subscriptionId);
    if (sub.kind === 'plan') throw new DomainError('precondition_failed', 'A payment plan cannot be cancelled here; please contact us.');
    if (sub.status === 'canceled' || sub.status === 'completed' || sub.cancelAtPeriodEnd) return sub;
    if (sub.providerSubscriptionId) await this.provider.cancelAtPeriodEnd(sub.providerSubscriptionId, `cancel-at-period-end:${sub.id}`);
    return this.database.transaction(async (tx) => {
      const [row] = await tx.update(subscriptions).set({ cancelAtPeriodEnd: true, updatedAt: this.clock.now() }).where(eq(subscriptions.id, sub.id)).returning();
      await this.events.record(tx, { type: 'subscription.cancel_requested', actor: customerActor(contactId), subject: { type: 'subscription', id: sub.id }, data: { endsAt: sub.currentPeriodEnd.toISOString(), contactId } });
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
      const revoked = order ? await this.revokeItems(tx, order, items, `subscription ended (${reason})`, actor) : 0;
      await this.events.record(tx, { type: sub.kind === 'plan' ? 'plan.canceled' : 'subscription.canceled', actor, subject: { type: 'subscription', id: sub.id }, data: { reason, revoked, contactId: sub.contactId } });
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
        const revoked = order ? await this.revokeItems(tx, order, items, 'payment overdue', system) : 0;
        const product = await this.catalog.getProduct(tx, sub.productId);
        await this.events.record(tx, { type: 'subscription.access_paused', actor: system, subject: { type: 'subscription', id: sub.id }, data: { revoked, contactId: sub.contactId } });
        await this.mail.queueTransactional(tx, {
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

  // ---- refunds and disputes -------------------------------------------------------------------

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
        const [row] = await tx
          .insert(refunds)
          .values({ orderId, paymentId: p.id, provider: order.provider, amount: part, currency: order.currency, reason: input.reason?.trim() ?? '', status: 'pending', actorKind: actor.kind, actorId: 'id' in actor ? actor.id : null, createdAt: this.clock.now() })
          .returning();
        rows.push(row!);
      }
      if (left > 0) throw invalid('The payments of this order do not cover that amount', { field: 'amount' });
      await this.events.record(tx, { type: 'refund.requested', actor, subject: { type: 'order', id: orderId }, data: { amount, currency: order.currency, reason: input.reason ?? '' } });
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
          const [marked] = await tx
            .update(refunds)
            .set({ status: 'failed', error: err.message.slice(0, 300), completedAt: this.clock.now() })
            .where(and(eq(refunds.id, row.id), inArray(refunds.status, IN_FLIGHT_REFUNDS)))
            .returning();
          if (marked) await this.events.record(tx, { type: 'refund.failed', actor, subject: { type: 'order', id: row.orderId }, data: { refundId: row.id, amount: row.amount } });
        });
      } else {
        // Stripe may have made the refund: never "failed", never a new key.
        this.log.warn({ err, orderId: row.orderId, refundId: row.id }, 'no answer from the payment provider about a refund; its outcome is unknown until checked again');
        await this.db
          .update(refunds)
          .set({ status: 'unknown', error: 'No answer from the payment provider yet; Onehour checks again with the same request, so it cannot be refunded twice.' })
          .where(and(eq(refunds.id, row.id), inArray(refunds.status, IN_FLIGHT_REFUNDS)));
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
      const [payment] = facts.paymentRef
        ? await tx.select().from(payments).where(and(eq(payments.orderId, orderId), or(eq(payments.refundRef, facts.paymentRef), eq(payments.providerPaymentId, facts.paymentRef)))).limit(1)
        : [];
      if (known) {
        await tx.update(refunds).set({ status: 'succeeded', providerRefundId: facts.providerRefundId, completedAt: now, error: null }).where(eq(refunds.id, known.id));
      } else {
        await tx.insert(refunds).values({
          orderId,
          paymentId: payment?.id ?? null,
          provider: order.provider,
          providerRefundId: facts.providerRefundId,
          amount: facts.amount,
          currency: order.currency,
          reason: 'refunded at the payment provider',
          status: 'succeeded',
          actorKind: actor.kind,
          actorId: 'id' in actor ? actor.id : null,
          createdAt: now,
          completedAt: now,
        });
      }
      const amount = known?.amount ?? facts.amount;
      if (payment) await tx.update(payments).set({ amountRefunded: sql`least(${payments.amount}, ${payments.amountRefunded} + ${amount})` }).where(eq(payments.id, payment.id));
      const refunded = Math.min(order.amountPaid, order.amountRefunded + amount);
      await tx.update(orders).set({ amountRefunded: refunded, updatedAt: now }).where(eq(orders.id, orderId));
      const full = refunded >= order.amountPaid;
      const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, orderId));
      let revoked = 0;
      for (const item of items) {
        const product = await this.catalog.getProduct(tx, item.productId);
        const revoke = product.refundPolicy === 'revoke_on_any' || (product.refundPolicy === 'revoke_on_full' && full);
        if (!revoke) continue;
        const n = await this.revokeItems(tx, order, [item], full ? 'refunded' : 'partially refunded', actor);
        revoked += n;
        if (item.priceType !== 'one_time') {
          const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.orderId, orderId));
          if (sub && sub.status !== 'canceled' && sub.status !== 'completed') {
            await tx.update(subscriptions).set({ status: 'canceled', endedAt: now, endedReason: 'refunded', updatedAt: now }).where(eq(subscriptions.id, sub.id));
            await this.events.record(tx, { type: 'subscription.canceled', actor, subject: { type: 'subscription', id: sub.id }, data: { reason: 'refunded', contactId: sub.contactId } });
            cancel = { providerSubscriptionId: sub.providerSubscriptionId, id: sub.id };
          }
        }
      }
      await this.events.record(tx, {
        type: 'order.refunded',
        actor,
        subject: { type: 'order', id: orderId },
        data: { amount, currency: order.currency, full, totalRefunded: refunded, revoked, contactId: order.contactId, providerRefundId: facts.providerRefundId },
      });
      await this.mail.queueTransactional(tx, {
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
        await this.events.record(tx, {
          type: 'order.disputed',
          actor: system,
          subject: { type: 'order', id: orderId },
          data: { reason: facts.reason, amount: facts.amount, currency: order.currency, disputeId: facts.disputeId, contactId: order.contactId, accessKept: true },
        });
      }
      const patch = { disputedAt: order.disputedAt ?? now, disputeReason: facts.reason, disputeId: facts.disputeId, disputeStatus: facts.status, updatedAt: now };
      if (facts.status === 'open') {
        await tx.update(orders).set(patch).where(eq(orders.id, orderId));
        return true;
      }
      if (facts.status === 'won') {
        await tx.update(orders).set(patch).where(eq(orders.id, orderId));
        await this.events.record(tx, { type: 'order.dispute_won', actor: system, subject: { type: 'order', id: orderId }, data: { disputeId: facts.disputeId, amount: facts.amount, currency: order.currency, contactId: order.contactId } });
        return true;
      }
      const lost = Math.max(0, Math.min(facts.amount, order.amountPaid - order.amountRefunded));
      const refunded = order.amountRefunded + lost;
      await tx.update(orders).set({ ...patch, amountRefunded: refunded }).where(eq(orders.id, orderId));
      const [payment] = facts.paymentRef
        ? await tx.select().from(payments).where(and(eq(payments.orderId, orderId), or(eq(payments.refundRef, facts.paymentRef), eq(payments.providerPaymentId, facts.paymentRef)))).limit(1)
        : [];
      if (payment) await tx.update(payments).set({ amountRefunded: sql`least(${payments.amount}, ${payments.amountRefunded} + ${lost})` }).where(eq(payments.id, payment.id));
      // Other payments on this order (a subscription's other renewals) still cover its access.
      const revoked = refunded >= order.amountPaid ? await this.revokeItems(tx, order, await tx.select().from(orderItems).where(eq(orderItems.orderId, orderId)), 'dispute lost', system) : 0;
      await this.events.record(tx, {
        type: 'order.dispute_lost',
        actor: system,
        subject: { type: 'order', id: orderId },
        data: { disputeId: facts.disputeId, amount: lost, currency: order.currency, totalRefunded: refunded, revoked, contactId: order.contactId },
      });
      return true;
    });
  }

  // ---- receipts ----------------------------------------------------------------------------

  private async queueReceipt(tx: Tx, order: Order, items: OrderItem[]): Promise<void> {
    const link = await this.portal.createMagicLink(tx, order.contactId, '/account');
    const receipt = receiptMessage({ order, items, link, publicUrl: this.settings.publicUrl, testMode: this.testMode });
    await this.mail.queueTransactional(tx, { to: order.email, contactId: order.contactId, tag: 'checkout.receipt', ...receipt });
  }


  // ---- reading orders, customers, subscriptions ---------------------------------------------------

  async getOrder(db: DbOrTx, id: string): Promise<Order> {
    const [row] = await db.select().from(orders).where(eq(orders.id, id)).limit(1);
    if (!row) throw notFound('Order');
    return row;
  }

  async findOrderBySession(db: DbOrTx, provider: ProviderName, sessionId: string): Promise<Order | null> {
    const [row] = await db.select().from(orders).where(and(eq(orders.provider, provider), eq(orders.providerSessionId, sessionId))).limit(1);
    return row ?? null;
  }

  async findOrderByPaymentRef(db: DbOrTx, provider: ProviderName, ref: string): Promise<Order | null> {
    const [p] = await db
      .select({ orderId: payments.orderId })
      .from(payments)
      .where(and(eq(payments.provider, provider), or(eq(payments.refundRef, ref), eq(payments.providerPaymentId, ref))))
      .limit(1);
    if (p) return this.getOrder(db, p.orderId);
    const [o] = await db.select().from(orders).where(and(eq(orders.provider, provider), eq(orders.providerPaymentId, ref))).limit(1);
    return o ?? null;
  }

  async orderDetail(db: DbOrTx, id: string) {
    const order = await this.getOrder(db, id);
    const [items, paymentRows, refundRows, subs, children, contact, grants, history] = await Promise.all([
      db.select().from(orderItems).where(eq(orderItems.orderId, id)).orderBy(asc(orderItems.position)),
      db.select().from(payments).where(eq(payments.orderId, id)).orderBy(asc(payments.createdAt)),
      db.select().from(refunds).where(eq(refunds.orderId, id)).orderBy(asc(refunds.createdAt)),
      db.select().from(subscriptions).where(eq(subscriptions.orderId, id)),
      db.select({ id: orders.id, number: orders.number, status: orders.status, total: orders.total }).from(orders).where(eq(orders.parentOrderId, id)),
      this.audience.getContact(db, order.contactId).then((c) => ({ id: c.id, email: c.email, name: c.name })),
      this.access.listForContact(db, order.contactId, { includeRevoked: true }).then((g) => g.filter((x) => x.sourceId === id)),
      this.events.list(db, { subjectType: 'order', subjectId: id, limit: 100 }),
    ]);
    return { order, items, payments: paymentRows, refunds: refundRows, subscription: subs[0] ?? null, upsells: children, contact, grants: await this.nameGrants(db, grants), events: history };
  }

  /** Grants with a name a person recognises: the product (or the course product) they belong to. */
  private async nameGrants<G extends { resourceType: string; resourceId: string }>(db: DbOrTx, grants: G[]): Promise<(G & { resourceName: string | null })[]> {
    if (!grants.length) return [];
    const all = await this.catalog.listProducts(db, { includeArchived: true });
    const name = (g: G) => (g.resourceType === 'course' ? all.find((p) => p.courseId === g.resourceId) : all.find((p) => p.id === g.resourceId))?.name ?? null;
    return grants.map((g) => ({ ...g, resourceName: name(g) }));
  }

  async listOrders(db: DbOrTx, q: { q?: string; status?: OrderStatus; productId?: string; disputed?: boolean; from?: Date; to?: Date; before?: number; limit?: number }) {
    const where: SQL[] = [];
    if (q.status) where.push(eq(orders.status, q.status));
    if (q.disputed) where.push(isNotNull(orders.disputedAt));
    if (q.from) where.push(sql`${orders.createdAt} >= ${q.from}`);
    if (q.to) where.push(sql`${orders.createdAt} < ${q.to}`);
    if (q.before) where.push(lt(orders.number, q.before));
    // Correlated subqueries name the outer table in full: a bare "id" would bind to the inner one.
    if (q.productId) where.push(sql`exists (select 1 from order_items oi where oi.order_id = "orders"."id" and oi.product_id = ${q.productId})`);
    if (q.q?.trim()) {
      const term = q.q.trim();
      const num = /^#?(\d{1,12})$/.exec(term);
      const like = `%${term.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      where.push(
        or(
          sql`lower(${orders.email}) like ${like}`,
          num ? eq(orders.number, Number(num[1])) : sql`false`,
          /^[0-9a-f-]{36}$/i.test(term) ? eq(orders.id, term) : sql`false`,
          sql`exists (select 1 from ${contactDirectory} c where c.id = "orders"."contact_id" and lower(c.name) like ${like})`,
        )!,
      );
    }
    const limit = Math.min(q.limit ?? 50, 200);
    const rows = await db
      .select({
        id: orders.id,
        number: orders.number,
        kind: orders.kind,
        status: orders.status,
        email: orders.email,
        contactId: orders.contactId,
        currency: orders.currency,
        total: orders.total,
        amountPaid: orders.amountPaid,
        amountRefunded: orders.amountRefunded,
        provider: orders.provider,
        disputed: sql<boolean>`${orders.disputedAt} is not null`,
        createdAt: orders.createdAt,
        paidAt: orders.paidAt,
        items: sql<string>`(select string_agg(oi.name, ', ' order by oi.position) from order_items oi where oi.order_id = "orders"."id")`,
      })
      .from(orders)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(orders.number))
      .limit(limit);
    return { orders: rows.map((r) => ({ ...r, items: r.items ?? '', disputed: Boolean(r.disputed) })), nextBefore: rows.length === limit ? rows[rows.length - 1]!.number : null };
  }

  /** Customers: contacts with at least one paid order, with what they have spent. */
  async listCustomers(db: DbOrTx, q: { q?: string; limit?: number; offset?: number }) {
    const limit = Math.min(q.limit ?? 50, 200);
    const like = q.q?.trim() ? `%${q.q.trim().toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null;
    const res = await db.execute(sql`
      select c.id, c.email, c.name,
             count(o.id)::int as orders,
             o.currency,
             sum(o.amount_paid - o.amount_refunded)::int as lifetime_value,
             min(o.paid_at) as first_purchase_at,
             max(o.paid_at) as last_purchase_at
        from ${contactDirectory} c
        join orders o on o.contact_id = c.id and o.status = 'paid'
       where ${like ? sql`(lower(c.email) like ${like} or lower(c.name) like ${like})` : sql`true`}
       group by c.id, c.email, c.name, o.currency
       order by max(o.paid_at) desc
       limit ${limit} offset ${q.offset ?? 0}`);
    const rows = (res as unknown as { rows: Record<string, unknown>[] }).rows;
    return rows.map((r) => ({
      id: String(r.id),
      email: String(r.email),
      name: String(r.name),
      orders: Number(r.orders),
      currency: String(r.currency),
      lifetimeValue: Number(r.lifetime_value),
      firstPurchaseAt: new Date(r.first_purchase_at as string),
      lastPurchaseAt: new Date(r.last_purchase_at as string),
    }));
  }

  async customerDetail(db: DbOrTx, contactId: string) {
    const contact = await this.audience.getContact(db, contactId);
    const [orderRows, subs, grants, history] = await Promise.all([
      db.select().from(orders).where(eq(orders.contactId, contactId)).orderBy(desc(orders.createdAt)).limit(200),
      db.select().from(subscriptions).where(eq(subscriptions.contactId, contactId)).orderBy(desc(subscriptions.createdAt)),
      this.access.listForContact(db, contactId, { includeRevoked: true }),
      this.events.list(db, { contactId, limit: 100 }),
    ]);
    const ltv = new Map<string, number>();
    for (const o of orderRows) if (o.status === 'paid') ltv.set(o.currency, (ltv.get(o.currency) ?? 0) + o.amountPaid - o.amountRefunded);
    return {
      contact: { id: contact.id, email: contact.email, name: contact.name, status: contact.status, createdAt: contact.createdAt },
      lifetimeValue: [...ltv].map(([currency, amount]) => ({ currency, amount })),
      orders: orderRows,
      subscriptions: subs,
      grants: await this.nameGrants(db, grants),
      events: history,
    };
  }

  async listSubscriptions(db: DbOrTx, q: { status?: SubscriptionStatus; contactId?: string; limit?: number }) {
    const where: SQL[] = [];
    if (q.status) where.push(eq(subscriptions.status, q.status));
    if (q.contactId) where.push(eq(subscriptions.contactId, q.contactId));
    return db
      .select()
      .from(subscriptions)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(subscriptions.createdAt))
      .limit(Math.min(q.limit ?? 100, 500));
  }

  async reconciliationRuns(db: DbOrTx, limit = 20) {
    return db.select().from(reconciliationRuns).orderBy(desc(reconciliationRuns.startedAt)).limit(limit);
  }

  // ---- the customer's side -------------------------------------------------------------------

  /** What the account page lists: paid orders, live downloads and courses, subscriptions. Only this contact's. */
  async purchasesOf(contactId: string) {
    const db = this.db;
    const [orderRows, subs, grants] = await Promise.all([
      db.select().from(orders).where(and(eq(orders.contactId, contactId), eq(orders.status, 'paid'))).orderBy(desc(orders.paidAt)).limit(100),
      db.select().from(subscriptions).where(eq(subscriptions.contactId, contactId)).orderBy(desc(subscriptions.createdAt)),
      this.access.listForContact(db, contactId),
    ]);
    const now = this.clock.now();
    const live = grants.filter((g) => !g.expiresAt || g.expiresAt > now);
    const items = orderRows.length ? await db.select().from(orderItems).where(inArray(orderItems.orderId, orderRows.map((o) => o.id))).orderBy(asc(orderItems.position)) : [];
    const downloadProductIds = [...new Set(live.filter((g) => g.resourceType === 'download').map((g) => g.resourceId))];
    const files = await this.catalog.filesOf(db, downloadProductIds);
    const productIds = [...new Set([...live.filter((g) => g.resourceType === 'product').map((g) => g.resourceId), ...subs.map((x) => x.productId)])];
    const productRows = productIds.length ? await this.catalog.listProducts(db, { includeArchived: true }).then((all) => all.filter((p) => productIds.includes(p.id))) : [];
    const names = new Map(productRows.map((p) => [p.id, p.name]));
    const expires = new Date(now.getTime() + this.settings.downloadLinkHours * 3_600_000);
    return {
      orders: orderRows.map((o) => ({ ...o, items: items.filter((i) => i.orderId === o.id) })),
      downloads: files.map((f) => ({ ...f, productName: names.get(f.productId) ?? '', url: `/downloads/${f.id}?t=${this.signer.sign('download', `${contactId}:${f.id}`, expires)}` })),
      subscriptions: await Promise.all(subs.map(async (s) => ({ ...s, productName: names.get(s.productId) ?? (await this.catalog.getProduct(db, s.productId)).name }))),
    };
  }

  /**
   * A signed download link: the contact and file it was made for, if still valid and the
   * contact still has access to the file's product. Anything else is refused the same way.
   */
  async resolveDownload(fileIdInPath: string, token: string): Promise<{ file: Awaited<ReturnType<CatalogService['getFile']>>; contactId: string }> {
    const data = this.signer.verify('download', token, this.clock.now());
    const refused = new DomainError('forbidden', 'This download link has expired or is not valid. Open your account for a fresh one.');
    if (!data) throw refused;
    const [contactId, fileId] = data.split(':');
    if (!contactId || !fileId || fileId !== fileIdInPath) throw refused;
    const file = await this.catalog.getFile(this.db, fileId).catch(() => null);
    if (!file) throw refused;
    if (!(await this.access.hasAccess(this.db, contactId, { type: 'download', id: file.productId }))) throw refused;
    return { file, contactId };
  }

  async recordDownload(contactId: string, fileId: string, productId: string): Promise<void> {
    await this.database.transaction((tx) => this.events.record(tx, { type: 'download.started', actor: customerActor(contactId), subject: { type: 'product', id: productId }, data: { fileId, contactId } }));
  }

  /** The customer's own subscription (their billing page), never another's. */
  async subscriptionOf(contactId: string, subscriptionId: string): Promise<Subscription> {
    const [row] = await this.db.select().from(subscriptions).where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.contactId, contactId)));
    if (!row) throw notFound('Subscription');
    return row;
  }

  /** The customer's own order (the receipt page), never another's. */
  async orderOf(contactId: string, orderId: string) {
    const [row] = await this.db.select().from(orders).where(and(eq(orders.id, orderId), eq(orders.contactId, contactId), eq(orders.status, 'paid')));
    if (!row) throw notFound('Order');
    const items = await this.db.select().from(orderItems).where(eq(orderItems.orderId, orderId)).orderBy(asc(orderItems.position));
    const refundRows = await this.db.select().from(refunds).where(and(eq(refunds.orderId, orderId), eq(refunds.status, 'succeeded')));
    return { order: row, items, refunds: refundRows };
  }

  async itemsOf(db: DbOrTx, orderId: string): Promise<OrderItem[]> {
    return db.select().from(orderItems).where(eq(orderItems.orderId, orderId)).orderBy(asc(orderItems.position));
  }

  /** Records a reconciliation pass (what it checked and what it repaired). */
  async recordReconciliation(run: { provider: string; startedAt: Date; checked: number; repairs: { orderId: string | null; what: string; ref: string }[]; error?: string }): Promise<string> {
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(reconciliationRuns)
        .values({ provider: run.provider, startedAt: run.startedAt, finishedAt: this.clock.now(), checked: run.checked, repaired: run.repairs.length, repairs: run.repairs, error: run.error ?? null })
        .returning();
      if (run.repairs.length) {
        await this.events.record(tx, { type: 'checkout.reconciled', actor: system, subject: { type: 'reconciliation', id: row!.id }, data: { repaired: run.repairs.length, repairs: run.repairs.slice(0, 20) } });
      }
      return row!.id;
    });
  }
}

class DuplicateSubmit extends Error {}

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

