// Core tables shared by every module: the business event log (the spine), the audit log
// and system settings (generated secrets live here so several processes share them).
import { bigint, bigserial, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { ActorKind } from '../actor.js';

export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    type: text('type').notNull(),
    /** owner | assistant | automation | customer | system */
    actorKind: text('actor_kind').notNull(),
    /** user id, workflow id or contact id; null for system */
    actorId: text('actor_id'),
    /** For staff actors, the role they acted in (owner, admin, support, …). */
    actorRole: text('actor_role'),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    /** The contact the event is about (subject, data.contactId or the acting customer; see contactOf). */
    contactId: text('contact_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    requestId: text('request_id'),
  },
  (t) => [
    index('events_occurred_at_idx').on(t.occurredAt),
    index('events_type_idx').on(t.type, t.occurredAt),
    index('events_actor_idx').on(t.actorKind, t.occurredAt),
    index('events_subject_idx').on(t.subjectType, t.subjectId),
    // The customer timeline and the segment rules that read events ask by contact (and type).
    index('events_contact_idx').on(t.contactId, t.type, t.occurredAt),
  ],
);

/**
 * One row per (event, subscriber) whose effect was applied: written in the subscriber's own
 * transaction, so a handler retried after a crash sees it and does not apply the effect twice.
 */
export const eventDeliveries = pgTable(
  'event_deliveries',
  {
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    subscriber: text('subscriber').notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.subscriber] })],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorKind: text('actor_kind').$type<ActorKind>().notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    /** allowed | denied */
    outcome: text('outcome').$type<'allowed' | 'denied'>().notNull().default('allowed'),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_actor_idx').on(t.actorKind, t.actorId, t.at)],
);

export const systemSettings = pgTable('system_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
