// The learning endpoints the Courses pages use; response shapes from the server's contract
// (src/modules/learning/contract.ts), so a change there fails the type check here.
import { apiGet, apiSend, apiUploadForm, type IsoDate, type QueryOf } from '../../api.js';
import type { Course, CourseStats, CourseTree, Enrollment, FreshnessItem, Lesson, LessonFile, QuizQuestion } from '../../../../../src/modules/learning/contract.js';
import type { AccessRevoked, CourseList, Enrolled, EnrollmentList, FreshnessList, freshnessQuery, LessonPreview, ModuleCreated, CourseInput, LessonInput, EnrollInput, statsQuery } from '../../../../../src/modules/learning/contract.js';

export type CourseStatus = Course['status'];
/** a lesson's drip schedule as the editor sends it (the request side of contract.ts's `drip`) */
export type Drip = { kind: 'immediate' } | { kind: 'after_days'; days: number } | { kind: 'on_date'; date: IsoDate } | { kind: 'after_previous' };

export type { Course, CourseStats, CourseTree, Enrollment, FreshnessItem, Lesson, LessonFile, QuizQuestion };

const uploadFile = (method: 'POST' | 'PUT', path: string, file: File) => apiUploadForm<LessonFile>(method, path, file);

export const learning = {
  courses: () => apiGet<CourseList>('/api/learning/courses'),
  createCourse: (body: CourseInput) => apiSend<Course>('POST', '/api/learning/courses', body),
  course: (id: string) => apiGet<CourseTree>(`/api/learning/courses/${id}`),
  updateCourse: (id: string, body: Partial<Pick<Course, 'title' | 'summary' | 'status' | 'certificateEnabled' | 'reviewIntervalDays' | 'slug'>>) => apiSend<Course>('PATCH', `/api/learning/courses/${id}`, body),
  reorder: (id: string, modules: { moduleId: string; lessonIds: string[] }[]) => apiSend<CourseTree>('PUT', `/api/learning/courses/${id}/outline`, { modules }),
  addModule: (courseId: string, title: string) => apiSend<ModuleCreated>('POST', `/api/learning/courses/${courseId}/modules`, { title }),
  renameModule: (id: string, title: string) => apiSend('PATCH', `/api/learning/modules/${id}`, { title }),
  removeModule: (id: string) => apiSend('DELETE', `/api/learning/modules/${id}`),
  addLesson: (moduleId: string, title: string) => apiSend<Lesson>('POST', `/api/learning/modules/${moduleId}/lessons`, { title }),
  lesson: (id: string) => apiGet<Lesson>(`/api/learning/lessons/${id}`),
  updateLesson: (id: string, body: LessonInput & { drip?: Drip }) => apiSend<Lesson>('PATCH', `/api/learning/lessons/${id}`, body),
  deleteLesson: (id: string) => apiSend('DELETE', `/api/learning/lessons/${id}`),
  preview: (markdown: string) => apiSend<LessonPreview>('POST', '/api/learning/preview', { markdown }),
  setQuiz: (id: string, quiz: { passPercent: number; maxAttempts: number | null; questions: QuizQuestion[] }) => apiSend<Lesson>('PUT', `/api/learning/lessons/${id}/quiz`, quiz),
  removeQuiz: (id: string) => apiSend('DELETE', `/api/learning/lessons/${id}/quiz`),
  uploadAttachment: (lessonId: string, file: File) => uploadFile('POST', `/api/learning/lessons/${lessonId}/attachments`, file),
  uploadVideo: (lessonId: string, file: File) => uploadFile('PUT', `/api/learning/lessons/${lessonId}/video`, file),
  removeFile: (id: string) => apiSend('DELETE', `/api/learning/files/${id}`),
  freshness: (q: QueryOf<typeof freshnessQuery> = {}) => apiGet<FreshnessList, typeof freshnessQuery>('/api/learning/freshness', q),
  markReviewed: (type: 'course' | 'lesson', id: string, note?: string) => apiSend<FreshnessItem>('POST', `/api/learning/${type === 'course' ? 'courses' : 'lessons'}/${id}/reviewed`, { note }),
  enrollments: (courseId: string) => apiGet<EnrollmentList>(`/api/learning/courses/${courseId}/enrollments`),
  enroll: (courseId: string, body: EnrollInput) => apiSend<Enrolled>('POST', `/api/learning/courses/${courseId}/enrollments`, body),
  revoke: (courseId: string, contactId: string, reason: string) => apiSend<AccessRevoked>('POST', `/api/learning/courses/${courseId}/enrollments/revoke`, { contactId, reason }),
  stats: (courseId: string, interval: QueryOf<typeof statsQuery>['interval'] = 'month') => apiGet<CourseStats, typeof statsQuery>(`/api/learning/courses/${courseId}/stats`, { interval }),
};
