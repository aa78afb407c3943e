// A course's students (enroll and revoke, each with a reason) and its statistics:
// enrollments over time, the completion funnel by lesson and quiz pass rates.
import { useState } from 'react';
import { TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { Time } from '../../components/time.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { learning } from './api.js';

export function CourseStudents({ courseId, canManage }: { courseId: string; canManage: boolean }) {
  const state = useLoad(() => learning.enrollments(courseId), [courseId]);
  const [notice, setNotice] = useState<string | null>(null);
  const enroll = useFormAction(async (f) => {
    const r = await learning.enroll(courseId, { email: f.text('email'), name: f.text('name') || undefined, reason: f.text('reason') });
    setNotice(r.created ? `${f.text('email')} is enrolled.` : `${f.text('email')} already had access.`);
    state.reload();
  }, { reset: true });
  const [revoking, setRevoking] = useState<{ contactId: string; email: string } | null>(null);
  const revoke = useFormAction(async (f) => {
    if (!revoking) return;
    await learning.revoke(courseId, revoking.contactId, f.text('reason').trim());
    setNotice(`${revoking.email} no longer has access.`);
    setRevoking(null);
    state.reload();
  });
  return (
    <>
      <FormNotice>{notice}</FormNotice>
      {revoking ? (
        <form className="card section" onSubmit={revoke.onSubmit} aria-labelledby="revoke-title">
          <h2 id="revoke-title">Revoke the access of {revoking.email}</h2>
          <FormError error={revoke.error} />
          <TextField label="Why does this student lose access?" name="reason" required maxLength={500} hint="Kept with the change in the access history." autoFocus error={revoke.fieldErrors.reason} />
          <p className="actions-row">
            <button type="submit" className="button danger" disabled={revoke.pending}>
              Revoke access
            </button>{' '}
            <button type="button" className="button subtle" onClick={() => setRevoking(null)}>
              Cancel
            </button>
          </p>
        </form>
      ) : null}
      <LoadState state={state}>
        {({ enrollments }) => (
          <section className="card section" aria-labelledby="students-title">
            <h2 id="students-title">Students ({enrollments.filter((e) => e.active).length} with access)</h2>
            {enrollments.length === 0 ? (
              <p className="muted">Nobody is enrolled yet. Students appear here when they buy the course or you enroll them.</p>
            ) : (
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Student</th>
                      <th scope="col">Enrolled</th>
                      <th scope="col">Progress</th>
                      <th scope="col">Last seen</th>
                      {canManage ? (
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      ) : null}
                    </tr>
                  </thead>
                  <tbody>
                    {enrollments.map((e) => (
                      <tr key={e.contactId}>
                        <td data-label="Student">
                          <strong>{e.name || e.email}</strong>
                          <div className="muted small break">
                            {e.email} · {e.sources.join(', ')}
                            {e.active ? null : ' · access ended'}
                          </div>
                        </td>
                        <td data-label="Enrolled">
                          <Time iso={e.enrolledAt} style="date" />
                        </td>
                        <td data-label="Progress">{e.completedAt ? <span className="badge good">Completed</span> : `${e.percent}%`}</td>
                        <td data-label="Last seen">{e.lastSeenAt ? <Time iso={e.lastSeenAt} style="relative" /> : <span className="muted">never</span>}</td>
                        {canManage ? (
                          <td className="actions">
                            {e.active ? (
                              <button type="button" className="button small danger-text" onClick={() => { revoke.clearError(); setRevoking({ contactId: e.contactId, email: e.email }); }}>
                                Revoke<span className="visually-hidden"> access of {e.email}</span>
                              </button>
                            ) : null}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        )}
      </LoadState>
      {canManage ? (
        <form className="card section" onSubmit={enroll.onSubmit} aria-labelledby="enroll-title">
          <h2 id="enroll-title">Enroll someone</h2>
          <FormError error={enroll.error} />
          <TextField label="Email" name="email" type="email" required error={enroll.fieldErrors.email} />
          <TextField label="Name" name="name" />
          <TextField label="Reason" name="reason" required hint="Kept with the grant, e.g. “scholarship” or “replacement for a failed payment”." error={enroll.fieldErrors.reason} />
          <button type="submit" className="button primary" disabled={enroll.pending}>
            Enroll
          </button>
        </form>
      ) : null}
    </>
  );
}

function Bar({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max ? Math.round((value / max) * 100) : 0;
  return (
    <div className="bar" role="img" aria-label={label}>
      <span style={{ display: 'block', height: '0.6rem', width: `${pct}%`, background: 'var(--accent, #0b5cad)', borderRadius: 4 }} />
    </div>
  );
}

export function CourseStatsPanel({ courseId }: { courseId: string }) {
  const [interval, setInterval] = useState<'month' | 'week'>('month');
  const state = useLoad(() => learning.stats(courseId, interval), [courseId, interval]);
  return (
    <LoadState state={state}>
      {(s) => {
        const maxEnroll = Math.max(1, ...s.enrollments.map((e) => e.enrollments));
        return (
          <>
            <section className="card section" aria-labelledby="totals-title">
              <h2 id="totals-title">At a glance</h2>
              <p>
                <strong>{s.totals.enrolled}</strong> enrolled · <strong>{s.totals.started}</strong> started · <strong>{s.totals.completed}</strong> completed · <strong>{s.totals.certificates}</strong> certificates
              </p>
            </section>
            <section className="card section" aria-labelledby="enroll-time-title">
              <h2 id="enroll-time-title">Enrollments over time</h2>
              <p>
                <button type="button" className={`button small ${interval === 'month' ? 'primary' : 'subtle'}`} aria-pressed={interval === 'month'} onClick={() => setInterval('month')}>
                  By month
                </button>{' '}
                <button type="button" className={`button small ${interval === 'week' ? 'primary' : 'subtle'}`} aria-pressed={interval === 'week'} onClick={() => setInterval('week')}>
                  By week
                </button>
              </p>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{interval === 'month' ? 'Month' : 'Week of'}</th>
                    <th scope="col">Enrollments</th>
                    <th scope="col">
                      <span className="visually-hidden">Chart</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.enrollments.map((e) => (
                    <tr key={e.period}>
                      <td>{interval === 'month' ? e.period.slice(0, 7) : e.period}</td>
                      <td>{e.enrollments}</td>
                      <td style={{ width: '50%' }}>
                        <Bar value={e.enrollments} max={maxEnroll} label={`${e.enrollments} enrollments`} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="card section" aria-labelledby="funnel-title">
              <h2 id="funnel-title">Completion funnel by lesson</h2>
              <p className="muted">Where the share of students completing drops sharply is where they stop.</p>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Lesson</th>
                    <th scope="col">Viewed</th>
                    <th scope="col">Completed</th>
                    <th scope="col">Of enrolled</th>
                  </tr>
                </thead>
                <tbody>
                  {s.funnel.map((f) => (
                    <tr key={f.lessonId}>
                      <td>
                        {f.position}. {f.title}
                      </td>
                      <td>{f.viewed}</td>
                      <td>{f.completed}</td>
                      <td style={{ width: '35%' }}>
                        {f.completionRate}%
                        <Bar value={f.completionRate} max={100} label={`${f.completionRate}% of enrolled students completed it`} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className="card section" aria-labelledby="quiz-title">
              <h2 id="quiz-title">Quiz pass rates</h2>
              {s.quizzes.length === 0 ? (
                <p className="muted">This course has no quizzes.</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Quiz</th>
                      <th scope="col">Students</th>
                      <th scope="col">Passed</th>
                      <th scope="col">Attempts</th>
                      <th scope="col">Average score</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.quizzes.map((q) => (
                      <tr key={q.lessonId}>
                        <td>{q.title}</td>
                        <td>{q.students}</td>
                        <td>
                          {q.passed} ({q.passRate}%)
                        </td>
                        <td>{q.attempts}</td>
                        <td>{q.averageScore == null ? '—' : `${q.averageScore}%`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </>
        );
      }}
    </LoadState>
  );
}
