// The demo business as a test snapshot: loading the demo takes 20–40 s per backend, and a dozen
// test files only read it. The first process of a run that needs it loads the demo once per
// backend on a fixed virtual date (DEMO_TODAY) and keeps the result the way snapshot.ts keeps the
// migrated database: a PGlite data folder in the OS temp folder, a PostgreSQL template database.
// Every test gets its own copy, so tests that change the demo do not see each other's changes.
//
// Keyed by a hash of every source file under src/ (not the tests) and of the migrated snapshot's
// key, so any change to the code that writes the demo builds a new one.
//
// Opening a copy is what a restart after loading the demo does: nothing in memory is carried
// over. Tests of the loading itself (the setup wizard's "load the demo", POST /api/demo, its
// files on disk) still load it for real: audience and mail demo tests, the browser journeys.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { testSettings } from '../../src/config.js';
import { ManualClock } from '../../src/clock.js';
import { dumpPgliteDataDir, openDatabase, openMemoryDatabase, type Database } from '../../src/db/client.js';
import { loadDemo } from '../../src/demo/index.js';
import { buildServer } from '../../src/http/server.js';
import { BOSS_SCHEMA } from '../../src/jobs/queue.js';
import { Client, createTestAppOn, openTestDatabaseFrom, OWNER, setupOwner, testConfig, waitFor, type Backend, type TestApp, type TestAppOptions, type TestDatabase } from './harness.js';
import { databaseUrl, pgliteSnapshot, pgTemplate, snapshotDir, snapshotKey } from './snapshot.js';

/** The demo's "today" in every copy (a Monday: the owner's weekly review is due). */
export const DEMO_TODAY = '2026-06-15T09:30:00Z';
/** Bump when what goes into the demo snapshot changes in a way the source hash cannot see. */
const RECIPE = 'demo v3, background jobs done, spare WAL left out';
const DEMO_LOCK_KEY = 72_610_102;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [] : [path.join(dir, e.name)]))
    .sort();
}

let key: string | undefined;
/** A short hash of everything the demo snapshot is built from. */
export function demoSnapshotKey(): string {
  if (key) return key;
  const h = createHash('sha256');
  h.update(`${RECIPE}\0${DEMO_TODAY}\0${snapshotKey()}\0`);
  for (const file of [...sourceFiles(path.join(root, 'src')), path.join(root, 'test/support/harness.ts'), fileURLToPath(import.meta.url)]) {
    h.update(`${path.relative(root, file)}\0`);
    h.update(fs.readFileSync(file));
  }
  key = h.digest('hex').slice(0, 16);
  return key;
}

/** Loads the demo into `database` the way a newcomer does: the owner, then the demo, on DEMO_TODAY. */
async function seedDemo(database: Database): Promise<void> {
  const app = await createApp({ config: testConfig(), clock: new ManualClock(DEMO_TODAY), database, log: pino({ level: 'silent' }) });
  const server = await buildServer(app);
  await server.ready();
  try {
    await setupOwner({ server } as TestApp);
    if (!(await loadDemo(app))) throw new Error('the demo was already loaded in a fresh database');
    // The background work the demo leaves (roll-ups of older traffic, first runs) is done before
    // the snapshot is taken, as it is a minute after a newcomer's first start.
    await app.jobs.work(app);
    await waitFor(
      async () =>
        (await database.execute<{ n: number }>(`select count(*)::int as n from ${BOSS_SCHEMA}.job where state in ('created', 'retry', 'active') and start_after <= now()`)).rows[0]!.n === 0,
      { timeoutMs: 600_000, intervalMs: 250, what: 'the demo’s background jobs done' },
    );
  } finally {
    await server.close();
    await app.jobs.stop(15_000);
    app.mail.close();
  }
}

async function buildPgliteDemo(file: string): Promise<Blob> {
  const database = await openMemoryDatabase({ loadDataDir: await pgliteSnapshot() });
  try {
    await seedDemo(database);
    await database.execute('checkpoint');
    const wal = (await database.execute<{ redo: string; current: string }>(`select redo_wal_file as redo, pg_walfile_name(pg_current_wal_lsn()) as current from pg_control_checkpoint()`)).rows[0]!;
    const tar = withoutSpareWal(new Uint8Array(await (await dumpPgliteDataDir(database)).arrayBuffer()), wal);
    const part = `${file}.${process.pid}.part`;
    fs.writeFileSync(part, tar);
    fs.renameSync(part, file);
    removeStaleDemoTarballs(file);
    return new Blob([tar]);
  } finally {
    await database.close();
  }
}

/**
 * The data folder's tarball without the WAL segments recovery does not need: after a checkpoint
 * only the segments from its redo point to the current one are read; loading the demo leaves a
 * dozen more (old ones and recycled ones named for the future), 16 MB each, which every test
 * would copy into memory. PostgreSQL makes new segments when it needs them. (A ustar walk: a
 * 512-byte header, then the file's content padded to 512 bytes.)
 */
function withoutSpareWal(tar: Uint8Array, keep: { redo: string; current: string }): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  const text = (h: Uint8Array, at: number, n: number) => new TextDecoder().decode(h.subarray(at, at + n)).replace(/\0[\s\S]*$/, '');
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = text(header, 345, 155) + text(header, 0, 100);
    const size = parseInt(text(header, 124, 12).trim() || '0', 8);
    const end = off + 512 + Math.ceil(size / 512) * 512;
    const segment = /\/pg_wal\/([0-9A-F]{24})$/.exec(name)?.[1];
    if (!segment || (segment >= keep.redo && segment <= keep.current)) parts.push(tar.subarray(off, end));
    off = end;
  }
  parts.push(new Uint8Array(1024)); // the end-of-archive marker
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Every change under src/ makes a new demo snapshot of about 200 MB: those of other keys not
 * touched for STALE_MS are removed (a run of another checkout may still be using a fresh one).
 */
const STALE_MS = 6 * 3600_000;
function removeStaleDemoTarballs(keep: string): void {
  for (const name of fs.readdirSync(snapshotDir)) {
    const p = path.join(snapshotDir, name);
    if (p === keep || !name.startsWith('pglite-demo-')) continue;
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > STALE_MS) fs.rmSync(p, { force: true });
  }
}

/** Whether the process named in `lock` still runs (a test file killed at its time limit leaves its lock behind). */
function holderAlive(lock: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(lock, 'utf8');
  } catch {
    return true; // gone already: take it on the next turn
  }
  const pid = Number(text.trim() || NaN);
  if (!Number.isInteger(pid)) return true; // being written: look again
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Holds `lock` (a file created exclusively, naming this process) while `work` runs. */
async function withFileLock<T>(lock: string, done: () => boolean, work: () => Promise<T>): Promise<T | undefined> {
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      if (done()) return undefined;
      if (!holderAlive(lock)) fs.rmSync(lock, { force: true });
      // Another test process is building it: wait for its file (a condition, checked every 200 ms).
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

let pgliteDemo: Promise<Blob> | undefined;
function pgliteDemoSnapshot(): Promise<Blob> {
  pgliteDemo ??= (async () => {
    fs.mkdirSync(snapshotDir, { recursive: true });
    const file = path.join(snapshotDir, `pglite-demo-${demoSnapshotKey()}.tar`);
    const built = await withFileLock(`${file}.lock`, () => fs.existsSync(file), () => (fs.existsSync(file) ? Promise.resolve(undefined) : buildPgliteDemo(file)));
    return built ?? new Blob([new Uint8Array(fs.readFileSync(file))]);
  })();
  pgliteDemo.catch(() => {
    pgliteDemo = undefined;
  });
  return pgliteDemo;
}

const pgDemoTemplates = new Map<string, Promise<string>>();
function pgDemoTemplate(base: string): Promise<string> {
  let p = pgDemoTemplates.get(base);
  if (!p) {
    p = buildPgDemoTemplate(base);
    pgDemoTemplates.set(base, p);
    p.catch(() => pgDemoTemplates.delete(base));
  }
  return p;
}

async function buildPgDemoTemplate(base: string): Promise<string> {
  const name = `onehour_demo_${demoSnapshotKey()}`;
  const migrated = await pgTemplate(base);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock($1)', [DEMO_LOCK_KEY]);
    const found = await admin.query<{ datistemplate: boolean }>('select datistemplate from pg_database where datname = $1', [name]);
    if (found.rows[0]?.datistemplate) return name;
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name} template ${migrated}`);
    const database = await openDatabase({ kind: 'pg', url: databaseUrl(base, name) }, { poolSize: 5 });
    try {
      await seedDemo(database);
    } finally {
      await database.close();
    }
    await admin.query(`alter database ${name} with is_template true allow_connections false`);
    await admin.query(`comment on database ${name} is '${new Date().toISOString()}'`);
    // Templates of other keys built more than STALE_MS ago go (about 200 MB each).
    const stale = await admin.query<{ datname: string }>(
      `select datname from pg_database d left join pg_shdescription s on s.objoid = d.oid and s.classoid = 'pg_database'::regclass
        where datname like 'onehour\\_demo\\_%' and datname <> $1 and (s.description is null or s.description::timestamptz < now() - make_interval(secs => $2))`,
      [name, STALE_MS / 1000],
    );
    for (const { datname } of stale.rows) {
      await admin.query(`alter database ${datname} with is_template false`).catch(() => {});
      await admin.query(`drop database if exists ${datname}`).catch(() => {});
    }
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [DEMO_LOCK_KEY]).catch(() => {});
    await admin.end();
  }
}

/**
 * Builds this checkout's demo snapshot for `backend` unless it exists. `npm test` calls it
 * (test/support/prepare-demo.ts) for both backends side by side before the test files start,
 * so no test file's time limit pays for it; a file run alone builds it on first use.
 */
export async function prepareDemoSnapshot(backend: Backend): Promise<void> {
  if (backend === 'pglite') await pgliteDemoSnapshot();
  else {
    const base = testSettings().databaseUrl;
    if (!base) throw new Error('TEST_DATABASE_URL is not set');
    await pgDemoTemplate(base);
  }
}

export interface DemoTestApp extends TestApp {
  /** signed in as the demo's owner (OWNER) */
  owner: Client;
}

/**
 * A private copy of the demo business (its owner is OWNER), for an app of the test's own making:
 * a browser journey's server (startBrowserTestApp({ database })) runs on the system clock, so
 * there the demo's history ends at DEMO_TODAY rather than today.
 */
export function openDemoTestDatabase(backend: Backend): Promise<TestDatabase> {
  return openTestDatabaseFrom(backend, { pglite: pgliteDemoSnapshot, pgTemplate: pgDemoTemplate });
}

/**
 * The real App on a private copy of the demo business, its clock at DEMO_TODAY (tests may move
 * it on), the owner signed in.
 */
export async function createDemoTestApp(backend: Backend, opts: Omit<TestAppOptions, 'clock'> = {}): Promise<DemoTestApp> {
  const t = await createTestAppOn(backend, await openDemoTestDatabase(backend), {
    ...opts,
    clock: new ManualClock(DEMO_TODAY),
  });
  const owner = new Client(t.server);
  await owner.login(OWNER.email, OWNER.password);
  return { ...t, owner };
}
