// The visual builder: the workflow as a vertical flow, branches side by side, every step a
// card with its counts. Everything is a button or a form field, so it works from the keyboard:
// Tab to a step, Enter to edit it, "+" buttons on every exit to insert a step there.
import { useId, useState, type ReactNode, type SelectHTMLAttributes } from 'react';
import { TextAreaField, TextField, CheckboxField } from '../../components/field.js';
import { automationsApi, stepLabels, triggerLabels, type Definition, type Goal, type Step, type StepKind, type StepStats, type TaskStepSubject, type Trigger } from './api.js';
import { SubjectPicker, subjectKindLabels } from '../tasks/subject-picker.js';
import { exitsOf, insertStep, removeStep, targetOf, updateStep, type Exit } from './flow.js';

export interface Choices {
  tags: { id: string; name: string }[];
  lists: { id: string; name: string }[];
  forms: { id: string; name: string }[];
  products: { id: string; name: string }[];
  courses: { id: string; name: string }[];
  /** the team, for a task step's person (empty for a role that may not manage tasks) */
  people: { id: string; name: string; role: string }[];
  sops: { id: string; name: string }[];
}

interface Props {
  def: Definition;
  onChange(def: Definition): void;
  stats: StepStats[];
  problems: { stepId?: string; message: string }[];
  choices: Choices;
}

const kinds = Object.keys(stepLabels) as StepKind[];

export function Builder({ def, onChange, stats, problems, choices }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const seen = new Set<string>();

  const insert = (exit: Exit, kind: StepKind) => {
    const r = insertStep(def, exit, kind);
    onChange(r.def);
    setEditing(r.id);
  };

  const chain = (exit: Exit): ReactNode => {
    const items: ReactNode[] = [];
    let current: Exit | null = exit;
    while (current) {
      const here: Exit = current;
      items.push(<AddStep key={`add-${here.from}-${here.key}`} onAdd={(k) => insert(here, k)} />);
      const id = targetOf(def, here);
      if (!id) {
        items.push(<li key={`end-${here.from}-${here.key}`} className="flow-end muted small">End of the workflow</li>);
        break;
      }
      if (seen.has(id)) {
        items.push(<li key={`loop-${here.from}-${here.key}`} className="flow-end muted small">Goes on at “{id}”</li>);
        break;
      }
      seen.add(id);
      const step = def.steps.find((s) => s.id === id);
      if (!step) break;
      const exits = exitsOf(step);
      items.push(
        <li key={step.id} className="flow-item">
          <StepCard
            step={step}
            stats={stats.find((s) => s.stepId === step.id)}
            problems={problems.filter((p) => p.stepId === step.id).map((p) => p.message)}
            open={editing === step.id}
            onToggle={() => setEditing(editing === step.id ? null : step.id)}
            onChange={(patch) => onChange(updateStep(def, step.id, patch))}
            onRemove={() => onChange(removeStep(def, step.id))}
            choices={choices}
          />
          {exits.length > 1 ? (
            <div className="flow-branches">
              {exits.map((e) => (
                <div key={e.key} className="flow-branch">
                  <div className="flow-branch-label">{e.label}</div>
                  <ol className="flow">{chain(e)}</ol>
                </div>
              ))}
            </div>
          ) : null}
        </li>,
      );
      current = exits.length === 1 ? exits[0]! : null;
    }
    return items;
  };

  return (
    <div className="builder">
      <Triggers def={def} onChange={onChange} choices={choices} />
      <ol className="flow" aria-label="Steps, in order">
        {chain({ from: null, key: 'start' })}
      </ol>
      <Goals def={def} onChange={onChange} choices={choices} />
    </div>
  );
}

function AddStep({ onAdd }: { onAdd(kind: StepKind): void }) {
  const [kind, setKind] = useState<StepKind | ''>('');
  return (
    <li className="flow-add">
      <select aria-label="Add a step here" value={kind} onChange={(e) => setKind(e.target.value as StepKind)}>
        <option value="">+ Add a step here…</option>
        {kinds.map((k) => (
          <option key={k} value={k}>
            {stepLabels[k]}
          </option>
        ))}
      </select>
      {kind ? (
        <button
          type="button"
          className="button small"
          onClick={() => {
            onAdd(kind);
            setKind('');
          }}
        >
          Add
        </button>
      ) : null}
    </li>
  );
}

function summary(step: Step, choices: Choices): string {
  const tag = (id: unknown) => choices.tags.find((t) => t.id === id)?.name ?? 'a tag';
  switch (step.kind) {
    case 'wait': {
      const m = Number(step.minutes);
      return m % 1440 === 0 ? `Wait ${m / 1440} day(s)` : m % 60 === 0 ? `Wait ${m / 60} hour(s)` : `Wait ${m} minutes`;
    }
    case 'email':
      return `Email: “${String(step.subject)}”${step.marketing ? '' : ' (transactional)'}`;
    case 'tag':
      return `${step.action === 'add' ? 'Add' : 'Remove'} tag ${tag(step.tagId)}`;
    case 'access':
      return `${step.action === 'grant' ? 'Grant' : 'Revoke'} access to ${choices.products.find((p) => p.id === step.productId)?.name ?? 'a product'}`;
    case 'condition': {
      const c = step.condition as { test: string; tagId?: string; field?: string; value?: string };
      if (c.test === 'has_tag') return `If they have tag ${tag(c.tagId)}`;
      if (c.test === 'field_equals') return `If ${c.field} is “${c.value}”`;
      if (c.test === 'opened_previous') return 'If they opened the previous email';
      if (c.test === 'clicked_previous') return 'If they clicked in the previous email';
      if (c.test === 'course_progress') return `If they completed ${String((c as { percent?: number }).percent)} % of ${choices.courses.find((x) => x.id === (c as { courseId?: string }).courseId)?.name ?? 'a course'}`;
      if (c.test === 'purchased') return `If they bought ${choices.products.find((x) => x.id === (c as { productId?: string }).productId)?.name ?? 'a product'}`;
      return `If: ${c.test.replace(/_/g, ' ')}`;
    }
    case 'wait_event':
      return `Wait for ${String(step.event)} (at most ${Math.round(Number(step.timeoutMinutes) / 60)} h)`;
    case 'task': {
      const about = step.subject === 'contact' ? ' about the contact' : step.subject ? ` about ${(subjectKindLabels[(step.subject as TaskStepSubject).type] ?? 'something').toLowerCase()} “${(step.subject as TaskStepSubject).label}”` : '';
      return `Create a task for ${String(step.role)}${about}`;
    }
    default:
      return stepLabels[step.kind];
  }
}

function StepCard(props: {
  step: Step;
  stats?: StepStats;
  problems: string[];
  open: boolean;
  onToggle(): void;
  onChange(patch: Record<string, unknown>): void;
  onRemove(): void;
  choices: Choices;
}) {
  const { step, stats } = props;
  return (
    <div className={`flow-step card${props.problems.length ? ' has-problem' : ''}`} data-step={step.id}>
      <div className="flow-step-head">
        <button type="button" className="button link" aria-expanded={props.open} onClick={props.onToggle}>
          {summary(step, props.choices)}
        </button>
        <span className="muted small mono">{step.id}</span>
      </div>
      {stats ? (
        <p className="muted small flow-stats">
          {stats.entered} entered · {stats.done} done · {stats.skipped} skipped · {stats.failed} failed · {stats.waiting} waiting here
          {stats.branches ? ` · ${stats.branches.map((b) => `${String.fromCharCode(65 + b.branch)}: ${b.runs} runs, ${(b.revenue / 100).toFixed(2)} revenue`).join(', ')}` : ''}
        </p>
      ) : null}
      {props.problems.map((p) => (
        <p key={p} className="field-error">
          {p}
        </p>
      ))}
      {props.open ? (
        <div className="stack flow-editor">
          <StepFields step={step} onChange={props.onChange} choices={props.choices} />
          <div className="button-row">
            <button type="button" className="button danger-text small" onClick={props.onRemove}>
              Remove this step
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function TagSelect({ label, value, onChange, choices }: { label: string; value: unknown; onChange(v: string): void; choices: Choices }) {
  return (
    <Select label={label} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose a tag…</option>
      {choices.tags.map((t) => (
        <option key={t.id} value={t.id}>
          {t.name}
        </option>
      ))}
    </Select>
  );
}

function StepFields({ step, onChange, choices }: { step: Step; onChange(patch: Record<string, unknown>): void; choices: Choices }) {
  const num = (v: string) => Math.max(1, Math.round(Number(v) || 1));
  switch (step.kind) {
    case 'wait':
      return <TextField label="Wait (hours)" type="number" min={1} value={String(Number(step.minutes) / 60)} onChange={(e) => onChange({ minutes: num(String(Number(e.target.value) * 60)) })} />;
    case 'wait_until':
      return <TextField label="Until (date and time, UTC)" type="datetime-local" value={String(step.at).slice(0, 16)} onChange={(e) => onChange({ at: new Date(`${e.target.value}Z`).toISOString() })} />;
    case 'wait_weekday':
      return (
        <>
          <Select label="Weekday" value={String(step.weekday)} onChange={(e) => onChange({ weekday: Number(e.target.value) })}>
            {['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'].map((d, i) => (
              <option key={d} value={i}>
                {d}
              </option>
            ))}
          </Select>
          <TextField label="Time in the contact’s time zone (field “timezone”, else UTC)" type="time" value={String(step.time)} onChange={(e) => onChange({ time: e.target.value })} />
        </>
      );
    case 'wait_event':
      return (
        <>
          <Select label="Wait for" value={String(step.event)} onChange={(e) => onChange({ event: e.target.value })}>
            <option value="order.paid">An order paid</option>
            <option value="contact.tagged">A tag added</option>
            <option value="lesson.completed">A lesson completed</option>
            <option value="course.completed">A course completed</option>
            <option value="email.clicked">A click in an email</option>
          </Select>
          <TextField label="At most (hours)" type="number" min={1} value={String(Number(step.timeoutMinutes) / 60)} onChange={(e) => onChange({ timeoutMinutes: num(String(Number(e.target.value) * 60)) })} />
        </>
      );
    case 'condition': {
      const c = step.condition as { test: string; [k: string]: unknown };
      return (
        <>
          <Select label="Test" value={c.test} onChange={(e) => onChange({ condition: newCondition(e.target.value) })}>
            <option value="has_tag">They have a tag</option>
            <option value="field_equals">A field has a value</option>
            <option value="purchased">They bought a product</option>
            <option value="opened_previous">They opened the previous email</option>
            <option value="clicked_previous">They clicked in the previous email</option>
            <option value="course_progress">They completed part of a course</option>
          </Select>
          {c.test === 'purchased' ? <PickSelect label="Product" placeholder="Choose a product…" value={c.productId} options={choices.products} onChange={(v) => onChange({ condition: { ...c, productId: v } })} /> : null}
          {c.test === 'course_progress' ? (
            <>
              <PickSelect label="Course" placeholder="Choose a course…" value={c.courseId} options={choices.courses} onChange={(v) => onChange({ condition: { ...c, courseId: v } })} />
              <TextField label="At least (% of its lessons)" type="number" min={1} max={100} value={String(c.percent ?? 50)} onChange={(e) => onChange({ condition: { ...c, percent: Math.max(1, Math.min(100, Math.round(Number(e.target.value) || 1))) } })} />
            </>
          ) : null}
          {c.test === 'has_tag' ? <TagSelect label="Tag" value={c.tagId} onChange={(v) => onChange({ condition: { ...c, tagId: v } })} choices={choices} /> : null}
          {c.test === 'field_equals' ? (
            <>
              <TextField label="Field" value={String(c.field ?? '')} onChange={(e) => onChange({ condition: { ...c, field: e.target.value } })} />
              <TextField label="Value" value={String(c.value ?? '')} onChange={(e) => onChange({ condition: { ...c, value: e.target.value } })} />
            </>
          ) : null}
        </>
      );
    }
    case 'split': {
      const branches = step.branches as { percent: number; next?: string | null }[];
      return (
        <>
          {branches.map((b, i) => (
            <TextField key={i} label={`Branch ${String.fromCharCode(65 + i)} (%)`} type="number" min={0} max={100} value={String(b.percent)} onChange={(e) => onChange({ branches: branches.map((x, j) => (j === i ? { ...x, percent: Math.max(0, Math.min(100, Number(e.target.value) || 0)) } : x)) })} />
          ))}
        </>
      );
    }
    case 'email':
      return (
        <>
          <TextField label="Subject" value={String(step.subject)} onChange={(e) => onChange({ subject: e.target.value })} />
          <TextAreaField label="Message" hint="Liquid works: {{ contact.first_name }}, {{ contact.email }}, {{ contact.fields.city }}" rows={6} value={String(step.body)} onChange={(e) => onChange({ body: e.target.value })} />
          <CheckboxField label="Marketing email (needs consent; gets an unsubscribe link)" checked={!!step.marketing} onChange={(e) => onChange({ marketing: e.target.checked })} />
        </>
      );
    case 'tag':
      return (
        <>
          <Select label="Action" value={String(step.action)} onChange={(e) => onChange({ action: e.target.value })}>
            <option value="add">Add the tag</option>
            <option value="remove">Remove the tag</option>
          </Select>
          <TagSelect label="Tag" value={step.tagId} onChange={(v) => onChange({ tagId: v })} choices={choices} />
        </>
      );
    case 'set_field':
      return (
        <>
          <TextField label="Field" value={String(step.field)} onChange={(e) => onChange({ field: e.target.value })} />
          <TextField label="Value" value={String(step.value)} onChange={(e) => onChange({ value: e.target.value })} />
        </>
      );
    case 'list':
      return (
        <>
          <Select label="Action" value={String(step.action)} onChange={(e) => onChange({ action: e.target.value })}>
            <option value="subscribe">Subscribe to</option>
            <option value="unsubscribe">Unsubscribe from</option>
          </Select>
          <Select label="List" value={String(step.listId)} onChange={(e) => onChange({ listId: e.target.value })}>
            <option value="">Choose a list…</option>
            {choices.lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </Select>
        </>
      );
    case 'access':
      return (
        <>
          <Select label="Action" value={String(step.action)} onChange={(e) => onChange({ action: e.target.value })}>
            <option value="grant">Grant access to</option>
            <option value="revoke">Revoke access to</option>
          </Select>
          <PickSelect label="Product" placeholder="Choose a product…" value={step.productId} options={choices.products} onChange={(v) => onChange({ productId: v })} />
        </>
      );
    case 'task':
      return (
        <>
          <Select label="For" value={String(step.role)} onChange={(e) => onChange({ role: e.target.value, userId: undefined })}>
            {['support', 'marketing', 'content', 'admin'].map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
          <PickSelect label="Person" placeholder="Anyone in the role" value={step.userId} options={choices.people.filter((p) => p.role === step.role)} onChange={(v) => onChange({ userId: v || undefined })} />
          <TextField label="Task" value={String(step.title)} onChange={(e) => onChange({ title: e.target.value })} />
          <TextAreaField label="Notes" hint="Liquid works: {{ contact.email }}" rows={3} value={String(step.notes ?? '')} onChange={(e) => onChange({ notes: e.target.value || undefined })} />
          <TextField label="Due after (days)" type="number" min={0} max={365} value={String(step.dueInDays ?? 0)} onChange={(e) => onChange({ dueInDays: Math.max(0, Math.min(365, Math.trunc(Number(e.target.value) || 0))) })} />
          <TextField label="Due at (brand time zone)" type="time" value={String(step.dueTime ?? '17:00')} onChange={(e) => onChange({ dueTime: e.target.value || undefined })} />
          <TaskSubjectFields subject={step.subject as 'contact' | TaskStepSubject | undefined} onChange={(subject) => onChange({ subject })} />
          <PickSelect label="SOP" placeholder="No SOP" value={step.sopId} options={choices.sops} onChange={(v) => onChange({ sopId: v || undefined })} />
        </>
      );
    case 'webhook':
      return <TextField label="URL (receives a signed POST; private addresses are refused)" type="url" value={String(step.url)} onChange={(e) => onChange({ url: e.target.value })} />;
    case 'notify':
      return (
        <>
          <TextField label="Message" value={String(step.message)} onChange={(e) => onChange({ message: e.target.value })} />
          <CheckboxField label="Urgent (otherwise it waits for the weekly review)" checked={!!step.urgent} onChange={(e) => onChange({ urgent: e.target.checked })} />
        </>
      );
    case 'end':
      return <p className="muted small">The run ends here.</p>;
  }
}

/**
 * What a task step's task is about: nothing, the contact in the run, or a course, blog post or
 * product found by title (the workflow editor's own search; the task managers' is not theirs).
 */
function TaskSubjectFields({ subject, onChange }: { subject: 'contact' | TaskStepSubject | undefined; onChange(subject: 'contact' | TaskStepSubject | undefined): void }) {
  const [mode, setMode] = useState<'' | 'contact' | 'picked'>(subject === 'contact' ? 'contact' : subject ? 'picked' : '');
  const picked = subject && subject !== 'contact' ? subject : null;
  return (
    <>
      <Select
        label="About"
        value={mode}
        onChange={(e) => {
          const next = e.target.value as typeof mode;
          setMode(next);
          // A picked one stays until another is found; switching away forgets it.
          onChange(next === 'contact' ? 'contact' : next === 'picked' ? (picked ?? undefined) : undefined);
        }}
      >
        <option value="">Nothing in particular</option>
        <option value="contact">The contact in the run</option>
        <option value="picked">A course, blog post or product</option>
      </Select>
      {mode === 'picked' ? (
        <SubjectPicker
          legend="The course, post or product"
          none="None picked yet: until one is, the task is about nothing in particular."
          value={picked}
          onChange={(s) => onChange(s ?? undefined)}
          search={automationsApi.taskSubjects}
        />
      ) : null}
    </>
  );
}

function Triggers({ def, onChange, choices }: { def: Definition; onChange(def: Definition): void; choices: Choices }) {
  const set = (i: number, t: Trigger | null) => onChange({ ...def, triggers: t ? def.triggers.map((x, j) => (j === i ? t : x)) : def.triggers.filter((_, j) => j !== i) });
  return (
    <section className="card pad stack" aria-label="Triggers">
      <h3>A contact enters when they…</h3>
      {def.triggers.map((t, i) => (
        <div key={i} className="inline-form">
          <Select label={`Trigger ${i + 1}`} value={t.type} onChange={(e) => set(i, newTrigger(e.target.value as Trigger['type']))}>
            {Object.entries(triggerLabels).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </Select>
          {t.type === 'contact.subscribed' ? (
            <Select label="Through" value={String(t.formId ?? '')} onChange={(e) => set(i, { type: t.type, ...(e.target.value ? { formId: e.target.value } : {}) })}>
              <option value="">any form or list</option>
              {choices.forms.map((f) => (
                <option key={f.id} value={f.id}>
                  the form “{f.name}”
                </option>
              ))}
            </Select>
          ) : null}
          {t.type === 'tag.added' || t.type === 'tag.removed' ? (
            <Select label="Tag" value={String(t.tagId ?? '')} onChange={(e) => set(i, { type: t.type, tagId: e.target.value })}>
              <option value="">Choose a tag…</option>
              {choices.tags.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </Select>
          ) : null}
          <TriggerFields t={t} set={(x) => set(i, x)} choices={choices} />
          {t.type === 'checkout.abandoned' ? <TextField label="Not paid within (minutes)" type="number" min={5} value={String(t.minutes ?? 60)} onChange={(e) => set(i, { type: t.type, minutes: Math.max(5, Number(e.target.value) || 60) })} /> : null}
          <button type="button" className="button danger-text small" onClick={() => set(i, null)}>
            Remove trigger
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="button small" onClick={() => onChange({ ...def, triggers: [...def.triggers, { type: 'contact.subscribed' }] })}>
          Add a trigger
        </button>
      </div>
      <div className="inline-form">
        <Select label="Re-entry" value={def.reentry} onChange={(e) => onChange({ ...def, reentry: e.target.value as Definition['reentry'], ...(e.target.value === 'days' ? { reentryDays: def.reentryDays ?? 30 } : {}) })}>
          <option value="once">Once ever</option>
          <option value="days">Again after some days</option>
          <option value="always">Every time (at most 10 a day)</option>
        </Select>
        {def.reentry === 'days' ? <TextField label="Days" type="number" min={1} value={String(def.reentryDays ?? 30)} onChange={(e) => onChange({ ...def, reentryDays: Math.max(1, Number(e.target.value) || 1) })} /> : null}
        <TextField label="Revenue: orders within (days) of a click in its emails" type="number" min={0} max={90} value={String(def.attributionDays ?? 7)} onChange={(e) => onChange({ ...def, attributionDays: Math.max(0, Math.min(90, Math.round(Number(e.target.value) || 0))) })} />
        <Select label="If they unsubscribe mid-run" value={def.onUnsubscribe} onChange={(e) => onChange({ ...def, onUnsubscribe: e.target.value as Definition['onUnsubscribe'] })}>
          <option value="skip_email">Skip the emails, do the rest</option>
          <option value="end">End the run</option>
        </Select>
      </div>
    </section>
  );
}

/** A labelled select whose options are children (the builder's choices are built inline). */
function Select({ label, children, ...select }: { label: string; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {children}
      </select>
    </div>
  );
}

function newCondition(test: string): Record<string, unknown> {
  switch (test) {
    case 'has_tag':
      return { test, tagId: '' };
    case 'purchased':
      return { test, productId: '' };
    case 'course_progress':
      return { test, courseId: '', percent: 50 };
    case 'opened_previous':
    case 'clicked_previous':
      return { test };
    default:
      return { test: 'field_equals', field: 'plan', value: '' };
  }
}

/** A trigger of that type as first shown (what it needs still to be chosen: a tag, a course). */
function newTrigger(type: Trigger['type']): Trigger {
  switch (type) {
    case 'checkout.abandoned':
      return { type, minutes: 60 };
    case 'field.changed':
      return { type, field: 'plan' };
    case 'date.field':
      return { type, field: 'birthday', yearly: true };
    case 'tag.added':
    case 'tag.removed':
      return { type, tagId: '' };
    case 'course.stalled':
      return { type, courseId: '', days: 7 };
    case 'inactive':
      return { type, days: 90 };
    case 'signup.after':
      return { type, days: 3 };
    default:
      return { type };
  }
}

/** The fields of the triggers added with the time-based ones (a field, a course, a number of days). */
function TriggerFields({ t, set, choices }: { t: Trigger; set(t: Trigger): void; choices: Choices }) {
  const days = (label: string, d: Extract<Trigger, { days: number }>) => <TextField label={label} type="number" min={1} value={String(d.days)} onChange={(e) => set({ ...d, days: Math.max(1, Math.round(Number(e.target.value) || 1)) })} />;
  switch (t.type) {
    case 'field.changed':
      return (
        <>
          <TextField label="Field" value={String(t.field ?? '')} onChange={(e) => set({ ...t, field: e.target.value.trim() })} />
          <TextField label="To the value (empty: any)" value={String(t.value ?? '')} onChange={(e) => set(e.target.value ? { ...t, value: e.target.value } : { type: t.type, field: t.field })} />
        </>
      );
    case 'date.field':
      return (
        <>
          <TextField label="Date field (YYYY-MM-DD, or MM-DD)" value={String(t.field ?? '')} onChange={(e) => set({ ...t, field: e.target.value.trim() })} />
          <CheckboxField label="Every year (a birthday)" checked={t.yearly !== false} onChange={(e) => set({ ...t, yearly: e.target.checked })} />
        </>
      );
    case 'course.stalled':
      return (
        <>
          <PickSelect label="Course" placeholder="Choose a course…" value={t.courseId} options={choices.courses} onChange={(v) => set({ ...t, courseId: v })} />
          {days('No lesson completed for (days)', t)}
        </>
      );
    case 'lesson.unlocked':
    case 'lesson.completed':
    case 'course.completed':
      return <PickSelect label="Course" placeholder="Any course" value={t.courseId} options={choices.courses} onChange={(v) => set(v ? { ...t, courseId: v } : { type: t.type })} />;
    case 'inactive':
      return days('No open or click for (days)', t);
    case 'signup.after':
      return days('Days after signing up', t);
    default:
      return null;
  }
}

/** Goals: an order paid (of chosen products) or a tag added moves the contact's run to a step, or out. */
function Goals({ def, onChange, choices }: { def: Definition; onChange(def: Definition): void; choices: Choices }) {
  const set = (i: number, g: Goal | null) => onChange({ ...def, goals: g ? def.goals.map((x, j) => (j === i ? g : x)) : def.goals.filter((_, j) => j !== i) });
  const add = () => {
    let n = def.goals.length + 1;
    while (def.goals.some((g) => g.id === `goal-${n}`)) n++;
    onChange({ ...def, goals: [...def.goals, { id: `goal-${n}`, label: 'Bought', event: 'order.paid', then: null }] });
  };
  return (
    <section className="card pad stack" aria-label="Goals">
      <h3>Goals</h3>
      <p className="muted small">When a goal is met at any point, the contact jumps to a step or leaves the workflow (“bought the course” ends the sales emails).</p>
      {def.goals.length === 0 ? <p className="muted small">No goal yet: add one so that buyers stop getting the sales emails.</p> : null}
      {def.goals.map((g, i) => (
        <div key={g.id} className="inline-form" data-goal={g.id}>
          <TextField label={`Goal ${i + 1}`} value={g.label} onChange={(e) => set(i, { ...g, label: e.target.value })} />
          <Select label="Met when" value={g.event} onChange={(e) => set(i, { id: g.id, label: g.label, then: g.then, event: e.target.value as Goal['event'] })}>
            <option value="order.paid">They pay an order</option>
            <option value="contact.tagged">They get a tag</option>
          </Select>
          {g.event === 'order.paid' ? (
            <PickSelect label="Of the product" placeholder="Any product" value={g.productIds?.[0]} options={choices.products} onChange={(v) => set(i, v ? { ...g, productIds: [v] } : { id: g.id, label: g.label, event: g.event, then: g.then })} />
          ) : (
            <PickSelect label="Tag" placeholder="Choose a tag…" value={g.tagId} options={choices.tags} onChange={(v) => set(i, { ...g, tagId: v })} />
          )}
          <Select label="Then" value={g.then ?? ''} onChange={(e) => set(i, { ...g, then: e.target.value || null })}>
            <option value="">They leave the workflow</option>
            {def.steps.map((s) => (
              <option key={s.id} value={s.id}>
                Go to “{s.id}”
              </option>
            ))}
          </Select>
          <button type="button" className="button danger-text small" onClick={() => set(i, null)}>
            Remove goal
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="button small" onClick={add}>
          Add a goal
        </button>
      </div>
    </section>
  );
}

/** A select of named things by id (products, courses, tags), with an empty first choice. */
function PickSelect({ label, placeholder, value, options, onChange }: { label: string; placeholder: string; value: unknown; options: { id: string; name: string }[]; onChange(v: string): void }) {
  return (
    <Select label={label} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
      <option value="">{placeholder}</option>
      {options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
    </Select>
  );
}
