// One database API over two drivers: embedded PGlite (one connection, in the data folder)
// and a PostgreSQL server through `pg`. Callers see Drizzle plus a small raw-SQL surface;
// both drivers are configured to return the same JS types for the same SQL.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { DatabaseConfig } from '../config.js';

export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;
export type Tx = PgTransaction<PgQueryResultHKT, Record<string, never>, ExtractTablesWithRelations<Record<string, never>>>;
/** Anything a query can run on: the database itself or an open transaction. */
export type DbOrTx = Db | Tx;

export interface SqlResult<T> {
  rows: T[];
  rowCount: number;
}
export interface ExecuteOptions {
  /**
   * A statement run thousands of times (the sending engine's claims and marks): PostgreSQL
   * parses and plans it once per connection under this name instead of on every call. The
   * text must be the same on every call. PGlite ignores it.
   */
  name?: string;
}
export type ExecuteSql = <T = Record<string, unknown>>(text: string, values?: unknown[], opts?: ExecuteOptions) => Promise<SqlResult<T>>;

export interface Database {
  kind: 'pglite' | 'pg';
  db: Db;
  /** Raw parameterised SQL ($1, $2 …) outside any transaction. Several statements are allowed without values. */
  execute: ExecuteSql;
  /** Raw SQL bound to an open Drizzle transaction (for pg-boss sends inside the same transaction). */
  executorFor(tx: Tx): ExecuteSql;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Calls `fn` once `tx` (opened by `transaction`) has committed; never when it rolls back. A
   * hint, not a guarantee: a savepoint's or a foreign transaction's hooks are dropped, so only
   * what may be missed belongs here (waking a local job worker that would poll anyway).
   */
  afterCommit(tx: Tx, fn: () => void): void;
  /** Runs fn while holding a cross-process PostgreSQL advisory lock (PGlite: one process, no lock needed). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const commitHooks = new WeakMap<Tx, (() => void)[]>();

function afterCommit(tx: Tx, fn: () => void): void {
  const hooks = commitHooks.get(tx);
  if (hooks) hooks.push(fn);
}

/** `db.transaction` that runs the hooks `afterCommit` registered on its transaction once it committed. */
async function transactionWithHooks<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const hooks: (() => void)[] = [];
  const result = await db.transaction(async (tx) => {
    commitHooks.set(tx, hooks);
    try {
      return await fn(tx);
    } finally {
      commitHooks.delete(tx);
    }
  });
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // A hint that failed: whatever it would have sped up happens anyway.
    }
  }
  return result;
}

/**
 * int8 (bigint, count(*), bigserial) becomes a JS number on both drivers; a value beyond
 * Number.MAX_SAFE_INTEGER is an error rather than a silently rounded number.
 */
export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} does not fit a JS number`);
  return n;
}

let pgTypesConfigured = false;
function configurePgTypes(): void {
  if (pgTypesConfigured) return;
  // Global on purpose: Drizzle's node-postgres session falls back to pg's global parsers.
  pg.types.setTypeParser(pg.types.builtins.INT8, parseInt8);
  pgTypesConfigured = true;
}

const pgliteParsers = { [pgliteTypes.INT8]: (v: string) => parseInt8(v) };

interface Queryable {
  query<T>(text: string | { name: string; text: string; values: unknown[] }, params?: unknown[], opts?: unknown): Promise<{ rows: T[]; affectedRows?: number; rowCount?: number | null }>;
  exec?(text: string): Promise<{ rows: unknown[]; affectedRows?: number }[]>;
}

function makeExecutor(client: Queryable, kind: 'pglite' | 'pg'): ExecuteSql {
  return async <T>(text: string, values?: unknown[], opts?: ExecuteOptions) => {
    if (kind === 'pglite' && (!values || values.length === 0) && client.exec) {
      // PGlite's extended protocol refuses several statements in one query; exec() takes them.
      const results = await client.exec(text);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as T[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
    }
    const raw =
      kind === 'pg' && opts?.name
        ? await client.query<T>({ name: opts.name, text, values: values ?? [] })
        : await client.query<T>(text, values ?? [], kind === 'pglite' ? { parsers: pgliteParsers } : undefined);
    // pg answers a multi-statement text with one result per statement: the last one counts.
    const res = Array.isArray(raw) ? (raw[raw.length - 1] as typeof raw) : raw;
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rowCount ?? res.rows.length };
  };
}

/** The driver client Drizzle holds inside a transaction (PGlite Transaction or pg PoolClient). */
function clientOf(tx: Tx): Queryable {
  const client = (tx as unknown as { session?: { client?: Queryable } }).session?.client;
  if (!client) throw new Error('Cannot reach the driver client of this transaction');
  return client;
}

export async function openDatabase(config: DatabaseConfig, opts: { poolSize?: number; seedTemplates?: string[] } = {}): Promise<Database> {
  if (config.kind === 'pglite') return openPglite(path.join(config.dataDir, 'pgdata'), undefined, opts.seedTemplates ?? [pgliteTemplateDir()]);
  return openPg(config.url, opts.poolSize ?? 10);
}

/**
 * An in-memory PGlite database: tests and throwaway runs. `loadDataDir` starts it from a
 * data-folder tarball (see dumpPgliteDataDir) instead of running initdb.
 */
export async function openMemoryDatabase(opts: { loadDataDir?: Blob } = {}): Promise<Database> {
  return openPglite(undefined, opts.loadDataDir);
}

const pgliteClients = new WeakMap<Database, PGlite>();

/** The data folder of an open PGlite database as an uncompressed tarball (for openMemoryDatabase's loadDataDir). */
export async function dumpPgliteDataDir(database: Database): Promise<Blob> {
  const client = pgliteClients.get(database);
  if (!client) throw new Error('dumpPgliteDataDir needs a PGlite database');
  return client.dumpDataDir('none');
}

/**
 * PostgreSQL's default of 128 MB shared buffers is sized for a server; PGlite touches them all at
 * start (they count as resident memory). One embedded connection on a small business's data is
 * served well by 32 MB; the operating system's cache holds the rest of the data folder.
 */
const pgliteStartParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

function pgliteVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(projectRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }).version;
}
/**
 * An empty, initialised PGlite data folder made once at install (`npm run db:template`, run by
 * postinstall), named by the PGlite version so an upgrade never uses another version's files.
 * A first start copies it instead of running initdb (seconds and ~500 MB of memory saved).
 */
export function pgliteTemplateDir(): string {
  return path.join(projectRoot, 'node_modules/.cache/onehour', `pglite-${pgliteVersion()}-datadir`);
}

/** Makes the data-folder template (see pgliteTemplateDir) unless it exists; returns its path. */
export async function createPgliteTemplate(): Promise<string> {
  const template = pgliteTemplateDir();
  if (fs.existsSync(path.join(template, 'PG_VERSION'))) return template;
  const part = `${template}.${process.pid}.part`;
  fs.rmSync(part, { recursive: true, force: true });
  fs.mkdirSync(part, { recursive: true });
  const client = await PGlite.create({ dataDir: part });
  await client.close();
  fs.rmSync(template, { recursive: true, force: true });
  fs.renameSync(part, template);
  return template;
}

/**
 * A new data folder starts as a copy of the first of `templates` that exists (initdb when none
 * does). The caller may offer a migrated one first (src/db/ready-template.ts).
 */
function seedPgliteDataDir(dir: string, templates: string[]): void {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) return;
  const template = templates.find((t) => fs.existsSync(path.join(t, 'PG_VERSION')));
  if (!template) return;
  // Copied beside it and renamed: a start interrupted mid-copy leaves no half data folder.
  const part = `${dir}.part`;
  fs.rmSync(part, { recursive: true, force: true });
  fs.cpSync(template, part, { recursive: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(part, dir);
}

const openTransaction = new AsyncLocalStorage<{ open: boolean }>();
let selfDeadlockWarnMs = 20_000;
/** How long a query may wait behind a transaction of its own call chain before Onehour says so (tests shorten it). */
export function setSelfDeadlockWarnMs(ms: number): void {
  selfDeadlockWarnMs = ms;
}

/**
 * PGlite has one connection: while a transaction is open, a query on the database itself waits
 * for it to end. Code inside the transaction that queries the database instead of `tx` (and
 * awaits the answer) therefore waits forever, silently. Queries made from inside an open
 * transaction's call chain are watched: one still waiting after 20 s is reported
 * with the stack of the call that made it (a warning on the process), so the hang names its
 * cause. A query that merely runs after the transaction (not awaited by it) is not reported.
 */
function watchSelfDeadlocks(client: PGlite): void {
  const transaction = client.transaction.bind(client);
  client.transaction = ((callback: Parameters<PGlite['transaction']>[0]) => {
    const mark = { open: true };
    return openTransaction.run(mark, () => transaction(callback)).finally(() => {
      mark.open = false;
    });
  }) as PGlite['transaction'];
  for (const method of ['query', 'exec'] as const) {
    const original = (client[method] as (...a: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const mark = openTransaction.getStore();
      if (!mark?.open) return original(...args);
      const caller = new Error('called here').stack ?? '';
      const waitMs = selfDeadlockWarnMs;
      const timer = setTimeout(() => {
        if (mark.open) process.emitWarning(`A query has waited ${waitMs / 1000} s for a transaction its own call chain opened (PGlite has one connection): pass the transaction (tx) down instead of the database.\n${caller}`, 'SelfDeadlockWarning');
      }, waitMs);
      timer.unref();
      return original(...args).finally(() => clearTimeout(timer));
    };
  }
}

async function openPglite(dir: string | undefined, loadDataDir?: Blob, seedTemplates: string[] = []): Promise<Database> {
  if (dir) {
    seedPgliteDataDir(dir, seedTemplates);
    fs.mkdirSync(dir, { recursive: true });
  }
  const client = await PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    startParams: pgliteStartParams,
    parsers: pgliteParsers,
  });
  watchSelfDeadlocks(client);
  const db = drizzlePglite(client) as unknown as Db;
  const database: Database = {
    kind: 'pglite',
    db,
    execute: makeExecutor(client as unknown as Queryable, 'pglite'),
    executorFor: (tx) => makeExecutor(clientOf(tx), 'pglite'),
    transaction: (fn) => transactionWithHooks(db, fn),
    afterCommit,
    withAdvisoryLock: (_key, fn) => fn(),
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
  pgliteClients.set(database, client);
  return database;
}

async function openPg(url: string, poolSize: number): Promise<Database> {
  configurePgTypes();
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const probe = await pool.connect();
  probe.release();
  const db = drizzlePg(pool) as unknown as Db;
  return {
    kind: 'pg',
    db,
    execute: makeExecutor(pool as unknown as Queryable, 'pg'),
    executorFor: (tx) => makeExecutor(clientOf(tx), 'pg'),
    transaction: (fn) => transactionWithHooks(db, fn),
    afterCommit,
    withAdvisoryLock: async (key, fn) => {
      // A session-level lock lives on one connection: hold a dedicated client for its lifetime.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [key]);
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
