// The learning module's public API: courses and their delivery to students.
export {
  LearningService,
  type CourseView,
  type CourseTree,
  type LessonView,
  type FileView,
  type FreshnessItem,
  type DripInput,
  type QuizInput,
  type LearningSettings,
  type ContentRolePolicy,
} from './service.js';
export { DeliveryService, LessonLockedError, NoCourseAccessError, gradeQuiz, type Outline, type StudentLesson } from './delivery.js';
export { LocalFileStorage, type FileStorage } from './storage.js';
export { lessonAvailability, type LessonAvailability } from './drip.js';
export { learningEvents } from './events.js';
export { learningJobs, UNLOCK_LESSONS_JOB, type LearningJobDeps } from './jobs.js';
