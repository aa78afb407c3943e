// Writing a broadcast: name, audience, subject, preheader and the message with Liquid, as
// Markdown or as blocks; a live preview at desktop and phone widths; test send; send now or
// schedule.
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api.js';
import { useConfirm } from '../../components/confirm.js';
import { CheckboxField, SelectField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { broadcastsApi, formatCount, statusLabels, type Broadcast, type BroadcastInput, type Preview, type SendCheck } from './api.js';
import { BlockEditor, blocksToMarkdown, withKeys, withoutKeys, type EditorBlock } from './block-editor.js';

const STARTER = `Hi {{ contact.first_name | default: "there" }},

Write your message here. **Markdown** works: lists, links, headings.

[A link to something useful](https://example.com)

See you next week!`;

export function BroadcastEditor({ existing, onChanged, onDeleted }: { existing?: Broadcast; onChanged?(): void; onDeleted?(): void }) {
  const navigate = useNavigate();
  const confirm = useConfirm();
  const audiences = useLoad(() => broadcastsApi.audiences(), []);
  const [draft, setDraft] = useState<Omit<BroadcastInput, 'format' | 'blocks'>>({
    name: existing?.name ?? '',
    subject: existing?.subject ?? '',
    preheader: existing?.preheader ?? '',
    body: existing?.body ?? STARTER,
    listId: existing?.listId ?? null,
    segmentId: existing?.segmentId ?? null,
    track: existing?.track ?? true,
  });
  const [format, setFormat] = useState<'markdown' | 'blocks'>(existing?.format ?? 'markdown');
  const [blocks, setBlocks] = useState<EditorBlock[]>(() => withKeys(existing?.format === 'blocks' ? (existing.blocks ?? []) : []));
  const [width, setWidth] = useState<'desktop' | 'mobile'>('desktop');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [testTo, setTestTo] = useState('');
  const [at, setAt] = useState('');

  // What is saved and previewed. A blocks message keeps its Markdown twin in `body`.
  const content = useMemo<BroadcastInput>(
    () => (format === 'blocks' ? { ...draft, format, blocks: withoutKeys(blocks), body: blocksToMarkdown(blocks) } : { ...draft, format, blocks: null }),
    [draft, format, blocks],
  );
  // Only what the message is made of: a new broadcast with no name yet still gets a preview.
  const previewed = { subject: content.subject, preheader: content.preheader, format: content.format, body: content.body, blocks: content.blocks, listId: content.listId };
  const previewKey = JSON.stringify(previewed);

  // Re-render the preview a moment after typing stops.
  useEffect(() => {
    const timer = setTimeout(() => {
      broadcastsApi.preview(previewed).then(
        (p) => {
          setPreview(p);
          setPreviewError(null);
        },
        (err: unknown) => setPreviewError(err instanceof ApiError ? err.message : 'The preview could not be made'),
      );
    }, 400);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- previewKey holds every field the preview sends
  }, [previewKey]);

  const save = useAction(async () => {
    if (existing) {
      await broadcastsApi.update(existing.id, content);
      setNotice('Saved.');
      onChanged?.();
      return existing.id;
    }
    const b = await broadcastsApi.create(content);
    navigate(`/broadcasts/${b.id}`, { replace: true });
    return b.id;
  });
  const test = useAction(async () => {
    if (!existing) return;
    await broadcastsApi.update(existing.id, content);
    const to = testTo.split(/[\s,;]+/).filter(Boolean);
    await broadcastsApi.test(existing.id, to);
    setNotice(`Test sent to ${to.join(', ')}. Check the inbox (or the Outbox when no email server is set up).`);
  });
  // Who it reaches and, for a role held to the owner's send limit, whether sending asks the owner first.
  const check = useLoad<SendCheck | null>(
    () => (existing?.status === 'draft' ? broadcastsApi.sendCheck(existing.id, { listId: draft.listId, segmentId: draft.segmentId }) : Promise.resolve(null)),
    [existing, draft.listId, draft.segmentId],
  );
  const asksOwner = Boolean(check.data?.limited && check.data.overLimit);
  const schedule = useAction(async () => {
    if (!existing) return;
    await broadcastsApi.update(existing.id, content);
    const when = at ? new Date(at).toISOString() : null;
    const ok = await confirm({
      title: asksOwner ? 'Ask the owner to send this broadcast?' : when ? 'Schedule this broadcast?' : 'Send this broadcast now?',
      body: asksOwner ? (
        <p>It is above your send limit ({check.data?.overLimit}). Nothing goes out until the owner approves it; it stays a draft meanwhile.</p>
      ) : (
        <p>The audience is taken when sending starts. Unsubscribed, bounced and suppressed people are left out.</p>
      ),
      confirmLabel: asksOwner ? 'Ask the owner' : when ? 'Schedule' : 'Send now',
    });
    if (!ok) return;
    const done = await broadcastsApi.schedule(existing.id, when);
    if (done.approvalId) {
      setNotice('Sent to the owner for approval: it goes out as you asked once they approve it, and stays a draft until then. Editing it asks again.');
      check.reload();
    }
    onChanged?.();
  });
  const unschedule = useAction(async () => {
    if (!existing) return;
    await broadcastsApi.action(existing.id, 'unschedule');
    onChanged?.();
  });
  const remove = useAction(async () => {
    if (!existing) return;
    if (!(await confirm({ title: 'Delete this draft?', confirmLabel: 'Delete', danger: true }))) return;
    await broadcastsApi.remove(existing.id);
    onDeleted?.();
  });
  const set = (patch: Partial<BroadcastInput>) => setDraft((d) => ({ ...d, ...patch }));
  const switchFormat = useAction(async (to: 'markdown' | 'blocks') => {
    if (to === format) return;
    if (to === 'blocks') {
      setBlocks(withKeys([{ type: 'text', markdown: draft.body ?? '' }]));
      setFormat('blocks');
      return;
    }
    const ok = await confirm({
      title: 'Switch to Markdown?',
      body: (
        <p>
          The blocks are dropped and their content becomes one Markdown text: headings, text, images and links stay, buttons become ordinary links. Switching back to
          blocks starts from that text.
        </p>
      ),
      confirmLabel: 'Switch to Markdown',
    });
    if (!ok) return;
    set({ body: blocksToMarkdown(blocks) });
    setBlocks([]);
    setFormat('markdown');
  });
  const audienceValue = draft.segmentId ? `segment:${draft.segmentId}` : draft.listId ? `list:${draft.listId}` : '';
  const options = [
    { value: '', label: 'Choose who receives it…' },
    ...(audiences.data?.lists ?? []).map((l) => ({ value: `list:${l.id}`, label: `List: ${l.name}` })),
    ...(audiences.data?.segments ?? []).map((s) => ({ value: `segment:${s.id}`, label: `Segment: ${s.name}` })),
  ];
  if (audienceValue && !options.some((o) => o.value === audienceValue)) options.push({ value: audienceValue, label: 'The chosen audience' });
  const error = save.error ?? test.error ?? schedule.error ?? unschedule.error ?? remove.error;

  return (
    <>
      <PageHeader
        title={existing ? existing.name || 'Broadcast' : 'New broadcast'}
        intro={
          existing?.status === 'scheduled' ? (
            <>
              Scheduled for <Time iso={existing.scheduledAt} />. Edit it until then, or take it back to draft.
            </>
          ) : (
            'Write it, check the preview on desktop and phone, send yourself a test, then send or schedule it.'
          )
        }
        actions={
          <Link className="button subtle" to="/broadcasts">
            All broadcasts
          </Link>
        }
      />
      {existing ? <p><span className={`badge ${statusLabels[existing.status].tone}`}>{statusLabels[existing.status].label}</span></p> : null}
      <FormError error={error} />
      {notice ? <FormNotice>{notice}</FormNotice> : null}
      <div className="two-columns">
        <form
          className="section card stack"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <TextField label="Name (only you see it)" value={draft.name} onChange={(e) => set({ name: e.target.value })} required maxLength={200} error={save.fieldErrors.name} />
          <SelectField
            label="Audience"
            value={audienceValue}
            options={options}
            onChange={(e) => {
              const [kind, value] = e.target.value.split(':');
              set({ listId: kind === 'list' ? value! : null, segmentId: kind === 'segment' ? value! : null });
            }}
            hint="Contacts on the list (or in the segment) when sending starts."
          />
          <TextField label="Subject" value={draft.subject} onChange={(e) => set({ subject: e.target.value })} maxLength={300} hint={'Personalise with {{ contact.first_name | default: "friend" }}'} error={save.fieldErrors.subject} />
          <TextField label="Preheader" value={draft.preheader ?? ''} onChange={(e) => set({ preheader: e.target.value })} maxLength={300} hint="The grey line inboxes show after the subject." />
          <fieldset className="field">
            <legend>Message</legend>
            <div className="segmented" role="group" aria-label="Write the message as">
              <button type="button" aria-pressed={format === 'markdown'} onClick={() => void switchFormat.run('markdown')}>
                Markdown
              </button>
              <button type="button" aria-pressed={format === 'blocks'} onClick={() => void switchFormat.run('blocks')}>
                Blocks
              </button>
            </div>
            {format === 'markdown' ? (
              <div className="field">
                <label htmlFor="broadcast-body">Message (Markdown)</label>
                <textarea id="broadcast-body" rows={16} value={draft.body} onChange={(e) => set({ body: e.target.value })} aria-describedby="broadcast-body-hint" style={{ fontFamily: 'ui-monospace, monospace' }} />
              </div>
            ) : (
              <BlockEditor blocks={blocks} onChange={setBlocks} />
            )}
            <p className="field-hint" id="broadcast-body-hint">
              Unsubscribe link, preferences link and your postal address are added at the end of every broadcast.
            </p>
          </fieldset>
          <CheckboxField label="Track opens and clicks" checked={draft.track ?? true} onChange={(e) => set({ track: e.target.checked })} />
          <div className="button-row">
            <button type="submit" className="button primary" disabled={save.pending}>
              {existing ? 'Save' : 'Save draft'}
            </button>
            {existing?.status === 'draft' ? (
              <button type="button" className="button danger-text" onClick={() => void remove.run()}>
                Delete draft
              </button>
            ) : null}
          </div>
          {existing ? (
            <>
              <h2>Test</h2>
              <div className="inline-form">
                <TextField label="Send a test to" type="text" value={testTo} onChange={(e) => setTestTo(e.target.value)} placeholder="you@example.com" />
                <button type="button" className="button" disabled={!testTo || test.pending} onClick={() => void test.run()}>
                  Send test
                </button>
              </div>
              <h2>Send</h2>
              {existing.status === 'scheduled' ? (
                <button type="button" className="button" onClick={() => void unschedule.run()}>
                  Back to draft
                </button>
              ) : (
                <>
                  <SendCheckNote check={check.data ?? null} />
                  <div className="inline-form">
                    <TextField label="Send at (leave empty to send now)" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
                    <button type="button" className="button primary" disabled={schedule.pending} onClick={() => void schedule.run()}>
                      {asksOwner ? 'Ask the owner to send' : at ? 'Schedule' : 'Send now'}
                    </button>
                  </div>
                </>
              )}
            </>
          ) : null}
        </form>
        <section className="section card" aria-label="Preview">
          <div className="section-head">
            <h2>Preview</h2>
            <div className="segmented" role="group" aria-label="Width">
              <button type="button" aria-pressed={width === 'desktop'} onClick={() => setWidth('desktop')}>
                Desktop
              </button>
              <button type="button" aria-pressed={width === 'mobile'} onClick={() => setWidth('mobile')}>
                Phone
              </button>
            </div>
          </div>
          {previewError ? <p className="form-error" role="alert">{previewError}</p> : null}
          {preview ? (
            <>
              <p className="small">
                <strong>{preview.subject || '(no subject)'}</strong> <span className="muted">— as {preview.contact.name} would see it</span>
              </p>
              <iframe
                className="email-frame"
                sandbox=""
                srcDoc={preview.html}
                title="Preview of the email"
                style={{ width: width === 'mobile' ? 375 : '100%', maxWidth: '100%', minHeight: 520, display: 'block', margin: '0 auto' }}
              />
            </>
          ) : (
            <p className="muted">The preview appears as you write.</p>
          )}
        </section>
      </div>
    </>
  );
}

/** Above the send button: who it reaches, and for the marketing role the owner's limit and what a send above it does. */
function SendCheckNote({ check }: { check: SendCheck | null }) {
  if (!check) return null;
  const reach = check.recipients === null ? 'Choose an audience to see who it reaches.' : `It reaches ${formatCount(check.recipients)} ${check.recipients === 1 ? 'person' : 'people'} now (suppressed addresses left out).`;
  if (!check.limited) return <p className="muted small">{reach}</p>;
  const limit = `Your send limit: ${formatCount(check.maxRecipients)} people a send, ${check.maxPerWeek} ${check.maxPerWeek === 1 ? 'send' : 'sends'} in 7 days (${check.sendsThisWeek} so far).`;
  if (check.pendingApprovalId)
    return (
      <p className="notice" role="status">
        {reach} This draft waits for the owner’s approval (it is on their weekly review); it goes out once they approve it. Editing it asks again.
      </p>
    );
  if (check.overLimit)
    return (
      <p className="notice" role="status">
        {reach} Above your send limit: {check.overLimit}. Sending asks the owner first; nothing goes out until they approve it. {limit}
      </p>
    );
  return (
    <p className="muted small">
      {reach} {limit}
    </p>
  );
}
