// A funnel of 2–8 steps: page views and events (goals, and the business steps the server
// records: form_submitted, checkout_started, order_paid, lesson_completed). Kept in the address.
import { useEffect, useState } from 'react';
import { FormError } from '../../components/form-error.js';
import { useAction } from '../../lib/use-action.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { funnels, type FunnelResult, type PeriodQuery, type SavedFunnel } from './analytics-api.js';

const DEFAULT = ['page:/', 'page:/p/*', 'event:checkout_started', 'event:order_paid'];
const SEP = '|';

export function FunnelSection({ query }: { query: PeriodQuery }) {
  const [param, setParam] = useQueryParam('funnel');
  const [steps, setSteps] = useState<string[]>(param ? param.split(SEP) : DEFAULT);
  const [result, setResult] = useState<FunnelResult | null>(null);
  const run = useAction(async () => {
    setParam(steps.join(SEP));
    setResult(await funnels.compute(query, steps));
  });
  const update = (i: number, kind: string, match: string) => setSteps((s) => s.map((x, j) => (j === i ? `${kind}:${match}` : x)));
  // Saved funnels: pick one to load its steps; save the steps shown under a name.
  const [saved, setSaved] = useState<SavedFunnel[]>([]);
  const [name, setName] = useState('');
  const reload = async () => setSaved((await funnels.saved()).funnels);
  useEffect(() => {
    void reload().catch(() => undefined);
  }, []);
  const save = useAction(async () => {
    const f = await funnels.save(name.trim(), steps);
    await reload();
    setName(f.name);
  });
  const remove = useAction(async (id: string) => {
    await funnels.remove(id);
    setName('');
    await reload();
  });
  const current = saved.find((f) => f.name === name.trim());

  return (
    <section className="card section" aria-labelledby="funnel-title">
      <div className="section-head">
        <h2 id="funnel-title">Funnel</h2>
      </div>
      <p className="muted small">Visitors who did each step after the one before, on the same day, in this period and under the filter above. Paths may end in * for every page under them.</p>
      {saved.length ? (
        <div className="analytics-controls">
          <label className="field">
            <span>Saved funnels</span>
            <select
              value={current?.id ?? ''}
              onChange={(e) => {
                const f = saved.find((x) => x.id === e.target.value);
                if (!f) return;
                setName(f.name);
                setSteps(f.steps.map((x) => `${x.kind}:${x.match}`));
              }}
            >
              <option value="">Choose a saved funnel…</option>
              {saved.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
          {current ? (
            <button type="button" className="button small" disabled={remove.pending} onClick={() => void remove.run(current.id)}>
              Delete “{current.name}”
            </button>
          ) : null}
        </div>
      ) : null}
      <form
        className="funnel-steps"
        aria-label="Funnel steps"
        onSubmit={(e) => {
          e.preventDefault();
          void run.run();
        }}
      >
        {steps.map((s, i) => {
          const kind = s.slice(0, s.indexOf(':'));
          const match = s.slice(s.indexOf(':') + 1);
          return (
            <div key={i} className="analytics-controls">
              <label className="field">
                <span>Step {i + 1}</span>
                <select value={kind} onChange={(e) => update(i, e.target.value, match)}>
                  <option value="page">Visited a page</option>
                  <option value="event">Did an event</option>
                </select>
              </label>
              <label className="field">
                <span>{kind === 'page' ? `Path of step ${i + 1}` : `Event of step ${i + 1}`}</span>
                <input value={match} list="funnel-events" onChange={(e) => update(i, kind, e.target.value)} required maxLength={290} />
              </label>
              {steps.length > 2 ? (
                <button type="button" className="button small" onClick={() => setSteps((x) => x.filter((_, j) => j !== i))}>
                  Remove step {i + 1}
                </button>
              ) : null}
            </div>
          );
        })}
        <datalist id="funnel-events">
          <option value="form_submitted" />
          <option value="checkout_started" />
          <option value="order_paid" />
          <option value="lesson_completed" />
        </datalist>
        <div className="analytics-controls">
          {steps.length < 8 ? (
            <button type="button" className="button" onClick={() => setSteps((x) => [...x, 'page:/'])}>
              Add a step
            </button>
          ) : null}
          <button type="submit" className="button primary" disabled={run.pending}>
            {run.pending ? 'Counting…' : 'Show funnel'}
          </button>
        </div>
        <div className="analytics-controls">
          <label className="field">
            <span>Funnel name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="Home to purchase" />
          </label>
          <button type="button" className="button" disabled={save.pending || !name.trim()} onClick={() => void save.run()}>
            {current ? 'Save changes' : 'Save funnel'}
          </button>
        </div>
        <FormError error={run.error ?? save.error ?? remove.error} />
      </form>
      {result ? <FunnelView result={result} /> : null}
    </section>
  );
}

function FunnelView({ result }: { result: FunnelResult }) {
  const first = Math.max(1, result.steps[0]?.visitors ?? 1);
  return (
    <div aria-live="polite">
      <ol className="funnel-steps" aria-label="Funnel result">
        {result.steps.map((s, i) => (
          <li key={i} className="funnel-row">
            <span>{s.label}</span>
            <span className="funnel-bar" style={{ width: `${Math.max(1, (100 * s.visitors) / first)}%` }} aria-hidden />
            <span className="small">
              <strong>{s.visitors.toLocaleString('en')}</strong> visitors · {s.conversionRate}% of step 1{i > 0 ? ` · ${s.dropOff}% dropped off` : ''}
            </span>
          </li>
        ))}
      </ol>
      {result.bySource.length ? (
        <div className="table-wrap">
          <table aria-label="Funnel by source">
            <thead>
              <tr>
                <th scope="col">Source</th>
                {result.steps.map((_, i) => (
                  <th key={i} scope="col" className="num">
                    Step {i + 1}
                  </th>
                ))}
                <th scope="col" className="num">Converted</th>
              </tr>
            </thead>
            <tbody>
              {result.bySource.slice(0, 15).map((r) => (
                <tr key={r.source}>
                  <td>{r.source}</td>
                  {r.visitors.map((n, i) => (
                    <td key={i} className="num">
                      {n}
                    </td>
                  ))}
                  <td className="num">{r.visitors[0] ? `${Math.round((1000 * r.visitors[r.visitors.length - 1]!) / r.visitors[0]) / 10}%` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
