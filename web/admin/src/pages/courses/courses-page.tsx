// Courses: the list with what is overdue for review, and per course the outline builder,
// students (grant/revoke with a reason) and statistics; a lesson editor with preview.
//   /courses                         list, new course, overdue reviews
//   /courses/:id                     outline (drag or keyboard reorder, rename, add, publish),
//                                    settings (title, summary, address, certificate), students, stats
//   /courses/:id/lessons/:lessonId   lesson editor
import { useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import type { ApiError } from '../../api.js';
import { CheckboxField, TextAreaField, TextField } from '../../components/field.js';
import { InlineRename } from '../../components/inline-rename.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { SortableList } from '../../components/sortable-list.js';
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
  const [slug, setSlug] = useState('');
  const create = useFormAction(async (f) => {
    const c = await learning.createCourse({ title: f.text('title'), slug: slug.trim() || undefined, summary: f.text('summary') || undefined });
    state.setData((d) => ({ ...d, courses: [...d.courses, c] }));
    setSlug('');
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
                  <TextField label="Address (optional)" name="slug" value={slug} onChange={(e) => setSlug(e.target.value)} maxLength={80} hint="Made from the title when empty: /learn/your-title." error={create.fieldErrors.slug} />
                  <SuggestSlug suggestion={slugSuggestion(create.error)} onUse={setSlug} />
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

type Tab = 'outline' | 'settings' | 'students' | 'stats';
const tabLabels: Record<Tab, string> = { outline: 'Outline', settings: 'Settings', students: 'Students', stats: 'Statistics' };

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
            {(Object.keys(tabLabels) as Tab[])
              .filter((t) => t !== 'settings' || can('learning.write'))
              .map((t) => (
                <button key={t} type="button" className={`button small ${tab === t ? 'primary' : 'subtle'}`} aria-pressed={tab === t} onClick={() => setTab(t)}>
                  {tabLabels[t]}
                </button>
              ))}
          </nav>
          {tab === 'outline' ? <Outline course={course} canWrite={can('learning.write')} onChange={(c) => state.setData(() => c)} reload={state.reload} /> : null}
          {tab === 'settings' ? <CourseSettings course={course} onSaved={state.reload} /> : null}
          {tab === 'students' ? <CourseStudents courseId={course.id} canManage={can('enrollments.manage')} /> : null}
          {tab === 'stats' ? <CourseStatsPanel courseId={course.id} /> : null}
        </>
      )}
    </LoadState>
  );
}

type Outline = { moduleId: string; lessonIds: string[] }[];
type Module = CourseTree['modules'][number];
type LessonItem = Module['lessons'][number];

function Outline({ course, canWrite, onChange, reload }: { course: CourseTree; canWrite: boolean; onChange(c: CourseTree): void; reload(): void }) {
  const [notice, setNotice] = useState<string | null>(null);
  const act = useAction(async (work: () => Promise<string | null>) => {
    setNotice(null);
    const msg = await work();
    if (msg) setNotice(msg);
  });
  const order = (): Outline => course.modules.map((m) => ({ moduleId: m.id, lessonIds: m.lessons.map((l) => l.id) }));
  const save = (o: Outline, msg: string | null = null) =>
    void act.run(async () => {
      onChange(await learning.reorder(course.id, o));
      return msg;
    });
  // Shown at once, saved behind: a drop must not jump back while the request runs.
  const reorderModules = (mods: Module[]) => {
    onChange({ ...course, modules: mods });
    save(mods.map((m) => ({ moduleId: m.id, lessonIds: m.lessons.map((l) => l.id) })), 'New order saved.');
  };
  const reorderLessons = (moduleId: string, ls: LessonItem[]) => {
    const mods = course.modules.map((m) => (m.id === moduleId ? { ...m, lessons: ls } : m));
    onChange({ ...course, modules: mods });
    save(mods.map((m) => ({ moduleId: m.id, lessonIds: m.lessons.map((l) => l.id) })), 'New order saved.');
  };
  /** Past the first or last lesson of a module, a lesson moves into the neighbouring module. */
  const moveLessonAcross = (mi: number, li: number, by: -1 | 1) => {
    const o = order();
    const dest = o[mi + by];
    if (!dest) return;
    const id = o[mi]!.lessonIds.splice(li, 1)[0]!;
    if (by < 0) dest.lessonIds.push(id);
    else dest.lessonIds.unshift(id);
    save(o, 'Lesson moved to another module.');
  };
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
  const removeModule = (m: Module) =>
    void act.run(async () => {
      await learning.removeModule(m.id);
      reload();
      return `Module "${m.title}" removed.`;
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
      {canWrite && course.modules.length > 1 ? <p className="muted small">Drag the ⠿ handle to reorder, or focus it, press Space, move with the arrow keys and press Space again.</p> : null}
      <SortableList
        as="div"
        items={course.modules}
        idOf={(m) => m.id}
        nameOf={(m) => `module ${m.title}`}
        disabled={!canWrite || act.pending}
        onReorder={reorderModules}
        renderItem={(m, handle, mi) => (
          <section className="card section" aria-labelledby={`mod-${m.id}`}>
            <div className="list-row">
              <h2 id={`mod-${m.id}`}>
                {handle} {m.title}
              </h2>
              {canWrite ? (
                <div className="actions-row">
                  <InlineRename value={m.title} label={`New title of module ${m.title}`} onSave={async (t) => { await learning.renameModule(m.id, t); reload(); }} />
                  {m.lessons.length === 0 ? (
                    <button type="button" className="button small danger-text" disabled={act.pending} onClick={() => removeModule(m)}>
                      Remove<span className="visually-hidden"> module {m.title}</span>
                    </button>
                  ) : null}
                </div>
              ) : null}
            </div>
            {m.lessons.length === 0 ? <p className="muted">No lessons in this module yet.</p> : null}
            <SortableList
              className="plain-list"
              itemClassName="list-row"
              items={m.lessons}
              idOf={(l) => l.id}
              nameOf={(l) => l.title}
              disabled={!canWrite || act.pending}
              onReorder={(ls) => reorderLessons(m.id, ls)}
              renderItem={(l, lessonHandle, li) => (
                <>
                  <div>
                    {lessonHandle}{' '}
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
                    <div className="actions-row">
                      <InlineRename value={l.title} label={`New title of ${l.title}`} onSave={async (t) => { await learning.updateLesson(l.id, { title: t }); reload(); }} />
                      {li === 0 && mi > 0 ? (
                        <button type="button" className="button small subtle" disabled={act.pending} onClick={() => moveLessonAcross(mi, li, -1)}>
                          To the previous module<span className="visually-hidden"> {l.title}</span>
                        </button>
                      ) : null}
                      {li === m.lessons.length - 1 && mi < course.modules.length - 1 ? (
                        <button type="button" className="button small subtle" disabled={act.pending} onClick={() => moveLessonAcross(mi, li, 1)}>
                          To the next module<span className="visually-hidden"> {l.title}</span>
                        </button>
                      ) : null}
                    </div>
                  ) : null}
                </>
              )}
            />
            {canWrite ? <AddLesson module={m} onAdded={(title) => { reload(); setNotice(`Lesson "${title}" added.`); }} /> : null}
          </section>
        )}
      />
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

/** A lesson title field under each module: typing and Enter adds the lesson in place. */
function AddLesson({ module, onAdded }: { module: Module; onAdded(title: string): void }) {
  const add = useFormAction(async (f) => {
    const title = f.text('title').trim();
    await learning.addLesson(module.id, title);
    onAdded(title);
  }, { reset: true });
  return (
    <form className="inline-form" onSubmit={add.onSubmit}>
      <FormError error={add.error} />
      <TextField label={`New lesson in ${module.title}`} name="title" required maxLength={200} error={add.fieldErrors.title} />
      <button type="submit" className="button small" disabled={add.pending}>
        Add lesson<span className="visually-hidden"> to {module.title}</span>
      </button>
    </form>
  );
}

/** Title, summary, address, certificate and review interval, editable after creation. */
function CourseSettings({ course, onSaved }: { course: CourseTree; onSaved(): void }) {
  const [saved, setSaved] = useState(false);
  const [slug, setSlug] = useState(course.slug);
  const save = useFormAction(async (f) => {
    setSaved(false);
    await learning.updateCourse(course.id, {
      title: f.text('title'),
      summary: f.text('summary'),
      slug: f.text('slug'),
      certificateEnabled: f.checked('certificateEnabled'),
      reviewIntervalDays: Number(f.text('reviewIntervalDays')),
    });
    setSaved(true);
    onSaved();
  });
  const suggestion = slugSuggestion(save.error);
  return (
    <form className="card section stack" onSubmit={save.onSubmit} aria-labelledby="settings-title">
      <h2 id="settings-title">Course settings</h2>
      <TextField label="Title" name="title" defaultValue={course.title} required maxLength={200} error={save.fieldErrors.title} />
      <TextAreaField label="Summary" name="summary" defaultValue={course.summary} maxLength={2000} hint="One sentence students see on their course page." />
      <TextField label="Address" name="slug" value={slug} onChange={(e) => setSlug(e.target.value)} required maxLength={80} hint={`Students open the course at /learn/${slug || '…'}. Changing it breaks links already shared.`} error={save.fieldErrors.slug} />
      <SuggestSlug suggestion={suggestion} onUse={setSlug} />
      <CheckboxField label="Give a certificate when a student completes every lesson" name="certificateEnabled" defaultChecked={course.certificateEnabled} />
      <TextField label="Review the course every (days)" name="reviewIntervalDays" type="number" min={1} max={3650} defaultValue={String(course.reviewIntervalDays)} hint="Lessons can set their own interval; drip schedules are set per lesson." />
      <FormError error={save.error} />
      <FormNotice>{saved ? 'Saved.' : null}</FormNotice>
      <div>
        <button type="submit" className="button primary" disabled={save.pending}>
          Save settings
        </button>
      </div>
    </form>
  );
}

/** The free address the server suggested with a "taken" conflict, if any. */
function slugSuggestion(error: ApiError | undefined): string | null {
  const d = error?.details as { field?: string; suggestion?: unknown } | undefined;
  return error?.code === 'conflict' && d?.field === 'slug' && typeof d.suggestion === 'string' ? d.suggestion : null;
}

function SuggestSlug({ suggestion, onUse }: { suggestion: string | null; onUse(slug: string): void }) {
  if (!suggestion) return null;
  return (
    <p>
      <button type="button" className="button small" onClick={() => onUse(suggestion)}>
        Use /learn/{suggestion}
      </button>
    </p>
  );
}
