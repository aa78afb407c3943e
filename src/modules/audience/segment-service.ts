// Saved segments: CRUD, live counts and previews. The compiler lives in segments.ts.
import { asc, eq, ne, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { notFound } from '../../errors.js';
import { segments, type ContactStatus } from './schema.js';
import { SEGMENT_COMPILER_VERSION, compileSegmentCondition, compileSegmentSql, segmentFrom, segmentRulesSchema, type SegmentRules } from './segments.js';

export type Segment = typeof segments.$inferSelect;

export interface SegmentCount {
  /** everyone the rules select */
  total: number;
  /** of those, who can receive marketing mail now (status active) */
  sendable: number;
}

export class SegmentService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
  ) {}

  async list(): Promise<Segment[]> {
    return this.database.db.select().from(segments).orderBy(asc(segments.name));
  }

  async get(id: string): Promise<Segment> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Segment');
    const [row] = await this.database.db.select().from(segments).where(eq(segments.id, id));
    if (!row) throw notFound('Segment');
    return row;
  }

  async create(input: { name: string; description?: string; rules: SegmentRules }, actor: Actor): Promise<Segment> {
    const rules = segmentRulesSchema.parse(input.rules);
    const compiledSql = compileSegmentSql(rules);
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(segments)
        .values({ name: input.name.trim(), description: input.description?.trim() ?? '', rules, compiledSql, compilerVersion: SEGMENT_COMPILER_VERSION, createdAt: now, updatedAt: now })
        .returning();
      await this.events.recordInTx(tx, { type: 'segment.created', actor, subject: { type: 'segment', id: row!.id }, data: { name: row!.name } });
      return row!;
    });
  }

  async update(id: string, input: { name?: string; description?: string; rules?: SegmentRules }, actor: Actor): Promise<Segment> {
    const rules = input.rules ? segmentRulesSchema.parse(input.rules) : undefined;
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .update(segments)
        .set({
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.description !== undefined ? { description: input.description.trim() } : {}),
          ...(rules ? { rules, compiledSql: compileSegmentSql(rules), compilerVersion: SEGMENT_COMPILER_VERSION } : {}),
          updatedAt: this.clock.now(),
        })
        .where(eq(segments.id, id))
        .returning();
      if (!row) throw notFound('Segment');
      await this.events.recordInTx(tx, { type: 'segment.updated', actor, subject: { type: 'segment', id }, data: { rulesChanged: Boolean(rules) } });
      return row;
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const rows = await tx.delete(segments).where(eq(segments.id, id)).returning();
      if (!rows.length) throw notFound('Segment');
      await this.events.recordInTx(tx, { type: 'segment.deleted', actor, subject: { type: 'segment', id }, data: { name: rows[0]!.name } });
    });
  }

  /** Live count and a few members for rules being edited (not saved yet). */
  async preview(rulesInput: SegmentRules, sampleSize = 10) {
    const condition = compileSegmentCondition(segmentRulesSchema.parse(rulesInput));
    const at = this.clock.now();
    const from = segmentFrom(condition);
    const [count] = (
      await this.database.execute<SegmentCount>(
        `select count(*)::int as total, (count(*) filter (where c.status = 'active'))::int as sendable ${from}`,
        [at],
      )
    ).rows;
    const sample = (
      await this.database.execute<{ id: string; email: string; name: string; status: ContactStatus }>(
        `select c.id, c.email, c.name, c.status ${from} order by c.created_at desc limit ${Math.min(Math.max(1, sampleSize), 50)}`,
        [at],
      )
    ).rows;
    return { total: count?.total ?? 0, sendable: count?.sendable ?? 0, sample };
  }

  /** A saved segment's live count, through the same statement broadcasts use. */
  async count(id: string): Promise<SegmentCount> {
    await this.get(id);
    const [row] = (
      await this.database.execute<SegmentCount>(
        `select count(*)::int as total, (count(*) filter (where c.status = 'active'))::int as sendable
           from contacts c where c.id in (select segment_contact_ids($1::uuid, $2::timestamptz))`,
        [id, this.clock.now()],
      )
    ).rows;
    return { total: row?.total ?? 0, sendable: row?.sendable ?? 0 };
  }

  /** Recompiles segments saved by an older compiler (run at start; cheap when none are stale). */
  async recompileStale(): Promise<number> {
    const stale = await this.database.db.select().from(segments).where(ne(segments.compilerVersion, SEGMENT_COMPILER_VERSION));
    for (const s of stale) {
      await this.database.db
        .update(segments)
        .set({ compiledSql: compileSegmentSql(segmentRulesSchema.parse(s.rules)), compilerVersion: SEGMENT_COMPILER_VERSION })
        .where(eq(segments.id, s.id));
    }
    return stale.length;
  }

  /** Members' ids (tests and small exports); large sets go through audienceSql in SQL. */
  async memberIds(id: string): Promise<string[]> {
    const rows = await this.database.db.execute(sql`select segment_contact_ids(${id}::uuid, ${this.clock.now()}::timestamptz) as id`);
    return (rows as unknown as { rows: { id: string }[] }).rows.map((r) => r.id);
  }
}
