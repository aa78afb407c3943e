// The learning module's events (a contract: subscribers and webhooks read them).
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const changed = ev.object({ changed: ev.changed() });
const moduleTitle = ev.object({ moduleId: ev.id(), title: z.string() });
const inCourse = ev.object({ courseId: ev.id() });
const file = ev.object({ courseId: ev.id(), fileId: ev.id(), filename: z.string(), size: z.number() });
const reviewed = ev.object({ note: z.string().nullable().optional() });

export const learningEvents = defineEvents({
  'learning.content_policy_changed': {
    subject: null,
    data: ev.object({ editsLiveCourses: z.boolean(), previous: z.boolean() }),
    description: 'The owner let the content role change the lessons of published courses (editsLiveCourses), or took it back.',
  },
  'course.created': { subject: 'course', data: ev.object({ title: z.string(), slug: z.string() }) },
  'course.updated': { subject: 'course', data: changed },
  'course.published': { subject: 'course', data: changed },
  'course.unpublished': { subject: 'course', data: changed },
  'course.archived': { subject: 'course', data: changed },
  'course.reviewed': { subject: 'course', data: reviewed },
  'course.module_added': { subject: 'course', data: moduleTitle },
  'course.module_renamed': { subject: 'course', data: moduleTitle },
  'course.module_removed': { subject: 'course', data: moduleTitle },
  'course.reordered': { subject: 'course', data: ev.object({ modules: z.number().int(), lessons: z.number().int() }) },
  'course.completed': { subject: 'course', data: ev.object({ contactId: ev.id(), lessons: z.number().int().optional() }) },
  'lesson.created': { subject: 'lesson', data: ev.object({ courseId: ev.id(), title: z.string() }) },
  'lesson.updated': { subject: 'lesson', data: ev.object({ courseId: ev.id(), changed: ev.changed() }) },
  'lesson.deleted': { subject: 'lesson', data: ev.object({ courseId: ev.id(), title: z.string() }) },
  'lesson.reviewed': { subject: 'lesson', data: reviewed },
  'lesson.video_uploaded': { subject: 'lesson', data: file },
  'lesson.attachment_added': { subject: 'lesson', data: file },
  'lesson.file_removed': { subject: 'lesson', data: ev.object({ courseId: ev.id(), fileId: ev.id(), filename: z.string(), kind: z.string() }) },
  'lesson.completed': { subject: 'lesson', data: ev.object({ contactId: ev.id(), courseId: ev.id(), lessonTitle: z.string().optional() }) },
  'lesson.unlocked': { subject: 'lesson', data: ev.object({ contactId: ev.id(), courseId: ev.id(), unlockedAt: ev.iso().optional() }) },
  'lesson.question_asked': {
    subject: 'lesson',
    data: ev.object({ contactId: ev.id(), courseId: ev.id(), courseTitle: z.string(), lessonTitle: z.string(), question: z.string() }),
  },
  'quiz.updated': { subject: 'lesson', data: ev.object({ courseId: ev.id(), questions: z.number().int(), passPercent: z.number().optional() }) },
  'quiz.removed': { subject: 'lesson', data: inCourse },
  'quiz.attempts_reset': { subject: 'lesson', data: ev.object({ courseId: ev.id(), contactId: ev.id(), attempts: z.number().int() }) },
  'quiz.attempted': {
    subject: 'lesson',
    data: ev.object({ contactId: ev.id(), courseId: ev.id(), scorePercent: z.number(), passed: z.boolean(), attempt: z.number().int() }),
  },
  'certificate.issued': { subject: 'certificate', data: ev.object({ contactId: ev.id(), courseId: ev.id(), code: z.string() }) },
  'certificate.revoked': { subject: 'certificate', data: ev.object({ contactId: ev.id(), courseId: ev.id(), reason: z.string().nullable().optional() }) },
});


declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof learningEvents> {}
}
