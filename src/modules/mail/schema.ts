import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
    /**
     * The HTML is the body only and the brand's frame is put around it when the message is sent
     * or shown (the automation's many messages: `queueManyInTx`), instead of ~3 kB of frame
     * stored, written and read back with each one. False: `html` is the whole document.
     */
    brandFrame: boolean('brand_frame').notNull().default(false),
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

/**
 * A broadcast: one message to an audience (a list or a segment), written in Markdown with
 * Liquid personalisation. Lifecycle: draft → scheduled → sending ⇄ paused → finished, or
 * cancelled. "finished" is set only when every recipient is sent, failed for good or skipped.
 */
export const broadcasts = pgTable(
  'broadcasts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    /** the grey line mail apps show after the subject */
    preheader: text('preheader').notNull().default(''),
    /** markdown (blocks are stored as markdown too: each block renders to it) */
    format: text('format').$type<'markdown' | 'blocks'>().notNull().default('markdown'),
    body: text('body').notNull(),
    blocks: jsonb('blocks').$type<unknown[] | null>(),
    listId: uuid('list_id'),
    segmentId: uuid('segment_id'),
    /** open pixel and click redirects for this broadcast (the global setting can still switch them off) */
    track: boolean('track').notNull().default(true),
    /** draft | scheduled | sending | paused | cancelled | finished */
    status: text('status').$type<BroadcastStatus>().notNull().default('draft'),
    /** why it is paused: owner | guard */
    pausedReason: text('paused_reason'),
    pausedDetail: text('paused_detail'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** who pressed send or schedule: the actor of the events the engine records later */
    sentBy: jsonb('sent_by').$type<Record<string, string> | null>(),
    recipientsTotal: integer('recipients_total').notNull().default(0),
    /** kept up to date batch by batch for list views; the recipients table is the truth */
    sentCount: integer('sent_count').notNull().default(0),
    failedCount: integer('failed_count').notNull().default(0),
    skippedCount: integer('skipped_count').notNull().default(0),
    /** last time a worker made progress: the watchdog restarts a broadcast that stalls */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('broadcasts_status_idx').on(t.status), index('broadcasts_created_idx').on(t.createdAt)],
);

export type BroadcastStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'cancelled' | 'finished';

/**
 * One row per recipient of a broadcast, snapshotted when sending starts. The state machine
 * is queued → sending (claimed with a token and a lease) → sent | failed | skipped
 * (unsubscribed, bounced or suppressed after the snapshot) | cancelled. A row left in
 * `sending` by a process that died is claimed again once its lease ends and resent with the
 * same Message-ID.
 */
export const broadcastRecipients = pgTable(
  'broadcast_recipients',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').notNull(),
    email: text('email').notNull(),
    /** queued | sending | sent | failed | skipped | cancelled */
    status: text('status').notNull().default('queued'),
    claim: text('claim'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** a temporary (4xx) failure waits until then */
    retryAt: timestamp('retry_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    /** claimed again after a lease ran out: the earlier attempt may have reached the server */
    reclaims: integer('reclaims').notNull().default(0),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    error: text('error'),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    opens: integer('opens').notNull().default(0),
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
    clicks: integer('clicks').notNull().default(0),
    bouncedAt: timestamp('bounced_at', { withTimezone: true }),
    bounceKind: text('bounce_kind'),
    complainedAt: timestamp('complained_at', { withTimezone: true }),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('broadcast_recipients_contact_key').on(t.broadcastId, t.contactId),
    // The claim query walks the unfinished rows of one broadcast in id order.
    index('broadcast_recipients_pending_idx').on(t.broadcastId, t.id).where(sql`status in ('queued', 'sending')`),
    index('broadcast_recipients_status_idx').on(t.broadcastId, t.status),
    index('broadcast_recipients_contact_idx').on(t.contactId),
  ],
);

/** Every http(s) link of a broadcast, numbered, for click redirects and per-link stats. */
export const broadcastLinks = pgTable(
  'broadcast_links',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    url: text('url').notNull(),
    clicks: integer('clicks').notNull().default(0),
    uniqueClicks: integer('unique_clicks').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.idx] })],
);

/** Who clicked which link (first click time and count), for unique-click stats. */
export const broadcastLinkClicks = pgTable(
  'broadcast_link_clicks',
  {
    recipientId: bigint('recipient_id', { mode: 'number' }).notNull(),
    idx: integer('idx').notNull(),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.recipientId, t.idx] })],
);

/**
 * Sends, bounces and complaints per broadcast per minute: the rolling window the reputation
 * guard reads without scanning the recipients table.
 */
export const broadcastActivity = pgTable(
  'broadcast_activity',
  {
    broadcastId: uuid('broadcast_id')
      .notNull()
      .references(() => broadcasts.id, { onDelete: 'cascade' }),
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    sent: integer('sent').notNull().default(0),
    bounced: integer('bounced').notNull().default(0),
    complained: integer('complained').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.broadcastId, t.minute] })],
);

/** Addresses no bulk mail goes to (and no mail at all after a hard bounce). */
export const mailSuppressions = pgTable('mail_suppressions', {
  emailNormalized: text('email_normalized').primaryKey(),
  /** hard_bounce | soft_bounce | complaint | manual */
  reason: text('reason').notNull(),
  detail: text('detail').notNull().default(''),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** Every bounce and complaint received (SMTP answers, provider webhooks, DSN messages). */
export const mailBounces = pgTable(
  'mail_bounces',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    emailNormalized: text('email_normalized').notNull(),
    /** hard | soft | complaint */
    kind: text('kind').notNull(),
    /** smtp | ses | postmark | mailgun | sendgrid | dsn */
    provider: text('provider').notNull(),
    /** the provider's id of this notification: a replayed webhook is recorded once */
    providerEventId: text('provider_event_id'),
    detail: text('detail').notNull().default(''),
    contactId: uuid('contact_id'),
    broadcastId: uuid('broadcast_id'),
    recipientId: bigint('recipient_id', { mode: 'number' }),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('mail_bounces_email_idx').on(t.emailNormalized, t.kind),
    uniqueIndex('mail_bounces_event_key').on(t.provider, t.providerEventId),
  ],
);

/**
 * Webhook tokens already accepted (Mailgun signs a one-time token with a timestamp): a
 * notification whose token was seen before is a replay and is refused. Kept until the
 * timestamp window has passed; after that the timestamp check alone refuses it.
 */
export const mailWebhookTokens = pgTable(
  'mail_webhook_tokens',
  {
    provider: text('provider').notNull(),
    token: text('token').notNull(),
    seenAt: timestamp('seen_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.token] }), index('mail_webhook_tokens_expires_idx').on(t.expiresAt)],
);

/**
 * The global send rate, shared by every process on one database (GCRA): `tat` is the
 * earliest moment the next message may go; the hour counter caps bulk mail per hour.
 */
export const mailRateState = pgTable('mail_rate_state', {
  id: text('id').primaryKey(),
  tat: timestamp('tat', { withTimezone: true }).notNull(),
  hourStart: timestamp('hour_start', { withTimezone: true }).notNull(),
  hourCount: integer('hour_count').notNull().default(0),
});
