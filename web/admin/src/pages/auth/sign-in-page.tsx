import { useState } from 'react';
import { Link } from 'react-router';
import { auth } from '../../api.js';
import { PasswordField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { AuthLayout } from '../../layout/auth-layout.js';
import { useFormAction } from '../../lib/use-action.js';
import { useSession } from '../../session.js';

/** Email and password, then (when two-factor is on) the code from the authenticator app. */
export function SignInPage() {
  const { state, apply } = useSession();
  const [startOver, setStartOver] = useState(false);
  const [email, setEmail] = useState('');

  const signIn = useFormAction(async (f) => {
    setEmail(f.text('email'));
    const next = await auth.login({ email: f.text('email'), password: f.text('password') });
    setStartOver(false);
    apply(next);
  });
  const verify = useFormAction(async (f) => {
    apply(await auth.twoFactor({ code: f.text('code') }));
  });

  if (state.twoFactorRequired && !startOver) {
    return (
      <AuthLayout
        title="Enter your code"
        intro={<p>Open your authenticator app and enter the 6-digit code it shows for Onehour{email ? ` (${email})` : ''}.</p>}
        footer={
          <button type="button" className="button link" onClick={() => setStartOver(true)}>
            Sign in with another account
          </button>
        }
      >
        <form className="stack" onSubmit={verify.onSubmit}>
          <TextField
            label="Authentication code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]{6,8}"
            maxLength={8}
            required
            autoFocus
            className="code-field"
            error={verify.fieldErrors.code}
          />
          <FormError error={verify.error} />
          <button type="submit" className="button primary wide" disabled={verify.pending}>
            {verify.pending ? 'Checking…' : 'Verify and sign in'}
          </button>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Sign in to Onehour"
      footer={
        <p>
          Invited to the team? Open the link in your invitation email.
        </p>
      }
    >
      <form className="stack" onSubmit={signIn.onSubmit}>
        <TextField label="Email" name="email" type="email" autoComplete="username" required defaultValue={email} error={signIn.fieldErrors.email} />
        <PasswordField label="Password" name="password" autoComplete="current-password" required error={signIn.fieldErrors.password} />
        <FormError error={signIn.error} />
        <button type="submit" className="button primary wide" disabled={signIn.pending}>
          {signIn.pending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="center">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
