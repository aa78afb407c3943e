// The security headers every page wears are worked out once at start (staticSecurityHeaders):
// they must be exactly what helmet itself puts on a real response for the same options.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { helmetMiddleware as helmet, staticSecurityHeaders } from './server.js';

/** The headers helmet sets on a real Node response, as a client receives them. */
async function helmetOnTheWire(options: Record<string, unknown>): Promise<Record<string, string>> {
  const middleware = helmet(options);
  const server = http.createServer((req, res) => middleware(req, res, () => res.end('x')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res.text();
    const out: Record<string, string> = {};
    for (const [k, v] of res.headers) if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(k)) out[k] = v;
    return out;
  } finally {
    server.close();
  }
}

describe('security headers, worked out once', () => {
  const options = [
    { label: 'as served over http', o: { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'https:'], upgradeInsecureRequests: null } }, hsts: false, crossOriginEmbedderPolicy: false, referrerPolicy: { policy: 'strict-origin-when-cross-origin' } } },
    { label: 'as served over https (HSTS, upgrade-insecure-requests)', o: { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], upgradeInsecureRequests: [] } }, hsts: true, referrerPolicy: { policy: 'strict-origin-when-cross-origin' } } },
  ];
  for (const { label, o } of options) {
    it(`equal helmet's own on a real response, ${label}`, async () => {
      const wire = await helmetOnTheWire(o);
      assert.ok(wire['content-security-policy'], 'helmet set a CSP');
      assert.deepEqual(staticSecurityHeaders(o), wire);
    });
  }

  it('refuses options whose headers would depend on the request (a CSP directive computed per request)', () => {
    const perRequest = { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: [(req: http.IncomingMessage) => `'nonce-${String(req.headers['x-n'])}'`] } } };
    assert.throws(() => staticSecurityHeaders(perRequest), /not static/);
  });
});
