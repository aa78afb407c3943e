// The server side of bench/analytics.ts's ingest, in its own process so the load generator
// does not share its CPU: Onehour (page views of GET /, custom events of POST /api/event) and a
// bare Fastify app answering the same two requests, the baseline measured in the same run.
// Commands on stdin, one JSON answer per line on stdout:
//   cpu       → this process's CPU time so far, µs
//   drain N   → flushes the ingest buffer and waits until N events more than at start are written
//   node --import tsx bench/analytics-server.ts pglite|<postgres-url>
import readline from 'node:readline';
import Fastify from 'fastify';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openMemoryDatabase } from '../src/db/client.js';
import { buildServer } from '../src/http/server.js';
import { allRoutes } from '../src/http/routes.js';
import type { AnyRoute } from '../src/http/route.js';

const target = process.argv[2] ?? 'pglite';
const NOW = '2026-06-30T12:00:00Z';
// As in production (React's production build renders the page; bench/analytics.ts sets NODE_ENV for this process).
const base = { NODE_ENV: 'production', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/onehour-bench-analytics', FILES_DIR: '/tmp/onehour-bench-analytics/files', PUBLIC_URL: 'http://127.0.0.1:3000', ANALYTICS_MAX_EVENTS_PER_MINUTE: '100000', ANALYTICS_FLUSH_MS: '200', JOB_POLL_SECONDS: '3600' };
const app =
  target === 'pglite'
    ? await createApp({ config: loadConfig(base), clock: new ManualClock(NOW), database: await openMemoryDatabase(), log: pino({ level: 'silent' }) })
    : await createApp({ config: loadConfig({ ...base, DATABASE_URL: target }), clock: new ManualClock(NOW), log: pino({ level: 'silent' }) });
// The other durability choice, measured beside the real beacon: the same route (same handler,
// same checks) answering only once its event is written (`ingest.settled()`). Not in the app.
const beacon = allRoutes.find((r) => r.method === 'POST' && r.url === '/api/event')!;
const afterWrite: AnyRoute = {
  ...beacon,
  url: '/bench/event-after-write',
  handler: async (ctx: Parameters<AnyRoute['handler']>[0]) => {
    let status = 200;
    const headers: [string, string][] = [];
    const held = { code: (c: number) => ((status = c), held), header: (k: string, v: string) => (headers.push([k, v]), held), send: () => held };
    await beacon.handler({ ...ctx, reply: held as unknown as typeof ctx.reply });
    if (status !== 503) await app.analytics.ingest.settled();
    for (const [k, v] of headers) ctx.reply.header(k, v);
    return ctx.reply.code(status).send();
  },
};
const server = await buildServer(app, { routes: [afterWrite] });
await server.listen({ port: 0, host: '127.0.0.1' });
// The baseline: the least any Node HTTP server does for these two requests.
const bare = Fastify();
bare.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));
bare.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><title>x</title><p>hello</p>'));
bare.post('/api/event', async (_req, reply) => reply.code(202).send());
bare.post('/bench/event-after-write', async (_req, reply) => reply.code(202).send());
await bare.listen({ port: 0, host: '127.0.0.1' });

const count = async () => (await app.database.execute<{ n: number }>('select count(*)::int as n from analytics_events')).rows[0]!.n;
const startCount = await count();
const port = (s: { server: import('node:http').Server }) => (s.server.address() as import('node:net').AddressInfo).port;
process.stdout.write(`${JSON.stringify({ app: port(server), bare: port(bare) })}\n`);

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  void (async () => {
    const [cmd, arg] = line.trim().split(' ');
    if (cmd === 'cpu') {
      const u = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpuUs: u.user + u.system })}\n`);
    } else if (cmd === 'drain') {
      const want = Number(arg);
      await app.analytics.ingest.flush();
      for (;;) {
        const n = (await count()) - startCount;
        if (n >= want) {
          process.stdout.write(`${JSON.stringify({ written: n })}\n`);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    } else if (cmd === 'stop') {
      await server.close();
      await bare.close();
      await app.close();
      process.exit(0);
    }
  })();
});
