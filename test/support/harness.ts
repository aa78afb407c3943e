// Test harness: a real database per test file (in-memory PGlite, and a fresh PostgreSQL
// database when TEST_DATABASE_URL is set), each a copy of the run's migrated snapshot
// (snapshot.ts); the real App; and an HTTP client that signs in the way a browser does
// (cookie + CSRF header).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, testSettings, type Config } from '../../src/config.js';
import { createApp, type App } from '../../src/app.js';
import { openDatabase, openMemoryDatabase, type Database } from '../../src/db/client.js';
import { databaseUrl, pgliteSnapshot, pgTemplate } from './snapshot.js';
import { ManualClock, type Clock } from '../../src/clock.js';
import { buildServer } from '../../src/http/server.js';
import type { JobDefinition } from '../../src/jobs/types.js';
import { BOSS_SCHEMA } from '../../src/jobs/queue.js';

export type Backend = 'pglite' | 'pg';

/** The backends this run tests: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function backends(): Backend[] {
  return testSettings().databaseUrl ? ['pglite', 'pg'] : ['pglite'];
}

export interface TestDatabase {
  database: Database;
  /** for pg: the URL of the fresh database (other processes can join it) */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on PostgreSQL (created and later dropped) — returns its URL. Empty unless
 * `migrated` is set: then it is a copy of the migrated template (see snapshot.ts).
 */
export async function createPgDatabase(opts: { migrated?: boolean; template?: (base: string) => Promise<string> } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const base = testSettings().databaseUrl;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const template = opts.template ? await opts.template(base) : opts.migrated ? await pgTemplate(base) : undefined;
  const name = `onehour_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(base, name),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A fresh database with every migration applied, started from the run's snapshot. */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  return openTestDatabaseFrom(backend, { pglite: pgliteSnapshot, pgTemplate });
}

/** A fresh database copied from a snapshot: a PGlite data folder or a PostgreSQL template. */
export async function openTestDatabaseFrom(
  backend: Backend,
  from: { pglite: () => Promise<Blob>; pgTemplate: (base: string) => Promise<string> },
): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const database = await openMemoryDatabase({ loadDataDir: await from.pglite() });
    return { database, drop: () => database.close() };
  }
  const created = await createPgDatabase({ template: from.pgTemplate });
  const database = await openDatabase({ kind: 'pg', url: created.url }, { poolSize: 5 });
  return {
    database,
    url: created.url,
    async drop() {
      await database.close();
      await created.drop();
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    JOB_POLL_SECONDS: '0.5',
    SHUTDOWN_TIMEOUT_MS: '2000',
    DATA_DIR: '/tmp/onehour-test-unused',
    RATE_LIMIT_AUTH: '1000',
    ...overrides,
  });
}

export interface TestApp {
  app: App;
  clock: ManualClock;
  server: FastifyInstance;
  backend: Backend;
  url?: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  clock?: Clock;
  jobs?: JobDefinition<any>[];
  config?: Record<string, string>;
  startWorkers?: boolean;
  log?: pino.Logger;
}

export async function createTestApp(backend: Backend, opts: TestAppOptions = {}): Promise<TestApp> {
  return createTestAppOn(backend, await openTestDatabase(backend), opts);
}

/** The real App and its HTTP server on a test database (closing the app drops the database). */
export async function createTestAppOn(backend: Backend, testDb: TestDatabase, opts: TestAppOptions = {}): Promise<TestApp> {
  const clock = (opts.clock as ManualClock) ?? new ManualClock(new Date());
  const app = await createApp({ config: testConfig(opts.config), clock, database: testDb.database, jobs: opts.jobs, log: opts.log ?? pino({ level: 'silent' }) });
  const server = await buildServer(app);
  await server.ready();
  if (opts.startWorkers) await app.jobs.work(app);
  return {
    app,
    clock,
    server,
    backend,
    url: testDb.url,
    async close() {
      await server.close();
      // Lets a job that is still running finish (the hourly and daily checks can take seconds on a
      // loaded machine) before its database closes under it; returns as soon as none is running.
      await app.jobs.stop(15_000);
      // A handler pg-boss gave up on (a loaded machine) still runs: its database stays open until
      // it ends. Page views still in memory are written too, as app.close() does.
      await app.jobs.idle(60_000);
      await app.analytics.close();
      app.mail.close();
      await testDb.drop();
    },
  };
}

export const OWNER = { email: 'owner@example.com', name: 'Olivia Owner', password: 'correct horse battery' };

/** A browser-like client: keeps the session cookie and sends the CSRF token on writes. */
export class Client {
  cookie = '';
  csrf = '';
  constructor(private readonly server: FastifyInstance) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.server.inject({
      method: method as 'GET',
      url,
      payload: body === undefined ? undefined : (body as object),
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
    });
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      if (pair!.startsWith('oh_session=')) this.cookie = pair!.endsWith('=') || c.includes('Max-Age=0') || c.includes('Expires=Thu, 01 Jan 1970') ? '' : pair!;
    }
    if (res.headers['content-type']?.toString().includes('application/json')) {
      const json = res.json() as { csrfToken?: string | null };
      if (json && typeof json === 'object' && 'csrfToken' in json) this.csrf = json.csrfToken ?? '';
    }
    return res;
  }
  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body ?? {});
  patch = (url: string, body?: unknown) => this.request('PATCH', url, body ?? {});
  put = (url: string, body?: unknown) => this.request('PUT', url, body ?? {});
  delete = (url: string) => this.request('DELETE', url);

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    const res = await this.post('/api/auth/login', { email, password });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return res;
  }
}

/** Creates the owner through the setup API and returns a signed-in client. */
export async function setupOwner(t: TestApp): Promise<Client> {
  const client = new Client(t.server);
  const res = await client.post('/api/setup', OWNER);
  if (res.statusCode !== 200) throw new Error(`setup failed: ${res.statusCode} ${res.body}`);
  return client;
}

/** Invites someone to a role, accepts the invitation, returns their signed-in client. */
export async function addMember(t: TestApp, owner: Client, role: string, email = `${role}@example.com`): Promise<Client> {
  const inv = await owner.post('/api/team/invitations', { email, role });
  if (inv.statusCode !== 201) throw new Error(`invite failed: ${inv.statusCode} ${inv.body}`);
  const token = new URL(inv.json().link.replace('#token=', '?token=')).searchParams.get('token');
  const member = new Client(t.server);
  const acc = await member.post('/api/invitations/accept', { token, name: `${role} person`, password: `${role} password 123` });
  if (acc.statusCode !== 200) throw new Error(`accept failed: ${acc.statusCode} ${acc.body}`);
  return member;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/**
 * Lets a failed job that waits for its retry run now: waits until a job of `queue` is waiting for
 * its retry, then moves its start to now (the backoff is the queue's to set, not the test's to sit
 * out). Returns how many jobs it moved.
 */
export async function retryNow(app: App, queue: string): Promise<number> {
  return waitFor(
    async () => (await app.database.execute(`update ${BOSS_SCHEMA}.job set start_after = now() where name = $1 and state = 'retry' and start_after > now()`, [queue])).rowCount,
    { what: `a ${queue} job waiting for its retry` },
  );
}

/**
 * Options for a soak or crash test (processes killed, long runs): they run in `npm run test:soak`
 * (which CI runs after `npm test`), not in `npm test` or `npm run test:quick`, so the inner loop
 * and the main suite stay fast. Use as `it('…', soakOrCrashTest, async () => …)`, or spread it
 * into other options: `{ ...soakOrCrashTest, timeout: 300_000 }`.
 */
export const soakOrCrashTest: { skip?: string } = testSettings().soak ? {} : { skip: 'soak/crash test: runs in npm run test:soak' };
