import { useEffect, useId, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { SelectField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useConfirm } from '../../components/confirm.js';
import { audience, formatCount, type ImportView } from './api.js';
import { importStatusLabels } from './imports-page.js';

const targets: [string, string][] = [
  ['email', 'Email address'],
  ['name', 'Full name'],
  ['first_name', 'First name'],
  ['last_name', 'Last name'],
  ['tags', 'Tags (comma-separated)'],
  ['status', 'Status (subscribed, unsubscribed, bounced…)'],
  ['unsubscribed_flag', 'Opted out (yes/no)'],
  ['unsubscribed_at', 'Unsubscribe date (any value: left)'],
  ['bounced_at', 'Bounce date (any value: bounced)'],
  ['ignore', 'Do not import'],
];

function fieldKey(header: string): string {
  return header
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

export function ImportDetailPage() {
  const { id = '' } = useParams();
  const state = useLoad(() => audience.import(id), [id]);
  const running = state.data && (state.data.status === 'queued' || state.data.status === 'running');
  // Progress: the import runs in the background; ask again every second while it does.
  const { reload } = state;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(reload, 1000);
    return () => clearInterval(t);
  }, [running, reload]);
  return (
    <>
      <PageHeader
        title={state.data ? state.data.fileName : 'Import'}
        intro={state.data ? `${state.data.formatLabel} · ${state.data.headers.length} columns · ${Math.ceil(state.data.fileSize / 1024)} KB` : undefined}
        actions={
          <Link className="button subtle" to="/contacts/imports">
            All imports
          </Link>
        }
      />
      <LoadState state={state}>{(imp) => (imp.status === 'uploaded' ? <MappingStep imp={imp} onStarted={state.reload} /> : <Progress imp={imp} reload={state.reload} />)}</LoadState>
    </>
  );
}

function MappingStep({ imp, onStarted }: { imp: ImportView; onStarted(): void }) {
  const id = useId();
  const options = useLoad(() => Promise.all([audience.lists(), audience.tags()]), []);
  // The first rows, as the upload read them (passed along from the upload page).
  const sample = ((useLocation().state as { sample?: string[][] } | null)?.sample ?? []).slice(0, 3);
  const [mapping, setMapping] = useState(imp.mapping);
  const [listIds, setListIds] = useState<string[]>([]);
  const [tagIds, setTagIds] = useState<string[]>([]);
  const [existing, setExisting] = useState<'update' | 'skip'>('update');
  const [newStatus, setNewStatus] = useState<'active' | 'unconfirmed'>('active');
  const [consent, setConsent] = useState('');
  const start = useAction(async () => {
    await audience.startImport(imp.id, { mapping, listIds, tagIds, existing, newStatus, consentStatement: consent });
    onStarted();
  });
  const emailColumns = mapping.filter((m) => m === 'email').length;

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void start.run();
      }}
    >
      <section className="card section" aria-labelledby={`${id}-map`}>
        <h2 id={`${id}-map`}>1. What each column is</h2>
        <p className="muted">
          Read as {imp.encoding === 'utf8' ? 'UTF-8' : 'Windows-1252'}, separated by {imp.delimiter === '\t' ? 'tabs' : `“${imp.delimiter}”`}. Columns that are not one of the
          contact's own details become custom fields.
        </p>
        {emailColumns !== 1 ? <p className="notice">{emailColumns === 0 ? 'Choose the column that holds the email address.' : 'Only one column can be the email address.'}</p> : null}
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Column in the file</th>
                {sample.length ? <th scope="col">First rows</th> : null}
                <th scope="col">Import as</th>
              </tr>
            </thead>
            <tbody>
              {imp.headers.map((h, i) => {
                const current = mapping[i] ?? 'ignore';
                const key = fieldKey(h) || `column_${i + 1}`;
                const choices: [string, string][] = [...targets, [`field:${key}`, `Custom field “${key}”`]];
                if (current.startsWith('field:') && current !== `field:${key}`) choices.push([current, `Custom field “${current.slice(6)}”`]);
                return (
                  <tr key={i}>
                    <th scope="row" className="break">
                      <label htmlFor={`${id}-col-${i}`}>{h}</label>
                    </th>
                    {sample.length ? (
                      <td className="muted small break">
                        {sample
                          .map((r) => r[i] ?? '')
                          .filter(Boolean)
                          .join(' · ')
                          .slice(0, 120) || '—'}
                      </td>
                    ) : null}
                    <td>
                      <select id={`${id}-col-${i}`} className="compact" value={current} onChange={(e) => setMapping(mapping.map((m, j) => (j === i ? e.target.value : m)))}>
                        {choices.map(([v, l]) => (
                          <option key={v} value={v}>
                            {l}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card section stack" aria-labelledby={`${id}-opts`}>
        <h2 id={`${id}-opts`}>2. What to do with them</h2>
        <LoadState state={options}>
          {([{ lists }, { tags }]) => (
            <>
              <fieldset className="field">
                <legend>Put them on these lists</legend>
                {lists.map((l) => (
                  <label key={l.id} className="checkline">
                    <input type="checkbox" checked={listIds.includes(l.id)} onChange={(e) => setListIds(e.target.checked ? [...listIds, l.id] : listIds.filter((x) => x !== l.id))} /> {l.name}
                  </label>
                ))}
                {lists.length === 0 ? <p className="muted small">No lists yet.</p> : null}
              </fieldset>
              <fieldset className="field">
                <legend>Add these tags</legend>
                {tags.map((t) => (
                  <label key={t.id} className="checkline">
                    <input type="checkbox" checked={tagIds.includes(t.id)} onChange={(e) => setTagIds(e.target.checked ? [...tagIds, t.id] : tagIds.filter((x) => x !== t.id))} /> {t.name}
                  </label>
                ))}
              </fieldset>
            </>
          )}
        </LoadState>
        <SelectField
          label="People who are already contacts"
          value={existing}
          onChange={(e) => setExisting(e.target.value as 'update' | 'skip')}
          options={[
            { value: 'update', label: 'Update their name and fields from the file' },
            { value: 'skip', label: 'Leave them as they are' },
          ]}
          hint="Either way, nobody who unsubscribed is subscribed again, and an unsubscribe in the file is applied."
        />
        <SelectField
          label="New contacts are"
          value={newStatus}
          onChange={(e) => setNewStatus(e.target.value as 'active' | 'unconfirmed')}
          options={[
            { value: 'active', label: 'Subscribed (they already agreed)' },
            { value: 'unconfirmed', label: 'Unconfirmed (not mailed until they confirm through a form)' },
          ]}
        />
        <TextField
          label="How did these people agree to hear from you?"
          value={consent}
          onChange={(e) => setConsent(e.target.value)}
          required
          hint="Kept as their consent evidence, e.g. “Subscribers of our Mailchimp newsletter, double opt-in”."
          error={start.fieldErrors.consentStatement}
        />
        <FormError error={start.error} />
        <div>
          <button type="submit" className="button primary" disabled={start.pending || emailColumns !== 1 || !consent.trim()}>
            Start the import
          </button>
        </div>
      </section>
    </form>
  );
}

function Progress({ imp, reload }: { imp: ImportView; reload(): void }) {
  const confirm = useConfirm();
  const status = importStatusLabels[imp.status];
  const issues = useLoad(() => (imp.skipped + imp.errored ? audience.importIssues(imp.id, 20) : Promise.resolve({ issues: [] })), [imp.id, imp.status === 'completed']);
  const cancel = useAction(async () => {
    const ok = await confirm({ title: 'Stop this import?', body: <p>Contacts imported so far stay. The rest of the file is not read.</p>, confirmLabel: 'Stop', danger: true });
    if (!ok) return;
    await audience.cancelImport(imp.id);
    reload();
  });
  const resume = useAction(async () => {
    await audience.resumeImport(imp.id);
    reload();
  });
  const percent = Math.round(imp.progress * 100);
  return (
    <>
      <section className="card section" aria-labelledby="progress-title">
        <div className="section-head">
          <h2 id="progress-title">
            <span className={`badge ${status.tone}`}>{status.label}</span>
          </h2>
          {imp.status === 'queued' || imp.status === 'running' ? (
            <button type="button" className="button small danger-text" onClick={() => void cancel.run()}>
              Stop the import
            </button>
          ) : null}
          {imp.status === 'failed' ? (
            <button type="button" className="button small" onClick={() => void resume.run()}>
              Carry on from where it stopped
            </button>
          ) : null}
        </div>
        <label htmlFor="import-progress" className="visually-hidden">
          Progress
        </label>
        <progress id="import-progress" className="import-progress" max={100} value={percent}>
          {percent} %
        </progress>
        <dl className="facts" aria-live="polite">
          <div>
            <dt>Rows read</dt>
            <dd>{formatCount(imp.rowsDone)}</dd>
          </div>
          <div>
            <dt>Imported</dt>
            <dd>{formatCount(imp.imported)}</dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>{formatCount(imp.updated)}</dd>
          </div>
          <div>
            <dt>Skipped</dt>
            <dd>{formatCount(imp.skipped)}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd>{formatCount(imp.errored)}</dd>
          </div>
          <div>
            <dt>Started by</dt>
            <dd>{imp.startedBy ?? '—'}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>
              <Time iso={imp.finishedAt} />
            </dd>
          </div>
        </dl>
        {imp.error ? <p className="form-error">{imp.error}</p> : null}
        <FormError error={cancel.error ?? resume.error} />
        {imp.status === 'completed' ? (
          <p className="muted">
            Every row is accounted for: {formatCount(imp.imported)} + {formatCount(imp.updated)} + {formatCount(imp.skipped)} + {formatCount(imp.errored)} = {formatCount(imp.rowsDone)} rows in the file.
          </p>
        ) : null}
      </section>
      {imp.skipped + imp.errored > 0 ? (
        <section className="card section" aria-labelledby="issues-title">
          <div className="section-head">
            <h2 id="issues-title">Rows not imported</h2>
            <a className="button small" href={audience.reportUrl(imp.id)} download>
              Download the full report (CSV)
            </a>
          </div>
          <LoadState state={issues}>
            {({ issues: rows }) => (
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Row</th>
                      <th scope="col">Email</th>
                      <th scope="col">What happened</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.rowNumber}>
                        <td data-label="Row">{r.rowNumber}</td>
                        <td className="break" data-label="Email">
                          {r.email || <span className="muted">—</span>}
                        </td>
                        <td data-label="What happened">
                          <span className={`badge ${r.outcome === 'errored' ? 'bad' : ''}`}>{r.outcome === 'errored' ? 'Failed' : 'Skipped'}</span> {r.reason}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </LoadState>
        </section>
      ) : null}
    </>
  );
}
