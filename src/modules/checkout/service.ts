// Checkout: from the checkout form to a paid, delivered order. One state machine for every
// provider: an order goes pending → paid exactly once (a guarded update inside the
// transaction that also records the payment, grants access, queues the receipt and writes the
// events), however many times and in whatever order the provider tells us about it.
// This file is that flow (form, payment page, return, upsells, the state machine, expiry,
// receipts, downloads) and composes checkout's other parts (part.ts says which): `queries`,
// `billing` (subscriptions and dunning) and `refunds` (refunds and disputes).
import { setTimeout as sleep } from 'node:timers/promises';
import { and, asc, eq, lt } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { DomainError, invalid, notFound } from '../../errors.js';
import type { CatalogService, Coupon, Offer, Price, Product } from '../catalog/index.js';
import type { ChargeResult, SessionRequest } from './providers.js';
import { buildQuote, type Quote } from './quote.js';
import { receiptMessage } from './receipt.js';
import { STRIPE_TEST_BANNER, TEST_PROVIDER_BANNER } from './test-mode.js';
import { addInterval, SubscriptionBilling } from './billing.js';
import { CheckoutPart, customerActor, system, type CheckoutDeps, type Order, type OrderItem } from './part.js';
import { CheckoutQueries } from './queries.js';
import { RefundDesk } from './refunds.js';
import { declinedUpsells, orderItems, orders, reconciliationRuns, subscriptions, type OrderStatus } from './schema.js';

export type { CheckoutSettings, Order, OrderItem, Payment, Refund, Subscription } from './part.js';
export { customerActor } from './part.js';

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

export class CheckoutService extends CheckoutPart {
  /** Orders, customers and subscriptions as the admin and the account pages read them. */
  readonly queries: CheckoutQueries;
  /** Subscriptions and payment plans after the first payment: renewals, dunning, cancellation. */
  readonly billing: SubscriptionBilling;
  /** Refunds (from the admin and from the provider) and disputes. */
  readonly refunds: RefundDesk;

  constructor(deps: CheckoutDeps) {
    super(deps);
    this.queries = new CheckoutQueries(deps);
    this.billing = new SubscriptionBilling(deps, this.queries);
    this.refunds = new RefundDesk(deps);
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
        if (quote.coupon && !(await this.catalog.reserveCouponInTx(tx, quote.coupon.id))) {
          throw invalid(`The code "${quote.coupon.code}" has just been used up`, { field: 'coupon' });
        }
        const free = quote.total === 0 && !quote.recurring;
        const row = await this.ledger.openOrderInTx(
          tx,
          {
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
          },
          quote.lines,
        );
        // Another identical submit won the race: undo this one (its coupon reservation too).
        if (!row) throw new DuplicateSubmit();
        await this.events.recordInTx(tx, {
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
      const claimed = await this.ledger.claimPaymentPageInTx(this.db, order.id, now, new Date(now.getTime() - SESSION_CLAIM_MS));
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
      await this.ledger.attachPaymentPageInTx(this.db, order.id, session, this.clock.now());
      return session.url;
    } catch (err) {
      this.log.warn({ err, orderId: order.id }, 'payment provider did not create a checkout session');
      await this.ledger.releasePaymentPageClaimInTx(this.db, order.id);
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
    return this.queries.getOrder(this.db, orderId);
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
      const row = await this.ledger.markBuyerSignedInInTx(tx, order.id, this.clock.now());
      if (!row) return { token: null, linkSent: false };
      const contact = await this.audience.getContact(tx, order.contactId);
      if (!row.contactCreated) {
        await this.portal.mailMagicLinkInTx(tx, contact, '/account');
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
    const parent = await this.queries.getOrder(this.db, parentId);
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
      const row = await this.ledger.openOrderInTx(
        tx,
        {
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
        },
        [
          {
            role: 'upsell',
            productId: offer.offerProduct.id,
            priceId: offer.price.id,
            offerId: offer.id,
            name: offer.offerProduct.name,
            priceType: 'one_time',
            currency: offer.price.currency,
            unitAmount: amount,
            amount,
          },
        ],
      );
      if (!row) return;
      await this.events.recordInTx(tx, {
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
        return { order: await this.queries.getOrder(this.db, order.id), result: 'pending' };
      }
    }
    if (result.status === 'succeeded') {
      await this.fulfilPaid(order.id, { providerPaymentId: result.paymentId, refundRef: result.refundRef, amount: order.total, customerId: order.providerCustomerId, paymentMethodId: order.providerPaymentMethodId }, 'upsell');
      return { order: await this.queries.getOrder(this.db, order.id), result: 'paid' };
    }
    await this.recordPaymentFailed(order.id, result.message, 'failed');
    return { order: await this.queries.getOrder(this.db, order.id), result: 'failed', message: result.message };
  }

  /** "No thanks": remembered (in the checkout's own table) so the offer is not shown again for this order. */
  async declineUpsell(parentId: string, offerId: string): Promise<void> {
    const parent = await this.queries.getOrder(this.db, parentId);
    await this.database.transaction(async (tx) => {
      const [fresh] = await tx.insert(declinedUpsells).values({ orderId: parent.id, offerId, declinedAt: this.clock.now() }).onConflictDoNothing().returning();
      if (fresh) await this.events.recordInTx(tx, { type: 'upsell.declined', actor: customerActor(parent.contactId, parent.email), subject: { type: 'order', id: parent.id }, data: { offerId } });
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
      await this.catalog.countCouponUseInTx(tx, order.couponId);
    }
    const paid = await this.ledger.markPaidInTx(
      tx,
      order,
      {
        amount: facts.amount,
        tax: facts.tax ?? 0,
        providerPaymentId: facts.providerPaymentId,
        providerCustomerId: facts.customerId ?? order.providerCustomerId,
        providerPaymentMethodId: facts.paymentMethodId ?? order.providerPaymentMethodId,
        via,
      },
      now,
    );
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
        await this.events.recordInTx(tx, {
          type: plan ? 'plan.started' : 'subscription.started',
          actor: customerActor(order.contactId, order.email),
          subject: { type: 'subscription', id: sub.id },
          data: { orderId, productId: sub.productId, amount: sub.amount, currency: sub.currency, interval: sub.interval, status: sub.status, instalments: sub.instalmentsTotal },
        });
      }
    }
    if (facts.amount > 0 && facts.providerPaymentId) {
      await this.ledger.recordFirstPaymentInTx(tx, {
        orderId,
        subscriptionId,
        provider: order.provider,
        providerPaymentId: facts.providerPaymentId,
        refundRef: facts.refundRef ?? facts.providerPaymentId,
        kind: order.kind === 'upsell' ? 'upsell' : 'initial',
        amount: facts.amount,
        currency: order.currency,
        createdAt: now,
      });
      await this.events.recordInTx(tx, {
        type: 'payment.succeeded',
        actor: customerActor(order.contactId, order.email),
        subject: { type: 'order', id: orderId },
        data: { amount: facts.amount, currency: order.currency, provider: order.provider, kind: order.kind === 'upsell' ? 'upsell' : 'initial' },
      });
    }
    await this.grantOrderInTx(tx, paid, items);
    await this.events.recordInTx(tx, {
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
    await this.queueReceipt(tx, paid, items);
    return true;
  }

  /** A card was declined or a payment failed: the order stays open for another try; nothing is granted. */
  async recordPaymentFailed(orderId: string, message: string, status: Extract<OrderStatus, 'pending' | 'failed'> = 'pending'): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const order = await this.ledger.markFailedInTx(tx, orderId, message, status, this.clock.now());
      if (!order) return false;
      if (status === 'failed') await this.releaseCoupon(tx, order);
      await this.events.recordInTx(tx, {
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
      await this.catalog.releaseCouponInTx(tx, order.couponId);
      await this.ledger.markCouponReleasedInTx(tx, order.id);
    }
  }

  /** A checkout nobody finished: it lapses and gives back its coupon use. */
  async expireOrder(orderId: string): Promise<boolean> {
    return this.database.transaction(async (tx) => {
      const order = await this.ledger.markExpiredInTx(tx, orderId, this.clock.now());
      if (!order) return false;
      await this.releaseCoupon(tx, order);
      await this.events.recordInTx(tx, { type: 'order.expired', actor: system, subject: { type: 'order', id: orderId }, data: { number: order.number, total: order.total, currency: order.currency } });
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

  // ---- receipts ----------------------------------------------------------------------------

  private async queueReceipt(tx: Tx, order: Order, items: OrderItem[]): Promise<void> {
    const link = await this.portal.createMagicLinkInTx(tx, order.contactId, '/account');
    const receipt = receiptMessage({ order, items, link, publicUrl: this.settings.publicUrl, testMode: this.testMode });
    await this.mail.queueTransactionalInTx(tx, { to: order.email, contactId: order.contactId, tag: 'checkout.receipt', ...receipt });
  }

  // ---- the customer's side -------------------------------------------------------------------

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
    await this.database.transaction((tx) => this.events.recordInTx(tx, { type: 'download.started', actor: customerActor(contactId), subject: { type: 'product', id: productId }, data: { fileId, contactId } }));
  }

  /** Records a reconciliation pass (what it checked and what it repaired). */
  async recordReconciliation(run: { provider: string; startedAt: Date; checked: number; repairs: { orderId: string | null; what: string; ref: string }[]; error?: string }): Promise<string> {
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(reconciliationRuns)
        .values({ provider: run.provider, startedAt: run.startedAt, finishedAt: this.clock.now(), checked: run.checked, repaired: run.repairs.length, repairs: run.repairs, error: run.error ?? null })
        .returning();
      if (run.repairs.length) {
        await this.events.recordInTx(tx, { type: 'checkout.reconciled', actor: system, subject: { type: 'reconciliation', id: row!.id }, data: { repaired: run.repairs.length, repairs: run.repairs.slice(0, 20) } });
      }
      return row!.id;
    });
  }
}

class DuplicateSubmit extends Error {}
