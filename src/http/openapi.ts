// /api/openapi.json, generated from the same zod schemas the routes validate with.
import { z } from 'zod';
import type { AnyRoute } from './route.js';

function toSchema(schema: z.ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === 'date') {
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.format = 'date-time';
      }
    },
  });
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

export function buildOpenApi(routes: AnyRoute[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.kind && r.kind !== 'api') continue;
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
      }
    }
    const access = typeof r.access === 'string' ? r.access : r.access.permission;
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: r.tags ?? [],
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      'x-onehour-access': access,
      security: r.access === 'public' ? [] : [{ session: [] }, { apiKey: [] }],
      parameters,
      responses: {
        [String(r.status ?? (r.response ? 200 : 204))]: r.response
          ? { description: 'OK', content: { 'application/json': { schema: toSchema(r.response, 'output') } } }
          : { description: 'Done' },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(r.body, 'input') } } };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Onehour API', version: info.version, description: 'Everything the admin app does, over JSON. Authenticate with a session cookie (plus the x-csrf-token header on writes) or an API key: `Authorization: Bearer oh_…`.' },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'oh_session' },
        apiKey: { type: 'http', scheme: 'bearer' },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
