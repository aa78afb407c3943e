// CSV import benchmark: a generated file of N contacts (default 1 000 000; quoted fields,
// quoted newlines, tags on ~12 % of rows, ~1.5 % repeated addresses, ~0.5 % invalid ones)
// imported by Onehour's import
// job on PostgreSQL, then the same file again (every row now an update), and a slice of it on
// PGlite for reference. Baselines in the same run: csv-parse alone reading the file, and a
// plain server-side COPY of the same file into an unindexed table (the database's raw speed).
//   npm run bench:import                          (1 000 000 rows, PostgreSQL at 127.0.0.1)
//   node --import tsx bench/import.ts [rows] [postgres-url] [pglite-rows]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse';
import pg from 'pg';
import pino from 'pino';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openMemoryDatabase } from '../src/db/client.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const PG_URL = process.argv[3] ?? 'postgres://postgres@127.0.0.1:5432/test';
const PGLITE_ROWS = Number(process.argv[4] ?? 100_000);

const FIRST = ['Anna', 'Ben', 'Chloé', 'David', 'Elif', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kaito', 'Lena', 'Mateo', 'Nina', 'Omar', 'Priya'];
const LAST = ['Schmidt', 'Okafor', 'García', 'Nguyen', 'Yılmaz', 'Rossi', "O'Neil", 'Kowalski', 'Tanaka', 'Dubois', 'Silva', 'Müller'];
const CITIES = ['Berlin', 'Lisbon', 'Toronto', 'Melbourne', 'Austin', 'Lagos', 'Bangalore', 'Osaka'];

/** Writes the file; returns what the import must report for it. */
function generate(file: string, rows: number) {
  const out = fs.openSync(file, 'w');
  let buf = 'Email Address,First Name,Last Name,City,Tags\r\n';
  let invalid = 0;
  let repeated = 0;
  for (let i = 1; i <= rows; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    let email: string;
    if (i % 200 === 0) {
      email = `not-an-address-${i}`;
      invalid++;
    } else if (i % 50 === 0 && i > 100) {
      // the address of row i - 37 (never itself invalid or a repeat: 37 is not a multiple of 50 or 200)
      email = `${FIRST[(i - 37) % FIRST.length]!.toLowerCase()}.${i - 37}@example.com`;
      repeated++;
    } else email = `${first.toLowerCase()}.${i}@example.com`;
    const name = i % 97 === 0 ? `"${last}\nJr."` : last.includes("'") ? `"${last}"` : last;
    // About one row in ten carries tags, as in a typical Mailchimp or Kit export.
    const tags = i % 10 === 0 ? '"customer,webinar"' : i % 25 === 0 ? 'lead' : '';
    buf += `${email},${first},${name},${CITIES[i % CITIES.length]},${tags}\r\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(out, buf);
      buf = '';
    }
  }
  fs.writeSync(out, buf);
  fs.closeSync(out);
  return { rows, invalid, repeated, fresh: rows - invalid - repeated };
}

async function parseOnly(file: string): Promise<number> {
  let n = 0;
  const parser = fs.createReadStream(file).pipe(parse({ relax_column_count: true, bom: true, record_delimiter: ['\r\n', '\n'] }));
  for await (const _ of parser) n++;
  return n - 1;
}

async function copyBaseline(file: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query('drop table if exists bench_copy');
    await client.query('create unlogged table bench_copy (email text, first_name text, last_name text, city text, tags text)');
    const t0 = performance.now();
    // Server-side COPY: the server reads the file itself (it runs on this machine).
    await client.query(`copy bench_copy from '${file.replace(/'/g, "''")}' with (format csv, header true)`);
    return performance.now() - t0;
  } finally {
    await client.query('drop table if exists bench_copy').catch(() => {});
    await client.end();
  }
}

async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `onehour_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function importFile(app: App, file: string): Promise<{ ms: number; uploadMs: number; view: Awaited<ReturnType<App['audience']['imports']['get']>> }> {
  const owner = { kind: 'owner' as const, id: '00000000-0000-0000-0000-000000000000', label: 'bench' };
  const u0 = performance.now();
  const up = await app.audience.imports.upload({ name: path.basename(file), stream: fs.createReadStream(file) }, owner);
  const uploadMs = performance.now() - u0;
  await app.audience.imports.start(up.id, { options: { listIds: [], tagIds: [], existing: 'update', newStatus: 'active', consentStatement: 'benchmark' } }, owner);
  const t0 = performance.now();
  for (;;) {
    const r = await app.audience.imports.run(up.id, { budgetMs: 3_600_000 });
    if (r !== 'continued') break;
  }
  return { ms: performance.now() - t0, uploadMs, view: await app.audience.imports.get(up.id) };
}

function check(label: string, view: { rowsDone: number; imported: number; updated: number; skipped: number; errored: number; status: string }, rows: number) {
  const sum = view.imported + view.updated + view.skipped + view.errored;
  if (view.status !== 'completed' || view.rowsDone !== rows || sum !== rows) throw new Error(`${label}: ${JSON.stringify(view)} does not reconcile to ${rows} rows`);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
const line = (label: string, rows: number, ms: number, note = '') => console.log(`${label.padEnd(52)} ${fmt(rows).padStart(10)} rows ${(ms / 1000).toFixed(1).padStart(7)} s ${fmt((rows / ms) * 1000).padStart(9)} rows/s  ${note}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-bench-import-'));
fs.chmodSync(dir, 0o755);
const file = path.join(dir, 'contacts.csv');
try {
  console.log(`Generating ${fmt(ROWS)} rows…`);
  const expected = generate(file, ROWS);
  fs.chmodSync(file, 0o644);
  console.log(`${(fs.statSync(file).size / 1_048_576).toFixed(1)} MB, ${fmt(expected.repeated)} repeated addresses, ${fmt(expected.invalid)} invalid; ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}\n`);

  let t0 = performance.now();
  const parsed = await parseOnly(file);
  line('baseline: csv-parse alone (read + parse)', parsed, performance.now() - t0);
  const copyMs = await copyBaseline(file);
  line('baseline: PostgreSQL COPY, unindexed table', ROWS, copyMs);

  const db = await createPgDatabase();
  try {
    const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: db.url, DATA_DIR: dir, LOG_LEVEL: 'silent', JOBS_ENABLED: 'false' });
    const app = await createApp({ config, log: pino({ level: 'silent' }) });
    try {
      const first = await importFile(app, file);
      check('first import', first.view, ROWS);
      line('Onehour import, PostgreSQL, new contacts', ROWS, first.ms, `(upload ${(first.uploadMs / 1000).toFixed(1)} s; ${fmt(first.view.imported)} imported, ${fmt(first.view.skipped)} skipped, ${fmt(first.view.errored)} errored)`);
      const second = await importFile(app, file);
      check('second import', second.view, ROWS);
      line('Onehour import, PostgreSQL, same file again', ROWS, second.ms, `(${fmt(second.view.updated)} updated, ${fmt(second.view.skipped)} skipped)`);
      console.log(`\nPeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
      console.log(`Target: ≥ 20 000 rows/s on PostgreSQL for ${fmt(ROWS)} rows: ${(ROWS / first.ms) * 1000 >= 20_000 ? 'met' : 'NOT met'} (listmonk advertises about 10 000/s)`);
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
  }

  // PGlite for reference, on the first PGLITE_ROWS rows.
  const small = path.join(dir, 'small.csv');
  const smallExpected = generate(small, Math.min(PGLITE_ROWS, ROWS));
  const lite = await openMemoryDatabase();
  const app = await createApp({ config: loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, LOG_LEVEL: 'silent', JOBS_ENABLED: 'false' }), database: lite, log: pino({ level: 'silent' }) });
  try {
    const r = await importFile(app, small);
    check('pglite import', r.view, smallExpected.rows);
    line('Onehour import, PGlite (in memory), new contacts', smallExpected.rows, r.ms);
  } finally {
    await app.close();
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
