// A full export of the business: every table of the public schema as JSON lines, gzipped.
// The same file comes out of either backend, so it also moves a business between them.
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Database } from './client.js';

const BATCH = 1000;

export function exportToStream(database: Database): Readable {
  const out = new PassThrough();
  const gzip = createGzip();
  gzip.pipe(out);
  void (async () => {
    try {
      const tables = await database.execute<{ table_name: string }>(
        `select table_name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
      );
      gzip.write(JSON.stringify({ format: 'onehour-export', version: 1, exportedAt: new Date().toISOString(), tables: tables.rows.map((t) => t.table_name) }) + '\n');
      for (const { table_name } of tables.rows) {
        // ctid order pages through a table without needing to know its key.
        for (let offset = 0; ; offset += BATCH) {
          const rows = await database.execute(`select * from "${table_name.replace(/"/g, '""')}" order by ctid limit ${BATCH} offset ${offset}`);
          for (const row of rows.rows) {
            if (!gzip.write(JSON.stringify({ table: table_name, row }) + '\n')) await new Promise((r) => gzip.once('drain', r));
          }
          if (rows.rows.length < BATCH) break;
        }
      }
      gzip.end();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}
