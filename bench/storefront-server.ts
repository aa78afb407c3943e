// The server side of bench/storefront.ts, in its own process so the load generator does not
// share its CPU: Onehour with the demo store loaded, and a bare Fastify route beside it.
//   node --import tsx bench/storefront-server.ts pglite|<postgres-url>
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, openMemoryDatabase } from '../src/db/client.js';
import { loadDemo } from '../src/demo/index.js';
import { buildServer } from '../src/http/server.js';

const target = process.argv[2] ?? 'pglite';
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-bench-files-'));
const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', DATA_DIR: filesDir, FILES_DIR: filesDir, PUBLIC_URL: 'http://127.0.0.1:3000' });
const database = target === 'pglite' ? await openMemoryDatabase() : await openDatabase({ kind: 'pg', url: target }, { poolSize: 10 });
const app = await createApp({ config, database, log: pino({ level: 'silent' }) });
await app.team.createOwner({ email: 'owner@example.com', name: 'Bench Owner', password: 'bench password 123' });
await loadDemo(app);
// Settle after the bulk load (statistics, visibility map), so autovacuum does not run during the measurement.
await app.database.execute('vacuum analyze');
await app.database.execute('checkpoint');

const server = await buildServer(app);
await server.listen({ host: '127.0.0.1', port: 0 });
const bare = Fastify();
bare.get('/', async () => 'hello world');
await bare.listen({ host: '127.0.0.1', port: 0 });
const addr = (s: { server: import('node:http').Server }) => `http://127.0.0.1:${(s.server.address() as import('node:net').AddressInfo).port}`;
process.stdout.write(`${JSON.stringify({ app: addr(server), bare: addr(bare), page: '/p/launch-your-first-course', post: '/blog/how-to-centre-clay-on-the-wheel-in-five-minutes' })}\n`);

const stop = async () => {
  await server.close();
  await bare.close();
  await app.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
