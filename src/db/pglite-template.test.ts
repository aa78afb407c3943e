// The embedded database's first start copies the initialised data-folder template instead of
// running initdb: every new data folder is its own database, the template never changes, and
// the settings that keep PGlite's memory small are in force.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPgliteTemplate, openDatabase } from './client.js';
import { migrationsUpToDate } from './migrations.js';
import { createReadyTemplate, pgliteSeedTemplates, readyTemplateDir } from './ready-template.js';

function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('PGlite data-folder template', () => {
  it('a first start on an empty data folder is a working database of its own, and the template stays as it was', async () => {
    const template = await createPgliteTemplate();
    const before = listing(template);
    const roots = [fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-tpl-a-')), fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-tpl-b-'))];
    try {
      const a = await openDatabase({ kind: 'pglite', dataDir: roots[0]! });
      await a.execute('create table notes (body text); insert into notes values (\'only in a\')');
      const settings = await a.execute<{ sb: string }>("select current_setting('shared_buffers') as sb");
      assert.equal(settings.rows[0]!.sb, '32MB');
      const systemId = async (d: typeof a) => (await d.execute<{ id: string }>('select system_identifier::text as id from pg_control_system()')).rows[0]!.id;
      const idA = await systemId(a);
      await a.close();
      const b = await openDatabase({ kind: 'pglite', dataDir: roots[1]! });
      const inB = await b.execute<{ n: number }>("select count(*) as n from information_schema.tables where table_name = 'notes'");
      assert.equal(inB.rows[0]!.n, 0, 'the second folder does not see the first one’s table');
      // initdb gives every cluster a new system identifier; copies of one template share it.
      assert.equal(await systemId(b), idA, 'both folders were copied from the template, not made by initdb');
      await b.close();
      const again = await openDatabase({ kind: 'pglite', dataDir: roots[0]! });
      assert.deepEqual((await again.execute('select body from notes')).rows, [{ body: 'only in a' }], 'the data survives a restart');
      await again.close();
      assert.deepEqual(listing(template), before, 'the template is untouched');
      assert.ok(fs.existsSync(path.join(roots[0]!, 'pgdata', 'PG_VERSION')));
      assert.ok(!fs.existsSync(path.join(roots[0]!, 'pgdata.part')), 'no half-copied folder left');
    } finally {
      for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
    }
  });

  it('a first start copies the migrated template when it matches the code: every migration is there before any runs', async () => {
    const ready = await createReadyTemplate();
    assert.equal(pgliteSeedTemplates()[0], ready, 'the migrated template is offered first');
    assert.equal(readyTemplateDir(), ready);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-tpl-ready-'));
    try {
      const db = await openDatabase({ kind: 'pglite', dataDir: root }, { seedTemplates: pgliteSeedTemplates() });
      assert.equal(await migrationsUpToDate(db), true);
      const tables = await db.execute<{ n: number }>("select count(*)::int as n from information_schema.tables where table_name in ('events', 'users', 'contacts', 'orders')");
      assert.equal(tables.rows[0]!.n, 4);
      await db.execute("insert into events (occurred_at, type, actor_kind, data) values (now(), 'demo.tick', 'system', '{}')");
      await db.close();
      const again = await openDatabase({ kind: 'pglite', dataDir: root }, { seedTemplates: pgliteSeedTemplates() });
      assert.equal((await again.execute<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n, 1, 'an existing folder is never re-seeded');
      await again.close();
      const fresh = await openDatabase({ kind: 'pglite', dataDir: fs.mkdtempSync(path.join(root, 'other-')) }, { seedTemplates: pgliteSeedTemplates() });
      assert.equal((await fresh.execute<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n, 0, 'the template itself holds no business data');
      await fresh.close();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
