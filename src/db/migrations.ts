// Forward-only migrations, one folder per module (each module owns its tables), applied at
// start in this order. Each set keeps its own journal table, so modules can add migrations
// without touching each other's files. Add a module here when it gets its first table.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.js';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Database } from './client.js';

const root = projectRoot;

export interface MigrationSet {
  name: string;
  /** schema file(s) drizzle-kit reads, relative to the project root */
  schema: string;
  /** migrations folder, relative to the project root */
  folder: string;
}

export const migrationSets: MigrationSet[] = [
  { name: 'core', schema: 'src/db/schema.ts', folder: 'src/db/migrations' },
  { name: 'team', schema: 'src/modules/team/schema.ts', folder: 'src/modules/team/migrations' },
  { name: 'mail', schema: 'src/modules/mail/schema.ts', folder: 'src/modules/mail/migrations' },
  { name: 'audience', schema: 'src/modules/audience/schema.ts', folder: 'src/modules/audience/migrations' },
  { name: 'portal', schema: 'src/modules/portal/schema.ts', folder: 'src/modules/portal/migrations' },
  { name: 'access', schema: 'src/modules/access/schema.ts', folder: 'src/modules/access/migrations' },
  { name: 'learning', schema: 'src/modules/learning/schema.ts', folder: 'src/modules/learning/migrations' },
  { name: 'catalog', schema: 'src/modules/catalog/schema.ts', folder: 'src/modules/catalog/migrations' },
  { name: 'site', schema: 'src/modules/site/schema.ts', folder: 'src/modules/site/migrations' },
  { name: 'checkout', schema: 'src/modules/checkout/schema.ts', folder: 'src/modules/checkout/migrations' },
  { name: 'webhooks', schema: 'src/modules/webhooks/schema.ts', folder: 'src/modules/webhooks/migrations' },
  { name: 'brand', schema: 'src/modules/brand/schema.ts', folder: 'src/modules/brand/migrations' },
  { name: 'analytics', schema: 'src/modules/analytics/schema.ts', folder: 'src/modules/analytics/migrations' },
  { name: 'automation', schema: 'src/modules/automation/schema.ts', folder: 'src/modules/automation/migrations' },
  { name: 'content', schema: 'src/modules/content/schema.ts', folder: 'src/modules/content/migrations' },
  { name: 'support', schema: 'src/modules/support/schema.ts', folder: 'src/modules/support/migrations' },
  { name: 'approvals', schema: 'src/modules/approvals/schema.ts', folder: 'src/modules/approvals/migrations' },
  { name: 'tasks', schema: 'src/modules/tasks/schema.ts', folder: 'src/modules/tasks/migrations' },
  { name: 'owner', schema: 'src/modules/owner/schema.ts', folder: 'src/modules/owner/migrations' },
];

/** Serialises migrations across processes sharing one PostgreSQL server. */
const MIGRATION_LOCK_KEY = 72_610_001;

/** The newest migration of each set, as drizzle stamps it (the journal's `when`). */
function newestInFolders(): Map<string, number> {
  const newest = new Map<string, number>();
  for (const set of migrationSets) {
    const journal = JSON.parse(fs.readFileSync(path.join(root, set.folder, 'meta/_journal.json'), 'utf8')) as { entries: { when: number }[] };
    newest.set(set.name, Math.max(0, ...journal.entries.map((e) => e.when)));
  }
  return newest;
}

/**
 * True when every set's newest migration is already applied: one read-only statement instead of
 * drizzle's schema checks and file hashing for each of the sets (most starts are restarts).
 * Drizzle applies exactly the migrations newer than the last one it recorded, so this is the same
 * test it makes. A missing journal table (a new database) answers false.
 */
export async function migrationsUpToDate(database: Database): Promise<boolean> {
  const newest = newestInFolders();
  const text = migrationSets.map((set) => `select '${set.name}' as name, (select max(created_at) from drizzle.migrations_${set.name}) as at`).join(' union all ');
  let rows: { name: string; at: string | number | null }[];
  try {
    rows = (await database.execute<{ name: string; at: string | number | null }>(text)).rows;
  } catch {
    return false;
  }
  const applied = new Map(rows.map((r) => [r.name, r.at === null ? 0 : Number(r.at)]));
  return migrationSets.every((set) => (applied.get(set.name) ?? 0) >= (newest.get(set.name) ?? 0));
}

export async function runMigrations(database: Database): Promise<void> {
  if (await migrationsUpToDate(database)) return;
  await database.withAdvisoryLock(MIGRATION_LOCK_KEY, async () => {
    for (const set of migrationSets) {
      const options = {
        migrationsFolder: path.join(root, set.folder),
        migrationsTable: `migrations_${set.name}`,
        migrationsSchema: 'drizzle',
      };
      if (database.kind === 'pglite') await migratePglite(database.db as unknown as PgliteDatabase, options);
      else await migratePg(database.db as unknown as NodePgDatabase, options);
    }
  });
}
