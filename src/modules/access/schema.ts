import { sql } from 'drizzle-orm';
import { index, pgTable, pgView, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contacts } from '../audience/schema.js';

/**
 * Who may use what. A grant gives a contact a resource (a course, a download, a product) for
 * a reason (a purchase, a membership, a manual grant). Revoked grants stay as history.
 */
export const accessGrants = pgTable(
  'access_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    /** course | download | product */
    resourceType: text('resource_type').notNull(),
    resourceId: uuid('resource_id').notNull(),
    /** purchase | membership | bundle | manual | plan */
    source: text('source').notNull(),
    /** the order, subscription or user behind it */
    sourceId: text('source_id'),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull(),
    /** access ends here without a revoke (fixed-term access) */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokeReason: text('revoke_reason'),
  },
  (t) => [
    index('access_grants_contact_idx').on(t.contactId, t.resourceType, t.resourceId),
    index('access_grants_resource_idx').on(t.resourceType, t.resourceId),
    // One live grant per contact, resource and source: fulfilment that runs twice grants once.
    uniqueIndex('access_grants_live_key')
      .on(t.contactId, t.resourceType, t.resourceId, t.source, sql`coalesce(${t.sourceId}, '')`)
      .where(sql`${t.revokedAt} is null`),
  ],
);

/**
 * `access_grants_view`: the read-only face of the grants other modules may name in SQL
 * (learning's hot statements through `grantsView`, audience's segment rules compiled to SQL
 * text). Its columns are a contract; the table behind it is access's business and may change
 * without another module noticing. Revoked grants are included, as history.
 */
export const accessGrantsView = pgView('access_grants_view').as((qb) =>
  qb
    .select({
      contactId: accessGrants.contactId,
      resourceType: accessGrants.resourceType,
      resourceId: accessGrants.resourceId,
      source: accessGrants.source,
      grantedAt: accessGrants.grantedAt,
      expiresAt: accessGrants.expiresAt,
      revokedAt: accessGrants.revokedAt,
    })
    .from(accessGrants),
);
