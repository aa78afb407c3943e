// The support module's tables: conversations (one customer each), their messages (inbound,
// outbound, internal notes), attachments on disk, canned replies, the owner's settings, the
// actions assistants take from a conversation (bounded authority) and who is viewing/typing.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'closed';
export type Channel = 'email' | 'site' | 'lesson';

export const supportConversations = pgTable(
  'support_conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** short human number shown in the admin (#1042) */
    number: bigint('number', { mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    /** the customer (audience contact): a conversation never holds two customers */
    contactId: uuid('contact_id').notNull(),
    /** the customer's address as they wrote from it */
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    subject: text('subject').notNull().default(''),
    /** the subject lower-cased without Re:/Fwd:/[tags], for the bounded subject fallback */
    subjectKey: text('subject_key').notNull().default(''),
    channel: text('channel').$type<Channel>().notNull().default('email'),
    status: text('status').$type<ConversationStatus>().notNull().default('open'),
    snoozedUntil: timestamp('snoozed_until', { withTimezone: true }),
    assigneeId: uuid('assignee_id'),
    /** the plus-address token: support+<token>@domain routes replies here */
    replyToken: text('reply_token').notNull(),
    /** the sender's authentication failed (spoofing suspected): never threaded into, flagged */
    unverified: boolean('unverified').notNull().default(false),
    /** an earlier conversation this one continues (a reply long after it was closed) */
    continuesId: uuid('continues_id'),
    /** merged into another conversation: hidden from lists, its messages moved there */
    mergedInto: uuid('merged_into'),
    messageCount: integer('message_count').notNull().default(0),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }).notNull(),
    /** the last customer message not yet answered (null when the last word is ours) */
    waitingSince: timestamp('waiting_since', { withTimezone: true }),
    firstInboundAt: timestamp('first_inbound_at', { withTimezone: true }),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    firstResponderId: uuid('first_responder_id'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedById: uuid('closed_by_id'),
    /** SLA breaches already warned about (so the job warns once per kind) */
    slaWarned: jsonb('sla_warned').$type<string[]>().notNull().default([]),
    /** the customer's rating from the signed link in the closing reply: great, okay or bad (the last one counts) */
    rating: text('rating'),
    ratingComment: text('rating_comment'),
    ratedAt: timestamp('rated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('support_conversations_token_uq').on(t.replyToken),
    uniqueIndex('support_conversations_number_uq').on(t.number),
    // The inbox list: newest activity first within a status, and per assignee.
    index('support_conversations_status_idx').on(t.status, t.lastMessageAt),
    index('support_conversations_assignee_idx').on(t.assigneeId, t.status, t.lastMessageAt),
    index('support_conversations_contact_idx').on(t.contactId, t.lastMessageAt),
    index('support_conversations_subject_idx').on(t.contactId, t.subjectKey),
    index('support_conversations_snooze_idx').on(t.snoozedUntil).where(sql`${t.status} = 'snoozed'`),
  ],
);

export type MessageDirection = 'inbound' | 'outbound' | 'note';
/** auto: an auto-reply (Auto-Submitted, X-Autoreply…); bulk: list or bulk mail (Precedence, List-Id) */
export type AutoKind = 'auto_reply' | 'bulk' | 'loop';

export const supportMessages = pgTable(
  'support_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** arrival order (many messages can share a clock instant) */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => supportConversations.id, { onDelete: 'cascade' }),
    direction: text('direction').$type<MessageDirection>().notNull(),
    /** the RFC 5322 Message-ID with angle brackets (ours for outbound, the sender's for inbound) */
    messageId: text('message_id'),
    inReplyTo: text('in_reply_to'),
    references: jsonb('references').$type<string[]>().notNull().default([]),
    /** Outlook's Thread-Index root (its first 22 bytes, base64): Outlook keeps it across replies */
    threadIndex: text('thread_index'),
    fromAddress: text('from_address').notNull().default(''),
    fromName: text('from_name').notNull().default(''),
    toAddresses: jsonb('to_addresses').$type<string[]>().notNull().default([]),
    subject: text('subject').notNull().default(''),
    text: text('text').notNull().default(''),
    /** sanitised HTML (no scripts, styles, event handlers or remote frames) */
    html: text('html'),
    auto: text('auto').$type<AutoKind>(),
    /** the sender's authentication as reported by the receiving side: { dkim, spf, dmarc } */
    auth: jsonb('auth').$type<{ dkim?: string; spf?: string; dmarc?: string; source?: string }>().notNull().default({}),
    /** intake channel: smtp, postmark, mailgun, ses, sendgrid, admin, site, lesson */
    via: text('via').notNull().default('smtp'),
    /** outbound: the mail engine's message (its delivery state) */
    mailMessageId: uuid('mail_message_id'),
    authorKind: text('author_kind').notNull(),
    authorId: text('author_id'),
    mentions: jsonb('mentions').$type<string[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('support_messages_conversation_idx').on(t.conversationId, t.seq),
    // Idempotent intake: a message delivered twice (a retried SMTP transaction, a webhook sent
    // again) is stored once.
    uniqueIndex('support_messages_inbound_uq').on(t.messageId).where(sql`${t.direction} = 'inbound'`),
    index('support_messages_message_id_idx').on(t.messageId),
    index('support_messages_thread_index_idx').on(t.threadIndex),
    // Intake's per-contact lookups (replies already stored, the sender's messages in the last
    // hour) read one conversation's inbound messages: without this index the planner could only
    // reach them by AND-ing the conversation index with the whole inbound unique index, which
    // grows with every message ever received (bench/support.ts: O(all messages) per message).
    index('support_messages_inbound_conversation_idx').on(t.conversationId, t.createdAt).where(sql`${t.direction} = 'inbound'`),
  ],
);

export const supportAttachments = pgTable(
  'support_attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => supportMessages.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    /** path under the data folder; null when the part was over the limit and not kept */
    storedPath: text('stored_path'),
    omittedReason: text('omitted_reason'),
  },
  (t) => [index('support_attachments_message_idx').on(t.messageId)],
);

export const supportCannedReplies = pgTable('support_canned_replies', {
  id: uuid('id').primaryKey().defaultRandom(),
  shortcut: text('shortcut').notNull(),
  title: text('title').notNull(),
  /** Liquid: {{ contact.name }}, {{ last_order.number }}, {{ courses[0].progress }} … */
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** One row: the owner's settings (limits, SLAs, intake addresses). */
export const supportSettings = pgTable('support_settings', {
  id: integer('id').primaryKey().default(1),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export type ActionKind = 'refund' | 'resend_receipt' | 'sign_in_link' | 'extend_access';
export type ActionStatus = 'done' | 'awaiting_approval' | 'approved' | 'running' | 'refused' | 'failed' | 'unknown';

export const supportActions = pgTable(
  'support_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => supportConversations.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<ActionKind>().notNull(),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<ActionStatus>().notNull(),
    approvalId: uuid('approval_id'),
    result: text('result'),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    actorRole: text('actor_role'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('support_actions_conversation_idx').on(t.conversationId, t.createdAt)],
);

/** Who is looking at or typing in a conversation (rows older than a few seconds are stale). */
export const supportPresence = pgTable(
  'support_presence',
  {
    conversationId: uuid('conversation_id').notNull(),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    typing: boolean('typing').notNull().default(false),
    seenAt: timestamp('seen_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] })],
);

/** Mailgun signature tokens already used (single use within their window). */
export const supportWebhookTokens = pgTable('support_webhook_tokens', {
  token: text('token').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});
