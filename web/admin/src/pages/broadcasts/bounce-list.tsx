// Bounces and spam complaints as providers reported them: newest first, by kind and address,
// for every broadcast (a tab of the Broadcasts area, beside the mail settings and their
// suppression list) or for one (in its report).
import { useState } from 'react';
import { Link } from 'react-router';
import { PageHeader } from '../../components/page-header.js';
import { EmptyState } from '../../components/empty-state.js';
import { LoadMore } from '../../components/load-more.js';
import { LoadState } from '../../components/load-state.js';
import { SearchFilters } from '../../components/search-filters.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { broadcastsApi, formatCount, type BounceKind } from './api.js';
import { BroadcastsNav } from './broadcasts-nav.js';

const PAGE = 50;

const kindLabels: Record<BounceKind, { label: string; tone: string; plural: string }> = {
  hard: { label: 'Hard bounce', tone: 'bad', plural: 'Hard bounces' },
  soft: { label: 'Soft bounce', tone: 'warn', plural: 'Soft bounces' },
  complaint: { label: 'Spam complaint', tone: 'bad', plural: 'Spam complaints' },
};

const providerLabels: Record<string, string> = {
  smtp: 'the SMTP server',
  ses: 'Amazon SES',
  postmark: 'Postmark',
  mailgun: 'Mailgun',
  sendgrid: 'SendGrid',
  dsn: 'a bounce message',
};

export function BouncesPage() {
  return (
    <>
      <PageHeader
        title="Bounces & complaints"
        intro={
          <>
            Every refusal and spam complaint your providers reported, newest first. A hard bounce, three soft bounces or one complaint put the address on the{' '}
            <Link to="/broadcasts/settings">suppression list</Link>.
          </>
        }
      />
      <BroadcastsNav />
      <BounceList />
    </>
  );
}

export function BounceList({ broadcastId }: { broadcastId?: string }) {
  const { can } = useSession();
  const [kind, setKind] = useState<BounceKind | ''>('');
  const [search, setSearch] = useState('');
  const filter = { broadcastId, kind: kind || undefined, search: search || undefined };
  const filtered = Boolean(kind || search);
  const state = useLoad(() => broadcastsApi.bounces({ ...filter, limit: PAGE }), [broadcastId, kind, search]);
  const more = useAction(async (cursor: string) => {
    const next = await broadcastsApi.bounces({ ...filter, cursor, limit: PAGE });
    state.setData((d) => ({ ...d, bounces: [...d.bounces, ...next.bounces], nextCursor: next.nextCursor }));
  });
  const id = broadcastId ? 'broadcast-bounces' : 'bounces';

  return (
    <section className="card section stack" aria-labelledby={`${id}-title`}>
      {broadcastId ? (
        <>
          <h2 id={`${id}-title`}>Bounces &amp; complaints</h2>
          <p className="muted">Mail servers that refused this broadcast, and people who marked it as spam.</p>
        </>
      ) : (
        <h2 id={`${id}-title`} className="visually-hidden">
          Every bounce and complaint
        </h2>
      )}
      <SearchFilters
        id={id}
        label="Find bounces and complaints"
        searchLabel="Email address"
        placeholder="Part of an address"
        search={search}
        filtered={filtered}
        onSearch={setSearch}
        onClear={() => {
          setSearch('');
          setKind('');
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as BounceKind | '')}>
            <option value="">All kinds</option>
            {(Object.keys(kindLabels) as BounceKind[]).map((k) => (
              <option key={k} value={k}>
                {kindLabels[k].plural}
              </option>
            ))}
          </select>
        </div>
      </SearchFilters>
      <LoadState state={state} label="Loading bounces and complaints…">
        {({ bounces, total, nextCursor }) =>
          bounces.length === 0 ? (
            <EmptyState title={filtered ? 'Nothing matches' : broadcastId ? 'No bounces or complaints' : 'No bounces or complaints yet'}>
              <p>
                {filtered
                  ? 'No bounce or complaint matches this kind and address.'
                  : broadcastId
                    ? 'No mail server has refused this broadcast and nobody has marked it as spam, as far as your provider has told Onehour.'
                    : 'When a mail server refuses a message or someone marks it as spam, it shows here and the address stops getting broadcasts.'}
              </p>
            </EmptyState>
          ) : (
            <>
              <p className="muted small" aria-live="polite">
                {formatCount(total)} {total === 1 ? 'report' : 'reports'}
                {filtered ? ' match' : ''}
              </p>
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Address</th>
                      <th scope="col">Kind</th>
                      <th scope="col">When</th>
                      {broadcastId ? null : <th scope="col">Broadcast</th>}
                      <th scope="col">What the server said</th>
                    </tr>
                  </thead>
                  <tbody>
                    {bounces.map((x) => (
                      <tr key={x.id}>
                        <td className="break" data-label="Address">
                          {x.contactId && can('contacts.read') ? <Link to={`/contacts/${x.contactId}`}>{x.email}</Link> : x.email}
                        </td>
                        <td data-label="Kind">
                          <span className={`badge ${kindLabels[x.kind].tone}`}>{kindLabels[x.kind].label}</span>
                        </td>
                        <td className="nowrap" data-label="When">
                          <Time iso={x.occurredAt} />
                        </td>
                        {broadcastId ? null : (
                          <td data-label="Broadcast">
                            {x.broadcastId && x.broadcastName ? <Link to={`/broadcasts/${x.broadcastId}`}>{x.broadcastName}</Link> : <span className="muted">No broadcast</span>}
                          </td>
                        )}
                        <td className="break" data-label="What the server said">
                          {x.detail || <span className="muted">—</span>} <span className="muted small">(from {providerLabels[x.provider] ?? x.provider})</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <LoadMore more={more} nextCursor={nextCursor} shown={bounces.length} total={total} />
            </>
          )
        }
      </LoadState>
    </section>
  );
}
