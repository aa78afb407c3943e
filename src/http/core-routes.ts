// Routes that belong to no single module: activity (the event log), audit log, health,
// the OpenAPI document, demo data and the full export.
import { EventLog } from '../db/events.js';
import { getSetting } from '../db/secrets.js';
import { activityPageShape, activityQuery, activityTypesShape, auditPageShape, auditQuery, demoStatusShape } from './contract.js';
import { activityNames } from './activity-names.js';
import { routesFor, type AnyRoute } from './route.js';
import type { App } from '../app.js';

/** The core routes are the wiring's own (activity, audit, health): they see the App. */
const defineRoute = routesFor<App>();

export const coreRoutes: AnyRoute<App>[] = [
  defineRoute({
    method: 'GET', url: '/api/activity', access: { permission: 'activity.read' }, tags: ['activity'],
    summary: 'Business events, newest first, filterable by actor kind and type (prefix with a trailing dot)',
    query: activityQuery,
    response: activityPageShape,
    handler: async ({ app, query, principal }) => {
      const events = await app.events.list(app.db, query);
      return { events, nextBefore: events.length === query.limit ? EventLog.cursorAfter(events[events.length - 1]!) : null, names: await activityNames(app, principal.role, events) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/activity/types', access: { permission: 'activity.read' }, tags: ['activity'],
    summary: 'Event types seen so far (for the filter)',
    response: activityTypesShape,
    handler: async ({ app }) => ({ types: await app.events.types(app.db) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/audit', access: { permission: 'audit.read' }, tags: ['audit'],
    summary: 'Audit log: every admin write and every refused request (who, what, when, IP)',
    query: auditQuery,
    response: auditPageShape,
    handler: async ({ app, query }) => {
      const entries = await app.audit.list(app.db, query);
      return { entries, nextBefore: entries.length === query.limit ? entries[entries.length - 1]!.id : null };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/demo', access: { permission: 'demo.load' }, tags: ['setup'],
    summary: 'Whether the demo business is loaded',
    response: demoStatusShape,
    handler: async ({ app }) => ({ loaded: Boolean(await getSetting<boolean>(app.db, 'demo_loaded')) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/demo', access: { permission: 'demo.load' }, tags: ['setup'], audit: 'demo.loaded',
    summary: 'Load the demo business (once; later calls change nothing)',
    response: demoStatusShape,
    handler: async ({ app }) => {
      const { loadDemo } = await import('../demo/index.js');
      return { loaded: await loadDemo(app) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/export', access: { permission: 'data.export' }, tags: ['setup'], kind: 'page',
    summary: 'Download a full export of the business (every table, as gzipped JSON lines)',
    handler: async ({ app, reply, actor, req }) => {
      const { exportToStream } = await import('../db/export.js');
      await app.audit.write(app.db, { actor, action: 'data.exported', ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id });
      const stamp = app.clock.now().toISOString().slice(0, 10);
      reply.header('content-type', 'application/gzip');
      reply.header('content-disposition', `attachment; filename="onehour-export-${stamp}.jsonl.gz"`);
      return reply.send(exportToStream(app.database));
    },
  }),
  defineRoute({
    method: 'GET', url: '/healthz', access: 'public', kind: 'page', summary: 'Liveness: the process answers',
    handler: async () => ({ status: 'ok' }),
  }),
  defineRoute({
    method: 'GET', url: '/readyz', access: 'public', kind: 'page', summary: 'Readiness: database and job queue answer',
    handler: async ({ app, reply }) => {
      const checks: Record<string, string> = {};
      try {
        await app.database.execute('select 1');
        checks.database = 'ok';
      } catch (err) {
        checks.database = `failing: ${(err as Error).message}`;
      }
      try {
        await app.database.execute(`select count(*) from pgboss.queue`);
        checks.jobs = 'ok';
      } catch (err) {
        checks.jobs = `failing: ${(err as Error).message}`;
      }
      const ok = Object.values(checks).every((v) => v === 'ok');
      reply.code(ok ? 200 : 503);
      return { status: ok ? 'ok' : 'unavailable', checks };
    },
  }),
];
