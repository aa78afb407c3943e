// Audience JSON API (admin): contacts, lists, tags, segments, forms, imports and export.
// Public pages (forms, confirmation, preferences) are in public-routes.tsx.
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { Clock } from '../../clock.js';
import type { AuditLog } from '../../db/audit.js';
import type { Database, Db } from '../../db/client.js';
import type { AudienceService } from './index.js';
import type { Logger } from 'pino';
import { invalid } from '../../errors.js';
import {
  bulkTagBody,
  bulkTagResultShape,
  contactCreateBody,
  contactDetailShape,
  contactExportQuery,
  contactListQuery,
  contactPageShape,
  contactShape,
  contactTagBody,
  contactTagResultShape,
  contactUpdateBody,
  formDetailShape,
  formInput,
  formShape,
  leadMagnetQuery,
  formsShape,
  formUpdateBody,
  importIssuesQuery,
  importIssuesShape,
  importUploadQuery,
  importShape,
  importsShape,
  importStartBody,
  importUploadShape,
  listBody,
  listShape,
  listsShape,
  listUpdateBody,
  segmentBody,
  segmentDetailShape,
  segmentPreviewBody,
  segmentPreviewShape,
  segmentShape,
  segmentsShape,
  segmentUpdateBody,
  subscribeBody,
  subscribeResultShape,
  tagBody,
  tagShape,
  tagsShape,
  type SegmentRules,
} from './contract.js';
import type { Form } from './forms.js';
import type { Segment } from './segment-service.js';
import { exportContacts } from './export.js';
import { audiencePublicRoutes, type AudiencePublicRouteDeps } from './public-routes.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface AudienceRouteDeps extends AudiencePublicRouteDeps {
  audience: AudienceService;
  audit: AuditLog;
  clock: Clock;
  database: Database;
  db: Db;
  log: Logger;
}
const defineRoute = routesFor<AudienceRouteDeps>();

// ---- shapes (the staff API's are in contract.ts, shared with the admin) ----------------------

const id = z.uuid();
const idParams = z.object({ id });
const toSegment = (s: Segment) => ({ id: s.id, name: s.name, description: s.description, rules: s.rules as SegmentRules, createdAt: s.createdAt, updatedAt: s.updatedAt });

/** The request body as a stream (uploads are sent raw: text/csv or application/octet-stream). */
function uploadStream(req: FastifyRequest): Readable {
  const body = req.body as Readable | undefined;
  if (!body || typeof (body as Readable).pipe !== 'function') {
    throw invalid('Send the file as the request body with Content-Type text/csv or application/octet-stream');
  }
  return body;
}

export const audienceRoutes: AnyRoute<AudienceRouteDeps>[] = [
  // ---- contacts ----------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/contacts', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'Contacts, newest first; search by email or name, filter by status, tag, list or segment',
    query: contactListQuery,
    response: contactPageShape,
    handler: async ({ app, query }) => app.audience.listContacts(query),
  }),
  defineRoute({
    method: 'POST', url: '/api/contacts', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'contact.created',
    summary: 'Add a contact by hand, with how they agreed to hear from you',
    body: contactCreateBody,
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
    query: contactExportQuery,
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
    body: bulkTagBody,
    response: bulkTagResultShape,
    handler: async ({ app, body, actor, auditTarget }) => {
      auditTarget('tag', body.tagId, { action: body.action, segmentId: body.segmentId ?? null });
      return { changed: await app.audience.bulkTag(body, actor) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/contacts/:id', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'One contact: fields, tags, lists, consent evidence and recent activity',
    params: idParams,
    response: contactDetailShape,
    handler: async ({ app, params }) => app.audience.contactDetail(params.id),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/contacts/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contact.updated',
    summary: 'Edit name and fields; unsubscribe, or mark a bounced address as fixed',
    params: idParams,
    body: contactUpdateBody,
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
    body: contactTagBody,
    response: contactTagResultShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('contact', params.id);
      await app.audience.getContact(app.db, params.id);
      const added = await app.database.transaction(async (tx) => {
        const named = await app.audience.ensureTags(tx, body.names);
        return app.audience.tagContactInTx(tx, params.id, [...body.tagIds, ...named.map((t) => t.id)], actor);
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
      await app.database.transaction((tx) => app.audience.untagContactInTx(tx, params.id, params.tagId, actor));
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/contacts/:id/lists/:listId', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'contact.subscribed',
    summary: 'Put a contact on a list (they must be able to receive mail: active or unconfirmed)',
    params: z.object({ id, listId: id }),
    body: subscribeBody,
    response: subscribeResultShape,
    handler: async ({ app, params, body, actor, req, auditTarget }) => {
      auditTarget('contact', params.id, { listId: params.listId });
      const contact = await app.audience.getContact(app.db, params.id);
      if (contact.status !== 'active' && contact.status !== 'unconfirmed') {
        throw invalid(`This contact is ${contact.status}; only they can subscribe again, through one of your forms`);
      }
      const joined = await app.database.transaction(async (tx) => {
        const j = await app.audience.subscribeToListsInTx(tx, { contactId: params.id, listIds: [params.listId], actor, via: 'admin' });
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
      await app.database.transaction((tx) => app.audience.unsubscribeInTx(tx, { contactId: params.id, listId: params.listId, actor, via: 'admin' }));
    },
  }),

  // ---- lists -------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/lists', access: { permission: 'contacts.read' }, tags: ['audience'],
    summary: 'Lists with their number of active subscribers',
    response: listsShape,
    handler: async ({ app }) => ({ lists: await app.audience.listLists() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/lists', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'list.created',
    summary: 'Create a list (a newsletter or topic people can join and leave)',
    body: listBody,
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
    body: listUpdateBody,
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
    response: tagsShape,
    handler: async ({ app }) => ({ tags: await app.audience.listTags() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/tags', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'tag.created',
    summary: 'Create a tag',
    body: tagBody,
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
    body: tagBody,
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
    response: segmentsShape,
    handler: async ({ app }) => ({ segments: (await app.audience.segments.list()).map(toSegment) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/segments/preview', access: { permission: 'contacts.read' }, tags: ['audience'], audit: false,
    summary: 'Live count and a sample of the contacts some rules select (nothing is saved)',
    body: segmentPreviewBody,
    response: segmentPreviewShape,
    handler: async ({ app, body }) => app.audience.segments.preview(body.rules),
  }),
  defineRoute({
    method: 'POST', url: '/api/segments', access: { permission: 'contacts.write' }, tags: ['audience'], status: 201, audit: 'segment.created',
    summary: 'Save a segment',
    body: segmentBody,
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
    response: segmentDetailShape,
    handler: async ({ app, params }) => ({ ...toSegment(await app.audience.segments.get(params.id)), count: await app.audience.segments.count(params.id) }),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/segments/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'segment.updated',
    summary: 'Rename a segment or change its rules',
    params: idParams,
    body: segmentUpdateBody,
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
    response: formsShape,
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
    response: formDetailShape,
    handler: async ({ app, params }) => {
      const f = await app.audience.forms.get(params.id);
      return { ...toForm(app.audience.forms.hostedUrl(f), f), embedHtml: app.audience.forms.embedSnippet(f) };
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/forms/:id', access: { permission: 'contacts.write' }, tags: ['audience'], audit: 'form.updated',
    summary: 'Change a form, or archive it (its page goes offline)',
    params: idParams,
    body: formUpdateBody,
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
    query: leadMagnetQuery,
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
    response: importsShape,
    handler: async ({ app }) => ({ imports: await app.audience.imports.list() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/imports', access: { permission: 'contacts.import' }, tags: ['audience'], status: 201, audit: 'import.uploaded', rawBody: 'stream',
    summary: 'Upload a CSV (raw body, ?filename=): returns the detected format, a suggested column mapping and sample rows',
    query: importUploadQuery,
    response: importUploadShape,
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
    body: importStartBody,
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
    query: importIssuesQuery,
    response: importIssuesShape,
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
