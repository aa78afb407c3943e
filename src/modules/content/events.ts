// The blog's events (a contract: subscribers, webhooks and the owner's measures read them).
// Every step of a post's life names its actor, so the owner's share of content work shows.
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const post = ev.object({ slug: z.string(), title: z.string() });

export const contentEvents = defineEvents({
  'post.created': { subject: 'post', data: post },
  'post.updated': { subject: 'post', data: ev.object({ slug: z.string(), title: z.string(), revision: ev.int() }) },
  /** sent for review: the writer's policy asks for the owner's approval */
  'post.submitted': { subject: 'post', data: ev.object({ slug: z.string(), title: z.string(), revision: ev.int(), approvalId: ev.id().nullable().optional(), at: ev.iso().nullable().optional() }) },
  'post.scheduled': { subject: 'post', data: ev.object({ slug: z.string(), title: z.string(), at: ev.iso() }) },
  'post.published': { subject: 'post', data: ev.object({ slug: z.string(), title: z.string(), version: ev.int(), revision: ev.int().optional(), approvalId: ev.id().nullable().optional() }) },
  'post.unpublished': { subject: 'post', data: post },
  /** the owner refused a submission: the post is a draft again */
  'post.refused': { subject: 'post', data: ev.object({ slug: z.string(), title: z.string(), approvalId: ev.id(), note: z.string().nullable().optional() }) },
  'post.restored': { subject: 'post', data: ev.object({ slug: z.string(), title: z.string(), from: ev.int(), revision: ev.int() }) },
  'post.deleted': { subject: 'post', data: post },
  'post.newsletter_sent': { subject: 'post', data: ev.object({ slug: z.string(), broadcastId: ev.id(), segmentId: ev.id().nullable().optional() }) },
  'redirect.saved': { subject: 'redirect', data: ev.object({ from: z.string(), to: z.string(), automatic: z.boolean() }) },
  'redirect.deleted': { subject: 'redirect', data: ev.object({ from: z.string() }) },
  'blog.settings_updated': { subject: null, data: ev.object({ changed: ev.changed() }) },
  'calendar.item_saved': { subject: 'calendar_item', data: ev.object({ title: z.string(), dueOn: z.string(), ownerId: ev.id().nullable().optional(), done: z.boolean().optional() }) },
  'calendar.item_deleted': { subject: 'calendar_item', data: ev.object({ title: z.string() }) },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof contentEvents> {}
}
