// CSV import: upload → recognise (delimiter, encoding, exporting tool, column mapping) →
// confirm the mapping → a job streams the file through csv-parse in chunks.
//
// Crash safety: each chunk is one transaction that upserts its contacts, writes the report
// rows of its skipped/failed rows, and moves the checkpoint (byte offset, row count, counters)
// of the import. A crash loses at most the chunk in flight, which rolls back whole; the next
// run starts reading at the committed byte offset. Rows repeated in the file are recognised
// through contacts.import_id, stamped in the same transactions, so a resumed run counts them
// the same way an uninterrupted one would. Hence, always:
//   imported + updated + skipped + errored = rows in the file.
// The checkpoint row is locked and compared at the start of every chunk, so two workers that
// both believe they own the import (an expired job that was still alive) never both commit.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { and, asc, desc, eq, gt, inArray } from 'drizzle-orm';
import { actorColumns, type Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import { saveStream } from '../../files.js';
import type { Database, ExecuteSql, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { conflict, invalid, notFound } from '../../errors.js';
import { importIssues, imports, lists, tags, type ContactStatus, type ImportStatus } from './schema.js';
import { normalizeEmail, type AudienceDeps, type ContactWriter } from './contact-model.js';
import { emailAddressProblem } from './email-address.js';
import { neutraliseFormula, restoreFormula } from './csv-cells.js';
import {
  detectDelimiter,
  detectEncoding,
  detectFormat,
  formatLabels,
  isImportTarget,
  isTruthy,
  splitNameList,
  splitTags,
  statusFromWord,
  suggestMapping,
  type ImportFormat,
  type ImportTarget,
} from './csv-formats.js';

export const IMPORT_JOB = 'audience.import';
/** How long one job run works before handing over to a fresh job (keeps job expiry short). */
const DEFAULT_BUDGET_MS = 60_000;
const SAMPLE_ROWS = 5;

export interface ImportOptions {
  listIds: string[];
  tagIds: string[];
  /** update: names and fields from the file are merged into existing contacts; skip: left as they are */
  existing: 'update' | 'skip';
  /** status of contacts the file creates */
  newStatus: 'active' | 'unconfirmed';
  /** how these people agreed to hear from the business: kept as consent evidence */
  consentStatement: string;
}

export interface ImportRunOptions {
  budgetMs?: number;
  chunkRows?: number;
  /** fault injection (tests): runs inside each chunk's transaction, before it commits */
  beforeCommit?: (chunk: number) => void | Promise<void>;
  /** fault injection (tests): runs after each chunk committed */
  afterCommit?: (chunk: number) => void | Promise<void>;
}

export type ImportRow = typeof imports.$inferSelect;

export interface ImportView {
  id: string;
  fileName: string;
  fileSize: number;
  format: ImportFormat;
  formatLabel: string;
  delimiter: string;
  encoding: string;
  headers: string[];
  mapping: string[];
  options: Partial<ImportOptions>;
  status: ImportStatus;
  rowsDone: number;
  imported: number;
  updated: number;
  skipped: number;
  errored: number;
  /** 0…1, by bytes read */
  progress: number;
  error: string | null;
  startedBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

type Item =
  | { record: string[]; info: { bytes: number; lines: number } }
  | { skip: string; lines: number };

interface Outcome {
  row: number;
  line: number;
  email: string;
  outcome: 'imported' | 'updated' | 'skipped' | 'errored';
  reason?: string;
}

interface MappedRow {
  row: number;
  line: number;
  email: string;
  norm: string;
  name: string;
  fields: Record<string, string>;
  tags: string[];
  /** list names from the file (Onehour's export) */
  lists: string[];
  /** from the file (Onehour's export); for contacts the import creates */
  createdAt: Date | null;
  confirmedAt: Date | null;
  /** from the file (status column, opt-out flags); undefined: the import's default */
  status?: ContactStatus;
}

type Prepared = MappedRow | Outcome;

interface ExistingContact {
  id: string;
  norm: string;
  status: ContactStatus;
  import_id: string | null;
  import_row: number | null;
}

class ImportStopped extends Error {}

// Windows-1252 differs from latin1 only in 0x80–0x9F (€, curly quotes, dashes …). Node's
// TextDecoder decodes 'windows-1252' as latin1, so the difference is mapped here.
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const C1_RE = /[\u0080-\u009f]/g;
function decodeCp1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(C1_RE, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]!);
}
const DOWNGRADES = new Set<ContactStatus>(['unsubscribed', 'bounced', 'complained']);

export function toView(r: ImportRow): ImportView {
  const span = Math.max(1, r.fileSize - r.headerBytes);
  return {
    id: r.id,
    fileName: r.fileName,
    fileSize: r.fileSize,
    format: r.format as ImportFormat,
    formatLabel: formatLabels[r.format as ImportFormat] ?? r.format,
    delimiter: r.delimiter,
    encoding: r.encoding,
    headers: r.headers,
    mapping: r.mapping,
    options: r.options as Partial<ImportOptions>,
    status: r.status,
    rowsDone: r.rowsDone,
    imported: r.imported,
    updated: r.updated,
    skipped: r.skipped,
    errored: r.errored,
    progress: r.status === 'completed' ? 1 : Math.min(1, Math.max(0, (r.byteOffset - r.headerBytes) / span)),
    error: r.error,
    startedBy: r.actorLabel,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

export class ImportService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly audience: ContactWriter,
    private readonly deps: AudienceDeps,
  ) {}

  private get db() {
    return this.database.db;
  }

  private absolute(rel: string): string {
    return path.join(this.deps.settings.dataDir, rel);
  }

  async list(limit = 50): Promise<ImportView[]> {
    const rows = await this.db.select().from(imports).orderBy(desc(imports.createdAt)).limit(Math.min(limit, 200));
    return rows.map(toView);
  }

  async getRow(id: string): Promise<ImportRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Import');
    const [row] = await this.db.select().from(imports).where(eq(imports.id, id));
    if (!row) throw notFound('Import');
    return row;
  }

  async get(id: string): Promise<ImportView> {
    return toView(await this.getRow(id));
  }

  // ---- upload & recognition --------------------------------------------------------------

  /**
   * Stores the uploaded file under DATA_DIR/imports (streamed, size-capped) and reads its
   * header: delimiter, encoding, the tool that exported it and a suggested column mapping.
   */
  async upload(file: { name: string; stream: Readable }, actor: Actor): Promise<ImportView & { sample: string[][] }> {
    const id = randomUUID();
    const rel = path.join('imports', `${id}.csv`);
    const target = this.absolute(rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const max = this.deps.settings.importMaxBytes;
    const size = await saveStream(file.stream, target, { maxBytes: max, tooLarge: (m) => `The file is larger than the ${Math.round(m / 1_048_576)} MB import limit (IMPORT_MAX_MB)` });
    try {
      const sniffed = await this.sniff(target);
      const now = this.clock.now();
      const { actorKind, actorId, actorRole } = actorColumns(actor);
      const [row] = await this.database.transaction(async (tx) => {
        const inserted = await tx
          .insert(imports)
          .values({
            id,
            fileName: path.basename(file.name || 'contacts.csv').slice(0, 200),
            filePath: rel,
            fileSize: size,
            encoding: sniffed.encoding,
            delimiter: sniffed.delimiter,
            headers: sniffed.headers,
            format: sniffed.format,
            mapping: sniffed.mapping,
            options: {},
            status: 'uploaded',
            headerBytes: sniffed.headerBytes,
            byteOffset: sniffed.headerBytes,
            actorKind,
            actorId,
            actorRole,
            actorLabel: actor.label ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        await this.events.recordInTx(tx, { type: 'import.uploaded', actor, subject: { type: 'import', id }, data: { fileName: file.name, size, format: sniffed.format } });
        return inserted;
      });
      return { ...toView(row!), sample: sniffed.sample };
    } catch (err) {
      fs.rmSync(target, { force: true });
      throw err;
    }
  }

  private async sniff(file: string) {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    if (n === 0) throw invalid('The file is empty');
    const bytes = head.subarray(0, n);
    const encoding = detectEncoding(bytes);
    if (encoding === 'utf16') throw invalid('This file is saved as UTF-16 text. Save it as “CSV UTF-8” (or plain CSV) and upload it again.');
    const text = (encoding === 'utf8' ? bytes.toString('utf8') : decodeCp1252(bytes)).replace(/^\ufeff/, '');
    const delimiter = detectDelimiter(text.split(/\r?\n/, 1)[0] ?? '');
    const records: Item[] = [];
    const parser = this.parser(delimiter, encoding, true);
    const stream = fs.createReadStream(file);
    stream.pipe(parser);
    try {
      for await (const item of parser as AsyncIterable<Item>) {
        if ('record' in item) records.push(item);
        if (records.length > SAMPLE_ROWS) break;
      }
    } catch (err) {
      throw invalid(`The file could not be read as CSV: ${(err as Error).message}`);
    } finally {
      stream.destroy();
      parser.destroy();
    }
    const header = records[0];
    if (!header || !('record' in header)) throw invalid('The file has no header row');
    const headers = header.record.map((h, i) => fixText(h, encoding).trim() || `column_${i + 1}`);
    const format = detectFormat(headers);
    const mapping = suggestMapping(headers, format);
    const sample = records.slice(1).map((r) => ('record' in r ? r.record.map((v) => fixText(v, encoding)) : []));
    return { encoding, delimiter, headers, format, mapping, headerBytes: header.info.bytes, sample };
  }

  /** csv-parse as imports use it: arrays, info for checkpoints, broken rows reported in order. */
  private parser(delimiter: string, encoding: string, bom: boolean) {
    const parser = parse({
      delimiter,
      encoding: encoding === 'windows-1252' ? 'latin1' : 'utf8',
      bom,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      record_delimiter: ['\r\n', '\n'],
      // An unclosed quote must not swallow the file into memory.
      max_record_size: 1_000_000,
      // A broken row becomes an item in the same stream as the records around it, so it is
      // counted in the chunk that contains it, exactly once.
      on_skip: (err: CsvError | undefined) => {
        parser.push({ skip: err?.message ?? 'unreadable row', lines: (err as unknown as { lines?: number })?.lines ?? 0 });
        return undefined;
      },
    });
    return parser;
  }

  // ---- start / cancel --------------------------------------------------------------------

  async start(id: string, input: { mapping?: string[]; options: ImportOptions }, actor: Actor, meta: { ip?: string } = {}): Promise<ImportView> {
    const current = await this.getRow(id);
    const mapping = input.mapping ?? current.mapping;
    if (mapping.length !== current.headers.length) throw invalid(`The mapping needs one entry per column (${current.headers.length})`, { field: 'mapping' });
    for (const m of mapping) if (!isImportTarget(m)) throw invalid(`"${m}" is not something a column can be imported as`, { field: 'mapping' });
    const emailColumns = mapping.filter((m) => m === 'email').length;
    if (emailColumns !== 1) throw invalid(emailColumns ? 'Only one column can be the email address' : 'Choose the column that holds the email address', { field: 'mapping' });
    const options = input.options;
    if (!options.consentStatement?.trim()) throw invalid('Say how these people agreed to hear from you (kept as consent evidence)', { field: 'consentStatement' });
    if (options.listIds.length) {
      const found = await this.db.select({ id: lists.id }).from(lists).where(inArray(lists.id, options.listIds));
      if (found.length !== new Set(options.listIds).size) throw invalid('One of the lists does not exist', { field: 'listIds' });
    }
    if (options.tagIds.length) {
      const found = await this.db.select({ id: tags.id }).from(tags).where(inArray(tags.id, options.tagIds));
      if (found.length !== new Set(options.tagIds).size) throw invalid('One of the tags does not exist', { field: 'tagIds' });
    }
    const now = this.clock.now();
    const { actorKind, actorId, actorRole } = actorColumns(actor);
    const row = await this.database.transaction(async (tx) => {
      const [updated] = await tx
        .update(imports)
        .set({ mapping, options: { ...options }, status: 'queued', actorKind, actorId, actorRole, actorLabel: actor.label ?? null, updatedAt: now })
        .where(and(eq(imports.id, id), eq(imports.status, 'uploaded')))
        .returning();
      if (!updated) throw conflict(`This import is already ${current.status}`);
      await this.audience.recordConsent(tx, { contactId: null, kind: 'import', statement: options.consentStatement.trim(), importId: id, listIds: options.listIds, ip: meta.ip, actor });
      await this.events.recordInTx(tx, { type: 'import.started', actor, subject: { type: 'import', id }, data: { fileName: updated.fileName, format: updated.format } });
      await this.deps.jobs.sendInTx(tx, IMPORT_JOB, { importId: id });
      return updated;
    });
    return toView(row);
  }

  async cancel(id: string, actor: Actor): Promise<ImportView> {
    const row = await this.database.transaction(async (tx) => {
      const [updated] = await tx
        .update(imports)
        .set({ status: 'cancelled', finishedAt: this.clock.now(), updatedAt: this.clock.now() })
        .where(and(eq(imports.id, id), inArray(imports.status, ['uploaded', 'queued', 'running', 'failed'])))
        .returning();
      if (!updated) throw conflict('This import has already finished');
      await this.events.recordInTx(tx, { type: 'import.cancelled', actor, subject: { type: 'import', id }, data: { rowsDone: updated.rowsDone } });
      return updated;
    });
    fs.rmSync(this.absolute(row.filePath), { force: true });
    return toView(row);
  }

  /** A failed import (database gone, disk full …) carries on from its last checkpoint. */
  async resume(id: string, actor: Actor): Promise<ImportView> {
    const row = await this.database.transaction(async (tx) => {
      const [updated] = await tx
        .update(imports)
        .set({ status: 'running', error: null, updatedAt: this.clock.now() })
        .where(and(eq(imports.id, id), eq(imports.status, 'failed')))
        .returning();
      if (!updated) throw conflict('Only a failed import can be resumed');
      await this.events.recordInTx(tx, { type: 'import.resumed', actor, subject: { type: 'import', id }, data: { rowsDone: updated.rowsDone } });
      await this.deps.jobs.sendInTx(tx, IMPORT_JOB, { importId: id });
      return updated;
    });
    return toView(row);
  }

  async markFailed(id: string, message: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      const [row] = await tx
        .update(imports)
        .set({ status: 'failed', error: message.slice(0, 1000), updatedAt: this.clock.now() })
        .where(and(eq(imports.id, id), inArray(imports.status, ['queued', 'running'])))
        .returning();
      if (row) await this.events.recordInTx(tx, { type: 'import.failed', actor: this.actorOf(row), subject: { type: 'import', id }, data: { error: row.error, rowsDone: row.rowsDone } });
    });
  }

  private actorOf(row: ImportRow): Actor {
    const label = row.actorLabel ?? undefined;
    if (row.actorKind === 'owner') return { kind: 'owner', id: row.actorId ?? '', label };
    if (row.actorKind === 'assistant') return { kind: 'assistant', id: row.actorId ?? '', role: row.actorRole ?? 'assistant', label };
    if (row.actorKind === 'automation') return { kind: 'automation', id: row.actorId ?? '', label };
    return { kind: 'system', label };
  }

  // ---- the job ---------------------------------------------------------------------------

  /**
   * Processes the import from its checkpoint for up to `budgetMs`, then hands over to a new
   * job (enqueued in the last chunk's transaction). Returns what happened.
   */
  async run(importId: string, opts: ImportRunOptions = {}): Promise<'completed' | 'continued' | 'stopped'> {
    const budget = opts.budgetMs ?? DEFAULT_BUDGET_MS;
    const chunkRows = opts.chunkRows ?? this.deps.settings.importChunkRows;
    const now = this.clock.now();
    await this.db
      .update(imports)
      .set({ status: 'running', startedAt: now, updatedAt: now })
      .where(and(eq(imports.id, importId), eq(imports.status, 'queued')));
    const imp = await this.getRow(importId);
    if (imp.status !== 'running') return 'stopped';
    const file = this.absolute(imp.filePath);
    if (!fs.existsSync(file)) {
      await this.markFailed(importId, 'The uploaded file is no longer in the data folder; upload it again.');
      return 'stopped';
    }
    const started = Date.now();
    const base = imp.byteOffset;
    // Report lines are the file's physical lines: the parser counts from where it starts.
    const lines = new LineCounter(await linesBefore(file, base));
    const state = { offset: imp.byteOffset, rowsDone: imp.rowsDone, chunk: 0 };
    const source = fs.createReadStream(file, { start: base, highWaterMark: 256 * 1024 });
    const parser = this.parser(imp.delimiter, imp.encoding, false);
    source.on('error', (err) => parser.destroy(err));
    source.pipe(parser);
    let batch: Prepared[] = [];
    let row = imp.rowsDone;
    // The next chunk is read and mapped while the previous one commits: chunks still commit
    // one after the other, each awaited before the next starts, so checkpoints stay in order.
    let inflight: Promise<void> | null = null;
    const settle = async () => {
      const p = inflight;
      inflight = null;
      if (p) await p;
    };
    try {
      for await (const item of parser as AsyncIterable<Item>) {
        batch.push(prepare(item, imp, ++row, lines.lineOf(item)));
        // Chunks end on a record, never on a broken row, so the checkpoint is exact.
        if (!('record' in item) || batch.length < chunkRows) continue;
        await settle();
        const handOver = Date.now() - started > budget;
        inflight = this.commitChunk(imp, batch, state, base + item.info.bytes, { final: false, handOver }, opts);
        inflight.catch(() => {}); // awaited by settle(); this only keeps it from counting as unhandled meanwhile
        batch = [];
        if (handOver) {
          await settle();
          return 'continued';
        }
      }
      await settle();
      await this.commitChunk(imp, batch, state, imp.fileSize, { final: true, handOver: false }, opts);
      fs.rmSync(file, { force: true });
      return 'completed';
    } catch (err) {
      // Never leave a chunk's transaction running behind a failure.
      await settle().catch(() => {});
      if (err instanceof ImportStopped) return 'stopped';
      if ((err as CsvError).code?.startsWith?.('CSV_')) {
        // The file itself is broken in a way no retry fixes.
        await this.markFailed(importId, `The file could not be read after row ${state.rowsDone}: ${(err as Error).message}`);
        return 'stopped';
      }
      throw err;
    } finally {
      source.destroy();
      parser.destroy();
    }
  }

  private async commitChunk(
    imp: ImportRow,
    items: Prepared[],
    state: { offset: number; rowsDone: number; chunk: number },
    endOffset: number,
    mode: { final: boolean; handOver: boolean },
    opts: ImportRunOptions,
  ): Promise<void> {
    const chunkNo = ++state.chunk;
    const options = imp.options as unknown as ImportOptions;
    const now = this.clock.now();
    const outcomes = await this.database.transaction(async (tx) => {
      const exec = this.database.executorFor(tx);
      // Own the checkpoint: a second worker on the same import waits here, then finds the
      // offset moved and stops; a cancelled import stops here too. In the same round trip:
      // no need to wait for the disk at each commit (synchronous_commit off for this
      // transaction only): if the server crashes and loses this commit, it loses the checkpoint
      // with it, and the chunk is simply imported again.
      const [cp] = (
        await exec<{ byte_offset: number; status: string }>(
          `select set_config('synchronous_commit', 'off', true), byte_offset, status from imports where id = $1 for update`,
          [imp.id],
        )
      ).rows;
      if (!cp || cp.status !== 'running' || Number(cp.byte_offset) !== state.offset) throw new ImportStopped();
      const result = await this.applyRows(exec, imp, options, items, now);
      const counts = { imported: 0, updated: 0, skipped: 0, errored: 0 };
      for (const o of result) counts[o.outcome]++;
      const issues = result.filter((o) => o.outcome === 'skipped' || o.outcome === 'errored');
      if (issues.length) {
        await exec(
          `insert into import_issues (import_id, row_number, line, email, outcome, reason)
           select $1, u.row_number, u.line, u.email, u.outcome, u.reason
             from unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[]) as u(row_number, line, email, outcome, reason)`,
          [imp.id, issues.map((i) => i.row), issues.map((i) => i.line), issues.map((i) => i.email.slice(0, 320)), issues.map((i) => i.outcome), issues.map((i) => i.reason ?? '')],
        );
      }
      await exec(
        `update imports set byte_offset = $2, rows_done = rows_done + $3, imported = imported + $4, updated = updated + $5,
                skipped = skipped + $6, errored = errored + $7, updated_at = $8,
                status = case when $9::boolean then 'completed' else status end,
                finished_at = case when $9::boolean then $8 else finished_at end
          where id = $1`,
        [imp.id, endOffset, result.length, counts.imported, counts.updated, counts.skipped, counts.errored, now, mode.final],
      );
      if (mode.final) {
        const [done] = await tx.select().from(imports).where(eq(imports.id, imp.id));
        await this.events.recordInTx(tx, {
          type: 'import.completed',
          actor: this.actorOf(imp),
          subject: { type: 'import', id: imp.id },
          data: { rows: done!.rowsDone, imported: done!.imported, updated: done!.updated, skipped: done!.skipped, errored: done!.errored },
        });
      }
      if (mode.handOver) await this.deps.jobs.sendInTx(tx, IMPORT_JOB, { importId: imp.id });
      await opts.beforeCommit?.(chunkNo);
      return result;
    });
    state.offset = endOffset;
    state.rowsDone += outcomes.length;
    await opts.afterCommit?.(chunkNo);
  }

  /** Maps, validates and writes one chunk's rows; returns one outcome per item, in order. */
  private async applyRows(exec: ExecuteSql, imp: ImportRow, options: ImportOptions, items: Prepared[], now: Date): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const valid: MappedRow[] = [];
    const firstByEmail = new Map<string, MappedRow>();
    for (const mapped of items) {
      if ('outcome' in mapped) {
        outcomes.push(mapped);
        continue;
      }
      const first = firstByEmail.get(mapped.norm);
      if (first) {
        // Same person twice in the file (a sales export has a row per purchase): their tags count.
        first.tags.push(...mapped.tags);
        outcomes.push({ row: mapped.row, line: mapped.line, email: mapped.email, outcome: 'skipped', reason: `same email as row ${first.row}` });
        continue;
      }
      firstByEmail.set(mapped.norm, mapped);
      valid.push(mapped);
      outcomes.push({ row: mapped.row, line: mapped.line, email: mapped.email, outcome: 'imported' }); // settled below
    }
    if (!valid.length) return outcomes;

    // New addresses first: in a first import nearly every row is new, and the insert's own
    // conflict check stands in for a separate lookup. Ids are time-ordered (UUIDv7), so a large
    // import appends to the primary-key index instead of writing all over it.
    const idOf = new Map<string, string>();
    const finalStatus = new Map<string, ContactStatus>();
    const inserted = await exec<{ id: string; norm: string; status: ContactStatus }>(
      `insert into contacts (id, email, email_normalized, name, status, source, fields, created_at, confirmed_at, updated_at, import_id, import_row)
       select u.id, u.email, u.norm, u.name, u.status, $7, u.fields::jsonb, coalesce(u.created_at, $8), u.confirmed_at, $8, $9, u.row
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $10::int[], $11::timestamptz[], $12::timestamptz[])
           as u(id, email, norm, name, status, fields, row, created_at, confirmed_at)
       on conflict (email_normalized) do nothing
       returning id, email_normalized as norm, status`,
      [
        timeOrderedIds(valid.length),
        valid.map((v) => v.email),
        valid.map((v) => v.norm),
        valid.map((v) => v.name),
        valid.map((v) => v.status ?? options.newStatus),
        valid.map((v) => JSON.stringify(v.fields)),
        `import:${imp.id}`,
        now,
        imp.id,
        valid.map((v) => v.row),
        valid.map((v) => v.createdAt),
        valid.map((v) => v.confirmedAt),
      ],
    );
    for (const r of inserted.rows) {
      idOf.set(r.norm, r.id);
      finalStatus.set(r.norm, r.status);
    }
    // The rest are already contacts: before this import, or from an earlier row of it.
    const existing = new Map<string, ExistingContact>();
    const rest = valid.filter((v) => !idOf.has(v.norm));
    if (rest.length) {
      const found = await exec<ExistingContact>(
        `select id, email_normalized as norm, status, import_id, import_row from contacts where email_normalized = any($1::text[])`,
        [rest.map((v) => v.norm)],
      );
      for (const r of found.rows) existing.set(r.norm, r);
    }

    const repeats = valid.filter((v) => existing.get(v.norm)?.import_id === imp.id);
    const matched = valid.filter((v) => existing.has(v.norm) && existing.get(v.norm)!.import_id !== imp.id);
    if (matched.length) {
      const updateMode = options.existing === 'update';
      const res = await exec<{ id: string; norm: string; status: ContactStatus }>(
        `update contacts c set
            name = case when $6::boolean and u.name <> '' then u.name else c.name end,
            fields = case when $6::boolean then c.fields || u.fields::jsonb else c.fields end,
            status = case when c.status in ('active', 'unconfirmed') and u.status in ('unsubscribed', 'bounced', 'complained') then u.status else c.status end,
            updated_at = case when $6::boolean then $5 else c.updated_at end,
            import_id = $7,
            import_row = u.row
           from unnest($1::text[], $2::text[], $3::text[], $4::text[], $8::int[]) as u(norm, name, fields, status, row)
          where c.email_normalized = u.norm
          returning c.id, c.email_normalized as norm, c.status`,
        [matched.map((v) => v.norm), matched.map((v) => v.name), matched.map((v) => JSON.stringify(v.fields)), matched.map((v) => v.status ?? ''), now, updateMode, imp.id, matched.map((v) => v.row)],
      );
      for (const r of res.rows) {
        idOf.set(r.norm, r.id);
        finalStatus.set(r.norm, r.status);
      }
    }
    for (const r of repeats) idOf.set(r.norm, existing.get(r.norm)!.id);

    // Settle each valid row's outcome.
    const joinLists: string[] = [];
    const tagPairs: { contactId: string; name: string }[] = [];
    const tagAll: string[] = [];
    const listPairs: { contactId: string; name: string }[] = [];
    const outcomeAt = new Map(outcomes.map((o, i) => [o.row, i]));
    for (const v of valid) {
      const o = outcomes[outcomeAt.get(v.row)!]!;
      const id = idOf.get(v.norm);
      const before = existing.get(v.norm);
      if (!id) {
        // Erased by someone between our insert and our lookup.
        o.outcome = 'skipped';
        o.reason = 'the contact was deleted while the import ran';
      } else if (before && before.import_id === imp.id) {
        o.outcome = 'skipped';
        o.reason = before.import_row ? `same email as row ${before.import_row}` : 'same email as an earlier row';
        for (const t of v.tags) tagPairs.push({ contactId: id, name: t });
      } else if (before && options.existing === 'skip') {
        const downgraded = v.status && DOWNGRADES.has(v.status) && (before.status === 'active' || before.status === 'unconfirmed');
        o.outcome = downgraded ? 'updated' : 'skipped';
        if (!downgraded) o.reason = 'already a contact (left unchanged)';
      } else {
        o.outcome = before ? 'updated' : 'imported';
        const status = finalStatus.get(v.norm);
        const receiving = status === 'active' || status === 'unconfirmed';
        if (receiving) joinLists.push(id);
        // The lists a contact was on in the file (Onehour's export) are restored for the contacts
        // it creates, whatever their status (a bounced subscriber still gets no mail); an existing
        // contact who left is never put back.
        if (receiving || !before) for (const l of v.lists) listPairs.push({ contactId: id, name: l });
        tagAll.push(id);
        for (const t of v.tags) tagPairs.push({ contactId: id, name: t });
      }
    }

    if (joinLists.length && options.listIds.length) {
      await exec(
        `insert into list_subscriptions (contact_id, list_id, status, updated_at)
         select c.id, l.id, 'subscribed', $3 from unnest($1::uuid[]) as c(id) cross join unnest($2::uuid[]) as l(id)
         on conflict do nothing`,
        [joinLists, options.listIds, now],
      );
    }
    if (listPairs.length) {
      // Lists named in the file (Onehour's export): the oldest list of that name, or a new one.
      const names = [...new Set(listPairs.map((p) => p.name))];
      const found = await exec<{ id: string; name: string }>(`select distinct on (name) id, name from lists where name = any($1::text[]) order by name, created_at, id`, [names]);
      const listId = new Map(found.rows.map((r) => [r.name, r.id]));
      const missing = names.filter((n) => !listId.has(n));
      if (missing.length) {
        const made = await exec<{ id: string; name: string }>(`insert into lists (name, created_at) select n, $2 from unnest($1::text[]) as n returning id, name`, [missing, now]);
        for (const r of made.rows) listId.set(r.name, r.id);
      }
      await exec(
        `insert into list_subscriptions (contact_id, list_id, status, updated_at)
         select u.c, u.l, 'subscribed', $3 from unnest($1::uuid[], $2::uuid[]) as u(c, l)
         on conflict do nothing`,
        [listPairs.map((p) => p.contactId), listPairs.map((p) => listId.get(p.name)!), now],
      );
    }
    const pairs: [string, string][] = [];
    for (const id of tagAll) for (const tagId of options.tagIds) pairs.push([id, tagId]);
    if (tagPairs.length) {
      const names = [...new Set(tagPairs.map((p) => p.name))];
      await exec(
        `insert into tags (name, created_at) select n, $2 from unnest($1::text[]) as n on conflict (lower(name)) do nothing`,
        [names, now],
      );
      const found = await exec<{ id: string; key: string }>(`select id, lower(name) as key from tags where lower(name) = any($1::text[])`, [names.map((n) => n.toLowerCase())]);
      const tagId = new Map(found.rows.map((r) => [r.key, r.id]));
      for (const p of tagPairs) {
        const t = tagId.get(p.name.toLowerCase());
        if (t) pairs.push([p.contactId, t]);
      }
    }
    if (pairs.length) {
      await exec(
        `insert into contact_tags (contact_id, tag_id, created_at) select u.c, u.t, $3 from unnest($1::uuid[], $2::uuid[]) as u(c, t) on conflict do nothing`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1]), now],
      );
    }
    return outcomes;
  }

  // ---- report ----------------------------------------------------------------------------

  /** The rows that were skipped or failed, with reasons, as CSV. */
  report(id: string): Readable {
    const out = stringify({ header: true, columns: ['row', 'line', 'email', 'outcome', 'reason'] });
    void (async () => {
      try {
        let after = 0;
        for (;;) {
          const rows = await this.db
            .select()
            .from(importIssues)
            .where(and(eq(importIssues.importId, id), gt(importIssues.rowNumber, after)))
            .orderBy(asc(importIssues.rowNumber))
            .limit(5000);
          for (const r of rows) {
            // The email and reason quote what the file held: a formula planted there must not run in a spreadsheet.
            if (!out.write([r.rowNumber, r.line, neutraliseFormula(r.email), r.outcome, neutraliseFormula(r.reason)])) await new Promise((res) => out.once('drain', res));
          }
          if (rows.length < 5000) break;
          after = rows[rows.length - 1]!.rowNumber;
        }
        out.end();
      } catch (err) {
        out.destroy(err as Error);
      }
    })();
    return out;
  }

  async issues(id: string, limit = 100) {
    return this.db.select().from(importIssues).where(eq(importIssues.importId, id)).orderBy(asc(importIssues.rowNumber)).limit(Math.min(limit, 1000));
  }
}

let lastMs = 0;
let seq = 0;
/**
 * UUIDv7 ids (RFC 9562): 48 bits of milliseconds, a 12-bit sequence, 62 random bits. Sorted by
 * creation, so inserting many appends to the end of the primary-key index.
 */
export function timeOrderedIds(n: number): string[] {
  const out: string[] = new Array(n);
  const rand = randomBytes(n * 8);
  for (let i = 0; i < n; i++) {
    const now = Date.now();
    if (now > lastMs) {
      lastMs = now;
      seq = 0;
    } else if (++seq > 0xfff) {
      lastMs++;
      seq = 0;
    }
    const ms = lastMs.toString(16).padStart(12, '0');
    const r = rand.subarray(i * 8, i * 8 + 8);
    const variant = ((r[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0');
    const tail = r.subarray(1).toString('hex');
    out[i] = `${ms.slice(0, 8)}-${ms.slice(8)}-7${seq.toString(16).padStart(3, '0')}-${variant}${tail.slice(0, 2)}-${tail.slice(2, 14)}`;
  }
  return out;
}

function fixText(value: string, encoding: string): string {
  // Parsed as latin1, a windows-1252 file keeps € and curly quotes in C1 code points.
  return encoding === 'windows-1252' ? value.replace(C1_RE, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]!) : value;
}

/** An item of the file as a contact to write, or the outcome it already has (a broken row). */
function prepare(item: Item, imp: ImportRow, row: number, line: number): Prepared {
  if (!('record' in item)) return { row, line, email: '', outcome: 'errored', reason: `unreadable row: ${item.skip}` };
  return mapRecord(item.record, imp, row, line);
}

/**
 * Physical line numbers for the records of one parser run. csv-parse reports the line where a
 * record ends, and counts a CR inside a quoted value as a line of its own (so a quoted CRLF
 * counts twice, and the count drifts from there on). Here the drift is taken back off and the
 * record's own line breaks are subtracted, which gives the line where the record starts.
 */
class LineCounter {
  private drift = 0;
  constructor(private readonly base: number) {}

  lineOf(item: Item): number {
    if (!('record' in item)) return this.base + item.lines - this.drift;
    let cr = 0;
    let lf = 0;
    for (const v of item.record) {
      cr += v.match(CR)?.length ?? 0;
      lf += v.match(LF)?.length ?? 0;
    }
    const start = this.base + item.info.lines - this.drift - cr - lf;
    this.drift += cr;
    return start;
  }
}

const CR = /\r/g;
const LF = /\n/g;

/** How many lines of the file lie before this byte offset (always a record boundary). */
async function linesBefore(file: string, offset: number): Promise<number> {
  if (offset <= 0) return 0;
  let n = 0;
  for await (const chunk of fs.createReadStream(file, { start: 0, end: offset - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

/** One CSV record as a contact, or the reason it cannot be one. */
function mapRecord(record: string[], imp: ImportRow, row: number, line: number): MappedRow | Outcome {
  const mapping = imp.mapping as ImportTarget[];
  const width = imp.headers.length;
  // Onehour's own export is read back exactly (spaces kept); other tools' cells are trimmed.
  // Either way a formula guard (a leading apostrophe) comes off.
  const exact = imp.format === 'onehour';
  const values = record.map((v) => {
    const text = fixText(v, imp.encoding);
    return restoreFormula(exact ? text : text.trim());
  });
  if (values.every((v) => v.trim() === '')) return { row, line, email: '', outcome: 'skipped', reason: 'empty row' };
  // A row with more or fewer values than the header is not guessed at: which value belongs
  // to which column is exactly what is unknown (an unquoted delimiter, a value cut off).
  if (values.length > width) {
    return { row, line, email: '', outcome: 'errored', reason: `the row has ${values.length} values but the header has ${width} columns (a delimiter inside a value that is not quoted?)` };
  }
  if (values.length < width) {
    return { row, line, email: '', outcome: 'errored', reason: `the row has ${values.length} values but the header has ${width} columns (a missing value or delimiter?)` };
  }
  let email = '';
  let name = '';
  let first = '';
  let last = '';
  let status: ContactStatus | undefined;
  let optedOut = false;
  let bounced = false;
  const fields: Record<string, string> = {};
  const tags: string[] = [];
  const listNames: string[] = [];
  let createdAt: Date | null = null;
  let confirmedAt: Date | null = null;
  let badDate = '';
  const dateOf = (v: string, column: string) => {
    const d = /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : new Date(NaN);
    if (Number.isNaN(d.getTime())) badDate ||= `"${v.slice(0, 40)}" in ${column} is not a date (like 2025-03-01T09:30:00Z)`;
    return d;
  };
  mapping.forEach((target, i) => {
    const v = values[i] ?? '';
    if (!v) return;
    if (target === 'email') email = v.trim();
    else if (target === 'name') name = v;
    else if (target === 'first_name') first = v;
    else if (target === 'last_name') last = v;
    else if (target === 'tags') tags.push(...(exact ? splitNameList(v) : splitTags(v)));
    else if (target === 'status') status = statusFromWord(v) ?? status;
    else if (target === 'unsubscribed_flag') optedOut ||= isTruthy(v);
    else if (target === 'unsubscribed_at') optedOut = true;
    else if (target === 'bounced_at') bounced = true;
    else if (target === 'created_at') createdAt = dateOf(v.trim(), 'created_at');
    else if (target === 'confirmed_at') confirmedAt = dateOf(v.trim(), 'confirmed_at');
    else if (target === 'lists') listNames.push(...splitNameList(v));
    else if (target.startsWith('field:')) fields[target.slice(6)] = v.slice(0, 2000);
  });
  email = email.replace(/^mailto:/i, '');
  if (!email) return { row, line, email: '', outcome: 'errored', reason: 'no email address' };
  if (badDate) return { row, line, email, outcome: 'errored', reason: badDate };
  const problem = emailAddressProblem(email);
  if (problem) return { row, line, email, outcome: 'errored', reason: `"${email.slice(0, 100)}" is not a valid email address: ${problem}` };
  if (first) fields.first_name = first;
  if (last) fields.last_name = last;
  if (!name) name = [first, last].filter(Boolean).join(' ');
  if (status !== 'complained') {
    if (bounced) status = 'bounced';
    else if (optedOut && status !== 'bounced') status = 'unsubscribed';
  }
  return { row, line, email: email.slice(0, 254), norm: normalizeEmail(email), name: name.slice(0, 200), fields, tags, lists: listNames, createdAt, confirmedAt, status };
}
