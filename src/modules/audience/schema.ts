import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, pgView, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contactStatuses, importStatuses, type ContactStatus, type ImportStatus } from './contract.js';

export { contactStatuses, importStatuses, type ContactStatus, type ImportStatus };

/** Everyone the business knows: subscribers, leads and customers (a customer is a contact who bought). */
export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** as given (display) */
    email: text('email').notNull(),
    /** trimmed + lower-cased: the unique key */
    emailNormalized: text('email_normalized').notNull(),
    name: text('name').notNull().default(''),
    status: text('status').$type<ContactStatus>().notNull().default('active'),
    /** where the contact came from: form:<id>, checkout, import:<id>, admin, api … */
    source: text('source').notNull().default('admin'),
    fields: jsonb('fields').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    /** when the person confirmed their address (double opt-in) */
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    /** last confirmation mail: a form cannot be used to mail-bomb an address */
    confirmationSentAt: timestamp('confirmation_sent_at', { withTimezone: true }),
    /**
     * The last import that touched this contact. Written in the same transaction as the row's
     * upsert, it is how a resumed import recognises a duplicate row it already handled.
     */
    importId: uuid('import_id'),
    /** the row of that import, so a later repeat in the file can say which row it repeats */
    importRow: integer('import_row'),
  },
  (t) => [uniqueIndex('contacts_email_key').on(t.emailNormalized), index('contacts_created_idx').on(t.createdAt), index('contacts_status_idx').on(t.status)],
);

/** Newsletters/topics a contact can join or leave one by one (the preference page). */
export const lists = pgTable('lists', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const listSubscriptions = pgTable(
  'list_subscriptions',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    listId: uuid('list_id')
      .notNull()
      .references(() => lists.id, { onDelete: 'cascade' }),
    /** subscribed | unsubscribed */
    status: text('status').$type<'subscribed' | 'unsubscribed'>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.listId] }), index('list_subscriptions_list_idx').on(t.listId, t.status)],
);

/** Labels staff, forms, imports and automations put on contacts; segments select by them. */
export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('tags_name_key').on(sql`lower(${t.name})`)],
);

export const contactTags = pgTable(
  'contact_tags',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.tagId] }), index('contact_tags_tag_idx').on(t.tagId)],
);

export const consentKinds = ['form', 'confirmed', 'import', 'admin', 'preferences', 'account', 'unsubscribed', 'checkout', 'api'] as const;
export type ConsentKind = (typeof consentKinds)[number];

/**
 * Evidence of consent: what the person agreed to (the exact text shown), when, through which
 * form, from which IP. Append-only. An import keeps one record (contact_id null) with the basis
 * the importer declared; its contacts point at it through `source = import:<id>`.
 */
export const consentRecords = pgTable(
  'consent_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<ConsentKind>().notNull(),
    /** the words agreed to, as shown at the time */
    statement: text('statement').notNull().default(''),
    /** no foreign keys: evidence outlives a deleted form or import */
    formId: uuid('form_id'),
    importId: uuid('import_id'),
    listIds: jsonb('list_ids').$type<string[]>().notNull().default([]),
    ip: text('ip'),
    userAgent: text('user_agent'),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('consent_records_contact_idx').on(t.contactId, t.occurredAt),
    index('consent_records_form_idx').on(t.formId, t.kind),
    index('consent_records_import_idx').on(t.importId),
  ],
);

export interface FormField {
  key: string;
  label: string;
  required: boolean;
}

/** Opt-in forms: a hosted page at /f/<slug> and an HTML snippet to embed anywhere. */
export const forms = pgTable(
  'forms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    /** internal name (admin lists) */
    name: text('name').notNull(),
    /** heading on the hosted page */
    title: text('title').notNull(),
    /** sanitised HTML above the form */
    intro: text('intro').notNull().default(''),
    /** the consent text shown next to the button and kept as evidence */
    consentText: text('consent_text').notNull(),
    buttonLabel: text('button_label').notNull().default('Subscribe'),
    successMessage: text('success_message').notNull().default(''),
    doubleOptIn: boolean('double_opt_in').notNull().default(true),
    /** hidden | optional | required */
    askName: text('ask_name').$type<'hidden' | 'optional' | 'required'>().notNull().default('optional'),
    customFields: jsonb('custom_fields').$type<FormField[]>().notNull().default([]),
    listIds: jsonb('list_ids').$type<string[]>().notNull().default([]),
    tagIds: jsonb('tag_ids').$type<string[]>().notNull().default([]),
    /** lead magnet: stored under DATA_DIR/forms/<id>/ */
    leadMagnetFile: text('lead_magnet_file'),
    leadMagnetName: text('lead_magnet_name'),
    leadMagnetType: text('lead_magnet_type'),
    leadMagnetSize: bigint('lead_magnet_size', { mode: 'number' }),
    /** accept posts from the embeddable snippet on other sites */
    embedAllowed: boolean('embed_allowed').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('forms_slug_key').on(t.slug)],
);

/**
 * Saved audiences: rules over tags, fields, status, lists, purchases, course progress and
 * engagement. The rules compile to one SQL statement (`compiled_sql`, values inlined as
 * literals, `$1` = the moment of evaluation) that `segment_contact_ids()` runs, so any query
 * can select a segment's members without a round trip to load its rules.
 */
export const segments = pgTable('segments', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  rules: jsonb('rules').$type<unknown>().notNull(),
  compiledSql: text('compiled_sql').notNull(),
  compilerVersion: integer('compiler_version').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/**
 * A CSV import and its progress. The job checkpoints `byte_offset` and the counters in the same
 * transaction as each chunk's upserts, so a restart resumes exactly where the last commit ended.
 */
export const imports = pgTable(
  'imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fileName: text('file_name').notNull(),
    /** relative to DATA_DIR */
    filePath: text('file_path').notNull(),
    fileSize: bigint('file_size', { mode: 'number' }).notNull(),
    encoding: text('encoding').notNull(),
    delimiter: text('delimiter').notNull(),
    headers: jsonb('headers').$type<string[]>().notNull(),
    /** mailchimp | kit | gumroad | teachable | generic */
    format: text('format').notNull(),
    mapping: jsonb('mapping').$type<string[]>().notNull(),
    options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<ImportStatus>().notNull(),
    /** where the data rows start (after the header) */
    headerBytes: bigint('header_bytes', { mode: 'number' }).notNull(),
    byteOffset: bigint('byte_offset', { mode: 'number' }).notNull(),
    rowsDone: integer('rows_done').notNull().default(0),
    imported: integer('imported').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    errored: integer('errored').notNull().default(0),
    error: text('error'),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    actorRole: text('actor_role'),
    actorLabel: text('actor_label'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('imports_created_idx').on(t.createdAt)],
);

/** Rows of an import that were skipped or failed, with the reason: the downloadable report. */
export const importIssues = pgTable(
  'import_issues',
  {
    importId: uuid('import_id')
      .notNull()
      .references(() => imports.id, { onDelete: 'cascade' }),
    /** data row number in the file, 1 = the first row after the header */
    rowNumber: integer('row_number').notNull(),
    /** line of the file where the row ends (differs from rowNumber with quoted newlines) */
    line: integer('line').notNull(),
    email: text('email').notNull().default(''),
    /** skipped | errored */
    outcome: text('outcome').$type<'skipped' | 'errored'>().notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.rowNumber] })],
);

/**
 * The read-only faces of the audience other modules may name in SQL (the mail engine's hot
 * statements: a broadcast's snapshot of its recipients, the send loop's contact states, the send
 * limit's audience count). Their columns are a contract; the tables behind them are audience's
 * business. Writes go through AudienceService. PostgreSQL expands a simple view in place, so a
 * statement on a view is planned as on the table.
 */
export const audienceContactsView = pgView('audience_contacts_view').as((qb) =>
  qb
    .select({ id: contacts.id, email: contacts.email, emailNormalized: contacts.emailNormalized, name: contacts.name, status: contacts.status, fields: contacts.fields })
    .from(contacts),
);

/** `audience_list_subscriptions_view (contact_id, list_id, status)`: who is on which list. */
export const audienceListSubscriptionsView = pgView('audience_list_subscriptions_view').as((qb) =>
  qb.select({ contactId: listSubscriptions.contactId, listId: listSubscriptions.listId, status: listSubscriptions.status }).from(listSubscriptions),
);
