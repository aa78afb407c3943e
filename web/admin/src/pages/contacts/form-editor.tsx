import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { CopyField } from '../../components/copy-field.js';
import { CheckboxField, SelectField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { audience, formatCount, type FormField, type FormInput, type OptInForm } from './api.js';

const blank: FormInput = {
  slug: '',
  name: '',
  title: '',
  intro: '',
  consentText: 'Yes, send me your emails. I can unsubscribe at any time with one click.',
  buttonLabel: 'Subscribe',
  successMessage: '',
  doubleOptIn: true,
  askName: 'optional',
  customFields: [],
  listIds: [],
  tagIds: [],
  embedAllowed: true,
};

export function FormEditorPage() {
  const { id } = useParams();
  const state = useLoad(() => Promise.all([id ? audience.form(id) : Promise.resolve(null), audience.lists(), audience.tags()]), [id]);
  return <LoadState state={state}>{([form, lists, tags]) => <Editor key={form?.id ?? 'new'} form={form} lists={lists.lists} tags={tags.tags} reload={state.reload} />}</LoadState>;
}

function Editor({ form, lists, tags, reload }: { form: (OptInForm & { embedHtml: string }) | null; lists: { id: string; name: string }[]; tags: { id: string; name: string }[]; reload(): void }) {
  const { can } = useSession();
  const write = can('contacts.write');
  const navigate = useNavigate();
  const [v, setV] = useState<FormInput>(form ? pick(form) : blank);
  const [notice, setNotice] = useState<string | null>(null);
  const set = <K extends keyof FormInput>(k: K, value: FormInput[K]) => setV((x) => ({ ...x, [k]: value }));
  const toggle = (k: 'listIds' | 'tagIds', itemId: string, on: boolean) => set(k, on ? [...v[k], itemId] : v[k].filter((x) => x !== itemId));

  const save = useAction(async () => {
    setNotice(null);
    if (form) {
      await audience.updateForm(form.id, v);
      setNotice('Saved. The form page and the snippet use the new settings at once.');
      reload();
    } else {
      const created = await audience.createForm(v);
      navigate(`/contacts/forms/${created.id}`, { replace: true });
    }
  });
  const archive = useAction(async (archived: boolean) => {
    await audience.updateForm(form!.id, { archived });
    setNotice(archived ? 'Archived: the page is offline and the snippet no longer accepts sign-ups.' : 'The form is live again.');
    reload();
  });
  const upload = useAction(async (file: File) => {
    await audience.uploadLeadMagnet(form!.id, file);
    setNotice(`${file.name} will be delivered after confirmation.`);
    reload();
  });
  const removeFile = useAction(async () => {
    await audience.removeLeadMagnet(form!.id);
    reload();
  });
  const errors = save.fieldErrors;

  return (
    <>
      <PageHeader
        title={form ? form.name : 'New form'}
        intro={form ? <>{formatCount(form.stats.submissions)} sign-ups, {formatCount(form.stats.confirmations)} confirmed.</> : undefined}
        actions={
          <div className="button-row">
            {form && !form.archived ? (
              <a className="button" href={form.url} target="_blank" rel="noreferrer">
                Open the page
              </a>
            ) : null}
            <Link className="button subtle" to="/contacts/forms">
              All forms
            </Link>
          </div>
        }
      />
      <FormNotice>{notice}</FormNotice>
      <div className="two-columns">
        <form
          className="card section stack"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <h2>Settings</h2>
          <TextField label="Name (for you)" value={v.name} onChange={(e) => set('name', e.target.value)} required disabled={!write} error={errors.name} />
          <TextField
            label="Address"
            value={v.slug}
            onChange={(e) => set('slug', e.target.value.toLowerCase().replace(/[^a-z0-9-]/g, '-'))}
            required
            disabled={!write}
            hint={`The page lives at /f/${v.slug || 'your-address'}`}
            error={errors.slug}
          />
          <TextField label="Heading" value={v.title} onChange={(e) => set('title', e.target.value)} required disabled={!write} error={errors.title} />
          <div className="field">
            <label htmlFor="form-intro">Introduction</label>
            <textarea id="form-intro" rows={4} value={v.intro} disabled={!write} onChange={(e) => set('intro', e.target.value)} aria-describedby="form-intro-hint" />
            <p className="field-hint" id="form-intro-hint">
              Plain text or simple HTML: paragraphs, bold, italic, lists and links. Anything else is removed.
            </p>
          </div>
          <div className="field">
            <label htmlFor="form-consent">Consent text</label>
            <textarea id="form-consent" rows={3} value={v.consentText} required disabled={!write} onChange={(e) => set('consentText', e.target.value)} aria-describedby="form-consent-hint" aria-invalid={errors.consentText ? true : undefined} />
            <p className="field-hint" id="form-consent-hint">
              Shown next to the button, and kept word for word as each person's consent evidence.
            </p>
            {errors.consentText ? <p className="field-error">{errors.consentText}</p> : null}
          </div>
          <div className="inline-form">
            <TextField label="Button" value={v.buttonLabel} onChange={(e) => set('buttonLabel', e.target.value)} disabled={!write} />
            <SelectField
              label="Ask for the name"
              value={v.askName}
              disabled={!write}
              onChange={(e) => set('askName', e.target.value as FormInput['askName'])}
              options={[
                { value: 'optional', label: 'Optional' },
                { value: 'required', label: 'Required' },
                { value: 'hidden', label: 'Do not ask' },
              ]}
            />
          </div>
          <TextField label="Message after signing up" value={v.successMessage} onChange={(e) => set('successMessage', e.target.value)} disabled={!write} hint="E.g. “Welcome! The next letter arrives on Friday.”" />
          <CheckboxField
            label="Double opt-in"
            checked={v.doubleOptIn}
            disabled={!write}
            onChange={(e) => set('doubleOptIn', e.target.checked)}
            hint="New subscribers confirm their address by email before they join (recommended: proves consent, keeps typos and bots off your list)."
          />
          <CheckboxField label="Accept sign-ups from other sites" checked={v.embedAllowed} disabled={!write} onChange={(e) => set('embedAllowed', e.target.checked)} hint="Needed for the embeddable snippet." />
          <fieldset className="field">
            <legend>Lists people join</legend>
            {lists.length ? (
              lists.map((l) => (
                <label key={l.id} className="checkline">
                  <input type="checkbox" checked={v.listIds.includes(l.id)} disabled={!write} onChange={(e) => toggle('listIds', l.id, e.target.checked)} /> {l.name}
                </label>
              ))
            ) : (
              <p className="muted small">
                No lists yet: <Link to="/contacts/lists">create one</Link>.
              </p>
            )}
          </fieldset>
          <fieldset className="field">
            <legend>Tags added</legend>
            {tags.map((t) => (
              <label key={t.id} className="checkline">
                <input type="checkbox" checked={v.tagIds.includes(t.id)} disabled={!write} onChange={(e) => toggle('tagIds', t.id, e.target.checked)} /> {t.name}
              </label>
            ))}
          </fieldset>
          <CustomFields value={v.customFields} onChange={(f) => set('customFields', f)} disabled={!write} />
          <FormError error={save.error} />
          {write ? (
            <div className="button-row">
              <button type="submit" className="button primary" disabled={save.pending}>
                {form ? 'Save' : 'Create form'}
              </button>
              {form ? (
                <button type="button" className="button" disabled={archive.pending} onClick={() => void archive.run(!form.archived)}>
                  {form.archived ? 'Put back online' : 'Archive'}
                </button>
              ) : null}
            </div>
          ) : null}
        </form>

        {form ? (
          <div className="stack">
            <section className="card section" aria-labelledby="share-title">
              <h2 id="share-title">Share and embed</h2>
              <CopyField label="Page address" value={form.url} />
              <CopyField label="Embeddable HTML" value={form.embedHtml} rows={8} hint="Paste into any page or site builder. No script: it posts to Onehour, which shows the thank-you page." />
            </section>
            <section className="card section" aria-labelledby="magnet-title">
              <h2 id="magnet-title">Lead magnet</h2>
              {form.leadMagnet ? (
                <p>
                  <strong>{form.leadMagnet.name}</strong> <span className="muted small">({Math.ceil(form.leadMagnet.size / 1024)} KB)</span>: delivered after confirmation, with a download link valid for 7 days.
                </p>
              ) : (
                <p className="muted">No file. Add a guide, checklist or workbook people get after they confirm.</p>
              )}
              {write ? (
                <div className="stack">
                  <div className="field">
                    <label htmlFor="magnet-file">{form.leadMagnet ? 'Replace the file' : 'Upload a file'}</label>
                    <input id="magnet-file" type="file" disabled={upload.pending} onChange={(e) => e.target.files?.[0] && void upload.run(e.target.files[0])} />
                  </div>
                  {form.leadMagnet ? (
                    <div>
                      <button type="button" className="button small danger-text" onClick={() => void removeFile.run()}>
                        Remove the file
                      </button>
                    </div>
                  ) : null}
                  <FormError error={upload.error ?? removeFile.error} />
                </div>
              ) : null}
            </section>
          </div>
        ) : null}
      </div>
    </>
  );
}

function CustomFields({ value, onChange, disabled }: { value: FormField[]; onChange(v: FormField[]): void; disabled: boolean }) {
  const set = (i: number, f: FormField) => onChange(value.map((x, j) => (j === i ? f : x)));
  return (
    <fieldset className="field">
      <legend>Extra fields</legend>
      {value.map((f, i) => (
        <div key={i} className="inline-form">
          <TextField label="Label" value={f.label} disabled={disabled} onChange={(e) => set(i, { ...f, label: e.target.value, key: f.key || keyOf(e.target.value) })} />
          <TextField label="Stored as" value={f.key} disabled={disabled} onChange={(e) => set(i, { ...f, key: keyOf(e.target.value) })} />
          <CheckboxField label="Required" checked={f.required} disabled={disabled} onChange={(e) => set(i, { ...f, required: e.target.checked })} />
          {!disabled ? (
            <button type="button" className="button small subtle" onClick={() => onChange(value.filter((_, j) => j !== i))}>
              Remove<span className="visually-hidden"> {f.label}</span>
            </button>
          ) : null}
        </div>
      ))}
      {!disabled && value.length < 10 ? (
        <div>
          <button type="button" className="button small" onClick={() => onChange([...value, { key: '', label: '', required: false }])}>
            Add a field
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}

function keyOf(label: string): string {
  return label
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

function pick(f: OptInForm): FormInput {
  return {
    slug: f.slug,
    name: f.name,
    title: f.title,
    intro: f.intro,
    consentText: f.consentText,
    buttonLabel: f.buttonLabel,
    successMessage: f.successMessage,
    doubleOptIn: f.doubleOptIn,
    askName: f.askName,
    customFields: f.customFields,
    listIds: f.listIds,
    tagIds: f.tagIds,
    embedAllowed: f.embedAllowed,
  };
}
