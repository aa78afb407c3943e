// A broadcast that is sending or sent: progress, the numbers that matter, clicks per link,
// every recipient with what happened to their message, its bounces and complaints, and
// pause / resume / cancel.
import { Link } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { FormError } from '../../components/form-error.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { useEffect } from 'react';
import { broadcastsApi, percent, statusLabels, type Broadcast, type BroadcastStats } from './api.js';
import { BounceList } from './bounce-list.js';
import { RecipientList } from './recipient-list.js';

export function BroadcastReport({ b, reload }: { b: Broadcast & { stats: BroadcastStats }; reload(): void }) {
  const confirm = useConfirm();
  const maySteer = useSession().can('mail.send');
  const links = useLoad(() => broadcastsApi.links(b.id), [b.id, b.stats.clicks]);
  // With no SMTP server the messages stay in the local outbox: nothing was delivered anywhere.
  const settings = useLoad(() => broadcastsApi.settings(), []);
  const outbox = settings.data?.transport === 'outbox';
  const act = useAction(async (action: 'pause' | 'resume' | 'cancel') => {
    if (action === 'cancel' && !(await confirm({ title: 'Cancel this broadcast?', body: <p>Recipients who have not had it yet will not get it. This cannot be undone.</p>, confirmLabel: 'Cancel broadcast', danger: true }))) return;
    await broadcastsApi.action(b.id, action);
    reload();
  });
  // While it sends, refresh every few seconds.
  useEffect(() => {
    if (b.status !== 'sending') return;
    const t = setInterval(reload, 3000);
    return () => clearInterval(t);
  }, [b.status, reload]);
  const s = b.stats;
  const done = s.sent + s.failed + s.skipped + s.cancelled;
  const status = statusLabels[b.status];
  const figures: [string, string, string?][] = [
    ['Sent', String(s.sent), s.recipients ? `of ${s.recipients}` : undefined],
    [outbox ? 'Kept in the outbox' : 'Delivered', String(s.delivered)],
    ['Opened', String(s.opened), percent(s.rates.open)],
    ['Clicked', String(s.clicked), percent(s.rates.click)],
    ['Unsubscribed', String(s.unsubscribed), percent(s.rates.unsubscribe)],
    ['Bounced', String(s.bounced), percent(s.rates.bounce)],
    ['Complaints', String(s.complained), percent(s.rates.complaint)],
  ];
  return (
    <>
      <PageHeader
        title={b.name}
        intro={
          <>
            <span className={`badge ${status.tone}`}>{status.label}</span> “{b.subject}” · started <Time iso={b.startedAt} />
            {b.finishedAt ? (
              <>
                {' '}
                · ended <Time iso={b.finishedAt} />
              </>
            ) : null}
          </>
        }
        actions={
          <Link className="button subtle" to="/broadcasts">
            All broadcasts
          </Link>
        }
      />
      <FormError error={act.error} />
      {outbox ? (
        <p className="notice" role="status">
          No email server is set up, so these messages were kept in the <Link to="/outbox">outbox</Link>, not delivered to anyone. Set <code>SMTP_URL</code> to send for real.
        </p>
      ) : null}
      {b.status === 'paused' && b.pausedReason === 'guard' ? (
        <div className="notice" role="alert">
          <strong>Paused to protect your sender reputation.</strong> {b.pausedDetail}. Clean the list (old or bought addresses bounce; people who did not expect your mail complain), then resume or cancel.
        </div>
      ) : null}
      {b.status === 'sending' || b.status === 'paused' ? (
        <div className="card stack">
          <label htmlFor="progress">
            {done} of {s.recipients} handled
          </label>
          <progress id="progress" max={s.recipients || 1} value={done} style={{ width: '100%' }} />
          {maySteer ? (
          <div className="button-row">
            {b.status === 'sending' ? (
              <button type="button" className="button" onClick={() => void act.run('pause')}>
                Pause
              </button>
            ) : (
              <button type="button" className="button primary" onClick={() => void act.run('resume')}>
                Resume
              </button>
            )}
            <button type="button" className="button danger-text" onClick={() => void act.run('cancel')}>
              Cancel
            </button>
          </div>
          ) : null}
        </div>
      ) : null}
      <section className="card" aria-labelledby="numbers">
        <h2 id="numbers">Numbers</h2>
        <dl className="facts">
          {figures.map(([label, value, note]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>
                <strong>{value}</strong> {note ? <span className="muted small">{note}</span> : null}
              </dd>
            </div>
          ))}
        </dl>
        {s.failed || s.skipped ? (
          <p className="muted small">
            {s.failed} failed for good, {s.skipped} skipped (unsubscribed, bounced or suppressed after the audience was taken).
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="links">
        <h2 id="links">Clicks per link</h2>
        {links.data && links.data.links.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Link</th>
                  <th scope="col">People</th>
                  <th scope="col">Clicks</th>
                </tr>
              </thead>
              <tbody>
                {links.data.links.map((l) => (
                  <tr key={l.idx}>
                    <td className="break">{l.url}</td>
                    <td>{l.uniqueClicks}</td>
                    <td>{l.clicks}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No tracked links in this broadcast.</p>
        )}
      </section>
      <RecipientList b={b} />
      <BounceList broadcastId={b.id} />
    </>
  );
}
