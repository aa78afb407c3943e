import { Link, useNavigate } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { audience, formatCount, type ImportStatus } from './api.js';

export const importStatusLabels: Record<ImportStatus, { label: string; tone: '' | 'good' | 'warn' | 'bad' }> = {
  uploaded: { label: 'Waiting for you', tone: 'warn' },
  queued: { label: 'Starting', tone: '' },
  running: { label: 'Importing', tone: '' },
  completed: { label: 'Done', tone: 'good' },
  failed: { label: 'Failed', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: '' },
};

export function ImportsPage() {
  const state = useLoad(() => audience.imports(), []);
  const navigate = useNavigate();
  const upload = useAction(async (file: File) => {
    const created = await audience.upload(file);
    navigate(`/contacts/imports/${created.id}`, { state: { sample: created.sample } });
  });
  return (
    <>
      <PageHeader title="Import contacts" intro="From a CSV file: exports of Mailchimp, Kit (ConvertKit), Gumroad and Teachable are recognised, any other CSV works too." />
      <section className="card section" aria-labelledby="upload-title">
        <h2 id="upload-title">Upload a file</h2>
        <div className="field">
          <label htmlFor="import-file">CSV file</label>
          <input id="import-file" type="file" accept=".csv,text/csv,.txt" disabled={upload.pending} onChange={(e) => e.target.files?.[0] && void upload.run(e.target.files[0])} aria-describedby="import-file-hint" />
          <p className="field-hint" id="import-file-hint">
            Nothing is imported yet: you will see how the columns are read and choose what to do first.
          </p>
        </div>
        {upload.pending ? (
          <p className="muted" role="status">
            <span className="spinner" aria-hidden="true" /> Uploading…
          </p>
        ) : null}
        <FormError error={upload.error} />
      </section>
      <LoadState state={state}>
        {({ imports }) =>
          imports.length === 0 ? (
            <div className="card">
              <EmptyState title="No imports yet" />
            </div>
          ) : (
            <section className="card section" aria-labelledby="imports-title">
              <h2 id="imports-title">Imports</h2>
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">File</th>
                      <th scope="col">Status</th>
                      <th scope="col">Rows</th>
                      <th scope="col">Imported</th>
                      <th scope="col">Updated</th>
                      <th scope="col">Skipped / failed</th>
                      <th scope="col">When</th>
                    </tr>
                  </thead>
                  <tbody>
                    {imports.map((i) => (
                      <tr key={i.id}>
                        <td className="break" data-label="File">
                          <Link to={`/contacts/imports/${i.id}`}>{i.fileName}</Link>
                          <div className="muted small">{i.formatLabel}</div>
                        </td>
                        <td data-label="Status">
                          <span className={`badge ${importStatusLabels[i.status].tone}`}>{importStatusLabels[i.status].label}</span>
                        </td>
                        <td data-label="Rows">{formatCount(i.rowsDone)}</td>
                        <td data-label="Imported">{formatCount(i.imported)}</td>
                        <td data-label="Updated">{formatCount(i.updated)}</td>
                        <td data-label="Skipped / failed">
                          {formatCount(i.skipped)} / {formatCount(i.errored)}
                        </td>
                        <td data-label="When">
                          <Time iso={i.createdAt} style="date" />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )
        }
      </LoadState>
    </>
  );
}
