import { Link } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { audience, formatCount } from './api.js';

export function FormsPage() {
  const { can } = useSession();
  const state = useLoad(() => audience.forms(), []);
  return (
    <>
      <PageHeader
        title="Forms"
        intro="Opt-in forms: a page of their own and a snippet to paste into any site. Double opt-in, a lead magnet after confirmation, and the consent text kept as evidence."
        actions={
          can('contacts.write') ? (
            <Link className="button primary" to="/contacts/forms/new">
              New form
            </Link>
          ) : null
        }
      />
      <LoadState state={state}>
        {({ forms }) =>
          forms.length === 0 ? (
            <div className="card">
              <EmptyState title="No forms yet">
                <p>Create one for your newsletter, and one per free guide or checklist you give away.</p>
              </EmptyState>
            </div>
          ) : (
            <section className="card section" aria-label="Forms">
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Form</th>
                      <th scope="col">Address</th>
                      <th scope="col">Sign-ups</th>
                      <th scope="col">Confirmed</th>
                      <th scope="col">Opt-in</th>
                    </tr>
                  </thead>
                  <tbody>
                    {forms.map((f) => (
                      <tr key={f.id}>
                        <td data-label="Form">
                          <Link to={`/contacts/forms/${f.id}`}>
                            <strong>{f.name}</strong>
                          </Link>{' '}
                          {f.archived ? <span className="badge">Archived</span> : null} {f.leadMagnet ? <span className="badge">Lead magnet</span> : null}
                        </td>
                        <td className="break" data-label="Address">
                          {f.archived ? <span className="muted">offline</span> : <a href={f.url} target="_blank" rel="noreferrer">/f/{f.slug}</a>}
                        </td>
                        <td data-label="Sign-ups">{formatCount(f.stats.submissions)}</td>
                        <td data-label="Confirmed">
                          {formatCount(f.stats.confirmations)}
                          {f.doubleOptIn && f.stats.submissions ? <span className="muted small"> ({Math.round((f.stats.confirmations / f.stats.submissions) * 100)} %)</span> : null}
                        </td>
                        <td data-label="Opt-in">{f.doubleOptIn ? 'Double' : 'Single'}</td>
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
