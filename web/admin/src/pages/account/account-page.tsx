import { useState } from 'react';
import { PageHeader } from '../../components/page-header.js';
import { roleLabel } from '../../lib/format.js';
import { useSession, useUser } from '../../session.js';
import { Time } from '../../components/time.js';
import { PasswordForm } from './password-form.js';
import { SessionsPanel } from './sessions-panel.js';
import { TwoFactorPanel } from './two-factor-panel.js';
import { account } from '../../api.js';
import { TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { useFormAction } from '../../lib/use-action.js';

/** Your name as the team and the blog's bylines show it. */
function NameForm({ name }: { name: string }) {
  const { refresh } = useSession();
  const [done, setDone] = useState(false);
  const save = useFormAction(async (f) => {
    setDone(false);
    await account.rename(f.text('name'));
    await refresh();
    setDone(true);
  });
  return (
    <form className="stack" onSubmit={save.onSubmit}>
      <TextField label="Your name" name="name" defaultValue={name} required maxLength={120} hint="Shown to the team and as the author of your blog posts." error={save.fieldErrors.name} />
      <FormError error={save.error} />
      <FormNotice>{done ? 'Saved.' : null}</FormNotice>
      <div>
        <button type="submit" className="button" disabled={save.pending}>
          {save.pending ? 'Saving…' : 'Save name'}
        </button>
      </div>
    </form>
  );
}

export default function AccountPage() {
  const user = useUser();
  const { signOut } = useSession();
  // Changing the password ends the other sessions: the list reloads after it.
  const [sessionsVersion, setSessionsVersion] = useState(0);
  const [signingOut, setSigningOut] = useState(false);
  return (
    <>
      <PageHeader title="My account" intro="Your sign-in: password, two-factor codes and the devices where you are signed in." />
      <section className="card section" aria-labelledby="profile-title">
        <h2 id="profile-title">You</h2>
        <dl className="facts">
          <div>
            <dt>Name</dt>
            <dd>
              <NameForm name={user.name} />
            </dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd className="break">{user.email}</dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>{roleLabel(user.role)}</dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>
              <Time iso={user.createdAt} style="date" />
            </dd>
          </div>
        </dl>
      </section>
      <div className="two-columns">
        <PasswordForm onChanged={() => setSessionsVersion((v) => v + 1)} />
        <TwoFactorPanel />
      </div>
      <SessionsPanel version={sessionsVersion} />
      <section className="card section" aria-labelledby="signout-title">
        <h2 id="signout-title">Sign out</h2>
        <p>Ends this session on the server. Your other devices stay signed in.</p>
        <button
          type="button"
          className="button"
          disabled={signingOut}
          onClick={() => {
            setSigningOut(true);
            void signOut().finally(() => setSigningOut(false));
          }}
        >
          {signingOut ? 'Signing out…' : 'Sign out of this device'}
        </button>
      </section>
    </>
  );
}
