// Contacts, lists, tags and consent. One row per person (unique by normalised email); every
// subscribe, confirm, unsubscribe and change is an event with its actor, written in the same
// transaction as the change. Forms, segments and imports build on this (forms.ts,
// segment-service.ts, imports.ts) and are reachable as app.audience.forms/segments/imports.
import { and, asc, desc, eq, getTableColumns, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { actorColumns, type Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { conflict, forbidden, invalid, notFound } from '../../errors.js';
import {
  consentRecords,
  contacts,
  contactTags,
  listSubscriptions,
  lists,
  tags,
  type ContactStatus,
} from './schema.js';
import { FormService } from './forms.js';
import { SegmentService } from './segment-service.js';
import { ImportService } from './imports.js';
import {
  cleanFields,
  emailProblem,
  isValidEmail,
  normalizeEmail,
  type AudienceDeps,
  type ConsentInput,
  type ConsentRecord,
  type Contact,
  type ContactList,
  type ContactWriter,
  type Tag,
  type UpsertContactInput,
} from './contact-model.js';

export {
  cleanFields,
  emailProblem,
  isValidEmail,
  normalizeEmail,
  type AudienceDeps,
  type AudienceMailer,
  type AudienceSettings,
  type ConsentInput,
  type ConsentRecord,
  type Contact,
  type ContactList,
  type ContactWriter,
  type Tag,
  type UpsertContactInput,
} from './contact-model.js';






export interface ContactQuery {
  q?: string;
  status?: ContactStatus;
  tagId?: string;
  listId?: string;
  segmentId?: string;
  cursor?: string;
  limit?: number;
}

export interface ContactSummary {
  id: string;
  email: string;
  name: string;
  status: ContactStatus;
  source: string;
  createdAt: Date;
  tags: { id: string; name: string }[];
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;


function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw invalid('The page cursor is not valid');
  return { createdAt, id };
}

export class AudienceService implements ContactWriter {
  readonly forms: FormService;
  readonly segments: SegmentService;
  readonly imports: ImportService;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    readonly deps: AudienceDeps,
  ) {
    this.segments = new SegmentService(database, clock, events);
    this.forms = new FormService(database, clock, events, this, deps);
    this.imports = new ImportService(database, clock, events, this, deps);
  }

  get db() {
    return this.database.db;
  }

  // ---- contacts ------------------------------------------------------------------------

  /**
   * Finds the contact by email or creates it. An existing contact keeps its status (an
   * unsubscribed person who buys stays unsubscribed from marketing) and gains a name if it had none.
   */
  async upsertContact(db: DbOrTx, input: UpsertContactInput): Promise<{ contact: Contact; created: boolean }> {
    if (!isValidEmail(input.email)) throw invalid(emailProblem(input.email) ?? 'Not a valid email address', { field: 'email' });
    const now = this.clock.now();
    const inserted = await db
      .insert(contacts)
      .values({
        email: input.email.trim(),
        emailNormalized: normalizeEmail(input.email),
        name: input.name?.trim().slice(0, 200) ?? '',
        status: input.status ?? 'active',
        source: input.source,
        fields: cleanFields(input.fields),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted[0]) return { contact: inserted[0], created: true };
    const newFields = cleanFields(input.fields);
    const [existing] = await db
      .update(contacts)
      .set({
        name: input.name?.trim() ? sql`case when ${contacts.name} = '' then ${input.name.trim().slice(0, 200)} else ${contacts.name} end` : contacts.name,
        // Fields the contact does not have yet are added; values already there are kept.
        fields: Object.keys(newFields).length ? sql`${JSON.stringify(newFields)}::jsonb || ${contacts.fields}` : contacts.fields,
        updatedAt: now,
      })
      .where(eq(contacts.emailNormalized, normalizeEmail(input.email)))
      .returning();
    return { contact: existing!, created: false };
  }

  /**
   * upsertContact for a sender with no fields, in one statement instead of two (insert, or on
   * the existing address fill an empty name and touch updated_at): for support intake, where a
   * round trip per message counts. Same outcome as upsertContact with the same input.
   */
  async upsertSender(db: DbOrTx, input: { email: string; name?: string; source: string }): Promise<{ contact: Contact; created: boolean }> {
    if (!isValidEmail(input.email)) throw invalid(emailProblem(input.email) ?? 'Not a valid email address', { field: 'email' });
    const now = this.clock.now();
    const [row] = await db
      .insert(contacts)
      .values({ email: input.email.trim(), emailNormalized: normalizeEmail(input.email), name: input.name?.trim().slice(0, 200) ?? '', status: 'active', source: input.source, fields: {}, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: contacts.emailNormalized, set: { name: sql`case when ${contacts.name} = '' then excluded.name else ${contacts.name} end`, updatedAt: now } })
      // xmax is 0 on a row this statement inserted, the updating transaction's id otherwise.
      .returning({ ...getTableColumns(contacts), created: sql<boolean>`(xmax = 0)` });
    const { created, ...contact } = row!;
    return { contact, created };
  }

  async findByEmail(db: DbOrTx, email: string): Promise<Contact | null> {
    const [row] = await db.select().from(contacts).where(eq(contacts.emailNormalized, normalizeEmail(email))).limit(1);
    return row ?? null;
  }

  /** Names and addresses of these contacts (those that exist), for lists other modules show. */
  async contactsByIds(db: DbOrTx, ids: string[]): Promise<Pick<Contact, 'id' | 'email' | 'name'>[]> {
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    return db.select({ id: contacts.id, email: contacts.email, name: contacts.name }).from(contacts).where(inArray(contacts.id, unique));
  }

  /** The contact, or null when there is none with this id. */
  async findById(db: DbOrTx, id: string): Promise<Contact | null> {
    const [row] = await db.select().from(contacts).where(eq(contacts.id, id)).limit(1);
    return row ?? null;
  }

  /** These contacts (those that exist), whole rows: for set-wise callers (automation batches). */
  async findByIds(db: DbOrTx, ids: string[]): Promise<Contact[]> {
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    return db.select().from(contacts).where(inArray(contacts.id, unique));
  }

  async getContact(db: DbOrTx, id: string): Promise<Contact> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Contact');
    const [row] = await db.select().from(contacts).where(eq(contacts.id, id)).limit(1);
    if (!row) throw notFound('Contact');
    return row;
  }

  private contactFilters(q: ContactQuery): SQL[] {
    const where: SQL[] = [];
    if (q.q) {
      const needle = `%${q.q.trim().toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      where.push(sql`(c.email_normalized like ${needle} or lower(c.name) like ${needle})`);
    }
    if (q.status) where.push(sql`c.status = ${q.status}`);
    if (q.tagId) where.push(sql`exists (select 1 from contact_tags ct where ct.contact_id = c.id and ct.tag_id = ${q.tagId})`);
    if (q.listId) where.push(sql`exists (select 1 from list_subscriptions ls where ls.contact_id = c.id and ls.list_id = ${q.listId} and ls.status = 'subscribed')`);
    if (q.segmentId) where.push(this.segmentConditionSql(q.segmentId));
    return where;
  }

  /** Contacts newest first, filtered; pages with an opaque cursor. */
  async listContacts(q: ContactQuery): Promise<{ contacts: ContactSummary[]; total: number; nextCursor: string | null }> {
    const limit = Math.min(q.limit ?? 50, 500);
    const where = this.contactFilters(q);
    const filter = where.length ? sql.join(where, sql` and `) : sql`true`;
    const page: SQL[] = [filter];
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      page.push(sql`(c.created_at, c.id) < (${c.createdAt}::timestamptz, ${c.id}::uuid)`);
    }
    const rows = rowsOf<ContactSummary & { createdAt: Date }>(
      await this.db.execute(sql`
        select c.id, c.email, c.name, c.status, c.source, c.created_at as "createdAt",
               coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name) order by t.name)
                           from contact_tags ct join tags t on t.id = ct.tag_id where ct.contact_id = c.id), '[]'::json) as tags
          from contacts c
         where ${sql.join(page, sql` and `)}
         order by c.created_at desc, c.id desc
         limit ${limit + 1}`),
    );
    const [count] = rowsOf<{ n: number }>(await this.db.execute(sql`select count(*) as n from contacts c where ${filter}`));
    const more = rows.length > limit;
    const pageRows = rows.slice(0, limit).map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
    const last = pageRows[pageRows.length - 1];
    return { contacts: pageRows, total: count?.n ?? 0, nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null };
  }

  /** Everything about one contact: tags, lists, consent evidence and recent events. */
  async contactDetail(id: string) {
    const contact = await this.getContact(this.db, id);
    const [contactTagRows, listRows, consent, history] = await Promise.all([
      this.db
        .select({ id: tags.id, name: tags.name })
        .from(contactTags)
        .innerJoin(tags, eq(tags.id, contactTags.tagId))
        .where(eq(contactTags.contactId, id))
        .orderBy(asc(tags.name)),
      this.db
        .select({ id: lists.id, name: lists.name, status: listSubscriptions.status, updatedAt: listSubscriptions.updatedAt })
        .from(listSubscriptions)
        .innerJoin(lists, eq(lists.id, listSubscriptions.listId))
        .where(eq(listSubscriptions.contactId, id))
        .orderBy(asc(lists.name)),
      this.consentFor(contact),
      this.events.list(this.db, { subjectType: 'contact', subjectId: id, limit: 50 }),
    ]);
    return { contact, tags: contactTagRows, lists: listRows, consent, events: history };
  }

  /** Consent evidence of a contact, including the declaration of the import that brought it in. */
  async consentFor(contact: Pick<Contact, 'id' | 'source' | 'importId'>): Promise<ConsentRecord[]> {
    const importIds = new Set<string>();
    const fromSource = /^import:([0-9a-f-]{36})$/.exec(contact.source)?.[1];
    if (fromSource) importIds.add(fromSource);
    if (contact.importId) importIds.add(contact.importId);
    const own = eq(consentRecords.contactId, contact.id);
    const where = importIds.size
      ? sql`(${own} or (${consentRecords.contactId} is null and ${inArray(consentRecords.importId, [...importIds])}))`
      : own;
    return this.db.select().from(consentRecords).where(where).orderBy(desc(consentRecords.occurredAt));
  }

  async recordConsent(db: DbOrTx, input: ConsentInput): Promise<void> {
    const { actorKind, actorId } = actorColumns(input.actor);
    await db.insert(consentRecords).values({
      contactId: input.contactId,
      kind: input.kind,
      statement: (input.statement ?? '').slice(0, 5000),
      formId: input.formId ?? null,
      importId: input.importId ?? null,
      listIds: input.listIds ?? [],
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      actorKind,
      actorId,
      occurredAt: input.occurredAt ?? this.clock.now(),
    });
  }

  /** Staff add someone by hand, saying how the person agreed to hear from them. */
  async createContact(
    input: { email: string; name?: string; fields?: Record<string, string>; listIds?: string[]; tagIds?: string[]; consentNote?: string; status?: 'active' | 'unconfirmed' },
    actor: Actor,
    meta: { ip?: string } = {},
  ): Promise<Contact> {
    const problem = emailProblem(input.email);
    if (problem) throw invalid(problem, { field: 'email' });
    return this.database.transaction(async (tx) => {
      const existing = await this.findByEmail(tx, input.email);
      if (existing) throw conflict(`${normalizeEmail(input.email)} is already a contact`, { contactId: existing.id });
      const { contact } = await this.upsertContact(tx, { email: input.email, name: input.name, fields: input.fields, source: 'admin', status: input.status ?? 'active' });
      await this.events.recordInTx(tx, { type: 'contact.created', actor, subject: { type: 'contact', id: contact.id }, data: { source: 'admin' } });
      await this.recordConsent(tx, {
        contactId: contact.id,
        kind: 'admin',
        statement: input.consentNote?.trim() || `Added by ${actor.label ?? actor.kind}`,
        listIds: input.listIds ?? [],
        ip: meta.ip,
        actor,
      });
      if (input.listIds?.length) await this.subscribeToListsInTx(tx, { contactId: contact.id, listIds: input.listIds, actor, via: 'admin' });
      if (input.tagIds?.length) await this.tagContactInTx(tx, contact.id, input.tagIds, actor);
      return contact;
    });
  }

  /**
   * Staff edits. Status: staff may unsubscribe someone, or mark an address fixed after a
   * bounce; only the person can undo their own unsubscribe or complaint (through a form).
   */
  async updateContact(id: string, input: { name?: string; fields?: Record<string, string>; status?: ContactStatus }, actor: Actor): Promise<Contact> {
    return this.database.transaction(async (tx) => {
      const [current] = await tx.select().from(contacts).where(eq(contacts.id, id)).for('update');
      if (!current) throw notFound('Contact');
      const now = this.clock.now();
      const changed: string[] = [];
      const set: Partial<typeof contacts.$inferInsert> = { updatedAt: now };
      if (input.name !== undefined && input.name.trim() !== current.name) {
        set.name = input.name.trim().slice(0, 200);
        changed.push('name');
      }
      if (input.fields !== undefined) {
        set.fields = cleanFields(input.fields);
        changed.push('fields');
      }
      if (input.status && input.status !== current.status) {
        const from = current.status;
        const to = input.status;
        if (to === 'unsubscribed') {
          await this.unsubscribeInTx(tx, { contactId: id, actor, via: 'admin' });
        } else if (to === 'active' && (from === 'bounced' || from === 'unconfirmed')) {
          set.status = 'active';
        } else if (to === 'active') {
          throw forbidden(`This contact ${from === 'complained' ? 'marked your mail as spam' : 'unsubscribed'}; only they can subscribe again, through one of your forms.`);
        } else {
          throw invalid(`A contact cannot be set to ${to} by hand`);
        }
        if (set.status) {
          await this.events.recordInTx(tx, { type: 'contact.status_changed', actor, subject: { type: 'contact', id }, data: { from, to } });
        }
      }
      const [row] = await tx.update(contacts).set(set).where(eq(contacts.id, id)).returning();
      if (changed.length) await this.events.recordInTx(tx, { type: 'contact.updated', actor, subject: { type: 'contact', id }, data: { changed } });
      return row!;
    });
  }

  /** Sets one custom field in the caller's transaction (automations); no event when it already had that value. */
  async setFieldInTx(tx: Tx, contactId: string, key: string, value: string, actor: Actor): Promise<boolean> {
    const fields = cleanFields({ [key]: value });
    const [row] = await tx
      .update(contacts)
      .set({ fields: sql`${contacts.fields} || ${JSON.stringify(fields)}::jsonb`, updatedAt: this.clock.now() })
      .where(and(eq(contacts.id, contactId), sql`${contacts.fields}->>${key} is distinct from ${fields[key]}`))
      .returning({ id: contacts.id });
    if (row) await this.events.recordInTx(tx, { type: 'contact.updated', actor, subject: { type: 'contact', id: contactId }, data: { changed: ['fields'], field: key } });
    return !!row;
  }

  async hasTag(db: DbOrTx, contactId: string, tagId: string): Promise<boolean> {
    const rows = await db.select({ t: contactTags.tagId }).from(contactTags).where(and(eq(contactTags.contactId, contactId), eq(contactTags.tagId, tagId))).limit(1);
    return rows.length > 0;
  }

  /** Which of these contacts have the tag (one query for many contacts). */
  async contactsWithTag(db: DbOrTx, tagId: string, contactIds: string[]): Promise<Set<string>> {
    const unique = [...new Set(contactIds)];
    if (!unique.length) return new Set();
    const rows = await db.select({ c: contactTags.contactId }).from(contactTags).where(and(eq(contactTags.tagId, tagId), inArray(contactTags.contactId, unique)));
    return new Set(rows.map((r) => r.c));
  }

  /** Erases a contact and everything kept about them (a data-deletion request). */
  async deleteContact(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const rows = await tx.delete(contacts).where(eq(contacts.id, id)).returning({ id: contacts.id });
      if (!rows.length) throw notFound('Contact');
      // No personal data in the event: the person asked to be forgotten.
      await this.events.recordInTx(tx, { type: 'contact.deleted', actor, subject: { type: 'contact', id } });
    });
  }

  // ---- lists & subscriptions -----------------------------------------------------------

  async listLists(): Promise<(ContactList & { subscribers: number })[]> {
    return rowsOf<ContactList & { subscribers: number }>(
      await this.db.execute(sql`
        select l.id, l.name, l.description, l.created_at as "createdAt",
               (select count(*) from list_subscriptions ls join contacts c on c.id = ls.contact_id
                 where ls.list_id = l.id and ls.status = 'subscribed' and c.status = 'active') as subscribers
          from lists l order by l.created_at`),
    ).map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
  }

  /** The list's name, or null when there is no such list (a link to a deleted list). */
  async findListName(db: DbOrTx, id: string): Promise<string | null> {
    const [row] = await db.select({ name: lists.name }).from(lists).where(eq(lists.id, id));
    return row?.name ?? null;
  }

  async getList(id: string): Promise<ContactList> {
    const [row] = await this.db.select().from(lists).where(eq(lists.id, id));
    if (!row) throw notFound('List');
    return row;
  }

  async createList(input: { name: string; description?: string }, actor: Actor): Promise<ContactList> {
    return this.database.transaction(async (tx) => {
      const [row] = await tx.insert(lists).values({ name: input.name.trim(), description: input.description?.trim() ?? '', createdAt: this.clock.now() }).returning();
      await this.events.recordInTx(tx, { type: 'list.created', actor, subject: { type: 'list', id: row!.id }, data: { name: row!.name } });
      return row!;
    });
  }

  async updateList(id: string, input: { name?: string; description?: string }, actor: Actor): Promise<ContactList> {
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .update(lists)
        .set({ ...(input.name !== undefined ? { name: input.name.trim() } : {}), ...(input.description !== undefined ? { description: input.description.trim() } : {}) })
        .where(eq(lists.id, id))
        .returning();
      if (!row) throw notFound('List');
      await this.events.recordInTx(tx, { type: 'list.updated', actor, subject: { type: 'list', id } });
      return row;
    });
  }

  async deleteList(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const rows = await tx.delete(lists).where(eq(lists.id, id)).returning();
      if (!rows.length) throw notFound('List');
      await this.events.recordInTx(tx, { type: 'list.deleted', actor, subject: { type: 'list', id }, data: { name: rows[0]!.name } });
    });
  }

  private async assertListsExist(tx: DbOrTx, listIds: string[]): Promise<void> {
    if (!listIds.length) return;
    const found = await tx.select({ id: lists.id }).from(lists).where(inArray(lists.id, listIds));
    if (found.length !== new Set(listIds).size) throw invalid('One of the lists does not exist', { field: 'listIds' });
  }

  /**
   * Puts the contact on lists (an explicit subscribe: a list they had left is joined again).
   * Records contact.subscribed when anything changed. Returns the lists newly joined.
   */
  async subscribeToListsInTx(
    tx: Tx,
    input: { contactId: string; listIds: string[]; actor: Actor; via: string; formId?: string; /** false: the caller records its own event */ recordEvent?: boolean },
  ): Promise<string[]> {
    const listIds = [...new Set(input.listIds)];
    await this.assertListsExist(tx, listIds);
    const now = this.clock.now();
    const joined: string[] = [];
    for (const listId of listIds) {
      const rows = await tx
        .insert(listSubscriptions)
        .values({ contactId: input.contactId, listId, status: 'subscribed', updatedAt: now })
        .onConflictDoUpdate({
          target: [listSubscriptions.contactId, listSubscriptions.listId],
          set: { status: 'subscribed', updatedAt: now },
          setWhere: sql`${listSubscriptions.status} <> 'subscribed'`,
        })
        .returning({ listId: listSubscriptions.listId });
      if (rows.length) joined.push(listId);
    }
    if (joined.length && input.recordEvent !== false) {
      await this.events.recordInTx(tx, {
        type: 'contact.subscribed',
        actor: input.actor,
        subject: { type: 'contact', id: input.contactId },
        data: { listIds: joined, via: input.via, formId: input.formId ?? null },
      });
    }
    return joined;
  }

  /**
   * Unsubscribes a contact from one list, or from all marketing mail when no list is given
   * (status becomes `unsubscribed`). Recorded as an event with its actor, in `tx`, when it
   * changed anything (a second click changes nothing and records nothing).
   * Mail that is still sending checks the contact's state before each message, so this takes
   * effect for a broadcast in flight.
   */
  async unsubscribeInTx(tx: Tx, input: { contactId: string; listId?: string; actor: Actor; via: string }): Promise<void> {
    const now = this.clock.now();
    let changed: boolean;
    if (input.listId) {
      const [before] = await tx
        .select({ status: listSubscriptions.status })
        .from(listSubscriptions)
        .where(and(eq(listSubscriptions.contactId, input.contactId), eq(listSubscriptions.listId, input.listId)));
      changed = before?.status !== 'unsubscribed';
      await tx
        .insert(listSubscriptions)
        .values({ contactId: input.contactId, listId: input.listId, status: 'unsubscribed', updatedAt: now })
        .onConflictDoUpdate({ target: [listSubscriptions.contactId, listSubscriptions.listId], set: { status: 'unsubscribed', updatedAt: now } });
    } else {
      const updated = await tx
        .update(contacts)
        .set({ status: 'unsubscribed', updatedAt: now })
        .where(and(eq(contacts.id, input.contactId), inArray(contacts.status, ['active', 'unconfirmed'])))
        .returning({ id: contacts.id });
      const lists = await tx
        .update(listSubscriptions)
        .set({ status: 'unsubscribed', updatedAt: now })
        .where(and(eq(listSubscriptions.contactId, input.contactId), eq(listSubscriptions.status, 'subscribed')))
        .returning({ listId: listSubscriptions.listId });
      changed = updated.length > 0 || lists.length > 0;
    }
    if (!changed) return;
    await this.recordConsent(tx, { contactId: input.contactId, kind: 'unsubscribed', statement: `Unsubscribed via ${input.via}`, listIds: input.listId ? [input.listId] : [], actor: input.actor });
    await this.events.recordInTx(tx, {
      type: 'contact.unsubscribed',
      actor: input.actor,
      subject: { type: 'contact', id: input.contactId },
      data: { listId: input.listId ?? null, via: input.via },
    });
  }

  /**
   * Marks the contact behind an address as unreachable after a bounce or a spam complaint
   * (the mail module decides when; this module owns the status). A complaint outranks a
   * bounce, so a complained contact is never set back to bounced. Records no event: the
   * caller records email.bounced / email.complained / contact.suppressed with its actor in
   * the same transaction. Returns false when no contact has the address or it had complained already.
   */
  async markUndeliverableInTx(tx: Tx, email: string, status: 'bounced' | 'complained'): Promise<boolean> {
    const changed = await tx
      .update(contacts)
      .set({ status, updatedAt: this.clock.now() })
      .where(and(eq(contacts.emailNormalized, normalizeEmail(email)), ne(contacts.status, 'complained')))
      .returning({ id: contacts.id });
    return changed.length > 0;
  }

  // ---- tags ----------------------------------------------------------------------------

  async listTags(): Promise<(Tag & { contacts: number })[]> {
    return rowsOf<Tag & { contacts: number }>(
      await this.db.execute(sql`select t.id, t.name, t.created_at as "createdAt", (select count(*) from contact_tags ct where ct.tag_id = t.id) as contacts from tags t order by lower(t.name)`),
    ).map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
  }

  /** Finds tags by name, creating the missing ones (case-insensitive). */
  async ensureTags(db: DbOrTx, names: string[]): Promise<Tag[]> {
    const clean = [...new Set(names.map((n) => n.trim().slice(0, 100)).filter(Boolean))];
    if (!clean.length) return [];
    const now = this.clock.now();
    await db.insert(tags).values(clean.map((name) => ({ name, createdAt: now }))).onConflictDoNothing();
    return db.select().from(tags).where(inArray(sql`lower(${tags.name})`, clean.map((n) => n.toLowerCase())));
  }

  async createTag(name: string, actor: Actor): Promise<Tag> {
    return this.database.transaction(async (tx) => {
      const now = this.clock.now();
      const [row] = await tx.insert(tags).values({ name: name.trim(), createdAt: now }).onConflictDoNothing().returning();
      if (!row) throw conflict(`A tag named "${name.trim()}" already exists`);
      await this.events.recordInTx(tx, { type: 'tag.created', actor, subject: { type: 'tag', id: row.id }, data: { name: row.name } });
      return row;
    });
  }

  async renameTag(id: string, name: string, actor: Actor): Promise<Tag> {
    return this.database.transaction(async (tx) => {
      const clash = await tx.select({ id: tags.id }).from(tags).where(and(sql`lower(${tags.name}) = ${name.trim().toLowerCase()}`, sql`${tags.id} <> ${id}`));
      if (clash.length) throw conflict(`A tag named "${name.trim()}" already exists`);
      const [row] = await tx.update(tags).set({ name: name.trim() }).where(eq(tags.id, id)).returning();
      if (!row) throw notFound('Tag');
      await this.events.recordInTx(tx, { type: 'tag.renamed', actor, subject: { type: 'tag', id }, data: { name: row.name } });
      return row;
    });
  }

  async deleteTag(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const rows = await tx.delete(tags).where(eq(tags.id, id)).returning();
      if (!rows.length) throw notFound('Tag');
      await this.events.recordInTx(tx, { type: 'tag.deleted', actor, subject: { type: 'tag', id }, data: { name: rows[0]!.name } });
    });
  }

  /** Tags one contact; one contact.tagged event per tag it did not have. */
  async tagContactInTx(tx: Tx, contactId: string, tagIds: string[], actor: Actor): Promise<number> {
    const ids = [...new Set(tagIds)];
    if (!ids.length) return 0;
    const known = await tx.select().from(tags).where(inArray(tags.id, ids));
    if (known.length !== ids.length) throw invalid('One of the tags does not exist', { field: 'tagIds' });
    const now = this.clock.now();
    const added = await tx
      .insert(contactTags)
      .values(ids.map((tagId) => ({ contactId, tagId, createdAt: now })))
      .onConflictDoNothing()
      .returning({ tagId: contactTags.tagId });
    for (const a of added) {
      const tag = known.find((t) => t.id === a.tagId)!;
      await this.events.recordInTx(tx, { type: 'contact.tagged', actor, subject: { type: 'contact', id: contactId }, data: { tagId: tag.id, tag: tag.name } });
    }
    return added.length;
  }

  async untagContactInTx(tx: Tx, contactId: string, tagId: string, actor: Actor): Promise<boolean> {
    const removed = await tx
      .delete(contactTags)
      .where(and(eq(contactTags.contactId, contactId), eq(contactTags.tagId, tagId)))
      .returning({ tagId: contactTags.tagId });
    if (!removed.length) return false;
    await this.events.recordInTx(tx, { type: 'contact.untagged', actor, subject: { type: 'contact', id: contactId }, data: { tagId } });
    return true;
  }

  /**
   * The set-wise form of tagContact / untagContact for many (contact, tag) pairs, each with its
   * own actor: one write and one insert of events (one `contact.tagged` / `contact.untagged` per
   * pair that changed, as the single forms record). Returns the pairs that changed, as
   * `contactId:tagId`, and the tags that do not exist (their pairs are left out, not an error:
   * one deleted tag must not stop the others). The contacts must exist.
   */
  async tagManyInTx(tx: Tx, action: 'add' | 'remove', pairs: { contactId: string; tagId: string; actor: Actor }[]): Promise<{ changed: Set<string>; unknownTags: Set<string> }> {
    const key = (c: string, t: string) => `${c}:${t}`;
    const tagIds = [...new Set(pairs.map((p) => p.tagId))];
    const known = tagIds.length ? await tx.select().from(tags).where(inArray(tags.id, tagIds)) : [];
    const unknownTags = new Set(tagIds.filter((id) => !known.some((t) => t.id === id)));
    const byKey = new Map<string, { contactId: string; tagId: string; actor: Actor }>();
    for (const p of pairs) if (!unknownTags.has(p.tagId) && !byKey.has(key(p.contactId, p.tagId))) byKey.set(key(p.contactId, p.tagId), p);
    const unique = [...byKey.values()];
    if (!unique.length) return { changed: new Set(), unknownTags };
    const now = this.clock.now();
    let changed: { contactId: string; tagId: string }[];
    if (action === 'add') {
      changed = await tx
        .insert(contactTags)
        .values(unique.map((p) => ({ contactId: p.contactId, tagId: p.tagId, createdAt: now })))
        .onConflictDoNothing()
        .returning({ contactId: contactTags.contactId, tagId: contactTags.tagId });
    } else {
      const res = await this.database.executorFor(tx)<{ contact_id: string; tag_id: string }>(
        `delete from contact_tags ct using unnest($1::uuid[], $2::uuid[]) as p(contact_id, tag_id)
          where ct.contact_id = p.contact_id and ct.tag_id = p.tag_id
          returning ct.contact_id, ct.tag_id`,
        [unique.map((p) => p.contactId), unique.map((p) => p.tagId)],
      );
      changed = res.rows.map((r) => ({ contactId: r.contact_id, tagId: r.tag_id }));
    }
    const done = new Set(changed.map((c) => key(c.contactId, c.tagId)));
    // Events in the order the pairs were given.
    const list = unique.filter((p) => done.has(key(p.contactId, p.tagId)));
    await this.events.recordManyInTx(
      tx,
      list.map((p) =>
        action === 'add'
          ? { type: 'contact.tagged' as const, actor: p.actor, subject: { type: 'contact', id: p.contactId }, data: { tagId: p.tagId, tag: known.find((t) => t.id === p.tagId)!.name } }
          : { type: 'contact.untagged' as const, actor: p.actor, subject: { type: 'contact', id: p.contactId }, data: { tagId: p.tagId } },
      ),
    );
    return { changed: done, unknownTags };
  }

  /**
   * Tags or untags many contacts at once (chosen ids, or every member of a segment): one set
   * operation and one event for the whole action.
   */
  async bulkTag(input: { tagId: string; action: 'add' | 'remove'; contactIds?: string[]; segmentId?: string }, actor: Actor): Promise<number> {
    if (!input.contactIds?.length && !input.segmentId) throw invalid('Choose contacts or a segment');
    return this.database.transaction(async (tx) => {
      const [tag] = await tx.select().from(tags).where(eq(tags.id, input.tagId));
      if (!tag) throw notFound('Tag');
      const now = this.clock.now();
      const who = input.segmentId
        ? sql`select c.id from contacts c where ${this.segmentConditionSql(input.segmentId)}`
        : sql`select c.id from contacts c where c.id = any(${sql.param(input.contactIds!)}::uuid[])`;
      const res =
        input.action === 'add'
          ? await tx.execute(sql`insert into contact_tags (contact_id, tag_id, created_at) select m.id, ${tag.id}, ${now} from (${who}) m on conflict do nothing`)
          : await tx.execute(sql`delete from contact_tags where tag_id = ${tag.id} and contact_id in (${who})`);
      const count = (res as unknown as { rowCount?: number; affectedRows?: number }).rowCount ?? (res as unknown as { affectedRows?: number }).affectedRows ?? 0;
      await this.events.recordInTx(tx, {
        type: input.action === 'add' ? 'contacts.tagged' : 'contacts.untagged',
        actor,
        subject: { type: 'tag', id: tag.id },
        data: { tag: tag.name, count, segmentId: input.segmentId ?? null },
      });
      return count;
    });
  }

  // ---- preferences ---------------------------------------------------------------------

  /** The link in every marketing mail's footer: signed, never expires (agreed with the mail module). */
  preferencesUrl(contactId: string): string {
    return `${this.deps.settings.publicUrl}/email/preferences?token=${this.deps.signer.sign('preferences', contactId, null)}`;
  }

  /** The contact a preferences token speaks for, or null when the token is forged. */
  contactIdFromPreferencesToken(token: string): string | null {
    return this.deps.signer.verify('preferences', token, this.clock.now());
  }

  /** What the preference page shows: the lists this person is or was on. */
  async preferencesFor(contactId: string) {
    const contact = await this.getContact(this.db, contactId);
    const rows = await this.db
      .select({ id: lists.id, name: lists.name, description: lists.description, status: listSubscriptions.status })
      .from(listSubscriptions)
      .innerJoin(lists, eq(lists.id, listSubscriptions.listId))
      .where(eq(listSubscriptions.contactId, contactId))
      .orderBy(asc(lists.createdAt));
    return {
      contact: { id: contact.id, email: contact.email, name: contact.name, status: contact.status },
      /** marketing mail can reach them at all */
      receiving: contact.status === 'active',
      /** a bounce or complaint blocks mail whatever the person ticks here */
      blocked: contact.status === 'bounced' || contact.status === 'complained',
      lists: rows.map((r) => ({ id: r.id, name: r.name, description: r.description, subscribed: r.status === 'subscribed' })),
    };
  }

  /**
   * The person's own choice on the preference page or account page: stay on the ticked lists,
   * leave the others, or leave everything. `resubscribe` brings back someone who had left
   * everything (their own signed link or signed-in session proves it is them).
   */
  async updatePreferences(
    contactId: string,
    input: { listIds: string[]; unsubscribeAll?: boolean; resubscribe?: boolean },
    meta: { via: 'preferences' | 'account'; ip?: string; userAgent?: string },
  ): Promise<void> {
    const actor: Actor = { kind: 'customer', id: contactId };
    await this.database.transaction(async (tx) => {
      const [contact] = await tx.select().from(contacts).where(eq(contacts.id, contactId)).for('update');
      if (!contact) throw notFound('Contact');
      if (input.unsubscribeAll) {
        await this.unsubscribeInTx(tx, { contactId, actor, via: meta.via });
        return;
      }
      const current = await tx.select().from(listSubscriptions).where(eq(listSubscriptions.contactId, contactId));
      const wanted = new Set(input.listIds.filter((id) => current.some((c) => c.listId === id)));
      if (input.resubscribe && contact.status === 'unsubscribed') {
        await tx.update(contacts).set({ status: 'active', updatedAt: this.clock.now() }).where(eq(contacts.id, contactId));
        await this.events.recordInTx(tx, { type: 'contact.resubscribed', actor, subject: { type: 'contact', id: contactId }, data: { via: meta.via } });
      }
      for (const sub of current) {
        if (sub.status === 'subscribed' && !wanted.has(sub.listId)) await this.unsubscribeInTx(tx, { contactId, listId: sub.listId, actor, via: meta.via });
      }
      const join = current.filter((s) => s.status !== 'subscribed' && wanted.has(s.listId)).map((s) => s.listId);
      if (join.length) await this.subscribeToListsInTx(tx, { contactId, listIds: join, actor, via: meta.via });
      if (join.length || (input.resubscribe && contact.status === 'unsubscribed')) {
        await this.recordConsent(tx, {
          contactId,
          kind: meta.via,
          statement: `Chose to receive: ${join.length ? join.join(', ') : 'marketing email'}`,
          listIds: join,
          ip: meta.ip,
          userAgent: meta.userAgent,
          actor,
        });
      }
    });
  }

  // ---- broadcast audiences (the contract with the mail module) ---------------------------

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

  /**
   * A segment's rules as a condition on `c` (contacts), evaluated at the app clock's now. The
   * database runs the segment's compiled statement (segment_contact_ids), so the rules are read
   * fresh in the same snapshot as the rest of the query. An unknown segment fails the query.
   */
  segmentConditionSql(segmentId: string): SQL {
    if (!/^[0-9a-f-]{36}$/i.test(segmentId)) throw invalid('Not a segment id', { field: 'segmentId' });
    return sql`c.id in (select segment_contact_ids(${segmentId}::uuid, ${this.clock.now()}::timestamptz))`;
  }

  /** Whether the contact is in the segment now (read in `db`'s snapshot: a step's own transaction). */
  async inSegment(db: DbOrTx, contactId: string, segmentId: string): Promise<boolean> {
    const res = (await db.execute(sql`select 1 from contacts c where c.id = ${contactId} and ${this.segmentConditionSql(segmentId)}`)) as unknown as { rows: unknown[] };
    return res.rows.length > 0;
  }

  /** The ids of the segment's contacts now, at most `limit`. */
  async contactIdsInSegment(segmentId: string, limit: number): Promise<string[]> {
    const res = (await this.db.execute(sql`select c.id from contacts c where ${this.segmentConditionSql(segmentId)} limit ${limit}`)) as unknown as { rows: { id: string }[] };
    return res.rows.map((r) => r.id);
  }
}
