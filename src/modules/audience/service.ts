// Contacts: one row per person, unique by normalised email.
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { invalid, notFound } from '../../errors.js';
import { contacts, listSubscriptions, type ContactStatus } from './schema.js';

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
    private readonly events: EventLog,
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

  /**
   * Unsubscribes a contact from one list, or from all marketing mail when no list is given
   * (status becomes `unsubscribed`). Recorded as an event with its actor, in `tx`.
   * Mail that is still sending checks the contact's state before each message, so this takes
   * effect for a broadcast in flight.
   */
  async unsubscribe(tx: Tx, input: { contactId: string; listId?: string; actor: Actor; via: string }): Promise<void> {
    const now = this.clock.now();
    if (input.listId) {
      await tx
        .insert(listSubscriptions)
        .values({ contactId: input.contactId, listId: input.listId, status: 'unsubscribed', updatedAt: now })
        .onConflictDoUpdate({ target: [listSubscriptions.contactId, listSubscriptions.listId], set: { status: 'unsubscribed', updatedAt: now } });
    } else {
      await tx
        .update(contacts)
        .set({ status: 'unsubscribed', updatedAt: now })
        .where(and(eq(contacts.id, input.contactId), inArray(contacts.status, ['active', 'unconfirmed'])));
      await tx.update(listSubscriptions).set({ status: 'unsubscribed', updatedAt: now }).where(eq(listSubscriptions.contactId, input.contactId));
    }
    await this.events.record(tx, {
      type: 'contact.unsubscribed',
      actor: input.actor,
      subject: { type: 'contact', id: input.contactId },
      data: { listId: input.listId ?? null, via: input.via },
    });
  }

  /**
   * The audience of a broadcast as SQL selecting `contacts.id`: contacts who may receive
   * marketing mail (status active), on the list when one is given (subscribed to it), in the
   * segment when one is given. Suppression (bounces, complaints) is applied by the mail module.
   */
  audienceSql(input: { listId?: string; segmentId?: string }): SQL {
    const parts: SQL[] = [sql`c.status = 'active'`];
    if (input.listId) {
      parts.push(sql`exists (select 1 from list_subscriptions ls where ls.contact_id = c.id and ls.list_id = ${input.listId} and ls.status = 'subscribed')`);
    }
    if (input.segmentId) parts.push(this.segmentConditionSql(input.segmentId));
    return sql`select c.id from contacts c where ${sql.join(parts, sql` and `)}`;
  }

  /** A segment's rules as a condition on `c` (contacts). Segments are compiled by the audience module. */
  protected segmentConditionSql(segmentId: string): SQL {
    throw invalid(`Segment ${segmentId} cannot be used yet: segments are not available`);
  }

  get db() {
    return this.database.db;
  }
}
