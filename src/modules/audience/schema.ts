import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const contactStatuses = ['active', 'unconfirmed', 'unsubscribed', 'bounced', 'complained'] as const;
export type ContactStatus = (typeof contactStatuses)[number];

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
  },
  (t) => [uniqueIndex('contacts_email_key').on(t.emailNormalized), index('contacts_created_idx').on(t.createdAt), index('contacts_status_idx').on(t.status)],
);
