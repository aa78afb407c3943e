import { useState } from 'react';
import { account } from '../../api.js';
import { CopyField } from '../../components/copy-field.js';
import { PasswordField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { QrCode } from '../../components/qr-code.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useSession, useUser } from '../../session.js';

/** Two-factor sign-in (owner and admins): enrol with an authenticator app, or turn it off. */
export function TwoFactorPanel() {
  const user = useUser();
  const { refresh } = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const begin = useAction(async () => {
    setNotice(null);
    setEnrolment(await account.beginTwoFactor());
  });
  const confirm = useFormAction(async (f) => {
    await account.confirmTwoFactor({ code: f.text('code') });
    setEnrolment(null);
    await refresh();
    setNotice('Two-factor sign-in is on. From now on, Onehour asks for a code from your app after your password.');
  });
  const disable = useFormAction(
    async (f) => {
      await account.disableTwoFactor({ password: f.text('password') });
      await refresh();
      setNotice('Two-factor sign-in is off.');
    },
    { reset: true },
  );

  const eligible = user.role === 'owner' || user.role === 'admin';
  return (
    <section className="card section" aria-labelledby="twofactor-title">
      <div className="section-head">
        <h2 id="twofactor-title">Two-factor sign-in</h2>
        {eligible ? user.twoFactorEnabled ? <span className="badge good">On</span> : <span className="badge warn">Off</span> : null}
      </div>
      <FormNotice>{notice}</FormNotice>
      {!eligible ? (
        <p className="muted">Two-factor sign-in is for the owner and admins, whose accounts can change everything. Your role signs in with a password.</p>
      ) : user.twoFactorEnabled ? (
        <form className="stack" onSubmit={disable.onSubmit}>
          <p>After your password, Onehour asks for the 6-digit code from your authenticator app. To turn it off, confirm with your password.</p>
          <PasswordField label="Your password" name="password" autoComplete="current-password" required error={disable.fieldErrors.password} />
          <FormError error={disable.error} />
          <div>
            <button type="submit" className="button danger" disabled={disable.pending}>
              {disable.pending ? 'Turning off…' : 'Turn off two-factor'}
            </button>
          </div>
        </form>
      ) : enrolment ? (
        <div className="stack">
          <ol className="steps">
            <li>
              <p>Scan this code with an authenticator app (1Password, Google Authenticator, Aegis, …).</p>
              <QrCode value={enrolment.uri} label="QR code for your authenticator app" />
            </li>
            <li>
              <p>Cannot scan? Enter the setup key in the app instead, or open the link on a phone that has the app.</p>
              <CopyField label="Setup key" value={enrolment.secret.replace(/(.{4})(?=.)/g, '$1 ')} copyValue={enrolment.secret} rows={2} />
              <CopyField label="otpauth link" value={enrolment.uri} rows={5} />
            </li>
            <li>
              <form className="stack" onSubmit={confirm.onSubmit}>
                <TextField
                  label="Code from the app"
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9 ]{6,8}"
                  maxLength={8}
                  required
                  className="code-field"
                  error={confirm.fieldErrors.code}
                />
                <FormError error={confirm.error} />
                <div className="button-row">
                  <button type="submit" className="button primary" disabled={confirm.pending}>
                    {confirm.pending ? 'Checking…' : 'Turn on two-factor'}
                  </button>
                  <button type="button" className="button subtle" onClick={() => setEnrolment(null)}>
                    Cancel
                  </button>
                </div>
              </form>
            </li>
          </ol>
        </div>
      ) : (
        <div className="stack">
          <p>Protect your account with a second step: a 6-digit code from an app on your phone, asked after your password.</p>
          <FormError error={begin.error} />
          <div>
            <button type="button" className="button primary" disabled={begin.pending} onClick={() => void begin.run()}>
              {begin.pending ? 'Starting…' : 'Set up two-factor sign-in'}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
