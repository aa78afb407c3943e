// SOPs: the team's written procedures. Everyone reads them; the owner and admins write them
// (Markdown, previewed as it will show, `- [ ] step` lines become the checklist of the tasks
// that follow it) and see every revision with who changed what.
import { useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { EmptyState } from '../../components/empty-state.js';
import { SelectField, TextAreaField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { roleLabels, tasksApi, type Sop, type SopInput } from './api.js';

export default function SopsArea() {
  return (
    <Routes>
      <Route index element={<SopList />} />
      <Route path="new" element={<NewSop />} />
      <Route path=":id" element={<SopDetail />} />
    </Routes>
  );
}

function SopList() {
  const state = useLoad(() => tasksApi.sops(), []);
  const { can } = useSession();
  return (
    <>
      <PageHeader
        title="SOPs"
        intro="How things are done here, written down once: each procedure is a checklist the team follows, and the tasks that use it copy its steps."
        actions={
          can('tasks.manage') ? (
            <Link className="button primary" to="/sops/new">
              Write an SOP
            </Link>
          ) : null
        }
      />
      <LoadState state={state}>
        {({ sops }) =>
          sops.length === 0 ? (
            <EmptyState title="No SOPs yet">
              <p>{can('tasks.manage') ? 'Write the first one: a title, who it is for, and its steps as a Markdown checklist (“- [ ] Open Orders”).' : 'The owner has not written any procedures yet.'}</p>
            </EmptyState>
          ) : (
            <ul className="plain-list sop-list">
              {sops.map((s) => (
                <li key={s.id}>
                  <Link to={`/sops/${s.id}`}>{s.title}</Link> <span className="muted">— for {s.role ? roleLabels[s.role] : 'anyone'}, {s.checklist.length} steps, revision {s.revision}</span>
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
    </>
  );
}

function NewSop() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="Write an SOP" intro={<Link to="/sops">← All SOPs</Link>} />
      <SopEditor submitLabel="Save SOP" onSave={async (input) => navigate(`/sops/${(await tasksApi.createSop(input)).id}`)} />
    </>
  );
}

function SopDetail() {
  const { id = '' } = useParams();
  const state = useLoad(() => tasksApi.sop(id), [id]);
  const { can } = useSession();
  const navigate = useNavigate();
  const confirm = useConfirm();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const archive = useAction(async () => {
    if (!(await confirm({ title: 'Archive this SOP?', body: <p>It leaves the list; tasks that follow it get no checklist from now on. Its history is kept.</p>, confirmLabel: 'Archive', danger: true }))) return;
    await tasksApi.archiveSop(id);
    navigate('/sops');
  });
  return (
    <LoadState state={state}>
      {({ sop, revisions }) => (
        <>
          <PageHeader
            title={sop.title}
            intro={
              <>
                <Link to="/sops">← All SOPs</Link> · for {sop.role ? roleLabels[sop.role] : 'anyone'} · revision {sop.revision}
              </>
            }
            actions={
              can('tasks.manage') && !sop.archived ? (
                <>
                  <button type="button" className="button" aria-expanded={editing} onClick={() => setEditing((e) => !e)}>
                    {editing ? 'Close editor' : 'Edit SOP'}
                  </button>
                  <button type="button" className="button danger-text" disabled={archive.pending} onClick={() => void archive.run()}>
                    Archive
                  </button>
                </>
              ) : null
            }
          />
          <FormError error={archive.error} />
          <FormNotice>{notice}</FormNotice>
          {editing ? (
            <SopEditor
              initial={sop}
              submitLabel="Save changes"
              onSave={async (input) => {
                const next = await tasksApi.updateSop(id, input);
                setEditing(false);
                setNotice(`Saved as revision ${next.revision}. Open tasks keep the checklist they were given; the next ones get this one.`);
                state.reload();
              }}
            />
          ) : (
            // Sanitised on the server (renderSop: no scripts, no attributes but links and read-only checkboxes).
            <article className="card section sop-body" aria-label="Procedure" dangerouslySetInnerHTML={{ __html: sop.html }} />
          )}
          <section className="section" aria-labelledby="revisions-title">
            <h2 id="revisions-title">Revisions</h2>
            <div className="table-wrap">
              <table aria-label="Revisions">
                <thead>
                  <tr>
                    <th>Revision</th>
                    <th>Changed</th>
                    <th>By</th>
                    <th>When</th>
                  </tr>
                </thead>
                <tbody>
                  {revisions.map((r) => (
                    <tr key={r.revision}>
                      <td>{r.revision}</td>
                      <td>{r.revision === 1 ? 'Written' : r.changed.join(', ')}</td>
                      <td>{r.actorName ?? r.actor}</td>
                      <td>
                        <Time iso={r.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </LoadState>
  );
}

function SopEditor({ initial, submitLabel, onSave }: { initial?: Sop; submitLabel: string; onSave: (input: SopInput) => Promise<void> }) {
  const [body, setBody] = useState(initial?.body ?? '# Title\n\nWhy this matters, in a sentence.\n\n- [ ] First step\n- [ ] Second step\n');
  const [preview, setPreview] = useState<{ html: string; checklist: string[] } | null>(null);
  const show = useAction(async () => setPreview(await tasksApi.preview(body)));
  const save = useFormAction(async (f) => {
    await onSave({ title: f.text('title'), role: (f.text('role') || null) as SopInput['role'], body });
  });
  return (
    <section className="card section" aria-label="SOP editor">
      <form onSubmit={save.onSubmit}>
        <TextField label="Title" name="title" required maxLength={200} defaultValue={initial?.title} placeholder="e.g. Weekly refunds check" error={save.fieldErrors.title} />
        <SelectField
          label="Written for"
          name="role"
          options={[{ value: '', label: 'Anyone' }, ...['support', 'content', 'marketing', 'admin'].map((r) => ({ value: r, label: roleLabels[r]! }))]}
          defaultValue={initial?.role ?? ''}
        />
        <TextAreaField
          label="Procedure (Markdown)"
          name="body"
          rows={14}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          hint="Lines like “- [ ] Open Orders” become the checklist ticked in each task."
          error={save.fieldErrors.body}
        />
        <div className="actions">
          <button type="button" className="button" disabled={show.pending} onClick={() => void show.run()}>
            Preview
          </button>
          <button type="submit" className="button primary" disabled={save.pending}>
            {save.pending ? 'Saving…' : submitLabel}
          </button>
        </div>
        <FormError error={save.error ?? show.error} />
      </form>
      {preview ? (
        <section aria-label="Preview" className="sop-preview">
          <h3>Preview</h3>
          <div className="sop-body" dangerouslySetInnerHTML={{ __html: preview.html }} />
          <p className="muted">{preview.checklist.length ? `Checklist: ${preview.checklist.length} steps.` : 'No checklist: add lines like “- [ ] step”.'}</p>
        </section>
      ) : null}
    </section>
  );
}
