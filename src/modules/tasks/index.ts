// The tasks module's public API: SOPs, one-off and recurring tasks, their occurrences (My day),
// and what the owner's weekly review reads (overdueTasks, assistantWork).
export { TasksService, renderSop, subjectTypes, isSubjectType, CREATE_OCCURRENCES_JOB, type OneOffTaskInput, type SubjectRef, type FoundSubject, type SubjectType, type Caller, type PersonRef, type TasksDeps, type TaskView, type OccurrenceView, type SopView, type MyDayView } from './service.js';
export { overdueTasks, assistantWork, type OverdueTask, type PersonWork } from './review.js';
export { checklistOf, describeRecurrence, dueDatesBetween, localDate, zonedInstant } from './schedule.js';
export { tasksJobs, type TasksJobDeps } from './jobs.js';
export { taskEvents } from './events.js';
