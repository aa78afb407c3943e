// Audience JSON API (admin): contacts, lists, tags, segments, forms, imports and export.
// Public pages (forms, confirmation, preferences) are in public-routes.tsx.
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../../http/route.js';
import { invalid } from '../../errors.js';
import { contactStatuses } from './schema.js';
import { segmentRulesSchema, fieldKeySchema, type SegmentRules } from './segments.js';
import { SLUG_RE, type Form } from './forms.js';
import type { Segment } from './segment-service.js';
import { exportContacts } from './export.js';
import { audiencePublicRoutes } from './public-routes.js';

const id = z.uuid();
const idParams = z.object({ id });
const status = z.enum(contactStatuses);
const tagShape = z.object({ id: z.string(), name: z.string() });
const fieldsSchema = z.record(fieldKeySchema, z.string().max(2000));

const contactShape = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  status: z.string(),
  source: z.string(),
  fields: z.record(z.string(), z.string()),
  createdAt: z.date(),
  updatedAt: z.date(),
  confirmedAt: z.date().nullable(),
});

const consentShape = z.object({
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

const listShape = z.object({ id: z.string(), name: z.string(), description: z.string(), createdAt: z.date() });

const segmentShape = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  rules: segmentRulesSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
});
const toSegment = (s: Segment) => ({ id: s.id, name: s.name, description: s.description, rules: s.rules as SegmentRules, createdAt: s.createdAt, updatedAt: s.updatedAt });
const countShape = z.object({ total: z.number(), sendable: z.number() });

const formFieldSchema = z.object({ key: fieldKeySchema, label: z.string().trim().min(1).max(100), required: z.boolean().default(false) });
const formInput = z.object({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(SLUG_RE, 'use lower-case letters, digits and dashes')
    .refine((s) => s !== 'confirm', 'this address is reserved'),
  name: z.string().trim().min(1).max(200),
  title: z.string().trim().min(1).max(200),
  intro: z.string().max(20_000).optional(),
  consentText: z.string().trim().min(1, 'say what people agree to (kept as evidence)').max(2000),
  buttonLabel: z.string().trim().max(60).optional(),
  successMessage: z.string().max(2000).optional(),
  doubleOptIn: z.boolean().optional(),
  askName: z.enum(['hidden', 'optional', 'required']).optional(),
  customFields: z.array(formFieldSchema).max(10).optional(),
  listIds: z.array(id).max(50).optional(),
  tagIds: z.array(id).max(50).optional(),
  embedAllowed: z.boolean().optional(),
});
const formShape = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  title: z.string(),
  intro: z.string(),
  consentText: z.string(),
  buttonLabel: z.string(),
  successMessage: z.string(),
  doubleOptIn: z.boolean(),
  askName: z.string(),
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

const importShape = z.object({
  id: z.string(),
  fileName: z.string(),
  fileSize: z.number(),
  format: z.string(),
  formatLabel: z.string(),
  delimiter: z.string(),
  encoding: z.string(),
  headers: z.array(z.string()),
  mapping: z.array(z.string()),
  options: z.record(z.string(), z.unknown()),
  status: z.string(),
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

/** The request body as a stream (uploads are sent raw: text/csv or application/octet-stream). */
function uploadStream(req: FastifyRequest): Readable {
  const body = req.body as Readable | undefined;
  if (!body || typeof (body as Readable).pipe !== 'function') {
    throw invalid('Send the file as the request body with Content-Type text/csv or application/octet-stream');
  }
  return body;
}

export const audienceRoutes: AnyRoute[] = [
  // ---- contacts ----------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/contacts', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'Contacts, newest first; search by email or name, filter by status, tag, list or segment',
    query: z.object({
      q: z.string().max(200).optional(),
      status: status.optional(),
      tagId: id.optional(),
      listId: id.optional(),
      segmentId: id.optional(),
      cursor: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    response: z.object({
      contacts: z.array(z.object({ id: z.string(), email: z.string(), name: z.string(), status: z.string(), source: z.string(), createdAt: z.date(), tags: z.array(tagShape) })),
      total: z.number(),
      nextCursor: z.string().nullable(),
    }),
    handler: async ({ app, query }) => app.audience.listContacts(query),
  }),
  defineRoute({
    method: 'POST', url: '/api/contacts', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'contact.created',
    summary: 'Add a contact by hand, with how they agreed to hear from you',
    body: z.object({
      email: z.string().trim().max(320),
      name: z.string().max(200).optional(),
      fields: fieldsSchema.optional(),
      listIds: z.array(id).max(50).optional(),
      tagIds: z.array(id).max(50).optional(),
      status: z.enum(['active', 'unconfirmed']).optional(),
      consentNote: z.string().max(2000).optional(),
    }),
    response: contactShape,
    handler: async ({ app, body, actor, req, auditTarget }) => {
      const c = await app.audience.createContact(body, actor, { ip: req.ip });
      auditTarget('contact', c.id);
      return c;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/contacts/export.csv', access: { permission: 'contacts.export' }, tags: ['audience'], kind: 'page',
    summary: 'Download contacts as CSV (all, or one status, list, tag or segment); audited with the row count',
    query: z.object({ status: status.optional(), listId: id.optional(), tagId: id.optional(), segmentId: id.optional() }),
    handler: async ({ app, query, reply, req, actor }) => {
      if (query.segmentId) await app.audience.segments.get(query.segmentId);
      const { stream, done } = exportContacts(app.database, query, (s) => app.audience.segmentConditionSql(s));
      void done.then(({ rows, complete }) =>
        app.audit
          .write(app.db, {
            actor,
            action: 'contacts.exported',
            target: query.segmentId ? { type: 'segment', id: query.segmentId } : undefined,
            ip: req.ip,
            userAgent: req.headers['user-agent'],
            requestId: req.id,
            data: { rows, complete, filter: query },
          })
          .catch((err) => app.log.error({ err }, 'could not write the export audit entry')),
      );
      const stamp = app.clock.now().toISOString().slice(0, 10);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="contacts-${stamp}.csv"`);
      reply.header('cache-control', 'no-store');
      return reply.send(stream);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/contacts/bulk-tag', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contacts.bulk_tagged',
    summary: 'Add or remove a tag on chosen contacts or on every member of a segment',
    body: z.object({ tagId: id, action: z.enum(['add', 'remove']), contactIds: z.array(id).max(10_000).optional(), segmentId: id.optional() }),
    response: z.object({ changed: z.number() }),
    handler: async ({ app, body, actor, auditTarget }) => {
      auditTarget('tag', body.tagId, { action: body.action, segmentId: body.segmentId ?? null });
      return { changed: await app.audience.bulkTag(body, actor) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/contacts/:id', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'One contact: fields, tags, lists, consent evidence and recent activity',
    params: idParams,
    response: z.object({
      contact: contactShape,
      tags: z.array(tagShape),
      lists: z.array(z.object({ id: z.string(), name: z.string(), status: z.string(), updatedAt: z.date() })),
      consent: z.array(consentShape),
      events: z.array(z.object({ id: z.number(), occurredAt: z.date(), type: z.string(), actorKind: z.string(), actorId: z.string().nullable(), data: z.record(z.string(), z.unknown()) })),
    }),
    handler: async ({ app, params }) => app.audience.contactDetail(params.id),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/contacts/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contact.updated',
    summary: 'Edit name and fields; unsubscribe, or mark a bounced address as fixed',
    params: idParams,
    body: z.object({ name: z.string().max(200).optional(), fields: fieldsSchema.optional(), status: status.optional() }),
    response: contactShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('contact', params.id, { changed: Object.keys(body) });
      return app.audience.updateContact(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/contacts/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contact.deleted',
    summary: 'Erase a contact and everything kept about them (a deletion request)',
    params: idParams,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('contact', params.id);
      await app.audience.deleteContact(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/contacts/:id/tags', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contact.tagged',
    summary: 'Tag a contact (by tag ids, or by names: missing tags are created)',
    params: idParams,
    body: z.object({ tagIds: z.array(id).max(50).default([]), names: z.array(z.string().trim().min(1).max(100)).max(50).default([]) }),
    response: z.object({ added: z.number() }),
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('contact', params.id);
      await app.audience.getContact(app.db, params.id);
      const added = await app.database.transaction(async (tx) => {
        const named = await app.audience.ensureTags(tx, body.names);
        return app.audience.tagContact(tx, params.id, [...body.tagIds, ...named.map((t) => t.id)], actor);
      });
      return { added };
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/contacts/:id/tags/:tagId', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contact.untagged',
    summary: 'Remove a tag from a contact',
    params: z.object({ id, tagId: id }),
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('contact', params.id, { tagId: params.tagId });
      await app.database.transaction((tx) => app.audience.untagContact(tx, params.id, params.tagId, actor));
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/contacts/:id/lists/:listId', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contact.subscribed',
    summary: 'Put a contact on a list (they must be able to receive mail: active or unconfirmed)',
    params: z.object({ id, listId: id }),
    body: z.object({ consentNote: z.string().max(2000).optional() }),
    response: z.object({ joined: z.boolean() }),
    handler: async ({ app, params, body, actor, req, auditTarget }) => {
      auditTarget('contact', params.id, { listId: params.listId });
      const contact = await app.audience.getContact(app.db, params.id);
      if (contact.status !== 'active' && contact.status !== 'unconfirmed') {
        throw invalid(`This contact is ${contact.status}; only they can subscribe again, through one of your forms`);
      }
      const joined = await app.database.transaction(async (tx) => {
        const j = await app.audience.subscribeToLists(tx, { contactId: params.id, listIds: [params.listId], actor, via: 'admin' });
        if (j.length) {
          await app.audience.recordConsent(tx, { contactId: params.id, kind: 'admin', statement: body.consentNote?.trim() || `Added to a list by ${actor.label ?? actor.kind}`, listIds: j, ip: req.ip, actor });
        }
        return j;
      });
      return { joined: joined.length > 0 };
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/contacts/:id/lists/:listId', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contact.unsubscribed',
    summary: 'Take a contact off a list',
    params: z.object({ id, listId: id }),
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('contact', params.id, { listId: params.listId });
      await app.audience.getContact(app.db, params.id);
      await app.audience.getList(params.listId);
      await app.database.transaction((tx) => app.audience.unsubscribe(tx, { contactId: params.id, listId: params.listId, actor, via: 'admin' }));
    },
  }),

  // ---- lists -------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/lists', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'Lists with their number of active subscribers',
    response: z.object({ lists: z.array(listShape.extend({ subscribers: z.number() })) }),
    handler: async ({ app }) => ({ lists: await app.audience.listLists() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/lists', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'list.created',
    summary: 'Create a list (a newsletter or topic people can join and leave)',
    body: z.object({ name: z.string().trim().min(1).max(200), description: z.string().max(1000).optional() }),
    response: listShape,
    handler: async ({ app, body, actor, auditTarget }) => {
      const l = await app.audience.createList(body, actor);
      auditTarget('list', l.id);
      return l;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/lists/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'list.updated',
    summary: 'Rename a list or change its description',
    params: idParams,
    body: z.object({ name: z.string().trim().min(1).max(200).optional(), description: z.string().max(1000).optional() }),
    response: listShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('list', params.id);
      return app.audience.updateList(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/lists/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'list.deleted',
    summary: 'Delete a list (contacts stay; their subscriptions to it go)',
    params: idParams,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('list', params.id);
      await app.audience.deleteList(params.id, actor);
    },
  }),

  // ---- tags --------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/tags', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'Tags with how many contacts carry each',
    response: z.object({ tags: z.array(tagShape.extend({ contacts: z.number(), createdAt: z.date() })) }),
    handler: async ({ app }) => ({ tags: await app.audience.listTags() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/tags', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'tag.created',
    summary: 'Create a tag',
    body: z.object({ name: z.string().trim().min(1).max(100) }),
    response: tagShape,
    handler: async ({ app, body, actor, auditTarget }) => {
      const t = await app.audience.createTag(body.name, actor);
      auditTarget('tag', t.id);
      return t;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/tags/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'tag.renamed',
    summary: 'Rename a tag',
    params: idParams,
    body: z.object({ name: z.string().trim().min(1).max(100) }),
    response: tagShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('tag', params.id);
      return app.audience.renameTag(params.id, body.name, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/tags/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'tag.deleted',
    summary: 'Delete a tag (it comes off every contact)',
    params: idParams,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('tag', params.id);
      await app.audience.deleteTag(params.id, actor);
    },
  }),

  // ---- segments ----------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/segments', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'Saved segments',
    response: z.object({ segments: z.array(segmentShape) }),
    handler: async ({ app }) => ({ segments: (await app.audience.segments.list()).map(toSegment) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/segments/preview', access: { permission: 'contacts.read' }, tags: ['audience'], audit: false,
    summary: 'Live count and a sample of the contacts some rules select (nothing is saved)',
    body: z.object({ rules: segmentRulesSchema }),
    response: countShape.extend({ sample: z.array(z.object({ id: z.string(), email: z.string(), name: z.string(), status: z.string() })) }),
    handler: async ({ app, body }) => app.audience.segments.preview(body.rules),
  }),
  defineRoute({
    method: 'POST', url: '/api/segments', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'segment.created',
    summary: 'Save a segment',
    body: z.object({ name: z.string().trim().min(1).max(200), description: z.string().max(1000).optional(), rules: segmentRulesSchema }),
    response: segmentShape,
    handler: async ({ app, body, actor, auditTarget }) => {
      const s = await app.audience.segments.create(body, actor);
      auditTarget('segment', s.id);
      return toSegment(s);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/segments/:id', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'A segment with its live count',
    params: idParams,
    response: segmentShape.extend({ count: countShape }),
    handler: async ({ app, params }) => ({ ...toSegment(await app.audience.segments.get(params.id)), count: await app.audience.segments.count(params.id) }),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/segments/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'segment.updated',
    summary: 'Rename a segment or change its rules',
    params: idParams,
    body: z.object({ name: z.string().trim().min(1).max(200).optional(), description: z.string().max(1000).optional(), rules: segmentRulesSchema.optional() }),
    response: segmentShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('segment', params.id);
      return toSegment(await app.audience.segments.update(params.id, body, actor));
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/segments/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'segment.deleted',
    summary: 'Delete a segment',
    params: idParams,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('segment', params.id);
      await app.audience.segments.remove(params.id, actor);
    },
  }),

  // ---- forms -------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/forms', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'Opt-in forms with submissions and confirmations',
    response: z.object({ forms: z.array(formShape) }),
    handler: async ({ app }) => ({ forms: (await app.audience.forms.list()).map((f) => toForm(app.audience.forms.hostedUrl(f), f)) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/forms', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'form.created',
    summary: 'Create an opt-in form (hosted at /f/<slug>, embeddable anywhere)',
    body: formInput,
    response: formShape,
    handler: async ({ app, body, actor, auditTarget }) => {
      const f = await app.audience.forms.create(body, actor);
      auditTarget('form', f.id);
      return toForm(app.audience.forms.hostedUrl(f), { ...f, stats: { submissions: 0, confirmations: 0 } });
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/forms/:id', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'A form, its public address and the HTML snippet to embed it',
    params: idParams,
    response: formShape.extend({ embedHtml: z.string() }),
    handler: async ({ app, params }) => {
      const f = await app.audience.forms.get(params.id);
      return { ...toForm(app.audience.forms.hostedUrl(f), f), embedHtml: app.audience.forms.embedSnippet(f) };
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/forms/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'form.updated',
    summary: 'Change a form, or archive it (its page goes offline)',
    params: idParams,
    body: formInput.partial().extend({ archived: z.boolean().optional() }),
    response: formShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('form', params.id);
      await app.audience.forms.update(params.id, body, actor);
      const f = await app.audience.forms.get(params.id);
      return toForm(app.audience.forms.hostedUrl(f), f);
    },
  }),
  defineRoute({
    method: 'PUT', url: '/api/forms/:id/lead-magnet', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'form.lead_magnet_attached', rawBody: 'stream',
    summary: 'Upload the file people get after confirming (raw body; ?name=guide.pdf)',
    params: idParams,
    query: z.object({ name: z.string().trim().min(1).max(200) }),
    response: formShape,
    handler: async ({ app, req, params, query, actor, auditTarget }) => {
      auditTarget('form', params.id, { file: query.name });
      const type = String(req.headers['x-file-type'] ?? guessType(query.name));
      await app.audience.forms.attachLeadMagnet(params.id, { name: query.name, type, stream: uploadStream(req) }, actor);
      const f = await app.audience.forms.get(params.id);
      return toForm(app.audience.forms.hostedUrl(f), f);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/forms/:id/lead-magnet', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'form.lead_magnet_removed',
    summary: 'Remove the lead-magnet file from a form',
    params: idParams,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('form', params.id);
      await app.audience.forms.removeLeadMagnet(params.id, actor);
    },
  }),

  // ---- imports -----------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/imports', access: { permission: 'contacts.import' }, tags: ['audience'],
    summary: 'CSV imports, newest first, with their progress',
    response: z.object({ imports: z.array(importShape) }),
    handler: async ({ app }) => ({ imports: await app.audience.imports.list() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/imports', access: { permission: 'contacts.import' }, tags: ['audience'], status: 201, audit: 'import.uploaded', rawBody: 'stream',
    summary: 'Upload a CSV (raw body, ?filename=): returns the detected format, a suggested column mapping and sample rows',
    query: z.object({ filename: z.string().trim().max(200).default('contacts.csv') }),
    response: importShape.extend({ sample: z.array(z.array(z.string())) }),
    handler: async ({ app, req, query, actor, auditTarget }) => {
      const view = await app.audience.imports.upload({ name: query.filename, stream: uploadStream(req) }, actor);
      auditTarget('import', view.id, { fileName: view.fileName, size: view.fileSize });
      return view;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/imports/:id', access: { permission: 'contacts.import' }, tags: ['audience'],
    summary: 'An import and its progress (poll while it runs)',
    params: idParams,
    response: importShape,
    handler: async ({ app, params }) => app.audience.imports.get(params.id),
  }),
  defineRoute({
    method: 'POST', url: '/api/imports/:id/start', access: { permission: 'contacts.import' }, tags: ['audience'], audit: 'import.started',
    summary: 'Confirm the column mapping and options and start importing',
    params: idParams,
    body: z.object({
      mapping: z.array(z.string().max(80)).max(500).optional(),
      listIds: z.array(id).max(50).default([]),
      tagIds: z.array(id).max(50).default([]),
      existing: z.enum(['update', 'skip']).default('update'),
      newStatus: z.enum(['active', 'unconfirmed']).default('active'),
      consentStatement: z.string().trim().max(2000),
    }),
    response: importShape,
    handler: async ({ app, params, body, actor, req, auditTarget }) => {
      auditTarget('import', params.id);
      const { mapping, ...options } = body;
      return app.audience.imports.start(params.id, { mapping, options }, actor, { ip: req.ip });
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/imports/:id/cancel', access: { permission: 'contacts.import' }, tags: ['audience'], audit: 'import.cancelled',
    summary: 'Stop an import (contacts already imported stay)',
    params: idParams,
    response: importShape,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('import', params.id);
      return app.audience.imports.cancel(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/imports/:id/resume', access: { permission: 'contacts.import' }, tags: ['audience'], audit: 'import.resumed',
    summary: 'Carry on with a failed import from its last checkpoint',
    params: idParams,
    response: importShape,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('import', params.id);
      return app.audience.imports.resume(params.id, actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/imports/:id/issues', access: { permission: 'contacts.import' }, tags: ['audience'],
    summary: 'The first skipped or failed rows of an import, with reasons',
    params: idParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    response: z.object({ issues: z.array(z.object({ rowNumber: z.number(), line: z.number(), email: z.string(), outcome: z.string(), reason: z.string() })) }),
    handler: async ({ app, params, query }) => {
      await app.audience.imports.get(params.id);
      return { issues: await app.audience.imports.issues(params.id, query.limit) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/imports/:id/report.csv', access: { permission: 'contacts.import' }, tags: ['audience'], kind: 'page',
    summary: 'Download every skipped or failed row of an import with its reason (CSV)',
    params: idParams,
    handler: async ({ app, params, reply }) => {
      const imp = await app.audience.imports.get(params.id);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="import-report-${imp.fileName.replace(/[^\w.-]+/g, '_').replace(/\.csv$/i, '')}.csv"`);
      return reply.send(app.audience.imports.report(params.id));
    },
  }),
  ...audiencePublicRoutes,
];

function toForm(url: string, f: Form & { stats: { submissions: number; confirmations: number } }) {
  return {
    id: f.id,
    slug: f.slug,
    name: f.name,
    title: f.title,
    intro: f.intro,
    consentText: f.consentText,
    buttonLabel: f.buttonLabel,
    successMessage: f.successMessage,
    doubleOptIn: f.doubleOptIn,
    askName: f.askName,
    customFields: f.customFields,
    listIds: f.listIds,
    tagIds: f.tagIds,
    embedAllowed: f.embedAllowed,
    leadMagnet: f.leadMagnetFile ? { name: f.leadMagnetName ?? 'download', type: f.leadMagnetType ?? 'application/octet-stream', size: f.leadMagnetSize ?? 0 } : null,
    url,
    archived: Boolean(f.archivedAt),
    stats: f.stats,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
  };
}

function guessType(name: string): string {
  const ext = name.toLowerCase().split('.').pop();
  const types: Record<string, string> = {
    pdf: 'application/pdf',
    epub: 'application/epub+zip',
    zip: 'application/zip',
    mp3: 'audio/mpeg',
    mp4: 'video/mp4',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    txt: 'text/plain',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  };
  return types[ext ?? ''] ?? 'application/octet-stream';
}
