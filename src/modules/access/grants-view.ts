// The one read-only view another module may query in SQL (docs/architecture.md): the grants,
// for learning's hot statements (a student's course list, the drip job, enrolment lists and
// statistics), which join them with learning's own tables. Its columns are a contract; the
// table behind them is access's business. Writes go through AccessService.
import { sql, type SQL } from 'drizzle-orm';
import { accessGrants } from './schema.js';

/**
 * `grants_view (contact_id, resource_type, resource_id, source, granted_at, expires_at, revoked_at)`:
 * every grant, revoked ones included (as history). Use as a relation: `from ${grantsView} g`.
 */
export const grantsView: SQL = sql`(select ${accessGrants.contactId} as contact_id, ${accessGrants.resourceType} as resource_type,
  ${accessGrants.resourceId} as resource_id, ${accessGrants.source} as source, ${accessGrants.grantedAt} as granted_at,
  ${accessGrants.expiresAt} as expires_at, ${accessGrants.revokedAt} as revoked_at from ${accessGrants})`;
