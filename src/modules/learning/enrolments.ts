// Enrolments: who holds or held a course (access grants, whatever their source) with their
// progress, and enrolling or unenrolling someone by hand, with a reason and its actor.
import { count, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { grantsView, type AccessService } from '../access/index.js';
import type { AudienceService } from '../audience/index.js';
import { courseProgress, lessonProgress, lessons } from './schema.js';
import { rowsOf, type CourseReads } from './views.js';

export class Enrolments {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly access: AccessService,
    private readonly audience: AudienceService,
    private readonly builder: CourseReads,
  ) {}

  private get db() {
    return this.database.db;
  }

  /** Enrolls someone by hand (a manual access grant, an event with its actor). Creates the contact if new. */
  async enroll(courseId: string, input: { email: string; name?: string; reason: string; expiresAt?: Date }, actor: Actor): Promise<{ contactId: string; created: boolean }> {
    return this.database.transaction(async (tx) => {
      await this.builder.getCourseRow(tx, courseId);
      const { contact } = await this.audience.upsertContact(tx, { email: input.email, name: input.name, source: 'enrollment' });
      const { created } = await this.access.grantInTx(tx, { contactId: contact.id, resource: { type: 'course', id: courseId }, source: 'manual', expiresAt: input.expiresAt, actor, reason: input.reason });
      return { contactId: contact.id, created };
    });
  }

  /** Ends every live grant of the student to the course (purchases included), with a reason. */
  async unenroll(courseId: string, contactId: string, reason: string, actor: Actor): Promise<number> {
    const n = await this.database.transaction((tx) => this.access.revokeInTx(tx, { contactId, resource: { type: 'course', id: courseId } }, actor, reason));
    if (n === 0) throw notFound('Enrollment');
    return n;
  }

  /** Everyone who holds or held the course, with their progress. */
  async listEnrollments(courseId: string, opts: { limit?: number; offset?: number } = {}) {
    await this.builder.getCourseRow(this.db, courseId);
    const now = this.clock.now();
    const [{ total }] = (await this.db.select({ total: count() }).from(lessons).where(eq(lessons.courseId, courseId))) as [{ total: number }];
    const res = await this.db.execute(sql`
      select g.contact_id,
             min(g.granted_at) as enrolled_at,
             bool_or(g.revoked_at is null and (g.expires_at is null or g.expires_at > ${now})) as active,
             string_agg(distinct g.source, ',') as sources,
             max(g.revoked_at) as revoked_at,
             cp.last_seen_at, cp.completed_at,
             (select count(*) from ${lessonProgress} lp where lp.contact_id = g.contact_id and lp.course_id = ${courseId} and lp.completed_at is not null) as completed_lessons
        from ${grantsView} g
        left join ${courseProgress} cp on cp.contact_id = g.contact_id and cp.course_id = g.resource_id
       where g.resource_type = 'course' and g.resource_id = ${courseId}
       group by g.contact_id, cp.last_seen_at, cp.completed_at
       order by min(g.granted_at) desc
       limit ${Math.min(opts.limit ?? 100, 500)} offset ${opts.offset ?? 0}`);
    const rows = rowsOf<{ contact_id: string; enrolled_at: Date | string; active: boolean; sources: string; revoked_at: Date | string | null; last_seen_at: Date | string | null; completed_at: Date | string | null; completed_lessons: number | string }>(res);
    // Names and addresses are audience's: one query for the page of students.
    const people = new Map((await this.audience.contactsByIds(this.db, rows.map((r) => r.contact_id))).map((c) => [c.id, c]));
    return rows.map((r) => ({
      contactId: r.contact_id,
      email: people.get(r.contact_id)?.email ?? '',
      name: people.get(r.contact_id)?.name ?? '',
      enrolledAt: new Date(r.enrolled_at),
      active: r.active,
      sources: r.sources.split(','),
      revokedAt: r.active || !r.revoked_at ? null : new Date(r.revoked_at),
      lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at) : null,
      completedAt: r.completed_at ? new Date(r.completed_at) : null,
      percent: total ? Math.round((Number(r.completed_lessons) / total) * 100) : 0,
    }));
  }
}
