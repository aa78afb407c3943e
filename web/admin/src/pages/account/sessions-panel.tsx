import { useState } from 'react';
import { account, type DeviceSession } from '../../api.js';
import { useConfirm } from '../../components/confirm.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { Time } from '../../components/time.js';
import { describeUserAgent } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';

/** Where you are signed in; sign out one device or every other one. */
export function SessionsPanel({ version }: { version: number }) {
  const state = useLoad(() => account.sessions(), [version]);
  const confirm = useConfirm();
  const [notice, setNotice] = useState<string | null>(null);

  const revokeOne = useAction(async (s: DeviceSession) => {
    setNotice(null);
    await account.revokeSession(s.id);
    state.setData((d) => ({ sessions: d.sessions.filter((x) => x.id !== s.id) }));
    setNotice(`${describeUserAgent(s.userAgent)} was signed out.`);
  });
  const revokeOthers = useAction(async () => {
    setNotice(null);
    const ok = await confirm({
      title: 'Sign out everywhere else?',
      body: <p>Every other browser and device where you are signed in must sign in again. This one stays signed in.</p>,
      confirmLabel: 'Sign out everywhere else',
      danger: true,
    });
    if (!ok) return;
    const { revoked } = await account.revokeOtherSessions();
    state.setData((d) => ({ sessions: d.sessions.filter((x) => x.current) }));
    setNotice(revoked === 1 ? 'One other session was signed out.' : `${revoked} other sessions were signed out.`);
  });

  return (
    <section className="card section" aria-labelledby="sessions-title">
      <div className="section-head">
        <h2 id="sessions-title">My sessions</h2>
        {state.data && state.data.sessions.length > 1 ? (
          <button type="button" className="button small" disabled={revokeOthers.pending} onClick={() => void revokeOthers.run()}>
            Sign out everywhere else
          </button>
        ) : null}
      </div>
      <FormError error={revokeOne.error ?? revokeOthers.error} />
      <FormNotice>{notice}</FormNotice>
      <LoadState state={state}>
        {({ sessions }) => (
          <ul className="plain-list">
            {sessions.map((s) => (
              <li key={s.id} className="list-row">
                <div>
                  <strong>{describeUserAgent(s.userAgent)}</strong> {s.current ? <span className="badge good">This device</span> : null}
                  <div className="muted small">
                    {s.ip ?? 'Unknown address'} · last seen <Time iso={s.lastSeenAt} style="relative" /> · signed in <Time iso={s.createdAt} />
                  </div>
                </div>
                {s.current ? null : (
                  <button type="button" className="button small" disabled={revokeOne.pending} onClick={() => void revokeOne.run(s)}>
                    Sign out<span className="visually-hidden"> {describeUserAgent(s.userAgent)} from {s.ip ?? 'an unknown address'}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </LoadState>
    </section>
  );
}
