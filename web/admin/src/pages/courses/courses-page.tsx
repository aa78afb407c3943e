// Courses: the list with what is overdue for review, and per course the outline builder,
// students (grant/revoke with a reason) and statistics; a lesson editor with preview.
//   /courses                         list, new course, overdue reviews
//   /courses/:id                     outline (reorder, add, publish), students, stats
//   /courses/:id/lessons/:lessonId   lesson editor
import { useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { learning, type CourseTree } from './api.js';
import { CourseStudents, CourseStatsPanel } from './course-people.js';
import { LessonEditor } from './lesson-editor.js';

export default function CoursesArea() {
  return (
    <Routes>
      <Route index element={<CoursesList />} />
      <Route path=":id" element={<CourseDetail />} />
      <Route path=":id/lessons/:lessonId" element={<LessonEditor />} />
    </Routes>
  );
}

const statusLabel = { draft: 'Draft', published: 'Published', archived: 'Archived' } as const;

function CoursesList() {
  const { can } = useSession();
  const state = useLoad(async () => ({ ...(await learning.courses()), fresh: await learning.freshness({ overdue: true }) }), []);
  const create = useFormAction(async (f) => {
    const c = await learning.createCourse({ title: f.text('title'), summary: f.text('summary') || undefined });
    state.setData((d) => ({ ...d, courses: [...d.courses, c] }));
  }, { reset: true });
  return (
    <>
      <PageHeader title="Courses" intro="What your students learn: modules, lessons, drip schedules, quizzes and certificates — and what needs a review to stay current." />
      <LoadState state={state}>
        {({ courses, fresh }) => (
          <>
            <section className="card section" aria-labelledby="courses-title">
              <h2 id="courses-title">Your courses</h2>
              {courses.length === 0 ? (
                <EmptyState title="No courses yet">
                  <p>Create your first course below, then add modules and lessons.</p>
                </EmptyState>
              ) : (
                <div className="table-wrap">
                  <table className="stack-on-phone">
                    <thead>
                      <tr>
                        <th scope="col">Course</th>
                        <th scope="col">Status</th>
                        <th scope="col">Lessons</th>
                        <th scope="col">Review due</th>
                      </tr>
                    </thead>
                    <tbody>
                      {courses.map((c) => (
                        <tr key={c.id}>
                          <td data-label="Course">
                            <Link to={c.id}>
                              <strong>{c.title}</strong>
                            </Link>
                            <div className="muted small">/learn/{c.slug}</div>
                          </td>
                          <td data-label="Status">
                            <span className={`badge ${c.status === 'published' ? 'good' : ''}`}>{statusLabel[c.status]}</span>
                          </td>
                          <td data-label="Lessons">{c.lessonCount}</td>
                          <td data-label="Review due">
                            <Time iso={c.reviewDueAt} style="date" />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
            <div className="two-columns">
              <section className="card section" aria-labelledby="fresh-title">
                <h2 id="fresh-title">Overdue for review ({fresh.overdueCount})</h2>
                {fresh.items.length === 0 ? (
                  <p className="muted">Everything has been reviewed within its interval.</p>
                ) : (
                  <FreshnessList items={fresh.items} canWrite={can('learning.write')} onReviewed={(id) => state.setData((d) => ({ ...d, fresh: { items: d.fresh.items.filter((i) => i.id !== id), overdueCount: d.fresh.overdueCount - 1 } }))} />
                )}
              </section>
              {can('learning.write') ? (
                <form className="card section" onSubmit={create.onSubmit} aria-labelledby="new-course-title">
                  <h2 id="new-course-title">New course</h2>
                  <FormError error={create.error} />
                  <TextField label="Title" name="title" required maxLength={200} error={create.fieldErrors.title} />
                  <TextField label="Summary" name="summary" maxLength={2000} hint="One sentence students see on their course page." />
                  <button className="button primary" type="submit" disabled={create.pending}>
                    Create course
                  </button>
                </form>
              ) : null}
            </div>
          </>
        )}
      </LoadState>
    </>
  );
}

function FreshnessList({ items, canWrite, onReviewed }: { items: { type: 'course' | 'lesson'; id: string; title: string; courseId: string; courseTitle: string; overdueDays: number }[]; canWrite: boolean; onReviewed(id: string): void }) {
  const mark = useAction(async (type: 'course' | 'lesson', id: string) => {
    await learning.markReviewed(type, id);
    onReviewed(id);
  });
  return (
    <>
      <FormError error={mark.error} />
      <ul className="plain-list">
        {items.map((i) => (
          <li key={i.id} className="list-row">
            <div>
              <strong>{i.type === 'course' ? i.title : <Link to={`/courses/${i.courseId}/lessons/${i.id}`}>{i.title}</Link>}</strong>
              <div className="muted small">
                {i.type === 'course' ? 'Whole course' : i.courseTitle} · {i.overdueDays} days overdue
              </div>
            </div>
            {canWrite ? (
              <button type="button" className="button small" disabled={mark.pending} onClick={() => void mark.run(i.type, i.id)}>
                Mark reviewed<span className="visually-hidden"> {i.title}</span>
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

type Tab = 'outline' | 'students' | 'stats';

function CourseDetail() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const state = useLoad(() => learning.course(id), [id]);
  const [tab, setTab] = useState<Tab>('outline');
  return (
    <LoadState state={state}>
      {(course) => (
        <>
          <PageHeader
            title={course.title}
            intro={
              <>
                <span className="badge">{statusLabel[course.status]}</span> · {course.lessonCount} lessons · <Link to="/courses">All courses</Link>
              </>
            }
          />
          <nav className="tabs" aria-label="Course sections">
            {(['outline', 'students', 'stats'] as const).map((t) => (
              <button key={t} type="button" className={`button small ${tab === t ? 'primary' : 'subtle'}`} aria-pressed={tab === t} onClick={() => setTab(t)}>
                {t === 'outline' ? 'Outline' : t === 'students' ? 'Students' : 'Statistics'}
              </button>
            ))}
          </nav>
          {tab === 'outline' ? <Outline course={course} canWrite={can('learning.write')} onChange={(c) => state.setData(() => c)} reload={state.reload} /> : null}
          {tab === 'students' ? <CourseStudents courseId={course.id} canManage={can('enrollments.manage')} /> : null}
          {tab === 'stats' ? <CourseStatsPanel courseId={course.id} /> : null}
        </>
      )}
    </LoadState>
  );
}

function Outline({ course, canWrite, onChange, reload }: { course: CourseTree; canWrite: boolean; onChange(c: CourseTree): void; reload(): void }) {
  const [notice, setNotice] = useState<string | null>(null);
  const act = useAction(async (work: () => Promise<string | null>) => {
    setNotice(null);
    const msg = await work();
    if (msg) setNotice(msg);
  });
  const order = () => course.modules.map((m) => ({ moduleId: m.id, lessonIds: m.lessons.map((l) => l.id) }));
  const moveModule = (i: number, by: number) =>
    void act.run(async () => {
      const o = order();
      const [m] = o.splice(i, 1);
      o.splice(i + by, 0, m!);
      onChange(await learning.reorder(course.id, o));
      return null;
    });
  const moveLesson = (mi: number, li: number, by: number) =>
    void act.run(async () => {
      const o = order();
      const flat = o.flatMap((m, i) => m.lessonIds.map((l) => ({ m: i, l })));
      const at = flat.findIndex((x) => x.m === mi && x.l === o[mi]!.lessonIds[li]);
      const target = flat[at + by];
      if (!target) return null;
      // Moving past the first/last lesson of a module carries it into the neighbouring module.
      const id = o[mi]!.lessonIds.splice(li, 1)[0]!;
      const dest = o[target.m]!;
      const pos = target.m === mi ? li + by : by < 0 ? dest.lessonIds.length : 0;
      dest.lessonIds.splice(pos, 0, id);
      onChange(await learning.reorder(course.id, o));
      return null;
    });
  const publish = (status: 'draft' | 'published' | 'archived') =>
    void act.run(async () => {
      await learning.updateCourse(course.id, { status });
      reload();
      return status === 'published' ? 'Published: students with access can take it now.' : `The course is now ${status}.`;
    });
  const addModule = useFormAction(async (f) => {
    await learning.addModule(course.id, f.text('title'));
    reload();
  }, { reset: true });
  const addLesson = (moduleId: string) =>
    void act.run(async () => {
      const title = window.prompt('Title of the new lesson');
      if (!title?.trim()) return null;
      await learning.addLesson(moduleId, title.trim());
      reload();
      return `Lesson "${title.trim()}" added.`;
    });
  return (
    <>
      <FormError error={act.error} />
      <FormNotice>{notice}</FormNotice>
      {canWrite ? (
        <p className="actions-row">
          {course.status !== 'published' ? (
            <button type="button" className="button primary" disabled={act.pending} onClick={() => publish('published')}>
              Publish
            </button>
          ) : (
            <button type="button" className="button" disabled={act.pending} onClick={() => publish('draft')}>
              Back to draft
            </button>
          )}{' '}
          {course.status !== 'archived' ? (
            <button type="button" className="button subtle" disabled={act.pending} onClick={() => publish('archived')}>
              Archive
            </button>
          ) : null}{' '}
          <a className="button subtle" href={`/learn/${course.slug}`} target="_blank" rel="noreferrer">
            Student view
          </a>
        </p>
      ) : null}
      {course.modules.map((m, mi) => (
        <section key={m.id} className="card section" aria-labelledby={`mod-${m.id}`}>
          <div className="list-row">
            <h2 id={`mod-${m.id}`}>{m.title}</h2>
            {canWrite ? (
              <div>
                <button type="button" className="button small subtle" disabled={act.pending || mi === 0} onClick={() => moveModule(mi, -1)}>
                  Up<span className="visually-hidden"> module {m.title}</span>
                </button>{' '}
                <button type="button" className="button small subtle" disabled={act.pending || mi === course.modules.length - 1} onClick={() => moveModule(mi, 1)}>
                  Down<span className="visually-hidden"> module {m.title}</span>
                </button>
              </div>
            ) : null}
          </div>
          {m.lessons.length === 0 ? <p className="muted">No lessons in this module yet.</p> : null}
          <ol className="plain-list">
            {m.lessons.map((l, li) => (
              <li key={l.id} className="list-row">
                <div>
                  <Link to={`lessons/${l.id}`}>
                    <strong>{l.title}</strong>
                  </Link>
                  <div className="muted small">
                    {l.drip.description}
                    {l.quiz ? ' · quiz' : ''}
                    {l.video || l.videoUrl ? ' · video' : ''}
                    {l.attachments.length ? ` · ${l.attachments.length} download${l.attachments.length > 1 ? 's' : ''}` : ''}
                  </div>
                </div>
                {canWrite ? (
                  <div>
                    <button type="button" className="button small subtle" disabled={act.pending} onClick={() => moveLesson(mi, li, -1)}>
                      Up<span className="visually-hidden"> {l.title}</span>
                    </button>{' '}
                    <button type="button" className="button small subtle" disabled={act.pending} onClick={() => moveLesson(mi, li, 1)}>
                      Down<span className="visually-hidden"> {l.title}</span>
                    </button>
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
          {canWrite ? (
            <button type="button" className="button small" disabled={act.pending} onClick={() => addLesson(m.id)}>
              Add a lesson<span className="visually-hidden"> to {m.title}</span>
            </button>
          ) : null}
        </section>
      ))}
      {canWrite ? (
        <form className="card section" onSubmit={addModule.onSubmit} aria-labelledby="add-module-title">
          <h2 id="add-module-title">Add a module</h2>
          <FormError error={addModule.error} />
          <TextField label="Module title" name="title" required maxLength={200} />
          <button type="submit" className="button" disabled={addModule.pending}>
            Add module
          </button>
        </form>
      ) : null}
    </>
  );
}
