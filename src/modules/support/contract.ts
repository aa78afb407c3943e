// The support API's shapes shared with the admin (zod only; types as they arrive over JSON).
import { z } from 'zod';
import type { Wire } from '../../wire.js';

export const conversationStatus = z.enum(['open', 'pending', 'snoozed', 'closed']);

export const conversationSummaryShape = z.object({
  id: z.string(),
  number: z.number(),
  contactId: z.string(),
  email: z.string(),
  name: z.string(),
  subject: z.string(),
  channel: z.string(),
  status: conversationStatus,
  snoozedUntil: z.date().nullable(),
  assigneeId: z.string().nullable(),
  unverified: z.boolean(),
  messageCount: z.number(),
  lastMessageAt: z.date(),
  waitingSince: z.date().nullable(),
  slaWarned: z.array(z.string()),
});

export const conversationListShape = z.object({ conversations: z.array(conversationSummaryShape), next: z.string().nullable() });
/** A conversation list's `next`: the last row's time and id. */
const conversationCursor = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT[\d:.]+Z_[0-9a-f-]{36}$/, 'Not a page cursor')
  .transform((c) => ({ at: new Date(c.slice(0, c.indexOf('_'))), id: c.slice(c.indexOf('_') + 1) }));
/** GET /api/support/conversations: filter by status and assignee (me, unassigned, or a member id), search, page on. */
export const conversationListQuery = z.object({
  status: z.union([conversationStatus, z.literal('all')]).optional(),
  assignee: z.union([z.literal('me'), z.literal('unassigned'), z.uuid()]).optional(),
  contactId: z.uuid().optional(),
  q: z.string().trim().max(200).optional(),
  cursor: conversationCursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const conversationShape = conversationSummaryShape.extend({
  replyToken: z.string(),
  continuesId: z.string().nullable(),
  mergedInto: z.string().nullable(),
  firstResponseAt: z.date().nullable(),
  closedAt: z.date().nullable(),
  rating: z.string().nullable(),
  ratingComment: z.string().nullable().optional(),
  ratedAt: z.date().nullable().optional(),
  createdAt: z.date(),
});

export const messageShape = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound', 'note']),
  messageId: z.string().nullable(),
  fromAddress: z.string(),
  fromName: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  auto: z.string().nullable(),
  auth: z.object({ dkim: z.string().optional(), spf: z.string().optional(), dmarc: z.string().optional(), source: z.string().optional() }),
  via: z.string(),
  authorKind: z.string(),
  authorId: z.string().nullable(),
  mentions: z.array(z.string()),
  createdAt: z.date(),
  delivery: z.object({ status: z.string(), error: z.string().nullable(), sentAt: z.date().nullable() }).nullable(),
  attachments: z.array(z.object({ id: z.string(), filename: z.string(), contentType: z.string(), size: z.number(), kept: z.boolean(), omittedReason: z.string().nullable() })),
});

export const actionShape = z.object({
  id: z.string(),
  kind: z.string(),
  input: z.record(z.string(), z.unknown()),
  status: z.string(),
  approvalId: z.string().nullable(),
  result: z.string().nullable(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  createdAt: z.date(),
});

export const threadShape = z.object({ conversation: conversationShape, messages: z.array(messageShape), actions: z.array(actionShape) });

export const cannedShape = z.object({ id: z.string(), shortcut: z.string(), title: z.string(), body: z.string(), updatedAt: z.date() });

const limitsShape = z.object({ refundMax: z.number(), refundMaxDays: z.number(), extendMaxDays: z.number(), resend: z.boolean() });
export const settingsShape = z.object({
  address: z.string(),
  reopenWindowDays: z.number(),
  subjectWindowDays: z.number(),
  roundRobin: z.boolean(),
  sla: z.object({ firstResponseHours: z.number(), resolutionHours: z.number(), businessHours: z.object({ days: z.array(z.number()), start: z.string(), end: z.string() }) }),
  limits: z.object({ admin: limitsShape, support: limitsShape }),
  ratings: z.boolean(),
});

export const presenceShape = z.object({ others: z.array(z.object({ userId: z.string(), name: z.string(), typing: z.boolean(), seenAt: z.date() })), lastMessageId: z.string().nullable() });

export const figuresShape = z.object({
  assistants: z.array(
    z.object({
      userId: z.string(),
      name: z.string(),
      firstResponseMedianMinutes: z.number().nullable(),
      firstResponseP90Minutes: z.number().nullable(),
      resolutionMedianMinutes: z.number().nullable(),
      handled: z.number(),
      ratings: z.object({ great: z.number(), okay: z.number(), bad: z.number(), happiness: z.number().nullable() }),
    }),
  ),
});

/** GET /api/support/canned */
export const cannedListShape = z.object({ replies: z.array(cannedShape) });
/** GET /api/support/conversations/:id/canned/:cannedId: the reply filled in for this customer. */
export const cannedTextShape = z.object({ text: z.string() });
/** POST /api/support/conversations/:id/actions. approvalId: above the role's limit, the action waits for the owner. */
export const actionTakenShape = z.object({ action: z.object({ id: z.string(), kind: z.string(), status: z.string(), result: z.string().nullable(), approvalId: z.string().nullable() }), approvalId: z.string().nullable() });

export type ConversationSummary = Wire<z.output<typeof conversationSummaryShape>>;
export type ConversationList = Wire<z.output<typeof conversationListShape>>;
export type Thread = Wire<z.output<typeof threadShape>>;
export type ThreadMessage = Wire<z.output<typeof messageShape>>;
export type CannedReply = Wire<z.output<typeof cannedShape>>;
export type SupportSettingsWire = Wire<z.output<typeof settingsShape>>;
export type Presence = Wire<z.output<typeof presenceShape>>;
export type SupportFigures = Wire<z.output<typeof figuresShape>>;
export type CannedReplies = Wire<z.output<typeof cannedListShape>>;
export type CannedText = z.output<typeof cannedTextShape>;
export type ActionTaken = z.output<typeof actionTakenShape>;
