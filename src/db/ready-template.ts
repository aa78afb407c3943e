// A migrated PGlite data-folder template, so a business's first start copies a database that
// already has every table and the job queue's schema instead of building them (about three
// quarters of a first start's CPU went to the migrations and the queues). Made at install
// (`npm run db:template`, run by postinstall), beside the empty template of client.ts.
//
// Named by a hash of every migration file and the pg-boss version: code with other migrations
// finds no template of its name and starts from the empty one, migrating as before. Using it is
// always safe: a start applies whatever migrations are newer than the template's (drizzle's own
// rule) and creates any queue it lacks (JobQueue.start).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createPgliteTemplate, openDatabase, pgliteTemplateDir, type Database } from './client.js';
import { migrationSets, runMigrations } from './migrations.js';
import { projectRoot } from '../paths.js';

export function readyTemplateKey(): string {
  const hash = createHash('sha256');
  hash.update(JSON.parse(fs.readFileSync(path.join(projectRoot, 'node_modules/pg-boss/package.json'), 'utf8')).version);
  for (const set of migrationSets) {
    const folder = path.join(projectRoot, set.folder);
    const files = fs.readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.sql') || f.endsWith('_journal.json')).sort();
    for (const f of files) hash.update(`${set.name}/${f}\0`).update(fs.readFileSync(path.join(folder, f))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export function readyTemplateDir(): string {
  return `${pgliteTemplateDir()}-ready-${readyTemplateKey()}`;
}

/** The folders a new embedded data folder is copied from, best first. */
export function pgliteSeedTemplates(): string[] {
  return [readyTemplateDir(), pgliteTemplateDir()];
}

/**
 * Makes the migrated template unless it exists (prepare: anything else every database needs, such
 * as the job queues); removes ready templates of other keys. Returns its path.
 */
export async function createReadyTemplate(prepare?: (database: Database) => Promise<void>): Promise<string> {
  const dir = readyTemplateDir();
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return dir;
  const base = await createPgliteTemplate();
  const part = `${dir}.${process.pid}.part`;
  fs.rmSync(part, { recursive: true, force: true });
  const database = await openDatabase({ kind: 'pglite', dataDir: part }, { seedTemplates: [base] });
  try {
    await runMigrations(database);
    await prepare?.(database);
  } finally {
    await database.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(path.join(part, 'pgdata'), dir);
  fs.rmSync(part, { recursive: true, force: true });
  const parent = path.dirname(dir);
  for (const name of fs.readdirSync(parent)) {
    const other = path.join(parent, name);
    if (other !== dir && other.startsWith(`${pgliteTemplateDir()}-ready-`) && !name.endsWith('.part')) fs.rmSync(other, { recursive: true, force: true });
  }
  return dir;
}
