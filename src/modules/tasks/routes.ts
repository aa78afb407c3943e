// SOP and task routes. Managers (tasks.manage) write SOPs and tasks; everyone (tasks.work)
// reads SOPs and works the occurrences assigned to them or their role (the service refuses
// someone else's). Every write records its actor in the event it causes.
import { z } from 'zod';
import { routesFor, type AnyRoute, type Principal } from '../../http/route.js';
import type { TasksService } from './index.js';
import { invalid } from '../../errors.js';
import {
  myDayShape,
  notificationSettingsShape,
  occurrenceListShape,
  occurrenceShape,
  sopDetailShape,
  sopInputSchema,
  sopListShape,
  sopPatchSchema,
  sopPreviewShape,
  sopShape,
  subjectListShape,
  subjectQuery,
  taskInputSchema,
  taskListShape,
  taskPatchSchema,
  taskShape,
} from './contract.js';
import type { Caller } from './service.js';
import { tasksPublicRoutes, type TasksPublicRouteDeps } from './public-routes.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface TasksRouteDeps extends TasksPublicRouteDeps {
  tasks: TasksService;
}
const defineRoute = routesFor<TasksRouteDeps>();

const idParam = z.object({ id: z.uuid() });
const manage = { permission: 'tasks.manage' } as const;
const work = { permission: 'tasks.work' } as const;
const tags = ['tasks'];

/** Settings are a person's: an API key has none. */
function sessionUser(principal: Principal): string {
  if (principal.type !== 'session') throw invalid('Only a signed-in team member has reminder settings');
  return principal.userId;
}

function callerOf(principal: Principal): Caller {
  return { actor: principal.actor, role: principal.role, userId: principal.type === 'session' ? principal.userId : null };
}

export const tasksRoutes: AnyRoute<TasksRouteDeps>[] = [
  // ---- My day --------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/tasks/my-day', access: work, tags,
    summary: "The caller's open tasks due by today (theirs and their role's), overdue first, and those closed today",
    response: myDayShape,
    handler: async ({ app, principal }) => app.tasks.myDay(callerOf(principal)),
  }),
  defineRoute({
    method: 'POST', url: '/api/task-occurrences/:id/items/:itemId', access: work, tags, audit: 'task.item_checked',
    summary: 'Tick (or untick) one checklist item of a task occurrence',
    params: z.object({ id: z.uuid(), itemId: z.string().regex(/^i\d{1,3}$/) }),
    body: z.object({ done: z.boolean() }),
    response: occurrenceShape,
    handler: async ({ app, principal, params, body, auditTarget }) => {
      auditTarget('task_occurrence', params.id, { itemId: params.itemId, done: body.done });
      return app.tasks.checkItem(params.id, params.itemId, body.done, callerOf(principal));
    },
  }),
  defineRoute({
    method: 'PUT', url: '/api/task-occurrences/:id/checklist', access: manage, tags, audit: 'task.checklist_edited',
    summary: "Change an open task occurrence's checklist: the item texts in their new order (unchanged texts keep their ticks)",
    params: idParam,
    body: z.object({ items: z.array(z.string().trim().min(1, 'Every item needs its text').max(500).refine((t) => !t.includes('\u0000'), 'No NUL characters')).max(100, 'At most 100 items') }).strict(),
    response: occurrenceShape,
    handler: async ({ app, principal, params, body, auditTarget }) => {
      auditTarget('task_occurrence', params.id, { items: body.items.length });
      return app.tasks.editChecklist(params.id, body.items, callerOf(principal));
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/task-occurrences/:id/complete', access: work, tags, audit: 'task.completed',
    summary: 'Mark a task occurrence done (its checklist must be ticked)',
    params: idParam,
    body: z.object({}).strict().optional(),
    response: occurrenceShape,
    handler: async ({ app, principal, params, auditTarget }) => {
      auditTarget('task_occurrence', params.id);
      return app.tasks.complete(params.id, callerOf(principal));
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/task-occurrences/:id/skip', access: work, tags, audit: 'task.skipped',
    summary: 'Skip a task occurrence, saying why',
    params: idParam,
    body: z.object({ reason: z.string().trim().min(1, 'Say why').max(1000) }),
    response: occurrenceShape,
    handler: async ({ app, principal, params, body, auditTarget }) => {
      auditTarget('task_occurrence', params.id);
      return app.tasks.skip(params.id, body.reason, callerOf(principal));
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/task-occurrences/:id/reopen', access: work, tags, audit: 'task.reopened',
    summary: 'Open a done or skipped task occurrence again (then its checklist items can be unticked)',
    params: idParam,
    body: z.object({ reason: z.string().trim().max(1000).optional() }).strict().optional(),
    response: occurrenceShape,
    handler: async ({ app, principal, params, body, auditTarget }) => {
      auditTarget('task_occurrence', params.id);
      return app.tasks.reopen(params.id, body?.reason ?? '', callerOf(principal));
    },
  }),

  defineRoute({
    method: 'GET', url: '/api/tasks/my-settings', access: work, tags,
    summary: "The caller's task reminder choice (an email when one of their tasks becomes overdue)",
    response: notificationSettingsShape,
    handler: async ({ app, principal }) => app.tasks.notificationSettings(sessionUser(principal)),
  }),
  defineRoute({
    method: 'PUT', url: '/api/tasks/my-settings', access: work, tags, audit: 'task.reminders_set',
    summary: 'Turn overdue reminder emails on or off for the caller',
    body: notificationSettingsShape.strict(),
    response: notificationSettingsShape,
    handler: async ({ app, principal, body, auditTarget }) => {
      const userId = sessionUser(principal);
      auditTarget('user', userId, { overdueEmail: body.overdueEmail });
      return app.tasks.setNotificationSettings(userId, body);
    },
  }),
  defineRoute({
    method: 'GET', url: '/t/my-day/:token', access: 'public', kind: 'page',
    summary: "An overdue reminder's signed link: to My day with the task in view (signing in as usual)",
    params: z.object({ token: z.string().max(200) }),
    handler: async ({ app, params, reply }) => reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(app.tasks.reminderTarget(params.token), 302),
  }),
  ...tasksPublicRoutes,

  // ---- SOPs ----------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/sops', access: work, tags,
    summary: "Every SOP (the caller's role's first)",
    response: sopListShape,
    handler: async ({ app, principal }) => ({ sops: await app.tasks.listSops({ role: principal.role }) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/sops/:id', access: work, tags,
    summary: 'An SOP with its revision history (who changed what)',
    params: idParam,
    response: sopDetailShape,
    handler: async ({ app, params }) => app.tasks.getSop(params.id),
  }),
  defineRoute({
    method: 'POST', url: '/api/sops/preview', access: manage, tags, audit: false,
    summary: 'Render SOP Markdown as the sanitised HTML it will show as, with its checklist',
    body: z.object({ body: sopInputSchema.shape.body }),
    response: sopPreviewShape,
    handler: async ({ app, body }) => app.tasks.preview(body.body),
  }),
  defineRoute({
    method: 'POST', url: '/api/sops', access: manage, tags, audit: 'sop.created', status: 201,
    summary: 'Write an SOP (Markdown; `- [ ] step` lines are its checklist)',
    body: sopInputSchema,
    response: sopShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const sop = await app.tasks.createSop(body, actor);
      auditTarget('sop', sop.id);
      return sop;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/sops/:id', access: manage, tags, audit: 'sop.updated',
    summary: 'Change an SOP (a new revision; open tasks keep the checklist they were given)',
    params: idParam,
    body: sopPatchSchema,
    response: sopShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('sop', params.id, { changed: Object.keys(body) });
      return app.tasks.updateSop(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/sops/:id', access: manage, tags, audit: 'sop.archived',
    summary: 'Archive an SOP (its revisions are kept; tasks linked to it get no checklist from now on)',
    params: idParam,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('sop', params.id);
      await app.tasks.archiveSop(params.id, actor);
    },
  }),

  // ---- tasks ---------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/tasks', access: manage, tags,
    summary: 'Every task with its schedule and latest occurrence, and the people one can assign',
    response: taskListShape,
    handler: async ({ app }) => {
      const [list, people, day] = await Promise.all([app.tasks.listTasks(), app.tasks.people(), app.tasks.today()]);
      return { tasks: list, people, ...day };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/tasks/subjects', access: manage, tags,
    summary: 'What a task can be about: courses, blog posts and products whose title contains q',
    query: subjectQuery,
    response: subjectListShape,
    handler: async ({ app, query }) => ({ subjects: await app.tasks.searchSubjects(query.q, { type: query.type, limit: query.limit }) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/tasks', access: manage, tags, audit: 'task.created', status: 201,
    summary: 'Create a one-off or recurring task for a role or a person',
    body: taskInputSchema,
    response: taskShape,
    handler: async ({ app, actor, body, auditTarget }) => {
      const task = await app.tasks.createTask(body, actor);
      auditTarget('task', task.id);
      return task;
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/tasks/:id', access: manage, tags, audit: 'task.updated',
    summary: 'Change a task (reassigning moves its open occurrences too)',
    params: idParam,
    body: taskPatchSchema,
    response: taskShape,
    handler: async ({ app, actor, params, body, auditTarget }) => {
      auditTarget('task', params.id, { changed: Object.keys(body) });
      return app.tasks.updateTask(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/tasks/:id', access: manage, tags, audit: 'task.archived',
    summary: 'Archive a task: no more occurrences; open ones are skipped',
    params: idParam,
    handler: async ({ app, actor, params, auditTarget }) => {
      auditTarget('task', params.id);
      await app.tasks.archiveTask(params.id, actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/tasks/:id/occurrences', access: manage, tags,
    summary: "A task's occurrences, newest first: who did each, when, late or skipped",
    params: idParam,
    response: occurrenceListShape,
    handler: async ({ app, params }) => ({ occurrences: await app.tasks.taskHistory(params.id) }),
  }),
];
