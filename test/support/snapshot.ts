// Migrated database snapshots, so a test database starts with every migration applied and
// pg-boss's schema in place instead of running initdb and the migrations for each test.
//
// - PGlite: the first process of a run migrates an in-memory database and writes its data
//   folder as a tarball to the OS temp folder; every test database is loaded from that tarball.
// - PostgreSQL: one template database per run (`CREATE DATABASE … TEMPLATE`), built under an
//   advisory lock so test files starting at once build it only once.
//
// Both are keyed by a hash of the migration files, the job registry's queues (names and
// options) and the PGlite and pg-boss versions, so a new or changed migration or queue builds a
// new snapshot; the old ones are simply no longer used.
// The registry's job queues are in the snapshot (each is a partitioned table pg-boss makes with
// DDL: making them took most of a test app's start). createApp still creates any queue its
// registry has and the snapshot lacks (a test's own jobs) and brings changed options in line.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { dumpPgliteDataDir, openDatabase, openMemoryDatabase, type Database } from '../../src/db/client.js';
import { migrationSets, runMigrations } from '../../src/db/migrations.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { jobRegistry } from '../../src/job-registry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Bump when what goes into a snapshot changes (not for migrations: they are hashed). */
const RECIPE = 'migrations+pgboss-schema+registry-queues v2';
/** Serialises template builds across test processes sharing the PostgreSQL server. */
const TEMPLATE_LOCK_KEY = 72_610_101;

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

function packageVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A short hash of everything a snapshot is built from, the migration folders under `base`. */
export function snapshotKeyOf(base: string): string {
  const h = createHash('sha256');
  h.update(`${RECIPE}\0pglite ${packageVersion('@electric-sql/pglite')}\0pg-boss ${packageVersion('pg-boss')}\0`);
  for (const def of jobRegistry) h.update(`queue ${def.name} ${def.retryLimit} ${def.retryDelay} ${def.retryBackoff} ${def.expireInSeconds}\0`);
  for (const set of migrationSets) {
    h.update(`set ${set.name}\0`);
    for (const file of listFiles(path.join(base, set.folder))) {
      h.update(`${path.relative(base, file)}\0`);
      h.update(fs.readFileSync(file));
    }
  }
  return h.digest('hex').slice(0, 16);
}

let key: string | undefined;
/** The key of this checkout's snapshot (computed once per process). */
export function snapshotKey(): string {
  key ??= snapshotKeyOf(root);
  return key;
}

/** What every snapshot holds: all migrations, pg-boss's schema and the registry's queues (no rows of the business). */
async function prepare(database: Database): Promise<void> {
  await runMigrations(database);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL: 'http://127.0.0.1:3000', DATA_DIR: '/tmp/onehour-test-unused' });
  const jobs = new JobQueue(database, config.jobs, pino({ level: 'silent' }), jobRegistry);
  await jobs.start();
  await jobs.stop(1000);
}

export const snapshotDir = path.join(os.tmpdir(), 'onehour-test-snapshots');

async function buildPgliteTarball(file: string): Promise<Blob> {
  const database = await openMemoryDatabase();
  try {
    await prepare(database);
    const tar = await dumpPgliteDataDir(database);
    fs.mkdirSync(snapshotDir, { recursive: true });
    // Written under a private name, then renamed: a process reading it never sees half a file.
    const part = `${file}.${process.pid}.part`;
    fs.writeFileSync(part, new Uint8Array(await tar.arrayBuffer()));
    fs.renameSync(part, file);
    return tar;
  } finally {
    await database.close();
  }
}

let pgliteTarball: Promise<Blob> | undefined;
/** The migrated PGlite data folder (built by the first process that needs it). */
export function pgliteSnapshot(): Promise<Blob> {
  pgliteTarball ??= (async () => {
    const file = path.join(snapshotDir, `pglite-${snapshotKey()}.tar`);
    if (fs.existsSync(file)) return new Blob([new Uint8Array(fs.readFileSync(file))]);
    return buildPgliteTarball(file);
  })();
  pgliteTarball.catch(() => {
    pgliteTarball = undefined;
  });
  return pgliteTarball;
}

/** A fresh in-memory PGlite database with every migration applied. */
export async function openPgliteFromSnapshot(): Promise<Database> {
  return openMemoryDatabase({ loadDataDir: await pgliteSnapshot() });
}

export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

const templates = new Map<string, Promise<string>>();
/** The name of the migrated template database on the server of `base` (built once per key). */
export function pgTemplate(base: string): Promise<string> {
  let p = templates.get(base);
  if (!p) {
    p = buildPgTemplate(base);
    templates.set(base, p);
    p.catch(() => templates.delete(base));
  }
  return p;
}

async function buildPgTemplate(base: string): Promise<string> {
  const name = `onehour_tpl_${snapshotKey()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    // Finished templates are marked datistemplate; one without the mark is a build that died.
    const found = await admin.query<{ datistemplate: boolean }>('select datistemplate from pg_database where datname = $1', [name]);
    if (found.rows[0]?.datistemplate) return name;
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    const database = await openDatabase({ kind: 'pg', url: databaseUrl(base, name) }, { poolSize: 2 });
    try {
      await prepare(database);
    } finally {
      await database.close();
    }
    // No connections from now on: CREATE DATABASE … TEMPLATE needs it idle.
    await admin.query(`alter database ${name} with is_template true allow_connections false`);
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]).catch(() => {});
    await admin.end();
  }
}
