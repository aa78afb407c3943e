// The shapes of the routes that belong to no single module (src/http/core-routes.ts): the
// activity feed (business events) and the audit log. Zod schemas the routes validate their
// queries and responses with, and the types the admin app uses for them (imported as types
// only). Plain data: no server code may be imported here.
import { z } from 'zod';
import { actorKinds } from '../actor.js';
import type { Wire } from '../wire.js';
import { eventShape } from '../event-shape.js';

export { eventShape };

export const auditOutcomes = ['allowed', 'denied'] as const;
export const auditShape = z.object({
  id: z.number(),
  at: z.date(),
  actorKind: z.enum(actorKinds),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  action: z.string(),
  outcome: z.enum(auditOutcomes),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export type BusinessEvent = Wire<z.output<typeof eventShape>>;
export type AuditEntry = Wire<z.output<typeof auditShape>>;

const limit = z.coerce.number().int().min(1).max(200).default(50);
/** GET /api/activity's query: an actor kind, a type (a prefix with a trailing dot), the page before a cursor. */
export const activityQuery = z.object({ actorKind: z.enum(actorKinds).optional(), type: z.string().max(80).optional(), before: z.string().max(40).optional(), limit });
/** GET /api/audit's query: one actor, allowed or denied, the page before an entry id. */
export const auditQuery = z.object({ actorId: z.string().max(64).optional(), outcome: z.enum(auditOutcomes).optional(), before: z.coerce.number().int().positive().optional(), limit });

/** GET /api/activity: newest first; nextBefore is the next page's `before` (null: no more); names labels the subjects. */
export const activityPageShape = z.object({ events: z.array(eventShape), nextBefore: z.string().nullable(), names: z.record(z.string(), z.string()) });
/** GET /api/activity/types: the event types seen so far. */
export const activityTypesShape = z.object({ types: z.array(z.string()) });
/** GET /api/audit: newest first; nextBefore is the next page's `before` (null: no more). */
export const auditPageShape = z.object({ entries: z.array(auditShape), nextBefore: z.number().nullable() });
/** GET and POST /api/demo: whether the demo business is loaded. */
export const demoStatusShape = z.object({ loaded: z.boolean() });

export type ActivityPage = Wire<z.output<typeof activityPageShape>>;
export type ActivityTypes = z.output<typeof activityTypesShape>;
export type AuditPage = Wire<z.output<typeof auditPageShape>>;
export type DemoStatus = z.output<typeof demoStatusShape>;
