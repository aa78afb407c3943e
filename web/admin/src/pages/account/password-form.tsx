import { useState } from 'react';
import { account } from '../../api.js';
import { PasswordField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { useFormAction } from '../../lib/use-action.js';
import { useSession } from '../../session.js';
import { MIN_PASSWORD_LENGTH } from '../auth/password.js';

export function PasswordForm({ onChanged }: { onChanged(): void }) {
  const { apply } = useSession();
  const [done, setDone] = useState(false);
  const change = useFormAction(
    async (f) => {
      setDone(false);
      // The answer is a fresh session (new cookie and CSRF token): every other session ended.
      apply(await account.changePassword({ currentPassword: f.text('currentPassword'), newPassword: f.text('newPassword') }));
      setDone(true);
      onChanged();
    },
    { reset: true },
  );
  return (
    <section className="card section" aria-labelledby="password-title">
      <h2 id="password-title">Change your password</h2>
      <form className="stack" onSubmit={change.onSubmit}>
        <PasswordField label="Current password" name="currentPassword" autoComplete="current-password" required error={change.fieldErrors.currentPassword} />
        <PasswordField
          label="New password"
          name="newPassword"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters. Your other devices are signed out.`}
          error={change.fieldErrors.newPassword ?? change.fieldErrors.password}
        />
        <FormError error={change.error} />
        <FormNotice>{done ? 'Your password is changed. Your other devices were signed out.' : null}</FormNotice>
        <div>
          <button type="submit" className="button primary" disabled={change.pending}>
            {change.pending ? 'Saving…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
