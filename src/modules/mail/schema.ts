import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Every message Onehour sends, transactional or bulk. With no SMTP_URL configured the
 * message stays here as the outbox the admin reads (status `stored`), so the embedded demo
 * works offline.
 */
export const mailMessages = pgTable(
  'mail_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** transactional | broadcast */
    stream: text('stream').notNull(),
    /** what produced it, e.g. team.invitation, checkout.receipt */
    tag: text('tag').notNull(),
    toAddress: text('to_address').notNull(),
    fromAddress: text('from_address').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    /** queued | sending | sent | stored | failed */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    messageId: text('message_id'),
    error: text('error'),
    contactId: uuid('contact_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('mail_messages_created_idx').on(t.createdAt), index('mail_messages_to_idx').on(t.toAddress), index('mail_messages_status_idx').on(t.status)],
);
