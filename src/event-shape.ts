// A business event as the API sends it: the activity feed (src/http/contract.ts) and an order's or
// a customer's history (src/modules/checkout/contract.ts) answer with this one shape. Plain data,
// outside src/http so a module's contract.ts may use it.
import { z } from 'zod';

export const eventShape = z.object({
  id: z.number(),
  occurredAt: z.date(),
  type: z.string(),
  /** one of actorKinds (src/actor.ts); the log stores it as text */
  actorKind: z.string(),
  actorId: z.string().nullable(),
  actorRole: z.string().nullable(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
