// Contacts: one row per person, unique by normalised email.
import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx } from '../../db/client.js';
import { invalid, notFound } from '../../errors.js';
import { contacts, type ContactStatus } from './schema.js';

export type Contact = typeof contacts.$inferSelect;

// Deliberately practical: one @, a dot in the domain, no spaces. Deliverability is proven by
// double opt-in, not by a regex.
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  const e = email.trim();
  return e.length <= 254 && EMAIL_RE.test(e);
}

export interface UpsertContactInput {
  email: string;
  name?: string;
  source: string;
  /** status for a new contact (an existing contact keeps its status) */
  status?: ContactStatus;
  fields?: Record<string, string>;
}

export class AudienceService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Finds the contact by email or creates it. An existing contact keeps its status (an
   * unsubscribed person who buys stays unsubscribed from marketing) and gains a name if it had none.
   */
  async upsertContact(db: DbOrTx, input: UpsertContactInput): Promise<{ contact: Contact; created: boolean }> {
    if (!isValidEmail(input.email)) throw invalid(`"${input.email}" is not a valid email address`, { field: 'email' });
    const now = this.clock.now();
    const inserted = await db
      .insert(contacts)
      .values({
        email: input.email.trim(),
        emailNormalized: normalizeEmail(input.email),
        name: input.name?.trim() ?? '',
        status: input.status ?? 'active',
        source: input.source,
        fields: input.fields ?? {},
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) return { contact: inserted[0], created: true };
    const [existing] = await db
      .update(contacts)
      .set({
        name: input.name?.trim() ? sql`case when ${contacts.name} = '' then ${input.name.trim()} else ${contacts.name} end` : contacts.name,
        updatedAt: now,
      })
      .where(eq(contacts.emailNormalized, normalizeEmail(input.email)))
      .returning();
    return { contact: existing!, created: false };
  }

  async findByEmail(db: DbOrTx, email: string): Promise<Contact | null> {
    const [row] = await db.select().from(contacts).where(eq(contacts.emailNormalized, normalizeEmail(email))).limit(1);
    return row ?? null;
  }

  async getContact(db: DbOrTx, id: string): Promise<Contact> {
    const [row] = await db.select().from(contacts).where(eq(contacts.id, id)).limit(1);
    if (!row) throw notFound('Contact');
    return row;
  }

  get db() {
    return this.database.db;
  }
}
