// The shapes learning's staff side reads and returns (courses, lessons, files, freshness), apart
// from the code, so that the parts of the service (service.ts composes them) share them without
// importing each other.
import type { Actor } from '../../actor.js';
import type { DbOrTx } from '../../db/client.js';
import type { courses, CourseStatus, DripKind, lessonFiles, lessons, QuizQuestion, quizzes } from './schema.js';

export type CourseRow = typeof courses.$inferSelect;
export type LessonRow = typeof lessons.$inferSelect;
export type FileRow = typeof lessonFiles.$inferSelect;
export type QuizRow = typeof quizzes.$inferSelect;

export type DripInput =
  | { kind: 'immediate' }
  | { kind: 'after_days'; days: number }
  | { kind: 'on_date'; date: Date }
  | { kind: 'after_previous' };

export interface CourseInput {
  title: string;
  slug?: string;
  summary?: string;
  status?: CourseStatus;
  certificateEnabled?: boolean;
  reviewIntervalDays?: number;
}

export interface LessonInput {
  title?: string;
  bodyMarkdown?: string;
  videoUrl?: string | null;
  drip?: DripInput;
  reviewIntervalDays?: number | null;
}

export interface QuizInput {
  passPercent: number;
  maxAttempts: number | null;
  questions: { id?: string; prompt: string; kind: 'single' | 'multiple'; options: { id?: string; text: string; correct: boolean }[] }[];
}

export interface FileView {
  id: string;
  kind: 'attachment' | 'video';
  filename: string;
  contentType: string;
  size: number;
  createdAt: Date;
}

export interface LessonView {
  id: string;
  courseId: string;
  moduleId: string;
  title: string;
  position: number;
  bodyMarkdown: string;
  bodyHtml: string;
  videoUrl: string | null;
  /** what the video link plays, for the editor's preview (a YouTube/Vimeo player or a file) */
  videoPreview: { kind: 'iframe' | 'file'; src: string } | null;
  video: FileView | null;
  drip: { kind: DripKind; days: number | null; date: Date | null; description: string };
  reviewIntervalDays: number | null;
  lastReviewedAt: Date;
  reviewDueAt: Date;
  attachments: FileView[];
  quiz: { passPercent: number; maxAttempts: number | null; questions: QuizQuestion[] } | null;
  updatedAt: Date;
}

export interface CourseView {
  id: string;
  slug: string;
  title: string;
  summary: string;
  status: CourseStatus;
  certificateEnabled: boolean;
  reviewIntervalDays: number;
  lastReviewedAt: Date;
  reviewDueAt: Date;
  lessonCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CourseTree extends CourseView {
  modules: { id: string; title: string; position: number; lessons: LessonView[] }[];
}

export interface FreshnessItem {
  type: 'course' | 'lesson';
  id: string;
  title: string;
  courseId: string;
  courseTitle: string;
  lastReviewedAt: Date;
  reviewIntervalDays: number;
  dueAt: Date;
  overdue: boolean;
  /** whole days past due (0 when not overdue) */
  overdueDays: number;
}

export const DAY_MS = 86_400_000;
/** When a course or lesson is next due for review. */
export const dueAt = (lastReviewedAt: Date, days: number) => new Date(lastReviewedAt.getTime() + days * DAY_MS);

export function rowsOf<T>(res: unknown): T[] {
  return (res as { rows: T[] }).rows;
}

/** What the staff-side parts (freshness, enrolments, results) read through the course builder. */
export interface CourseReads {
  getCourseRow(db: DbOrTx, id: string): Promise<CourseRow>;
  getCourseTree(id: string): Promise<CourseTree>;
  getLesson(id: string): Promise<LessonView>;
  /** refuses a content assistant's change to a live course unless the owner allowed it */
  assertMayChange(db: DbOrTx, courseId: string, actor: Actor): Promise<void>;
}
