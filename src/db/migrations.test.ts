import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, openTestDatabase } from '../../test/support/harness.js';
import { migrationSets, migrationsUpToDate, runMigrations } from './migrations.js';

for (const backend of backends()) {
  describe(`migrations at start [${backend}]`, () => {
    it('skips drizzle only when every set’s newest migration is recorded', async () => {
      const { database, drop } = await openTestDatabase(backend);
      try {
        assert.equal(await migrationsUpToDate(database), true, 'the migrated snapshot is up to date');
        await runMigrations(database); // a restart: nothing to apply, nothing fails

        // The newest migration of one set not recorded: drizzle would apply it, so no shortcut.
        const last = migrationSets.at(-1)!.name;
        const removed = await database.execute<{ id: number; hash: string; created_at: string }>(
          `delete from drizzle.migrations_${last} where created_at = (select max(created_at) from drizzle.migrations_${last}) returning id, hash, created_at`,
        );
        assert.equal(removed.rows.length, 1);
        assert.equal(await migrationsUpToDate(database), false);
        const r = removed.rows[0]!;
        await database.execute(`insert into drizzle.migrations_${last} (id, hash, created_at) values ($1, $2, $3)`, [r.id, r.hash, r.created_at]);
        assert.equal(await migrationsUpToDate(database), true);

        // A set whose journal table is missing (a database from before that module): no shortcut.
        await database.execute(`alter table drizzle.migrations_${migrationSets[1]!.name} rename to moved_aside`);
        assert.equal(await migrationsUpToDate(database), false);
        await database.execute(`alter table drizzle.moved_aside rename to migrations_${migrationSets[1]!.name}`);
        assert.equal(await migrationsUpToDate(database), true);
      } finally {
        await drop();
      }
    });
  });
}
