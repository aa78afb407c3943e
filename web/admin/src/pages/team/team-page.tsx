import { useState } from 'react';
import { team, type Invitation, type User } from '../../api.js';
import { useConfirm } from '../../components/confirm.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { EmptyState } from '../../components/empty-state.js';
import { roleLabel } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession, useUser } from '../../session.js';
import { assignableRoles, type AssignableRole } from '../../shared.js';
import { InviteForm } from './invite-form.js';
import { roleSummaries } from './roles.js';

const roleOrder = ['owner', 'admin', 'support', 'content', 'marketing'];

/** The owner first, then admins, then assistants; by name within a role. */
function sortMembers(members: User[]): User[] {
  return [...members].sort((a, b) => roleOrder.indexOf(a.role) - roleOrder.indexOf(b.role) || a.name.localeCompare(b.name));
}

export default function TeamPage() {
  const state = useLoad(() => team.list(), []);
  const { can } = useSession();
  const me = useUser();
  const confirm = useConfirm();
  const [notice, setNotice] = useState<string | null>(null);
  const mayManage = can('team.manage');
  /** Only the owner may make or manage admins (the server enforces the same). */
  const rolesICanGive = assignableRoles.filter((r) => me.role === 'owner' || r !== 'admin');
  const canManage = (m: User) => mayManage && m.id !== me.id && m.role !== 'owner' && (me.role === 'owner' || m.role !== 'admin');

  const rowAction = useAction(async (work: () => Promise<string | null>) => {
    setNotice(null);
    const done = await work();
    if (done) setNotice(done);
  });

  const changeRole = (m: User, role: AssignableRole) =>
    void rowAction.run(async () => {
      const ok = await confirm({
        title: `Make ${m.name} ${roleLabel(role)}?`,
        body: (
          <p>
            {roleLabel(role)} can use {roleSummaries[role]}. {m.name} is signed out everywhere so the new role applies at once.
          </p>
        ),
        confirmLabel: `Change to ${roleLabel(role)}`,
      });
      if (!ok) return null;
      const updated = await team.changeRole(m.id, role);
      state.setData((d) => ({ ...d, members: d.members.map((x) => (x.id === m.id ? updated : x)) }));
      return `${m.name} is now ${roleLabel(role)}.`;
    });

  const remove = (m: User) =>
    void rowAction.run(async () => {
      const ok = await confirm({
        title: `Remove ${m.name} from the team?`,
        body: (
          <p>
            {m.name} ({m.email}) can no longer sign in; their sessions and any API keys they made end now. What they did stays in Activity and the audit
            log.
          </p>
        ),
        confirmLabel: 'Remove',
        danger: true,
      });
      if (!ok) return null;
      await team.remove(m.id);
      state.setData((d) => ({ ...d, members: d.members.filter((x) => x.id !== m.id) }));
      return `${m.name} was removed from the team.`;
    });

  const revoke = (inv: Invitation) =>
    void rowAction.run(async () => {
      const ok = await confirm({
        title: `Withdraw the invitation to ${inv.email}?`,
        body: <p>The link stops working at once. You can invite the same address again later.</p>,
        confirmLabel: 'Withdraw',
        danger: true,
      });
      if (!ok) return null;
      await team.revokeInvitation(inv.id);
      state.setData((d) => ({ ...d, invitations: d.invitations.filter((x) => x.id !== inv.id) }));
      return `The invitation to ${inv.email} was withdrawn.`;
    });

  return (
    <>
      <PageHeader title="Team" intro="The people who help run the business, each with a role that gives just the access it needs." />
      <LoadState state={state}>
        {({ members, invitations }) => (
          <>
            <FormError error={rowAction.error} />
            <FormNotice>{notice}</FormNotice>

            <section className="card section" aria-labelledby="members-title">
              <h2 id="members-title">Members</h2>
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Email</th>
                      <th scope="col">Role</th>
                      <th scope="col">Two-factor</th>
                      <th scope="col">Joined</th>
                      {mayManage ? (
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      ) : null}
                    </tr>
                  </thead>
                  <tbody>
                    {sortMembers(members).map((m) => (
                      <tr key={m.id}>
                        <td data-label="Name">
                          <strong>{m.name}</strong> {m.id === me.id ? <span className="badge">you</span> : null}
                        </td>
                        <td className="break" data-label="Email">
                          {m.email}
                        </td>
                        <td data-label="Role">
                          {canManage(m) && rolesICanGive.includes(m.role as AssignableRole) ? (
                            <>
                              <label className="visually-hidden" htmlFor={`role-${m.id}`}>
                                Role of {m.name}
                              </label>
                              <select
                                id={`role-${m.id}`}
                                className="compact"
                                value={m.role}
                                disabled={rowAction.pending}
                                onChange={(e) => changeRole(m, e.target.value as AssignableRole)}
                              >
                                {rolesICanGive.map((r) => (
                                  <option key={r} value={r}>
                                    {roleLabel(r)}
                                  </option>
                                ))}
                              </select>
                            </>
                          ) : (
                            roleLabel(m.role)
                          )}
                        </td>
                        <td data-label="Two-factor">
                          {m.twoFactorEnabled ? (
                            <span className="badge good">On</span>
                          ) : m.role === 'owner' || m.role === 'admin' ? (
                            <span className="badge warn">Off</span>
                          ) : (
                            <span className="muted" title="Two-factor sign-in is for the owner and admins">
                              —
                            </span>
                          )}
                        </td>
                        <td data-label="Joined">
                          <Time iso={m.createdAt} style="date" />
                        </td>
                        {mayManage ? (
                          <td className="actions">
                            {canManage(m) ? (
                              <button type="button" className="button small danger-text" disabled={rowAction.pending} onClick={() => remove(m)}>
                                Remove<span className="visually-hidden"> {m.name}</span>
                              </button>
                            ) : null}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>

            {mayManage ? (
              <div className="two-columns">
                <InviteForm roles={rolesICanGive} onInvited={(inv) => state.setData((d) => ({ ...d, invitations: [inv, ...d.invitations.filter((x) => x.email !== inv.email)] }))} />
                <section className="card section" aria-labelledby="invitations-title">
                  <h2 id="invitations-title">Pending invitations</h2>
                  {invitations.length === 0 ? (
                    <EmptyState title="No open invitations">
                      <p>Invitations you send wait here until they are accepted, withdrawn, or expire after 7 days.</p>
                    </EmptyState>
                  ) : (
                    <ul className="plain-list">
                      {invitations.map((inv) => (
                        <li key={inv.id} className="list-row">
                          <div>
                            <strong className="break">{inv.email}</strong>
                            <div className="muted small">
                              {roleLabel(inv.role)} · sent <Time iso={inv.createdAt} style="relative" /> · expires <Time iso={inv.expiresAt} style="relative" />
                            </div>
                          </div>
                          <button type="button" className="button small danger-text" disabled={rowAction.pending} onClick={() => revoke(inv)}>
                            Withdraw<span className="visually-hidden"> the invitation to {inv.email}</span>
                          </button>
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              </div>
            ) : null}
          </>
        )}
      </LoadState>
    </>
  );
}
