// My day, for every role: the tasks due today and overdue (theirs and their role's), each with
// its checklist to tick, done or skipped here; what was closed today; and — when the support
// module is there — their open conversations.
import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { CheckboxField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { useSession } from '../../session.js';
import { myConversations, tasksApi, type TaskOccurrence } from './api.js';
import { ChecklistEditor } from './checklist-editor.js';

export default function MyDayPage() {
  const state = useLoad(() => tasksApi.myDay(), []);
  const { can } = useSession();
  // An overdue reminder's link names its task (?task=<occurrence id>): it is shown first in view.
  const [linked] = useQueryParam('task');
  const replace = (next: TaskOccurrence) =>
    state.setData((d) =>
      next.status === 'open'
        ? {
            ...d,
            // A re-opened task goes back to the top of the due list, its checklist as it was left.
            due: d.due.some((o) => o.id === next.id) ? d.due.map((o) => (o.id === next.id ? next : o)) : [next, ...d.due],
            closedToday: d.closedToday.filter((o) => o.id !== next.id),
          }
        : { ...d, due: d.due.filter((o) => o.id !== next.id), closedToday: [next, ...d.closedToday.filter((o) => o.id !== next.id)] },
    );
  return (
    <>
      <PageHeader title="My day" intro="What is yours to do today: tasks due and overdue, with the steps of their procedure. Tick each step, then mark the task done." />
      <LoadState state={state}>
        {({ due, closedToday, today }) => (
          <>
            <section className="section" aria-labelledby="due-title">
              <h2 id="due-title">Due today and overdue</h2>
              {due.length === 0 ? (
                <EmptyState title="Nothing due">
                  <p>
                    Nothing is waiting for you today ({today}).{' '}
                    {can('tasks.manage') ? (
                      <>
                        Set up recurring work on the <Link to="/tasks">Tasks</Link> page.
                      </>
                    ) : (
                      <>Read the <Link to="/sops">SOPs</Link> for how things are done here.</>
                    )}
                  </p>
                </EmptyState>
              ) : (
                due.map((o) => <OccurrenceCard key={o.id} occurrence={o} onChange={replace} highlighted={o.id === linked} />)
              )}
            </section>
            <Conversations />
            <ReminderSetting />
            {closedToday.length ? (
              <section className="section" aria-labelledby="closed-title">
                <h2 id="closed-title">Done today</h2>
                <ul className="plain-list">
                  {closedToday.map((o) => (
                    <ClosedTask key={o.id} occurrence={o} onChange={replace} />
                  ))}
                </ul>
              </section>
            ) : null}
          </>
        )}
      </LoadState>
    </>
  );
}

/** A task closed today, with a way back: marked done by mistake, or skipped for a reason that no longer holds. */
function ClosedTask({ occurrence: o, onChange }: { occurrence: TaskOccurrence; onChange: (o: TaskOccurrence) => void }) {
  const reopen = useAction(async () => onChange(await tasksApi.reopen(o.id)));
  return (
    <li>
      <strong>{o.title}</strong> — {o.status === 'done' ? `done by ${o.closedBy ?? 'someone'}` : `skipped: ${o.skipReason ?? ''}`}
      {o.late ? <span className="badge warn"> late</span> : null}{' '}
      <button type="button" className="button small subtle" aria-label={`Re-open ${o.title}`} disabled={reopen.pending} onClick={() => void reopen.run()}>
        Re-open
      </button>
      <FormError error={reopen.error} />
    </li>
  );
}

function OccurrenceCard({ occurrence: o, onChange, highlighted }: { occurrence: TaskOccurrence; onChange: (o: TaskOccurrence) => void; highlighted?: boolean }) {
  const [skipping, setSkipping] = useState(false);
  const [editingList, setEditingList] = useState(false);
  const { can } = useSession();
  // A tick shows at once; the server's answer replaces it (or the error puts it back). One at a
  // time, so answers cannot arrive out of order and undo each other.
  const [ticking, setTicking] = useState<{ id: string; done: boolean } | null>(null);
  const tick = useAction(async (itemId: string, done: boolean) => {
    setTicking({ id: itemId, done });
    try {
      onChange(await tasksApi.tick(o.id, itemId, done));
    } finally {
      setTicking(null);
    }
  });
  const complete = useAction(async () => onChange(await tasksApi.complete(o.id)));
  const skip = useFormAction(async (f) => onChange(await tasksApi.skip(o.id, f.text('reason'))));
  const left = o.checklist.filter((i) => !(ticking?.id === i.id ? ticking.done : i.done)).length;
  return (
    <article
      className={`card section task-occurrence${highlighted ? ' highlighted' : ''}`}
      aria-label={o.title}
      aria-current={highlighted ? 'true' : undefined}
      ref={highlighted ? (el) => el?.scrollIntoView({ block: 'center' }) : undefined}
    >
      <h3>
        {o.title} {o.overdue ? <span className="badge bad">Overdue</span> : <span className="badge">Due today</span>}
      </h3>
      <p className="muted">
        Due <Time iso={o.dueAt} /> · {o.assignee.name}
        {o.subject ? <> · about {o.subject.label}</> : null}
        {o.sop ? (
          <>
            {' '}
            · following <Link to={`/sops/${o.sop.id}`}>{o.sop.title}</Link>
          </>
        ) : null}
      </p>
      {o.notes ? <p>{o.notes}</p> : null}
      {o.checklist.length ? (
        <fieldset className="checklist">
          <legend>
            Checklist ({o.checklist.length - left} of {o.checklist.length} done)
          </legend>
          {o.checklist.map((item) => (
            <div className="field checkbox" key={item.id}>
              <input id={`${o.id}-${item.id}`} type="checkbox" checked={ticking?.id === item.id ? ticking.done : item.done} disabled={ticking !== null} onChange={(e) => void tick.run(item.id, e.target.checked)} />
              <label htmlFor={`${o.id}-${item.id}`}>{item.text}</label>
            </div>
          ))}
        </fieldset>
      ) : null}
      <div className="actions">
        <button type="button" className="button primary small" disabled={complete.pending} onClick={() => void complete.run()}>
          Mark done
        </button>
        <button type="button" className="button small" aria-expanded={skipping} onClick={() => setSkipping((s) => !s)}>
          Skip…
        </button>
        {can('tasks.manage') ? (
          <button type="button" className="button small" aria-expanded={editingList} onClick={() => setEditingList((s) => !s)}>
            Edit checklist…
          </button>
        ) : null}
      </div>
      {editingList ? (
        <ChecklistEditor
          occurrence={o}
          onSaved={(saved) => {
            onChange(saved);
            setEditingList(false);
          }}
          onCancel={() => setEditingList(false)}
        />
      ) : null}
      {skipping ? (
        <form onSubmit={skip.onSubmit} aria-label={`Skip ${o.title}`}>
          <TextField label="Why is it skipped?" name="reason" required maxLength={1000} error={skip.fieldErrors.reason} />
          <button type="submit" className="button small" disabled={skip.pending}>
            Skip this time
          </button>
        </form>
      ) : null}
      <FormError error={tick.error ?? complete.error ?? skip.error} />
    </article>
  );
}

/** Shown only when GET /api/support/conversations answers 200 (hidden on 404 until the support module is installed, and for roles without the inbox). */
function Conversations() {
  const state = useLoad(() => myConversations(), []);
  if (!state.data) return null;
  return (
    <section className="section" aria-labelledby="conversations-title">
      <h2 id="conversations-title">Your conversations</h2>
      {state.data.length === 0 ? (
        <p className="muted">No open conversations are assigned to you.</p>
      ) : (
        <ul className="plain-list">
          {state.data.map((c) => (
            <li key={c.id}>
              <Link to={`/inbox/${c.id}`}>#{c.number} {c.subject || '(no subject)'}</Link>
              <span className="muted"> — {c.name ? `${c.name} <${c.email}>` : c.email}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The person's own choice: an email when one of their tasks (or their role's) becomes overdue. */
function ReminderSetting() {
  const state = useLoad(() => tasksApi.mySettings(), []);
  const save = useAction(async (overdueEmail: boolean) => {
    const saved = await tasksApi.setMySettings({ overdueEmail });
    state.setData(() => saved);
  });
  if (!state.data) return null;
  return (
    <section className="section" aria-labelledby="reminders-title">
      <h2 id="reminders-title">Reminders</h2>
      <CheckboxField
        label="Email me when a task is overdue"
        hint="One email per task, when it passes its due time still open (tasks for your role too)."
        checked={state.data.overdueEmail}
        disabled={save.pending}
        onChange={(e) => void save.run(e.target.checked)}
      />
      <FormError error={save.error} />
    </section>
  );
}
