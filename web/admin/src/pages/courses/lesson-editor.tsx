// The lesson editor: title, rich text with a preview as students will see it, video (link or
// upload, with a player to check it), downloads, drip schedule, the quiz as questions and
// answers, and "mark reviewed".
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
import { RichTextEditor } from '../../components/rich-text-editor.js';
import { siteApi } from '../site/site-api.js';
import { learning, type Drip, type Lesson, type QuizQuestion } from './api.js';
import { QuizEditor } from './quiz-editor.js';

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
  // The editor starts from the HTML students get (older lessons were written in Markdown) and
  // saves HTML, which the server sanitises like any lesson text.
  const [body, setBody] = useState(lesson.bodyHtml);
  const [videoUrl, setVideoUrl] = useState(lesson.videoUrl ?? '');
  const [dripKind, setDripKind] = useState<Drip['kind']>(lesson.drip.kind);
  const [dripDays, setDripDays] = useState(String(lesson.drip.days ?? 7));
  const [dripDate, setDripDate] = useState(lesson.drip.date ? lesson.drip.date.slice(0, 10) : '');
  const [preview, setPreview] = useState<string | null>(null);
  const [questions, setQuestions] = useState<QuizQuestion[]>(lesson.quiz?.questions ?? []);
  const [passPercent, setPassPercent] = useState(String(lesson.quiz?.passPercent ?? 70));
  const [maxAttempts, setMaxAttempts] = useState(lesson.quiz?.maxAttempts == null ? '' : String(lesson.quiz.maxAttempts));
  const [notice, setNotice] = useState<string | null>(null);

  const save = useAction(async () => {
    const drip: Drip =
      dripKind === 'after_days' ? { kind: 'after_days', days: Number(dripDays) } : dripKind === 'on_date' ? { kind: 'on_date', date: new Date(`${dripDate}T00:00:00Z`).toISOString() } : { kind: dripKind };
    onSaved(await learning.updateLesson(lesson.id, { title, bodyMarkdown: body, videoUrl: videoUrl.trim() || null, drip }));
    setNotice('Saved. Students see the new version now.');
  });
  const showPreview = useAction(async () => setPreview((await learning.preview(body)).html));
  const saveQuiz = useAction(async () => {
    if (questions.length === 0) {
      if (lesson.quiz) await learning.removeQuiz(lesson.id);
      onSaved(await learning.lesson(lesson.id));
      setNotice('The quiz was removed.');
      return;
    }
    onSaved(await learning.setQuiz(lesson.id, { passPercent: Number(passPercent), maxAttempts: maxAttempts ? Number(maxAttempts) : null, questions }));
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
        <RichTextEditor
          label="Lesson text"
          html={body}
          onChange={setBody}
          disabled={!canWrite}
          hint="Headings, bold, italics, lists, quotes, links and images. Scripts and unsafe HTML are removed when saved."
          uploadImage={can('pages.write') ? async (file) => (await siteApi.uploadImage(file)).url : undefined}
        />
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
          <VideoPreview lesson={lesson} />
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
          <QuizEditor questions={questions} onChange={setQuestions} disabled={!canWrite} />
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

/** What students will see play: the uploaded file first, else the link's player. */
function VideoPreview({ lesson }: { lesson: Lesson }) {
  if (lesson.video) return <video className="video-preview" controls preload="metadata" src={`/api/learning/files/${lesson.video.id}`} aria-label={`Preview of ${lesson.video.filename}`} />;
  const v = lesson.videoPreview;
  if (!v) return lesson.videoUrl ? <p className="field-error">The video link cannot be played: use a YouTube or Vimeo link, or an https link to a video file.</p> : null;
  if (v.kind === 'file') return <video className="video-preview" controls preload="metadata" src={v.src} aria-label="Preview of the linked video" />;
  return <iframe className="video-preview" src={v.src} title="Preview of the linked video" allow="encrypted-media; picture-in-picture; fullscreen" sandbox="allow-scripts allow-same-origin allow-presentation" />;
}
