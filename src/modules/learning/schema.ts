// Courses (course → modules → lessons), their files and quizzes, and what students did with
// them: progress, quiz attempts, drip unlocks and certificates. Who may take a course is not
// stored here: that is an access grant (src/modules/access), the one source of truth.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contacts } from '../audience/schema.js';
import { courseStatuses, dripKinds } from './contract.js';

export { courseStatuses, dripKinds };
export type CourseStatus = (typeof courseStatuses)[number];
export type DripKind = (typeof dripKinds)[number];

export const courses = pgTable(
  'learning_courses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    /** draft (staff only) | published (students with a grant) | archived (hidden from new outlines) */
    status: text('status').$type<CourseStatus>().notNull().default('draft'),
    certificateEnabled: boolean('certificate_enabled').notNull().default(true),
    /** freshness: how often the whole course should be looked over, in days */
    reviewIntervalDays: integer('review_interval_days').notNull().default(180),
    lastReviewedAt: timestamp('last_reviewed_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('learning_courses_slug_key').on(t.slug)],
);

export const courseModules = pgTable(
  'learning_modules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    position: integer('position').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('learning_modules_course_idx').on(t.courseId, t.position)],
);

export const lessons = pgTable(
  'learning_lessons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    moduleId: uuid('module_id')
      .notNull()
      .references(() => courseModules.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    position: integer('position').notNull(),
    /** what the author wrote (Markdown) */
    bodyMarkdown: text('body_markdown').notNull().default(''),
    /** the Markdown rendered and sanitised at save time: what students are served */
    bodyHtml: text('body_html').notNull().default(''),
    /** an embedded video (YouTube, Vimeo or a direct https video file) */
    videoUrl: text('video_url'),
    /** an uploaded video, streamed with range requests */
    videoFileId: uuid('video_file_id'),
    dripKind: text('drip_kind').$type<DripKind>().notNull().default('immediate'),
    /** after_days: days after enrollment */
    dripDays: integer('drip_days'),
    /** on_date: the moment the lesson opens */
    dripDate: timestamp('drip_date', { withTimezone: true }),
    /** null: the course's interval applies */
    reviewIntervalDays: integer('review_interval_days'),
    lastReviewedAt: timestamp('last_reviewed_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('learning_lessons_course_idx').on(t.courseId), index('learning_lessons_module_idx').on(t.moduleId, t.position)],
);

/** Uploaded lesson files: downloadable attachments and videos. The bytes live in file storage. */
export const lessonFiles = pgTable(
  'learning_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    /** attachment | video */
    kind: text('kind').$type<'attachment' | 'video'>().notNull(),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('learning_files_lesson_idx').on(t.lessonId)],
);

export interface QuizOption {
  id: string;
  text: string;
  correct: boolean;
}
export interface QuizQuestion {
  id: string;
  prompt: string;
  /** single: one right option (radio buttons); multiple: every right option and no wrong one */
  kind: 'single' | 'multiple';
  options: QuizOption[];
}

export const quizzes = pgTable('learning_quizzes', {
  lessonId: uuid('lesson_id')
    .primaryKey()
    .references(() => lessons.id, { onDelete: 'cascade' }),
  courseId: uuid('course_id')
    .notNull()
    .references(() => courses.id, { onDelete: 'cascade' }),
  /** percentage of questions right needed to pass */
  passPercent: integer('pass_percent').notNull().default(70),
  /** null: unlimited attempts */
  maxAttempts: integer('max_attempts'),
  questions: jsonb('questions').$type<QuizQuestion[]>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const quizAttempts = pgTable(
  'learning_quiz_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    /** question id → chosen option ids */
    answers: jsonb('answers').$type<Record<string, string[]>>().notNull(),
    /** question ids answered right */
    correct: jsonb('correct').$type<string[]>().notNull(),
    scorePercent: integer('score_percent').notNull(),
    passed: boolean('passed').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('learning_quiz_attempts_student_idx').on(t.contactId, t.lessonId), index('learning_quiz_attempts_course_idx').on(t.courseId, t.lessonId)],
);

/** One row per student and lesson they opened: when first seen, when completed. */
export const lessonProgress = pgTable(
  'learning_lesson_progress',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    firstViewedAt: timestamp('first_viewed_at', { withTimezone: true }).notNull(),
    lastViewedAt: timestamp('last_viewed_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.lessonId] }), index('learning_lesson_progress_course_idx').on(t.courseId, t.lessonId)],
);

/** Per student and course: where they left off, and when they finished. */
export const courseProgress = pgTable(
  'learning_course_progress',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    lastLessonId: uuid('last_lesson_id'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.courseId] }), index('learning_course_progress_course_idx').on(t.courseId)],
);

/**
 * Scheduled lessons that have opened for a student. The row exists so the `lesson.unlocked`
 * event is recorded exactly once per student and lesson, however often the drip job runs.
 * Whether a lesson is open is always computed from the clock; this is the announcement.
 */
export const lessonUnlocks = pgTable(
  'learning_unlocks',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id').notNull(),
    unlockedAt: timestamp('unlocked_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.lessonId] })],
);

export const certificates = pgTable(
  'learning_certificates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** the unguessable code in the public verification URL */
    code: text('code').notNull(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    /** as printed: kept even if the contact or course is renamed later */
    recipientName: text('recipient_name').notNull(),
    courseTitle: text('course_title').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('learning_certificates_code_key').on(t.code),
    // One live certificate per student and course: completing twice issues once.
    uniqueIndex('learning_certificates_student_key').on(t.contactId, t.courseId).where(sql`${t.revokedAt} is null`),
  ],
);
