import { useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams, useSearchParams } from 'react-router';
import { outbox, type MessageSummary } from '../../api.js';
import { EmptyState } from '../../components/empty-state.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../lib/use-load.js';
import { MessagePreview } from './message-preview.js';
import { statusLabels } from './status.js';

/** /outbox lists the messages; /outbox/:id shows one beside the list. */
export default function OutboxArea() {
  return (
    <Routes>
      <Route index element={<OutboxPage />} />
      <Route path=":id" element={<OutboxPage />} />
    </Routes>
  );
}

function OutboxPage() {
  const { id } = useParams();
  const [params, setParams] = useSearchParams();
  const to = params.get('to') ?? '';
  const [toDraft, setToDraft] = useState(to);
  const state = useLoad(() => outbox.list({ to: to || undefined, limit: 200 }), [to]);
  const navigate = useNavigate();
  const search = params.toString() ? `?${params.toString()}` : '';

  return (
    <>
      <PageHeader title="Outbox" intro="The emails Onehour sent or keeps: invitations, password resets, receipts and, later, broadcasts. Open one to see it as it was sent." />
      <form
        className="filters card"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParams(toDraft.trim() ? { to: toDraft.trim() } : {}, { replace: true });
        }}
      >
        <div className="field">
          <label htmlFor="outbox-to">Recipient</label>
          <input id="outbox-to" type="email" value={toDraft} onChange={(e) => setToDraft(e.target.value)} placeholder="name@example.com" />
        </div>
        <button type="submit" className="button">
          Show
        </button>
        {to ? (
          <button
            type="button"
            className="button subtle"
            onClick={() => {
              setToDraft('');
              setParams({}, { replace: true });
            }}
          >
            Show all
          </button>
        ) : null}
      </form>
      <LoadState state={state} label="Loading the outbox…">
        {({ messages, outboxOnly }) => (
          <>
            {outboxOnly ? (
              <p className="notice">
                No email server is set up (<code>SMTP_URL</code>), so Onehour keeps every message here instead of sending it. Pass links on by hand, or set up SMTP
                (see docs/configuration.md).
              </p>
            ) : null}
            {messages.length === 0 ? (
              <div className="card">
                <EmptyState title={to ? `No messages to ${to}` : 'No emails yet'}>
                  <p>Invitations, password resets and receipts appear here as Onehour sends them.</p>
                </EmptyState>
              </div>
            ) : (
              <div className={`split ${id ? 'has-detail' : ''}`}>
                <section className="card split-list" aria-label="Messages">
                  <ul className="message-list">
                    {messages.map((m) => (
                      <MessageRow key={m.id} m={m} selected={m.id === id} to={`/outbox/${m.id}${search}`} />
                    ))}
                  </ul>
                  {messages.length >= 200 ? <p className="muted small pad">The newest 200 are shown. Filter by recipient to find an older one.</p> : null}
                </section>
                {id ? (
                  <section className="card split-detail" aria-label="Message preview">
                    <MessagePreview id={id} onClose={() => navigate(`/outbox${search}`)} />
                  </section>
                ) : (
                  <div className="card split-detail split-empty">
                    <EmptyState title="Pick a message">
                      <p>Its text and HTML versions show here.</p>
                    </EmptyState>
                  </div>
                )}
              </div>
            )}
          </>
        )}
      </LoadState>
    </>
  );
}

function MessageRow({ m, selected, to }: { m: MessageSummary; selected: boolean; to: string }) {
  const status = statusLabels[m.status] ?? { label: m.status, tone: '' };
  return (
    <li>
      <Link to={to} className={`message-row ${selected ? 'selected' : ''}`} aria-current={selected ? 'true' : undefined}>
        <span className="message-subject">{m.subject}</span>
        <span className="message-meta muted small">
          <span className="break">To {m.to}</span> · <Time iso={m.createdAt} style="relative" />
        </span>
        <span className="message-tags">
          <span className={`badge ${status.tone}`}>{status.label}</span> <span className="badge">{m.tag}</span>
        </span>
      </Link>
    </li>
  );
}
