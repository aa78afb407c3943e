// The blog's admin types are its routes' response schemas (contract.ts): the routes the admin
// calls answer through those very schemas (as test/api-contract.test.ts does for the core).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { contentRoutes } from './routes.js';
import { calendarShape, diffLineShape, postShape, publishAnswerShape, redirectShape, revisionShape, topPostShape } from './contract.js';

const responseOf = (method: string, url: string) => {
  const route = contentRoutes.find((r) => r.method === method && r.url === url);
  assert.ok(route?.response, `${method} ${url} has a response schema`);
  return route.response as z.ZodType;
};
const items = (schema: z.ZodType, key: string) => ((schema as z.ZodObject).shape[key] as z.ZodArray).element;

describe('the blog API contract shared with the admin', () => {
  it('the routes the admin calls answer through the contract schemas', () => {
    assert.equal(items(responseOf('GET', '/api/posts'), 'posts'), postShape);
    for (const [m, u] of [['POST', '/api/posts'], ['GET', '/api/posts/:id'], ['PATCH', '/api/posts/:id'], ['POST', '/api/posts/:id/withdraw'], ['POST', '/api/posts/:id/unpublish'], ['POST', '/api/posts/:id/restore']] as const) assert.equal(responseOf(m, u), postShape, `${m} ${u}`);
    assert.equal(responseOf('POST', '/api/posts/:id/publish'), publishAnswerShape);
    assert.equal(responseOf('POST', '/api/posts/:id/submit'), publishAnswerShape);
    assert.equal(items(responseOf('GET', '/api/posts/:id/revisions'), 'revisions'), revisionShape);
    assert.equal(items(responseOf('GET', '/api/posts/:id/diff'), 'lines'), diffLineShape);
    assert.equal(items(responseOf('GET', '/api/redirects'), 'redirects'), redirectShape);
    assert.equal(responseOf('POST', '/api/redirects'), redirectShape);
    assert.equal(items(responseOf('GET', '/api/blog/calendar'), 'items'), calendarShape);
    assert.equal(responseOf('POST', '/api/blog/calendar'), calendarShape);
    assert.equal(items(responseOf('GET', '/api/blog/top-posts'), 'posts'), topPostShape);
  });
});
