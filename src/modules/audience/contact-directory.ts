// A read-only view of the contacts for another module's SQL (docs/architecture.md): checkout's
// order search and customer list filter and page orders by the buyer's name and address in one
// statement. Its columns are a contract; the table behind them is audience's business. Writes,
// and every other read, go through AudienceService.
import { sql, type SQL } from 'drizzle-orm';
import { contacts } from './schema.js';

/** `contact_directory (id, email, name)`. Use as a relation: `from ${contactDirectory} c`. */
export const contactDirectory: SQL = sql`(select ${contacts.id} as id, ${contacts.email} as email, ${contacts.name} as name from ${contacts})`;
