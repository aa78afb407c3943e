// Approval routes. Everyone on the team sees the requests they made; the owner and admins see
// them all; the owner decides (approvals.decide), and an admin decides the requests the owner
// handed to them (approvals.decide_delegated, checked against the request). A decided request
// answers 409.
import { z } from 'zod';
import { routesFor, type AnyRoute, type Principal } from '../../http/route.js';
import type { Database, Db } from '../../db/client.js';
import type { ApprovalService } from './index.js';
import { notFound } from '../../errors.js';
import { approvalListQuery, approvalListShape, approvalResultShape } from './contract.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface ApprovalsRouteDeps {
  approvals: ApprovalService;
  database: Database;
  db: Db;
}
const defineRoute = routesFor<ApprovalsRouteDeps>();

const idParam = z.object({ id: z.uuid() });
const tags = ['approvals'];
const seesAll = (p: Principal) => p.role === 'owner' || p.role === 'admin';
const actorId = (p: Principal) => (p.actor.kind === 'system' ? '' : p.actor.id);

async function readable(app: ApprovalsRouteDeps, principal: Principal, id: string) {
  const r = await app.approvals.get(app.db, id);
  // Someone else's request is "not found" to an assistant, not "forbidden": its existence is not theirs to know.
  if (!r || (!seesAll(principal) && r.requestedBy.id !== actorId(principal))) return null;
  return r;
}

export const approvalRoutes: AnyRoute<ApprovalsRouteDeps>[] = [
  defineRoute({
    method: 'GET', url: '/api/approvals', access: { permission: 'approvals.read' }, tags,
    summary: 'Approval requests, urgent and newest first (assistants see their own)',
    query: approvalListQuery,
    response: approvalListShape,
    handler: async ({ app, principal, query }) => ({
      approvals: await app.approvals.list(app.db, { ...query, ...(seesAll(principal) ? {} : { requestedById: actorId(principal) || '-' }) }),
      kinds: app.approvals.registeredKinds(),
    }),
  }),
  defineRoute({
    method: 'GET', url: '/api/approvals/:id', access: { permission: 'approvals.read' }, tags,
    summary: 'One approval request',
    params: idParam,
    response: approvalResultShape,
    handler: async ({ app, principal, params }) => {
      const approval = await readable(app, principal, params.id);
      if (!approval) throw notFound('The approval request');
      return { approval };
    },
  }),
  ...(['approve', 'refuse'] as const).map((decision) =>
    defineRoute({
      method: 'POST', url: `/api/approvals/:id/${decision}`, access: { permission: 'approvals.decide' }, tags, audit: `approval.${decision === 'approve' ? 'approved' : 'refused'}`,
      summary: decision === 'approve' ? 'Approve: the requested action runs now' : 'Refuse, with a note for the requester',
      params: idParam,
      body: z.object({ note: z.string().max(2000).optional() }).optional(),
      response: approvalResultShape,
      handler: async ({ app, actor, params, body, auditTarget }) => {
        auditTarget('approval', params.id);
        return { approval: await app.approvals.decide(params.id, { decision, note: body?.note, actor }) };
      },
    }),
  ),
  ...(['approve', 'refuse'] as const).map((decision) =>
    defineRoute({
      method: 'POST', url: `/api/approvals/:id/delegated/${decision}`, access: { permission: 'approvals.decide_delegated' }, tags, audit: `approval.${decision === 'approve' ? 'approved' : 'refused'}`,
      summary: decision === 'approve' ? 'Approve a request the owner handed to you: the requested action runs now' : 'Refuse a request the owner handed to you, with a note for the requester',
      params: idParam,
      body: z.object({ note: z.string().max(2000).optional() }).optional(),
      response: approvalResultShape,
      handler: async ({ app, actor, params, body, auditTarget }) => {
        auditTarget('approval', params.id);
        return { approval: await app.approvals.decide(params.id, { decision, note: body?.note, actor, asDelegate: true }) };
      },
    }),
  ),
  defineRoute({
    method: 'POST', url: '/api/approvals/:id/cancel', access: { permission: 'approvals.read' }, tags, audit: 'approval.cancelled',
    summary: 'Withdraw a pending request (its requester, or the owner or an admin; anyone else gets 404)',
    params: idParam,
    response: approvalResultShape,
    handler: async ({ app, principal, actor, params, auditTarget }) => {
      const r = await readable(app, principal, params.id);
      if (!r) throw notFound('The approval request');
      auditTarget('approval', params.id);
      await app.database.transaction((tx) => app.approvals.cancelInTx(tx, params.id, actor));
      return { approval: (await app.approvals.get(app.db, params.id))! };
    },
  }),
];
