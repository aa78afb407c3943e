// Outbound webhooks. The owner registers endpoints (URL, chosen event types or all); every
// matching business event becomes one delivery per endpoint, signed per the Standard
// Webhooks convention (webhook-id, webhook-timestamp, webhook-signature).
//
// Crash safety: the fan-out is an event subscriber (exactly once per event: the deliveries
// and their send jobs are written in the subscriber's transaction). Sending is at least once:
// a worker that dies after the receiver answered but before the attempt is recorded sends
// again — with the same webhook-id, which is how receivers recognise a repeat. A delivery is
// claimed before its POST (claimed_until), so two workers never send one at the same time.
import { randomBytes, randomUUID } from 'node:crypto';
import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, Tx } from '../../db/client.js';
import type { EventDelivery, EventLog } from '../../db/events.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Sealer } from '../mail/index.js';
import { assertPublicHost } from './address-guard.js';
import { postWebhook } from './sender.js';
import { webhookDeliveries, webhookEndpoints, type DeliveryStatus } from './schema.js';

export const DELIVER_JOB = 'webhooks.deliver';
/** Sends the first attempt of many deliveries (the batched fan-out's job). */
export const DELIVER_BATCH_JOB = 'webhooks.deliver-batch';
/** Deliveries one `webhooks.deliver-batch` job carries. */
export const DELIVER_BATCH = 50;
/** Requests one batch job has in flight at once. */
const DELIVER_CONCURRENCY = 8;
/** How long the old secret keeps signing after a rotation, so receivers can switch over. */
const ROTATION_OVERLAP_MS = 24 * 3600_000;
const MAX_ENDPOINTS = 50;

export interface WebhookSettings {
  allowPrivate: boolean;
  retrySeconds: number[];
  timeoutMs: number;
  disableAfterDays: number;
}

export interface EndpointInput {
  url: string;
  description?: string;
  /** empty: every event type */
  eventTypes?: string[];
  enabled?: boolean;
}

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  failingSince: Date | null;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryView {
  id: string;
  endpointId: string;
  eventId: number | null;
  eventType: string;
  messageId: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  responseBody: string | null;
  durationMs: number | null;
  error: string | null;
  payload: Record<string, unknown>;
  replayOf: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
}

function endpointView(r: EndpointRow): EndpointView {
  const { secretSealed: _s, previousSecretSealed: _p, previousSecretUntil: _u, ...rest } = r;
  return rest;
}

function deliveryView(r: DeliveryRow): DeliveryView {
  const { claimedUntil: _c, ...rest } = r;
  return rest;
}

/** Scheme and host only: what events and logs may say about an endpoint. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** The Standard Webhooks body: `type`, `timestamp` and the event as `data`. */
export function webhookPayload(e: EventDelivery): Record<string, unknown> {
  return {
    type: e.type,
    timestamp: e.occurredAt,
    data: { ...e.data, eventId: e.eventId, subject: e.subject, actor: e.actor, contactId: e.contactId },
  };
}

/** An endpoint with no chosen types takes every type. */
const takes = (endpoint: { eventTypes: string[] }, type: string) => !endpoint.eventTypes.length || endpoint.eventTypes.includes(type);

export class WebhookService {
  constructor(
    private readonly deps: {
      database: Database;
      clock: Clock;
      events: EventLog;
      jobs: JobQueue;
      /** seals signing secrets at rest */
      sealer: Sealer;
      settings: WebhookSettings;
      /** event types an endpoint may choose (the catalog, without the webhooks' own) */
      eventTypes: () => string[];
    },
  ) {}

  /** A fresh secret, sealed, for rows written past createEndpoint (the demo's history). */
  sealedNewSecret(): string {
    return this.deps.sealer.seal(newSigningSecret());
  }

  /** Event types an endpoint can choose. */
  eventTypes(): string[] {
    return this.deps.eventTypes();
  }

  private get db() {
    return this.deps.database.db;
  }

  // ---- endpoints -------------------------------------------------------------------------

  async listEndpoints(): Promise<EndpointView[]> {
    const rows = await this.db.select().from(webhookEndpoints).orderBy(desc(webhookEndpoints.createdAt));
    return rows.map(endpointView);
  }

  async getEndpoint(id: string): Promise<EndpointView> {
    return endpointView(await this.endpointRow(this.db, id));
  }

  private async endpointRow(db: Database['db'] | Tx, id: string): Promise<EndpointRow> {
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    if (!row) throw notFound('Webhook endpoint');
    return row;
  }

  /** The new endpoint and its signing secret, shown this once. */
  async createEndpoint(input: EndpointInput, actor: Actor): Promise<{ endpoint: EndpointView; secret: string }> {
    await this.checkUrl(input.url);
    const eventTypes = this.checkEventTypes(input.eventTypes ?? []);
    const secret = newSigningSecret();
    const now = this.deps.clock.now();
    const row = await this.deps.database.transaction(async (tx) => {
      const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(webhookEndpoints)) as [{ n: number }];
      if (n >= MAX_ENDPOINTS) throw conflict(`At most ${MAX_ENDPOINTS} webhook endpoints; remove one first`);
      const [row] = await tx
        .insert(webhookEndpoints)
        .values({ url: input.url, description: input.description ?? '', eventTypes, enabled: input.enabled ?? true, secretSealed: this.deps.sealer.seal(secret), createdAt: now, updatedAt: now })
        .returning();
      await this.deps.events.recordInTx(tx, { type: 'webhook.endpoint_created', actor, subject: { type: 'webhook_endpoint', id: row!.id }, data: { origin: originOf(row!.url), eventTypes, enabled: row!.enabled } });
      return row!;
    });
    return { endpoint: endpointView(row), secret };
  }

  async updateEndpoint(id: string, patch: Partial<EndpointInput>, actor: Actor): Promise<EndpointView> {
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    const eventTypes = patch.eventTypes === undefined ? undefined : this.checkEventTypes(patch.eventTypes);
    return this.deps.database.transaction(async (tx) => {
      const current = await this.endpointRow(tx, id);
      const set: Partial<EndpointRow> = { updatedAt: this.deps.clock.now() };
      if (patch.url !== undefined) set.url = patch.url;
      if (patch.description !== undefined) set.description = patch.description;
      if (eventTypes !== undefined) set.eventTypes = eventTypes;
      if (patch.enabled !== undefined) {
        set.enabled = patch.enabled;
        // Turned on again: its failure history starts over.
        if (patch.enabled && !current.enabled) Object.assign(set, { failingSince: null, disabledReason: null });
      }
      const [row] = await tx.update(webhookEndpoints).set(set).where(eq(webhookEndpoints.id, id)).returning();
      const changed = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
      await this.deps.events.recordInTx(tx, { type: 'webhook.endpoint_updated', actor, subject: { type: 'webhook_endpoint', id }, data: { origin: originOf(row!.url), changed } });
      return endpointView(row!);
    });
  }

  /** A new secret, shown once; the old one keeps signing (a second signature) for 24 hours. */
  async rotateSecret(id: string, actor: Actor): Promise<{ secret: string; previousValidUntil: Date }> {
    const secret = newSigningSecret();
    const until = new Date(this.deps.clock.now().getTime() + ROTATION_OVERLAP_MS);
    await this.deps.database.transaction(async (tx) => {
      const current = await this.endpointRow(tx, id);
      await tx
        .update(webhookEndpoints)
        .set({ secretSealed: this.deps.sealer.seal(secret), previousSecretSealed: current.secretSealed, previousSecretUntil: until, updatedAt: this.deps.clock.now() })
        .where(eq(webhookEndpoints.id, id));
      await this.deps.events.recordInTx(tx, { type: 'webhook.secret_rotated', actor, subject: { type: 'webhook_endpoint', id }, data: { origin: originOf(current.url), previousValidUntil: until.toISOString() } });
    });
    return { secret, previousValidUntil: until };
  }

  async deleteEndpoint(id: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const current = await this.endpointRow(tx, id);
      await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
      await this.deps.events.recordInTx(tx, { type: 'webhook.endpoint_deleted', actor, subject: { type: 'webhook_endpoint', id }, data: { origin: originOf(current.url) } });
    });
  }

  /** https only, no credentials in it, and not a private address (unless the operator allows them). */
  private async checkUrl(raw: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid('Enter the full address, starting with https://', { field: 'url' });
    }
    const schemes = this.deps.settings.allowPrivate ? ['https:', 'http:'] : ['https:'];
    if (!schemes.includes(url.protocol)) throw invalid('The address must start with https://', { field: 'url' });
    if (url.username || url.password) throw invalid('Put no user name or password in the address; Onehour signs every request instead', { field: 'url' });
    if (this.deps.settings.allowPrivate) return;
    try {
      await assertPublicHost(url.hostname);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw invalid(code === 'EWEBHOOKBLOCKED' ? 'That address is on a private network; webhooks go to public addresses only' : `${url.hostname} could not be found`, { field: 'url' });
    }
  }

  private checkEventTypes(types: string[]): string[] {
    const known = new Set(this.deps.eventTypes());
    const unknown = types.filter((t) => !known.has(t));
    if (unknown.length) throw invalid(`Unknown event type: ${unknown.join(', ')}`, { field: 'eventTypes' });
    return [...new Set(types)].sort();
  }

  // ---- deliveries ------------------------------------------------------------------------

  async listDeliveries(endpointId: string, q: { limit?: number; status?: DeliveryStatus } = {}): Promise<DeliveryView[]> {
    const where: SQL[] = [eq(webhookDeliveries.endpointId, endpointId)];
    if (q.status) where.push(eq(webhookDeliveries.status, q.status));
    const rows = await this.db
      .select()
      .from(webhookDeliveries)
      .where(and(...where))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(Math.min(q.limit ?? 50, 200));
    return rows.map(deliveryView);
  }

  async getDelivery(id: string): Promise<DeliveryView> {
    const [row] = await this.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
    if (!row) throw notFound('Webhook delivery');
    return deliveryView(row);
  }

  /**
   * The fan-out subscriber's effect (inside its exactly-once transaction): one delivery per
   * enabled endpoint that wants this type, each with its send job.
   */
  async fanOutInTx(tx: Tx, event: EventDelivery): Promise<number> {
    return this.fanOutManyInTx(tx, [event]);
  }

  /**
   * Whether an enabled endpoint takes any of these event types now, read in the event's
   * transaction: without one, recording an event enqueues no fan-out job (a shop with no
   * endpoints pays nothing per event). An endpoint gets the events recorded after it is saved.
   */
  static async anyEndpointWantsInTx(tx: Tx, eventTypes: string[]): Promise<boolean> {
    const endpoints = await tx.select({ eventTypes: webhookEndpoints.eventTypes }).from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true));
    return endpoints.some((e) => eventTypes.some((t) => takes(e, t)));
  }

  /**
   * The fan-out of many events in `tx`, set-wise: one read of the enabled endpoints, one insert
   * of a delivery per (event, endpoint that wants it) — unique, so a replayed event adds none —
   * and one `webhooks.deliver-batch` job per DELIVER_BATCH deliveries. Returns how many deliveries it made.
   */
  async fanOutManyInTx(tx: Tx, events: EventDelivery[]): Promise<number> {
    if (!events.length) return 0;
    const endpoints = await tx.select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes }).from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true));
    if (!endpoints.length) return 0;
    const now = this.deps.clock.now();
    const values = events.flatMap((event) => {
      const wanting = endpoints.filter((e) => takes(e, event.type));
      if (!wanting.length) return [];
      const payload = webhookPayload(event);
      return wanting.map((e) => ({ endpointId: e.id, eventId: event.eventId, eventType: event.type, messageId: `msg_${randomUUID()}`, payload, createdAt: now }));
    });
    if (!values.length) return 0;
    const rows: { id: string }[] = [];
    for (let i = 0; i < values.length; i += 1000) {
      rows.push(...(await tx.insert(webhookDeliveries).values(values.slice(i, i + 1000)).onConflictDoNothing().returning({ id: webhookDeliveries.id })));
    }
    const jobs: { deliveryIds: string[] }[] = [];
    for (let i = 0; i < rows.length; i += DELIVER_BATCH) jobs.push({ deliveryIds: rows.slice(i, i + DELIVER_BATCH).map((r) => r.id) });
    await this.deps.jobs.sendManyInTx(tx, DELIVER_BATCH_JOB, jobs);
    return rows.length;
  }

  /**
   * The `webhooks.deliver-batch` job: each delivery as `deliver` sends it (claimed, signed,
   * refused for a private address unless allowed, its failure rescheduled with backoff as a
   * `webhooks.deliver` job of its own), DELIVER_CONCURRENCY at a time. Idempotent: a delivery
   * already sent or claimed by another worker is left alone, so a retried batch sends only what
   * it had not.
   */
  async deliverMany(deliveryIds: string[]): Promise<void> {
    const queue = [...deliveryIds];
    const failures: unknown[] = [];
    const lane = async () => {
      for (let id = queue.shift(); id; id = queue.shift()) await this.deliver(id).catch((err: unknown) => void failures.push(err));
    };
    await Promise.all(Array.from({ length: Math.min(DELIVER_CONCURRENCY, queue.length) }, lane));
    if (failures.length) throw failures[0];
  }

  /** Sends the same message again (same webhook-id) as a new delivery with its own log. */
  async replay(deliveryId: string, actor: Actor): Promise<DeliveryView> {
    return this.deps.database.transaction(async (tx) => {
      const [original] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
      if (!original) throw notFound('Webhook delivery');
      const endpoint = await this.endpointRow(tx, original.endpointId);
      if (!endpoint.enabled) throw conflict('Turn the endpoint on before replaying to it');
      const [row] = await tx
        .insert(webhookDeliveries)
        .values({
          endpointId: original.endpointId,
          eventId: original.eventId,
          eventType: original.eventType,
          messageId: original.messageId,
          payload: original.payload,
          replayOf: original.replayOf ?? original.id,
          createdAt: this.deps.clock.now(),
        })
        .returning();
      await this.deps.jobs.sendInTx(tx, DELIVER_JOB, { deliveryId: row!.id });
      await this.deps.events.recordInTx(tx, {
        type: 'webhook.delivery_replayed',
        actor,
        subject: { type: 'webhook_endpoint', id: endpoint.id },
        data: { deliveryId: row!.id, replayOf: original.id, eventType: original.eventType },
      });
      return deliveryView(row!);
    });
  }

  /** A `webhook.test` message to one endpoint, to check the receiver end to end. */
  async sendTest(endpointId: string, actor: Actor): Promise<DeliveryView> {
    return this.deps.database.transaction(async (tx) => {
      const endpoint = await this.endpointRow(tx, endpointId);
      const now = this.deps.clock.now();
      const payload = { type: 'webhook.test', timestamp: now.toISOString(), data: { message: 'A test from Onehour: your endpoint receives and verifies webhooks.', endpointId } };
      const [row] = await tx
        .insert(webhookDeliveries)
        .values({ endpointId, eventId: null, eventType: 'webhook.test', messageId: `msg_${randomUUID()}`, payload, createdAt: now })
        .returning();
      await this.deps.jobs.sendInTx(tx, DELIVER_JOB, { deliveryId: row!.id });
      await this.deps.events.recordInTx(tx, { type: 'webhook.test_sent', actor, subject: { type: 'webhook_endpoint', id: endpoint.id }, data: { deliveryId: row!.id } });
      return deliveryView(row!);
    });
  }

  /** The delivery job: one attempt, recorded; a failure schedules the next one. */
  async deliver(deliveryId: string): Promise<DeliveryStatus | null> {
    const now = this.deps.clock.now();
    const [claimed] = await this.db
      .update(webhookDeliveries)
      .set({ status: 'delivering', claimedUntil: new Date(now.getTime() + this.deps.settings.timeoutMs + 60_000) })
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          or(eq(webhookDeliveries.status, 'pending'), and(eq(webhookDeliveries.status, 'delivering'), lt(webhookDeliveries.claimedUntil, now))),
        ),
      )
      .returning();
    if (!claimed) return null;
    const [endpoint] = await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, claimed.endpointId));
    if (!endpoint?.enabled) {
      await this.db.update(webhookDeliveries).set({ status: 'failed', error: 'the endpoint is turned off', claimedUntil: null }).where(eq(webhookDeliveries.id, deliveryId));
      return 'failed';
    }
    const body = JSON.stringify(claimed.payload);
    const result = await postWebhook(endpoint.url, this.signatureHeaders(endpoint, claimed.messageId, body), body, {
      timeoutMs: this.deps.settings.timeoutMs,
      allowPrivate: this.deps.settings.allowPrivate,
    });
    return this.recordAttempt(claimed, endpoint, result);
  }

  private signatureHeaders(endpoint: EndpointRow, messageId: string, body: string): Record<string, string> {
    // The receiver checks this timestamp against its own clock (5 minutes' tolerance), so it
    // is the wall clock, not the app clock (which runs on virtual time in simulations).
    const timestamp = new Date();
    const secrets = [this.deps.sealer.open<string>(endpoint.secretSealed)];
    if (endpoint.previousSecretSealed && endpoint.previousSecretUntil && endpoint.previousSecretUntil > this.deps.clock.now()) {
      secrets.push(this.deps.sealer.open<string>(endpoint.previousSecretSealed));
    }
    return {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': secrets.map((s) => new Webhook(s).sign(messageId, timestamp, body)).join(' '),
    };
  }

  private async recordAttempt(d: DeliveryRow, endpoint: EndpointRow, result: Awaited<ReturnType<typeof postWebhook>>): Promise<DeliveryStatus> {
    const now = this.deps.clock.now();
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const attempts = d.attempts + 1;
    const wait = this.deps.settings.retrySeconds[attempts - 1];
    const status: DeliveryStatus = ok ? 'succeeded' : wait === undefined ? 'failed' : 'pending';
    const nextAttemptAt = status === 'pending' ? new Date(now.getTime() + wait! * 1000) : null;
    await this.deps.database.transaction(async (tx) => {
      await tx
        .update(webhookDeliveries)
        .set({
          status,
          attempts,
          claimedUntil: null,
          lastAttemptAt: now,
          nextAttemptAt,
          responseStatus: result.status,
          responseBody: result.body || null,
          durationMs: result.durationMs,
          error: ok ? null : (result.error ?? `answered ${result.status}`),
        })
        .where(eq(webhookDeliveries.id, d.id));
      if (status === 'pending') await this.deps.jobs.sendInTx(tx, DELIVER_JOB, { deliveryId: d.id }, { startAfter: wait! });
      if (ok) {
        if (endpoint.failingSince) await tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpoint.id));
        return;
      }
      const [e] = await tx
        .update(webhookEndpoints)
        .set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${now.toISOString()}::timestamptz)` })
        .where(eq(webhookEndpoints.id, endpoint.id))
        .returning();
      const failingSince = e?.failingSince ?? now;
      if (e?.enabled && now.getTime() - failingSince.getTime() >= this.deps.settings.disableAfterDays * 86_400_000) {
        const reason = `Every delivery failed for ${this.deps.settings.disableAfterDays} days (last: ${(result.error ?? `answered ${result.status}`).slice(0, 200)})`;
        await tx.update(webhookEndpoints).set({ enabled: false, disabledReason: reason, updatedAt: now }).where(eq(webhookEndpoints.id, endpoint.id));
        await this.deps.events.recordInTx(tx, {
          type: 'webhook.endpoint_disabled',
          actor: { kind: 'system' },
          subject: { type: 'webhook_endpoint', id: endpoint.id },
          data: { origin: originOf(endpoint.url), failingSince: failingSince.toISOString(), reason },
        });
      }
    });
    return status;
  }
}
