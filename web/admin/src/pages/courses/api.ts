// The learning endpoints the Courses pages use (shapes mirror src/modules/learning/routes.tsx).
import { apiGet, apiSend, apiUploadForm, type IsoDate } from '../../api.js';

export type CourseStatus = 'draft' | 'published' | 'archived';
export type Drip = { kind: 'immediate' } | { kind: 'after_days'; days: number } | { kind: 'on_date'; date: IsoDate } | { kind: 'after_previous' };

export interface Course {
  id: string;
  slug: string;
  title: string;
  summary: string;
  status: CourseStatus;
  certificateEnabled: boolean;
  reviewIntervalDays: number;
  lastReviewedAt: IsoDate;
  reviewDueAt: IsoDate;
  lessonCount: number;
  updatedAt: IsoDate;
}
export interface LessonFile {
  id: string;
  kind: 'attachment' | 'video';
  filename: string;
  size: number;
}
export interface QuizQuestion {
  id: string;
  prompt: string;
  kind: 'single' | 'multiple';
  options: { id: string; text: string; correct: boolean }[];
}
export interface Lesson {
  id: string;
  courseId: string;
  moduleId: string;
  title: string;
  bodyMarkdown: string;
  bodyHtml: string;
  videoUrl: string | null;
  videoPreview: { kind: 'iframe' | 'file'; src: string } | null;
  video: LessonFile | null;
  drip: { kind: Drip['kind']; days: number | null; date: IsoDate | null; description: string };
  reviewIntervalDays: number | null;
  lastReviewedAt: IsoDate;
  reviewDueAt: IsoDate;
  attachments: LessonFile[];
  quiz: { passPercent: number; maxAttempts: number | null; questions: QuizQuestion[] } | null;
}
export interface CourseTree extends Course {
  modules: { id: string; title: string; lessons: Lesson[] }[];
}
export interface FreshnessItem {
  type: 'course' | 'lesson';
  id: string;
  title: string;
  courseId: string;
  courseTitle: string;
  lastReviewedAt: IsoDate;
  dueAt: IsoDate;
  overdue: boolean;
  overdueDays: number;
}
export interface Enrollment {
  contactId: string;
  email: string;
  name: string;
  enrolledAt: IsoDate;
  active: boolean;
  sources: string[];
  lastSeenAt: IsoDate | null;
  completedAt: IsoDate | null;
  percent: number;
}
export interface CourseStats {
  totals: { enrolled: number; started: number; completed: number; certificates: number };
  enrollments: { period: string; enrollments: number }[];
  funnel: { lessonId: string; title: string; module: string; position: number; viewed: number; completed: number; completionRate: number }[];
  quizzes: { lessonId: string; title: string; passPercent: number; attempts: number; students: number; passed: number; passRate: number; averageScore: number | null }[];
}

const uploadFile = (method: 'POST' | 'PUT', path: string, file: File) => apiUploadForm<LessonFile>(method, path, file);

export const learning = {
  courses: () => apiGet<{ courses: Course[] }>('/api/learning/courses'),
  createCourse: (body: { title: string; slug?: string; summary?: string }) => apiSend<Course>('POST', '/api/learning/courses', body),
  course: (id: string) => apiGet<CourseTree>(`/api/learning/courses/${id}`),
  updateCourse: (id: string, body: Partial<Pick<Course, 'title' | 'summary' | 'status' | 'certificateEnabled' | 'reviewIntervalDays' | 'slug'>>) => apiSend<Course>('PATCH', `/api/learning/courses/${id}`, body),
  reorder: (id: string, modules: { moduleId: string; lessonIds: string[] }[]) => apiSend<CourseTree>('PUT', `/api/learning/courses/${id}/outline`, { modules }),
  addModule: (courseId: string, title: string) => apiSend<{ id: string }>('POST', `/api/learning/courses/${courseId}/modules`, { title }),
  renameModule: (id: string, title: string) => apiSend('PATCH', `/api/learning/modules/${id}`, { title }),
  removeModule: (id: string) => apiSend('DELETE', `/api/learning/modules/${id}`),
  addLesson: (moduleId: string, title: string) => apiSend<Lesson>('POST', `/api/learning/modules/${moduleId}/lessons`, { title }),
  lesson: (id: string) => apiGet<Lesson>(`/api/learning/lessons/${id}`),
  updateLesson: (id: string, body: { title?: string; bodyMarkdown?: string; videoUrl?: string | null; drip?: Drip; reviewIntervalDays?: number | null }) => apiSend<Lesson>('PATCH', `/api/learning/lessons/${id}`, body),
  deleteLesson: (id: string) => apiSend('DELETE', `/api/learning/lessons/${id}`),
  preview: (markdown: string) => apiSend<{ html: string }>('POST', '/api/learning/preview', { markdown }),
  setQuiz: (id: string, quiz: { passPercent: number; maxAttempts: number | null; questions: QuizQuestion[] }) => apiSend<Lesson>('PUT', `/api/learning/lessons/${id}/quiz`, quiz),
  removeQuiz: (id: string) => apiSend('DELETE', `/api/learning/lessons/${id}/quiz`),
  uploadAttachment: (lessonId: string, file: File) => uploadFile('POST', `/api/learning/lessons/${lessonId}/attachments`, file),
  uploadVideo: (lessonId: string, file: File) => uploadFile('PUT', `/api/learning/lessons/${lessonId}/video`, file),
  removeFile: (id: string) => apiSend('DELETE', `/api/learning/files/${id}`),
  freshness: (q: { overdue?: boolean; courseId?: string } = {}) => apiGet<{ items: FreshnessItem[]; overdueCount: number }>('/api/learning/freshness', { overdue: q.overdue ? 'true' : undefined, courseId: q.courseId }),
  markReviewed: (type: 'course' | 'lesson', id: string, note?: string) => apiSend<FreshnessItem>('POST', `/api/learning/${type === 'course' ? 'courses' : 'lessons'}/${id}/reviewed`, { note }),
  enrollments: (courseId: string) => apiGet<{ enrollments: Enrollment[] }>(`/api/learning/courses/${courseId}/enrollments`),
  enroll: (courseId: string, body: { email: string; name?: string; reason: string }) => apiSend<{ contactId: string; created: boolean }>('POST', `/api/learning/courses/${courseId}/enrollments`, body),
  revoke: (courseId: string, contactId: string, reason: string) => apiSend<{ revoked: number }>('POST', `/api/learning/courses/${courseId}/enrollments/revoke`, { contactId, reason }),
  stats: (courseId: string, interval: 'week' | 'month' = 'month') => apiGet<CourseStats>(`/api/learning/courses/${courseId}/stats`, { interval }),
};
