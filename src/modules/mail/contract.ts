// The mail API's shapes shared with the admin app: the zod schemas its routes validate
// responses with, and the types the admin uses for them (imported as types only, so no zod
// reaches the browser). Plain data: no server code may be imported here.
import { z } from 'zod';
import type { Wire } from '../../wire.js';

export const messageSummaryShape = z.object({
  id: z.string(),
  stream: z.string(),
  tag: z.string(),
  to: z.string(),
  subject: z.string(),
  /** queued | sending | sent | stored | failed */
  status: z.string(),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
});
export const messageShape = messageSummaryShape.extend({ from: z.string(), text: z.string(), html: z.string().nullable(), error: z.string().nullable(), headers: z.record(z.string(), z.string()) });

// ---- settings --------------------------------------------------------------------------------

/** What the owner sets (PATCH /api/mail/settings takes any part of it and answers with it). */
export const mailSettingsShape = z.object({
  fromAddress: z.string().min(3).max(300),
  replyTo: z.string().max(300),
  businessName: z.string().min(1).max(200),
  postalAddress: z.string().max(500),
  trackingEnabled: z.boolean(),
  ratePerSecond: z.number().min(0).max(100_000),
  ratePerHour: z.number().int().min(0),
});
/** GET /api/mail/settings: the settings and how mail leaves (read-only). */
export const mailSettingsViewShape = mailSettingsShape.extend({ transport: z.enum(['smtp', 'outbox']), dkimDomain: z.string().nullable() });

/** GET /api/mail/send-limits (PUT takes and answers the two limits): the marketing role's send limit. */
export const sendLimitsViewShape = z.object({ maxRecipients: z.number(), maxPerWeek: z.number(), sendsThisWeek: z.number() });

export type MailSettingsInput = z.input<typeof mailSettingsShape>;
export type SendLimitsView = z.output<typeof sendLimitsViewShape>;
export type MailSettings = Wire<z.output<typeof mailSettingsViewShape>>;
export type MessageSummary = Wire<z.output<typeof messageSummaryShape>>;
export type Message = Wire<z.output<typeof messageShape>>;

// ---- broadcasts -------------------------------------------------------------------------------

export const broadcastStatuses = ['draft', 'scheduled', 'sending', 'paused', 'cancelled', 'finished'] as const;

/** One building block of a broadcast. */
export const blockShape = z.discriminatedUnion('type', [
  z.object({ type: z.literal('heading'), text: z.string().max(300) }),
  z.object({ type: z.literal('text'), markdown: z.string().max(50_000) }),
  z.object({ type: z.literal('button'), label: z.string().max(100), url: z.string().max(2000) }),
  z.object({ type: z.literal('image'), src: z.string().max(2000), alt: z.string().max(300), href: z.string().max(2000).optional() }),
  z.object({ type: z.literal('divider') }),
]);

/** What POST /api/broadcasts accepts (PATCH and the previews take any part of it). */
export const broadcastInputShape = z.object({
  name: z.string().trim().min(1, 'Name the broadcast').max(200),
  subject: z.string().max(300).default(''),
  preheader: z.string().max(300).optional(),
  format: z.enum(['markdown', 'blocks']).optional(),
  body: z.string().max(200_000).optional(),
  blocks: z.array(blockShape).max(200).nullable().optional(),
  listId: z.uuid().nullable().optional(),
  segmentId: z.uuid().nullable().optional(),
  track: z.boolean().optional(),
});

export const broadcastShape = z.object({
  id: z.string(),
  name: z.string(),
  subject: z.string(),
  preheader: z.string(),
  format: z.enum(['markdown', 'blocks']),
  body: z.string(),
  /** the blocks as saved (each was a blockShape when it was accepted) */
  blocks: z.array(z.unknown()).nullable(),
  listId: z.string().nullable(),
  segmentId: z.string().nullable(),
  track: z.boolean(),
  status: z.enum(broadcastStatuses),
  pausedReason: z.string().nullable(),
  pausedDetail: z.string().nullable(),
  scheduledAt: z.date().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  recipientsTotal: z.number(),
  sentCount: z.number(),
  failedCount: z.number(),
  skippedCount: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** A row of the broadcast list: the broadcast and its opening words, Liquid rendered for a sample person. */
export const broadcastListItemShape = broadcastShape.extend({ preview: z.object({ subject: z.string(), snippet: z.string() }) });

export const statsShape = z.object({
  recipients: z.number(), queued: z.number(), sending: z.number(), sent: z.number(), failed: z.number(), skipped: z.number(), cancelled: z.number(),
  delivered: z.number(), opened: z.number(), opens: z.number(), clicked: z.number(), clicks: z.number(), unsubscribed: z.number(),
  bounced: z.number(), hardBounced: z.number(), complained: z.number(), reclaimed: z.number(),
  rates: z.object({ open: z.number(), click: z.number(), bounce: z.number(), complaint: z.number(), unsubscribe: z.number() }),
});

export const previewShape = z.object({ subject: z.string(), html: z.string(), text: z.string(), contact: z.object({ name: z.string(), email: z.string() }) });

/** GET /api/broadcasts/:id/send-check: what sending now would do for the caller (the editor's warning). */
export const sendCheckShape = z.object({
  /** people it reaches now, suppressed addresses left out; null without an audience */
  recipients: z.number().nullable(),
  /** the caller's role sends within the owner's limit (marketing) */
  limited: z.boolean(),
  maxRecipients: z.number(),
  maxPerWeek: z.number(),
  sendsThisWeek: z.number(),
  /** why a send now is above the limit (it would ask the owner first); null within it */
  overLimit: z.string().nullable(),
  /** the owner's approval already asked for this unchanged draft */
  pendingApprovalId: z.string().nullable(),
});

export type BroadcastStatus = (typeof broadcastStatuses)[number];
export type SendCheck = z.output<typeof sendCheckShape>;
export type Block = z.output<typeof blockShape>;
export type BroadcastInput = z.input<typeof broadcastInputShape>;
export type Broadcast = Omit<Wire<z.output<typeof broadcastShape>>, 'blocks'> & { blocks: Block[] | null };
export type BroadcastStats = Wire<z.output<typeof statsShape>>;
export type BroadcastListItem = Broadcast & Pick<Wire<z.output<typeof broadcastListItemShape>>, 'preview'>;
export type Preview = Wire<z.output<typeof previewShape>>;

// ---- broadcast detail, sending, reports -------------------------------------------------------

/** GET /api/broadcasts: the list, each row with its preview line. */
export const broadcastListShape = z.object({ broadcasts: z.array(broadcastListItemShape) });
/** GET /api/broadcasts/:id: the broadcast with its numbers. */
export const broadcastDetailShape = broadcastShape.extend({ stats: statsShape });
/** POST /api/broadcasts/:id/schedule. approvalId: the marketing role's send was above its limit and waits for the owner (status stays draft). */
export const scheduledShape = broadcastShape.extend({ approvalId: z.string().nullable() });
/** POST /api/broadcasts/:id/test: how many addresses the test went to. */
export const testSentShape = z.object({ sent: z.number() });
export const testSendBody = z.object({ to: z.array(z.string().trim().max(320)).min(1).max(5), contactId: z.uuid().optional() });
/** GET /api/broadcasts/:id/links: clicks per link. */
export const linkListShape = z.object({ links: z.array(z.object({ idx: z.number(), url: z.string(), clicks: z.number(), uniqueClicks: z.number() })) });

/** The marketing role's send limit as the owner sets it (PUT /api/mail/send-limits takes and answers it). */
export const sendLimitsShape = z.object({
  /** the most people one broadcast may reach (after suppressions) when the marketing role sends it */
  maxRecipients: z.number().int().min(0).max(10_000_000),
  /** the most broadcasts the marketing role may start in any 7 days */
  maxPerWeek: z.number().int().min(0).max(100),
});

/** What the recipient list can be narrowed to: a row state, or what happened after sending. */
export const recipientFilters = ['queued', 'sending', 'sent', 'failed', 'skipped', 'cancelled', 'bounced', 'complained', 'opened', 'clicked', 'unsubscribed'] as const;
/** What a provider reported back: a permanent or temporary refusal, or a spam complaint. */
export const bounceKinds = ['hard', 'soft', 'complaint'] as const;

export const recipientShape = z.object({
  id: z.number(),
  contactId: z.string(),
  email: z.string(),
  /** queued | sending | sent | failed | skipped | cancelled */
  status: z.string(),
  attempts: z.number(),
  sentAt: z.date().nullable(),
  error: z.string().nullable(),
  openedAt: z.date().nullable(),
  opens: z.number(),
  clickedAt: z.date().nullable(),
  clicks: z.number(),
  bouncedAt: z.date().nullable(),
  /** hard | soft (a complaint sets complainedAt instead) */
  bounceKind: z.string().nullable(),
  complainedAt: z.date().nullable(),
  unsubscribedAt: z.date().nullable(),
});
/** GET /api/broadcasts/:id/recipients: a page of recipients; nextCursor is the next page's `cursor`. */
export const recipientPageShape = z.object({ recipients: z.array(recipientShape), total: z.number(), nextCursor: z.string().nullable() });

export const bounceShape = z.object({
  id: z.number(),
  email: z.string(),
  kind: z.enum(bounceKinds),
  provider: z.string(),
  detail: z.string(),
  occurredAt: z.date(),
  contactId: z.string().nullable(),
  broadcastId: z.string().nullable(),
  /** null when the bounce belongs to no broadcast (transactional mail) or the broadcast was deleted */
  broadcastName: z.string().nullable(),
});
/** GET /api/mail/bounces: newest first; nextCursor is the next page's `cursor`. */
export const bouncePageShape = z.object({ bounces: z.array(bounceShape), total: z.number(), nextCursor: z.string().nullable() });

export const suppressionShape = z.object({
  email: z.string(),
  /** hard_bounce | soft_bounce | complaint | manual */
  reason: z.string(),
  detail: z.string(),
  createdAt: z.date(),
});
/** GET /api/mail/suppressions */
export const suppressionListShape = z.object({ suppressions: z.array(suppressionShape) });

// ---- the query strings the admin sends (the routes parse them with these) ----------------------

const page = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).default(0) });
/** Keyset paging: `cursor` is the `nextCursor` of the previous page. */
const cursorPage = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().regex(/^\d{1,18}$/, 'Not a page cursor').optional() });
/** GET /api/outbox: one recipient, one stream. */
export const outboxQuery = page.extend({ to: z.string().max(320).optional(), stream: z.enum(['transactional', 'broadcast']).optional() });
/** GET /api/broadcasts: one status. */
export const broadcastListQuery = page.extend({ status: z.enum(broadcastStatuses).optional() });
/** GET /api/broadcasts/:id/send-check: the editor's unsaved audience; without either, the saved one. */
export const sendCheckQuery = z.object({ listId: z.uuid().optional(), segmentId: z.uuid().optional() });
/** GET /api/broadcasts/:id/recipients */
export const recipientQuery = cursorPage.extend({
  status: z.enum(recipientFilters).optional().describe('a row state (queued, sending, sent, failed, skipped, cancelled) or an outcome (bounced, complained, opened, clicked, unsubscribed)'),
  search: z.string().trim().max(320).optional().describe('part of the address'),
});
/** GET /api/mail/bounces */
export const bounceQuery = cursorPage.extend({
  broadcastId: z.uuid().optional(),
  kind: z.enum(bounceKinds).optional(),
  search: z.string().trim().max(320).optional().describe('part of the address'),
});
/** GET /api/mail/suppressions: part of an address. */
export const suppressionQuery = page.extend({ search: z.string().max(320).optional() });

/** GET /api/broadcasts (each row's blocks typed as the editor's, as Broadcast does) */
export type BroadcastList = { broadcasts: BroadcastListItem[] };
export type BroadcastDetail = Broadcast & Pick<Wire<z.output<typeof broadcastDetailShape>>, 'stats'>;
export type ScheduledBroadcast = Broadcast & Pick<Wire<z.output<typeof scheduledShape>>, 'approvalId'>;
export type TestSent = z.output<typeof testSentShape>;
export type LinkClicks = Wire<z.output<typeof linkListShape>>;
export type SendLimits = z.output<typeof sendLimitsShape>;
export type MailSettingsSaved = z.output<typeof mailSettingsShape>;
export type RecipientFilter = (typeof recipientFilters)[number];
export type BounceKind = (typeof bounceKinds)[number];
export type Recipient = Wire<z.output<typeof recipientShape>>;
export type RecipientPage = Wire<z.output<typeof recipientPageShape>>;
export type Bounce = Wire<z.output<typeof bounceShape>>;
export type BouncePage = Wire<z.output<typeof bouncePageShape>>;
export type Suppression = Wire<z.output<typeof suppressionShape>>;
export type SuppressionList = Wire<z.output<typeof suppressionListShape>>;

/** GET /api/outbox: newest first; outboxOnly: no SMTP is set, so mail stays here. */
export const outboxShape = z.object({ messages: z.array(messageSummaryShape), outboxOnly: z.boolean() });
export type Outbox = Wire<z.output<typeof outboxShape>>;
