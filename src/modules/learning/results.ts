// What students did with a course: enrolments over time, the completion funnel by lesson (where
// students stop), quiz pass rates, the questions they asked, and the certificates issued (which
// the staff may revoke, with a reason).
import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { notFound } from '../../errors.js';
import { grantsView } from '../access/index.js';
import { certificates, courseProgress, lessonProgress, quizAttempts } from './schema.js';
import { rowsOf, type CourseReads } from './views.js';

export class CourseResults {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly builder: CourseReads,
  ) {}

  private get db() {
    return this.database.db;
  }

  /** Enrollments over time, the completion funnel by lesson (where students stop), quiz pass rates. */
  async stats(courseId: string, opts: { interval?: 'week' | 'month' } = {}) {
    const tree = await this.builder.getCourseTree(courseId);
    const unit = opts.interval === 'week' ? 'week' : 'month';
    const enrolledRes = await this.db.execute(sql`
      select to_char(date_trunc(${unit}, first_at at time zone 'UTC'), 'YYYY-MM-DD') as period, count(*) as enrollments
        from (select contact_id, min(granted_at) as first_at from ${grantsView} g
               where resource_type = 'course' and resource_id = ${courseId} group by contact_id) firsts
       group by 1 order by 1`);
    const enrollments = rowsOf<{ period: string; enrollments: number | string }>(enrolledRes).map((r) => ({ period: r.period, enrollments: Number(r.enrollments) }));
    const [totals] = rowsOf<{ enrolled: number | string; started: number | string; completed: number | string; certificates: number | string }>(
      await this.db.execute(sql`
        select (select count(distinct contact_id) from ${grantsView} g where resource_type = 'course' and resource_id = ${courseId}) as enrolled,
               (select count(*) from ${courseProgress} where course_id = ${courseId}) as started,
               (select count(*) from ${courseProgress} where course_id = ${courseId} and completed_at is not null) as completed,
               (select count(*) from ${certificates} where course_id = ${courseId} and revoked_at is null) as certificates`),
    );
    const perLesson = await this.db
      .select({
        lessonId: lessonProgress.lessonId,
        viewed: count(),
        completed: sql<number>`count(${lessonProgress.completedAt})`.mapWith(Number),
      })
      .from(lessonProgress)
      .where(eq(lessonProgress.courseId, courseId))
      .groupBy(lessonProgress.lessonId);
    const quizRes = await this.db.execute(sql`
      select lesson_id, count(*) as attempts, count(distinct contact_id) as students,
             count(distinct contact_id) filter (where passed) as passed, round(avg(score_percent)) as average_score
        from ${quizAttempts} where course_id = ${courseId} group by lesson_id`);
    const quizRows = rowsOf<{ lesson_id: string; attempts: number | string; students: number | string; passed: number | string; average_score: number | string | null }>(quizRes);
    const ordered = tree.modules.flatMap((m) => m.lessons.map((l) => ({ ...l, moduleTitle: m.title })));
    const enrolled = Number(totals!.enrolled);
    return {
      totals: { enrolled, started: Number(totals!.started), completed: Number(totals!.completed), certificates: Number(totals!.certificates) },
      enrollments,
      funnel: ordered.map((l, i) => {
        const p = perLesson.find((x) => x.lessonId === l.id);
        const completed = p?.completed ?? 0;
        return {
          lessonId: l.id,
          title: l.title,
          module: l.moduleTitle,
          position: i + 1,
          viewed: p?.viewed ?? 0,
          completed,
          /** share of enrolled students who completed this lesson */
          completionRate: enrolled ? Math.round((completed / enrolled) * 1000) / 10 : 0,
        };
      }),
      quizzes: ordered
        .filter((l) => l.quiz)
        .map((l) => {
          const q = quizRows.find((r) => r.lesson_id === l.id);
          const students = Number(q?.students ?? 0);
          const passed = Number(q?.passed ?? 0);
          return {
            lessonId: l.id,
            title: l.title,
            passPercent: l.quiz!.passPercent,
            attempts: Number(q?.attempts ?? 0),
            students,
            passed,
            passRate: students ? Math.round((passed / students) * 1000) / 10 : 0,
            averageScore: q?.average_score == null ? null : Number(q.average_score),
          };
        }),
    };
  }

  /** Questions students asked on lessons, newest first (the support inbox picks these events up). */
  async listQuestions(opts: { courseId?: string; limit?: number } = {}) {
    const rows = await this.events.list(this.db, { type: 'lesson.question_asked', limit: opts.limit ?? 50 });
    return rows
      .filter((e) => !opts.courseId || e.data.courseId === opts.courseId)
      .map((e) => ({
        eventId: e.id,
        askedAt: e.occurredAt,
        contactId: e.actorId,
        lessonId: e.subjectId,
        courseId: String(e.data.courseId ?? ''),
        lessonTitle: String(e.data.lessonTitle ?? ''),
        question: String(e.data.question ?? ''),
      }));
  }

  /** Certificates issued for a course, newest first. */
  async listCertificates(courseId: string) {
    return this.db
      .select({ id: certificates.id, code: certificates.code, contactId: certificates.contactId, recipientName: certificates.recipientName, issuedAt: certificates.issuedAt, revokedAt: certificates.revokedAt })
      .from(certificates)
      .where(eq(certificates.courseId, courseId))
      .orderBy(desc(certificates.issuedAt));
  }

  async revokeCertificate(id: string, reason: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const [c] = await tx.update(certificates).set({ revokedAt: this.clock.now() }).where(and(eq(certificates.id, id), isNull(certificates.revokedAt))).returning();
      if (!c) throw notFound('Certificate');
      await this.events.recordInTx(tx, { type: 'certificate.revoked', actor, subject: { type: 'certificate', id }, data: { courseId: c.courseId, contactId: c.contactId, reason } });
    });
  }
}
