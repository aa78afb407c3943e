import { useState } from 'react';
import { apiKeys, type ApiKey } from '../../api.js';
import { useConfirm } from '../../components/confirm.js';
import { CopyField } from '../../components/copy-field.js';
import { EmptyState } from '../../components/empty-state.js';
import { SelectField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { roleLabel } from '../../lib/format.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { assignableRoles, type AssignableRole } from '../../shared.js';
import { roleSummaries } from '../team/roles.js';

/** Owner only: keys for scripts and tools. The secret is shown once, right after creation. */
export default function ApiKeysPage() {
  const state = useLoad(() => apiKeys.list(), []);
  const confirm = useConfirm();
  const [created, setCreated] = useState<{ key: string; apiKey: ApiKey } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [role, setRole] = useState<AssignableRole>('support');

  const create = useFormAction(
    async (f) => {
      setNotice(null);
      const res = await apiKeys.create({ name: f.text('name'), role: f.text('role') as AssignableRole });
      setCreated(res);
      setRole('support');
      state.setData((d) => ({ apiKeys: [res.apiKey, ...d.apiKeys] }));
    },
    { reset: true },
  );
  const revoke = useAction(async (key: ApiKey) => {
    const ok = await confirm({
      title: `Revoke the key “${key.name}”?`,
      body: <p>Anything that uses it stops working at once. This cannot be undone; create a new key if you need one again.</p>,
      confirmLabel: 'Revoke',
      danger: true,
    });
    if (!ok) return;
    await apiKeys.revoke(key.id);
    state.setData((d) => ({ apiKeys: d.apiKeys.filter((k) => k.id !== key.id) }));
    if (created?.apiKey.id === key.id) setCreated(null);
    setNotice(`The key “${key.name}” was revoked.`);
  });

  return (
    <>
      <PageHeader
        title="API keys"
        intro={
          <>
            Keys let your own scripts and tools use the Onehour API. Each key carries one role’s permissions, never the owner’s. Send it as{' '}
            <code>Authorization: Bearer &lt;key&gt;</code>; the API is described at <a href="/api/openapi.json">/api/openapi.json</a>.
          </>
        }
      />
      <LoadState state={state}>
        {({ apiKeys: keys }) => (
          <>
            <section className="card section" aria-labelledby="create-key-title">
              <h2 id="create-key-title">Create a key</h2>
              <form className="inline-form" onSubmit={create.onSubmit}>
                <TextField label="Name" name="name" required maxLength={80} placeholder="e.g. Zapier, accounting export" error={create.fieldErrors.name} />
                <SelectField
                  label="Role"
                  name="role"
                  defaultValue="support"
                  onChange={(e) => setRole(e.target.value as AssignableRole)}
                  options={assignableRoles.map((r) => ({ value: r, label: roleLabel(r) }))}
                  error={create.fieldErrors.role}
                />
                <button type="submit" className="button primary" disabled={create.pending}>
                  {create.pending ? 'Creating…' : 'Create key'}
                </button>
              </form>
              <p className="field-hint">
                A {roleLabel(role)} key can use {roleSummaries[role]}.
              </p>
              <FormError error={create.error} />
              {created ? (
                <div className="created secret" role="status">
                  <p>
                    <strong>Copy the key “{created.apiKey.name}” now.</strong> It is shown only this once: Onehour keeps only a fingerprint of it.
                  </p>
                  <CopyField label="Secret key" value={created.key} />
                  <button type="button" className="button small" onClick={() => setCreated(null)}>
                    I have copied it
                  </button>
                </div>
              ) : null}
            </section>

            <section className="card section" aria-labelledby="keys-title">
              <h2 id="keys-title">Active keys</h2>
              <FormError error={revoke.error} />
              <FormNotice>{notice}</FormNotice>
              {keys.length === 0 ? (
                <EmptyState title="No API keys yet">
                  <p>Create one above when a tool needs to read or change data in Onehour.</p>
                </EmptyState>
              ) : (
                <div className="table-wrap">
                  <table className="stack-on-phone">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Role</th>
                        <th scope="col">Key starts with</th>
                        <th scope="col">Created</th>
                        <th scope="col">Last used</th>
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {keys.map((k) => (
                        <tr key={k.id}>
                          <td data-label="Name">
                            <strong>{k.name}</strong>
                          </td>
                          <td data-label="Role">{roleLabel(k.role)}</td>
                          <td data-label="Starts with">
                            <code>{k.prefix}…</code>
                          </td>
                          <td data-label="Created">
                            <Time iso={k.createdAt} style="date" />
                          </td>
                          <td data-label="Last used">{k.lastUsedAt ? <Time iso={k.lastUsedAt} style="relative" /> : <span className="muted">Never</span>}</td>
                          <td className="actions">
                            <button type="button" className="button small danger-text" disabled={revoke.pending} onClick={() => void revoke.run(k)}>
                              Revoke<span className="visually-hidden"> {k.name}</span>
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          </>
        )}
      </LoadState>
    </>
  );
}
