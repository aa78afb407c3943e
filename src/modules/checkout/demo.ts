// The demo's year of sales: about a thousand orders growing month by month, launches with
// coupons, order bumps and upsells taken, memberships that renew, churn and fall behind,
// payment plans, refunds handled by the support assistant, two disputes, abandoned
// checkouts and a few payments that reconciliation repaired. History is inserted directly
// with past dates (not through the outbox), so no automation fires for the past.
import { randomUUID } from 'node:crypto';
import type { App } from '../../app.js';
import { events } from '../../db/schema.js';
import { withContactIds } from '../../db/events.js';
import { DAY_MS, type DemoContext, type Random } from '../../demo/random.js';
import { accessGrants } from '../access/schema.js';
import { contacts } from '../audience/schema.js';
import { eq } from 'drizzle-orm';
import type { Entitlement, Price, ProductDetail } from '../catalog/index.js';
import { coupons } from '../catalog/schema.js';
import { seedCatalogDemo, type DemoCatalog } from '../catalog/demo.js';
import { orderItems, orders, payments, reconciliationRuns, refunds, subscriptions, testCharges } from './schema.js';

type EventRow = typeof events.$inferInsert;
type OrderRow = typeof orders.$inferInsert;
type ItemRow = typeof orderItems.$inferInsert;

const FIRST = ['Amara', 'Ben', 'Chloe', 'Dev', 'Elena', 'Finn', 'Grace', 'Hugo', 'Isla', 'Jonas', 'Keira', 'Liam', 'Maya', 'Noah', 'Olivia', 'Pablo', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wes', 'Xenia', 'Yusuf', 'Zoe', 'Aiko', 'Bram', 'Carla', 'Dario', 'Esme', 'Femi', 'Greta', 'Hana', 'Ivo', 'Jade', 'Kofi', 'Lena', 'Milo', 'Nia'];
const LAST = ['Cole', 'Foster', 'Martin', 'Patel', 'Rossi', 'O’Brien', 'Kim', 'Silva', 'Novak', 'Berg', 'Walsh', 'Nguyen', 'Haddad', 'Jensen', 'Brooks', 'Ortiz', 'Baker', 'Lind', 'Aziz', 'Singh', 'Moreau', 'Okafor', 'Larsen', 'Costa', 'Weber', 'Tanaka', 'Hughes', 'Duarte', 'Ivanova', 'Mensah'];

interface Customer {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

interface Line {
  product: ProductDetail;
  price: Price;
  role: 'main' | 'bump' | 'upsell';
  amount: number;
  discount: number;
  offerId?: string;
}

export async function seedSellDemo(app: App, ctx: DemoContext): Promise<void> {
  const cat = await seedCatalogDemo(app, ctx);
  const r = ctx.random;
  const now = ctx.now.getTime();
  // A moment that many days ago (never in the future: the newest orders are from the last hours).
  const at = (daysAgo: number, hour?: number) => new Date(Math.min(now - 30 * 60_000, now - Math.max(0, daysAgo) * DAY_MS + (hour ?? r.int(0, 23)) * 3_600_000 + r.int(0, 59) * 60_000 - 12 * 3_600_000));
  const system = { actorKind: 'system', actorId: null, actorRole: null } as const;
  const supportAssistant = (ctx.shared.assistants as { id: string; role: string }[] | undefined)?.find((a) => a.role === 'support');

  const entitlements = new Map<string, Entitlement[]>();
  const allProducts = [...cat.courses.map((c) => c.product), cat.checklist.product, cat.swipeFile.product, cat.membership.product, cat.bundle.product];
  for (const p of allProducts) entitlements.set(p.id, await app.catalog.entitlementsOf(app.db, p.id));

  // ---- customers ------------------------------------------------------------------------------
  const customers: Customer[] = [];
  const usedEmails = new Set<string>();
  const newCustomer = (createdAt: Date): Customer => {
    let email = '';
    let name = '';
    do {
      const first = r.pick(FIRST);
      const last = r.pick(LAST);
      name = `${first} ${last}`;
      email = `${first}.${last}${r.int(1, 999)}@example.com`.toLowerCase().replace(/[’']/g, '');
    } while (usedEmails.has(email));
    usedEmails.add(email);
    const c = { id: randomUUID(), email, name, createdAt };
    customers.push(c);
    return c;
  };

  const orderRows: OrderRow[] = [];
  const itemRows: ItemRow[] = [];
  const paymentRows: (typeof payments.$inferInsert)[] = [];
  const chargeRows: (typeof testCharges.$inferInsert)[] = [];
  const refundRows: (typeof refunds.$inferInsert)[] = [];
  const subRows: (typeof subscriptions.$inferInsert)[] = [];
  const grantRows: (typeof accessGrants.$inferInsert)[] = [];
  const history: EventRow[] = [];
  const couponUses = new Map<string, number>();

  const customerEvent = (c: Customer, occurredAt: Date, type: string, subject: { type: string; id: string }, data: Record<string, unknown>) =>
    history.push({ occurredAt, type, actorKind: 'customer', actorId: c.id, actorRole: null, subjectType: subject.type, subjectId: subject.id, data });
  const systemEvent = (occurredAt: Date, type: string, subject: { type: string; id: string }, data: Record<string, unknown>) =>
    history.push({ occurredAt, type, ...system, subjectType: subject.type, subjectId: subject.id, data });

  const pay = (orderId: string, subscriptionId: string | null, kind: 'initial' | 'renewal' | 'upsell', amount: number, when: Date, c: Customer) => {
    const id = `tch_demo_${paymentRows.length.toString(36)}_${r.int(1000, 9999)}`;
    paymentRows.push({ orderId, subscriptionId, provider: 'test', providerPaymentId: id, refundRef: id, kind, amount, currency: 'usd', createdAt: when });
    chargeRows.push({ id, idempotencyKey: `demo:${id}`, orderId, amount, currency: 'usd', card: '4242', status: 'succeeded', createdAt: when });
    customerEvent(c, when, 'payment.succeeded', { type: 'order', id: orderId }, { amount, currency: 'usd', provider: 'test', kind, ...(subscriptionId ? { subscriptionId } : {}) });
    return id;
  };

  const grant = (c: Customer, orderId: string, orderNumberHint: string, line: Line, when: Date, source: string) => {
    const ids: string[] = [];
    for (const e of entitlements.get(line.product.id) ?? []) {
      const id = randomUUID();
      const viaSource = e.included ? (line.product.kind === 'membership' ? 'membership' : 'bundle') : source;
      grantRows.push({ id, contactId: c.id, resourceType: e.resource.type, resourceId: e.resource.id, source: viaSource, sourceId: orderId, grantedAt: when });
      systemEvent(when, 'access.granted', { type: e.resource.type, id: e.resource.id }, { contactId: c.id, source: viaSource, sourceId: orderId, grantId: id, reason: orderNumberHint });
      ids.push(id);
    }
    return ids;
  };

  const revokeGrants = (orderId: string, when: Date, reason: string, actor: { actorKind: string; actorId: string | null; actorRole: string | null }) => {
    for (const g of grantRows) {
      if (g.sourceId !== orderId || g.revokedAt) continue;
      g.revokedAt = when;
      g.revokeReason = reason;
      history.push({ occurredAt: when, type: 'access.revoked', ...actor, subjectType: g.resourceType, subjectId: g.resourceId, data: { contactId: g.contactId, source: g.source, sourceId: orderId, grantId: g.id, reason } });
    }
  };

  /** One checkout: order, items, payment(s), grants, subscription, and what happened to it later. */
  const sell = (c: Customer, daysAgo: number, main: { product: ProductDetail; price: Price }, opts: { withBump: boolean; coupon: DemoCatalog['coupons'][number] | null; takeUpsell: boolean; abandoned: boolean }) => {
    const created = at(daysAgo);
    const orderId = randomUUID();
    const lines: Line[] = [{ product: main.product, price: main.price, role: 'main', amount: main.price.amount, discount: 0 }];
    if (opts.withBump) lines.push({ product: cat.checklist.product, price: cat.checklist.price, role: 'bump', amount: 900, discount: 0, offerId: cat.bumpId });
    if (opts.coupon) {
      for (const l of lines) {
        l.discount = opts.coupon.percentOff ? Math.round((l.amount * opts.coupon.percentOff) / 100) : Math.min(opts.coupon.amountOff ?? 0, l.amount);
        if (opts.coupon.amountOff) break;
      }
    }
    const trial = main.price.type === 'subscription' ? (main.price.trialDays ?? 0) : 0;
    const total = lines.reduce((s, l) => s + (l.price.type === 'subscription' && trial ? 0 : l.amount - l.discount), 0);
    const subtotal = lines.reduce((s, l) => s + (l.price.type === 'subscription' && trial ? 0 : l.amount), 0);
    const paidAt = new Date(created.getTime() + r.int(1, 6) * 60_000);
    const order: OrderRow = {
      id: orderId,
      kind: 'checkout',
      contactId: c.id,
      email: c.email,
      status: opts.abandoned ? (daysAgo < 0.05 ? 'pending' : 'expired') : 'paid',
      currency: 'usd',
      subtotal,
      discount: subtotal - total,
      total,
      amountPaid: opts.abandoned ? 0 : total,
      couponId: opts.coupon?.id ?? null,
      couponCode: opts.coupon?.code ?? null,
      couponState: opts.coupon ? (opts.abandoned ? 'released' : 'used') : null,
      provider: 'test',
      paidVia: opts.abandoned ? null : 'test',
      providerPaymentMethodId: opts.abandoned ? null : 'tpm_succeeds_4242',
      providerCustomerId: `tcus_${c.id}`,
      createdAt: created,
      updatedAt: opts.abandoned ? created : paidAt,
      expiresAt: new Date(created.getTime() + 3_600_000),
      paidAt: opts.abandoned ? null : paidAt,
    };
    orderRows.push(order);
    lines.forEach((l, position) =>
      itemRows.push({
        orderId,
        role: l.role,
        productId: l.product.id,
        priceId: l.price.id,
        offerId: l.offerId ?? null,
        name: l.product.name,
        priceType: l.price.type,
        interval: l.price.interval,
        trialDays: l.price.trialDays,
        instalments: l.price.instalments,
        currency: 'usd',
        unitAmount: l.amount,
        discount: l.discount,
        amount: l.amount - l.discount,
        position,
      }),
    );
    customerEvent(c, created, 'order.created', { type: 'order', id: orderId }, { contactId: c.id, total, currency: 'usd', coupon: opts.coupon?.code ?? null, items: lines.map((l) => ({ productId: l.product.id, role: l.role })) });
    if (opts.abandoned) {
      if (order.status === 'expired') systemEvent(new Date(created.getTime() + 3_900_000), 'order.expired', { type: 'order', id: orderId }, { total, currency: 'usd' });
      return;
    }
    if (opts.coupon) couponUses.set(opts.coupon.id, (couponUses.get(opts.coupon.id) ?? 0) + 1);
    if (total > 0) pay(orderId, null, 'initial', total, paidAt, c);
    const source = main.price.type === 'one_time' ? 'purchase' : main.price.type === 'payment_plan' ? 'plan' : 'membership';
    for (const l of lines) grant(c, orderId, 'demo order', l, paidAt, l.role === 'main' ? source : 'purchase');
    customerEvent(c, paidAt, 'order.paid', { type: 'order', id: orderId }, { contactId: c.id, kind: 'checkout', total, amountPaid: total, tax: 0, currency: 'usd', provider: 'test', via: 'test', coupon: opts.coupon?.code ?? null, productIds: lines.map((l) => l.product.id) });

    // Subscriptions and plans: renewals up to today, churn, dunning.
    if (main.price.type !== 'one_time') {
      const subId = randomUUID();
      const plan = main.price.type === 'payment_plan';
      const periodDays = main.price.interval === 'year' ? 365 : 30;
      let periodEnd = paidAt.getTime() + (trial ? trial * DAY_MS : periodDays * DAY_MS);
      let paidCount = plan ? 1 : 0;
      let status = (trial && periodEnd > now ? 'trialing' : 'active') as 'active' | 'trialing' | 'past_due' | 'unpaid' | 'canceled' | 'completed';
      let endedAt: Date | null = null;
      let failedAt: Date | null = null;
      let accessRevokedAt: Date | null = null;
      let amountPaid = total;
      customerEvent(c, paidAt, plan ? 'plan.started' : 'subscription.started', { type: 'subscription', id: subId }, { orderId, productId: main.product.id, amount: main.price.amount, currency: 'usd', interval: main.price.interval, status, instalments: main.price.instalments });
      // Monthly churn of about 6 % (yearly: 20 % at renewal); trials convert 70 % of the time.
      while (periodEnd <= now) {
        const when = new Date(periodEnd);
        const churn = plan ? false : paidCount === 0 && trial ? r.chance(0.3) : r.chance(periodDays === 365 ? 0.2 : 0.06);
        if (churn) {
          status = 'canceled';
          endedAt = when;
          customerEvent(c, new Date(when.getTime() - r.int(2, 20) * DAY_MS), 'subscription.cancel_requested', { type: 'subscription', id: subId }, { contactId: c.id });
          revokeGrants(orderId, when, 'subscription ended (canceled_by_customer)', system);
          systemEvent(when, 'subscription.canceled', { type: 'subscription', id: subId }, { reason: 'canceled_by_customer', contactId: c.id });
          break;
        }
        // A handful of recent renewals are failing right now: dunning in progress.
        if (!plan && now - periodEnd < 9 * DAY_MS && r.chance(0.25)) {
          status = 'past_due';
          failedAt = when;
          systemEvent(when, 'subscription.payment_failed', { type: 'subscription', id: subId }, { message: 'Your card was declined', attempt: 1, contactId: c.id });
          if (now - periodEnd > 7 * DAY_MS) {
            status = 'unpaid';
            accessRevokedAt = new Date(periodEnd + 7 * DAY_MS);
            revokeGrants(orderId, accessRevokedAt, 'payment overdue', system);
            systemEvent(accessRevokedAt, 'subscription.access_paused', { type: 'subscription', id: subId }, { contactId: c.id });
          }
          break;
        }
        pay(orderId, subId, 'renewal', main.price.amount, when, c);
        amountPaid += main.price.amount;
        paidCount++;
        customerEvent(c, when, plan ? 'plan.instalment_paid' : 'subscription.renewed', { type: 'subscription', id: subId }, { amount: main.price.amount, currency: 'usd', instalmentsPaid: paidCount });
        status = 'active';
        if (plan && paidCount >= (main.price.instalments ?? 1)) {
          status = 'completed';
          endedAt = when;
          systemEvent(when, 'plan.completed', { type: 'subscription', id: subId }, { instalments: paidCount });
          break;
        }
        periodEnd += periodDays * DAY_MS;
      }
      order.amountPaid = amountPaid;
      subRows.push({
        id: subId,
        orderId,
        contactId: c.id,
        productId: main.product.id,
        priceId: main.price.id,
        kind: plan ? 'plan' : 'subscription',
        provider: 'test',
        providerSubscriptionId: `tsub_${orderId}`,
        status,
        currency: 'usd',
        amount: main.price.amount,
        interval: main.price.interval ?? 'month',
        currentPeriodEnd: new Date(periodEnd),
        instalmentsPaid: paidCount,
        instalmentsTotal: plan ? main.price.instalments : null,
        failedAt,
        retryCount: failedAt ? 0 : 0,
        nextRetryAt: status === 'past_due' && failedAt ? new Date(failedAt.getTime() + 3 * DAY_MS) : null,
        graceUntil: failedAt ? new Date(failedAt.getTime() + 7 * DAY_MS) : null,
        accessRevokedAt,
        testCard: status === 'past_due' || status === 'unpaid' ? 'fails_on_renewal' : 'succeeds',
        createdAt: paidAt,
        updatedAt: new Date(Math.min(now, periodEnd)),
        endedAt,
        endedReason: status === 'completed' ? 'plan_completed' : status === 'canceled' ? 'canceled_by_customer' : null,
      });
      return;
    }

    // One-time: sometimes an upsell, sometimes a refund, rarely a dispute.
    if (opts.takeUpsell) {
      const upsellId = randomUUID();
      const when = new Date(paidAt.getTime() + r.int(1, 3) * 60_000);
      orderRows.push({ id: upsellId, kind: 'upsell', parentOrderId: orderId, offerId: cat.upsellId, contactId: c.id, email: c.email, status: 'paid', currency: 'usd', subtotal: 2900, total: 2900, amountPaid: 2900, provider: 'test', paidVia: 'upsell', providerPaymentMethodId: 'tpm_succeeds_4242', createdAt: when, updatedAt: when, expiresAt: new Date(when.getTime() + 3_600_000), paidAt: when });
      itemRows.push({ orderId: upsellId, role: 'upsell', productId: cat.swipeFile.product.id, priceId: cat.swipeFile.price.id, offerId: cat.upsellId, name: cat.swipeFile.product.name, priceType: 'one_time', currency: 'usd', unitAmount: 2900, amount: 2900, position: 0 });
      customerEvent(c, when, 'upsell.accepted', { type: 'order', id: upsellId }, { parentOrderId: orderId, offerId: cat.upsellId, amount: 2900, currency: 'usd' });
      pay(upsellId, null, 'upsell', 2900, when, c);
      grant(c, upsellId, 'demo upsell', { product: cat.swipeFile.product, price: cat.swipeFile.price, role: 'upsell', amount: 2900, discount: 0 }, when, 'purchase');
      customerEvent(c, when, 'order.paid', { type: 'order', id: upsellId }, { contactId: c.id, kind: 'upsell', total: 2900, amountPaid: 2900, currency: 'usd', provider: 'test', via: 'upsell', productIds: [cat.swipeFile.product.id] });
    }
    if (total > 0 && daysAgo > 2 && r.chance(0.035)) {
      // Refunded some days after paying, but never after the demo's "today".
      const when = new Date(Math.min(paidAt.getTime() + r.int(1, 14) * DAY_MS, ctx.now.getTime() - 3_600_000));
      const partial = r.chance(0.3);
      const amount = partial ? Math.round(total / 4) : total;
      const actor = supportAssistant && amount <= 5000 ? { actorKind: 'assistant', actorId: supportAssistant.id, actorRole: 'support' } : { actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner' };
      const charge = chargeRows.find((x) => x.orderId === orderId)!;
      charge.amountRefunded = amount;
      const payment = paymentRows.find((x) => x.orderId === orderId)!;
      payment.amountRefunded = amount;
      order.amountRefunded = amount;
      refundRows.push({ orderId, provider: 'test', providerRefundId: `tre_demo_${refundRows.length}`, amount, currency: 'usd', reason: partial ? 'goodwill: late start' : r.pick(['changed their mind', 'bought by mistake', 'not what they expected']), status: 'succeeded', actorKind: actor.actorKind, actorId: actor.actorId, createdAt: when, completedAt: when });
      history.push({ occurredAt: when, type: 'order.refunded', ...actor, subjectType: 'order', subjectId: orderId, data: { amount, currency: 'usd', full: !partial, totalRefunded: amount, contactId: c.id } });
      if (!partial) revokeGrants(orderId, when, 'refunded', actor);
    }
  };

  // ---- a year of checkouts, growing, with launch spikes ------------------------------------------
  const flagship = cat.flagship;
  const choices: { weight: number; pick: () => { product: ProductDetail; price: Price } }[] = [
    { weight: 28, pick: () => ({ product: flagship.product, price: flagship.once }) },
    { weight: flagship.plan ? 9 : 0, pick: () => ({ product: flagship.product, price: flagship.plan! }) },
    ...cat.courses.filter((c) => c !== flagship).map((c, i) => ({ weight: i === 0 ? 17 : 11, pick: () => ({ product: c.product, price: c.once }) })),
    { weight: 8, pick: () => ({ product: cat.checklist.product, price: cat.checklist.price }) },
    { weight: 5, pick: () => ({ product: cat.swipeFile.product, price: cat.swipeFile.price }) },
    { weight: 10, pick: () => ({ product: cat.membership.product, price: cat.membership.monthly }) },
    { weight: 3, pick: () => ({ product: cat.membership.product, price: cat.membership.yearly }) },
    { weight: 6, pick: () => ({ product: cat.bundle.product, price: cat.bundle.price }) },
  ];
  const totalWeight = choices.reduce((s, c) => s + c.weight, 0);
  const choose = (rand: Random) => {
    let x = rand.next() * totalWeight;
    for (const c of choices) if ((x -= c.weight) < 0) return c.pick();
    return choices[0]!.pick();
  };

  for (let daysAgo = 365; daysAgo >= 0; daysAgo--) {
    const active = cat.coupons.filter((c) => daysAgo <= c.from && daysAgo >= c.to && c.code !== 'FRIENDS25');
    const spike = active.some((c) => c.code === 'LAUNCH20' || c.code === 'BLACKFRIDAY') ? 4 : 1;
    const base = 1 + 3.2 * ((365 - daysAgo) / 365);
    const count = Math.max(0, Math.round((base + (ctx.random.next() - 0.5) * 2) * spike));
    for (let i = 0; i < count; i++) {
      const repeat = customers.length > 20 && r.chance(0.22);
      const c = repeat ? r.pick(customers) : newCustomer(at(daysAgo));
      const main = choose(r);
      const couponChoice = active.find((cp) => r.chance(0.6) && (cp.code !== 'SPRING15' || main.product.kind === 'course')) ?? null;
      const friends = cat.coupons.find((cp) => cp.code === 'FRIENDS25')!;
      const coupon = couponChoice ?? (daysAgo < 200 && (couponUses.get(friends.id) ?? 0) < 50 && r.chance(0.04) && main.price.type === 'one_time' ? friends : null);
      const isFlagship = main.product.id === flagship.product.id;
      sell(c, daysAgo - r.next() * 0.9, main, {
        withBump: isFlagship && r.chance(0.35),
        coupon,
        takeUpsell: isFlagship && main.price.type === 'one_time' && r.chance(0.18),
        abandoned: r.chance(0.14),
      });
    }
  }
  // Tonight at 3 a.m., while the owner slept.
  sell(newCustomer(at(0.3, 3)), 0.3, { product: flagship.product, price: flagship.once }, { withBump: true, coupon: null, takeUpsell: true, abandoned: false });

  // Two chargebacks in the year: the owner sees them flagged.
  const disputable = orderRows.filter((o) => o.status === 'paid' && o.kind === 'checkout' && !o.amountRefunded && (o.total ?? 0) > 5000 && o.paidAt! < new Date(now - 30 * DAY_MS) && o.paidAt! > new Date(now - 200 * DAY_MS));
  for (const o of [disputable[Math.floor(disputable.length / 3)], disputable[Math.floor((2 * disputable.length) / 3)]]) {
    if (!o) continue;
    const when = new Date(o.paidAt!.getTime() + r.int(10, 40) * DAY_MS);
    o.disputedAt = when;
    o.disputeReason = r.pick(['fraudulent', 'product_not_received']);
    o.disputeStatus = 'open';
    systemEvent(when, 'order.disputed', { type: 'order', id: o.id! }, { reason: o.disputeReason, amount: o.total, currency: 'usd', contactId: o.contactId });
  }

  // ---- write it all, oldest first (order numbers follow time) -----------------------------------------
  const contactRows = customers.map((c) => ({ id: c.id, email: c.email, emailNormalized: c.email, name: c.name, status: 'active' as const, source: 'checkout', createdAt: c.createdAt, updatedAt: c.createdAt }));
  for (let i = 0; i < contactRows.length; i += 500) await app.db.insert(contacts).values(contactRows.slice(i, i + 500)).onConflictDoNothing();
  orderRows.sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
  const batches: [unknown[], (rows: never[]) => Promise<unknown>][] = [
    [orderRows, (rows) => app.db.insert(orders).values(rows)],
    [itemRows, (rows) => app.db.insert(orderItems).values(rows)],
    [subRows, (rows) => app.db.insert(subscriptions).values(rows)],
    [paymentRows, (rows) => app.db.insert(payments).values(rows)],
    [chargeRows, (rows) => app.db.insert(testCharges).values(rows)],
    [refundRows, (rows) => app.db.insert(refunds).values(rows)],
    [grantRows, (rows) => app.db.insert(accessGrants).values(rows)],
  ];
  for (const [rows, insert] of batches) for (let i = 0; i < rows.length; i += 400) await insert(rows.slice(i, i + 400) as never[]);
  for (const [id, uses] of couponUses) await app.db.update(coupons).set({ redemptions: uses }).where(eq(coupons.id, id));

  // Three webhooks that never arrived over the year, caught by reconciliation.
  const repaired = orderRows.filter((o) => o.status === 'paid' && o.kind === 'checkout').filter((_, i) => i % 331 === 17).slice(0, 3);
  for (const o of repaired) {
    const when = new Date(o.paidAt!.getTime() + 11 * 60_000);
    const [run] = await app.db
      .insert(reconciliationRuns)
      .values({ provider: 'stripe', startedAt: when, finishedAt: when, checked: r.int(40, 120), repaired: 1, repairs: [{ orderId: o.id!, what: 'order paid and delivered', ref: `evt_demo_${o.id!.slice(0, 8)}` }] })
      .returning();
    systemEvent(when, 'checkout.reconciled', { type: 'reconciliation', id: run!.id }, { repaired: 1, repairs: [{ orderId: o.id, what: 'order paid and delivered' }] });
  }

  history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (let i = 0; i < history.length; i += 500) await app.db.insert(events).values(withContactIds(history.slice(i, i + 500)));

  ctx.shared.customers = customers.filter((c) => orderRows.some((o) => o.contactId === c.id && o.status === 'paid')).map((c) => ({ contactId: c.id, email: c.email, name: c.name }));
  ctx.shared.products = allProducts.map((p) => ({ id: p.id, name: p.name, kind: p.kind, slug: p.slug }));
}
