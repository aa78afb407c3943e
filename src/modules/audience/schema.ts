import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
