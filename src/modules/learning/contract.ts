// The learning staff API's shapes: the request and response schemas its routes validate with
// (routes.tsx), and the types the admin's Courses pages use for them (types only reach the
// browser: src/wire.ts). Plain data: no server code here.
import { z } from 'zod';
import type { Wire } from '../../wire.js';

export const courseStatuses = ['draft', 'published', 'archived'] as const;
export const dripKinds = ['immediate', 'after_days', 'on_date', 'after_previous'] as const;

export const title = z.string().trim().min(1, 'Enter a title').max(200);
export const reason = z.string().trim().min(1, 'Give a reason (it is kept with the change)').max(500);
export const drip = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('immediate') }),
  z.object({ kind: z.literal('after_days'), days: z.number().int().min(0).max(3650) }),
  z.object({ kind: z.literal('on_date'), date: z.coerce.date() }),
  z.object({ kind: z.literal('after_previous') }),
]);
export const fileShape = z.object({ id: z.string(), kind: z.enum(['attachment', 'video']), filename: z.string(), contentType: z.string(), size: z.number(), createdAt: z.date() });
export const quizQuestion = z.object({
  id: z.string().regex(/^[\w-]{1,40}$/).optional(),
  prompt: z.string().trim().min(1).max(1000),
  kind: z.enum(['single', 'multiple']),
  options: z.array(z.object({ id: z.string().regex(/^[\w-]{1,40}$/).optional(), text: z.string().trim().min(1).max(500), correct: z.boolean() })).min(2).max(12),
});
export const quizShape = z.object({ passPercent: z.number(), maxAttempts: z.number().nullable(), questions: z.array(quizQuestion.required({ id: true })) });
export const lessonShape = z.object({
  id: z.string(),
  courseId: z.string(),
  moduleId: z.string(),
  title: z.string(),
  position: z.number(),
  bodyMarkdown: z.string(),
  bodyHtml: z.string(),
  videoUrl: z.string().nullable(),
  videoPreview: z.object({ kind: z.enum(['iframe', 'file']), src: z.string() }).nullable(),
  video: fileShape.nullable(),
  drip: z.object({ kind: z.enum(dripKinds), days: z.number().nullable(), date: z.date().nullable(), description: z.string() }),
  reviewIntervalDays: z.number().nullable(),
  lastReviewedAt: z.date(),
  reviewDueAt: z.date(),
  attachments: z.array(fileShape),
  quiz: z
    .object({ passPercent: z.number(), maxAttempts: z.number().nullable(), questions: z.array(z.object({ id: z.string(), prompt: z.string(), kind: z.enum(['single', 'multiple']), options: z.array(z.object({ id: z.string(), text: z.string(), correct: z.boolean() })) })) })
    .nullable(),
  updatedAt: z.date(),
});
export const courseShape = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  status: z.enum(courseStatuses),
  certificateEnabled: z.boolean(),
  reviewIntervalDays: z.number(),
  lastReviewedAt: z.date(),
  reviewDueAt: z.date(),
  lessonCount: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export const treeShape = courseShape.extend({ modules: z.array(z.object({ id: z.string(), title: z.string(), position: z.number(), lessons: z.array(lessonShape) })) });
export const freshnessShape = z.object({
  type: z.enum(['course', 'lesson']),
  id: z.string(),
  title: z.string(),
  courseId: z.string(),
  courseTitle: z.string(),
  lastReviewedAt: z.date(),
  reviewIntervalDays: z.number(),
  dueAt: z.date(),
  overdue: z.boolean(),
  overdueDays: z.number(),
});
export const courseBody = z.object({
  title,
  slug: z.string().trim().min(1).max(80).optional(),
  summary: z.string().max(2000).optional(),
  status: z.enum(courseStatuses).optional(),
  certificateEnabled: z.boolean().optional(),
  reviewIntervalDays: z.number().int().min(1).max(3650).optional(),
});
export const lessonBody = z.object({
  title: title.optional(),
  bodyMarkdown: z.string().max(200_000).optional(),
  videoUrl: z.string().trim().max(500).nullable().optional(),
  drip: drip.optional(),
  reviewIntervalDays: z.number().int().min(1).max(3650).nullable().optional(),
});
export const enrollmentShape = z.object({
  contactId: z.string(),
  email: z.string(),
  name: z.string(),
  enrolledAt: z.date(),
  active: z.boolean(),
  sources: z.array(z.string()),
  revokedAt: z.date().nullable(),
  lastSeenAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  percent: z.number(),
});
export const statsShape = z.object({
  totals: z.object({ enrolled: z.number(), started: z.number(), completed: z.number(), certificates: z.number() }),
  enrollments: z.array(z.object({ period: z.string(), enrollments: z.number() })),
  funnel: z.array(z.object({ lessonId: z.string(), title: z.string(), module: z.string(), position: z.number(), viewed: z.number(), completed: z.number(), completionRate: z.number() })),
  quizzes: z.array(
    z.object({ lessonId: z.string(), title: z.string(), passPercent: z.number(), attempts: z.number(), students: z.number(), passed: z.number(), passRate: z.number(), averageScore: z.number().nullable() }),
  ),
});
/** GET /api/learning/courses/:id/stats: enrollments counted by week or by month. */
export const statsQuery = z.object({ interval: z.enum(['week', 'month']).default('month') });

/** GET /api/learning/courses */
export const courseListShape = z.object({ courses: z.array(courseShape) });
/** POST /api/learning/courses/:id/modules: the new module, last in the course. */
export const moduleCreatedShape = z.object({ id: z.string(), title: z.string(), position: z.number() });
/** POST /api/learning/preview: a lesson's Markdown rendered as students see it. */
export const lessonPreviewShape = z.object({ html: z.string() });
/** GET /api/learning/freshness: what is due for review (and how many are overdue). */
export const freshnessListShape = z.object({ items: z.array(freshnessShape), overdueCount: z.number() });
/** GET /api/learning/freshness: overdue=true lists only what is overdue; one course. */
export const freshnessQuery = z.object({ overdue: z.enum(['true', 'false']).optional(), courseId: z.uuid().optional() });
/** GET /api/learning/courses/:id/enrollments */
export const enrollmentListShape = z.object({ enrollments: z.array(enrollmentShape) });
/** POST /api/learning/courses/:id/enrollments: the contact enrolled, and whether it was created. */
export const enrolledShape = z.object({ contactId: z.string(), created: z.boolean() });
/** POST /api/learning/courses/:id/enrollments/revoke: how many live grants ended. */
export const revokedShape = z.object({ revoked: z.number() });

export type Course = Wire<z.output<typeof courseShape>>;
export type CourseTree = Wire<z.output<typeof treeShape>>;
export type Lesson = Wire<z.output<typeof lessonShape>>;
export type LessonFile = Wire<z.output<typeof fileShape>>;
export type QuizQuestion = NonNullable<Lesson['quiz']>['questions'][number];
export type FreshnessItem = Wire<z.output<typeof freshnessShape>>;
export type Enrollment = Wire<z.output<typeof enrollmentShape>>;
export type CourseStats = Wire<z.output<typeof statsShape>>;
export type CourseList = Wire<z.output<typeof courseListShape>>;
export type ModuleCreated = z.output<typeof moduleCreatedShape>;
export type LessonPreview = z.output<typeof lessonPreviewShape>;
export type FreshnessList = Wire<z.output<typeof freshnessListShape>>;
export type EnrollmentList = Wire<z.output<typeof enrollmentListShape>>;
export type Enrolled = z.output<typeof enrolledShape>;
export type AccessRevoked = z.output<typeof revokedShape>;

/** POST /api/learning/courses/:id/enrollments: a person enrolled by hand, and why. */
export const enrollBody = z.object({ email: z.string().trim().max(320), name: z.string().trim().max(200).optional(), reason, expiresAt: z.coerce.date().optional() });
export type CourseInput = z.input<typeof courseBody>;
export type LessonInput = z.input<typeof lessonBody>;
export type EnrollInput = z.input<typeof enrollBody>;
