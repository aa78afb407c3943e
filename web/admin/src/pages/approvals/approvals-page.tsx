// Approvals handed to an admin: the owner hands a decision over from the weekly review
// (`POST /api/owner/reassign`), the admin is emailed a link here and approves or refuses it
// (`/api/approvals/:id/delegated/approve|refuse`; the server checks it was handed to them).
// Other pending requests are listed below for context, without buttons: they are the owner's.
import { useState } from 'react';
import { apiGet, apiSend } from '../../api.js';
import type { Approval, ApprovalList, approvalListQuery, ApprovalResult } from '../../../../../src/modules/approvals/contract.js';
import { EmptyState } from '../../components/empty-state.js';
import { TextAreaField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useUser } from '../../session.js';

const approvalsApi = {
  pending: () => apiGet<ApprovalList, typeof approvalListQuery>('/api/approvals', { status: 'pending', limit: 500 }),
  decide: (id: string, decision: 'approve' | 'refuse', note: string) => apiSend<ApprovalResult>('POST', `/api/approvals/${encodeURIComponent(id)}/delegated/${decision}`, note.trim() ? { note: note.trim() } : {}),
};

export default function ApprovalsPage() {
  const me = useUser();
  const state = useLoad(() => approvalsApi.pending(), []);
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <PageHeader title="Approvals" intro="Requests the owner handed to you to decide in their place, and what else is waiting for the owner." />
      {done ? <FormNotice>{done}</FormNotice> : null}
      <LoadState state={state} label="Loading approvals…">
        {({ approvals }) => {
          const mine = approvals.filter((a) => a.delegatedToId === me.id);
          const others = approvals.filter((a) => a.delegatedToId !== me.id);
          return (
            <>
              <section className="section" aria-labelledby="handed-h">
                <h2 id="handed-h">Handed to you</h2>
                {mine.length === 0 ? (
                  <EmptyState title="Nothing to decide">When the owner hands you a decision from the weekly review, it appears here and you get an email.</EmptyState>
                ) : (
                  <ul className="plain-list">
                    {mine.map((a) => (
                      <li key={a.id}>
                        <Decide
                          approval={a}
                          onDone={(text) => {
                            setDone(text);
                            state.reload();
                          }}
                        />
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section className="section" aria-labelledby="waiting-h">
                <h2 id="waiting-h">Waiting for the owner</h2>
                {others.length === 0 ? (
                  <p className="muted">No other request is waiting.</p>
                ) : (
                  <ul>
                    {others.map((a) => (
                      <li key={a.id}>
                        {a.urgent ? <strong>Urgent: </strong> : null}
                        {a.title} <span className="muted small">(<Time iso={a.createdAt} style="relative" />)</span>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </>
          );
        }}
      </LoadState>
    </>
  );
}

function Decide({ approval, onDone }: { approval: Approval; onDone(text: string): void }) {
  const [note, setNote] = useState('');
  const decide = useAction(async (decision: 'approve' | 'refuse') => {
    const { approval: decided } = await approvalsApi.decide(approval.id, decision, note);
    onDone(`${decision === 'approve' ? 'Approved' : 'Refused'}: ${decided.title}${decided.result ? ` (${decided.result})` : ''}`);
  });
  return (
    <article className="card" aria-labelledby={`title-${approval.id}`}>
      <h3 id={`title-${approval.id}`}>
        {approval.urgent ? 'Urgent: ' : ''}
        {approval.title}
      </h3>
      <p>{approval.summary}</p>
      <p className="muted small">
        Asked <Time iso={approval.createdAt} style="relative" />
        {approval.requestedBy.role ? ` by ${approval.requestedBy.role}` : ''}; handed to you <Time iso={approval.delegatedAt} style="relative" />.
      </p>
      <FormError error={decide.error} />
      <TextAreaField label="Note for the requester (optional)" value={note} maxLength={2000} rows={2} onChange={(e) => setNote(e.target.value)} />
      <div className="actions-row">
        <button type="button" className="button" disabled={decide.pending} onClick={() => void decide.run('approve')}>
          Approve
        </button>
        <button type="button" className="button subtle" disabled={decide.pending} onClick={() => void decide.run('refuse')}>
          Refuse
        </button>
      </div>
    </article>
  );
}
