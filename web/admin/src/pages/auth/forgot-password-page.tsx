import { useState } from 'react';
import { Link } from 'react-router';
import { auth } from '../../api.js';
import { TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { AuthLayout } from '../../layout/auth-layout.js';
import { useFormAction } from '../../lib/use-action.js';

export function ForgotPasswordPage() {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const request = useFormAction(async (f) => {
    await auth.requestPasswordReset({ email: f.text('email') });
    setSentTo(f.text('email'));
  });
  return (
    <AuthLayout
      title="Reset your password"
      intro={<p>Enter the email you sign in with. We will send you a link to choose a new password.</p>}
      footer={<Link to="/sign-in">Back to sign-in</Link>}
    >
      <form className="stack" onSubmit={request.onSubmit}>
        <TextField label="Email" name="email" type="email" autoComplete="username" required error={request.fieldErrors.email} />
        <FormError error={request.error} />
        <FormNotice>
          {sentTo ? (
            <>
              If <strong>{sentTo}</strong> belongs to a team member, a reset link is on its way. It works once, for one hour. No email after a few minutes? Check
              spam, or ask the owner: without an email server configured, Onehour keeps messages in its Outbox.
            </>
          ) : null}
        </FormNotice>
        <button type="submit" className="button primary wide" disabled={request.pending}>
          {request.pending ? 'Sending…' : 'Send the reset link'}
        </button>
      </form>
      <p className="muted small">
        The owner, locked out with no email? On the server, run <code>onehour reset-password --email you@example.com</code>.
      </p>
    </AuthLayout>
  );
}
