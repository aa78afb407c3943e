import { useState } from 'react';
import { Link } from 'react-router';
import { InlineRename } from '../../components/inline-rename.js';
import { useConfirm } from '../../components/confirm.js';
import { EmptyState } from '../../components/empty-state.js';
import { TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { audience, formatCount } from './api.js';

/** Lists people subscribe to (and leave one by one), and tags for the business's own use. */
export function ListsTagsPage() {
  const state = useLoad(() => Promise.all([audience.lists(), audience.tags()]), []);
  const { can } = useSession();
  const write = can('contacts.write');
  const confirm = useConfirm();
  const [notice, setNotice] = useState<string | null>(null);
  const act = useAction(async (work: () => Promise<string | null>) => {
    setNotice(null);
    const msg = await work();
    if (msg) setNotice(msg);
    state.reload();
  });
  const newList = useFormAction(
    async (f) => {
      await audience.createList({ name: f.text('name'), description: f.text('description') || undefined });
      state.reload();
    },
    { reset: true },
  );
  const newTag = useFormAction(
    async (f) => {
      await audience.createTag(f.text('name'));
      state.reload();
    },
    { reset: true },
  );

  return (
    <>
      <PageHeader title="Lists & tags" intro="Lists are what people subscribe to and can leave one by one on their preference page. Tags are labels for your own use: forms, imports and you add them, segments select by them." />
      <FormError error={act.error} />
      <FormNotice>{notice}</FormNotice>
      <LoadState state={state}>
        {([{ lists }, { tags }]) => (
          <div className="two-columns">
            <section className="card section" aria-labelledby="lists-title">
              <h2 id="lists-title">Lists</h2>
              {lists.length === 0 ? (
                <EmptyState title="No lists yet">
                  <p>Create one for each newsletter or topic people can choose, e.g. “Weekly letter” and “Product news”.</p>
                </EmptyState>
              ) : (
                <ul className="plain-list">
                  {lists.map((l) => (
                    <li key={l.id} className="list-row">
                      <div>
                        <strong>{l.name}</strong>
                        <div className="muted small">
                          <Link to={`/contacts?list=${l.id}&status=active`}>{formatCount(l.subscribers)} subscribed</Link>
                          {l.description ? ` · ${l.description}` : ''}
                        </div>
                      </div>
                      {write ? (
                        <span className="button-row">
                          <InlineRename
                            value={l.name}
                            label={`New name of the list ${l.name}`}
                            onSave={async (name) => {
                              if (name === l.name) return;
                              await audience.updateList(l.id, { name });
                              setNotice(`Renamed to ${name}.`);
                              state.reload();
                            }}
                          />
                          <button
                            type="button"
                            className="button small danger-text"
                            disabled={act.pending}
                            onClick={() =>
                              void act.run(async () => {
                                const ok = await confirm({
                                  title: `Delete the list ${l.name}?`,
                                  body: <p>The contacts stay; their subscriptions to this list go, and it leaves everyone's preference page.</p>,
                                  confirmLabel: 'Delete list',
                                  danger: true,
                                });
                                if (!ok) return null;
                                await audience.deleteList(l.id);
                                return `${l.name} was deleted.`;
                              })
                            }
                          >
                            Delete<span className="visually-hidden"> {l.name}</span>
                          </button>
                        </span>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )}
              {write ? (
                <form className="stack" onSubmit={newList.onSubmit} style={{ marginTop: 16 }}>
                  <TextField label="New list" name="name" required error={newList.fieldErrors.name} />
                  <TextField label="Description" name="description" hint="Shown on the preference page, e.g. “Every Friday”." />
                  <FormError error={newList.error} />
                  <div>
                    <button type="submit" className="button" disabled={newList.pending}>
                      Create list
                    </button>
                  </div>
                </form>
              ) : null}
            </section>

            <section className="card section" aria-labelledby="tags-title">
              <h2 id="tags-title">Tags</h2>
              {tags.length === 0 ? (
                <EmptyState title="No tags yet" />
              ) : (
                <ul className="plain-list">
                  {tags.map((t) => (
                    <li key={t.id} className="list-row">
                      <div>
                        <strong>{t.name}</strong>
                        <div className="muted small">
                          <Link to={`/contacts?tag=${t.id}`}>{formatCount(t.contacts)} contacts</Link>
                        </div>
                      </div>
                      {write ? (
                        <span className="button-row">
                          <InlineRename
                            value={t.name}
                            label={`New name of the tag ${t.name}`}
                            onSave={async (name) => {
                              if (name === t.name) return;
                              await audience.renameTag(t.id, name);
                              setNotice(`Renamed to ${name}.`);
                              state.reload();
                            }}
                          />
                          <button
                            type="button"
                            className="button small danger-text"
                            disabled={act.pending}
                            onClick={() =>
                              void act.run(async () => {
                                const ok = await confirm({ title: `Delete the tag ${t.name}?`, body: <p>It comes off {formatCount(t.contacts)} contacts. Segments that use it match nobody through it any more.</p>, confirmLabel: 'Delete tag', danger: true });
                                if (!ok) return null;
                                await audience.deleteTag(t.id);
                                return `${t.name} was deleted.`;
                              })
                            }
                          >
                            Delete<span className="visually-hidden"> {t.name}</span>
                          </button>
                        </span>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )}
              {write ? (
                <form className="inline-form" onSubmit={newTag.onSubmit} style={{ marginTop: 16 }}>
                  <TextField label="New tag" name="name" required error={newTag.fieldErrors.name} />
                  <button type="submit" className="button" disabled={newTag.pending}>
                    Create tag
                  </button>
                  <FormError error={newTag.error} />
                </form>
              ) : null}
            </section>
          </div>
        )}
      </LoadState>
    </>
  );
}
