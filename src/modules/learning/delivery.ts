// The student side of learning: which courses a student holds, the outline with progress,
// opening a lesson (access and drip checked on every request), completing it, quizzes,
// certificates, and the drip job that announces lessons as they open.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import { randomToken } from '../../crypto.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { DomainError, conflict, notFound } from '../../errors.js';
import { grantsView, type AccessService } from '../access/index.js';
import type { AudienceService } from '../audience/index.js';
import { renderCertificatePdf } from './certificate-pdf.js';
import { lessonAvailability, type LessonAvailability } from './drip.js';
import type { FileStorage } from './storage.js';
import type { LearningSettings } from './settings.js';
import {
  certificates,
  courseModules,
  courseProgress,
  courses,
  lessonFiles,
  lessonProgress,
  lessonUnlocks,
  lessons,
  quizAttempts,
  quizzes,
  type QuizQuestion,
} from './schema.js';

type CourseRow = typeof courses.$inferSelect;
type LessonRow = typeof lessons.$inferSelect;

export interface OutlineLesson {
  id: string;
  title: string;
  number: number;
  completed: boolean;
  availability: LessonAvailability;
  hasQuiz: boolean;
  hasVideo: boolean;
}

export interface Outline {
  course: { id: string; slug: string; title: string; summary: string; certificateEnabled: boolean };
  enrolledAt: Date;
  modules: { id: string; title: string; lessons: OutlineLesson[] }[];
  lessonCount: number;
  completedCount: number;
  percent: number;
  completedAt: Date | null;
  /** the lesson to continue with: the last one opened if unfinished, else the first open unfinished one */
  resumeLessonId: string | null;
  certificate: { code: string; issuedAt: Date } | null;
}

/** A quiz as the student sees it: no right answers. */
export interface StudentQuiz {
  passPercent: number;
  maxAttempts: number | null;
  questions: { id: string; prompt: string; kind: 'single' | 'multiple'; options: { id: string; text: string }[] }[];
  attempts: { id: string; scorePercent: number; passed: boolean; correct: string[]; answers: Record<string, string[]>; createdAt: Date }[];
  passed: boolean;
  attemptsLeft: number | null;
}

export interface StudentLesson {
  outline: Outline;
  lesson: { id: string; title: string; number: number; bodyHtml: string; videoUrl: string | null; hasVideoFile: boolean; videoContentType: string | null; moduleTitle: string };
  attachments: { id: string; filename: string; size: number; contentType: string }[];
  quiz: StudentQuiz | null;
  completed: boolean;
  previous: { id: string; title: string } | null;
  next: { id: string; title: string; open: boolean } | null;
}

/** A lesson that exists but is not open yet for this student. */
export class LessonLockedError extends DomainError {
  constructor(
    readonly course: { slug: string; title: string },
    readonly lessonTitle: string,
    readonly opensAt: Date | null,
    readonly waitingFor: { id: string; title: string } | null,
  ) {
    super('forbidden', opensAt ? `This lesson opens on ${opensAt.toISOString()}` : `This lesson opens when you complete "${waitingFor?.title}"`, {
      opensAt: opensAt?.toISOString() ?? null,
      waitingForLessonId: waitingFor?.id ?? null,
    });
  }
}

/** The student holds no live grant to the course. */
export class NoCourseAccessError extends DomainError {
  constructor(readonly course: { slug: string; title: string }) {
    super('forbidden', `You do not have access to "${course.title}". If you bought it, sign in with the email address you used at checkout.`);
  }
}

interface Loaded {
  course: CourseRow;
  enrolledAt: Date;
  modules: { id: string; title: string }[];
  /** in course order */
  lessons: LessonRow[];
  progress: Map<string, { completedAt: Date | null; lastViewedAt: Date }>;
  courseProgress: { lastLessonId: string | null; completedAt: Date | null } | null;
  quizLessonIds: Set<string>;
}

const UNLOCK_BATCH = 500;

function rowsOf<T>(res: unknown): T[] {
  return (res as { rows: T[] }).rows;
}

/** First key of the advisory lock that serialises one student's quiz submissions. */
const QUIZ_LOCK_CLASS = 0x71756931; // 'qui1'

export class DeliveryService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly access: AccessService,
    private readonly audience: Pick<AudienceService, 'findById'>,
    private readonly storage: FileStorage,
    private readonly settings: LearningSettings,
  ) {}

  private get db() {
    return this.database.db;
  }

  // ---- the student's courses ------------------------------------------------------------

  /** Published (and archived) courses the contact holds a live grant to, with progress. */
  async myCourses(contactId: string) {
    const now = this.clock.now().toISOString();
    const res = await this.db.execute(sql`
      select c.id, c.slug, c.title, c.summary,
             (select count(*) from ${lessons} l where l.course_id = c.id) as lesson_count,
             (select count(*) from ${lessonProgress} p where p.course_id = c.id and p.contact_id = ${contactId} and p.completed_at is not null) as completed_count,
             cp.completed_at, cp.last_seen_at,
             (select code from ${certificates} ce where ce.course_id = c.id and ce.contact_id = ${contactId} and ce.revoked_at is null limit 1) as certificate_code
        from ${courses} c
        left join ${courseProgress} cp on cp.course_id = c.id and cp.contact_id = ${contactId}
       where c.status <> 'draft'
         and exists (select 1 from ${grantsView} g
                      where g.contact_id = ${contactId} and g.resource_type = 'course' and g.resource_id = c.id
                        and g.revoked_at is null and (g.expires_at is null or g.expires_at > ${now}::timestamptz))
       order by cp.last_seen_at desc nulls last, c.title`);
    return rowsOf<{ id: string; slug: string; title: string; summary: string; lesson_count: number | string; completed_count: number | string; completed_at: Date | null; last_seen_at: Date | null; certificate_code: string | null }>(res).map((r) => {
      const total = Number(r.lesson_count);
      const done = Number(r.completed_count);
      return {
        id: r.id,
        slug: r.slug,
        title: r.title,
        summary: r.summary,
        lessonCount: total,
        completedCount: done,
        percent: total ? Math.round((done / total) * 100) : 0,
        completedAt: r.completed_at ? new Date(r.completed_at) : null,
        started: Boolean(r.last_seen_at),
        certificateCode: r.certificate_code,
      };
    });
  }

  /** Course, enrollment and this student's progress; refuses unknown, unpublished and not-granted courses. */
  private async load(db: DbOrTx, contactId: string, slug: string): Promise<Loaded> {
    const [course] = await db.select().from(courses).where(eq(courses.slug, slug)).limit(1);
    // A draft is invisible to students: same answer as a course that does not exist.
    if (!course || course.status === 'draft') throw notFound('Course');
    const resource = { type: 'course' as const, id: course.id };
    if (!(await this.access.hasAccess(db, contactId, resource))) throw new NoCourseAccessError(course);
    const enrolledAt = (await this.access.firstGrantedAt(db, contactId, resource)) ?? this.clock.now();
    const rows = await db
      .select({ l: lessons, m: { id: courseModules.id, title: courseModules.title } })
      .from(lessons)
      .innerJoin(courseModules, eq(courseModules.id, lessons.moduleId))
      .where(eq(lessons.courseId, course.id))
      .orderBy(asc(courseModules.position), asc(lessons.position));
    const modules = await db.select({ id: courseModules.id, title: courseModules.title }).from(courseModules).where(eq(courseModules.courseId, course.id)).orderBy(asc(courseModules.position));
    const prog = await db
      .select({ lessonId: lessonProgress.lessonId, completedAt: lessonProgress.completedAt, lastViewedAt: lessonProgress.lastViewedAt })
      .from(lessonProgress)
      .where(and(eq(lessonProgress.contactId, contactId), eq(lessonProgress.courseId, course.id)));
    const [cp] = await db
      .select({ lastLessonId: courseProgress.lastLessonId, completedAt: courseProgress.completedAt })
      .from(courseProgress)
      .where(and(eq(courseProgress.contactId, contactId), eq(courseProgress.courseId, course.id)));
    const qs = await db.select({ lessonId: quizzes.lessonId }).from(quizzes).where(eq(quizzes.courseId, course.id));
    return {
      course,
      enrolledAt,
      modules,
      lessons: rows.map((r) => r.l),
      progress: new Map(prog.map((p) => [p.lessonId, { completedAt: p.completedAt, lastViewedAt: p.lastViewedAt }])),
      courseProgress: cp ?? null,
      quizLessonIds: new Set(qs.map((q) => q.lessonId)),
    };
  }

  private availabilityOf(d: Loaded, index: number): LessonAvailability {
    const l = d.lessons[index]!;
    const prev = index > 0 ? d.lessons[index - 1]! : null;
    return lessonAvailability(l, d.enrolledAt, prev ? { lessonId: prev.id, completedAt: d.progress.get(prev.id)?.completedAt ?? null } : null, this.clock.now());
  }

  private outlineOf(d: Loaded, certificate: { code: string; issuedAt: Date } | null): Outline {
    const items = d.lessons.map((l, i) => ({
      id: l.id,
      moduleId: l.moduleId,
      title: l.title,
      number: i + 1,
      completed: Boolean(d.progress.get(l.id)?.completedAt),
      availability: this.availabilityOf(d, i),
      hasQuiz: d.quizLessonIds.has(l.id),
      hasVideo: Boolean(l.videoUrl || l.videoFileId),
    }));
    const completedCount = items.filter((i) => i.completed).length;
    const last = d.courseProgress?.lastLessonId ? items.find((i) => i.id === d.courseProgress!.lastLessonId) : undefined;
    const resume = last && !last.completed && last.availability.open ? last : items.find((i) => !i.completed && i.availability.open);
    return {
      course: { id: d.course.id, slug: d.course.slug, title: d.course.title, summary: d.course.summary, certificateEnabled: d.course.certificateEnabled },
      enrolledAt: d.enrolledAt,
      modules: d.modules.map((m) => ({ id: m.id, title: m.title, lessons: items.filter((i) => i.moduleId === m.id).map(({ moduleId: _m, ...rest }) => rest) })),
      lessonCount: items.length,
      completedCount,
      percent: items.length ? Math.round((completedCount / items.length) * 100) : 0,
      completedAt: d.courseProgress?.completedAt ?? null,
      resumeLessonId: resume?.id ?? last?.id ?? null,
      certificate,
    };
  }

  private async liveCertificate(db: DbOrTx, contactId: string, courseId: string) {
    const [c] = await db
      .select({ code: certificates.code, issuedAt: certificates.issuedAt })
      .from(certificates)
      .where(and(eq(certificates.contactId, contactId), eq(certificates.courseId, courseId), isNull(certificates.revokedAt)));
    return c ?? null;
  }

  async outline(contactId: string, slug: string): Promise<Outline> {
    const d = await this.load(this.db, contactId, slug);
    return this.outlineOf(d, await this.liveCertificate(this.db, contactId, d.course.id));
  }

  /** The lesson if it is open for the student; otherwise LessonLockedError (or not found). */
  private requireOpen(d: Loaded, lessonId: string): { lesson: LessonRow; index: number } {
    const index = d.lessons.findIndex((l) => l.id === lessonId);
    if (index < 0) throw notFound('Lesson');
    const lesson = d.lessons[index]!;
    const a = this.availabilityOf(d, index);
    if (!a.open) {
      const waiting = a.waitingForLessonId ? d.lessons.find((l) => l.id === a.waitingForLessonId) : undefined;
      throw new LessonLockedError(d.course, lesson.title, a.opensAt, waiting ? { id: waiting.id, title: waiting.title } : null);
    }
    return { lesson, index };
  }

  /** Opens a lesson for reading: checks access and drip, and remembers it as where the student is. */
  async openLesson(contactId: string, slug: string, lessonId: string): Promise<StudentLesson> {
    const d = await this.load(this.db, contactId, slug);
    const { lesson, index } = this.requireOpen(d, lessonId);
    const now = this.clock.now();
    await this.database.transaction(async (tx) => {
      await tx
        .insert(lessonProgress)
        .values({ contactId, lessonId, courseId: d.course.id, firstViewedAt: now, lastViewedAt: now })
        .onConflictDoUpdate({ target: [lessonProgress.contactId, lessonProgress.lessonId], set: { lastViewedAt: now } });
      await tx
        .insert(courseProgress)
        .values({ contactId, courseId: d.course.id, lastLessonId: lessonId, startedAt: now, lastSeenAt: now })
        .onConflictDoUpdate({ target: [courseProgress.contactId, courseProgress.courseId], set: { lastLessonId: lessonId, lastSeenAt: now } });
    });
    if (!d.progress.has(lessonId)) d.progress.set(lessonId, { completedAt: null, lastViewedAt: now });
    d.courseProgress = { lastLessonId: lessonId, completedAt: d.courseProgress?.completedAt ?? null };
    const outline = this.outlineOf(d, await this.liveCertificate(this.db, contactId, d.course.id));
    const files = await this.db.select().from(lessonFiles).where(eq(lessonFiles.lessonId, lessonId)).orderBy(asc(lessonFiles.createdAt));
    const video = lesson.videoFileId ? files.find((f) => f.id === lesson.videoFileId) : undefined;
    const prev = index > 0 ? d.lessons[index - 1]! : null;
    const next = index < d.lessons.length - 1 ? d.lessons[index + 1]! : null;
    return {
      outline,
      lesson: {
        id: lesson.id,
        title: lesson.title,
        number: index + 1,
        bodyHtml: lesson.bodyHtml,
        videoUrl: lesson.videoUrl,
        hasVideoFile: Boolean(video),
        videoContentType: video?.contentType ?? null,
        moduleTitle: d.modules.find((m) => m.id === lesson.moduleId)?.title ?? '',
      },
      attachments: files.filter((f) => f.kind === 'attachment').map((f) => ({ id: f.id, filename: f.filename, size: f.size, contentType: f.contentType })),
      quiz: d.quizLessonIds.has(lessonId) ? await this.studentQuiz(this.db, contactId, lessonId) : null,
      completed: Boolean(d.progress.get(lessonId)?.completedAt),
      previous: prev ? { id: prev.id, title: prev.title } : null,
      next: next ? { id: next.id, title: next.title, open: this.availabilityOf(d, index + 1).open } : null,
    };
  }

  private async studentQuiz(db: DbOrTx, contactId: string, lessonId: string): Promise<StudentQuiz | null> {
    const [q] = await db.select().from(quizzes).where(eq(quizzes.lessonId, lessonId));
    if (!q) return null;
    const attempts = await db
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.contactId, contactId), eq(quizAttempts.lessonId, lessonId)))
      .orderBy(asc(quizAttempts.createdAt));
    const passed = attempts.some((a) => a.passed);
    return {
      passPercent: q.passPercent,
      maxAttempts: q.maxAttempts,
      questions: q.questions.map((x) => ({ id: x.id, prompt: x.prompt, kind: x.kind, options: x.options.map((o) => ({ id: o.id, text: o.text })) })),
      attempts: attempts.map((a) => ({ id: a.id, scorePercent: a.scorePercent, passed: a.passed, correct: a.correct, answers: a.answers, createdAt: a.createdAt })),
      passed,
      attemptsLeft: q.maxAttempts == null ? null : Math.max(0, q.maxAttempts - attempts.length),
    };
  }

  // ---- files ----------------------------------------------------------------------------

  /** An attachment of an open lesson of a course the student holds. */
  async attachment(contactId: string, slug: string, fileId: string) {
    const d = await this.load(this.db, contactId, slug);
    const [f] = await this.db.select().from(lessonFiles).where(and(eq(lessonFiles.id, fileId), eq(lessonFiles.courseId, d.course.id)));
    if (!f || f.kind !== 'attachment') throw notFound('File');
    this.requireOpen(d, f.lessonId);
    return f;
  }

  /** The uploaded video of an open lesson of a course the student holds. */
  async video(contactId: string, slug: string, lessonId: string) {
    const d = await this.load(this.db, contactId, slug);
    const { lesson } = this.requireOpen(d, lessonId);
    if (!lesson.videoFileId) throw notFound('Video');
    const [f] = await this.db.select().from(lessonFiles).where(eq(lessonFiles.id, lesson.videoFileId));
    if (!f) throw notFound('Video');
    return f;
  }

  // ---- progress -------------------------------------------------------------------------

  /**
   * Marks a lesson complete. A lesson with a quiz completes when the quiz is passed. Opens the
   * next lesson when it waits for this one, and completes the course (with its certificate)
   * when this was the last lesson left.
   */
  async completeLesson(contactId: string, slug: string, lessonId: string, actor: Actor): Promise<{ nextLessonId: string | null; nextOpen: boolean; courseCompleted: boolean }> {
    const d = await this.load(this.db, contactId, slug);
    this.requireOpen(d, lessonId);
    if (d.quizLessonIds.has(lessonId)) {
      const quiz = await this.studentQuiz(this.db, contactId, lessonId);
      if (!quiz?.passed) throw conflict('Pass the quiz to complete this lesson');
    }
    return this.database.transaction((tx) => this.recordCompletion(tx, d, contactId, lessonId, actor));
  }

  private async recordCompletion(tx: Tx, d: Loaded, contactId: string, lessonId: string, actor: Actor) {
    const now = this.clock.now();
    await tx.insert(lessonProgress).values({ contactId, lessonId, courseId: d.course.id, firstViewedAt: now, lastViewedAt: now }).onConflictDoNothing();
    // Only the request that flips completed_at records the event: completing twice completes once.
    const flipped = await tx
      .update(lessonProgress)
      .set({ completedAt: now, lastViewedAt: now })
      .where(and(eq(lessonProgress.contactId, contactId), eq(lessonProgress.lessonId, lessonId), isNull(lessonProgress.completedAt)))
      .returning({ lessonId: lessonProgress.lessonId });
    const index = d.lessons.findIndex((l) => l.id === lessonId);
    const next = d.lessons[index + 1] ?? null;
    const firstTime = flipped.length > 0;
    await tx
      .insert(courseProgress)
      .values({ contactId, courseId: d.course.id, lastLessonId: next?.id ?? lessonId, startedAt: now, lastSeenAt: now })
      .onConflictDoUpdate({ target: [courseProgress.contactId, courseProgress.courseId], set: { lastLessonId: next?.id ?? lessonId, lastSeenAt: now } });
    let courseCompleted = false;
    if (firstTime) {
      d.progress.set(lessonId, { completedAt: now, lastViewedAt: now });
      await this.events.recordInTx(tx, { type: 'lesson.completed', actor, subject: { type: 'lesson', id: lessonId }, data: { contactId, courseId: d.course.id, lessonTitle: d.lessons[index]!.title } });
      if (next && next.dripKind === 'after_previous') await this.announceUnlock(tx, contactId, next.id, d.course.id, now);
      const done = d.lessons.every((l) => d.progress.get(l.id)?.completedAt);
      if (done && !d.courseProgress?.completedAt) {
        courseCompleted = await this.completeCourse(tx, d, contactId, actor, now);
      }
    }
    return { nextLessonId: next?.id ?? null, nextOpen: next ? this.availabilityOf(d, index + 1).open : false, courseCompleted };
  }

  private async completeCourse(tx: Tx, d: Loaded, contactId: string, actor: Actor, now: Date): Promise<boolean> {
    const marked = await tx
      .update(courseProgress)
      .set({ completedAt: now })
      .where(and(eq(courseProgress.contactId, contactId), eq(courseProgress.courseId, d.course.id), isNull(courseProgress.completedAt)))
      .returning({ contactId: courseProgress.contactId });
    if (!marked.length) return false;
    await this.events.recordInTx(tx, { type: 'course.completed', actor, subject: { type: 'course', id: d.course.id }, data: { contactId, lessons: d.lessons.length } });
    if (d.course.certificateEnabled) await this.issueCertificateInTx(tx, contactId, d.course, now);
    return true;
  }

  /** Issues the certificate once per student and course (a second completion finds it issued). */
  async issueCertificateInTx(tx: Tx, contactId: string, course: { id: string; title: string }, now: Date): Promise<void> {
    const contact = await this.audience.findById(tx, contactId);
    const [row] = await tx
      .insert(certificates)
      .values({ code: randomToken(15), contactId, courseId: course.id, recipientName: contact?.name || contact?.email || 'Student', courseTitle: course.title, issuedAt: now })
      .onConflictDoNothing()
      .returning();
    if (row) {
      await this.events.recordInTx(tx, { type: 'certificate.issued', actor: { kind: 'system' }, subject: { type: 'certificate', id: row.id }, data: { contactId, courseId: course.id, code: row.code } });
    }
  }

  // ---- quizzes --------------------------------------------------------------------------

  /**
   * Grades an attempt. A question is right when exactly its right options are chosen. A pass
   * completes the lesson. Refused when the attempts are used up or the quiz is already passed.
   */
  async submitQuiz(contactId: string, slug: string, lessonId: string, answers: Record<string, string[]>, actor: Actor) {
    const d = await this.load(this.db, contactId, slug);
    this.requireOpen(d, lessonId);
    return this.database.transaction(async (tx) => {
      const [q] = await tx.select().from(quizzes).where(eq(quizzes.lessonId, lessonId));
      if (!q) throw notFound('Quiz');
      // Serialise one student's submissions so two quick posts cannot both pass the limit
      // (learning's own lock, held to the end of the transaction; it touches no other module's rows).
      await tx.execute(sql`select pg_advisory_xact_lock(${QUIZ_LOCK_CLASS}::int, hashtext(${contactId}))`);
      const previous = await tx
        .select({ passed: quizAttempts.passed })
        .from(quizAttempts)
        .where(and(eq(quizAttempts.contactId, contactId), eq(quizAttempts.lessonId, lessonId)));
      if (previous.some((p) => p.passed)) throw conflict('You have already passed this quiz');
      if (q.maxAttempts != null && previous.length >= q.maxAttempts) {
        throw conflict(`You have used all ${q.maxAttempts} attempts for this quiz. Ask a question below and we will help.`);
      }
      const { correct, scorePercent } = gradeQuiz(q.questions, answers);
      const passed = scorePercent >= q.passPercent;
      const chosen = Object.fromEntries(q.questions.map((x) => [x.id, (answers[x.id] ?? []).filter((id) => x.options.some((o) => o.id === id))]));
      const [attempt] = await tx
        .insert(quizAttempts)
        .values({ lessonId, courseId: d.course.id, contactId, answers: chosen, correct, scorePercent, passed, createdAt: this.clock.now() })
        .returning();
      await this.events.recordInTx(tx, {
        type: 'quiz.attempted',
        actor,
        subject: { type: 'lesson', id: lessonId },
        data: { contactId, courseId: d.course.id, scorePercent, passed, attempt: previous.length + 1 },
      });
      const completion = passed ? await this.recordCompletion(tx, d, contactId, lessonId, actor) : null;
      return {
        attemptId: attempt!.id,
        scorePercent,
        passed,
        passPercent: q.passPercent,
        correct,
        attemptsLeft: q.maxAttempts == null ? null : q.maxAttempts - previous.length - 1,
        nextLessonId: completion?.nextLessonId ?? null,
        courseCompleted: completion?.courseCompleted ?? false,
      };
    });
  }

  // ---- questions ------------------------------------------------------------------------

  /** A student's question about a lesson, recorded as an event for the support inbox. */
  async askQuestion(contactId: string, slug: string, lessonId: string, question: string, actor: Actor): Promise<void> {
    const d = await this.load(this.db, contactId, slug);
    const { lesson } = this.requireOpen(d, lessonId);
    await this.database.transaction((tx) =>
      this.events.recordInTx(tx, {
        type: 'lesson.question_asked',
        actor,
        subject: { type: 'lesson', id: lessonId },
        data: { contactId, courseId: d.course.id, courseTitle: d.course.title, lessonTitle: lesson.title, question },
      }),
    );
  }

  // ---- certificates ---------------------------------------------------------------------

  verifyUrl(code: string): string {
    return `${this.settings.publicUrl}/certificates/${code}`;
  }

  /** The student's own certificate for a course, as a PDF. */
  async certificatePdf(contactId: string, slug: string): Promise<{ pdf: Buffer; filename: string }> {
    const [course] = await this.db.select().from(courses).where(eq(courses.slug, slug)).limit(1);
    if (!course) throw notFound('Certificate');
    const [c] = await this.db
      .select()
      .from(certificates)
      .where(and(eq(certificates.contactId, contactId), eq(certificates.courseId, course.id), isNull(certificates.revokedAt)));
    if (!c) throw notFound('Certificate');
    const issuer = await this.settings.issuer();
    const pdf = await renderCertificatePdf({ recipientName: c.recipientName, courseTitle: c.courseTitle, issuedAt: c.issuedAt, code: c.code, verifyUrl: this.verifyUrl(c.code), issuer: issuer.name, color: issuer.color, timeZone: issuer.timeZone });
    return { pdf, filename: `certificate-${course.slug}.pdf` };
  }

  /** The PDF behind a public verification code (the code is the proof: it is unguessable). */
  async certificatePdfByCode(code: string): Promise<Buffer> {
    const [c] = await this.db.select().from(certificates).where(and(eq(certificates.code, code), isNull(certificates.revokedAt))).limit(1);
    if (!c) throw notFound('Certificate');
    const issuer = await this.settings.issuer();
    return renderCertificatePdf({ recipientName: c.recipientName, courseTitle: c.courseTitle, issuedAt: c.issuedAt, code: c.code, verifyUrl: this.verifyUrl(c.code), issuer: issuer.name, color: issuer.color, timeZone: issuer.timeZone });
  }

  /** Public verification: what the certificate with this code says, and whether it stands. */
  async verifyCertificate(code: string) {
    if (!/^[\w-]{10,40}$/.test(code)) return null;
    const [c] = await this.db.select().from(certificates).where(eq(certificates.code, code)).limit(1);
    if (!c) return null;
    return { recipientName: c.recipientName, courseTitle: c.courseTitle, issuedAt: c.issuedAt, code: c.code, valid: !c.revokedAt, revokedAt: c.revokedAt };
  }

  // ---- drip -----------------------------------------------------------------------------

  private async announceUnlock(tx: Tx, contactId: string, lessonId: string, courseId: string, at: Date): Promise<void> {
    const [row] = await tx.insert(lessonUnlocks).values({ contactId, lessonId, courseId, unlockedAt: at }).onConflictDoNothing().returning();
    if (row) {
      await this.events.recordInTx(tx, { type: 'lesson.unlocked', actor: { kind: 'system' }, subject: { type: 'lesson', id: lessonId }, data: { contactId, courseId, unlockedAt: at.toISOString() } });
    }
  }

  /**
   * The drip job: records `lesson.unlocked` once per student and scheduled lesson that has
   * opened (after N days, on a date, after the previous lesson). Lessons open on enrollment
   * are not announced: the grant itself is that news. Idempotent and batched; returns how
   * many lessons it announced.
   */
  async announceUnlockedLessons(): Promise<number> {
    const now = this.clock.now().toISOString();
    let total = 0;
    for (;;) {
      const n = await this.database.transaction(async (tx) => {
        const res = await tx.execute(sql`
          with enrolled as (
            select g.contact_id, g.resource_id as course_id, min(g.granted_at) as enrolled_at
              from ${grantsView} g
             where g.resource_type = 'course' and g.revoked_at is null
               and (g.expires_at is null or g.expires_at > ${now}::timestamptz)
             group by g.contact_id, g.resource_id
          ),
          ordered as (
            -- the previous lesson is taken over every lesson of the course, before filtering
            select l.id, l.course_id, l.drip_kind, l.drip_days, l.drip_date,
                   lag(l.id) over (partition by l.course_id order by m.position, l.position) as previous_id
              from ${lessons} l
              join ${courseModules} m on m.id = l.module_id
              join ${courses} c on c.id = l.course_id
             where c.status <> 'draft'
          ),
          due as (
            select e.contact_id, o.id as lesson_id, o.course_id,
                   case o.drip_kind
                     when 'after_days' then e.enrolled_at + make_interval(days => coalesce(o.drip_days, 0))
                     when 'on_date' then greatest(o.drip_date, e.enrolled_at)
                     when 'after_previous' then case when o.previous_id is null then e.enrolled_at else p.completed_at end
                   end as opens_at
              from enrolled e
              join ordered o on o.course_id = e.course_id and o.drip_kind <> 'immediate'
              left join ${lessonProgress} p on p.contact_id = e.contact_id and p.lesson_id = o.previous_id
          )
          insert into ${lessonUnlocks} (contact_id, lesson_id, course_id, unlocked_at)
          select contact_id, lesson_id, course_id, opens_at from due
           where opens_at is not null and opens_at <= ${now}::timestamptz
             and not exists (select 1 from ${lessonUnlocks} u where u.contact_id = due.contact_id and u.lesson_id = due.lesson_id)
           limit ${UNLOCK_BATCH}
          on conflict do nothing
          returning contact_id, lesson_id, course_id, unlocked_at`);
        const rows = rowsOf<{ contact_id: string; lesson_id: string; course_id: string; unlocked_at: Date | string }>(res);
        for (const r of rows) {
          await this.events.recordInTx(tx, {
            type: 'lesson.unlocked',
            actor: { kind: 'system' },
            subject: { type: 'lesson', id: r.lesson_id },
            data: { contactId: r.contact_id, courseId: r.course_id, unlockedAt: new Date(r.unlocked_at).toISOString() },
          });
        }
        return rows.length;
      });
      total += n;
      if (n < UNLOCK_BATCH) return total;
    }
  }
}

/** Which questions are right (exactly the right options chosen) and the score in percent. */
export function gradeQuiz(questions: QuizQuestion[], answers: Record<string, string[]>): { correct: string[]; scorePercent: number } {
  const correct = questions
    .filter((q) => {
      const want = new Set(q.options.filter((o) => o.correct).map((o) => o.id));
      const got = new Set(answers[q.id] ?? []);
      return want.size === got.size && [...want].every((id) => got.has(id));
    })
    .map((q) => q.id);
  return { correct, scorePercent: questions.length ? Math.round((correct.length / questions.length) * 100) : 0 };
}
