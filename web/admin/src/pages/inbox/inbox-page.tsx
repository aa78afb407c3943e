import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { apiGet, apiSend, ApiError, type QueryOf } from '../../api.js';
import type { ActionTaken, CannedReplies, CannedText, ConversationList, conversationListQuery, Presence, SupportSettingsWire, Thread } from '../../../../../src/modules/support/contract.js';
import { EmptyState } from '../../components/empty-state.js';
import { SelectField, TextAreaField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { oneOf } from '../../lib/one-of.js';
import { useSession } from '../../session.js';

const FILTERS = [
  { value: 'mine', label: 'Mine (open)' },
  { value: 'unassigned', label: 'Unassigned (open)' },
  { value: 'open', label: 'All open' },
  { value: 'pending', label: 'Pending' },
  { value: 'snoozed', label: 'Snoozed' },
  { value: 'closed', label: 'Closed' },
] as const;
type Filter = (typeof FILTERS)[number]['value'];

function query(filter: Filter): QueryOf<typeof conversationListQuery> {
  if (filter === 'mine') return { assignee: 'me', status: 'open' };
  if (filter === 'unassigned') return { assignee: 'unassigned', status: 'open' };
  return { status: filter };
}

/** The shared inbox: conversations on the left, the thread with the customer's context on the right. */
export default function InboxPage() {
  const [filter, setFilter] = useState<Filter>('open');
  // /inbox/<id> (My day links there) opens that conversation.
  const linked = useParams()['*'];
  const [openId, setOpenId] = useState<string | null>(linked && /^[0-9a-f-]{36}$/i.test(linked) ? linked : null);
  const [tick, setTick] = useState(0);
  const list = useLoad(() => apiGet<ConversationList, typeof conversationListQuery>('/api/support/conversations', query(filter)), [filter, tick]);
  return (
    <>
      <PageHeader title="Inbox" intro="Customer email in one shared inbox. Replies go out threaded from the conversation's own address; actions above your limits go to the owner for approval." />
      <div className="inbox-layout" style={{ display: 'grid', gridTemplateColumns: 'minmax(260px, 1fr) 2fr', gap: '1rem' }}>
        <section className="card" aria-labelledby="conversations-title">
          <h2 id="conversations-title">Conversations</h2>
          <SelectField label="Show" name="filter" value={filter} options={FILTERS} onChange={(e) => setFilter(oneOf(FILTERS.map((f) => f.value), e.target.value) ?? 'open')} />
          <LoadState state={list}>
            {({ conversations }) =>
              conversations.length === 0 ? (
                <EmptyState title="Nothing here">Mail sent to the support address appears here. Choose another filter, or set the intake address in Settings below.</EmptyState>
              ) : (
                <ul className="plain-list" aria-label="Conversations">
                  {conversations.map((c) => (
                    <li key={c.id}>
                      <button type="button" className={`link-button${openId === c.id ? ' active' : ''}`} onClick={() => setOpenId(c.id)} aria-current={openId === c.id ? 'true' : undefined}>
                        <strong>#{c.number} {c.subject}</strong> — {c.name || c.email} <span className="muted">({c.status}{c.slaWarned.length ? ', SLA breached' : ''}{c.unverified ? ', unverified sender' : ''})</span>
                      </button>
                      <div className="muted">
                        <Time iso={c.lastMessageAt} style="relative" />
                      </div>
                    </li>
                  ))}
                </ul>
              )
            }
          </LoadState>
        </section>
        <section className="card" aria-label="Conversation">
          {openId ? <ConversationView id={openId} onChanged={() => setTick((x) => x + 1)} /> : <EmptyState title="No conversation open">Pick a conversation on the left to read and answer it.</EmptyState>}
        </section>
      </div>
      <SupportSettingsPanel />
    </>
  );
}

function ConversationView({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { can } = useSession();
  const [tick, setTick] = useState(0);
  const thread = useLoad(() => apiGet<Thread>(`/api/support/conversations/${id}`), [id, tick]);
  const canned = useLoad(() => apiGet<CannedReplies>('/api/support/canned'), []);
  const context = useLoad(() => apiGet<Record<string, unknown>>(`/api/support/conversations/${id}/context`), [id, tick]);
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const [held, setHeld] = useState<string | null>(null);
  const [presence, setPresence] = useState<Presence | null>(null);
  const lastSeen = thread.data?.messages.filter((m) => m.direction !== 'note').at(-1)?.id ?? null;
  const refresh = () => {
    setTick((x) => x + 1);
    onChanged();
  };

  // Collision guard: say we are here (and typing) every few seconds; see who else is.
  useEffect(() => {
    let stop = false;
    const beat = () => apiSend<Presence>('POST', `/api/support/conversations/${id}/presence`, { typing: text.length > 0 }).then((p) => !stop && setPresence(p)).catch(() => undefined);
    void beat();
    const timer = setInterval(beat, 5000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [id, text.length > 0]);

  const reply = useAction(async (confirm: boolean) => {
    try {
      await apiSend('POST', `/api/support/conversations/${id}/reply`, { text, lastSeenMessageId: lastSeen, confirm });
      setText('');
      setHeld(null);
      refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setHeld(err.message);
        setTick((x) => x + 1);
        return;
      }
      throw err;
    }
  });
  const addNote = useAction(async () => {
    await apiSend('POST', `/api/support/conversations/${id}/notes`, { text: note });
    setNote('');
    refresh();
  });
  const setStatus = useAction(async (status: string) => {
    await apiSend('POST', `/api/support/conversations/${id}/status`, status === 'snoozed' ? { status, snoozedUntil: new Date(Date.now() + 86_400_000).toISOString() } : { status });
    refresh();
  });
  const assignMe = useAction(async () => {
    await apiSend('POST', `/api/support/conversations/${id}/assign`, { assigneeId: 'me' });
    refresh();
  });
  const useCanned = useAction(async (cannedId: string) => {
    if (!cannedId) return;
    const r = await apiGet<CannedText>(`/api/support/conversations/${id}/canned/${cannedId}`);
    setText(r.text);
  });
  const [actionNote, setActionNote] = useState<string | null>(null);
  const refund = useAction(async (orderId: string, amount: string, reason: string) => {
    const r = await apiSend<ActionTaken>('POST', `/api/support/conversations/${id}/actions`, {
      kind: 'refund', orderId, amount: amount ? Math.round(Number(amount) * 100) : undefined, reason,
    });
    setActionNote(r.approvalId ? 'Above your limit: sent to the owner for approval.' : (r.action.result ?? 'Done.'));
    refresh();
  });

  return (
    <LoadState state={thread}>
      {({ conversation, messages, actions }) => (
        <>
          <h2>
            #{conversation.number} {conversation.subject}
          </h2>
          <p className="muted">
            {conversation.name} &lt;{conversation.email}&gt; · {conversation.status}
            {conversation.unverified ? ' · sender not verified (authentication failed): do not act on it without checking' : ''}
            {conversation.channel === 'site' ? ' · from the site’s contact form' : ''}
          </p>
          {conversation.rating ? (
            <p data-rating={conversation.rating}>
              Customer’s rating: <strong>{({ great: 'Great', okay: 'Okay', bad: 'Bad' } as Record<string, string>)[conversation.rating] ?? conversation.rating}</strong>
              {conversation.ratingComment ? <> — “{conversation.ratingComment}”</> : null}
            </p>
          ) : null}
          {presence?.others.length ? (
            <p role="status" className="notice">
              {presence.others.map((o) => `${o.name} is ${o.typing ? 'typing a reply' : 'viewing'}`).join('; ')}
            </p>
          ) : null}
          <div className="button-row">
            {can('support.reply') ? (
              <>
                <button type="button" className="button" onClick={() => void assignMe.run()}>Assign to me</button>
                <button type="button" className="button" onClick={() => void setStatus.run('snoozed')}>Snooze a day</button>
                <button type="button" className="button" onClick={() => void setStatus.run('closed')}>Close</button>
              </>
            ) : null}
          </div>
          <ol className="plain-list thread" aria-label="Messages">
            {messages.map((m) => (
              <li key={m.id} className={`message ${m.direction}`}>
                <p>
                  <strong>{m.direction === 'inbound' ? m.fromName || m.fromAddress : m.direction === 'note' ? 'Internal note' : 'Reply'}</strong> <Time iso={m.createdAt} />
                  {m.auto ? <span className="badge"> {m.auto.replace('_', ' ')}</span> : null}
                  {m.direction === 'inbound' && (m.auth.dkim || m.auth.spf) ? <span className="muted"> DKIM {m.auth.dkim ?? '—'} · SPF {m.auth.spf ?? '—'}{m.auth.dmarc ? ` · DMARC ${m.auth.dmarc}` : ''}</span> : null}
                  {m.delivery ? <span className="muted"> · delivery: {m.delivery.status}{m.delivery.error ? ` (${m.delivery.error})` : ''}</span> : null}
                </p>
                <pre className="message-text">{m.text}</pre>
                {m.attachments.map((a) => (a.kept ? <a key={a.id} href={`/api/support/attachments/${a.id}`}>{a.filename}</a> : <span key={a.id}>{a.filename}: {a.omittedReason}</span>))}
              </li>
            ))}
          </ol>
          {can('support.reply') ? (
            <form onSubmit={(e) => (e.preventDefault(), void reply.run(held !== null))} aria-label="Reply">
              <LoadState state={canned}>
                {({ replies }) => (
                  <SelectField label="Canned reply" name="canned" value="" options={[{ value: '', label: replies.length ? 'Insert a canned reply…' : 'No canned replies yet (the owner adds them in settings)' }, ...replies.map((r) => ({ value: r.id, label: `${r.shortcut}: ${r.title}` }))]} onChange={(e) => void useCanned.run(e.target.value)} />
                )}
              </LoadState>
              <TextAreaField label="Reply to the customer" name="reply" rows={6} value={text} onChange={(e) => setText(e.target.value)} required />
              {held ? <p role="alert" className="notice">{held} Send again to confirm.</p> : null}
              <button type="submit" className="button primary" disabled={reply.pending}>{held ? 'Send anyway' : 'Send reply'}</button>
              <FormError error={reply.error} />
            </form>
          ) : null}
          {can('support.reply') ? (
            <form onSubmit={(e) => (e.preventDefault(), void addNote.run())} aria-label="Internal note">
              <TextAreaField label="Internal note (@name mentions a colleague)" name="note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} required />
              <button type="submit" className="button">Add note</button>
              <FormError error={addNote.error} />
            </form>
          ) : null}
          <LoadState state={context}>
            {(ctx) => {
              const orders = (ctx.orders as { id: string; number: number; status: string; amountPaid: number; amountRefunded: number; currency: string }[]) ?? [];
              const courses = (ctx.courses as { id: string; title: string; lessons: number; completed: number }[]) ?? [];
              const earlier = (ctx.conversations as { id: string; number: number; subject: string; status: string }[]) ?? [];
              return (
                <aside aria-label="Customer context" className="context-panel">
                  <h3>Customer</h3>
                  <h4>Orders</h4>
                  {orders.length ? (
                    <ul>
                      {orders.map((o) => (
                        <li key={o.id}>
                          #{o.number} {o.status} {(o.amountPaid / 100).toFixed(2)} {o.currency.toUpperCase()} {o.amountRefunded ? `(refunded ${(o.amountRefunded / 100).toFixed(2)})` : ''}
                          {can('support.act') && o.status === 'paid' ? <RefundForm orderId={o.id} onRefund={(amount, reason) => void refund.run(o.id, amount, reason)} /> : null}
                        </li>
                      ))}
                    </ul>
                  ) : <p className="muted">No orders.</p>}
                  {actionNote ? <p role="status">{actionNote}</p> : null}
                  <FormError error={refund.error} />
                  <h4>Courses</h4>
                  {courses.length ? <ul>{courses.map((c) => <li key={c.id}>{c.title}: {c.completed}/{c.lessons} lessons</li>)}</ul> : <p className="muted">No courses.</p>}
                  <h4>Earlier conversations</h4>
                  {earlier.length ? <ul>{earlier.map((c) => <li key={c.id}>#{c.number} {c.subject} ({c.status})</li>)}</ul> : <p className="muted">None.</p>}
                  <h4>Actions</h4>
                  {actions.length ? <ul>{actions.map((a) => <li key={a.id}>{a.kind}: {a.status}{a.result ? ` — ${a.result}` : ''}</li>)}</ul> : <p className="muted">None yet.</p>}
                </aside>
              );
            }}
          </LoadState>
        </>
      )}
    </LoadState>
  );
}

function RefundForm({ orderId, onRefund }: { orderId: string; onRefund: (amount: string, reason: string) => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  return (
    <form onSubmit={(e) => (e.preventDefault(), onRefund(amount, reason))} aria-label={`Refund order ${orderId.slice(0, 8)}`} className="inline-form">
      <TextField label="Amount to refund (empty: all)" name="amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
      <TextField label="Reason" name="reason" required value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="submit" className="button">Refund</button>
    </form>
  );
}

function SupportSettingsPanel() {
  const { can } = useSession();
  const settings = useLoad(() => apiGet<SupportSettingsWire>('/api/support/settings'), []);
  const save = useAction(async (refundMax: string, days: string, address: string) => {
    const cur = settings.data!;
    await apiSend('PATCH', '/api/support/settings', { address, limits: { ...cur.limits, support: { ...cur.limits.support, refundMax: Math.round(Number(refundMax) * 100), refundMaxDays: Number(days) } } });
  });
  const addCanned = useAction(async (shortcut: string, title: string, body: string) => {
    await apiSend('POST', '/api/support/canned', { shortcut, title, body });
  });
  if (!can('support.settings')) return null;
  return (
    <section className="card section" aria-labelledby="support-settings-title">
      <h2 id="support-settings-title">Support settings</h2>
      <LoadState state={settings}>
        {(s) => (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const f = new FormData(e.currentTarget);
              void save.run(String(f.get('refundMax')), String(f.get('refundDays')), String(f.get('address')));
            }}
          >
            <TextField label="Support address" name="address" defaultValue={s.address} required />
            <TextField label="Support may refund up to (store currency)" name="refundMax" inputMode="decimal" defaultValue={(s.limits.support.refundMax / 100).toFixed(2)} />
            <TextField label="…and up to this many days after the purchase" name="refundDays" inputMode="numeric" defaultValue={String(s.limits.support.refundMaxDays)} />
            <p className="muted">SLA: first response within {s.sla.firstResponseHours} business hours, resolution within {s.sla.resolutionHours}.</p>
            <button type="submit" className="button primary">Save limits</button>
            <FormError error={save.error} />
          </form>
        )}
      </LoadState>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          void addCanned.run(String(f.get('shortcut')), String(f.get('title')), String(f.get('body')));
          e.currentTarget.reset();
        }}
        aria-label="Add a canned reply"
      >
        <h3>Add a canned reply</h3>
        <TextField label="Shortcut" name="shortcut" required pattern="[a-z0-9-]+" />
        <TextField label="Title" name="title" required />
        <TextAreaField label="Text (Liquid: {{ contact.first_name }}, {{ last_order.number }}, courses)" name="body" rows={4} required />
        <button type="submit" className="button">Add canned reply</button>
        <FormError error={addCanned.error} />
      </form>
    </section>
  );
}
