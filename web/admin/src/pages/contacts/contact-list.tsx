import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadMore } from '../../components/load-more.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { oneOf } from '../../lib/one-of.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { useSession } from '../../session.js';
import { audience, contactStatuses, formatCount, sourceLabel, statusLabels, type ContactSummary } from './api.js';

const PAGE = 50;

/** Everyone on the list, newest first: search, filters kept in the address, export. */
export function ContactListPage() {
  const { can } = useSession();
  const [, setParams] = useSearchParams();
  const [q, setQ] = useQueryParam('q');
  const [status, setStatus] = useQueryParam('status');
  const [tagId, setTag] = useQueryParam('tag');
  const [listId, setList] = useQueryParam('list');
  const [segmentId, setSegment] = useQueryParam('segment');
  const [draft, setDraft] = useState(q);
  const filter = { q: q || undefined, status: oneOf(contactStatuses, status), tagId: tagId || undefined, listId: listId || undefined, segmentId: segmentId || undefined };
  const filtered = Object.values(filter).some(Boolean);

  const options = useLoad(() => Promise.all([audience.tags(), audience.lists(), audience.segments()]), []);
  const state = useLoad(() => audience.contacts({ ...filter, limit: PAGE }), [q, status, tagId, listId, segmentId]);
  const more = useAction(async (cursor: string) => {
    const next = await audience.contacts({ ...filter, cursor, limit: PAGE });
    state.setData((d) => ({ ...d, contacts: [...d.contacts, ...next.contacts], nextCursor: next.nextCursor }));
  });
  const [adding, setAdding] = useState(false);
  const [tags, lists, segments] = options.data ?? [{ tags: [] }, { lists: [] }, { segments: [] }];

  return (
    <>
      <PageHeader
        title="Contacts"
        intro="Everyone on your list, with the consent behind every address."
        actions={
          <div className="button-row">
            {can('contacts.export') ? (
              <a className="button" href={audience.exportUrl(filter)} download>
                Export CSV{filtered && !q ? ' (this view)' : ''}
              </a>
            ) : null}
            {can('contacts.write') ? (
              <button type="button" className="button primary" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>
                Add a contact
              </button>
            ) : null}
          </div>
        }
      />
      {adding ? <AddContact lists={lists.lists} onAdded={() => state.reload()} /> : null}
      <form
        className="filters card"
        role="search"
        aria-label="Find contacts"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(draft.trim());
        }}
      >
        <div className="field">
          <label htmlFor="contacts-q">Search</label>
          <input id="contacts-q" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Email or name" />
        </div>
        <div className="field">
          <label htmlFor="contacts-status">Status</label>
          <select id="contacts-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any status</option>
            {contactStatuses.map((s) => (
              <option key={s} value={s}>
                {statusLabels[s].label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="contacts-list">List</label>
          <select id="contacts-list" value={listId} onChange={(e) => setList(e.target.value)}>
            <option value="">Any list</option>
            {lists.lists.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="contacts-tag">Tag</label>
          <select id="contacts-tag" value={tagId} onChange={(e) => setTag(e.target.value)}>
            <option value="">Any tag</option>
            {tags.tags.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="contacts-segment">Segment</label>
          <select id="contacts-segment" value={segmentId} onChange={(e) => setSegment(e.target.value)}>
            <option value="">Everyone</option>
            {segments.segments.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Search
        </button>
        {filtered ? (
          <button
            type="button"
            className="button subtle"
            onClick={() => {
              setDraft('');
              setParams({}, { replace: true });
            }}
          >
            Clear
          </button>
        ) : null}
      </form>
      <LoadState state={state} label="Loading contacts…">
        {({ contacts, total, nextCursor }) =>
          contacts.length === 0 ? (
            <div className="card">
              <EmptyState title={filtered ? 'No contact matches' : 'No contacts yet'}>
                <p>
                  {filtered ? 'Try another search or filter.' : 'People arrive through your forms, checkout and imports. Create a form or import a CSV file to start.'}
                </p>
              </EmptyState>
            </div>
          ) : (
            <section className="card section" aria-label="Contacts">
              <p className="muted small" aria-live="polite">
                {formatCount(total)} {total === 1 ? 'contact' : 'contacts'}
                {filtered ? ' match' : ''}
              </p>
              <ContactTable contacts={contacts} />
              <LoadMore more={more} nextCursor={nextCursor} shown={contacts.length} total={total} />
            </section>
          )
        }
      </LoadState>
    </>
  );
}

function ContactTable({ contacts }: { contacts: ContactSummary[] }) {
  return (
    <div className="table-wrap">
      <table className="stack-on-phone">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Tags</th>
            <th scope="col">Came from</th>
            <th scope="col">Added</th>
          </tr>
        </thead>
        <tbody>
          {contacts.map((c) => (
            <tr key={c.id}>
              <td className="break" data-label="Email">
                <Link to={`/contacts/${c.id}`}>{c.email}</Link>
              </td>
              <td data-label="Name">{c.name || <span className="muted">—</span>}</td>
              <td data-label="Status">
                <span className={`badge ${statusLabels[c.status].tone}`} title={statusLabels[c.status].hint}>
                  {statusLabels[c.status].label}
                </span>
              </td>
              <td data-label="Tags">
                {c.tags.length ? c.tags.map((t) => <span key={t.id} className="badge tag">{t.name}</span>) : <span className="muted">—</span>}
              </td>
              <td data-label="Came from">{sourceLabel(c.source)}</td>
              <td data-label="Added">
                <Time iso={c.createdAt} style="date" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AddContact({ lists, onAdded }: { lists: { id: string; name: string }[]; onAdded(): void }) {
  const [done, setDone] = useState<string | null>(null);
  const add = useFormAction(
    async (f) => {
      setDone(null);
      const listIds = lists.filter((l) => f.checked(`list-${l.id}`)).map((l) => l.id);
      const c = await audience.createContact({ email: f.text('email'), name: f.text('name') || undefined, listIds, consentNote: f.text('consentNote') || undefined });
      setDone(`${c.email} was added.`);
      onAdded();
    },
    { reset: true },
  );
  return (
    <section className="card section" aria-labelledby="add-contact-title">
      <h2 id="add-contact-title">Add a contact</h2>
      <form className="stack" onSubmit={add.onSubmit}>
        <div className="inline-form">
          <TextField label="Email" name="email" type="email" required autoComplete="off" error={add.fieldErrors.email} />
          <TextField label="Name" name="name" autoComplete="off" />
        </div>
        {lists.length ? (
          <fieldset className="field">
            <legend>Lists</legend>
            {lists.map((l) => (
              <label key={l.id} className="checkline">
                <input type="checkbox" name={`list-${l.id}`} /> {l.name}
              </label>
            ))}
          </fieldset>
        ) : null}
        <TextField
          label="How did they agree to hear from you?"
          name="consentNote"
          hint="Kept as their consent evidence, e.g. “Asked to join at the Berlin workshop”."
          error={add.fieldErrors.consentNote}
        />
        <FormError error={add.error} />
        <FormNotice>{done}</FormNotice>
        <div>
          <button type="submit" className="button primary" disabled={add.pending}>
            {add.pending ? 'Adding…' : 'Add contact'}
          </button>
        </div>
      </form>
    </section>
  );
}

