import { useNavigate } from 'react-router';
import { auth } from '../../api.js';
import { CheckboxField, PasswordField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { AuthLayout } from '../../layout/auth-layout.js';
import { useFormAction } from '../../lib/use-action.js';
import { useSession } from '../../session.js';
import { MIN_PASSWORD_LENGTH } from './password.js';

/** First run: every admin address leads here until the owner account exists. */
export function SetupPage() {
  const { apply } = useSession();
  const navigate = useNavigate();
  const setup = useFormAction(async (f) => {
    const next = await auth.setup({ name: f.text('name'), email: f.text('email'), password: f.text('password'), loadDemo: f.checked('loadDemo') });
    apply(next);
    navigate('/', { replace: true });
  });
  return (
    <AuthLayout
      title="Welcome to Onehour"
      intro={<p>Create the owner account of this business. You can invite assistants for support, content and marketing afterwards.</p>}
    >
      <form className="stack" onSubmit={setup.onSubmit}>
        <TextField label="Your name" name="name" autoComplete="name" required maxLength={120} error={setup.fieldErrors.name} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={setup.fieldErrors.email} />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong, memorable password.`}
          error={setup.fieldErrors.password}
        />
        <CheckboxField
          label="Load the demo business"
          name="loadDemo"
          defaultChecked
          hint="A sample business with a team and a year of history, so every page has something to show. Demo people cannot sign in. Leave it unticked to start clean."
        />
        <FormError error={setup.error} />
        <button type="submit" className="button primary wide" disabled={setup.pending}>
          {setup.pending ? 'Creating your account…' : 'Create the owner account'}
        </button>
      </form>
    </AuthLayout>
  );
}
