// A full export of the business: every table of the public schema as JSON lines, gzipped.
// The same file comes out of either backend, so it also moves a business between them.
//
// On PostgreSQL the export reads one consistent snapshot (a repeatable-read transaction) while
// the business keeps running. On the embedded database a transaction would hold its only
// connection for the whole export, so it pages without one: the CLI export (which holds the
// data-folder lock, so nothing else writes) is point-in-time; an export from the running admin
// may see writes made while it runs.
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Database, ExecuteSql } from './client.js';

const BATCH = 1000;

export function exportToStream(database: Database): Readable {
  const out = new PassThrough();
  const gzip = createGzip();
  gzip.pipe(out);
  // Lines are gathered into chunks of about 256 kB before they reach gzip: each write to a zlib
  // stream is one job on libuv's thread pool, and one job per row left the export waiting on
  // those round trips for half its time (24 s for the demo business on the embedded database).
  let pending: string[] = [];
  let pendingLength = 0;
  const flush = async () => {
    if (!pending.length) return;
    const chunk = pending.join('');
    pending = [];
    pendingLength = 0;
    if (!gzip.write(chunk)) await new Promise((r) => gzip.once('drain', r));
  };
  const write = async (obj: unknown) => {
    const line = JSON.stringify(obj) + '\n';
    pending.push(line);
    pendingLength += line.length;
    if (pendingLength >= 256 * 1024) await flush();
  };
  const dump = async (execute: ExecuteSql) => {
    const tables = await execute<{ table_name: string }>(
      `select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    await write({ format: 'onehour-export', version: 1, exportedAt: new Date().toISOString(), tables: tables.rows.map((t) => t.table_name) });
    for (const { table_name } of tables.rows) {
      const ident = `"${table_name.replace(/"/g, '""')}"`;
      // Keyset paging on the physical row id: each page is an index-free range scan, so a big
      // table costs the same per row on its last page as on its first.
      let after = '(0,0)';
      for (;;) {
        const page = await execute<Record<string, unknown>>(`select ctid::text as "__ctid", * from ${ident} where ctid > $1::tid order by ctid limit ${BATCH}`, [after]);
        for (const { __ctid, ...row } of page.rows) await write({ table: table_name, row });
        if (page.rows.length < BATCH) break;
        after = page.rows[page.rows.length - 1]!.__ctid as string;
      }
    }
  };
  void (async () => {
    try {
      if (database.kind === 'pg') {
        await database.transaction(async (tx) => {
          const execute = database.executorFor(tx);
          await execute('set transaction isolation level repeatable read, read only');
          await dump(execute);
        });
      } else {
        await dump(database.execute);
      }
      await flush();
      gzip.end();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}
