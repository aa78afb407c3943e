// What every part of checkout is built from, and the writes they share (granting what an order
// bought, taking it back). The parts, one concern each: the flow from the checkout form to a paid,
// delivered order (service.ts, which composes the others), the reads (queries.ts), subscriptions,
// payment plans and dunning (billing.ts), refunds and disputes (refunds.ts). None of them writes
// orders, payments or refunds itself: the order ledger (ledger.ts) does, for all of them.
import type { Logger } from 'pino';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Signer } from '../../crypto.js';
import type { Database, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import type { AccessService } from '../access/index.js';
import type { AudienceService } from '../audience/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { MailService } from '../mail/index.js';
import type { PortalService } from '../portal/index.js';
import type { PaymentProvider } from './providers.js';
import { OrderLedger } from './ledger.js';
import type { orderItems, orders, payments, refunds, subscriptions } from './schema.js';

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

export interface CheckoutDeps {
  database: Database;
  clock: Clock;
  events: EventLog;
  log: Logger;
  signer: Signer;
  catalog: CatalogService;
  access: AccessService;
  audience: AudienceService;
  portal: PortalService;
  mail: MailService;
  provider: PaymentProvider;
  settings: CheckoutSettings;
}

export { IN_FLIGHT_REFUNDS } from './ledger.js';

export const customerActor = (contactId: string, label?: string): Actor => ({ kind: 'customer', id: contactId, label });
export const system: Actor = { kind: 'system' };

export abstract class CheckoutPart {
  protected readonly database: Database;
  protected readonly clock: Clock;
  protected readonly events: EventLog;
  protected readonly log: Logger;
  protected readonly signer: Signer;
  protected readonly catalog: CatalogService;
  protected readonly access: AccessService;
  protected readonly audience: AudienceService;
  protected readonly portal: PortalService;
  protected readonly mail: MailService;
  readonly provider: PaymentProvider;
  readonly settings: CheckoutSettings;
  /** The one writer of orders, their lines, payments and refunds. */
  protected readonly ledger = new OrderLedger();

  constructor(deps: CheckoutDeps) {
    this.database = deps.database;
    this.clock = deps.clock;
    this.events = deps.events;
    this.log = deps.log;
    this.signer = deps.signer;
    this.catalog = deps.catalog;
    this.access = deps.access;
    this.audience = deps.audience;
    this.portal = deps.portal;
    this.mail = deps.mail;
    this.provider = deps.provider;
    this.settings = deps.settings;
  }

  protected get db() {
    return this.database.db;
  }

  /** Access for everything an order bought (bundles and memberships: what they include). Idempotent. */
  protected async grantOrderInTx(tx: Tx, order: Order, items: OrderItem[]): Promise<number> {
    let granted = 0;
    for (const item of items) {
      const source = item.priceType === 'one_time' ? 'purchase' : item.priceType === 'payment_plan' ? 'plan' : 'membership';
      const product = await this.catalog.getProduct(tx, item.productId);
      for (const ent of await this.catalog.entitlementsOf(tx, item.productId)) {
        const viaSource = ent.included ? (product.kind === 'membership' ? 'membership' : 'bundle') : source;
        const r = await this.access.grantInTx(tx, { contactId: order.contactId, resource: ent.resource, source: viaSource, sourceId: order.id, actor: system, reason: `order #${order.number}` });
        if (r.created) granted++;
      }
    }
    return granted;
  }

  protected async revokeItemsInTx(tx: Tx, order: Order, items: OrderItem[], reason: string, actor: Actor): Promise<number> {
    let n = 0;
    for (const item of items) {
      for (const ent of await this.catalog.entitlementsOf(tx, item.productId)) {
        n += await this.access.revokeInTx(tx, { contactId: order.contactId, resource: ent.resource, sourceId: order.id }, actor, reason);
      }
    }
    return n;
  }
}
