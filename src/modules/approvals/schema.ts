// Approval requests: an action someone may not take alone (a refund above their limit, a post
// their role may not publish) waits here for the owner's decision. The kind names what runs on
// approval; the requesting module registers it (src/app.ts) and owns what it does.
import { index, jsonb, pgTable, text, timestamp, boolean, uuid } from 'drizzle-orm/pg-core';
import type { ActorKind } from '../../actor.js';

export type ApprovalStatus = 'pending' | 'approved' | 'refused' | 'cancelled';

export const approvalRequests = pgTable(
  'approval_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    /** the action's parameters, validated by the kind's schema on request and again on approval */
    data: jsonb('data').$type<unknown>().notNull(),
    status: text('status').$type<ApprovalStatus>().notNull().default('pending'),
    urgent: boolean('urgent').notNull().default(false),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    requestedByKind: text('requested_by_kind').$type<ActorKind>().notNull(),
    requestedById: text('requested_by_id'),
    requestedByRole: text('requested_by_role'),
    decidedByKind: text('decided_by_kind').$type<ActorKind>(),
    decidedById: text('decided_by_id'),
    decidedByRole: text('decided_by_role'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /**
     * The admin the owner handed this request to (from the weekly review): they may decide it
     * alongside the owner. Null: the owner's alone.
     */
    delegatedToId: text('delegated_to_id'),
    delegatedAt: timestamp('delegated_at', { withTimezone: true }),
    /** the decider's note (why refused, what was changed) */
    note: text('note'),
    /** what the approved action reported (e.g. "Refunded 120.00 EUR") */
    result: text('result'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('approval_requests_status_idx').on(t.status, t.createdAt), index('approval_requests_subject_idx').on(t.subjectType, t.subjectId)],
);
