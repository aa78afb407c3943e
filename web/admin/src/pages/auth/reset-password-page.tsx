import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { auth } from '../../api.js';
import { PasswordField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { AuthLayout } from '../../layout/auth-layout.js';
import { useFormAction } from '../../lib/use-action.js';
import { MIN_PASSWORD_LENGTH, tokenFromHash } from './password.js';

/** /admin/reset-password#token=… from the reset email. */
export function ResetPasswordPage() {
  const token = tokenFromHash(useLocation().hash);
  const [done, setDone] = useState(false);
  const reset = useFormAction(async (f) => {
    await auth.resetPassword({ token: token ?? '', password: f.text('password') });
    setDone(true);
  });

  if (!token) {
    return (
      <AuthLayout title="This link is incomplete" footer={<Link to="/sign-in">Back to sign-in</Link>}>
        <p>Open the link from your email again, all of it. Or ask for a new one:</p>
        <p>
          <Link to="/forgot-password" className="button primary">
            Send me a new link
          </Link>
        </p>
      </AuthLayout>
    );
  }
  if (done) {
    return (
      <AuthLayout title="Your password is changed">
        <p role="status">You were signed out everywhere. Sign in with your new password.</p>
        <p>
          <Link to="/sign-in" className="button primary">
            Sign in
          </Link>
        </p>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Choose a new password" footer={<Link to="/sign-in">Back to sign-in</Link>}>
      <form className="stack" onSubmit={reset.onSubmit}>
        <PasswordField
          label="New password"
          name="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          error={reset.fieldErrors.password}
        />
        <FormError error={reset.error} />
        {reset.error?.code === 'invalid_token' ? (
          <p>
            <Link to="/forgot-password">Ask for a new link</Link>
          </p>
        ) : null}
        <button type="submit" className="button primary wide" disabled={reset.pending}>
          {reset.pending ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </AuthLayout>
  );
}
