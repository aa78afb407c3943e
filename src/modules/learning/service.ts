// The course builder: courses, modules, lessons, quizzes and files, and who may change a live
// course. It composes learning's other staff-side parts (freshness.ts, enrolments.ts,
// results.ts), which read courses through it, and the student side (delivery.ts). Every change
// is an event with its actor, written in the transaction of the change.
import type { Readable } from 'node:stream';
import { and, asc, count, eq, max, sql } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { DomainError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import { getSetting, putSetting } from '../../db/secrets.js';
import type { Db } from '../../db/client.js';
import type { AccessService } from '../access/index.js';
import type { AudienceService } from '../audience/index.js';
import { renderMarkdown, slugify, videoEmbed } from './content.js';
import { describeDrip } from './drip.js';
import type { FileStorage } from './storage.js';
import {
  courseModules,
  courses,
  lessonFiles,
  lessons,
  quizAttempts,
  quizzes,
  type DripKind,
  type QuizQuestion,
} from './schema.js';
import { DeliveryService } from './delivery.js';
import { Enrolments } from './enrolments.js';
import { CourseFreshness } from './freshness.js';
import { CourseResults } from './results.js';
import {
  dueAt,
  type CourseInput,
  type CourseReads,
  type CourseRow,
  type CourseTree,
  type CourseView,
  type DripInput,
  type FileRow,
  type FileView,
  type LessonInput,
  type LessonRow,
  type LessonView,
  type QuizInput,
  type QuizRow,
} from './views.js';
import type { LearningSettings } from './settings.js';

export type {
  CourseRow,
  LessonRow,
  FileRow,
  QuizRow,
  DripInput,
  CourseInput,
  LessonInput,
  QuizInput,
  FileView,
  LessonView,
  CourseView,
  CourseTree,
  FreshnessItem,
} from './views.js';
export type { LearningSettings } from './settings.js';


function fileView(f: FileRow): FileView {
  return { id: f.id, kind: f.kind, filename: f.filename, contentType: f.contentType, size: f.size, createdAt: f.createdAt };
}

function previewOf(url: string | null): LessonView['videoPreview'] {
  if (!url) return null;
  try {
    const v = videoEmbed(url);
    return { kind: v.kind, src: v.src };
  } catch {
    return null;
  }
}

function courseView(c: CourseRow, lessonCount: number): CourseView {
  return {
    id: c.id,
    slug: c.slug,
    title: c.title,
    summary: c.summary,
    status: c.status,
    certificateEnabled: c.certificateEnabled,
    reviewIntervalDays: c.reviewIntervalDays,
    lastReviewedAt: c.lastReviewedAt,
    reviewDueAt: dueAt(c.lastReviewedAt, c.reviewIntervalDays),
    lessonCount,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

function dripColumns(d: DripInput): { dripKind: DripKind; dripDays: number | null; dripDate: Date | null } {
  switch (d.kind) {
    case 'after_days':
      if (!Number.isInteger(d.days) || d.days < 0 || d.days > 3650) throw invalid('Days after enrollment must be a whole number from 0 to 3650', { field: 'drip.days' });
      return { dripKind: 'after_days', dripDays: d.days, dripDate: null };
    case 'on_date':
      return { dripKind: 'on_date', dripDays: null, dripDate: d.date };
    default:
      return { dripKind: d.kind, dripDays: null, dripDate: null };
  }
}

/** Single-choice questions need exactly one right option; multiple-choice at least one. */
function normaliseQuiz(input: QuizInput): QuizQuestion[] {
  if (input.questions.length === 0) throw invalid('A quiz needs at least one question', { field: 'questions' });
  return input.questions.map((q, i) => {
    const right = q.options.filter((o) => o.correct).length;
    if (q.options.length < 2) throw invalid(`Question ${i + 1} needs at least two options`, { field: `questions.${i}.options` });
    if (q.kind === 'single' && right !== 1) throw invalid(`Question ${i + 1} is single choice: mark exactly one option as right`, { field: `questions.${i}.options` });
    if (q.kind === 'multiple' && right < 1) throw invalid(`Question ${i + 1}: mark at least one option as right`, { field: `questions.${i}.options` });
    return {
      id: q.id ?? `q${i + 1}`,
      prompt: q.prompt,
      kind: q.kind,
      options: q.options.map((o, j) => ({ id: o.id ?? `o${j + 1}`, text: o.text, correct: o.correct })),
    };
  }).map((q, i, all) => {
    if (all.findIndex((x) => x.id === q.id) !== i) throw invalid(`Two questions share the id "${q.id}"`, { field: 'questions' });
    if (new Set(q.options.map((o) => o.id)).size !== q.options.length) throw invalid(`Question ${i + 1} has two options with the same id`, { field: `questions.${i}.options` });
    return q;
  });
}

const CONTENT_POLICY_KEY = 'learning.content_policy';

/** What the owner lets the content role do with live courses (set through an accepted delegation). */
export interface ContentRolePolicy {
  editsLiveCourses: boolean;
}

export class LearningService implements CourseReads {
  /** the student side: outlines, lessons, progress, quizzes, certificates, drip */
  readonly student: DeliveryService;
  /** what is due for review, and marking it reviewed */
  readonly freshness: CourseFreshness;
  /** who holds a course, with their progress; enrolling and unenrolling by hand */
  readonly enrolments: Enrolments;
  /** statistics, students' questions and certificates */
  readonly results: CourseResults;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    access: AccessService,
    audience: AudienceService,
    readonly storage: FileStorage,
    readonly settings: LearningSettings,
  ) {
    this.student = new DeliveryService(database, clock, events, access, audience, storage, settings);
    this.freshness = new CourseFreshness(database, clock, events, this);
    this.enrolments = new Enrolments(database, clock, access, audience, this);
    this.results = new CourseResults(database, clock, events, this);
  }

  private get db() {
    return this.database.db;
  }

  // ---- courses --------------------------------------------------------------------------

  async listCourses(db: DbOrTx = this.db): Promise<CourseView[]> {
    // Counted apart and joined in code: a correlated subquery in drizzle's select renders its
    // columns unqualified, so `course_id = id` compared a lesson with itself (every count was 0).
    const rows = await db.select().from(courses).orderBy(asc(courses.title));
    const counts = await db.select({ courseId: lessons.courseId, n: count() }).from(lessons).groupBy(lessons.courseId);
    const byCourse = new Map(counts.map((c) => [c.courseId, Number(c.n)]));
    return rows.map((c) => courseView(c, byCourse.get(c.id) ?? 0));
  }

  async getCourseRow(db: DbOrTx, id: string): Promise<CourseRow> {
    const [row] = await db.select().from(courses).where(eq(courses.id, id)).limit(1);
    if (!row) throw notFound('Course');
    return row;
  }

  async createCourse(input: CourseInput, actor: Actor): Promise<CourseView> {
    const now = this.clock.now();
    const slug = slugify(input.slug || input.title);
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(courses)
        .values({
          slug,
          title: input.title,
          summary: input.summary ?? '',
          status: input.status ?? 'draft',
          certificateEnabled: input.certificateEnabled ?? true,
          reviewIntervalDays: input.reviewIntervalDays ?? 180,
          lastReviewedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw await this.slugTaken(tx, slug);
      await this.events.recordInTx(tx, { type: 'course.created', actor, subject: { type: 'course', id: row.id }, data: { title: row.title, slug: row.slug } });
      return courseView(row, 0);
    });
  }

  async updateCourse(id: string, input: Partial<CourseInput>, actor: Actor): Promise<CourseView> {
    return this.database.transaction(async (tx) => {
      const before = await this.getCourseRow(tx, id);
      const patch: Partial<typeof courses.$inferInsert> = { updatedAt: this.clock.now() };
      if (input.title !== undefined) patch.title = input.title;
      if (input.slug !== undefined) patch.slug = slugify(input.slug);
      if (input.summary !== undefined) patch.summary = input.summary;
      if (input.status !== undefined) patch.status = input.status;
      if (input.certificateEnabled !== undefined) patch.certificateEnabled = input.certificateEnabled;
      if (input.reviewIntervalDays !== undefined) patch.reviewIntervalDays = input.reviewIntervalDays;
      if (patch.slug && patch.slug !== before.slug) {
        const [taken] = await tx.select({ id: courses.id }).from(courses).where(eq(courses.slug, patch.slug)).limit(1);
        if (taken) throw await this.slugTaken(tx, patch.slug);
      }
      const [row] = await tx.update(courses).set(patch).where(eq(courses.id, id)).returning();
      const changed = Object.keys(patch).filter((k) => k !== 'updatedAt');
      const type: 'course.published' | 'course.archived' | 'course.unpublished' | 'course.updated' = input.status && input.status !== before.status ? `course.${input.status === 'published' ? 'published' : input.status === 'archived' ? 'archived' : 'unpublished'}` : 'course.updated';
      await this.events.recordInTx(tx, { type, actor, subject: { type: 'course', id }, data: { changed } });
      const [{ n }] = (await tx.select({ n: count() }).from(lessons).where(eq(lessons.courseId, id))) as [{ n: number }];
      return courseView(row!, n);
    });
  }

  /** The conflict for a taken address, with the first free `<slug>-2`, `-3`, … as a suggestion. */
  private async slugTaken(tx: Tx, slug: string): Promise<DomainError> {
    const base = slug.slice(0, 75).replace(/-+$/g, '');
    const rows = await tx.select({ slug: courses.slug }).from(courses).where(sql`${courses.slug} like ${`${base}-%`}`);
    const used = new Set(rows.map((r) => r.slug));
    let n = 2;
    while (used.has(`${base}-${n}`)) n++;
    const suggestion = `${base}-${n}`;
    return conflict(`Another course already uses the address /learn/${slug}. Choose another address, for example /learn/${suggestion}.`, { field: 'slug', suggestion });
  }

  /** The whole course as the builder shows it: modules in order, their lessons in order. */
  async getCourseTree(id: string, db: DbOrTx = this.db): Promise<CourseTree> {
    const course = await this.getCourseRow(db, id);
    const mods = await db.select().from(courseModules).where(eq(courseModules.courseId, id)).orderBy(asc(courseModules.position));
    const ls = await db.select().from(lessons).where(eq(lessons.courseId, id)).orderBy(asc(lessons.position));
    const files = await db.select().from(lessonFiles).where(eq(lessonFiles.courseId, id)).orderBy(asc(lessonFiles.createdAt));
    const qs = await db.select().from(quizzes).where(eq(quizzes.courseId, id));
    const views = ls.map((l) => this.lessonView(l, course, files, qs));
    return {
      ...courseView(course, ls.length),
      modules: mods.map((m) => ({ id: m.id, title: m.title, position: m.position, lessons: views.filter((l) => l.moduleId === m.id) })),
    };
  }

  private lessonView(l: LessonRow, course: CourseRow, files: FileRow[], qs: QuizRow[]): LessonView {
    const quiz = qs.find((q) => q.lessonId === l.id);
    const video = l.videoFileId ? files.find((f) => f.id === l.videoFileId) : undefined;
    return {
      id: l.id,
      courseId: l.courseId,
      moduleId: l.moduleId,
      title: l.title,
      position: l.position,
      bodyMarkdown: l.bodyMarkdown,
      bodyHtml: l.bodyHtml,
      videoUrl: l.videoUrl,
      videoPreview: previewOf(l.videoUrl),
      video: video ? fileView(video) : null,
      drip: { kind: l.dripKind, days: l.dripDays, date: l.dripDate, description: describeDrip(l) },
      reviewIntervalDays: l.reviewIntervalDays,
      lastReviewedAt: l.lastReviewedAt,
      reviewDueAt: dueAt(l.lastReviewedAt, l.reviewIntervalDays ?? course.reviewIntervalDays),
      attachments: files.filter((f) => f.lessonId === l.id && f.kind === 'attachment').map(fileView),
      quiz: quiz ? { passPercent: quiz.passPercent, maxAttempts: quiz.maxAttempts, questions: quiz.questions } : null,
      updatedAt: l.updatedAt,
    };
  }

  // ---- modules --------------------------------------------------------------------------

  async addModule(courseId: string, title: string, actor: Actor): Promise<{ id: string; title: string; position: number }> {
    return this.database.transaction(async (tx) => {
      await this.getCourseRow(tx, courseId);
      const [{ top }] = (await tx.select({ top: max(courseModules.position) }).from(courseModules).where(eq(courseModules.courseId, courseId))) as [{ top: number | null }];
      const [row] = await tx.insert(courseModules).values({ courseId, title, position: (top ?? 0) + 1, createdAt: this.clock.now() }).returning();
      await this.touchCourse(tx, courseId);
      await this.events.recordInTx(tx, { type: 'course.module_added', actor, subject: { type: 'course', id: courseId }, data: { moduleId: row!.id, title } });
      return { id: row!.id, title: row!.title, position: row!.position };
    });
  }

  async renameModule(moduleId: string, title: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const [row] = await tx.update(courseModules).set({ title }).where(eq(courseModules.id, moduleId)).returning();
      if (!row) throw notFound('Module');
      await this.touchCourse(tx, row.courseId);
      await this.events.recordInTx(tx, { type: 'course.module_renamed', actor, subject: { type: 'course', id: row.courseId }, data: { moduleId, title } });
    });
  }

  /** Only an empty module can be removed: lessons hold student progress and are deleted one by one. */
  async removeModule(moduleId: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const [mod] = await tx.select().from(courseModules).where(eq(courseModules.id, moduleId));
      if (!mod) throw notFound('Module');
      const [{ n }] = (await tx.select({ n: count() }).from(lessons).where(eq(lessons.moduleId, moduleId))) as [{ n: number }];
      if (n > 0) throw conflict('Move or delete the lessons of this module first');
      await tx.delete(courseModules).where(eq(courseModules.id, moduleId));
      await this.touchCourse(tx, mod.courseId);
      await this.events.recordInTx(tx, { type: 'course.module_removed', actor, subject: { type: 'course', id: mod.courseId }, data: { moduleId, title: mod.title } });
    });
  }

  /**
   * Sets the whole order at once: modules in order, each with its lessons in order (a lesson
   * may move to another module). The list must name every module and lesson of the course.
   */
  async reorder(courseId: string, outline: { moduleId: string; lessonIds: string[] }[], actor: Actor): Promise<CourseTree> {
    await this.database.transaction(async (tx) => {
      await this.getCourseRow(tx, courseId);
      const mods = await tx.select({ id: courseModules.id }).from(courseModules).where(eq(courseModules.courseId, courseId));
      const ls = await tx.select({ id: lessons.id }).from(lessons).where(eq(lessons.courseId, courseId));
      const givenMods = outline.map((m) => m.moduleId);
      const givenLessons = outline.flatMap((m) => m.lessonIds);
      const same = (a: string[], b: string[]) => a.length === b.length && new Set(a).size === a.length && a.every((x) => b.includes(x));
      if (!same(givenMods, mods.map((m) => m.id)) || !same(givenLessons, ls.map((l) => l.id))) {
        throw invalid('The new order must list every module and every lesson of this course exactly once');
      }
      for (const [i, m] of outline.entries()) {
        await tx.update(courseModules).set({ position: i + 1 }).where(eq(courseModules.id, m.moduleId));
        for (const [j, lessonId] of m.lessonIds.entries()) {
          await tx.update(lessons).set({ moduleId: m.moduleId, position: j + 1 }).where(eq(lessons.id, lessonId));
        }
      }
      await this.touchCourse(tx, courseId);
      await this.events.recordInTx(tx, { type: 'course.reordered', actor, subject: { type: 'course', id: courseId }, data: { modules: outline.length, lessons: givenLessons.length } });
    });
    return this.getCourseTree(courseId);
  }

  private async touchCourse(tx: Tx, courseId: string): Promise<void> {
    await tx.update(courses).set({ updatedAt: this.clock.now() }).where(eq(courses.id, courseId));
  }

  // ---- lessons --------------------------------------------------------------------------

  // ---- who may change a live course ----------------------------------------------------------

  /** The owner's policy for the content role: whether it may change the lessons of published courses. */
  async contentPolicy(db: DbOrTx = this.db): Promise<ContentRolePolicy> {
    const stored = await getSetting<Partial<ContentRolePolicy>>(db as Db, CONTENT_POLICY_KEY);
    return { editsLiveCourses: stored?.editsLiveCourses === true };
  }

  /** Sets the content role's policy in the caller's transaction (the owner's delegation of lessons). */
  async setContentPolicyInTx(tx: Tx, policy: ContentRolePolicy, actor: Actor): Promise<ContentRolePolicy> {
    const before = await this.contentPolicy(tx);
    await putSetting(tx as unknown as Db, CONTENT_POLICY_KEY, policy, this.clock.now());
    await this.events.recordInTx(tx, { type: 'learning.content_policy_changed', actor, data: { editsLiveCourses: policy.editsLiveCourses, previous: before.editsLiveCourses } });
    return policy;
  }

  /**
   * Live courses are what students learn from: the content role builds and edits drafts, and
   * changes a published course's lessons (content, quiz, files, review sign-off) only when the
   * owner's policy lets it. The owner and admins are not limited. Checked in `db`, the change's
   * own transaction.
   */
  async assertMayChange(db: DbOrTx, courseId: string, actor: Actor): Promise<void> {
    if (actor.kind !== 'assistant' || actor.role !== 'content') return;
    const [c] = await db.select({ status: courses.status }).from(courses).where(eq(courses.id, courseId));
    if (c?.status !== 'published') return;
    if ((await this.contentPolicy(db)).editsLiveCourses) return;
    throw forbidden('This course is live: its lessons are changed by the owner until they let the content role keep lessons up to date');
  }

  async addLesson(moduleId: string, input: LessonInput & { title: string }, actor: Actor): Promise<LessonView> {
    const now = this.clock.now();
    const id = await this.database.transaction(async (tx) => {
      const [mod] = await tx.select().from(courseModules).where(eq(courseModules.id, moduleId));
      if (!mod) throw notFound('Module');
      await this.assertMayChange(tx, mod.courseId, actor);
      if (input.videoUrl) videoEmbed(input.videoUrl);
      const [{ top }] = (await tx.select({ top: max(lessons.position) }).from(lessons).where(eq(lessons.moduleId, moduleId))) as [{ top: number | null }];
      const markdown = input.bodyMarkdown ?? '';
      const [row] = await tx
        .insert(lessons)
        .values({
          courseId: mod.courseId,
          moduleId,
          title: input.title,
          position: (top ?? 0) + 1,
          bodyMarkdown: markdown,
          bodyHtml: renderMarkdown(markdown),
          videoUrl: input.videoUrl || null,
          ...dripColumns(input.drip ?? { kind: 'immediate' }),
          reviewIntervalDays: input.reviewIntervalDays ?? null,
          lastReviewedAt: now,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await this.touchCourse(tx, mod.courseId);
      await this.events.recordInTx(tx, { type: 'lesson.created', actor, subject: { type: 'lesson', id: row!.id }, data: { courseId: mod.courseId, title: input.title } });
      return row!.id;
    });
    return this.getLesson(id);
  }

  async getLesson(id: string, db: DbOrTx = this.db): Promise<LessonView> {
    const [l] = await db.select().from(lessons).where(eq(lessons.id, id));
    if (!l) throw notFound('Lesson');
    const course = await this.getCourseRow(db, l.courseId);
    const files = await db.select().from(lessonFiles).where(eq(lessonFiles.lessonId, id)).orderBy(asc(lessonFiles.createdAt));
    const qs = await db.select().from(quizzes).where(eq(quizzes.lessonId, id));
    return this.lessonView(l, course, files, qs);
  }

  /** Editing the content counts as reviewing it: the lesson's review clock restarts. */
  async updateLesson(id: string, input: LessonInput, actor: Actor): Promise<LessonView> {
    await this.database.transaction(async (tx) => {
      const [before] = await tx.select().from(lessons).where(eq(lessons.id, id));
      if (!before) throw notFound('Lesson');
      await this.assertMayChange(tx, before.courseId, actor);
      const now = this.clock.now();
      const patch: Partial<typeof lessons.$inferInsert> = { updatedAt: now };
      if (input.title !== undefined) patch.title = input.title;
      if (input.bodyMarkdown !== undefined) {
        patch.bodyMarkdown = input.bodyMarkdown;
        patch.bodyHtml = renderMarkdown(input.bodyMarkdown);
      }
      if (input.videoUrl !== undefined) {
        if (input.videoUrl) videoEmbed(input.videoUrl);
        patch.videoUrl = input.videoUrl || null;
      }
      if (input.drip) Object.assign(patch, dripColumns(input.drip));
      if (input.reviewIntervalDays !== undefined) patch.reviewIntervalDays = input.reviewIntervalDays;
      const contentChanged = input.bodyMarkdown !== undefined || input.videoUrl !== undefined || input.title !== undefined;
      if (contentChanged) patch.lastReviewedAt = now;
      await tx.update(lessons).set(patch).where(eq(lessons.id, id));
      await this.touchCourse(tx, before.courseId);
      await this.events.recordInTx(tx, {
        type: 'lesson.updated',
        actor,
        subject: { type: 'lesson', id },
        data: { courseId: before.courseId, changed: Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined) },
      });
    });
    return this.getLesson(id);
  }

  /** Deletes a lesson with its files, quiz and every student's progress on it. */
  async deleteLesson(id: string, actor: Actor): Promise<void> {
    const keys = await this.database.transaction(async (tx) => {
      const [l] = await tx.select().from(lessons).where(eq(lessons.id, id));
      if (!l) throw notFound('Lesson');
      await this.assertMayChange(tx, l.courseId, actor);
      const files = await tx.select({ key: lessonFiles.storageKey }).from(lessonFiles).where(eq(lessonFiles.lessonId, id));
      await tx.delete(lessons).where(eq(lessons.id, id));
      await this.touchCourse(tx, l.courseId);
      await this.events.recordInTx(tx, { type: 'lesson.deleted', actor, subject: { type: 'lesson', id }, data: { courseId: l.courseId, title: l.title } });
      return files.map((f) => f.key);
    });
    // Bytes go after the commit: a rolled-back delete must not lose the files.
    for (const key of keys) await this.storage.remove(key).catch(() => {});
  }

  async setQuiz(lessonId: string, input: QuizInput, actor: Actor): Promise<LessonView> {
    const questions = normaliseQuiz(input);
    if (input.passPercent < 0 || input.passPercent > 100) throw invalid('The pass mark is a percentage from 0 to 100', { field: 'passPercent' });
    await this.database.transaction(async (tx) => {
      const [l] = await tx.select().from(lessons).where(eq(lessons.id, lessonId));
      if (!l) throw notFound('Lesson');
      await this.assertMayChange(tx, l.courseId, actor);
      const now = this.clock.now();
      const values = { lessonId, courseId: l.courseId, passPercent: input.passPercent, maxAttempts: input.maxAttempts, questions, updatedAt: now };
      await tx.insert(quizzes).values(values).onConflictDoUpdate({ target: quizzes.lessonId, set: { passPercent: values.passPercent, maxAttempts: values.maxAttempts, questions, updatedAt: now } });
      await tx.update(lessons).set({ lastReviewedAt: now, updatedAt: now }).where(eq(lessons.id, lessonId));
      await this.events.recordInTx(tx, { type: 'quiz.updated', actor, subject: { type: 'lesson', id: lessonId }, data: { courseId: l.courseId, questions: questions.length, passPercent: input.passPercent } });
    });
    return this.getLesson(lessonId);
  }

  async removeQuiz(lessonId: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const [q] = await tx.delete(quizzes).where(eq(quizzes.lessonId, lessonId)).returning();
      if (!q) throw notFound('Quiz');
      await this.assertMayChange(tx, q.courseId, actor); // throwing rolls the delete back
      await this.events.recordInTx(tx, { type: 'quiz.removed', actor, subject: { type: 'lesson', id: lessonId }, data: { courseId: q.courseId } });
    });
  }

  /** Lets a student try a quiz again after using up their attempts (their history stays). */
  async resetQuizAttempts(lessonId: string, contactId: string, actor: Actor): Promise<number> {
    return this.database.transaction(async (tx) => {
      const [q] = await tx.select().from(quizzes).where(eq(quizzes.lessonId, lessonId));
      if (!q) throw notFound('Quiz');
      const rows = await tx.delete(quizAttempts).where(and(eq(quizAttempts.lessonId, lessonId), eq(quizAttempts.contactId, contactId))).returning({ id: quizAttempts.id });
      await this.events.recordInTx(tx, { type: 'quiz.attempts_reset', actor, subject: { type: 'lesson', id: lessonId }, data: { courseId: q.courseId, contactId, attempts: rows.length } });
      return rows.length;
    });
  }

  // ---- files ----------------------------------------------------------------------------

  /**
   * Stores an uploaded file for a lesson. A video replaces the lesson's previous uploaded
   * video; attachments accumulate. The bytes are written before the row, and removed again
   * if the row cannot be written.
   */
  async addFile(lessonId: string, kind: 'attachment' | 'video', file: { stream: Readable; filename: string; contentType: string }, actor: Actor): Promise<FileView> {
    const lesson = await this.getLesson(lessonId);
    await this.assertMayChange(this.db, lesson.courseId, actor);
    if (kind === 'video' && !/^video\//.test(file.contentType)) throw invalid('Upload a video file (MP4 or WebM)', { field: 'file' });
    const filename = file.filename.replace(/[\\/\r\n"]/g, '_').slice(0, 200) || 'file';
    const stored = await this.storage.put(file.stream, filename);
    if ((file.stream as Readable & { truncated?: boolean }).truncated) {
      await this.storage.remove(stored.key);
      throw new DomainError('too_large', `The file is larger than the upload limit (${Math.round(this.settings.uploadMaxBytes / 1_048_576)} MB)`);
    }
    let oldKey: string | null = null;
    try {
      const row = await this.database.transaction(async (tx) => {
        const [row] = await tx
          .insert(lessonFiles)
          .values({ courseId: lesson.courseId, lessonId, kind, filename, contentType: file.contentType || 'application/octet-stream', size: stored.size, storageKey: stored.key, createdAt: this.clock.now() })
          .returning();
        if (kind === 'video') {
          const [old] = lesson.video ? await tx.delete(lessonFiles).where(eq(lessonFiles.id, lesson.video.id)).returning() : [];
          oldKey = old?.storageKey ?? null;
          await tx.update(lessons).set({ videoFileId: row!.id, updatedAt: this.clock.now() }).where(eq(lessons.id, lessonId));
        }
        await this.events.recordInTx(tx, { type: kind === 'video' ? 'lesson.video_uploaded' : 'lesson.attachment_added', actor, subject: { type: 'lesson', id: lessonId }, data: { courseId: lesson.courseId, fileId: row!.id, filename, size: stored.size } });
        return row!;
      });
      if (oldKey) await this.storage.remove(oldKey).catch(() => {});
      return fileView(row);
    } catch (err) {
      await this.storage.remove(stored.key).catch(() => {});
      throw err;
    }
  }

  async removeFile(fileId: string, actor: Actor): Promise<void> {
    const key = await this.database.transaction(async (tx) => {
      const [f] = await tx.delete(lessonFiles).where(eq(lessonFiles.id, fileId)).returning();
      if (!f) throw notFound('File');
      await this.assertMayChange(tx, f.courseId, actor); // throwing rolls the delete back
      if (f.kind === 'video') await tx.update(lessons).set({ videoFileId: null }).where(and(eq(lessons.id, f.lessonId), eq(lessons.videoFileId, fileId)));
      await this.events.recordInTx(tx, { type: 'lesson.file_removed', actor, subject: { type: 'lesson', id: f.lessonId }, data: { courseId: f.courseId, fileId, filename: f.filename, kind: f.kind } });
      return f.storageKey;
    });
    await this.storage.remove(key).catch(() => {});
  }

  async getFile(fileId: string): Promise<FileRow> {
    const [f] = await this.db.select().from(lessonFiles).where(eq(lessonFiles.id, fileId));
    if (!f) throw notFound('File');
    return f;
  }
}
