// Bad input is the caller's problem, never the server's: walks every registered route as the
// owner with hostile input (NUL in every string, CR/LF in URL parts, empty bodies, bodies
// nested too deep, broken multipart) and fails on any 5xx. Every refusal has the error shape.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { backends, Client, createTestApp, setupOwner, type TestApp } from '../../test/support/harness.js';
import type { AnyRoute } from './route.js';

// Static files, and the admin app's index.html (the same page whatever the request carries;
// a 503 when the admin is not built).
const STATIC_PREFIXES = ['/assets/', '/admin'];
const NUL = '\u0000';

function fillParams(url: string, value: () => string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, () => value()).replace('*', 'x');
}

function keysOf(schema: unknown): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function deeplyNested(levels: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { rules: v };
  return v;
}

const GENERIC_KEYS = ['q', 'token', 'name', 'email', 'next', 'status', 'cursor', 'type'];

interface Probe {
  name: string;
  url: string;
  payload?: string | object;
  headers?: Record<string, string>;
}

function probesFor(r: AnyRoute): Probe[] {
  const unsafe = r.method !== 'GET';
  const base = fillParams(r.url, () => randomUUID());
  const probes: Probe[] = [];
  if (r.url.includes(':')) {
    probes.push({ name: 'NUL in params', url: fillParams(r.url, () => `a${encodeURIComponent(NUL)}b`) });
    probes.push({ name: 'CR/LF in params', url: fillParams(r.url, () => 'a%0D%0ASet-Cookie:%20x=1') });
  }
  const queryKeys = [...new Set([...keysOf(r.query), ...GENERIC_KEYS])];
  probes.push({ name: 'NUL in every query field', url: `${base}?${queryKeys.map((k) => `${k}=x%00y`).join('&')}` });
  probes.push({ name: 'CR/LF in every query field', url: `${base}?${queryKeys.map((k) => `${k}=x%0D%0Ay`).join('&')}` });
  if (unsafe && !r.rawBody) {
    const bodyKeys = [...new Set([...keysOf(r.body), 'name', 'email', 'title', '_csrf'])];
    probes.push({ name: 'NUL in every body field', url: base, payload: Object.fromEntries(bodyKeys.map((k) => [k, `x${NUL}y`])) });
    probes.push({ name: 'NUL in a nested body field', url: base, payload: Object.fromEntries(bodyKeys.map((k) => [k, [{ value: `x${NUL}` }]])) });
    probes.push({ name: 'NUL in a field name', url: base, payload: { [`a${NUL}b`]: 'x' } });
    // Built as text: JSON.stringify itself cannot go this deep.
    const deepText = `{${bodyKeys.map((k) => `${JSON.stringify(k)}:${'{"rules":['.repeat(5000)}"x"${']}'.repeat(5000)}`).join(',')}}`;
    probes.push({ name: 'body nested 10000 deep', url: base, payload: deepText, headers: { 'content-type': 'application/json' } });
    probes.push({ name: 'NUL in a form post', url: base, payload: `name=a%00b&email=a%00b&_csrf=x`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    // An empty body to a route with no params and no body schema would really run it
    // (load the demo, sign out): the empty-body probe is for the others.
    if (r.body || r.url.includes(':')) probes.push({ name: 'empty body', url: base });
    if (r.body) probes.push({ name: 'empty JSON object', url: base, payload: {} });
  }
  if (unsafe && (r.rawBody === 'stream' || /multipart/i.test(r.summary))) {
    const headers = { 'content-type': 'multipart/form-data; boundary=----onehour' };
    probes.push({ name: 'multipart cut short', url: base, payload: '------onehour\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nemail\r\na@', headers });
    probes.push({ name: 'multipart with a broken header', url: base, payload: '------onehour\r\nContent-Disposition\r\n\r\nx\r\n------onehour--\r\n', headers });
    probes.push({ name: 'multipart without its boundary', url: base, payload: 'x', headers: { 'content-type': 'multipart/form-data' } });
  }
  return probes;
}

for (const backend of backends()) {
  describe(`hostile input on every route [${backend}]`, () => {
    let t: TestApp;
    let owner: Client;
    before(async () => {
      t = await createTestApp(backend, { config: { RATE_LIMIT_FORMS: '100000', RATE_LIMIT_AUTH: '100000' } });
      owner = await setupOwner(t);
    });
    after(() => t.close());

    it('no route answers 5xx to NUL bytes, CR/LF, empty or over-nested bodies, or broken multipart', async () => {
      const routes = t.server.routeTable.filter((r) => !STATIC_PREFIXES.some((p) => r.url.startsWith(p)));
      assert.ok(routes.length > 50, 'the walk covers the app');
      const failures: string[] = [];
      const wrongShape: string[] = [];
      let probes = 0;
      for (const r of routes) {
        for (const p of probesFor(r)) {
          probes++;
          const res = await t.server.inject({
            method: r.method as 'GET',
            url: p.url,
            payload: p.payload as string,
            headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, ...(p.headers ?? {}) },
          });
          if (res.statusCode >= 500) failures.push(`${r.method} ${r.url} [${p.name}]: ${res.statusCode} ${res.body.slice(0, 200)}`);
          else if (res.statusCode >= 400 && String(res.headers['content-type']).includes('application/json')) {
            const body = res.json() as { error?: { code?: unknown; message?: unknown } };
            if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string') wrongShape.push(`${r.method} ${r.url} [${p.name}]: ${res.body.slice(0, 120)}`);
          }
        }
      }
      assert.ok(probes > 500, `probes sent: ${probes}`);
      assert.deepEqual(failures, []);
      assert.deepEqual(wrongShape, []);
      // The walk did not lock the owner out of anything.
      assert.equal((await owner.get('/api/team')).statusCode, 200);
    });

    it('NUL, CR/LF and empty PATCH bodies get a clear 400 that says what is wrong', async () => {
      const nul = await owner.post('/api/team/invitations', { email: `a${NUL}@example.com`, role: 'support' });
      assert.equal(nul.statusCode, 400);
      assert.equal(nul.json().error.code, 'validation_failed');
      assert.match(nul.json().error.message, /body\.email: contains a NUL character/);

      const crlf = await owner.get('/api/activity?type=order%0D%0Ax');
      assert.equal(crlf.statusCode, 400);
      assert.match(crlf.json().error.message, /query\.type: contains a control character/);

      const patchRoute = t.server.routeTable.find((r) => r.method === 'PATCH' && r.body);
      assert.ok(patchRoute, 'the app has PATCH routes');
      const empty = await owner.request('PATCH', fillParams(patchRoute.url, () => randomUUID()));
      assert.equal(empty.statusCode, 400);
      assert.match(empty.json().error.message, /Nothing to change/);

      const deep = await owner.post('/api/team/invitations', { email: 'deep@example.com', role: 'support', extra: deeplyNested(100) });
      assert.equal(deep.statusCode, 400);
      assert.match(deep.json().error.message, /nested too deeply/);
      assert.equal((await owner.get('/api/team')).json().invitations.length, 0, 'nothing was stored by the refused requests');
    });

    it('segment rules nested too deep or too many get a 400 naming the limit', async () => {
      const email = { type: 'email', op: 'contains', value: 'a' };
      let nested: object = email;
      for (let i = 0; i < 6; i++) nested = { type: 'group', match: 'all', rules: [nested] };
      const deep = await owner.post('/api/segments/preview', { rules: { match: 'all', rules: [nested] } });
      assert.equal(deep.statusCode, 400);
      assert.match(deep.json().error.message, /levels deep at most/);

      const wide = { type: 'group', match: 'any', rules: Array.from({ length: 50 }, () => email) };
      const many = await owner.post('/api/segments/preview', { rules: { match: 'all', rules: Array.from({ length: 5 }, () => wide) } });
      assert.equal(many.statusCode, 400);
      assert.match(many.json().error.message, /200 rules at most/);

      const saved = await owner.post('/api/segments', { name: 'Too deep', rules: { match: 'all', rules: [nested] } });
      assert.equal(saved.statusCode, 400, 'a segment that cannot be compiled is never stored');
      const fine = await owner.post('/api/segments/preview', { rules: { match: 'all', rules: [{ type: 'group', match: 'any', rules: [email] }] } });
      assert.equal(fine.statusCode, 200);
    });
  });
}
