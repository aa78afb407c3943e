import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { backends, openTestDatabase } from '../../test/support/harness.js';
import { runMigrations } from './migrations.js';
import { exportToStream } from './export.js';

for (const backend of backends()) {
  describe(`full export [${backend}]`, () => {
    it('writes every row of every table once, across page boundaries', async () => {
      const { database, drop } = await openTestDatabase(backend);
      try {
        await runMigrations(database);
        await database.execute(
          `insert into events (occurred_at, type, actor_kind, data)
           select now() - (g || ' minutes')::interval, 'demo.tick', 'system', jsonb_build_object('n', g) from generate_series(1, 2503) g`,
        );
        const chunks: Buffer[] = [];
        for await (const c of exportToStream(database)) chunks.push(c as Buffer);
        const lines = gunzipSync(Buffer.concat(chunks)).toString().trim().split('\n').map((l) => JSON.parse(l));
        assert.equal(lines[0].format, 'onehour-export');
        const events = lines.filter((l) => l.table === 'events');
        assert.equal(events.length, 2503);
        assert.equal(new Set(events.map((e) => e.row.data.n)).size, 2503, 'no row twice, none missing');
        assert.ok(!('__ctid' in events[0].row));
        assert.ok(lines[0].tables.includes('users'));
      } finally {
        await drop();
      }
    });
  });
}
