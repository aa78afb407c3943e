// The audience staff API's shapes: the request and response schemas its routes validate with
// (routes.ts), and the types the admin's Contacts pages use for them (types only reach the
// browser: src/wire.ts). Plain data: no server code here. The segment rules' schema lives here
// too (segments.ts compiles what it accepts), with the statuses it names.
import { z } from 'zod';

/** The one address check of every edge (email-address.ts: plain zod and the URL module's IDNA, no I/O). */
export { emailAddressSchema } from './email-address.js';
import type { Wire } from '../../wire.js';

export const contactStatuses = ['active', 'unconfirmed', 'unsubscribed', 'bounced', 'complained'] as const;
export type ContactStatus = (typeof contactStatuses)[number];
export const importStatuses = ['uploaded', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof importStatuses)[number];

// ---- segment rules ---------------------------------------------------------------------------

/** Groups nest this deep at most (the compiler refuses deeper ones too). */
export const SEGMENT_MAX_DEPTH = 4;
/** Rules in one segment, groups included: enough for any real audience, small enough to compile and plan quickly. */
export const MAX_SEGMENT_RULES = 200;

export type SegmentRule =
  | { type: 'tag'; op: 'has' | 'not_has'; tagId: string }
  | { type: 'list'; op: 'subscribed' | 'not_subscribed'; listId: string }
  | { type: 'status'; op: 'is' | 'is_not'; values: ContactStatus[] }
  | {
      type: 'field';
      field: string;
      op: 'equals' | 'not_equals' | 'contains' | 'not_contains' | 'starts_with' | 'is_set' | 'is_not_set' | 'greater_than' | 'less_than';
      value?: string;
    }
  | { type: 'email'; op: 'equals' | 'contains' | 'ends_with'; value: string }
  | { type: 'source'; op: 'is' | 'starts_with'; value: string }
  | { type: 'created'; op: 'within_days' | 'before_days'; days: number }
  | { type: 'purchase'; op: 'has' | 'not_has'; resourceType?: 'product' | 'course' | 'download'; resourceId?: string }
  | { type: 'course'; op: 'started' | 'not_started' | 'completed' | 'not_completed'; courseId?: string }
  | { type: 'engagement'; op: 'opened' | 'not_opened' | 'clicked' | 'not_clicked' | 'engaged' | 'not_engaged'; days: number }
  | { type: 'group'; match: 'all' | 'any'; rules: SegmentRule[] };

export interface SegmentRules {
  match: 'all' | 'any';
  rules: SegmentRule[];
}

const days = z.number().int().min(1).max(3650);
const text = z.string().trim().min(1).max(500);
/** custom field keys as the import and forms store them */
export const fieldKeySchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_]+$/, 'use lower-case letters, digits and _');

export const segmentRuleSchema: z.ZodType<SegmentRule> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('tag'), op: z.enum(['has', 'not_has']), tagId: z.uuid() }),
    z.object({ type: z.literal('list'), op: z.enum(['subscribed', 'not_subscribed']), listId: z.uuid() }),
    z.object({ type: z.literal('status'), op: z.enum(['is', 'is_not']), values: z.array(z.enum(contactStatuses)).min(1) }),
    z.object({
      type: z.literal('field'),
      field: fieldKeySchema,
      op: z.enum(['equals', 'not_equals', 'contains', 'not_contains', 'starts_with', 'is_set', 'is_not_set', 'greater_than', 'less_than']),
      value: z.string().max(500).optional(),
    }),
    z.object({ type: z.literal('email'), op: z.enum(['equals', 'contains', 'ends_with']), value: text }),
    z.object({ type: z.literal('source'), op: z.enum(['is', 'starts_with']), value: text }),
    z.object({ type: z.literal('created'), op: z.enum(['within_days', 'before_days']), days }),
    z.object({
      type: z.literal('purchase'),
      op: z.enum(['has', 'not_has']),
      resourceType: z.enum(['product', 'course', 'download']).optional(),
      resourceId: z.uuid().optional(),
    }),
    z.object({ type: z.literal('course'), op: z.enum(['started', 'not_started', 'completed', 'not_completed']), courseId: z.uuid().optional() }),
    z.object({ type: z.literal('engagement'), op: z.enum(['opened', 'not_opened', 'clicked', 'not_clicked', 'engaged', 'not_engaged']), days }),
    z.object({ type: z.literal('group'), match: z.enum(['all', 'any']), rules: z.array(segmentRuleSchema).min(1).max(50) }),
  ]),
);

export const segmentRulesSchema = z
  .object({
    match: z.enum(['all', 'any']).default('all'),
    rules: z.array(segmentRuleSchema).max(50).default([]),
  })
  .superRefine((value, ctx) => {
    // Each group may hold 50 rules: without a cap on the whole, four levels of groups would be
    // millions of rules (and a query PostgreSQL refuses). Checked here, so a save gets a 400.
    let count = 0;
    let deepest = 0;
    const stack = value.rules.map((rule) => ({ rule, depth: 1 }));
    while (stack.length) {
      const { rule, depth } = stack.pop()!;
      count++;
      deepest = Math.max(deepest, depth);
      if (rule.type === 'group') for (const inner of rule.rules) stack.push({ rule: inner, depth: depth + 1 });
    }
    if (deepest > SEGMENT_MAX_DEPTH + 1) ctx.addIssue({ code: 'custom', path: ['rules'], message: `Segments can nest groups ${SEGMENT_MAX_DEPTH} levels deep at most` });
    if (count > MAX_SEGMENT_RULES) ctx.addIssue({ code: 'custom', path: ['rules'], message: `A segment can have ${MAX_SEGMENT_RULES} rules at most (groups included); this one has ${count}` });
  });

// ---- contacts --------------------------------------------------------------------------------

const id = z.uuid();
const fieldsSchema = z.record(fieldKeySchema, z.string().max(2000));

export const tagShape = z.object({ id: z.string(), name: z.string() });
export const contactShape = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  status: z.enum(contactStatuses),
  source: z.string(),
  fields: z.record(z.string(), z.string()),
  createdAt: z.date(),
  updatedAt: z.date(),
  confirmedAt: z.date().nullable(),
});
export const contactSummaryShape = z.object({ id: z.string(), email: z.string(), name: z.string(), status: z.enum(contactStatuses), source: z.string(), createdAt: z.date(), tags: z.array(tagShape) });
export const contactPageShape = z.object({ contacts: z.array(contactSummaryShape), total: z.number(), nextCursor: z.string().nullable() });
/** GET /api/contacts/export.csv: all contacts, or one status, list, tag or segment. */
export const contactExportQuery = z.object({ status: z.enum(contactStatuses).optional(), listId: id.optional(), tagId: id.optional(), segmentId: id.optional() });
/** GET /api/contacts: search by email or name, filter as the export does; `cursor` is the previous page's `nextCursor`. */
export const contactListQuery = z.object({
  q: z.string().max(200).optional(),
  status: z.enum(contactStatuses).optional(),
  tagId: id.optional(),
  listId: id.optional(),
  segmentId: id.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const consentShape = z.object({
  id: z.string(),
  kind: z.string(),
  statement: z.string(),
  formId: z.string().nullable(),
  importId: z.string().nullable(),
  listIds: z.array(z.string()),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  actorKind: z.string(),
  actorId: z.string().nullable(),
  occurredAt: z.date(),
});
export const contactDetailShape = z.object({
  contact: contactShape,
  tags: z.array(tagShape),
  lists: z.array(z.object({ id: z.string(), name: z.string(), status: z.enum(['subscribed', 'unsubscribed']), updatedAt: z.date() })),
  consent: z.array(consentShape),
  events: z.array(z.object({ id: z.number(), occurredAt: z.date(), type: z.string(), actorKind: z.string(), actorId: z.string().nullable(), data: z.record(z.string(), z.unknown()) })),
});

export const contactCreateBody = z.object({
  email: z.string().trim().max(320),
  name: z.string().max(200).optional(),
  fields: fieldsSchema.optional(),
  listIds: z.array(id).max(50).optional(),
  tagIds: z.array(id).max(50).optional(),
  status: z.enum(['active', 'unconfirmed']).optional(),
  consentNote: z.string().max(2000).optional(),
});
export const contactUpdateBody = z.object({ name: z.string().max(200).optional(), fields: fieldsSchema.optional(), status: z.enum(contactStatuses).optional() });
export const contactTagBody = z.object({ tagIds: z.array(id).max(50).default([]), names: z.array(z.string().trim().min(1).max(100)).max(50).default([]) });
export const bulkTagBody = z.object({ tagId: id, action: z.enum(['add', 'remove']), contactIds: z.array(id).max(10_000).optional(), segmentId: id.optional() });
export const subscribeBody = z.object({ consentNote: z.string().max(2000).optional() });
export const contactTagResultShape = z.object({ added: z.number() });
export const bulkTagResultShape = z.object({ changed: z.number() });
export const subscribeResultShape = z.object({ joined: z.boolean() });

// ---- lists and tags --------------------------------------------------------------------------

export const listShape = z.object({ id: z.string(), name: z.string(), description: z.string(), createdAt: z.date() });
export const listWithCountShape = listShape.extend({ subscribers: z.number() });
export const listsShape = z.object({ lists: z.array(listWithCountShape) });
export const listBody = z.object({ name: z.string().trim().min(1).max(200), description: z.string().max(1000).optional() });
export const listUpdateBody = listBody.partial();
export const tagWithCountShape = tagShape.extend({ contacts: z.number(), createdAt: z.date() });
export const tagsShape = z.object({ tags: z.array(tagWithCountShape) });
export const tagBody = z.object({ name: z.string().trim().min(1).max(100) });

// ---- segments --------------------------------------------------------------------------------

export const segmentShape = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  rules: segmentRulesSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const segmentsShape = z.object({ segments: z.array(segmentShape) });
export const segmentCountShape = z.object({ total: z.number(), sendable: z.number() });
export const segmentDetailShape = segmentShape.extend({ count: segmentCountShape });
export const segmentPreviewShape = segmentCountShape.extend({ sample: z.array(z.object({ id: z.string(), email: z.string(), name: z.string(), status: z.enum(contactStatuses) })) });
export const segmentPreviewBody = z.object({ rules: segmentRulesSchema });
export const segmentBody = z.object({ name: z.string().trim().min(1).max(200), description: z.string().max(1000).optional(), rules: segmentRulesSchema });
export const segmentUpdateBody = segmentBody.partial();

// ---- forms -----------------------------------------------------------------------------------

/** A form's address: /f/<slug>. */
export const FORM_SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const askNameModes = ['hidden', 'optional', 'required'] as const;

export const formFieldSchema = z.object({ key: fieldKeySchema, label: z.string().trim().min(1).max(100), required: z.boolean().default(false) });
export const formInput = z.object({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(FORM_SLUG_RE, 'use lower-case letters, digits and dashes')
    .refine((s) => s !== 'confirm', 'this address is reserved'),
  name: z.string().trim().min(1).max(200),
  title: z.string().trim().min(1).max(200),
  intro: z.string().max(20_000).optional(),
  consentText: z.string().trim().min(1, 'say what people agree to (kept as evidence)').max(2000),
  buttonLabel: z.string().trim().max(60).optional(),
  successMessage: z.string().max(2000).optional(),
  doubleOptIn: z.boolean().optional(),
  askName: z.enum(askNameModes).optional(),
  customFields: z.array(formFieldSchema).max(10).optional(),
  listIds: z.array(id).max(50).optional(),
  tagIds: z.array(id).max(50).optional(),
  embedAllowed: z.boolean().optional(),
});
export const formUpdateBody = formInput.partial().extend({ archived: z.boolean().optional() });
export const formShape = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  title: z.string(),
  intro: z.string(),
  consentText: z.string(),
  buttonLabel: z.string(),
  successMessage: z.string(),
  doubleOptIn: z.boolean(),
  askName: z.enum(askNameModes),
  customFields: z.array(z.object({ key: z.string(), label: z.string(), required: z.boolean() })),
  listIds: z.array(z.string()),
  tagIds: z.array(z.string()),
  embedAllowed: z.boolean(),
  leadMagnet: z.object({ name: z.string(), type: z.string(), size: z.number() }).nullable(),
  url: z.string(),
  archived: z.boolean(),
  stats: z.object({ submissions: z.number(), confirmations: z.number() }),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const formsShape = z.object({ forms: z.array(formShape) });
export const formDetailShape = formShape.extend({ embedHtml: z.string() });
/** PUT /api/forms/:id/lead-magnet (the file is the raw body): its name. */
export const leadMagnetQuery = z.object({ name: z.string().trim().min(1).max(200) });

// ---- imports ---------------------------------------------------------------------------------

export const importOptionsShape = z.object({
  listIds: z.array(z.string()).optional(),
  tagIds: z.array(z.string()).optional(),
  existing: z.enum(['update', 'skip']).optional(),
  newStatus: z.enum(['active', 'unconfirmed']).optional(),
  consentStatement: z.string().optional(),
});
export const importShape = z.object({
  id: z.string(),
  fileName: z.string(),
  fileSize: z.number(),
  format: z.string(),
  formatLabel: z.string(),
  delimiter: z.string(),
  encoding: z.string(),
  headers: z.array(z.string()),
  mapping: z.array(z.string()),
  /** what the import was started with (empty until then) */
  options: importOptionsShape,
  status: z.enum(importStatuses),
  rowsDone: z.number(),
  imported: z.number(),
  updated: z.number(),
  skipped: z.number(),
  errored: z.number(),
  progress: z.number(),
  error: z.string().nullable(),
  startedBy: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});
export const importsShape = z.object({ imports: z.array(importShape) });
export const importUploadShape = importShape.extend({ sample: z.array(z.array(z.string())) });
/** POST /api/imports (the CSV is the raw body): its file name. */
export const importUploadQuery = z.object({ filename: z.string().trim().max(200).default('contacts.csv') });
export const importStartBody = z.object({
  mapping: z.array(z.string().max(80)).max(500).optional(),
  listIds: z.array(id).max(50).default([]),
  tagIds: z.array(id).max(50).default([]),
  existing: z.enum(['update', 'skip']).default('update'),
  newStatus: z.enum(['active', 'unconfirmed']).default('active'),
  consentStatement: z.string().trim().max(2000),
});
export const importIssueShape = z.object({ rowNumber: z.number(), line: z.number(), email: z.string(), outcome: z.enum(['skipped', 'errored']), reason: z.string() });
export const importIssuesShape = z.object({ issues: z.array(importIssueShape) });
/** GET /api/imports/:id/issues: the first `limit` of them. */
export const importIssuesQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

// ---- the types the admin uses ----------------------------------------------------------------

export type TagRef = Wire<z.output<typeof tagShape>>;
export type Contact = Wire<z.output<typeof contactShape>>;
export type ContactSummary = Wire<z.output<typeof contactSummaryShape>>;
export type ContactPage = Wire<z.output<typeof contactPageShape>>;
export type ConsentRecord = Wire<z.output<typeof consentShape>>;
export type ContactDetail = Wire<z.output<typeof contactDetailShape>>;
export type ContactCreateInput = z.input<typeof contactCreateBody>;
export type ContactUpdateInput = z.input<typeof contactUpdateBody>;
export type ContactTagInput = z.input<typeof contactTagBody>;
export type BulkTagInput = z.input<typeof bulkTagBody>;
export type ContactTagResult = z.output<typeof contactTagResultShape>;
export type BulkTagResult = z.output<typeof bulkTagResultShape>;
export type SubscribeInput = z.input<typeof subscribeBody>;
export type SubscribeResult = z.output<typeof subscribeResultShape>;
export type ContactList = Wire<z.output<typeof listWithCountShape>>;
export type ContactLists = Wire<z.output<typeof listsShape>>;
export type ListInput = z.input<typeof listBody>;
export type ListUpdateInput = z.input<typeof listUpdateBody>;
export type Tag = Wire<z.output<typeof tagWithCountShape>>;
export type Tags = Wire<z.output<typeof tagsShape>>;
export type TagInput = z.input<typeof tagBody>;
export type Segment = Wire<z.output<typeof segmentShape>>;
export type Segments = Wire<z.output<typeof segmentsShape>>;
export type SegmentPreviewInput = z.input<typeof segmentPreviewBody>;
export type SegmentCount = Wire<z.output<typeof segmentCountShape>>;
export type SegmentDetail = Wire<z.output<typeof segmentDetailShape>>;
export type SegmentPreview = Wire<z.output<typeof segmentPreviewShape>>;
export type SegmentInput = z.input<typeof segmentBody>;
export type SegmentUpdateInput = z.input<typeof segmentUpdateBody>;
export type OptInForm = Wire<z.output<typeof formShape>>;
export type OptInForms = Wire<z.output<typeof formsShape>>;
export type FormDetail = Wire<z.output<typeof formDetailShape>>;
export type FormField = OptInForm['customFields'][number];
export type FormCreateInput = z.input<typeof formInput>;
export type FormUpdateInput = z.input<typeof formUpdateBody>;
export type ImportView = Wire<z.output<typeof importShape>>;
export type Imports = Wire<z.output<typeof importsShape>>;
export type ImportUpload = Wire<z.output<typeof importUploadShape>>;
export type ImportStartInput = z.input<typeof importStartBody>;
export type ImportIssue = Wire<z.output<typeof importIssueShape>>;
export type ImportIssues = Wire<z.output<typeof importIssuesShape>>;
