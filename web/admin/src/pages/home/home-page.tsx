import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { activity, setup } from '../../api.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { Icon } from '../../components/icon.js';
import { PageHeader } from '../../components/page-header.js';
import { roleLabel } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { navItems } from '../../nav.js';
import { useSession, useUser } from '../../session.js';

function greeting(now = new Date()): string {
  const h = now.getHours();
  return h < 5 ? 'Good evening' : h < 12 ? 'Good morning' : h < 18 ? 'Good afternoon' : 'Good evening';
}

export default function HomePage() {
  const user = useUser();
  const { can } = useSession();
  const firstName = user.name.split(/\s+/)[0] ?? user.name;
  const areas = navItems.filter((i) => i.path !== '/' && i.id !== 'account' && can(i.permission));
  return (
    <>
      <PageHeader
        title={`${greeting()}, ${firstName}`}
        intro={
          user.role === 'owner'
            ? 'Onehour runs the business so it keeps earning while you are away, and tells you once a week what needs you.'
            : `You help run this business as ${roleLabel(user.role)}. These are the parts of Onehour your role includes.`
        }
      />
      {user.role === 'owner' ? <OwnerChecklist /> : null}
      <section aria-labelledby="areas-title" className="section">
        <h2 id="areas-title">{user.role === 'owner' ? 'Everything in Onehour' : 'Your areas'}</h2>
        <ul className="area-grid">
          {areas.map((item) => (
            <li key={item.id}>
              <Link to={item.path} className="area-card">
                <span className="area-icon">
                  <Icon name={item.icon} />
                </span>
                <span>
                  <span className="area-title">{item.label}</span>
                  <span className="area-text">{item.description}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function OwnerChecklist() {
  const user = useUser();
  const { can } = useSession();
  // Someone was invited once the log holds a user.invited event (demo assistants were not invited).
  const invitations = useLoad(() => activity.list({ type: 'user.invited', limit: 1 }), []);
  const invited = Boolean(invitations.data?.events.length);
  const demoStatus = useLoad(() => setup.demoStatus(), []);
  const [demoJustLoaded, setDemoLoaded] = useState(false);
  const demoLoaded = demoJustLoaded || Boolean(demoStatus.data?.loaded);
  const [demoResult, setDemoResult] = useState<string | null>(null);
  const demo = useAction(async () => {
    const { loaded } = await setup.loadDemo();
    setDemoLoaded(true);
    setDemoResult(loaded ? 'The demo business is loaded. Have a look at Team and Activity.' : 'The demo business was already loaded.');
  });

  const steps: { id: string; done: boolean; title: string; body: ReactNode }[] = [
    { id: 'account', done: true, title: 'Create your owner account', body: 'Done. You are the one person who can change everything.' },
    {
      id: 'demo',
      done: demoLoaded,
      title: 'Explore with the demo business',
      body: (
        <>
          <p>A sample team with a year of history (and more as modules arrive), so you can see Onehour at work before your own data does. It loads once.</p>
          <FormError error={demo.error} />
          <FormNotice>{demoResult}</FormNotice>
          {!demoLoaded ? (
            <button type="button" className="button" disabled={demo.pending} onClick={() => void demo.run()}>
              {demo.pending ? 'Loading the demo…' : 'Load the demo business'}
            </button>
          ) : null}
        </>
      ),
    },
    {
      id: 'invite',
      done: invited,
      title: 'Invite an assistant',
      body: (
        <>
          <p>Hand the day-to-day to people with just the access they need: support, content or marketing.</p>
          <Link to="/team">Invite someone</Link>
        </>
      ),
    },
    {
      id: 'two-factor',
      done: user.twoFactorEnabled,
      title: 'Turn on two-factor sign-in',
      body: (
        <>
          <p>Your account can change everything; protect it with a code from an authenticator app.</p>
          <Link to="/account">Set it up</Link>
        </>
      ),
    },
  ];

  const remaining = steps.filter((s) => !s.done).length;
  return (
    <section aria-labelledby="checklist-title" className="section card">
      <div className="section-head">
        <h2 id="checklist-title">Getting started</h2>
        <span className="muted small">{remaining === 0 ? 'All done' : `${steps.length - remaining} of ${steps.length} done`}</span>
      </div>
      <ol className="checklist">
        {steps.map((s) => (
          <li key={s.id} className={s.done ? 'done' : undefined}>
            <span className="check" aria-hidden="true">
              {s.done ? <Icon name="check" size={16} /> : null}
            </span>
            <div>
              <h3>
                {s.title}
                {s.done ? <span className="visually-hidden"> (done)</span> : null}
              </h3>
              <div className="checklist-body">{typeof s.body === 'string' ? <p>{s.body}</p> : s.body}</div>
            </div>
          </li>
        ))}
      </ol>
      {can('data.export') ? (
        <p className="muted small checklist-foot">
          Now and then, <a href={setup.exportUrl} download>download a full export</a> of the business as a backup (every table, as gzipped JSON lines).
        </p>
      ) : null}
    </section>
  );
}
