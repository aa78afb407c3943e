// The migrated snapshot every test database starts from: complete, and rebuilt when a
// migration changes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrationSets } from '../../src/db/migrations.js';
import { jobRegistry } from '../../src/job-registry.js';
import { backends, openTestDatabase } from './harness.js';
import { projectRoot } from './processes.js';
import { snapshotKeyOf } from './snapshot.js';

for (const backend of backends()) {
  describe(`migrated snapshot [${backend}]`, () => {
    it('a test database has every migration of every module applied, pg-boss ready and the registry’s queues made', async () => {
      const { database, drop } = await openTestDatabase(backend);
      try {
        for (const set of migrationSets) {
          const files = fs.readdirSync(path.join(projectRoot, set.folder)).filter((f) => f.endsWith('.sql'));
          const applied = await database.execute<{ n: number }>(`select count(*) as n from drizzle.migrations_${set.name}`);
          assert.equal(applied.rows[0]!.n, files.length, `${set.name}: ${files.length} migrations`);
        }
        const boss = await database.execute<{ n: number }>("select count(*) as n from information_schema.tables where table_schema = 'pgboss' and table_name = 'job'");
        assert.equal(boss.rows[0]!.n, 1);
        // The registry's queues are made once, in the snapshot, not by every test app's start.
        const queues = await database.execute<{ name: string }>('select name from pgboss.queue');
        const names = new Set(queues.rows.map((q) => q.name));
        assert.deepEqual(jobRegistry.map((d) => d.name).filter((n) => !names.has(n)), [], 'every registry queue is in the snapshot');
      } finally {
        await drop();
      }
    });

    it('test databases are independent copies: a row written in one is not in the next', async () => {
      const first = await openTestDatabase(backend);
      try {
        await first.database.execute(`insert into events (occurred_at, type, actor_kind, data) values (now(), 'snapshot.probe', 'system', '{}')`);
      } finally {
        await first.drop();
      }
      const second = await openTestDatabase(backend);
      try {
        const rows = await second.database.execute<{ n: number }>("select count(*) as n from events where type = 'snapshot.probe'");
        assert.equal(rows.rows[0]!.n, 0);
      } finally {
        await second.drop();
      }
    });
  });
}

describe('snapshot key', () => {
  it('changes when a migration file is added or edited, so a stale snapshot is never used', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-snapshot-key-'));
    try {
      for (const set of migrationSets) fs.cpSync(path.join(projectRoot, set.folder), path.join(copy, set.folder), { recursive: true });
      const original = snapshotKeyOf(copy);
      assert.equal(snapshotKeyOf(projectRoot), original, 'same files, same key');
      const folder = path.join(copy, migrationSets[1]!.folder);
      const sql = fs.readdirSync(folder).find((f) => f.endsWith('.sql'))!;
      fs.appendFileSync(path.join(folder, sql), '\n-- edited\n');
      const edited = snapshotKeyOf(copy);
      assert.notEqual(edited, original);
      fs.writeFileSync(path.join(folder, '9999_new.sql'), 'select 1;');
      assert.notEqual(snapshotKeyOf(copy), edited);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
