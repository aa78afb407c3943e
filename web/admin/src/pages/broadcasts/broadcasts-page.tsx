// Broadcasts: the list, the editor (write, preview on desktop and mobile, test, schedule),
// the report of a sent broadcast, every bounce and complaint, and the mail settings with the
// suppression list.
import { useEffect } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { broadcastsApi, percent, statusLabels, type Broadcast, type BroadcastListItem } from './api.js';
import { BouncesPage } from './bounce-list.js';
import { BroadcastsNav } from './broadcasts-nav.js';
import { BroadcastEditor } from './editor.js';
import { BroadcastReport } from './report.js';
import { MailSettingsPage } from './settings.js';

export default function BroadcastsArea() {
  return (
    <Routes>
      <Route index element={<BroadcastList />} />
      <Route path="new" element={<BroadcastEditor />} />
      <Route path="settings" element={<MailSettingsPage />} />
      <Route path="bounces" element={<BouncesPage />} />
      <Route path=":id" element={<BroadcastDetail />} />
    </Routes>
  );
}

function BroadcastList() {
  const state = useLoad(() => broadcastsApi.list(), []);
  // Writing a broadcast needs mail.send: support reads the list (mail.read) but gets no button.
  const mayWrite = useSession().can('mail.send');
  return (
    <>
      <PageHeader
        title="Broadcasts"
        intro="Emails to a list or a segment, with opens, clicks, unsubscribes and bounces."
        actions={
          mayWrite ? (
            <Link className="button primary" to="/broadcasts/new">
              New broadcast
            </Link>
          ) : null
        }
      />
      <BroadcastsNav />
      <LoadState state={state} label="Loading broadcasts…">
        {({ broadcasts }) =>
          broadcasts.length === 0 ? (
            <div className="card">
              <EmptyState title="No broadcasts yet" action={mayWrite ? <Link className="button primary" to="/broadcasts/new">Write the first one</Link> : null}>
                <p>Write once, preview on desktop and phone, send a test, then send or schedule it.</p>
              </EmptyState>
            </div>
          ) : (
            <div className="card table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Broadcast</th>
                    <th scope="col">Status</th>
                    <th scope="col">When</th>
                    <th scope="col">Recipients</th>
                  </tr>
                </thead>
                <tbody>
                  {broadcasts.map((b) => (
                    <Row key={b.id} b={b} />
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadState>
    </>
  );
}

function Row({ b }: { b: BroadcastListItem }) {
  const s = statusLabels[b.status];
  const when = b.finishedAt ?? b.startedAt ?? b.scheduledAt ?? b.updatedAt;
  return (
    <tr>
      <td>
        <Link to={`/broadcasts/${b.id}`}>{b.name}</Link>
        <div className="muted small truncate">
          <span className="visually-hidden">Subject: </span>
          {b.preview.subject}
          {b.preview.snippet ? ` — ${b.preview.snippet}` : ''}
        </div>
      </td>
      <td>
        <span className={`badge ${s.tone}`}>{s.label}</span>
        {b.pausedReason === 'guard' ? <span className="badge bad"> Paused by the guard</span> : null}
      </td>
      <td className="nowrap">
        <Time iso={when} style="date" />
      </td>
      <td>{b.status === 'draft' || b.status === 'scheduled' ? '—' : `${b.sentCount} of ${b.recipientsTotal}`}</td>
    </tr>
  );
}

function BroadcastDetail() {
  const { id } = useParams();
  const navigate = useNavigate();
  const state = useLoad(() => broadcastsApi.get(id!), [id]);
  // A broadcast about to start: watch for it to begin sending, then show its report.
  const due = state.data?.status === 'scheduled' && new Date(state.data.scheduledAt ?? 0).getTime() < Date.now() + 60_000;
  useEffect(() => {
    if (!due) return;
    const timer = setInterval(state.reload, 2000);
    return () => clearInterval(timer);
  }, [due, state.reload]);
  return (
    <LoadState state={state} label="Opening the broadcast…">
      {(b) =>
        b.status === 'draft' || b.status === 'scheduled' ? (
          <BroadcastEditor existing={b} onChanged={state.reload} onDeleted={() => navigate('/broadcasts')} />
        ) : (
          <BroadcastReport b={b} reload={state.reload} />
        )
      }
    </LoadState>
  );
}

export { percent };
