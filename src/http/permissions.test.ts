// Walks every registered route against every role: a route without a declared access rule,
// or one whose answer disagrees with the permission matrix, fails this test.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { can, roles, type Permission, type Role } from '../permissions.js';
import { addMember, backends, Client, createTestApp, setupOwner, type TestApp } from '../../test/support/harness.js';
import type { AnyRoute } from './route.js';

const STATIC_PREFIXES = ['/assets/', '/admin/assets/'];

function fillParams(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, () => randomUUID()).replace('*', 'x');
}

for (const backend of backends().slice(0, 1)) {
  describe(`permission matrix walk [${backend}]`, () => {
    let t: TestApp;
    const clients = new Map<Role, Client>();
    before(async () => {
      t = await createTestApp(backend);
      const owner = await setupOwner(t);
      clients.set('owner', owner);
      for (const role of roles.filter((r) => r !== 'owner')) clients.set(role, await addMember(t, owner, role));
    });
    after(() => t.close());

    it('every route Fastify serves is declared with an access rule', () => {
      const declared = new Set(t.server.routeTable.map((r) => `${r.method} ${r.url}`));
      const undeclared = t.server.registeredRoutes
        .filter((r) => r.method !== 'HEAD' && !STATIC_PREFIXES.some((p) => r.url.startsWith(p)))
        .filter((r) => !declared.has(`${r.method} ${r.url}`))
        .map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(undeclared, []);
      for (const r of t.server.routeTable) {
        const a = r.access as AnyRoute['access'];
        assert.ok(a === 'public' || a === 'authenticated' || a === 'customer' || (typeof a === 'object' && 'permission' in a), `${r.method} ${r.url} has access ${JSON.stringify(a)}`);
      }
    });

    it('each permission route answers 403 exactly to the roles the matrix leaves out', async () => {
      const mismatches: string[] = [];
      const permissionRoutes = t.server.routeTable.filter((r) => typeof r.access === 'object');
      assert.ok(permissionRoutes.length >= 10, 'the walk covers the API');
      for (const r of permissionRoutes) {
        const permission = (r.access as { permission: Permission }).permission;
        for (const role of roles) {
          const allowed = can(role, permission);
          const unsafe = r.method !== 'GET';
          // An allowed write with no params and no body would really run (e.g. load the demo):
          // the matrix check for it is the denial side only.
          if (allowed && unsafe && !r.url.includes(':') && !r.body) continue;
          const res = await clients.get(role)!.request(r.method, fillParams(r.url), unsafe ? { __probe: true } : undefined);
          const denied = res.statusCode === 403;
          if (denied === allowed) mismatches.push(`${role} ${r.method} ${r.url}: got ${res.statusCode}, matrix says ${allowed ? 'allow' : 'deny'}`);
        }
      }
      assert.deepEqual(mismatches, []);
    });

    it('every non-public route refuses an anonymous caller with 401', async () => {
      const anon = new Client(t.server);
      const wrong: string[] = [];
      for (const r of t.server.routeTable.filter((x) => x.access !== 'public' && x.access !== 'customer')) {
        const res = await anon.request(r.method, fillParams(r.url), r.method === 'GET' ? undefined : {});
        if (res.statusCode !== 401) wrong.push(`${r.method} ${r.url}: ${res.statusCode}`);
      }
      assert.deepEqual(wrong, []);
    });

    it('owner-only areas stay owner-only', () => {
      for (const p of ['apikeys.manage', 'data.export', 'demo.load', 'owner.review', 'approvals.decide'] as Permission[]) {
        assert.deepEqual(roles.filter((r) => can(r, p)), ['owner'], p);
      }
    });

    it('SOPs and tasks: managers write them (and an occurrence\'s checklist), every role reads SOPs and works its own tasks', () => {
      assert.deepEqual(roles.filter((r) => can(r, 'tasks.manage')), ['owner', 'admin']);
      assert.deepEqual(roles.filter((r) => can(r, 'tasks.work')), [...roles]);
      const routes = t.server.routeTable.filter((r) => /^\/api\/(tasks|sops|task-occurrences)(\/|$)/.test(r.url));
      const permissionOf = (r: AnyRoute) => (r.access as { permission: Permission }).permission;
      const expected = (r: AnyRoute) =>
        (r.url.startsWith('/api/task-occurrences') && !r.url.endsWith('/checklist')) || r.url === '/api/tasks/my-day' || r.url === '/api/tasks/my-settings' || (r.method === 'GET' && r.url.startsWith('/api/sops')) ? 'tasks.work' : 'tasks.manage';
      assert.ok(routes.length >= 14, `${routes.length} routes`);
      assert.deepEqual(routes.filter((r) => permissionOf(r) !== expected(r)).map((r) => `${r.method} ${r.url}: ${permissionOf(r)}`), []);
    });

    it("a workflow's task step picks its subject through the workflow editor's own read-only search, not the task managers'", async () => {
      const [search] = t.server.routeTable.filter((r) => r.url === '/api/automations/task-subjects');
      assert.ok(search, 'the route exists');
      assert.equal(search.method, 'GET');
      assert.deepEqual(search.access, { permission: 'automation.write' });
      assert.deepEqual(roles.filter((r) => can(r, 'automation.write')), ['owner', 'admin', 'marketing']);
      // Marketing edits workflows and may search; it still may not manage tasks or use their search.
      const statuses = async (url: string) => Object.fromEntries(await Promise.all(roles.map(async (role) => [role, (await clients.get(role)!.get(url)).statusCode] as const)));
      assert.deepEqual(await statuses('/api/automations/task-subjects?q=x'), { owner: 200, admin: 200, support: 403, content: 403, marketing: 200 });
      assert.deepEqual(await statuses('/api/tasks/subjects?q=x'), { owner: 200, admin: 200, support: 403, content: 403, marketing: 403 });
    });

    it('outbound webhooks are for the owner and admins only', () => {
      assert.deepEqual(roles.filter((r) => can(r, 'webhooks.manage')), ['owner', 'admin']);
      const routes = t.server.routeTable.filter((r) => r.url.startsWith('/api/webhook'));
      assert.ok(routes.length >= 8 && routes.every((r) => typeof r.access === 'object' && r.access.permission === 'webhooks.manage'));
    });
  });
}
