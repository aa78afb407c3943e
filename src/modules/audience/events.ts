// The audience module's events (a contract: subscribers and webhooks read them).
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const named = ev.object({ name: z.string() });
const importProgress = ev.object({ rowsDone: z.number().int() });

export const audienceEvents = defineEvents({
  'contact.created': { subject: 'contact', data: ev.object({ source: z.string().nullable().optional() }) },
  'contact.status_changed': { subject: 'contact', data: ev.object({ from: z.string(), to: z.string(), via: z.string().optional() }) },
  'contact.updated': { subject: 'contact', data: ev.object({ changed: ev.changed() }) },
  'contact.deleted': { subject: 'contact', data: ev.empty() },
  'contact.subscribed': {
    subject: 'contact',
    data: ev.object({ listIds: z.array(ev.id()), via: z.string(), formId: ev.id().nullable().optional(), confirmed: z.boolean().optional() }),
  },
  'contact.unsubscribed': { subject: 'contact', data: ev.object({ listId: ev.id().nullable().optional(), via: z.string() }) },
  'contact.resubscribed': { subject: 'contact', data: ev.object({ via: z.string().optional() }) },
  'contact.opt_in_requested': { subject: 'contact', data: ev.object({ formId: ev.id() }) },
  'contact.confirmed': { subject: 'contact', data: ev.object({ formId: ev.id().nullable().optional() }) },
  'contact.tagged': { subject: 'contact', data: ev.object({ tagId: ev.id(), tag: z.string() }) },
  'contact.untagged': { subject: 'contact', data: ev.object({ tagId: ev.id() }) },
  'contacts.tagged': { subject: 'tag', data: ev.object({ tag: z.string(), count: z.number().int(), segmentId: ev.id().nullable().optional() }) },
  'contacts.untagged': { subject: 'tag', data: ev.object({ tag: z.string(), count: z.number().int(), segmentId: ev.id().nullable().optional() }) },
  'list.created': { subject: 'list', data: named },
  'list.updated': { subject: 'list', data: ev.empty() },
  'list.deleted': { subject: 'list', data: named },
  'tag.created': { subject: 'tag', data: named },
  'tag.renamed': { subject: 'tag', data: named },
  'tag.deleted': { subject: 'tag', data: named },
  'segment.created': { subject: 'segment', data: named },
  'segment.updated': { subject: 'segment', data: ev.object({ rulesChanged: z.boolean() }) },
  'segment.deleted': { subject: 'segment', data: named },
  'form.created': { subject: 'form', data: ev.object({ slug: z.string(), doubleOptIn: z.boolean() }) },
  'form.updated': { subject: 'form', data: ev.object({ changed: ev.changed() }) },
  'form.archived': { subject: 'form', data: ev.object({ changed: ev.changed() }) },
  'form.lead_magnet_attached': { subject: 'form', data: ev.object({ name: z.string().nullable(), size: z.number() }) },
  'form.lead_magnet_removed': { subject: 'form', data: ev.empty() },
  'form.lead_magnet_downloaded': { subject: 'form', data: ev.object({ contactId: ev.id() }) },
  'import.uploaded': { subject: 'import', data: ev.object({ fileName: z.string(), size: z.number(), format: z.unknown() }) },
  'import.started': { subject: 'import', data: ev.object({ fileName: z.string(), format: z.unknown() }) },
  'import.cancelled': { subject: 'import', data: importProgress },
  'import.resumed': { subject: 'import', data: importProgress },
  'import.failed': { subject: 'import', data: ev.object({ error: z.string().nullable(), rowsDone: z.number().int() }) },
  'import.completed': {
    subject: 'import',
    data: ev.object({ rows: z.number().int(), imported: z.number().int(), updated: z.number().int(), skipped: z.number().int(), errored: z.number().int() }),
  },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof audienceEvents> {}
}
