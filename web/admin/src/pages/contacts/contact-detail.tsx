import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { audience, sourceLabel, statusLabels, type ContactDetail } from './api.js';

const consentLabels: Record<string, string> = {
  form: 'Signed up through a form',
  confirmed: 'Confirmed their address',
  import: 'Imported',
  admin: 'Added by staff',
  preferences: 'Chose on the preference page',
  account: 'Chose on their account page',
  unsubscribed: 'Unsubscribed',
  checkout: 'Agreed at checkout',
  api: 'Added through the API',
};

export function ContactDetailPage() {
  const { id = '' } = useParams();
  const state = useLoad(() => Promise.all([audience.contact(id), audience.lists(), audience.tags()]), [id]);
  return (
    <LoadState state={state} label="Loading the contact…">
      {([detail, lists, tags]) => <Contact detail={detail} allLists={lists.lists} allTags={tags.tags} reload={state.reload} />}
    </LoadState>
  );
}

function Contact({ detail, allLists, allTags, reload }: { detail: ContactDetail; allLists: { id: string; name: string }[]; allTags: { id: string; name: string }[]; reload(): void }) {
  const { contact, tags, lists, consent, events } = detail;
  const { can } = useSession();
  const write = can('contacts.write');
  const confirm = useConfirm();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<string | null>(null);
  const act = useAction(async (work: () => Promise<string | null>) => {
    setNotice(null);
    const msg = await work();
    if (msg) setNotice(msg);
    reload();
  });
  const status = statusLabels[contact.status];
  const canReceive = contact.status === 'active' || contact.status === 'unconfirmed';

  const edit = useFormAction(async (f) => {
    setNotice(null);
    await audience.updateContact(contact.id, { name: f.text('name') });
    setNotice('Saved.');
    reload();
  });

  return (
    <>
      <PageHeader
        title={contact.name || contact.email}
        intro={
          <>
            {contact.name ? <span className="break">{contact.email} · </span> : null}
            <span className={`badge ${status.tone}`}>{status.label}</span> {status.hint}.
          </>
        }
        actions={
          <Link className="button subtle" to="/contacts">
            All contacts
          </Link>
        }
      />
      <FormError error={act.error} />
      <FormNotice>{notice}</FormNotice>
      <div className="two-columns">
        <section className="card section" aria-labelledby="about-title">
          <h2 id="about-title">About</h2>
          <dl className="facts">
            <div>
              <dt>Came from</dt>
              <dd>{sourceLabel(contact.source)}</dd>
            </div>
            <div>
              <dt>Added</dt>
              <dd>
                <Time iso={contact.createdAt} />
              </dd>
            </div>
            <div>
              <dt>Confirmed</dt>
              <dd>
                <Time iso={contact.confirmedAt} />
              </dd>
            </div>
            {Object.entries(contact.fields).map(([k, v]) => (
              <div key={k}>
                <dt>{k.replace(/_/g, ' ')}</dt>
                <dd className="break">{v}</dd>
              </div>
            ))}
          </dl>
          {write ? (
            <form className="inline-form" onSubmit={edit.onSubmit} style={{ marginTop: 16 }}>
              <TextField label="Name" name="name" defaultValue={contact.name} />
              <button type="submit" className="button" disabled={edit.pending}>
                Save
              </button>
              <FormError error={edit.error} />
            </form>
          ) : null}
          {write ? (
            <div className="button-row" style={{ marginTop: 16 }}>
              {contact.status === 'active' || contact.status === 'unconfirmed' ? (
                <button
                  type="button"
                  className="button"
                  disabled={act.pending}
                  onClick={() =>
                    void act.run(async () => {
                      const ok = await confirm({
                        title: `Unsubscribe ${contact.email}?`,
                        body: <p>They stop receiving marketing email at once, including broadcasts still sending. Only they can subscribe again.</p>,
                        confirmLabel: 'Unsubscribe',
                      });
                      if (!ok) return null;
                      await audience.updateContact(contact.id, { status: 'unsubscribed' });
                      return `${contact.email} is unsubscribed.`;
                    })
                  }
                >
                  Unsubscribe from everything
                </button>
              ) : null}
              {contact.status === 'bounced' ? (
                <button type="button" className="button" disabled={act.pending} onClick={() => void act.run(async () => (await audience.updateContact(contact.id, { status: 'active' }), 'Marked as fixed: mail resumes.'))}>
                  The address is fixed
                </button>
              ) : null}
              <button
                type="button"
                className="button danger-text"
                disabled={act.pending}
                onClick={() =>
                  void act.run(async () => {
                    const ok = await confirm({
                      title: `Erase ${contact.email}?`,
                      body: <p>Everything kept about this person goes: fields, tags, subscriptions and consent evidence. Use this for a deletion request. It cannot be undone.</p>,
                      confirmLabel: 'Erase',
                      danger: true,
                    });
                    if (!ok) return null;
                    await audience.deleteContact(contact.id);
                    navigate('/contacts');
                    return null;
                  })
                }
              >
                Erase this contact
              </button>
            </div>
          ) : null}
        </section>

        <section className="card section" aria-labelledby="lists-title">
          <h2 id="lists-title">Lists</h2>
          <ul className="plain-list">
            {allLists.map((l) => {
              const sub = lists.find((x) => x.id === l.id);
              const on = sub?.status === 'subscribed';
              return (
                <li key={l.id} className="list-row">
                  <div>
                    <strong>{l.name}</strong>
                    <div className="muted small">{on ? 'Subscribed' : sub ? 'Left this list' : 'Not on this list'}</div>
                  </div>
                  {write ? (
                    on ? (
                      <button type="button" className="button small" disabled={act.pending} onClick={() => void act.run(async () => (await audience.unsubscribe(contact.id, l.id), `Taken off ${l.name}.`))}>
                        Take off<span className="visually-hidden"> {l.name}</span>
                      </button>
                    ) : canReceive && !sub ? (
                      <button type="button" className="button small" disabled={act.pending} onClick={() => void act.run(async () => (await audience.subscribe(contact.id, l.id), `Added to ${l.name}.`))}>
                        Add<span className="visually-hidden"> to {l.name}</span>
                      </button>
                    ) : null
                  ) : null}
                </li>
              );
            })}
          </ul>
          <h2 style={{ marginTop: 24 }}>Tags</h2>
          <p>
            {tags.length ? (
              tags.map((t) => (
                <span key={t.id} className="badge tag">
                  {t.name}
                  {write ? (
                    <button type="button" className="tag-remove" aria-label={`Remove the tag ${t.name}`} disabled={act.pending} onClick={() => void act.run(async () => (await audience.untagContact(contact.id, t.id), null))}>
                      ×
                    </button>
                  ) : null}
                </span>
              ))
            ) : (
              <span className="muted">No tags.</span>
            )}
          </p>
          {write ? <AddTag contactId={contact.id} known={allTags} onAdded={reload} /> : null}
        </section>
      </div>

      <section className="card section" aria-labelledby="consent-title">
        <h2 id="consent-title">Consent evidence</h2>
        {consent.length === 0 ? (
          <p className="muted">No consent is recorded for this contact (they came through checkout or before evidence was kept).</p>
        ) : (
          <ul className="plain-list">
            {consent.map((c) => (
              <li key={c.id} className="list-row">
                <div>
                  <strong>{consentLabels[c.kind] ?? c.kind}</strong> · <Time iso={c.occurredAt} />
                  {c.statement ? <blockquote className="consent-quote">{c.statement}</blockquote> : null}
                  <div className="muted small">
                    {[c.ip ? `IP ${c.ip}` : null, c.userAgent ? c.userAgent.slice(0, 80) : null, c.importId ? `import ${c.importId.slice(0, 8)}` : null].filter(Boolean).join(' · ')}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card section" aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {events.length === 0 ? (
          <p className="muted">Nothing recorded yet.</p>
        ) : (
          <ul className="plain-list">
            {events.map((e) => (
              <li key={e.id} className="list-row">
                <span>
                  <code>{e.type}</code> <span className="muted small">by {e.actorKind}</span>
                </span>
                <Time iso={e.occurredAt} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function AddTag({ contactId, known, onAdded }: { contactId: string; known: { id: string; name: string }[]; onAdded(): void }) {
  const add = useFormAction(
    async (f) => {
      const name = f.text('tag').trim();
      if (!name) return;
      await audience.tagContact(contactId, { names: [name] });
      onAdded();
    },
    { reset: true },
  );
  return (
    <form className="inline-form" onSubmit={add.onSubmit}>
      <TextField label="Add a tag" name="tag" list="known-tags" hint="Pick one or type a new name." autoComplete="off" />
      <datalist id="known-tags">
        {known.map((t) => (
          <option key={t.id} value={t.name} />
        ))}
      </datalist>
      <button type="submit" className="button" disabled={add.pending}>
        Add tag
      </button>
      <FormError error={add.error} />
    </form>
  );
}
