// Automation admin API: workflows, publishing, enrolment, and what each one did. One line per
// route; handlers validate, call the automation service, return.
import { z } from 'zod';
import { routesFor, type AnyRoute } from '../../http/route.js';
import type { AutomationService } from './index.js';
import type { Logger } from 'pino';
import { notFound } from '../../errors.js';
import {
  createWorkflowBody,
  dryRunBody,
  dryRunShape,
  enrolBody,
  enrolledShape,
  publishBody,
  publishedShape,
  removedShape,
  timelineShape,
  updateWorkflowBody,
  workflowDetailShape,
  workflowListShape,
  workflowShape,
  runListQuery,
  runListShape,
  taskSubjectListShape,
  taskSubjectQuery,
  templateListShape,
} from './contract.js';
import { templates } from './templates.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface AutomationRouteDeps {
  automation: AutomationService;
  log: Logger;
}
const defineRoute = routesFor<AutomationRouteDeps>();

// ---- shapes (the staff API's are in contract.ts, shared with the admin) ----------------------

const idParam = z.object({ id: z.uuid() });
const read = { permission: 'automation.read' } as const;
const write = { permission: 'automation.write' } as const;
const tags = ['automation'];

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const token = z.object({ token: z.string().max(200) });

export const automationRoutes: AnyRoute<AutomationRouteDeps>[] = [
  // ---- public: opens and clicks of the workflows' emails (signed tokens, see email-tracking.ts) --
  defineRoute({
    method: 'GET', url: '/a/o/:token', access: 'public', kind: 'page',
    summary: 'Open pixel of a workflow email',
    params: token,
    handler: async ({ app, params, reply }) => {
      await app.automation.engine.recordEmailActivity(params.token.replace(/\.gif$/, '')).catch((err) => app.log.warn({ err }, 'automation open not recorded'));
      return reply.type('image/gif').header('cache-control', 'no-store, private').send(PIXEL);
    },
  }),
  defineRoute({
    method: 'GET', url: '/a/c/:token', access: 'public', kind: 'page',
    summary: 'Click redirect of a workflow email: records the click and sends the person to the link',
    params: token,
    handler: async ({ app, params, reply }) => {
      const url = await app.automation.engine.recordEmailActivity(params.token);
      if (!url) throw notFound('Link');
      return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(url, 302);
    },
  }),

  defineRoute({
    method: 'GET', url: '/api/automations', access: read, tags,
    summary: 'Workflows with their run counts, revenue and health',
    response: workflowListShape,
    handler: async ({ app }) => ({ workflows: await app.automation.list(), health: await app.automation.health() }),
  }),
  defineRoute({
    method: 'GET', url: '/api/automations/templates', access: read, tags,
    summary: 'Ready-made workflows to start from',
    response: templateListShape,
    handler: async () => ({ templates: templates.map((t) => ({ id: t.id, name: t.name, description: t.description, definition: t.definition })) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/automations/task-subjects', access: write, tags,
    summary: "What a workflow's task step can be about: courses, blog posts and products whose title contains q (type, id and title only)",
    query: taskSubjectQuery,
    response: taskSubjectListShape,
    handler: async ({ app, query }) => ({ subjects: await app.automation.searchTaskSubjects(query.q, { type: query.type, limit: query.limit }) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/automations', access: write, tags, audit: 'automation.created', status: 201,
    summary: 'Create a workflow (a draft), empty, from a template or from a definition',
    body: createWorkflowBody,
    response: workflowShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const w = await app.automation.create(body, actor);
      auditTarget('workflow', w.id, { name: w.name, template: w.template });
      return w;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/automations/:id', access: read, tags,
    summary: 'One workflow: its draft, what stops it from being published, its versions and per-step counts',
    params: idParam,
    response: workflowDetailShape,
    handler: async ({ app, params }) => ({ ...(await app.automation.get(params.id)), steps: await app.automation.stepStats(params.id) }),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/automations/:id', access: write, tags, audit: 'automation.updated',
    summary: 'Rename a workflow or save its draft (runs are not affected until it is published)',
    params: idParam,
    body: updateWorkflowBody,
    response: workflowShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('workflow', params.id, { changed: Object.keys(body) });
      return app.automation.update(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/automations/:id/publish', access: write, tags, audit: 'automation.published',
    summary: 'Publish the draft as a new version; waiting runs keep their version or move to the new one at the same step',
    params: idParam,
    body: publishBody,
    response: publishedShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      const r = await app.automation.publish(params.id, body, actor);
      auditTarget('workflow', params.id, r);
      return r;
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/automations/:id/pause', access: write, tags, audit: 'automation.paused',
    summary: 'Stop taking contacts in (runs already going continue)',
    params: idParam,
    response: workflowShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('workflow', params.id);
      return app.automation.setPaused(params.id, true, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/automations/:id/resume', access: write, tags, audit: 'automation.resumed',
    summary: 'Take contacts in again',
    params: idParam,
    response: workflowShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('workflow', params.id);
      return app.automation.setPaused(params.id, false, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/automations/:id', access: write, tags, audit: 'automation.deleted',
    summary: 'Delete a workflow: its running and waiting runs end with that reason',
    params: idParam,
    response: removedShape,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('workflow', params.id);
      return app.automation.remove(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/automations/:id/enrol', access: write, tags, audit: 'automation.enrolled',
    summary: 'Enrol contacts by hand or from the API (chosen contacts, or a segment); needs a manual trigger',
    params: idParam,
    body: enrolBody,
    response: enrolledShape,
    handler: async ({ app, actor, params, body, req, auditTarget }) => {
      const r = await app.automation.enrol(params.id, { ...body, requestKey: body.requestKey ?? String(req.id) }, actor);
      auditTarget('workflow', params.id, r);
      return r;
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/automations/:id/dry-run', access: read, tags, audit: false,
    summary: 'Which steps the draft would run for a contact, and when (virtual time; nothing is changed)',
    params: idParam,
    body: dryRunBody,
    response: dryRunShape,
    handler: ({ app, params, body }) => app.automation.dryRun(params.id, body.contactId),
  }),
  defineRoute({
    method: 'GET', url: '/api/automations/:id/runs', access: read, tags,
    summary: 'Runs of a workflow, newest first',
    params: idParam,
    query: runListQuery,
    response: runListShape,
    handler: async ({ app, params, query }) => ({ runs: await app.automation.runs(params.id, query) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/automation-runs/:id', access: read, tags,
    summary: 'One run and the timeline of its steps',
    params: idParam,
    response: timelineShape,
    handler: ({ app, params }) => app.automation.timeline(params.id),
  }),
  defineRoute({
    method: 'POST', url: '/api/automation-runs/:id/retry', access: write, tags, audit: 'automation.step_retried', status: 204,
    summary: 'Run a failed step again',
    params: idParam,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('automation_run', params.id);
      await app.automation.resumeFailed(params.id, 'retry', actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/automation-runs/:id/skip', access: write, tags, audit: 'automation.step_skipped', status: 204,
    summary: 'Skip a failed step and go on with the next',
    params: idParam,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('automation_run', params.id);
      await app.automation.resumeFailed(params.id, 'skip', actor);
    },
  }),
];
