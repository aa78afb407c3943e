// Tasks, for the owner and admins: every task with its schedule, assignee, SOP and latest
// occurrence; a form to create one (with the recurrence editor) and to change or archive it.
import { useState } from 'react';
import { Link } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { EmptyState } from '../../components/empty-state.js';
import { SelectField, TextAreaField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction, useFormAction, type FormValues } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { SubjectPicker } from './subject-picker.js';
import { ChecklistEditor } from './checklist-editor.js';
import { roleLabels, tasksApi, weekdays, type TaskSubject, type Person, type RecurrenceInput, type Sop, type Task, type TaskInput, type TaskOccurrence } from './api.js';

export default function TasksPage() {
  const state = useLoad(async () => {
    const [list, sops] = await Promise.all([tasksApi.list(), tasksApi.sops()]);
    return { ...list, sops: sops.sops };
  }, []);
  const { can } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <PageHeader title="Tasks" intro="Recurring work for your team — a weekly refunds check, a monthly course review, a post a week — each following an SOP. Every due date shows in the assignee's My day." />
      <LoadState state={state}>
        {({ tasks, people, sops, timeZone, today }) => (
          <>
            {can('tasks.manage') ? (
              <section className="card section" aria-labelledby="new-task-title">
                <h2 id="new-task-title">New task</h2>
                <TaskForm
                  people={people}
                  sops={sops}
                  today={today}
                  submitLabel="Create task"
                  onSubmit={async (input) => {
                    const task = await tasksApi.create(input);
                    state.setData((d) => ({ ...d, tasks: [...d.tasks, task].sort((a, b) => a.title.localeCompare(b.title)) }));
                    setNotice(`“${task.title}” created: ${task.recurrenceText.toLowerCase()}, next due ${task.nextDueOn ?? 'never'}.`);
                  }}
                />
                <FormNotice>{notice}</FormNotice>
                <p className="muted">Dates are calendar days in the business's time zone ({timeZone}).</p>
              </section>
            ) : null}
            <section className="section" aria-labelledby="tasks-title">
              <h2 id="tasks-title">All tasks</h2>
              {tasks.length === 0 ? (
                <EmptyState title="No tasks yet">
                  <p>
                    Write down how a recurring job is done on the <Link to="/sops">SOPs</Link> page, then create a task above for the role or person who does it — it
                    will appear in their My day on each due date.
                  </p>
                </EmptyState>
              ) : (
                tasks.map((t) => (
                  <TaskCard
                    key={t.id}
                    task={t}
                    people={people}
                    sops={sops}
                    today={today}
                    onChange={(next) => state.setData((d) => ({ ...d, tasks: d.tasks.map((x) => (x.id === next.id ? next : x)) }))}
                    onArchived={() => state.setData((d) => ({ ...d, tasks: d.tasks.filter((x) => x.id !== t.id) }))}
                  />
                ))
              )}
            </section>
          </>
        )}
      </LoadState>
    </>
  );
}

function lastText(t: Task): string {
  if (!t.last) return 'Not due yet';
  if (t.last.status === 'done') return `Done${t.last.late ? ' late' : ''} by ${t.last.closedBy ?? 'someone'} (due ${t.last.dueOn})`;
  if (t.last.status === 'skipped') return `Skipped by ${t.last.closedBy ?? 'someone'} (due ${t.last.dueOn})`;
  return t.last.overdue ? `Overdue since ${t.last.dueOn}` : `Open, due ${t.last.dueOn}`;
}

function TaskCard({ task: t, people, sops, today, onChange, onArchived }: { task: Task; people: Person[]; sops: Sop[]; today: string; onChange: (t: Task) => void; onArchived: () => void }) {
  const confirm = useConfirm();
  const [editing, setEditing] = useState(false);
  const [history, setHistory] = useState<TaskOccurrence[] | null>(null);
  const archive = useAction(async () => {
    const ok = await confirm({ title: `Archive “${t.title}”?`, body: <p>It stops coming due; anything still open is skipped.</p>, confirmLabel: 'Archive', danger: true });
    if (!ok) return;
    await tasksApi.archive(t.id);
    onArchived();
  });
  const loadHistory = useAction(async () => setHistory(history ? null : (await tasksApi.history(t.id)).occurrences));
  const [editingList, setEditingList] = useState<string | null>(null);
  const listOf = history?.find((o) => o.id === editingList) ?? null;
  const status = t.last?.status === 'done' ? 'good' : t.last?.overdue ? 'bad' : '';
  return (
    <article className="card section" aria-label={`Task ${t.title}`}>
      <h3>{t.title}</h3>
      <p>
        {t.recurrenceText} at {t.dueTime} · for {t.assignee.name}
        {t.sop ? (
          <>
            {' '}
            · SOP <Link to={`/sops/${t.sop.id}`}>{t.sop.title}</Link>
          </>
        ) : null}
        {t.subject ? <> · about {t.subject.label}</> : null}
      </p>
      <p className="muted">
        Next due: {t.nextDueOn ?? '—'} · Latest: <span className={`badge ${status}`}>{lastText(t)}</span>
      </p>
      <div className="actions">
        <button type="button" className="button small" aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
          {editing ? 'Close editor' : 'Edit'}
        </button>
        <button type="button" className="button small" aria-expanded={history !== null} onClick={() => void loadHistory.run()}>
          {history ? 'Hide history' : 'History'}
        </button>
        <button type="button" className="button small danger-text" disabled={archive.pending} onClick={() => void archive.run()}>
          Archive
        </button>
      </div>
      <FormError error={archive.error ?? loadHistory.error} />
      {editing ? (
        <TaskForm
          people={people}
          sops={sops}
          today={today}
          initial={t}
          submitLabel="Save task"
          onSubmit={async (input) => {
            onChange(await tasksApi.update(t.id, input));
            setEditing(false);
          }}
        />
      ) : null}
      {history ? (
        history.length === 0 ? (
          <p className="muted">No occurrence yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label={`History of ${t.title}`}>
              <thead>
                <tr>
                  <th>Due</th>
                  <th>Status</th>
                  <th>By</th>
                  <th>When</th>
                  <th>Checklist</th>
                </tr>
              </thead>
              <tbody>
                {history.map((o) => (
                  <tr key={o.id}>
                    <td>{o.dueOn}</td>
                    <td>{o.status === 'open' ? (o.overdue ? 'Overdue' : 'Open') : o.status === 'done' ? (o.late ? 'Done late' : 'Done') : `Skipped: ${o.skipReason ?? ''}`}</td>
                    <td>{o.closedBy ?? '—'}</td>
                    <td>{o.closedAt ? <Time iso={o.closedAt} /> : '—'}</td>
                    <td>
                      {o.checklist.filter((i) => i.done).length} of {o.checklist.length}
                      {o.status === 'open' ? (
                        <>
                          {' '}
                          <button type="button" className="button subtle small" aria-expanded={editingList === o.id} aria-label={`Edit the checklist due ${o.dueOn}`} onClick={() => setEditingList(editingList === o.id ? null : o.id)}>
                            Edit
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {listOf ? (
              <ChecklistEditor
                key={listOf.id}
                occurrence={listOf}
                onSaved={(saved) => {
                  setHistory((h) => h?.map((o) => (o.id === saved.id ? saved : o)) ?? null);
                  setEditingList(null);
                }}
                onCancel={() => setEditingList(null)}
              />
            ) : null}
          </div>
        )
      ) : null}
    </article>
  );
}

const kindOptions = [
  { value: 'weekly', label: 'Every week' },
  { value: 'monthly', label: 'Every month' },
  { value: 'days', label: 'Every few days' },
  { value: 'once', label: 'Once' },
];
function recurrenceFrom(f: FormValues, kind: string): RecurrenceInput {
  const n = (name: string) => Number(f.text(name));
  if (kind === 'weekly') return { kind: 'weekly', weekday: n('weekday'), interval: n('interval') || 1 };
  if (kind === 'monthly') return { kind: 'monthly', day: n('day'), interval: n('interval') || 1 };
  if (kind === 'days') return { kind: 'days', every: n('every') };
  return { kind: 'once' };
}

/** The task editor, with the recurrence editor: what the form fields hold, sent as one TaskInput. */
function TaskForm({ people, sops, today, initial, submitLabel, onSubmit }: { people: Person[]; sops: Sop[]; today: string; initial?: Task; submitLabel: string; onSubmit: (input: TaskInput) => Promise<void> }) {
  const r = initial?.recurrence;
  const [kind, setKind] = useState<string>(r?.kind ?? 'weekly');
  const [subject, setSubject] = useState<TaskSubject | null>(initial?.subject ?? null);
  const save = useFormAction(
    async (f) => {
      const who = f.text('assignee');
      await onSubmit({
        title: f.text('title'),
        notes: f.text('notes'),
        assignee: who.startsWith('user:') ? { userId: who.slice(5) } : { role: who.slice(5) as 'support' },
        sopId: f.text('sopId') || null,
        subject,
        recurrence: recurrenceFrom(f, kind),
        startsOn: f.text('startsOn'),
        dueTime: f.text('dueTime') || '17:00',
      });
    },
    { reset: !initial },
  );
  const assigneeOptions = [
    ...['support', 'content', 'marketing', 'admin', 'owner'].map((role) => ({ value: `role:${role}`, label: `Everyone in ${roleLabels[role]}` })),
    ...people.map((p) => ({ value: `user:${p.id}`, label: `${p.name} (${roleLabels[p.role] ?? p.role})` })),
  ];
  const initialAssignee = initial ? (initial.assignee.userId ? `user:${initial.assignee.userId}` : `role:${initial.assignee.role}`) : 'role:support';
  const interval = r && 'interval' in r ? r.interval : 1;
  return (
    <form onSubmit={save.onSubmit} aria-label={submitLabel}>
      <TextField label="Title" name="title" required maxLength={200} defaultValue={initial?.title} placeholder="e.g. Check refunds" error={save.fieldErrors.title} />
      <SelectField label="Assigned to" name="assignee" options={assigneeOptions} defaultValue={initialAssignee} error={save.fieldErrors.assignee} />
      <SelectField label="SOP to follow" name="sopId" options={[{ value: '', label: 'None' }, ...sops.map((s) => ({ value: s.id, label: s.title }))]} defaultValue={initial?.sop?.id ?? ''} hint="Its checklist is copied into each occurrence." error={save.fieldErrors.sopId} />
      <fieldset className="recurrence">
        <legend>When</legend>
        <SelectField label="Repeats" name="kind" options={kindOptions} value={kind} onChange={(e) => setKind(e.target.value)} />
        {kind === 'weekly' ? (
          <>
            <SelectField label="On" name="weekday" options={weekdays.map((d, i) => ({ value: String(i), label: d }))} defaultValue={String(r?.kind === 'weekly' ? r.weekday : 1)} />
            <TextField label="Every how many weeks" name="interval" type="number" min={1} max={52} defaultValue={interval} />
          </>
        ) : null}
        {kind === 'monthly' ? (
          <>
            <TextField label="Day of the month" name="day" type="number" min={1} max={31} required defaultValue={r?.kind === 'monthly' ? r.day : 1} hint="29–31: the month's last day when it is shorter." />
            <TextField label="Every how many months" name="interval" type="number" min={1} max={12} defaultValue={interval} />
          </>
        ) : null}
        {kind === 'days' ? <TextField label="Every how many days" name="every" type="number" min={1} max={366} required defaultValue={r?.kind === 'days' ? r.every : 7} /> : null}
        <TextField label={kind === 'once' ? 'Due on' : 'Starting on'} name="startsOn" type="date" required defaultValue={initial?.startsOn ?? today} error={save.fieldErrors.startsOn} />
        <TextField label="Due by (time of day)" name="dueTime" type="time" defaultValue={initial?.dueTime ?? '17:00'} error={save.fieldErrors.dueTime} />
      </fieldset>
      <SubjectPicker value={subject} onChange={setSubject} />
      <TextAreaField label="Notes" name="notes" maxLength={5000} defaultValue={initial?.notes} />
      <button type="submit" className="button primary" disabled={save.pending}>
        {save.pending ? 'Saving…' : submitLabel}
      </button>
      <FormError error={save.error} />
    </form>
  );
}
