// Learning routes. Staff: the course builder, files, quizzes, freshness, enrollments and
// statistics (JSON under /api/learning). Students: the portal pages under /learn, where every
// lesson, file, video and certificate request is checked against the student's grant and
// the drip schedule. Public: certificate verification.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { sendPage } from '../../http/html.js';
import { routesFor, type AnyRoute, type CustomerPrincipal } from '../../http/route.js';
import type { LearningService } from './index.js';
import { DomainError, invalid } from '../../errors.js';
import {
  courseBody,
  enrollBody,
  courseListShape,
  courseShape,
  enrolledShape,
  enrollmentListShape,
  fileShape,
  freshnessListShape,
  freshnessQuery,
  freshnessShape,
  lessonBody,
  lessonPreviewShape,
  lessonShape,
  moduleCreatedShape,
  quizQuestion,
  reason,
  revokedShape,
  statsQuery,
  statsShape,
  title,
  treeShape,
} from './contract.js';
import { renderMarkdown, videoEmbed } from './content.js';
import { LessonLockedError, NoCourseAccessError, type StudentLesson } from './delivery.js';
import { sendStoredFile } from './send-file.js';
import {
  CertificateVerifyPage,
  CourseOutlinePage,
  LessonPage,
  LockedLessonPage,
  MyCoursesPage,
  NoAccessPage,
  type VideoEmbedView,
} from '../../../web/public/learning/pages.js';

/** What these routes use (the wiring passes the App, which provides them: src/http/routes.ts). */
export interface LearningRouteDeps {
  learning: LearningService;
}
const defineRoute = routesFor<LearningRouteDeps>();

// ---- shapes (the staff API's are in contract.ts, shared with the admin) ----------------------

const idParam = z.object({ id: z.uuid() });

// ---- helpers ----------------------------------------------------------------------------------

function videoFor(d: StudentLesson, fileHref: string): VideoEmbedView {
  if (d.lesson.hasVideoFile) return { kind: 'file', src: fileHref, type: d.lesson.videoContentType ?? undefined };
  if (d.lesson.videoUrl) {
    try {
      return videoEmbed(d.lesson.videoUrl);
    } catch {
      return null;
    }
  }
  return null;
}

/** Student pages answer a locked lesson or a course without a grant with a page that says so (403). */
async function studentPage(reply: FastifyReply, principal: CustomerPrincipal, render: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await render();
  } catch (err) {
    if (err instanceof LessonLockedError) {
      return sendPage(reply, <LockedLessonPage course={err.course} lessonTitle={err.lessonTitle} opensAt={err.opensAt} waitingFor={err.waitingFor} csrf={principal.session.csrfToken} />, 403);
    }
    if (err instanceof NoCourseAccessError) return sendPage(reply, <NoAccessPage courseTitle={err.course.title} csrf={principal.session.csrfToken} />, 403);
    throw err;
  }
}

const studentParams = z.object({ slug: z.string().max(80), lessonId: z.uuid() });
const notices: Record<string, { kind: 'success' | 'error' | 'info'; text: string }> = {
  asked: { kind: 'success', text: 'Thank you: your question was sent. We will answer by email.' },
  passed: { kind: 'success', text: 'You passed the quiz and completed this lesson.' },
  completed: { kind: 'success', text: 'Lesson completed.' },
};

/**
 * The banner over a lesson. After completing a lesson the student lands on the next one: the
 * banner names the lesson they finished, so a quiz lesson never opens saying "Lesson completed"
 * about itself.
 */
function lessonNotice(n: string | undefined, d: StudentLesson): (typeof notices)[string] | undefined {
  if (n === 'previous_completed') return d.previous ? { kind: 'success', text: `You completed “${d.previous.title}”. Here is the next lesson.` } : undefined;
  return n ? notices[n] : undefined;
}

/** Quiz form fields `a_<questionId>` → { questionId: [optionIds] }. */
function answersFrom(body: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (!k.startsWith('a_')) continue;
    const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').slice(0, 20);
    out[k.slice(2)] = values;
  }
  return out;
}

// ---- routes -----------------------------------------------------------------------------------

export const learningRoutes: AnyRoute<LearningRouteDeps>[] = [
  // ---- course builder (staff) -------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/learning/courses', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: 'Every course with its lesson count and review due date',
    response: courseListShape,
    handler: async ({ app }) => ({ courses: await app.learning.listCourses() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/courses', access: { permission: 'learning.write' }, tags: ['learning'], status: 201,
    summary: 'Create a course (a draft until published)',
    body: courseBody, response: courseShape,
    handler: async ({ app, body, actor, auditTarget }) => {
      const c = await app.learning.createCourse(body, actor);
      auditTarget('course', c.id, { title: c.title });
      return c;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/learning/courses/:id', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: 'A course with its modules and lessons in order',
    params: idParam, response: treeShape,
    handler: ({ app, params }) => app.learning.getCourseTree(params.id),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/learning/courses/:id', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Edit a course: title, address, summary, status (draft/published/archived), certificate, review interval',
    params: idParam, body: courseBody.partial(), response: courseShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('course', params.id, { changed: Object.keys(body) });
      return app.learning.updateCourse(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'PUT', url: '/api/learning/courses/:id/outline', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Reorder: every module in order, each with its lessons in order (lessons may move between modules)',
    params: idParam, body: z.object({ modules: z.array(z.object({ moduleId: z.uuid(), lessonIds: z.array(z.uuid()) })).min(1) }), response: treeShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('course', params.id);
      return app.learning.reorder(params.id, body.modules, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/courses/:id/modules', access: { permission: 'learning.write' }, tags: ['learning'], status: 201,
    summary: 'Add a module at the end of the course',
    params: idParam, body: z.object({ title }), response: moduleCreatedShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('course', params.id, { module: body.title });
      return app.learning.addModule(params.id, body.title, actor);
    },
  }),
  defineRoute({
    method: 'PATCH', url: '/api/learning/modules/:id', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Rename a module',
    params: idParam, body: z.object({ title }),
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('module', params.id);
      await app.learning.renameModule(params.id, body.title, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/learning/modules/:id', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Remove an empty module',
    params: idParam,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('module', params.id);
      await app.learning.removeModule(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/modules/:id/lessons', access: { permission: 'learning.write' }, tags: ['learning'], status: 201,
    summary: 'Add a lesson at the end of a module (Markdown body, video URL, drip schedule)',
    params: idParam, body: lessonBody.extend({ title }), response: lessonShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      const l = await app.learning.addLesson(params.id, body, actor);
      auditTarget('lesson', l.id, { title: l.title });
      return l;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/learning/lessons/:id', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: 'A lesson with its content, files, quiz and drip schedule',
    params: idParam, response: lessonShape,
    handler: ({ app, params }) => app.learning.getLesson(params.id),
  }),
  defineRoute({
    method: 'PATCH', url: '/api/learning/lessons/:id', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Edit a lesson (editing its content counts as reviewing it)',
    params: idParam, body: lessonBody, response: lessonShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('lesson', params.id, { changed: Object.keys(body) });
      return app.learning.updateLesson(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/learning/lessons/:id', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: "Delete a lesson with its files, quiz and students' progress on it",
    params: idParam,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('lesson', params.id);
      await app.learning.deleteLesson(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/preview', access: { permission: 'learning.write' }, tags: ['learning'], audit: false,
    summary: 'Render Markdown as students will see it (sanitised HTML), for the editor preview',
    body: z.object({ markdown: z.string().max(200_000) }), response: lessonPreviewShape,
    handler: async ({ body }) => ({ html: renderMarkdown(body.markdown) }),
  }),
  defineRoute({
    method: 'GET', url: '/api/learning/lessons/:id/preview', access: { permission: 'learning.read' }, tags: ['learning'], kind: 'page',
    summary: 'The lesson page exactly as a student sees it (staff preview, no progress recorded)',
    params: idParam,
    handler: async ({ app, reply, params }) => {
      const l = await app.learning.getLesson(params.id);
      const tree = await app.learning.getCourseTree(l.courseId);
      const all = tree.modules.flatMap((m) => m.lessons);
      const i = all.findIndex((x) => x.id === l.id);
      const d: StudentLesson = {
        outline: { course: { id: tree.id, slug: tree.slug, title: tree.title, summary: tree.summary, certificateEnabled: tree.certificateEnabled }, enrolledAt: new Date(0), modules: [], lessonCount: all.length, completedCount: 0, percent: 0, completedAt: null, resumeLessonId: null, certificate: null },
        lesson: { id: l.id, title: l.title, number: i + 1, bodyHtml: l.bodyHtml, videoUrl: l.videoUrl, hasVideoFile: Boolean(l.video), videoContentType: l.video?.contentType ?? null, moduleTitle: tree.modules.find((m) => m.id === l.moduleId)?.title ?? '' },
        attachments: l.attachments,
        quiz: l.quiz ? { passPercent: l.quiz.passPercent, maxAttempts: l.quiz.maxAttempts, questions: l.quiz.questions, attempts: [], passed: false, attemptsLeft: l.quiz.maxAttempts } : null,
        completed: false,
        previous: i > 0 ? { id: all[i - 1]!.id, title: all[i - 1]!.title } : null,
        next: i < all.length - 1 ? { id: all[i + 1]!.id, title: all[i + 1]!.title, open: true } : null,
      };
      return sendPage(reply, <LessonPage d={d} csrf="" preview video={videoFor(d, l.video ? `/api/learning/files/${l.video.id}` : '')} />);
    },
  }),
  defineRoute({
    method: 'PUT', url: '/api/learning/lessons/:id/quiz', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Set the lesson quiz: questions (single or multiple choice), pass mark, attempts allowed (null = unlimited)',
    params: idParam,
    body: z.object({ passPercent: z.number().int().min(0).max(100), maxAttempts: z.number().int().min(1).max(100).nullable(), questions: z.array(quizQuestion).min(1).max(100) }),
    response: lessonShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('lesson', params.id, { questions: body.questions.length });
      return app.learning.setQuiz(params.id, body, actor);
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/learning/lessons/:id/quiz', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Remove the lesson quiz',
    params: idParam,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('lesson', params.id);
      await app.learning.removeQuiz(params.id, actor);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/lessons/:id/quiz/reset', access: { permission: 'enrollments.manage' }, tags: ['learning'],
    summary: "Give a student fresh quiz attempts (their earlier attempts are removed; the reset is an event)",
    params: idParam, body: z.object({ contactId: z.uuid() }), response: z.object({ removed: z.number() }),
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('lesson', params.id, { contactId: body.contactId });
      return { removed: await app.learning.resetQuizAttempts(params.id, body.contactId, actor) };
    },
  }),

  // ---- files (staff) ----------------------------------------------------------------------------
  defineRoute({
    method: 'POST', url: '/api/learning/lessons/:id/attachments', access: { permission: 'learning.write' }, tags: ['learning'], status: 201,
    summary: 'Upload a downloadable attachment (multipart/form-data, field "file"; larger than UPLOAD_MAX_MB is a 413)',
    params: idParam, response: fileShape,
    handler: async ({ app, req, params, actor, auditTarget }) => {
      const part = await uploadedFile(req);
      const f = await app.learning.addFile(params.id, 'attachment', { stream: part.file, filename: part.filename, contentType: part.mimetype }, actor);
      auditTarget('lesson', params.id, { fileId: f.id, filename: f.filename, size: f.size });
      return f;
    },
  }),
  defineRoute({
    method: 'PUT', url: '/api/learning/lessons/:id/video', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: "Upload the lesson's video (multipart/form-data, field \"file\"; replaces an earlier upload)",
    params: idParam, response: fileShape,
    handler: async ({ app, req, params, actor, auditTarget }) => {
      const part = await uploadedFile(req);
      const f = await app.learning.addFile(params.id, 'video', { stream: part.file, filename: part.filename, contentType: part.mimetype }, actor);
      auditTarget('lesson', params.id, { fileId: f.id, filename: f.filename, size: f.size });
      return f;
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/learning/files/:id', access: { permission: 'learning.read' }, tags: ['learning'], kind: 'page',
    summary: 'Download or stream a lesson file (staff; supports Range)',
    params: idParam,
    handler: async ({ app, req, reply, params }) => {
      const f = await app.learning.getFile(params.id);
      return sendStoredFile(req, reply, app.learning.storage, f, { download: f.kind === 'attachment' });
    },
  }),
  defineRoute({
    method: 'DELETE', url: '/api/learning/files/:id', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Remove an attachment or uploaded video',
    params: idParam,
    handler: async ({ app, params, actor, auditTarget }) => {
      auditTarget('file', params.id);
      await app.learning.removeFile(params.id, actor);
    },
  }),

  // ---- freshness --------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/learning/freshness', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: 'Courses and lessons with their review due dates; overdue=true lists only what is overdue',
    query: freshnessQuery,
    response: freshnessListShape,
    handler: async ({ app, query }) => {
      const items = await app.learning.freshness.dueItems({ overdueOnly: query.overdue === 'true', courseId: query.courseId });
      return { items, overdueCount: items.filter((i) => i.overdue).length };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/learning/policy', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: "Whether the content role may change published courses' lessons (the owner sets it by delegating lessons from the weekly review)",
    response: z.object({ content: z.object({ editsLiveCourses: z.boolean() }) }),
    handler: async ({ app }) => ({ content: await app.learning.contentPolicy() }),
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/courses/:id/reviewed', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Mark a course reviewed (an event with who did it); its review clock restarts',
    params: idParam, body: z.object({ note: z.string().trim().max(1000).optional() }), response: freshnessShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('course', params.id);
      return app.learning.freshness.markReviewed({ type: 'course', id: params.id }, actor, body.note);
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/lessons/:id/reviewed', access: { permission: 'learning.write' }, tags: ['learning'],
    summary: 'Mark a lesson reviewed (an event with who did it); its review clock restarts',
    params: idParam, body: z.object({ note: z.string().trim().max(1000).optional() }), response: freshnessShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('lesson', params.id);
      return app.learning.freshness.markReviewed({ type: 'lesson', id: params.id }, actor, body.note);
    },
  }),

  // ---- enrollments and statistics -------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/api/learning/courses/:id/enrollments', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: 'Students of a course (current and former) with progress',
    params: idParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), offset: z.coerce.number().int().min(0).default(0) }),
    response: enrollmentListShape,
    handler: async ({ app, params, query }) => ({ enrollments: await app.learning.enrolments.listEnrollments(params.id, query) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/courses/:id/enrollments', access: { permission: 'enrollments.manage' }, tags: ['learning'], status: 201,
    summary: 'Enroll someone by hand (a manual access grant with a reason; creates the contact if new)',
    params: idParam,
    body: enrollBody,
    response: enrolledShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      const r = await app.learning.enrolments.enroll(params.id, body, actor);
      auditTarget('course', params.id, { contactId: r.contactId, reason: body.reason });
      return r;
    },
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/courses/:id/enrollments/revoke', access: { permission: 'enrollments.manage' }, tags: ['learning'],
    summary: "End a student's access to the course (every live grant, purchases included) with a reason",
    params: idParam, body: z.object({ contactId: z.uuid(), reason }), response: revokedShape,
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('course', params.id, { contactId: body.contactId, reason: body.reason });
      return { revoked: await app.learning.enrolments.unenroll(params.id, body.contactId, body.reason, actor) };
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/learning/courses/:id/stats', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: 'Enrollments over time, the completion funnel by lesson (where students stop) and quiz pass rates',
    params: idParam, query: statsQuery, response: statsShape,
    handler: ({ app, params, query }) => app.learning.results.stats(params.id, query),
  }),
  defineRoute({
    method: 'GET', url: '/api/learning/courses/:id/certificates', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: 'Certificates issued for a course',
    params: idParam,
    handler: async ({ app, params }) => ({ certificates: await app.learning.results.listCertificates(params.id) }),
  }),
  defineRoute({
    method: 'POST', url: '/api/learning/certificates/:id/revoke', access: { permission: 'enrollments.manage' }, tags: ['learning'],
    summary: 'Revoke a certificate (its verification page then says so)',
    params: idParam, body: z.object({ reason }),
    handler: async ({ app, params, body, actor, auditTarget }) => {
      auditTarget('certificate', params.id, { reason: body.reason });
      await app.learning.results.revokeCertificate(params.id, body.reason, actor);
    },
  }),
  defineRoute({
    method: 'GET', url: '/api/learning/questions', access: { permission: 'learning.read' }, tags: ['learning'],
    summary: 'Questions students asked on lessons, newest first',
    query: z.object({ courseId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    handler: async ({ app, query }) => ({ questions: await app.learning.results.listQuestions(query) }),
  }),

  // ---- student portal -----------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/learn', access: 'customer', kind: 'page', summary: "The student's courses with progress",
    handler: async ({ app, reply, principal }) =>
      sendPage(reply, <MyCoursesPage courses={await app.learning.student.myCourses(principal.contactId)} csrf={principal.session.csrfToken} />),
  }),
  defineRoute({
    method: 'GET', url: '/learn/:slug', access: 'customer', kind: 'page', summary: 'Course outline with progress, locked lessons and when they open',
    params: z.object({ slug: z.string().max(80) }), query: z.object({ done: z.string().optional() }),
    handler: async ({ app, reply, params, query, principal }) =>
      studentPage(reply, principal, async () => {
        const o = await app.learning.student.outline(principal.contactId, params.slug);
        const notice = query.done === 'course' ? 'Congratulations: you completed the course!' : query.done ? 'Lesson completed.' : undefined;
        return sendPage(reply, <CourseOutlinePage o={o} csrf={principal.session.csrfToken} notice={notice} />);
      }),
  }),
  defineRoute({
    method: 'GET', url: '/learn/:slug/lessons/:lessonId', access: 'customer', kind: 'page', summary: 'The lesson player (only an open lesson of a course the student holds)',
    params: studentParams, query: z.object({ n: z.string().max(20).optional() }),
    handler: async ({ app, reply, params, query, principal }) =>
      studentPage(reply, principal, async () => {
        const d = await app.learning.student.openLesson(principal.contactId, params.slug, params.lessonId);
        const video = videoFor(d, `/learn/${params.slug}/lessons/${params.lessonId}/video`);
        reply.header('cache-control', 'private, no-store');
        return sendPage(reply, <LessonPage d={d} csrf={principal.session.csrfToken} video={video} notice={lessonNotice(query.n, d)} />);
      }),
  }),
  defineRoute({
    method: 'POST', url: '/learn/:slug/lessons/:lessonId/complete', access: 'customer', kind: 'page', summary: 'Mark a lesson complete and go on to the next one',
    params: studentParams, body: z.object({ _csrf: z.string().optional() }),
    handler: async ({ app, reply, params, principal, actor }) =>
      studentPage(reply, principal, async () => {
        const r = await app.learning.student.completeLesson(principal.contactId, params.slug, params.lessonId, actor);
        return reply.redirect(afterCompletion(params.slug, params.lessonId, r), 303);
      }),
  }),
  defineRoute({
    method: 'POST', url: '/learn/:slug/lessons/:lessonId/quiz', access: 'customer', kind: 'page', summary: 'Submit quiz answers (graded at once; a pass completes the lesson)',
    params: studentParams, body: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    handler: async ({ app, reply, params, body, principal, actor }) =>
      studentPage(reply, principal, async () => {
        const r = await app.learning.student.submitQuiz(principal.contactId, params.slug, params.lessonId, answersFrom(body), actor);
        if (r.courseCompleted) return reply.redirect(`/learn/${params.slug}?done=course`, 303);
        return reply.redirect(`/learn/${params.slug}/lessons/${params.lessonId}${r.passed ? '?n=passed' : ''}#quiz-h`, 303);
      }),
  }),
  defineRoute({
    method: 'POST', url: '/learn/:slug/lessons/:lessonId/question', access: 'customer', kind: 'page', rateLimit: 'forms', summary: 'Ask a question about a lesson (recorded for the support inbox)',
    params: studentParams, body: z.object({ question: z.string().trim().min(1, 'Write your question').max(4000), _csrf: z.string().optional() }),
    handler: async ({ app, reply, params, body, principal, actor }) =>
      studentPage(reply, principal, async () => {
        await app.learning.student.askQuestion(principal.contactId, params.slug, params.lessonId, body.question, actor);
        return reply.redirect(`/learn/${params.slug}/lessons/${params.lessonId}?n=asked`, 303);
      }),
  }),
  defineRoute({
    method: 'GET', url: '/learn/:slug/lessons/:lessonId/video', access: 'customer', kind: 'page', summary: 'Stream the uploaded lesson video (Range requests; only an open lesson the student holds)',
    params: studentParams,
    handler: async ({ app, req, reply, params, principal }) => {
      const f = await app.learning.student.video(principal.contactId, params.slug, params.lessonId);
      return sendStoredFile(req, reply, app.learning.storage, f, { download: false });
    },
  }),
  defineRoute({
    method: 'GET', url: '/learn/:slug/files/:fileId', access: 'customer', kind: 'page', summary: 'Download a lesson attachment (only of an open lesson the student holds)',
    params: z.object({ slug: z.string().max(80), fileId: z.uuid() }),
    handler: async ({ app, req, reply, params, principal }) => {
      const f = await app.learning.student.attachment(principal.contactId, params.slug, params.fileId);
      return sendStoredFile(req, reply, app.learning.storage, f, { download: true });
    },
  }),
  defineRoute({
    method: 'GET', url: '/learn/:slug/certificate.pdf', access: 'customer', kind: 'page', summary: "The student's certificate of completion (PDF)",
    params: z.object({ slug: z.string().max(80) }),
    handler: async ({ app, reply, params, principal }) => {
      const { pdf, filename } = await app.learning.student.certificatePdf(principal.contactId, params.slug);
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'private, no-store').send(pdf);
    },
  }),

  // ---- public -------------------------------------------------------------------------------
  defineRoute({
    method: 'GET', url: '/certificates/:code', access: 'public', kind: 'page', summary: 'Public certificate verification (the code is unguessable)',
    params: z.object({ code: z.string().max(60) }),
    handler: async ({ app, reply, params }) => {
      const code = params.code.replace(/\.pdf$/, '');
      const cert = await app.learning.student.verifyCertificate(code);
      if (params.code.endsWith('.pdf')) {
        if (!cert?.valid) throw new DomainError('not_found', 'No valid certificate has this code');
        const pdf = await app.learning.student.certificatePdfByCode(code);
        return reply.type('application/pdf').header('content-disposition', `inline; filename="certificate-${code}.pdf"`).send(pdf);
      }
      return sendPage(reply, <CertificateVerifyPage cert={cert} pdfHref={cert?.valid ? `/certificates/${cert.code}.pdf` : undefined} />, cert ? 200 : 404);
    },
  }),
];

function afterCompletion(slug: string, lessonId: string, r: { nextLessonId: string | null; nextOpen: boolean; courseCompleted: boolean }): string {
  if (r.courseCompleted) return `/learn/${slug}?done=course`;
  if (r.nextLessonId && r.nextOpen) return `/learn/${slug}/lessons/${r.nextLessonId}?n=previous_completed`;
  if (r.nextLessonId) return `/learn/${slug}?done=lesson`;
  return `/learn/${slug}/lessons/${lessonId}?n=completed`;
}

async function uploadedFile(req: import('fastify').FastifyRequest) {
  if (!req.isMultipart()) throw invalid('Send the file as multipart/form-data in a field named "file"');
  const part = await req.file();
  if (!part) throw invalid('Attach a file in a field named "file"');
  return part;
}
