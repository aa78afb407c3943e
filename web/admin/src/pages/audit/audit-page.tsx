import { audit, type AuditEntry } from '../../api.js';
import { EmptyState } from '../../components/empty-state.js';
import { CheckboxField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { describeAuditAction } from './describe-audit.js';

const PAGE = 50;
const actorKindLabels: Record<string, string> = { owner: 'Owner', assistant: 'Assistant', automation: 'API key or automation', customer: 'Customer', system: 'System' };

/** Owner and admins: every admin write and every refused request. */
export default function AuditPage() {
  const [outcome, setOutcome] = useQueryParam('outcome');
  const deniedOnly = outcome === 'denied';
  const state = useLoad(() => audit.list({ outcome: deniedOnly ? 'denied' : undefined, limit: PAGE }), [deniedOnly]);
  const more = useAction(async (before: number) => {
    const next = await audit.list({ outcome: deniedOnly ? 'denied' : undefined, before, limit: PAGE });
    state.setData((d) => ({ entries: [...d.entries, ...next.entries], nextBefore: next.nextBefore }));
  });

  return (
    <>
      <PageHeader
        title="Audit log"
        intro="Every change made in the admin or through the API, and every request Onehour refused: who, what, when and from where. Entries cannot be edited."
      />
      <form className="filters card" onSubmit={(e) => e.preventDefault()} aria-label="Filter the audit log">
        <CheckboxField
          label="Denied only"
          hint="Refused requests: failed sign-ins and attempts beyond someone’s role."
          checked={deniedOnly}
          onChange={(e) => setOutcome(e.target.checked ? 'denied' : '')}
        />
      </form>
      <LoadState state={state} label="Loading the audit log…">
        {({ entries, nextBefore }) =>
          entries.length === 0 ? (
            <div className="card">
              <EmptyState title={deniedOnly ? 'No refused requests' : 'No entries yet'}>
                <p>{deniedOnly ? 'Nobody has been refused anything. Failed sign-ins and attempts beyond a role would show here.' : 'Changes and refusals are recorded here as they happen.'}</p>
              </EmptyState>
            </div>
          ) : (
            <section className="card section" aria-label="Audit entries">
              <div className="table-wrap">
                <table className="audit-table stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Who</th>
                      <th scope="col">What</th>
                      <th scope="col">IP address</th>
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((e) => (
                      <AuditRow key={e.id} entry={e} />
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="load-more" aria-live="polite">
                <FormError error={more.error} />
                {nextBefore ? (
                  <button type="button" className="button" disabled={more.pending} onClick={() => void more.run(nextBefore)}>
                    {more.pending ? 'Loading…' : 'Load more'}
                  </button>
                ) : (
                  <p className="muted small">That is everything: {entries.length} entries.</p>
                )}
              </div>
            </section>
          )
        }
      </LoadState>
    </>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const denied = e.outcome === 'denied';
  const { title, detail } = describeAuditAction(e);
  return (
    <tr className={denied ? 'denied' : undefined}>
      <td className="nowrap" data-label="When">
        <Time iso={e.at} />
      </td>
      <td data-label="Outcome">{denied ? <span className="badge bad">Denied</span> : <span className="muted small">Allowed</span>}</td>
      <td data-label="Who">
        <div>
          <span className="break">{e.actorLabel ?? (e.actorKind === 'system' ? 'Onehour' : (e.actorId ?? '—'))}</span>
          <div className="muted small">{actorKindLabels[e.actorKind] ?? e.actorKind}</div>
        </div>
      </td>
      <td data-label="What">
        <div>
        <span>{title}</span>
        <div className="muted small">
          <code>{e.action}</code>
          {detail ? ` · ${detail}` : null}
        </div>
        </div>
      </td>
      <td className="nowrap" data-label="IP address">{e.ip ?? <span className="muted">—</span>}</td>
    </tr>
  );
}
