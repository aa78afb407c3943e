// Who a broadcast went to and what happened to each message: sent, opens, clicks, a bounce,
// a spam complaint, an unsubscribe or the error. Filters are kept in the address, so a view
// such as "everyone who bounced" can be bookmarked; pages load on demand ("Show more").
import { Link } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { LoadMore } from '../../components/load-more.js';
import { LoadState } from '../../components/load-state.js';
import { SearchFilters } from '../../components/search-filters.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { useSession } from '../../session.js';
import { broadcastsApi, formatCount, type Broadcast, type Recipient, type RecipientFilter } from './api.js';

const PAGE = 50;

const outcomeFilters: { value: RecipientFilter; label: string; none: string }[] = [
  { value: 'opened', label: 'Opened', none: 'Nobody has opened it yet, as far as Onehour can tell: opens are counted when a mail app loads images, so some readers are never counted.' },
  { value: 'clicked', label: 'Clicked a link', none: 'Nobody has clicked a link in it yet.' },
  { value: 'bounced', label: 'Bounced', none: 'No message bounced: every mail server took it (or has not told Onehour otherwise).' },
  { value: 'complained', label: 'Marked as spam', none: 'Nobody marked it as spam.' },
  { value: 'unsubscribed', label: 'Unsubscribed', none: 'Nobody unsubscribed through it.' },
];
const stateFilters: { value: RecipientFilter; label: string; none: string }[] = [
  { value: 'sent', label: 'Sent', none: 'No message has gone out yet.' },
  { value: 'failed', label: 'Failed', none: 'No message failed: none was refused for good by the mail server.' },
  { value: 'skipped', label: 'Skipped', none: 'Nobody was skipped: nobody unsubscribed, bounced or was suppressed between taking the audience and their message.' },
  { value: 'queued', label: 'Waiting to be sent', none: 'Nobody is waiting: every message has been handled.' },
  { value: 'sending', label: 'Being sent now', none: 'No message is being sent at this moment.' },
  { value: 'cancelled', label: 'Cancelled', none: 'Nobody was left out by a cancel.' },
];
const allFilters = [...outcomeFilters, ...stateFilters];

const stateLabels: Record<string, { label: string; tone: string }> = {
  queued: { label: 'Waiting', tone: '' },
  sending: { label: 'Sending', tone: 'warn' },
  sent: { label: 'Sent', tone: 'good' },
  failed: { label: 'Failed', tone: 'bad' },
  skipped: { label: 'Skipped', tone: '' },
  cancelled: { label: 'Cancelled', tone: '' },
};

/** Why a message did not land, or what the recipient did against it, in words. */
function problems(r: Recipient): string[] {
  const out: string[] = [];
  if (r.bounceKind === 'hard') out.push('Hard bounce: the address does not exist or refuses mail');
  else if (r.bounceKind === 'soft') out.push('Soft bounce: a temporary refusal, such as a full mailbox');
  if (r.complainedAt) out.push('Marked as spam');
  if (r.error) out.push(r.error === 'suppressed' ? 'Not sent: on the suppression list' : r.error === 'unsubscribed' ? 'Not sent: unsubscribed before their turn' : r.error);
  return out;
}

export function RecipientList({ b }: { b: Broadcast }) {
  const { can } = useSession();
  const [status, setStatus] = useQueryParam('recipients');
  const [search, setSearch] = useQueryParam('email');
  const filter = { status: (status || undefined) as RecipientFilter | undefined, search: search || undefined };
  const filtered = Boolean(filter.status || filter.search);
  // Reloads when the broadcast finishes, so the states are final.
  const state = useLoad(() => broadcastsApi.recipients(b.id, { ...filter, limit: PAGE }), [b.id, b.status, status, search]);
  const more = useAction(async (cursor: string) => {
    const next = await broadcastsApi.recipients(b.id, { ...filter, cursor, limit: PAGE });
    state.setData((d) => ({ ...d, recipients: [...d.recipients, ...next.recipients], nextCursor: next.nextCursor }));
  });
  const chosen = allFilters.find((f) => f.value === status);

  return (
    <section className="card section stack" aria-labelledby="recipients-title">
      <h2 id="recipients-title">Recipients</h2>
      <SearchFilters
        id="recipients"
        label="Find recipients"
        searchLabel="Email address"
        placeholder="Part of an address"
        search={search}
        filtered={filtered}
        onSearch={setSearch}
        onClear={() => {
          setSearch('');
          setStatus('');
        }}
      >
        <div className="field">
          <label htmlFor="recipients-status">Show</label>
          <select id="recipients-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Everyone</option>
            <optgroup label="What they did">
              {outcomeFilters.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </optgroup>
            <optgroup label="Their message">
              {stateFilters.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
      </SearchFilters>
      <LoadState state={state} label="Loading recipients…">
        {({ recipients, total, nextCursor }) =>
          recipients.length === 0 ? (
            <EmptyState title={filtered ? 'Nobody matches' : 'No recipients'}>
              <p>
                {filter.search
                  ? `No recipient's address contains “${filter.search}”${chosen ? ` among “${chosen.label}”` : ''}.`
                  : chosen
                    ? chosen.none
                    : 'Nobody could receive it when sending started: the list or segment was empty, or everyone on it had unsubscribed, bounced or been suppressed.'}
              </p>
            </EmptyState>
          ) : (
            <>
              <p className="muted small" aria-live="polite">
                {formatCount(total)} {total === 1 ? 'recipient' : 'recipients'}
                {filtered ? ' match' : ''}
              </p>
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Email</th>
                      <th scope="col">Status</th>
                      <th scope="col">Sent</th>
                      <th scope="col">Opens</th>
                      <th scope="col">Clicks</th>
                      <th scope="col">Bounce, complaint or error</th>
                    </tr>
                  </thead>
                  <tbody>
                    {recipients.map((r) => {
                      const s = stateLabels[r.status] ?? { label: r.status, tone: '' };
                      const issues = problems(r);
                      return (
                        <tr key={r.id}>
                          <td className="break" data-label="Email">
                            {can('contacts.read') ? <Link to={`/contacts/${r.contactId}`}>{r.email}</Link> : r.email}
                          </td>
                          <td data-label="Status">
                            <span className={`badge ${s.tone}`}>{s.label}</span>
                            {r.unsubscribedAt ? <span className="badge"> Unsubscribed</span> : null}
                          </td>
                          <td className="nowrap" data-label="Sent">
                            <Time iso={r.sentAt} />
                          </td>
                          <td data-label="Opens">{r.opens}</td>
                          <td data-label="Clicks">{r.clicks}</td>
                          <td data-label="Bounce, complaint or error">{issues.length ? issues.join('; ') : <span className="muted">—</span>}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <LoadMore more={more} nextCursor={nextCursor} shown={recipients.length} total={total} />
            </>
          )
        }
      </LoadState>
    </section>
  );
}
