// The shapes of the routes that belong to no single module (src/http/core-routes.ts): the
// activity feed (business events) and the audit log. Zod schemas the routes validate responses
// with, and the types the admin app uses for them (imported as types only). Plain data: no
// server code may be imported here.
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
