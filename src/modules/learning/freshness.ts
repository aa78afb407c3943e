// Freshness: every course and lesson is due for a look every so many days (its own interval, or
// its course's). What is due, most overdue first, and "reviewed" with its actor and a note.
import { eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { notFound } from '../../errors.js';
import { courses, lessons } from './schema.js';
import { DAY_MS, dueAt, type CourseReads, type CourseRow, type FreshnessItem } from './views.js';

export class CourseFreshness {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly builder: CourseReads,
  ) {}

  private get db() {
    return this.database.db;
  }

  /** What needs a look: every course and lesson with its review due date, most overdue first. */
  async dueItems(opts: { overdueOnly?: boolean; courseId?: string } = {}): Promise<FreshnessItem[]> {
    const now = this.clock.now();
    const cs = await this.db.select().from(courses).where(opts.courseId ? eq(courses.id, opts.courseId) : sql`${courses.status} <> 'archived'`);
    const ls = cs.length
      ? await this.db
          .select({ id: lessons.id, title: lessons.title, courseId: lessons.courseId, lastReviewedAt: lessons.lastReviewedAt, reviewIntervalDays: lessons.reviewIntervalDays })
          .from(lessons)
          .where(inArray(lessons.courseId, cs.map((c) => c.id)))
      : [];
    const item = (type: 'course' | 'lesson', id: string, title: string, c: CourseRow, last: Date, days: number): FreshnessItem => {
      const due = dueAt(last, days);
      const overdueMs = now.getTime() - due.getTime();
      return { type, id, title, courseId: c.id, courseTitle: c.title, lastReviewedAt: last, reviewIntervalDays: days, dueAt: due, overdue: overdueMs > 0, overdueDays: overdueMs > 0 ? Math.floor(overdueMs / DAY_MS) : 0 };
    };
    const items: FreshnessItem[] = [];
    for (const c of cs) items.push(item('course', c.id, c.title, c, c.lastReviewedAt, c.reviewIntervalDays));
    for (const l of ls) {
      const c = cs.find((x) => x.id === l.courseId)!;
      items.push(item('lesson', l.id, l.title, c, l.lastReviewedAt, l.reviewIntervalDays ?? c.reviewIntervalDays));
    }
    return items.filter((i) => !opts.overdueOnly || i.overdue).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }

  async markReviewed(target: { type: 'course' | 'lesson'; id: string }, actor: Actor, note?: string): Promise<FreshnessItem> {
    const now = this.clock.now();
    await this.database.transaction(async (tx) => {
      const table = target.type === 'course' ? courses : lessons;
      const [owning] = target.type === 'course' ? [{ courseId: target.id }] : await tx.select({ courseId: lessons.courseId }).from(lessons).where(eq(lessons.id, target.id));
      if (owning) await this.builder.assertMayChange(tx, owning.courseId, actor);
      const [row] = await tx.update(table).set({ lastReviewedAt: now }).where(eq(table.id, target.id)).returning({ id: table.id });
      if (!row) throw notFound(target.type === 'course' ? 'Course' : 'Lesson');
      await this.events.recordInTx(tx, { type: `${target.type}.reviewed`, actor, subject: target, data: { note: note ?? null } });
    });
    const [item] = (await this.dueItems({ courseId: target.type === 'course' ? target.id : (await this.builder.getLesson(target.id)).courseId })).filter((i) => i.id === target.id);
    return item!;
  }
}
