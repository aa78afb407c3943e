import { Link, useLocation, useNavigate } from 'react-router';
import { auth } from '../../api.js';
import { PasswordField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { AuthLayout } from '../../layout/auth-layout.js';
import { roleLabel } from '../../lib/format.js';
import { useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { Time } from '../../components/time.js';
import { MIN_PASSWORD_LENGTH, tokenFromHash } from './password.js';

/** /admin/accept-invitation#token=…: see what the invitation is for, then choose a name and password. */
export function AcceptInvitationPage() {
  const token = tokenFromHash(useLocation().hash);
  const { user, apply } = useSession();
  const navigate = useNavigate();
  const peek = useLoad(() => (token ? auth.peekInvitation({ token }) : Promise.resolve(null)), [token]);
  const accept = useFormAction(async (f) => {
    const next = await auth.acceptInvitation({ token: token ?? '', name: f.text('name'), password: f.text('password') });
    apply(next);
    navigate('/', { replace: true });
  });

  if (!token || peek.error) {
    return (
      <AuthLayout title="This invitation cannot be used" footer={<Link to="/sign-in">Go to sign-in</Link>}>
        <p role="alert">
          {peek.error?.message ?? 'The link is incomplete. Open the link from your invitation email again, all of it.'}
        </p>
        <p className="muted">Invitations work once and expire after 7 days. Ask the person who invited you for a new one.</p>
      </AuthLayout>
    );
  }
  if (!peek.data) {
    return (
      <AuthLayout title="Join the team">
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Opening your invitation…
        </p>
      </AuthLayout>
    );
  }
  const invitation = peek.data;
  return (
    <AuthLayout
      title="Join the team"
      intro={
        <p>
          You are invited to help run this business on Onehour as <strong>{roleLabel(invitation.role)}</strong>, with the email{' '}
          <strong>{invitation.email}</strong>. The invitation expires <Time iso={invitation.expiresAt} style="relative" />.
        </p>
      }
    >
      {user ? (
        <p className="notice">
          You are signed in as {user.email}. Joining signs you in as {invitation.email} in this browser instead.
        </p>
      ) : null}
      <form className="stack" onSubmit={accept.onSubmit}>
        <TextField label="Your name" name="name" autoComplete="name" required maxLength={120} error={accept.fieldErrors.name} />
        <TextField label="Email" name="email" type="email" autoComplete="username" value={invitation.email} readOnly hint="The address the invitation was sent to." />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`}
          error={accept.fieldErrors.password}
        />
        <FormError error={accept.error} />
        <button type="submit" className="button primary wide" disabled={accept.pending}>
          {accept.pending ? 'Joining…' : 'Join the team'}
        </button>
      </form>
    </AuthLayout>
  );
}
