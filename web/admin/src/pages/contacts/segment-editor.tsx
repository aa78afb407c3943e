// The segment editor: rules on the left, the live count and a few members on the right.
import { useEffect, useId, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { asApiError, useLoad } from '../../lib/use-load.js';
import { useAction } from '../../lib/use-action.js';
import { useSession } from '../../session.js';
import type { ApiError } from '../../api.js';
import { audience, contactStatuses, formatCount, statusLabels, type Segment, type SegmentPreview, type SegmentRule, type SegmentRules } from './api.js';

interface Options {
  tags: { id: string; name: string }[];
  lists: { id: string; name: string }[];
}

const MAX_DEPTH = 4;

const ruleTypes: { type: SegmentRule['type']; label: string }[] = [
  { type: 'tag', label: 'Tag' },
  { type: 'list', label: 'List' },
  { type: 'status', label: 'Status' },
  { type: 'field', label: 'Custom field' },
  { type: 'email', label: 'Email address' },
  { type: 'source', label: 'Came from' },
  { type: 'created', label: 'Signed up' },
  { type: 'purchase', label: 'Purchases' },
  { type: 'course', label: 'Course progress' },
  { type: 'engagement', label: 'Engagement' },
  { type: 'group', label: 'Group of rules' },
];

function defaultRule(type: SegmentRule['type'], o: Options): SegmentRule {
  switch (type) {
    case 'tag':
      return { type, op: 'has', tagId: o.tags[0]?.id ?? '' };
    case 'list':
      return { type, op: 'subscribed', listId: o.lists[0]?.id ?? '' };
    case 'status':
      return { type, op: 'is', values: ['active'] };
    case 'field':
      return { type, field: '', op: 'equals', value: '' };
    case 'email':
      return { type, op: 'ends_with', value: '' };
    case 'source':
      return { type, op: 'starts_with', value: 'form:' };
    case 'created':
      return { type, op: 'within_days', days: 30 };
    case 'purchase':
      return { type, op: 'has' };
    case 'course':
      return { type, op: 'completed' };
    case 'engagement':
      return { type, op: 'engaged', days: 30 };
    case 'group':
      return { type, match: 'any', rules: [{ type: 'tag', op: 'has', tagId: o.tags[0]?.id ?? '' }] };
  }
}

export function SegmentEditorPage() {
  const { id } = useParams();
  const state = useLoad(
    () => Promise.all([id ? audience.segment(id) : Promise.resolve(null), audience.tags(), audience.lists()]).then(([s, t, l]) => ({ segment: s, options: { tags: t.tags, lists: l.lists } })),
    [id],
  );
  return <LoadState state={state}>{({ segment, options }) => <Editor key={segment?.id ?? 'new'} segment={segment} options={options} />}</LoadState>;
}

function Editor({ segment, options }: { segment: Segment | null; options: Options }) {
  const { can } = useSession();
  const write = can('contacts.write');
  const navigate = useNavigate();
  const confirm = useConfirm();
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [rules, setRules] = useState<SegmentRules>(segment?.rules ?? { match: 'all', rules: [] });
  const [preview, setPreview] = useState<SegmentPreview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | undefined>();
  const [saved, setSaved] = useState<string | null>(null);

  // Live count: re-asked a moment after the rules stop changing.
  useEffect(() => {
    let stale = false;
    const t = setTimeout(() => {
      audience.previewSegment(rules).then(
        (p) => {
          if (stale) return;
          setPreview(p);
          setPreviewError(undefined);
        },
        (err: unknown) => !stale && setPreviewError(asApiError(err)),
      );
    }, 350);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [rules]);

  const save = useAction(async () => {
    setSaved(null);
    if (segment) {
      await audience.updateSegment(segment.id, { name, description, rules });
      setSaved('Saved. Broadcasts to this segment use the new rules from now on.');
    } else {
      const created = await audience.createSegment({ name, description, rules });
      navigate(`/contacts/segments/${created.id}`, { replace: true });
    }
  });
  const remove = useAction(async () => {
    if (!segment) return;
    const ok = await confirm({ title: `Delete the segment ${segment.name}?`, body: <p>A broadcast that was to go to it cannot be sent any more.</p>, confirmLabel: 'Delete', danger: true });
    if (!ok) return;
    await audience.deleteSegment(segment.id);
    navigate('/contacts/segments');
  });

  return (
    <>
      <PageHeader
        title={segment ? segment.name : 'New segment'}
        actions={
          <Link className="button subtle" to="/contacts/segments">
            All segments
          </Link>
        }
      />
      <div className="segment-editor">
        <form
          className="card section stack"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required disabled={!write} error={save.fieldErrors.name} />
          <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} disabled={!write} hint="What it is for, e.g. “Launch audience”." />
          <RuleGroup value={rules} onChange={setRules} options={options} depth={0} disabled={!write} label="Contacts who match" />
          <FormError error={save.error ?? remove.error} />
          {saved ? <p className="form-notice">{saved}</p> : null}
          {write ? (
            <div className="button-row">
              <button type="submit" className="button primary" disabled={save.pending || !name.trim()}>
                {segment ? 'Save' : 'Create segment'}
              </button>
              {segment ? (
                <button type="button" className="button danger-text" onClick={() => void remove.run()}>
                  Delete
                </button>
              ) : null}
            </div>
          ) : null}
        </form>
        <aside className="card section" aria-labelledby="preview-title">
          <h2 id="preview-title">Who this selects</h2>
          <div aria-live="polite" aria-atomic="true">
            {previewError ? (
              <p className="form-error">{previewError.message}</p>
            ) : preview ? (
              <>
                <p className="big-number">{formatCount(preview.total)}</p>
                <p className="muted">
                  contacts, of whom <strong>{formatCount(preview.sendable)}</strong> can receive marketing email now. Broadcasts also leave out suppressed addresses.
                </p>
              </>
            ) : (
              <p className="muted">Counting…</p>
            )}
          </div>
          {preview?.sample.length ? (
            <ul className="plain-list small">
              {preview.sample.map((c) => (
                <li key={c.id} className="list-row">
                  <Link to={`/contacts/${c.id}`} className="break">
                    {c.email}
                  </Link>
                  <span className="badge">{statusLabels[c.status as keyof typeof statusLabels]?.label ?? c.status}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </aside>
      </div>
    </>
  );
}

function RuleGroup({ value, onChange, options, depth, disabled, label }: { value: SegmentRules; onChange(v: SegmentRules): void; options: Options; depth: number; disabled: boolean; label: string }) {
  const id = useId();
  const [adding, setAdding] = useState<SegmentRule['type']>('tag');
  const set = (i: number, r: SegmentRule) => onChange({ ...value, rules: value.rules.map((x, j) => (j === i ? r : x)) });
  return (
    <fieldset className={`rule-group depth-${depth}`}>
      <legend>
        {label}{' '}
        <label className="visually-hidden" htmlFor={`${id}-match`}>
          Combine the rules
        </label>
        <select id={`${id}-match`} className="compact" value={value.match} disabled={disabled} onChange={(e) => onChange({ ...value, match: e.target.value as 'all' | 'any' })}>
          <option value="all">all of these rules</option>
          <option value="any">any of these rules</option>
        </select>
      </legend>
      {value.rules.length === 0 ? <p className="muted small">No rules: everyone.</p> : null}
      <ol className="rules">
        {value.rules.map((r, i) => (
          <li key={i} className="rule">
            <RuleEditor rule={r} onChange={(nr) => set(i, nr)} options={options} depth={depth} disabled={disabled} />
            {!disabled ? (
              <button type="button" className="button small subtle" aria-label={`Remove rule ${i + 1}`} onClick={() => onChange({ ...value, rules: value.rules.filter((_, j) => j !== i) })}>
                Remove
              </button>
            ) : null}
          </li>
        ))}
      </ol>
      {!disabled ? (
        <div className="inline-form">
          <div className="field">
            <label htmlFor={`${id}-add`}>Add a rule</label>
            <select id={`${id}-add`} value={adding} onChange={(e) => setAdding(e.target.value as SegmentRule['type'])}>
              {ruleTypes
                .filter((t) => t.type !== 'group' || depth < MAX_DEPTH - 1)
                .map((t) => (
                  <option key={t.type} value={t.type}>
                    {t.label}
                  </option>
                ))}
            </select>
          </div>
          <button type="button" className="button" onClick={() => onChange({ ...value, rules: [...value.rules, defaultRule(adding, options)] })}>
            Add
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}

/** One rule: a sentence made of selects and inputs, each with its own label for screen readers. */
function RuleEditor({ rule, onChange, options, depth, disabled }: { rule: SegmentRule; onChange(r: SegmentRule): void; options: Options; depth: number; disabled: boolean }) {
  const id = useId();
  const sel = (label: string, value: string, choices: [string, string][], set: (v: string) => void) => (
    <span className="rule-part">
      <label className="visually-hidden" htmlFor={`${id}-${label}`}>
        {label}
      </label>
      <select id={`${id}-${label}`} className="compact" value={value} disabled={disabled} onChange={(e) => set(e.target.value)}>
        {choices.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </span>
  );
  const input = (label: string, value: string, set: (v: string) => void, props: { type?: string; placeholder?: string; width?: string } = {}) => (
    <span className="rule-part">
      <label className="visually-hidden" htmlFor={`${id}-${label}`}>
        {label}
      </label>
      <input id={`${id}-${label}`} className="compact" type={props.type ?? 'text'} value={value} placeholder={props.placeholder} disabled={disabled} style={{ width: props.width ?? '12rem' }} onChange={(e) => set(e.target.value)} />
    </span>
  );
  const days = (value: number, set: (n: number) => void) => input('Days', String(value), (v) => set(Math.max(1, Math.min(3650, Number(v) || 1))), { type: 'number', width: '5rem' });

  switch (rule.type) {
    case 'tag':
      return (
        <span className="rule-text">
          {sel('Tag condition', rule.op, [['has', 'Has the tag'], ['not_has', 'Does not have the tag']], (op) => onChange({ ...rule, op: op as 'has' }))}
          {sel('Tag', rule.tagId, options.tags.map((t) => [t.id, t.name]), (tagId) => onChange({ ...rule, tagId }))}
        </span>
      );
    case 'list':
      return (
        <span className="rule-text">
          {sel('List condition', rule.op, [['subscribed', 'Is subscribed to'], ['not_subscribed', 'Is not subscribed to']], (op) => onChange({ ...rule, op: op as 'subscribed' }))}
          {sel('List', rule.listId, options.lists.map((l) => [l.id, l.name]), (listId) => onChange({ ...rule, listId }))}
        </span>
      );
    case 'status':
      return (
        <span className="rule-text">
          {sel('Status condition', rule.op, [['is', 'Status is'], ['is_not', 'Status is not']], (op) => onChange({ ...rule, op: op as 'is' }))}
          {sel('Status', rule.values[0] ?? 'active', contactStatuses.map((s) => [s, statusLabels[s].label]), (v) => onChange({ ...rule, values: [v as 'active'] }))}
        </span>
      );
    case 'field':
      return (
        <span className="rule-text">
          Field {input('Field name', rule.field, (field) => onChange({ ...rule, field: field.toLowerCase().replace(/[^a-z0-9_]/g, '_') }), { placeholder: 'company', width: '9rem' })}
          {sel(
            'Field condition',
            rule.op,
            [
              ['equals', 'is'],
              ['not_equals', 'is not'],
              ['contains', 'contains'],
              ['not_contains', 'does not contain'],
              ['starts_with', 'starts with'],
              ['is_set', 'is filled in'],
              ['is_not_set', 'is empty'],
              ['greater_than', 'is more than'],
              ['less_than', 'is less than'],
            ],
            (op) => onChange({ ...rule, op: op as typeof rule.op }),
          )}
          {rule.op === 'is_set' || rule.op === 'is_not_set' ? null : input('Value', rule.value ?? '', (value) => onChange({ ...rule, value }))}
        </span>
      );
    case 'email':
      return (
        <span className="rule-text">
          {sel('Email condition', rule.op, [['ends_with', 'Email ends with'], ['contains', 'Email contains'], ['equals', 'Email is']], (op) => onChange({ ...rule, op: op as 'equals' }))}
          {input('Email text', rule.value, (value) => onChange({ ...rule, value }), { placeholder: '@company.com' })}
        </span>
      );
    case 'source':
      return (
        <span className="rule-text">
          {sel('Source condition', rule.op, [['starts_with', 'Came from (starts with)'], ['is', 'Came from exactly']], (op) => onChange({ ...rule, op: op as 'is' }))}
          {input('Source', rule.value, (value) => onChange({ ...rule, value }), { placeholder: 'form: or import:' })}
        </span>
      );
    case 'created':
      return (
        <span className="rule-text">
          {sel('Signed up condition', rule.op, [['within_days', 'Signed up in the last'], ['before_days', 'Signed up more than']], (op) => onChange({ ...rule, op: op as 'within_days' }))}
          {days(rule.days, (d) => onChange({ ...rule, days: d }))} days{rule.op === 'before_days' ? ' ago' : ''}
        </span>
      );
    case 'purchase':
      return (
        <span className="rule-text">
          {sel('Purchase condition', rule.op, [['has', 'Has bought'], ['not_has', 'Has not bought']], (op) => onChange({ ...rule, op: op as 'has' }))}
          {sel('What', rule.resourceType ?? '', [['', 'anything'], ['product', 'a product'], ['course', 'a course'], ['download', 'a download']], (v) => onChange({ ...rule, resourceType: (v || undefined) as 'product' | undefined }))}
          {rule.resourceType ? input('Id (empty: any)', rule.resourceId ?? '', (v) => onChange({ ...rule, resourceId: v.trim() || undefined }), { placeholder: 'id, or empty for any', width: '18rem' }) : null}
        </span>
      );
    case 'course':
      return (
        <span className="rule-text">
          {sel('Course condition', rule.op, [['completed', 'Has completed'], ['not_completed', 'Has not completed'], ['started', 'Has started'], ['not_started', 'Has not started']], (op) => onChange({ ...rule, op: op as 'completed' }))}
          {input('Course id (empty: any course)', rule.courseId ?? '', (v) => onChange({ ...rule, courseId: v.trim() || undefined }), { placeholder: 'any course', width: '18rem' })}
        </span>
      );
    case 'engagement':
      return (
        <span className="rule-text">
          {sel(
            'Engagement condition',
            rule.op,
            [
              ['engaged', 'Opened or clicked'],
              ['opened', 'Opened an email'],
              ['clicked', 'Clicked a link'],
              ['not_engaged', 'Neither opened nor clicked'],
              ['not_opened', 'Did not open'],
              ['not_clicked', 'Did not click'],
            ],
            (op) => onChange({ ...rule, op: op as 'engaged' }),
          )}
          in the last {days(rule.days, (d) => onChange({ ...rule, days: d }))} days
        </span>
      );
    case 'group':
      return <RuleGroup value={{ match: rule.match, rules: rule.rules }} onChange={(g) => onChange({ ...rule, ...g })} options={options} depth={depth + 1} disabled={disabled} label="A group: contacts who match" />;
  }
}
