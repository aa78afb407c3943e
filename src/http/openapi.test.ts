import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../test/support/harness.js';

describe('OpenAPI document', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('pglite');
  });
  after(() => t.close());

  it('describes every JSON API route with its access rule and schemas', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    const apiRoutes = t.server.routeTable.filter((r) => r.url.startsWith('/api/') && (!r.kind || r.kind === 'api'));
    for (const r of apiRoutes) {
      const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${r.url} is documented`);
      assert.ok(op['x-onehour-access']);
    }
    const invite = doc.paths['/api/team/invitations'].post;
    assert.equal(invite['x-onehour-access'], 'team.manage');
    const body = invite.requestBody.content['application/json'].schema;
    assert.deepEqual(body.required.sort(), ['email', 'role']);
    assert.deepEqual(body.properties.role.enum, ['admin', 'support', 'content', 'marketing']);
    const team = doc.paths['/api/team'].get.responses['200'].content['application/json'].schema;
    assert.equal(team.properties.members.items.properties.createdAt.format, 'date-time');
    assert.ok(!JSON.stringify(team).includes('passwordHash'), 'row fields never leak into the API');
    assert.equal(doc.components.schemas.Error.required[0], 'error');
  });

  it('every error has one shape', async () => {
    const cases = [
      await t.server.inject({ method: 'GET', url: '/api/nothing-here' }),
      await t.server.inject({ method: 'GET', url: '/api/team' }),
      await t.server.inject({ method: 'POST', url: '/api/setup', payload: { email: 'nope' } }),
      await t.server.inject({ method: 'POST', url: '/api/setup', payload: '{bad json', headers: { 'content-type': 'application/json' } }),
    ];
    assert.deepEqual(cases.map((c) => c.statusCode), [404, 401, 400, 400]);
    for (const c of cases) {
      const body = c.json();
      assert.equal(typeof body.error.code, 'string');
      assert.equal(typeof body.error.message, 'string');
    }
    assert.match(cases[2]!.json().error.message, /email/i);
  });

  it('healthz and readyz answer', async () => {
    assert.equal((await t.server.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const ready = await t.server.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json().checks, { database: 'ok', jobs: 'ok' });
  });
});
