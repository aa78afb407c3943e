// The approvals API's response shapes, shared with the admin (no server code here): the routes
// validate with them, the admin's types are derived from them.
import { z } from 'zod';
import type { Wire } from '../../wire.js';

const who = z.object({ kind: z.string(), id: z.string().nullable(), role: z.string().nullable() });
export const approvalShape = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  summary: z.string(),
  data: z.unknown(),
  status: z.enum(['pending', 'approved', 'refused', 'cancelled']),
  urgent: z.boolean(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  requestedBy: who,
  decidedBy: who.nullable(),
  decidedAt: z.date().nullable(),
  delegatedToId: z.string().nullable(),
  delegatedAt: z.date().nullable(),
  note: z.string().nullable(),
  result: z.string().nullable(),
  createdAt: z.date(),
});
export const approvalListShape = z.object({ approvals: z.array(approvalShape), kinds: z.array(z.string()) });
/** GET /api/approvals: one status, one kind. */
export const approvalListQuery = z.object({
  status: z.enum(['pending', 'approved', 'refused', 'cancelled']).optional(),
  kind: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/** One request after a read or a decision (GET /api/approvals/:id, approve, refuse, delegated, cancel). */
export const approvalResultShape = z.object({ approval: approvalShape });

export type Approval = Wire<z.output<typeof approvalShape>>;
export type ApprovalList = Wire<z.output<typeof approvalListShape>>;
export type ApprovalResult = Wire<z.output<typeof approvalResultShape>>;
