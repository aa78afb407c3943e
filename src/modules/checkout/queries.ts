// Checkout's reads: orders, customers and subscriptions for the admin, and a customer's own
// purchases, orders and subscriptions (never another's) for the account pages.
import { and, asc, desc, eq, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { contactDirectory } from '../audience/index.js';
import { CheckoutPart, type Order, type OrderItem, type Subscription } from './part.js';
import { orderItems, orders, payments, reconciliationRuns, refunds, subscriptions, type OrderStatus, type ProviderName, type SubscriptionStatus } from './schema.js';

export class CheckoutQueries extends CheckoutPart {
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
}
