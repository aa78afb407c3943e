// The lesson editor: title, Markdown with a preview as students will see it, video (link or
// upload), downloads, drip schedule, quiz, and "mark reviewed".
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { SelectField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { learning, type Drip, type Lesson, type QuizQuestion } from './api.js';

/** Quiz as plain text: blocks separated by a blank line; first line the question, then one option per line, right ones starting with "*". */
export function quizToText(questions: QuizQuestion[]): string {
  return questions.map((q) => [q.prompt, ...q.options.map((o) => `${o.correct ? '* ' : ''}${o.text}`)].join('\n')).join('\n\n');
}

export function textToQuiz(text: string): QuizQuestion[] {
  return text
    .split(/\n\s*\n/)
    .map((b) => b.split('\n').map((l) => l.trim()).filter(Boolean))
    .filter((lines) => lines.length)
    .map((lines, i) => {
      const options = lines.slice(1).map((l, j) => ({ id: `o${j + 1}`, text: l.replace(/^\*\s*/, ''), correct: l.startsWith('*') }));
      return { id: `q${i + 1}`, prompt: lines[0]!, kind: options.filter((o) => o.correct).length > 1 ? 'multiple' : 'single', options };
    });
}

const dripOptions = [
  { value: 'immediate', label: 'On enrollment' },
  { value: 'after_days', label: 'Some days after enrollment' },
  { value: 'on_date', label: 'On a date' },
  { value: 'after_previous', label: 'When the previous lesson is completed' },
] as const;

export function LessonEditor() {
  const { id = '', lessonId = '' } = useParams();
  const state = useLoad(() => learning.lesson(lessonId), [lessonId]);
  return <LoadState state={state}>{(lesson) => <Editor key={lesson.id} courseId={id} lesson={lesson} onSaved={(l) => state.setData(() => l)} />}</LoadState>;
}

function Editor({ courseId, lesson, onSaved }: { courseId: string; lesson: Lesson; onSaved(l: Lesson): void }) {
  const { can } = useSession();
  const canWrite = can('learning.write');
  const navigate = useNavigate();
  const [title, setTitle] = useState(lesson.title);
  const [markdown, setMarkdown] = useState(lesson.bodyMarkdown);
  const [videoUrl, setVideoUrl] = useState(lesson.videoUrl ?? '');
  const [dripKind, setDripKind] = useState<Drip['kind']>(lesson.drip.kind);
  const [dripDays, setDripDays] = useState(String(lesson.drip.days ?? 7));
  const [dripDate, setDripDate] = useState(lesson.drip.date ? lesson.drip.date.slice(0, 10) : '');
  const [preview, setPreview] = useState<string | null>(null);
  const [quizText, setQuizText] = useState(lesson.quiz ? quizToText(lesson.quiz.questions) : '');
  const [passPercent, setPassPercent] = useState(String(lesson.quiz?.passPercent ?? 70));
  const [maxAttempts, setMaxAttempts] = useState(lesson.quiz?.maxAttempts == null ? '' : String(lesson.quiz.maxAttempts));
  const [notice, setNotice] = useState<string | null>(null);

  const save = useAction(async () => {
    const drip: Drip =
      dripKind === 'after_days' ? { kind: 'after_days', days: Number(dripDays) } : dripKind === 'on_date' ? { kind: 'on_date', date: new Date(`${dripDate}T00:00:00Z`).toISOString() } : { kind: dripKind };
    onSaved(await learning.updateLesson(lesson.id, { title, bodyMarkdown: markdown, videoUrl: videoUrl.trim() || null, drip }));
    setNotice('Saved. Students see the new version now.');
  });
  const showPreview = useAction(async () => setPreview((await learning.preview(markdown)).html));
  const saveQuiz = useAction(async () => {
    if (!quizText.trim()) {
      if (lesson.quiz) await learning.removeQuiz(lesson.id);
      onSaved(await learning.lesson(lesson.id));
      setNotice('The quiz was removed.');
      return;
    }
    onSaved(await learning.setQuiz(lesson.id, { passPercent: Number(passPercent), maxAttempts: maxAttempts ? Number(maxAttempts) : null, questions: textToQuiz(quizText) }));
    setNotice('Quiz saved.');
  });
  const upload = useAction(async (kind: 'video' | 'attachment', file: File) => {
    await (kind === 'video' ? learning.uploadVideo(lesson.id, file) : learning.uploadAttachment(lesson.id, file));
    onSaved(await learning.lesson(lesson.id));
    setNotice(`${file.name} uploaded.`);
  });
  const removeFile = useAction(async (fileId: string) => {
    await learning.removeFile(fileId);
    onSaved(await learning.lesson(lesson.id));
  });
  const reviewed = useAction(async () => {
    await learning.markReviewed('lesson', lesson.id);
    onSaved(await learning.lesson(lesson.id));
    setNotice('Marked as reviewed.');
  });
  const remove = useAction(async () => {
    if (!window.confirm(`Delete "${lesson.title}" with its files, quiz and every student's progress on it?`)) return;
    await learning.deleteLesson(lesson.id);
    navigate(`/courses/${courseId}`);
  });
  const error = save.error ?? showPreview.error ?? saveQuiz.error ?? upload.error ?? removeFile.error ?? reviewed.error ?? remove.error;

  return (
    <>
      <PageHeader
        title={lesson.title}
        intro={
          <>
            <Link to={`/courses/${courseId}`}>Back to the course</Link> · last reviewed <Time iso={lesson.lastReviewedAt} style="date" />, due <Time iso={lesson.reviewDueAt} style="date" /> ·{' '}
            <a href={`/api/learning/lessons/${lesson.id}/preview`} target="_blank" rel="noreferrer">
              Preview as a student
            </a>
          </>
        }
      />
      <FormError error={error} />
      <FormNotice>{notice}</FormNotice>
      <form
        className="card section"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} disabled={!canWrite} />
        <div className="field">
          <label htmlFor="lesson-body">Lesson text (Markdown)</label>
          <textarea id="lesson-body" rows={14} value={markdown} onChange={(e) => setMarkdown(e.target.value)} disabled={!canWrite} aria-describedby="lesson-body-hint" />
          <p className="field-hint" id="lesson-body-hint">
            **bold**, _italic_, # headings, - lists, [links](https://…), tables. Scripts and unsafe HTML are removed.
          </p>
        </div>
        <TextField label="Video link" value={videoUrl} onChange={(e) => setVideoUrl(e.target.value)} hint="YouTube, Vimeo or an https link to a video file. Or upload a video below." disabled={!canWrite} />
        <SelectField label="Opens" options={dripOptions} value={dripKind} onChange={(e) => setDripKind(e.target.value as Drip['kind'])} disabled={!canWrite} />
        {dripKind === 'after_days' ? <TextField label="Days after enrollment" type="number" min={0} max={3650} value={dripDays} onChange={(e) => setDripDays(e.target.value)} /> : null}
        {dripKind === 'on_date' ? <TextField label="Date (UTC)" type="date" value={dripDate} onChange={(e) => setDripDate(e.target.value)} required /> : null}
        {canWrite ? (
          <p className="actions-row">
            <button type="submit" className="button primary" disabled={save.pending}>
              Save lesson
            </button>{' '}
            <button type="button" className="button" disabled={showPreview.pending} onClick={() => void showPreview.run()}>
              Preview text
            </button>{' '}
            <button type="button" className="button subtle" disabled={reviewed.pending} onClick={() => void reviewed.run()}>
              Mark reviewed
            </button>{' '}
            <button type="button" className="button danger-text" disabled={remove.pending} onClick={() => void remove.run()}>
              Delete lesson
            </button>
          </p>
        ) : null}
      </form>
      {preview !== null ? (
        <section className="card section" aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          {/* The server sanitised this HTML: it is exactly what students get. */}
          <div className="lesson-preview" dangerouslySetInnerHTML={{ __html: preview }} />
        </section>
      ) : null}
      <div className="two-columns">
        <section className="card section" aria-labelledby="files-title">
          <h2 id="files-title">Video and downloads</h2>
          <p>
            Uploaded video: {lesson.video ? <strong>{lesson.video.filename}</strong> : <span className="muted">none</span>}
          </p>
          <ul className="plain-list">
            {lesson.attachments.map((a) => (
              <li key={a.id} className="list-row">
                <a href={`/api/learning/files/${a.id}`}>{a.filename}</a>
                {canWrite ? (
                  <button type="button" className="button small danger-text" disabled={removeFile.pending} onClick={() => void removeFile.run(a.id)}>
                    Remove<span className="visually-hidden"> {a.filename}</span>
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
          {canWrite ? (
            <>
              <div className="field">
                <label htmlFor="upload-video">Upload a video (replaces the current one)</label>
                <input id="upload-video" type="file" accept="video/*" disabled={upload.pending} onChange={(e) => e.target.files?.[0] && void upload.run('video', e.target.files[0])} />
              </div>
              <div className="field">
                <label htmlFor="upload-file">Add a download</label>
                <input id="upload-file" type="file" disabled={upload.pending} onChange={(e) => e.target.files?.[0] && void upload.run('attachment', e.target.files[0])} />
              </div>
            </>
          ) : null}
        </section>
        <section className="card section" aria-labelledby="quiz-edit-title">
          <h2 id="quiz-edit-title">Quiz</h2>
          <div className="field">
            <label htmlFor="quiz-text">Questions</label>
            <textarea id="quiz-text" rows={10} value={quizText} onChange={(e) => setQuizText(e.target.value)} disabled={!canWrite} aria-describedby="quiz-hint" />
            <p className="field-hint" id="quiz-hint">
              One question per block, blocks separated by an empty line. First line: the question; then one option per line. Start right options with
              “*” (two or more make it multiple choice). Leave empty for no quiz.
            </p>
          </div>
          <TextField label="Pass mark (%)" type="number" min={0} max={100} value={passPercent} onChange={(e) => setPassPercent(e.target.value)} disabled={!canWrite} />
          <TextField label="Attempts allowed" type="number" min={1} max={100} value={maxAttempts} onChange={(e) => setMaxAttempts(e.target.value)} hint="Empty: unlimited." disabled={!canWrite} />
          {canWrite ? (
            <button type="button" className="button" disabled={saveQuiz.pending} onClick={() => void saveQuiz.run()}>
              Save quiz
            </button>
          ) : null}
        </section>
      </div>
    </>
  );
}
