// Cookieless traffic: daily salts, visits (sessions), raw events and their daily rollups.
// Nothing here holds an IP address, a user agent string or a cookie: a visitor is a keyed
// hash that changes every day and cannot be recomputed once its salt is deleted.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, customType, date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** One random salt per UTC day; the newest two are used, older than 48 h deleted. */
export const analyticsSalts = pgTable('analytics_salts', {
  day: date('day', { mode: 'string' }).primaryKey(),
  salt: bytea('salt').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** A visit: consecutive events of one visitor with less than 30 minutes between them. */
export const analyticsVisits = pgTable(
  'analytics_visits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    visitorId: bigint('visitor_id', { mode: 'number' }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull(),
    pageviews: integer('pageviews').notNull().default(0),
    entryPath: text('entry_path').notNull(),
    channel: text('channel').notNull(),
    source: text('source').notNull(),
    campaign: text('campaign').notNull(),
    device: text('device').notNull(),
    browser: text('browser').notNull(),
  },
  (t) => [index('analytics_visits_visitor_idx').on(t.visitorId, t.lastAt)],
);

/**
 * Raw events. Each carries its visit's attributes (copied at ingest), so every filter and
 * every breakdown is a plain GROUP BY over one table, and the rollups are one statement.
 */
export const analyticsEvents = pgTable(
  'analytics_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** pageview | a custom event name (signup, outbound, engagement, …) */
    name: text('name').notNull(),
    visitorId: bigint('visitor_id', { mode: 'number' }).notNull(),
    visitId: bigint('visit_id', { mode: 'number' }).notNull(),
    /** the first pageview of its visit */
    entry: boolean('entry').notNull().default(false),
    path: text('path').notNull(),
    channel: text('channel').notNull(),
    source: text('source').notNull(),
    campaign: text('campaign').notNull(),
    entryPath: text('entry_path').notNull(),
    device: text('device').notNull(),
    browser: text('browser').notNull(),
    props: jsonb('props').$type<Record<string, string>>(),
  },
  (t) => [
    index('analytics_events_at_idx').on(t.at),
    // the raw tail: every event of the visitors seen since the rollup watermark (queries.ts, readTail)
    index('analytics_events_visitor_idx').on(t.visitorId),
    // revenue attribution: an order's order_paid step (revenue.ts)
    index('analytics_events_order_idx').on(sql`(${t.props}->>'order')`).where(sql`${t.name} = 'order_paid'`),
  ],
);

/**
 * Daily rollup per dimension and per pair of dimensions (so one filter applies to every
 * panel). d1 < d2 alphabetically; '' means "all": (d1 '', d2 '') is the day's total.
 */
export const analyticsDaily = pgTable(
  'analytics_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    d1: text('d1').notNull(),
    v1: text('v1').notNull(),
    d2: text('d2').notNull(),
    v2: text('v2').notNull(),
    visitors: integer('visitors').notNull(),
    visits: integer('visits').notNull(),
    /** visits that entered in this row (bounce rate and visit duration are over these) */
    entries: integer('entries').notNull(),
    pageviews: integer('pageviews').notNull(),
    bounces: integer('bounces').notNull(),
    durationS: bigint('duration_s', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.d1, t.d2, t.v1, t.v2, t.day] }), index('analytics_daily_day_idx').on(t.day)],
);

/** Hourly totals per channel, for the "today" chart and alerts that look at hours. */
export const analyticsHourly = pgTable(
  'analytics_hourly',
  {
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    channel: text('channel').notNull(),
    visitors: integer('visitors').notNull(),
    visits: integer('visits').notNull(),
    pageviews: integer('pageviews').notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.channel] })],
);

/** Where the rollup job has got to: events with an id above this are not rolled up yet. */
export const analyticsRollupState = pgTable('analytics_rollup_state', {
  id: smallint('id').primaryKey(),
  lastEventId: bigint('last_event_id', { mode: 'number' }).notNull(),
});

/** A funnel the team saved: its name and its 2–8 steps (`page:/p/bowls`, `event:order_paid`), computed for any period. */
export const analyticsFunnels = pgTable('analytics_funnels', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  steps: jsonb('steps').$type<{ kind: 'page' | 'event'; match: string }[]>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
