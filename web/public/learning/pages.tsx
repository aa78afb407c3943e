// Student portal pages: the course list, the course outline with progress, the lesson
// player (video, text, downloads, quiz, completion, questions), locked and no-access pages,
// and the public certificate verification page. Server-rendered; no JavaScript needed.
import type { ReactNode } from 'react';
import { CsrfField, Notice, PublicLayout } from '../layout.js';

export interface CourseCard {
  slug: string;
  title: string;
  summary: string;
  lessonCount: number;
  completedCount: number;
  percent: number;
  completedAt: Date | null;
  started: boolean;
  certificateCode: string | null;
}

export interface OutlineLessonItem {
  id: string;
  title: string;
  number: number;
  completed: boolean;
  availability: { open: true; since: Date } | { open: false; opensAt: Date | null; waitingForLessonId: string | null };
  hasQuiz: boolean;
  hasVideo: boolean;
}

export interface OutlineData {
  course: { slug: string; title: string; summary: string; certificateEnabled: boolean };
  modules: { id: string; title: string; lessons: OutlineLessonItem[] }[];
  lessonCount: number;
  completedCount: number;
  percent: number;
  completedAt: Date | null;
  resumeLessonId: string | null;
  certificate: { code: string; issuedAt: Date } | null;
}

export interface LessonData {
  outline: OutlineData;
  lesson: { id: string; title: string; number: number; bodyHtml: string; videoUrl: string | null; hasVideoFile: boolean; videoContentType: string | null; moduleTitle: string };
  attachments: { id: string; filename: string; size: number }[];
  quiz: {
    passPercent: number;
    maxAttempts: number | null;
    questions: { id: string; prompt: string; kind: 'single' | 'multiple'; options: { id: string; text: string }[] }[];
    attempts: { id: string; scorePercent: number; passed: boolean; correct: string[]; answers: Record<string, string[]> }[];
    passed: boolean;
    attemptsLeft: number | null;
  } | null;
  completed: boolean;
  previous: { id: string; title: string } | null;
  next: { id: string; title: string; open: boolean } | null;
}

export type VideoEmbedView = { kind: 'iframe'; src: string } | { kind: 'file'; src: string; type?: string } | null;

export function formatOpening(d: Date): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(d);
}

export function formatDate(d: Date): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

const lessonHref = (slug: string, id: string) => `/learn/${slug}/lessons/${id}`;

function Progress({ percent, label }: { percent: number; label: string }) {
  return (
    <div className="progress">
      <progress max={100} value={percent} aria-label={label}>
        {percent}%
      </progress>
      <span>{percent}% complete</span>
    </div>
  );
}

function SignOutHeader({ csrf }: { csrf: string }) {
  return (
    <>
      <a href="/account">Your account</a>
      <form method="post" action="/account/sign-out" className="inline">
        <CsrfField token={csrf} />
        <button type="submit" className="link">
          Sign out
        </button>
      </form>
    </>
  );
}

/** The "Your courses" list (account page section and /learn). */
export function CourseList({ courses }: { courses: CourseCard[] }) {
  return (
    <ul className="course-list">
      {courses.map((c) => (
        <li key={c.slug} className="card">
          <h3>
            <a href={`/learn/${c.slug}`}>{c.title}</a>
          </h3>
          {c.summary ? <p className="muted">{c.summary}</p> : null}
          <Progress percent={c.percent} label={`Progress in ${c.title}`} />
          <p>
            <a className="button" href={`/learn/${c.slug}`}>
              {c.completedAt ? 'Review the course' : c.started ? 'Continue' : 'Start the course'}
            </a>{' '}
            {c.certificateCode ? (
              <a className="button secondary" href={`/learn/${c.slug}/certificate.pdf`}>
                Download certificate
              </a>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}

export function MyCoursesPage({ courses, csrf }: { courses: CourseCard[]; csrf: string }) {
  return (
    <PublicLayout meta={{ title: 'Your courses', noindex: true }} header={<SignOutHeader csrf={csrf} />}>
      <h1>Your courses</h1>
      {courses.length ? (
        <CourseList courses={courses} />
      ) : (
        <div className="card">
          <p>You have no courses yet. When you buy a course or are enrolled in one, it appears here.</p>
        </div>
      )}
    </PublicLayout>
  );
}

function LessonState({ l }: { l: OutlineLessonItem }) {
  if (l.completed) return <span className="state done">Completed</span>;
  if (l.availability.open) return <span className="state open">Open</span>;
  return (
    <span className="state locked">
      {l.availability.opensAt ? `Opens ${formatOpening(l.availability.opensAt)}` : 'Opens when you complete the lesson before it'}
    </span>
  );
}

export function CourseOutlinePage({ o, csrf, notice }: { o: OutlineData; csrf: string; notice?: string }) {
  const resumeItem = o.modules.flatMap((m) => m.lessons).find((l) => l.id === o.resumeLessonId);
  return (
    <PublicLayout meta={{ title: o.course.title, noindex: true }} header={<SignOutHeader csrf={csrf} />}>
      <p className="crumbs">
        <a href="/learn">Your courses</a>
      </p>
      <h1>{o.course.title}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {o.course.summary ? <p className="lead">{o.course.summary}</p> : null}
      <Progress percent={o.percent} label="Course progress" />
      <p className="muted">
        {o.completedCount} of {o.lessonCount} lessons completed
      </p>
      {o.completedAt ? (
        <div className="card done-card">
          <h2>You completed this course</h2>
          <p>Finished on {formatDate(o.completedAt)}.</p>
          {o.certificate ? (
            <p>
              <a className="button" href={`/learn/${o.course.slug}/certificate.pdf`}>
                Download your certificate (PDF)
              </a>{' '}
              <a href={`/certificates/${o.certificate.code}`}>Public verification link</a>
            </p>
          ) : null}
        </div>
      ) : resumeItem ? (
        <p>
          <a className="button" href={lessonHref(o.course.slug, resumeItem.id)}>
            {o.completedCount === 0 && resumeItem.number === 1 ? 'Start' : 'Resume'}: {resumeItem.title}
          </a>
        </p>
      ) : null}
      {o.modules.map((m) => (
        <section key={m.id} aria-labelledby={`m-${m.id}`}>
          <h2 id={`m-${m.id}`}>{m.title}</h2>
          <ol className="lessons" start={m.lessons[0]?.number ?? 1}>
            {m.lessons.map((l) => (
              <li key={l.id} className={l.availability.open ? undefined : 'locked'}>
                {l.availability.open ? <a href={lessonHref(o.course.slug, l.id)}>{l.title}</a> : <span>{l.title}</span>}{' '}
                <LessonState l={l} />
                {l.hasQuiz ? <span className="tag">Quiz</span> : null}
                {l.hasVideo ? <span className="tag">Video</span> : null}
              </li>
            ))}
          </ol>
        </section>
      ))}
    </PublicLayout>
  );
}

function Video({ embed, title }: { embed: VideoEmbedView; title: string }) {
  if (!embed) return null;
  if (embed.kind === 'iframe') {
    return (
      <div className="video">
        <iframe src={embed.src} title={`Video: ${title}`} allow="fullscreen; picture-in-picture" allowFullScreen loading="lazy" />
      </div>
    );
  }
  return (
    <div className="video">
      <video controls preload="metadata" playsInline>
        <source src={embed.src} type={embed.type} />
        <a href={embed.src}>Download the video</a>
      </video>
    </div>
  );
}

function QuizSection({ d, slug, csrf }: { d: LessonData; slug: string; csrf: string }) {
  const q = d.quiz!;
  const last = q.attempts[q.attempts.length - 1];
  const canTry = !q.passed && (q.attemptsLeft == null || q.attemptsLeft > 0);
  return (
    <section aria-labelledby="quiz-h" className="card quiz">
      <h2 id="quiz-h">Quiz</h2>
      <p className="muted">
        Pass mark: {q.passPercent}%.{' '}
        {q.maxAttempts == null ? 'You can try as often as you like.' : `Attempts left: ${q.attemptsLeft} of ${q.maxAttempts}.`}
      </p>
      {last ? (
        <Notice kind={last.passed ? 'success' : 'error'}>
          {last.passed ? `You passed with ${last.scorePercent}%.` : `You scored ${last.scorePercent}%; ${q.passPercent}% is needed to pass.`}{' '}
          {!last.passed && canTry ? 'The questions you got wrong are marked below. Try again.' : null}
          {!last.passed && !canTry ? 'You have no attempts left. Ask a question below and we will help.' : null}
        </Notice>
      ) : null}
      {canTry ? (
        <form method="post" action={`/learn/${slug}/lessons/${d.lesson.id}/quiz`}>
          <CsrfField token={csrf} />
          {q.questions.map((question, i) => {
            const wrong = last && !last.passed && !last.correct.includes(question.id);
            return (
              <fieldset key={question.id} className={wrong ? 'wrong' : undefined}>
                <legend>
                  {i + 1}. {question.prompt}
                  {question.kind === 'multiple' ? <span className="hint"> (choose every right answer)</span> : null}
                  {wrong ? <span className="sr-flag"> — not right last time</span> : null}
                </legend>
                {question.options.map((o) => {
                  const id = `a-${question.id}-${o.id}`;
                  return (
                    <div key={o.id} className="choice">
                      <input id={id} type={question.kind === 'single' ? 'radio' : 'checkbox'} name={`a_${question.id}`} value={o.id} required={question.kind === 'single'} />
                      <label htmlFor={id}>{o.text}</label>
                    </div>
                  );
                })}
              </fieldset>
            );
          })}
          <button type="submit">Submit answers</button>
        </form>
      ) : null}
    </section>
  );
}

export function LessonPage({ d, csrf, video, notice, preview }: { d: LessonData; csrf: string; video: VideoEmbedView; notice?: { kind: 'success' | 'error' | 'info'; text: string }; preview?: boolean }) {
  const slug = d.outline.course.slug;
  const l = d.lesson;
  return (
    <PublicLayout meta={{ title: `${l.title} · ${d.outline.course.title}`, noindex: true }} header={preview ? <span className="test-mode">Preview</span> : <SignOutHeader csrf={csrf} />}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <a href="/learn">Your courses</a> › <a href={`/learn/${slug}`}>{d.outline.course.title}</a>
      </nav>
      <p className="muted">
        Lesson {l.number} of {d.outline.lessonCount}
        {l.moduleTitle ? ` · ${l.moduleTitle}` : ''}
      </p>
      <h1>{l.title}</h1>
      {notice ? <Notice kind={notice.kind}>{notice.text}</Notice> : null}
      <Progress percent={d.outline.percent} label="Course progress" />
      <Video embed={video} title={l.title} />
      <article className="lesson-body" dangerouslySetInnerHTML={{ __html: l.bodyHtml }} />
      {d.attachments.length ? (
        <section aria-labelledby="dl-h">
          <h2 id="dl-h">Downloads</h2>
          <ul className="downloads">
            {d.attachments.map((a) => (
              <li key={a.id}>
                <a href={`/learn/${slug}/files/${a.id}`} download>
                  {a.filename}
                </a>{' '}
                <span className="muted">({formatSize(a.size)})</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {d.quiz ? <QuizSection d={d} slug={slug} csrf={csrf} /> : null}
      <div className="complete">
        {d.completed ? (
          <p className="state done" role="status">
            You completed this lesson.
          </p>
        ) : d.quiz ? (
          <p className="muted">Pass the quiz to complete this lesson.</p>
        ) : (
          <form method="post" action={`/learn/${slug}/lessons/${l.id}/complete`}>
            <CsrfField token={csrf} />
            <button type="submit">Mark as complete{d.next ? ' and continue' : ''}</button>
          </form>
        )}
      </div>
      <nav aria-label="Lessons" className="pager">
        {d.previous ? (
          <a rel="prev" href={lessonHref(slug, d.previous.id)}>
            ← {d.previous.title}
          </a>
        ) : (
          <span />
        )}
        {d.next ? (
          d.next.open ? (
            <a rel="next" href={lessonHref(slug, d.next.id)}>
              {d.next.title} →
            </a>
          ) : (
            <span className="muted">Next: {d.next.title} (not open yet)</span>
          )
        ) : (
          <a href={`/learn/${slug}`}>Back to the course →</a>
        )}
      </nav>
      {preview ? null : (
        <details className="ask">
          <summary>Ask a question about this lesson</summary>
          <form method="post" action={`/learn/${slug}/lessons/${l.id}/question`}>
            <CsrfField token={csrf} />
            <label htmlFor="question">Your question</label>
            <textarea id="question" name="question" rows={4} required maxLength={4000} />
            <p>
              <button type="submit">Send question</button>
            </p>
          </form>
        </details>
      )}
    </PublicLayout>
  );
}

export function LockedLessonPage(props: { course: { slug: string; title: string }; lessonTitle: string; opensAt: Date | null; waitingFor: { id: string; title: string } | null; csrf: string }) {
  return (
    <PublicLayout meta={{ title: 'This lesson is not open yet', noindex: true }} header={<SignOutHeader csrf={props.csrf} />}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <a href="/learn">Your courses</a> › <a href={`/learn/${props.course.slug}`}>{props.course.title}</a>
      </nav>
      <h1>{props.lessonTitle}</h1>
      <Notice kind="info">
        {props.opensAt ? (
          <>This lesson opens on {formatOpening(props.opensAt)}.</>
        ) : (
          <>
            This lesson opens when you complete <a href={lessonHref(props.course.slug, props.waitingFor!.id)}>{props.waitingFor!.title}</a>.
          </>
        )}
      </Notice>
      <p>
        <a className="button secondary" href={`/learn/${props.course.slug}`}>
          Back to the course
        </a>
      </p>
    </PublicLayout>
  );
}

export function NoAccessPage({ courseTitle, csrf }: { courseTitle: string; csrf: string }) {
  return (
    <PublicLayout meta={{ title: 'No access to this course', noindex: true }} header={<SignOutHeader csrf={csrf} />}>
      <h1>{courseTitle}</h1>
      <Notice kind="error">You do not have access to this course with this account.</Notice>
      <p>If you bought it, sign out and sign in with the email address you used at checkout. Access that was refunded or has ended is no longer available.</p>
      <p>
        <a className="button secondary" href="/learn">
          Your courses
        </a>
      </p>
    </PublicLayout>
  );
}

export function CertificateVerifyPage({ cert, pdfHref }: { cert: { recipientName: string; courseTitle: string; issuedAt: Date; code: string; valid: boolean } | null; pdfHref?: string }): ReactNode {
  return (
    <PublicLayout meta={{ title: 'Certificate verification', noindex: true }}>
      <h1>Certificate verification</h1>
      {!cert ? (
        <Notice kind="error">No certificate has this code. Check the address for typing mistakes.</Notice>
      ) : cert.valid ? (
        <div className="card">
          <Notice kind="success">This certificate is valid.</Notice>
          <dl className="facts">
            <dt>Awarded to</dt>
            <dd>{cert.recipientName}</dd>
            <dt>For completing</dt>
            <dd>{cert.courseTitle}</dd>
            <dt>Issued on</dt>
            <dd>{formatDate(cert.issuedAt)}</dd>
            <dt>Certificate code</dt>
            <dd>
              <code>{cert.code}</code>
            </dd>
          </dl>
          {pdfHref ? <a href={pdfHref}>Download the PDF</a> : null}
        </div>
      ) : (
        <Notice kind="error">This certificate was revoked and is no longer valid.</Notice>
      )}
    </PublicLayout>
  );
}
