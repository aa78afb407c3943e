// Fails when a schema.ts changes without its migration (run `npm run db:generate`), and
// checks that both drivers hand back the same JS values for the same SQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { migrationSets } from './migrations.js';
import { backends, openTestDatabase } from '../../test/support/harness.js';
import { projectRoot } from '../../test/support/processes.js';

describe('schema and migrations agree', () => {
  for (const set of migrationSets) {
    it(`${set.name}: schema.ts has no change without a migration`, () => {
      // drizzle-kit wants the folder relative to the project; it lives under node_modules/.cache.
      fs.mkdirSync(path.join(projectRoot, 'node_modules/.cache'), { recursive: true });
      const tmp = fs.mkdtempSync(path.join(projectRoot, 'node_modules/.cache', `drift-${set.name}-`));
      try {
        fs.cpSync(path.join(projectRoot, set.folder), tmp, { recursive: true });
        const before = fs.readdirSync(tmp).filter((f) => f.endsWith('.sql')).length;
        const r = spawnSync(path.join(projectRoot, 'node_modules/.bin/drizzle-kit'), ['generate', '--dialect', 'postgresql', '--schema', set.schema, '--out', path.relative(projectRoot, tmp), '--name', 'drift'], {
          cwd: projectRoot,
          encoding: 'utf8',
        });
        assert.equal(r.status, 0, r.stderr + r.stdout);
        // drizzle-kit can print an error and still exit 0: require its positive answer.
        assert.doesNotMatch(r.stdout + r.stderr, /Error/);
        const after = fs.readdirSync(tmp).filter((f) => f.endsWith('.sql'));
        assert.equal(after.length, before, `schema changed without a migration; run: npm run db:generate -- ${set.name}\n${r.stdout}`);
        assert.match(r.stdout, /No schema changes/);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});

for (const backend of backends()) {
  describe(`driver parity [${backend}]`, () => {
    it('bigints, counts, numerics, timestamps and json come back the same way on both drivers', async () => {
      const { database, drop } = await openTestDatabase(backend);
      try {
        const r = await database.execute<Record<string, unknown>>(
          `select 9007199254740991::int8 as big, count(*) as n, 12.50::numeric as price, 7::int4 as small,
                  '2026-03-01T10:00:00Z'::timestamptz as at, '{"a":[1,2]}'::jsonb as doc, true as flag, null::text as nothing
             from generate_series(1, 3)`,
        );
        const row = r.rows[0]!;
        assert.deepEqual(
          { ...row, at: (row.at as Date).toISOString() },
          { big: 9007199254740991, n: 3, price: '12.50', small: 7, at: '2026-03-01T10:00:00.000Z', doc: { a: [1, 2] }, flag: true, nothing: null },
        );
        await assert.rejects(database.execute('select 9007199254740993::int8 as too_big'), /does not fit a JS number/);
      } finally {
        await drop();
      }
    });

    it('a named (prepared) statement runs again with new values, and parses int8 the same way', async () => {
      const { database, drop } = await openTestDatabase(backend);
      try {
        const q = 'select $1::int8 * 2 as doubled, $2::text as label';
        const runs = [];
        // More than the five custom plans after which PostgreSQL may switch to a generic one.
        for (let i = 1; i <= 8; i++) runs.push((await database.execute<{ doubled: number; label: string }>(q, [i, `run ${i}`], { name: 'test.doubled' })).rows[0]);
        assert.deepEqual(runs.at(0), { doubled: 2, label: 'run 1' });
        assert.deepEqual(runs.at(-1), { doubled: 16, label: 'run 8' });
        assert.equal(runs.length, 8);
      } finally {
        await drop();
      }
    });
  });
}
