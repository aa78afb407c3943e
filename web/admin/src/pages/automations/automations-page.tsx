// Automations: the list with health, new from a template, the builder of one workflow (draft →
// publish), its runs and each run's timeline with retry / skip, and the dry run.
import { useEffect, useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { TextField } from '../../components/field.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { automationsApi, stateLabels, triggerLabels, type Definition, type RunState, type WorkflowDetail, type WorkflowSummary } from './api.js';
import { Builder, type Choices } from './builder.js';

export default function AutomationsArea() {
  return (
    <Routes>
      <Route index element={<WorkflowList />} />
      <Route path="runs/:runId" element={<RunTimeline />} />
      <Route path=":id" element={<WorkflowPage />} />
    </Routes>
  );
}

const money = (cents: number) => (cents / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function WorkflowList() {
  const state = useLoad(() => automationsApi.list(), []);
  const templates = useLoad(() => automationsApi.templates(), []);
  const { can } = useSession();
  const navigate = useNavigate();
  const create = useAction(async (template: string | undefined, name: string) => {
    const w = await automationsApi.create({ name, template });
    navigate(`/automations/${w.id}`);
  });
  return (
    <>
      <PageHeader title="Automations" intro="Workflows that run the business by themselves: each reacts to what happens, waits, sends, tags and branches — and shows exactly what it did." />
      <LoadState state={state} label="Loading automations…">
        {({ workflows, health }) => (
          <>
            <p className={`notice ${health.overdue || health.failureRate > 0.05 ? 'warn' : ''}`} role="status">
              {health.overdue ? `${health.overdue} run(s) are more than 5 minutes overdue. ` : 'Nothing overdue. '}
              {health.endedLast7Days ? `${(health.failureRate * 100).toFixed(1)} % of runs failed in the last 7 days (${health.failedLast7Days}).` : 'No runs ended in the last 7 days.'}
            </p>
            {workflows.length === 0 ? (
              <div className="card">
                <EmptyState title="No automations yet">
                  <p>Start from a template below: each one is a complete workflow you can adjust before publishing.</p>
                </EmptyState>
              </div>
            ) : (
              <div className="card table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Workflow</th>
                      <th scope="col">Status</th>
                      <th scope="col">Waiting</th>
                      <th scope="col">Done</th>
                      <th scope="col">Left</th>
                      <th scope="col">Failed</th>
                      <th scope="col">Revenue</th>
                    </tr>
                  </thead>
                  <tbody>
                    {workflows.map((w) => (
                      <WorkflowRow key={w.id} w={w} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </LoadState>
      {can('automation.write') ? (
        <section className="section" aria-label="Start from a template">
          <h2>Start from a template</h2>
          <FormError error={create.error} />
          <LoadState state={templates} label="Loading templates…">
            {({ templates: list }) => (
              <div className="area-grid">
                {list.map((t) => (
                  <div key={t.id} className="area-card card">
                    <div className="area-title">{t.name}</div>
                    <p className="area-text">{t.description}</p>
                    <button type="button" className="button small" disabled={create.pending} onClick={() => void create.run(t.id, t.name)}>
                      Use “{t.name}”
                    </button>
                  </div>
                ))}
                <div className="area-card card">
                  <div className="area-title">Blank workflow</div>
                  <p className="area-text">Choose the trigger and build every step yourself.</p>
                  <button type="button" className="button small" disabled={create.pending} onClick={() => void create.run(undefined, 'New workflow')}>
                    Start blank
                  </button>
                </div>
              </div>
            )}
          </LoadState>
        </section>
      ) : null}
    </>
  );
}

function WorkflowRow({ w }: { w: WorkflowSummary }) {
  const tone = w.status === 'live' ? 'good' : w.status === 'paused' ? 'warn' : '';
  return (
    <tr>
      <td>
        <Link to={`/automations/${w.id}`}>{w.name}</Link>
        <div className="muted small">{w.triggers.map((t) => triggerLabels[t] ?? t).join(', ') || 'No trigger yet'}</div>
        {w.health.overdue ? <span className="badge bad">{w.health.overdue} overdue</span> : null}
      </td>
      <td>
        <span className={`badge ${tone}`}>{w.status === 'live' ? `Live v${w.version}` : w.status}</span>
      </td>
      <td>{w.counts.waiting + w.counts.active}</td>
      <td>{w.counts.done}</td>
      <td>{w.counts.exited}</td>
      <td>{w.counts.failed ? <span className="badge bad">{w.counts.failed}</span> : 0}</td>
      <td>{money(w.revenue)}</td>
    </tr>
  );
}

function WorkflowPage() {
  const { id } = useParams();
  const state = useLoad(() => automationsApi.get(id!), [id]);
  const choices = useLoad(async (): Promise<Choices> => {
    const [tags, lists, forms, products, courses, people, sops] = await Promise.all([automationsApi.tags(), automationsApi.lists(), automationsApi.forms(), automationsApi.products(), automationsApi.courses(), automationsApi.people(), automationsApi.sops()]);
    return {
      tags: tags.tags, lists: lists.lists, forms: forms.forms, products: products.products, courses: courses.courses.map((c) => ({ id: c.id, name: c.title })),
      people: people.people.map((p) => ({ id: p.id, name: p.name, role: p.role })),
      sops: sops.sops.filter((s) => !s.archived).map((s) => ({ id: s.id, name: s.title })),
    };
  }, []);
  return (
    <LoadState state={state} label="Opening the workflow…">
      {(w) => (
        <LoadState state={choices} label="Loading tags and lists…">
          {(c) => <WorkflowEditor key={w.updatedAt} w={w} choices={c} reload={state.reload} />}
        </LoadState>
      )}
    </LoadState>
  );
}

function WorkflowEditor({ w, choices, reload }: { w: WorkflowDetail; choices: Choices; reload(): void }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const [def, setDef] = useState<Definition>(w.definition);
  const [name, setName] = useState(w.name);
  const [tab, setTab] = useState<'build' | 'runs' | 'dry'>('build');
  const [waiting, setWaiting] = useState<'keep' | 'move'>('keep');
  const dirty = JSON.stringify(def) !== JSON.stringify(w.definition) || name !== w.name;
  const save = useAction(async () => {
    await automationsApi.save(w.id, { name, definition: def });
    reload();
  });
  const publish = useAction(async () => {
    if (dirty) await automationsApi.save(w.id, { name, definition: def });
    await automationsApi.publish(w.id, waiting);
    reload();
  });
  const toggle = useAction(async () => {
    await (w.status === 'paused' ? automationsApi.resume(w.id) : automationsApi.pause(w.id));
    reload();
  });
  const remove = useAction(async () => {
    await automationsApi.remove(w.id);
    navigate('/automations');
  });
  const version = w.versions[0];
  const writable = can('automation.write');
  return (
    <>
      <PageHeader
        title={w.name}
        intro={
          <>
            {w.status === 'live' ? <span className="badge good">Live, version {version?.number}</span> : <span className="badge">{w.status}</span>} {dirty ? <span className="badge warn">Unsaved changes</span> : null}
          </>
        }
        actions={
          writable ? (
            <div className="button-row">
              <button type="button" className="button" disabled={!dirty || save.pending} onClick={() => void save.run()}>
                Save draft
              </button>
              <button type="button" className="button primary" disabled={publish.pending} onClick={() => void publish.run()}>
                Publish
              </button>
              {w.status === 'live' || w.status === 'paused' ? (
                <button type="button" className="button" onClick={() => void toggle.run()}>
                  {w.status === 'paused' ? 'Resume' : 'Pause'}
                </button>
              ) : null}
              <button type="button" className="button danger-text" onClick={() => void remove.run()}>
                Delete
              </button>
            </div>
          ) : null
        }
      />
      <FormError error={save.error ?? publish.error ?? toggle.error ?? remove.error} />
      {w.problems.length ? (
        <div className="notice warn" role="status">
          <strong>Before publishing:</strong>
          <ul>
            {w.problems.map((p) => (
              <li key={p.message}>{p.message}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {w.versionId && writable ? (
        <fieldset className="inline-form">
          <legend className="small">When publishing a new version, runs that are waiting…</legend>
          <label>
            <input type="radio" name="waiting" checked={waiting === 'keep'} onChange={() => setWaiting('keep')} /> stay on their version
          </label>
          <label>
            <input type="radio" name="waiting" checked={waiting === 'move'} onChange={() => setWaiting('move')} /> move to the new one at the same step
          </label>
        </fieldset>
      ) : null}
      <div className="button-row" role="tablist" aria-label="Workflow views">
        {(['build', 'runs', 'dry'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={`button small${tab === t ? ' primary' : ''}`} onClick={() => setTab(t)}>
            {t === 'build' ? 'Builder' : t === 'runs' ? 'Runs' : 'Dry run'}
          </button>
        ))}
      </div>
      {tab === 'build' ? (
        <>
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} disabled={!writable} />
          <Builder def={def} onChange={setDef} stats={w.steps} problems={w.problems} choices={choices} />
        </>
      ) : tab === 'runs' ? (
        <Runs workflowId={w.id} />
      ) : (
        <DryRun workflowId={w.id} dirty={dirty} />
      )}
    </>
  );
}

function Runs({ workflowId }: { workflowId: string }) {
  const [state, setState] = useState<RunState | ''>('');
  const runs = useLoad(() => automationsApi.runs(workflowId, state || undefined), [workflowId, state]);
  useEffect(() => {
    const timer = setInterval(runs.reload, 3000);
    return () => clearInterval(timer);
  }, [runs.reload]);
  return (
    <section aria-label="Runs">
      <div className="filters">
        <label>
          Show{' '}
          <select value={state} onChange={(e) => setState(e.target.value as RunState | '')}>
            <option value="">every run</option>
            {Object.entries(stateLabels).map(([k, v]) => (
              <option key={k} value={k}>
                {v.label.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
      </div>
      <LoadState state={runs} label="Loading runs…">
        {({ runs: list }) =>
          list.length === 0 ? (
            <p className="muted">No runs yet.</p>
          ) : (
            <div className="card table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Contact</th>
                    <th scope="col">State</th>
                    <th scope="col">Next step</th>
                    <th scope="col">Started</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((r) => (
                    <tr key={r.id}>
                      <td>
                        <Link to={`/automations/runs/${r.id}`}>{r.contactEmail ?? 'deleted contact'}</Link>
                        <div className="muted small">version {r.version}</div>
                      </td>
                      <td>
                        <span className={`badge ${stateLabels[r.state].tone}`}>{stateLabels[r.state].label}</span>
                        {r.endReason ? <div className="muted small">{r.endReason}</div> : null}
                      </td>
                      <td>
                        {r.stepId ?? '—'}
                        {r.dueAt ? (
                          <div className="muted small">
                            at <Time iso={r.dueAt} />
                          </div>
                        ) : null}
                      </td>
                      <td>
                        <Time iso={r.startedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadState>
    </section>
  );
}

function RunTimeline() {
  const { runId } = useParams();
  const state = useLoad(() => automationsApi.run(runId!), [runId]);
  const { can } = useSession();
  const act = useAction(async (how: 'retry' | 'skip') => {
    await (how === 'retry' ? automationsApi.retry(runId!) : automationsApi.skip(runId!));
    state.reload();
  });
  return (
    <LoadState state={state} label="Loading the run…">
      {({ run, steps }) => (
        <>
          <PageHeader title="Run" intro={<Link to={`/automations/${run.workflowId}`}>Back to the workflow</Link>} />
          <p>
            <span className={`badge ${stateLabels[run.state].tone}`}>{stateLabels[run.state].label}</span> {run.endReason ?? (run.dueAt ? <>waiting until <Time iso={run.dueAt} /></> : null)}
          </p>
          {run.state === 'failed' && can('automation.write') ? (
            <div className="button-row">
              <button type="button" className="button primary" onClick={() => void act.run('retry')}>
                Retry the step
              </button>
              <button type="button" className="button" onClick={() => void act.run('skip')}>
                Skip it and go on
              </button>
            </div>
          ) : null}
          <FormError error={act.error} />
          <ol className="event-list" aria-label="Timeline">
            {steps.map((s) => (
              <li key={s.seq} className="event">
                <div className="event-main">
                  <span className={`badge ${s.status === 'failed' ? 'bad' : s.status === 'skipped' ? 'warn' : 'good'}`}>{s.status}</span> <strong>{s.stepId}</strong> <span className="event-text">{s.detail}</span>
                  <div className="event-meta muted small">
                    <Time iso={s.at} />
                  </div>
                </div>
              </li>
            ))}
          </ol>
        </>
      )}
    </LoadState>
  );
}

function DryRun({ workflowId, dirty }: { workflowId: string; dirty: boolean }) {
  const [q, setQ] = useState('');
  const [contactId, setContactId] = useState('');
  const found = useLoad(() => (q.length > 1 ? automationsApi.contacts(q) : Promise.resolve({ contacts: [], total: 0, nextCursor: null })), [q]);
  const [result, setResult] = useState<{ stepId: string; at: string; what: string }[] | null>(null);
  const run = useAction(async () => setResult((await automationsApi.dryRun(workflowId, contactId)).steps));
  return (
    <section className="stack" aria-label="Dry run">
      <p className="muted">Pick a contact and see which steps the saved draft would take them through, and when. Nothing is sent or changed.{dirty ? ' Save the draft first to include your latest changes.' : ''}</p>
      <TextField label="Find a contact" value={q} onChange={(e) => setQ(e.target.value)} placeholder="name or email" />
      {found.data?.contacts.length ? (
        <select aria-label="Contact" value={contactId} onChange={(e) => setContactId(e.target.value)}>
          <option value="">Choose…</option>
          {found.data.contacts.map((c) => (
            <option key={c.id} value={c.id}>
              {c.email}
            </option>
          ))}
        </select>
      ) : null}
      <div>
        <button type="button" className="button" disabled={!contactId || run.pending} onClick={() => void run.run()}>
          Dry run
        </button>
      </div>
      <FormError error={run.error} />
      {result ? (
        <ol className="event-list" aria-label="Dry run result">
          {result.map((s, i) => (
            <li key={i} className="event">
              <strong>{s.stepId}</strong> {s.what} <span className="muted small">— <Time iso={s.at} /></span>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
