// CSV export of contacts (all, a list, a tag, a status or a segment), streamed in pages so a
// million contacts never sit in memory. The route writes the audit entry with the row count
// once the stream has ended.
import { PassThrough, type Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { ContactStatus } from './schema.js';
import { neutraliseFormula } from './csv-cells.js';
import { EXPORT_COLUMNS, exportFieldHeader } from './csv-formats.js';

const PAGE = 5000;
const MAX_FIELD_COLUMNS = 200;

export interface ExportFilter {
  status?: ContactStatus;
  listId?: string;
  tagId?: string;
  segmentId?: string;
}

export { neutraliseFormula };

interface Row {
  id: string;
  email: string;
  name: string;
  status: string;
  source: string;
  created_at: Date;
  confirmed_at: Date | null;
  fields: Record<string, string>;
  tags: string | null;
  lists: string | null;
}

/** A tag or list name in its cell: quoted ("a, b") when it holds a comma or a quote, so an import reads the same names back. */
const quotedName = (name: SQL) => sql`case when ${name} ~ '[,"]' then '"' || replace(${name}, '"', '""') || '"' else ${name} end`;

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

export function exportContacts(
  database: Database,
  filter: ExportFilter,
  segmentCondition: (segmentId: string) => SQL,
): { stream: Readable; done: Promise<{ rows: number; complete: boolean }> } {
  const out = new PassThrough();
  let rows = 0;
  let resolveDone!: (v: { rows: number; complete: boolean }) => void;
  const done = new Promise<{ rows: number; complete: boolean }>((r) => (resolveDone = r));
  let aborted = false;
  out.on('close', () => {
    aborted = !out.writableFinished;
  });
  const db = database.db;
  const where: SQL[] = [];
  if (filter.status) where.push(sql`c.status = ${filter.status}`);
  if (filter.listId) where.push(sql`exists (select 1 from list_subscriptions ls where ls.contact_id = c.id and ls.list_id = ${filter.listId} and ls.status = 'subscribed')`);
  if (filter.tagId) where.push(sql`exists (select 1 from contact_tags ct where ct.contact_id = c.id and ct.tag_id = ${filter.tagId})`);
  const cond = where.length ? sql.join(where, sql` and `) : sql`true`;

  void (async () => {
    try {
      // A segment is evaluated once, at the start: the export is a snapshot, and re-running
      // its rules for every page would cost as much as the export itself.
      let members: string[] | null = null;
      if (filter.segmentId) {
        members = rowsOf<{ id: string }>(await db.execute(sql`select c.id from contacts c where ${segmentCondition(filter.segmentId)} and ${cond} order by c.id`)).map((r) => r.id);
      }
      const keys = rowsOf<{ k: string }>(
        await db.execute(
          members
            ? sql`select distinct jsonb_object_keys(c.fields) as k from contacts c where c.id = any(${sql.param(members)}::uuid[]) order by 1 limit ${MAX_FIELD_COLUMNS}`
            : sql`select distinct jsonb_object_keys(c.fields) as k from contacts c where ${cond} order by 1 limit ${MAX_FIELD_COLUMNS}`,
        ),
      ).map((r) => r.k);
      // A custom field named like a built-in column is written as `field:<key>`, so it never
      // shadows the column (an import reads it back as that field). Values with ; | or a tab
      // are quoted too: tools that guess the delimiter from the data read them right.
      const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS, ...keys.map(exportFieldHeader)], quoted_match: /[;|\t]/ });
      csv.pipe(out);
      const write = async (record: unknown[]) => {
        if (!csv.write(record)) await new Promise((r) => csv.once('drain', r));
      };
      const select = (page: SQL) => sql`
        select c.id, c.email, c.name, c.status, c.source, c.created_at, c.confirmed_at, c.fields,
               (select string_agg(${quotedName(sql`t.name`)}, ', ' order by t.name) from contact_tags ct join tags t on t.id = ct.tag_id where ct.contact_id = c.id) as tags,
               (select string_agg(${quotedName(sql`l.name`)}, ', ' order by l.name) from list_subscriptions ls join lists l on l.id = ls.list_id
                 where ls.contact_id = c.id and ls.status = 'subscribed') as lists
          from contacts c where ${page} order by c.id`;
      let after = '00000000-0000-0000-0000-000000000000';
      for (let i = 0; ; i += PAGE) {
        if (aborted) break;
        const page = members
          ? rowsOf<Row>(await db.execute(select(sql`c.id = any(${sql.param(members.slice(i, i + PAGE))}::uuid[])`)))
          : rowsOf<Row>(await db.execute(sql`${select(sql`${cond} and c.id > ${after}::uuid`)} limit ${PAGE}`));
        for (const r of page) {
          await write([
            neutraliseFormula(r.email),
            neutraliseFormula(r.name),
            r.status,
            r.source,
            new Date(r.created_at).toISOString(),
            r.confirmed_at ? new Date(r.confirmed_at).toISOString() : '',
            neutraliseFormula(r.tags ?? ''),
            neutraliseFormula(r.lists ?? ''),
            ...keys.map((k) => neutraliseFormula(r.fields?.[k] ?? '')),
          ]);
          rows++;
        }
        if (members ? i + PAGE >= members.length : page.length < PAGE) break;
        after = page[page.length - 1]!.id;
      }
      csv.end();
      await new Promise<void>((r) => (out.writableFinished ? r() : out.once('finish', () => r())));
      resolveDone({ rows, complete: !aborted });
    } catch (err) {
      out.destroy(err as Error);
      resolveDone({ rows, complete: false });
    }
  })();
  return { stream: out, done };
}
