// The owner's API: the weekly review, the meter, alerts, delegations, the forecast and the
// owner's settings. Every route is the owner's alone (owner.review); one line per route.
import { z } from 'zod';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { Owner } from './index.js';
import { assignableRoles } from '../../permissions.js';
import { alertShape, delegationShape, forecastShape, meterShape, ownerSettingsShape, reviewShape } from './contract.js';
import { ownerSettingsInput } from './service.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface OwnerRouteDeps {
  owner: Owner;
}
const defineRoute = routesFor<OwnerRouteDeps>();

const access = { permission: 'owner.review' } as const;

/** What the review's Reassign sends: one of the three things, and to whom. */
const reassignInput = z.union([
  z.object({ conversationId: z.uuid(), assigneeId: z.uuid() }).strict(),
  z.object({ taskOccurrenceId: z.uuid(), assigneeId: z.uuid() }).strict(),
  z.object({ taskOccurrenceId: z.uuid(), assigneeRole: z.enum(assignableRoles) }).strict(),
  z.object({ approvalId: z.uuid(), assigneeId: z.uuid() }).strict(),
]);
const tags = ['owner'];

export const ownerRoutes: AnyRoute<OwnerRouteDeps>[] = [
  defineRoute({
    method: 'GET', url: '/api/owner/review', access, tags, response: reviewShape,
    summary: 'This week\'s review: KPIs against the usual week, what moved, what ran without the owner, at most seven decisions, assistant reports',
    handler: ({ app }) => app.owner.review(),
  }),
  defineRoute({
    method: 'GET', url: '/api/owner/meter', access, tags, response: meterShape,
    summary: 'The involvement meter: 12 weeks of operations by actor, the owner\'s time, the 4D mix and the processes that still need the owner',
    handler: ({ app }) => app.owner.meter(),
  }),
  defineRoute({
    method: 'GET', url: '/api/owner/forecast', access, tags, response: forecastShape,
    summary: 'The 90-day absence forecast: what stops, goes stale, piles up, and the revenue with its range',
    handler: ({ app }) => app.owner.forecast(),
  }),
  defineRoute({
    method: 'GET', url: '/api/owner/alerts', access, tags,
    summary: 'Alerts, newest first',
    query: z.object({ status: z.enum(['open', 'acknowledged', 'resolved']).optional() }),
    response: z.object({ alerts: z.array(alertShape) }),
    handler: async ({ app, query }) => ({ alerts: await app.owner.listAlerts(query) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/owner/alerts/:id/acknowledge', access, tags, audit: 'owner.alert_acknowledged',
    summary: 'Acknowledge an alert: it leaves the decisions',
    params: z.object({ id: z.uuid() }),
    response: alertShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('owner_alert', params.id);
      return app.owner.acknowledgeAlert(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/owner/delegations', access, tags, audit: 'owner.delegation_accepted', status: 204,
    summary: 'Accept a suggested delegation: a process that still needed the owner is handed to a role',
    body: z.object({
      eventType: z.string().min(3).max(100),
      role: z.string().min(1).max(40),
      /** refunds: the role's new refund limit, minor units */
      refundMax: z.number().int().positive().max(100_000_000).optional(),
      /** blog posts: publish without approval only posts tagged only with these (none: every post) */
      publishTags: z.array(z.string().trim().toLowerCase().min(1).max(40)).min(1).max(20).optional(),
      /** broadcasts: the marketing role's new send limit (people per send, sends per 7 days) */
      sendLimit: z.object({ maxRecipients: z.number().int().min(0).max(10_000_000).optional(), maxPerWeek: z.number().int().min(0).max(100).optional() }).strict().optional(),
    }).strict(),
    handler: async ({ app, actor, body, auditTarget }) => {
      auditTarget('owner_delegation', body.eventType, body);
      await app.owner.acceptDelegation(body.eventType, body.role, actor, { refundMax: body.refundMax, publishTags: body.publishTags, sendLimit: body.sendLimit });
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/owner/delegations', access, tags,
    summary: 'Accepted delegations, with the refund limit or publishing policy each changed',
    response: z.object({ delegations: z.array(delegationShape) }),
    handler: async ({ app }) => ({ delegations: await app.owner.delegations() }),
  }),
  defineRoute({
    method: 'DELETE', url: '/api/owner/delegations/:eventType', access, tags, audit: 'owner.delegation_revoked', status: 204,
    summary: 'Take a delegation back: the process may be suggested again and a refund limit or publishing policy it changed is set back',
    params: z.object({ eventType: z.string().min(3).max(100) }),
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('owner_delegation', params.eventType);
      await app.owner.revokeDelegation(params.eventType, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/owner/reassign', access, tags, audit: 'owner.reassigned', status: 204,
    summary: 'From the weekly review: reassign an escalated conversation or an overdue task (to a person or, a task, a role), or hand a pending approval to an admin who may then decide it (each leaves the decisions)',
    body: reassignInput,
    handler: async ({ app, actor, body, auditTarget }) => {
      if ('conversationId' in body) {
        auditTarget('support_conversation', body.conversationId, { assigneeId: body.assigneeId });
        await app.owner.reassignConversation(body.conversationId, body.assigneeId, actor);
      } else if ('taskOccurrenceId' in body) {
        auditTarget('task_occurrence', body.taskOccurrenceId, 'assigneeId' in body ? { assigneeId: body.assigneeId } : { assigneeRole: body.assigneeRole });
        await app.owner.reassignTask(body.taskOccurrenceId, 'assigneeId' in body ? { userId: body.assigneeId } : { role: body.assigneeRole }, actor);
      } else {
        auditTarget('approval', body.approvalId, { assigneeId: body.assigneeId });
        await app.owner.delegateApproval(body.approvalId, body.assigneeId, actor);
      }
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/owner/settings', access, tags, response: ownerSettingsShape,
    summary: 'The owner\'s time budget, away mode and course review limit',
    handler: ({ app }) => app.owner.getSettings(),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/owner/settings', access, tags, audit: 'owner.settings_updated', response: ownerSettingsShape,
    summary: 'Change the time budget, away dates and delegate, or the course review limit',
    body: ownerSettingsInput,
    handler: async ({ app, actor, body, auditTarget }) => {
      auditTarget('owner_settings', '1', { changed: Object.keys(body) });
      return app.owner.updateSettings(body, actor);
    },
  }),
];
