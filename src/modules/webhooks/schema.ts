// Outbound webhooks: the endpoints the owner registered and every delivery made to them.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  url: text('url').notNull(),
  description: text('description').notNull().default(''),
  /** event types delivered; empty: every type */
  eventTypes: jsonb('event_types').$type<string[]>().notNull().default([]),
  enabled: boolean('enabled').notNull().default(true),
  /** the signing secret (whsec_…), sealed under the app's secret key; never returned after creation */
  secretSealed: text('secret_sealed').notNull(),
  /** after a rotation, the old secret still signs (a second signature) until this time */
  previousSecretSealed: text('previous_secret_sealed'),
  previousSecretUntil: timestamp('previous_secret_until', { withTimezone: true }),
  /** the first failed attempt since the last success; null while it succeeds */
  failingSince: timestamp('failing_since', { withTimezone: true }),
  disabledReason: text('disabled_reason'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export type { WebhookDeliveryStatus as DeliveryStatus } from './contract.js';
import type { WebhookDeliveryStatus as DeliveryStatus } from './contract.js';

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    /** the business event (null for a test delivery) */
    eventId: bigint('event_id', { mode: 'number' }),
    eventType: text('event_type').notNull(),
    /** webhook-id: the same for every attempt and every replay of one message */
    messageId: text('message_id').notNull(),
    /** the JSON body as sent (event data only: no secret) */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** a delivery being attempted is claimed until then (a crashed attempt is taken over after it) */
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    responseStatus: integer('response_status'),
    /** the first 2 000 characters of the answer */
    responseBody: text('response_body'),
    durationMs: integer('duration_ms'),
    error: text('error'),
    replayOf: uuid('replay_of'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    // One delivery per event and endpoint (replays are extra rows that name their original).
    uniqueIndex('webhook_deliveries_event_uq').on(t.endpointId, t.eventId).where(sql`${t.replayOf} is null and ${t.eventId} is not null`),
  ],
);
