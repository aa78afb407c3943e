// Access grants. Every grant and revoke is an event with its actor, in the caller's
// transaction, so a paid order and its grant commit together.
import { and, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { accessGrants } from './schema.js';

export type ResourceType = 'course' | 'download' | 'product';
export type GrantSource = 'purchase' | 'membership' | 'bundle' | 'manual' | 'plan';
export type Grant = typeof accessGrants.$inferSelect;

export interface GrantInput {
  contactId: string;
  resource: { type: ResourceType; id: string };
  source: GrantSource;
  sourceId?: string;
  expiresAt?: Date;
  actor: Actor;
  reason?: string;
}

export class AccessService {
  constructor(
    private readonly clock: Clock,
    private readonly events: EventLog,
  ) {}

  /** Grants access; idempotent per (contact, resource, source, sourceId). Returns the live grant. */
  async grantInTx(tx: Tx, input: GrantInput): Promise<{ grant: Grant; created: boolean }> {
    const now = this.clock.now();
    const inserted = await tx
      .insert(accessGrants)
      .values({
        contactId: input.contactId,
        resourceType: input.resource.type,
        resourceId: input.resource.id,
        source: input.source,
        sourceId: input.sourceId ?? null,
        grantedAt: now,
        expiresAt: input.expiresAt ?? null,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) {
      await this.events.recordInTx(tx, {
        type: 'access.granted',
        actor: input.actor,
        subject: { type: input.resource.type, id: input.resource.id },
        data: { contactId: input.contactId, source: input.source, sourceId: input.sourceId ?? null, grantId: inserted[0].id, reason: input.reason ?? null },
      });
      return { grant: inserted[0], created: true };
    }
    const [existing] = await tx
      .select()
      .from(accessGrants)
      .where(
        and(
          eq(accessGrants.contactId, input.contactId),
          eq(accessGrants.resourceType, input.resource.type),
          eq(accessGrants.resourceId, input.resource.id),
          eq(accessGrants.source, input.source),
          sql`coalesce(${accessGrants.sourceId}, '') = ${input.sourceId ?? ''}`,
          isNull(accessGrants.revokedAt),
        ),
      );
    return { grant: existing!, created: false };
  }

  /** Revokes the live grants matching the filter (e.g. every grant of one order). Returns how many. */
  async revokeInTx(tx: Tx, filter: { contactId?: string; resource?: { type: ResourceType; id: string }; source?: GrantSource; sourceId?: string; grantId?: string }, actor: Actor, reason: string): Promise<number> {
    const where = [isNull(accessGrants.revokedAt)];
    if (filter.grantId) where.push(eq(accessGrants.id, filter.grantId));
    if (filter.contactId) where.push(eq(accessGrants.contactId, filter.contactId));
    if (filter.resource) where.push(eq(accessGrants.resourceType, filter.resource.type), eq(accessGrants.resourceId, filter.resource.id));
    if (filter.source) where.push(eq(accessGrants.source, filter.source));
    if (filter.sourceId) where.push(eq(accessGrants.sourceId, filter.sourceId));
    if (where.length === 1) throw new Error('revoke needs a filter');
    const rows = await tx.update(accessGrants).set({ revokedAt: this.clock.now(), revokeReason: reason }).where(and(...where)).returning();
    for (const g of rows) {
      await this.events.recordInTx(tx, {
        type: 'access.revoked',
        actor,
        subject: { type: g.resourceType, id: g.resourceId },
        data: { contactId: g.contactId, source: g.source, sourceId: g.sourceId, grantId: g.id, reason },
      });
    }
    return rows.length;
  }

  /** True when the contact holds a live, unexpired grant to the resource. */
  async hasAccess(db: DbOrTx, contactId: string, resource: { type: ResourceType; id: string }): Promise<boolean> {
    const now = this.clock.now();
    const [row] = await db
      .select({ id: accessGrants.id })
      .from(accessGrants)
      .where(
        and(
          eq(accessGrants.contactId, contactId),
          eq(accessGrants.resourceType, resource.type),
          eq(accessGrants.resourceId, resource.id),
          isNull(accessGrants.revokedAt),
          or(isNull(accessGrants.expiresAt), gt(accessGrants.expiresAt, now)),
        ),
      )
      .limit(1);
    return Boolean(row);
  }

  /** The earliest live grant (drip schedules count from it). */
  async firstGrantedAt(db: DbOrTx, contactId: string, resource: { type: ResourceType; id: string }): Promise<Date | null> {
    const [row] = await db
      .select({ at: sql<Date>`min(${accessGrants.grantedAt})`.mapWith(accessGrants.grantedAt) })
      .from(accessGrants)
      .where(and(eq(accessGrants.contactId, contactId), eq(accessGrants.resourceType, resource.type), eq(accessGrants.resourceId, resource.id), isNull(accessGrants.revokedAt)));
    return row?.at ?? null;
  }

  async listForContact(db: DbOrTx, contactId: string, opts: { includeRevoked?: boolean } = {}): Promise<Grant[]> {
    return db
      .select()
      .from(accessGrants)
      .where(opts.includeRevoked ? eq(accessGrants.contactId, contactId) : and(eq(accessGrants.contactId, contactId), isNull(accessGrants.revokedAt)))
      .orderBy(desc(accessGrants.grantedAt));
  }

  async listForResource(db: DbOrTx, resource: { type: ResourceType; id: string }): Promise<Grant[]> {
    return db
      .select()
      .from(accessGrants)
      .where(and(eq(accessGrants.resourceType, resource.type), eq(accessGrants.resourceId, resource.id)))
      .orderBy(desc(accessGrants.grantedAt));
  }
}
