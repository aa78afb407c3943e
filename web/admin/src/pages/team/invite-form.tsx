import { useState } from 'react';
import { team, type Invitation } from '../../api.js';
import { CopyField } from '../../components/copy-field.js';
import { SelectField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { roleLabel } from '../../lib/format.js';
import { useFormAction } from '../../lib/use-action.js';
import type { AssignableRole } from '../../shared.js';
import { roleSummaries } from './roles.js';

/** Invite by email to a role. The link is mailed and also shown here, once, to pass on another way. */
export function InviteForm({ roles, onInvited }: { roles: readonly AssignableRole[]; onInvited(invitation: Invitation): void }) {
  const [sent, setSent] = useState<{ email: string; link: string } | null>(null);
  const [role, setRole] = useState<AssignableRole>('support');
  const invite = useFormAction(
    async (f) => {
      setSent(null);
      const res = await team.invite({ email: f.text('email'), role: f.text('role') as AssignableRole });
      setSent({ email: res.invitation.email, link: res.link });
      setRole('support');
      onInvited(res.invitation);
    },
    { reset: true },
  );
  return (
    <section className="card section" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <form className="stack" onSubmit={invite.onSubmit}>
        <TextField label="Email" name="email" type="email" autoComplete="off" required error={invite.fieldErrors.email} />
        <SelectField
          label="Role"
          name="role"
          defaultValue="support"
          onChange={(e) => setRole(e.target.value as AssignableRole)}
          options={roles.map((r) => ({ value: r, label: roleLabel(r) }))}
          hint={`${roleLabel(role)} can use ${roleSummaries[role]}.`}
          error={invite.fieldErrors.role}
        />
        <FormError error={invite.error} />
        <div>
          <button type="submit" className="button primary" disabled={invite.pending}>
            {invite.pending ? 'Sending…' : 'Send invitation'}
          </button>
        </div>
      </form>
      {sent ? (
        <div className="created" role="status">
          <p>
            <strong>Invitation sent to {sent.email}.</strong>
          </p>
          <CopyField label="Invitation link" value={sent.link} hint="It was emailed too. It works once and expires in 7 days. This is the only time the link is shown." />
        </div>
      ) : null}
    </section>
  );
}
