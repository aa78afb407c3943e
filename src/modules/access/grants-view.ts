// The one read-only view other modules may query in SQL (docs/architecture.md): the grants,
// for learning's hot statements (a student's course list, the drip job, enrolment lists and
// statistics), which join them with learning's own tables, and for audience's segment rules.
// It names the database view `access_grants_view` (schema.ts, made by access's migrations): its
// columns are a contract; the table behind them is access's business. Writes go through
// AccessService.
import { sql, type SQL } from 'drizzle-orm';

/** The view's name, for SQL kept as text (segment rules are compiled to text and stored). */
export const GRANTS_VIEW_NAME = 'access_grants_view';

/**
 * `access_grants_view (contact_id, resource_type, resource_id, source, granted_at, expires_at, revoked_at)`:
 * every grant, revoked ones included (as history). Use as a relation: `from ${grantsView} g`.
 */
export const grantsView: SQL = sql.raw(GRANTS_VIEW_NAME);
