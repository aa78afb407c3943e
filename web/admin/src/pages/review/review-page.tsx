// The weekly review: the owner's hour a week. At most seven decisions with their data and
// one-click actions first, then the numbers against the usual week, what moved, what ran
// without the owner, the involvement meter, concentration risks, assistant reports, the
// 90-day absence forecast and the owner's own settings (time budget, away mode).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { SelectField, TextField } from '../../components/field.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { formatMoney } from '../../lib/money.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { reviewApi, type AbsenceForecast, type DecisionAction, type OwnerSettings, type Review, type ReviewDecision } from './api.js';
import { Sparkline } from './sparkline.js';
import './review.css';

const pct = (x: number) => `${Math.round(x * 100)} %`;
const budgetLabels: Record<OwnerSettings['timeBudget'], string> = { hour_week: 'One hour a week', day_week: 'One day a week', hour_day: 'One hour a day' };
const fourDLabels = { doing: 'Doing', deciding: 'Deciding', delegating: 'Delegating', designing: 'Designing' } as const;

// Money series are in major units, their label names the currency.
function kpiValue(k: Review['kpis'][number], v: number) {
  if (k.unit === 'rate') return `${(v * 100).toFixed(1)} %`;
  if (k.unit === 'money') return v.toLocaleString('en', { maximumFractionDigits: 0 });
  return Math.round(v).toLocaleString('en');
}

export default function ReviewPage() {
  const state = useLoad(() => reviewApi.review(), []);
  return (
    <>
      <PageHeader title="Weekly review" intro="Your hour a week: what ran without you, what moved, and the few decisions that need you." />
      <LoadState state={state} label="Compiling your review…">
        {(r) => (
          <>
            <p className="muted small">
              Week of {r.week.from} to {r.week.to} ({r.timeZone}).
            </p>
            {r.settings.away ? (
              <p className="notice" role="status">
                You are away until {r.settings.awayUntil}: urgent requests go to your delegate, and this review waits for your return.
              </p>
            ) : null}
            <Decisions review={r} reload={state.reload} />
            <Numbers review={r} />
            <WithoutYou review={r} />
            <Meter review={r} />
            <Risks review={r} />
            <Assistants review={r} />
            <Forecast />
            <Settings initial={r.settings} saved={state.reload} />
          </>
        )}
      </LoadState>
    </>
  );
}

function Decisions({ review, reload }: { review: Review; reload: () => void }) {
  const act = useAction(async (a: DecisionAction, extra?: Record<string, string>) => {
    await reviewApi.act(a, extra);
    reload();
  });
  const open = review.decisions.length;
  return (
    <section className="section" aria-labelledby="decisions-h">
      <h2 id="decisions-h">Decisions</h2>
      <p role="status" className="review-count">
        {open === 0 ? 'Nothing needs a decision from you.' : `${open} open decision${open === 1 ? '' : 's'} (at most seven, most important first)`}
      </p>
      <FormError error={act.error} />
      {open === 0 ? (
        <div className="card">
          <EmptyState title="Nothing to decide">
            <p>Approvals your team asks for, failing automations, declines and courses due for review appear here. Read the numbers below and you are done for the week.</p>
          </EmptyState>
        </div>
      ) : (
        <ol className="review-decisions">
          {review.decisions.map((d) => (
            <DecisionCard key={d.key} d={d} pending={act.pending} run={(a, extra) => void act.run(a, extra)} />
          ))}
        </ol>
      )}
      {review.lastWeek.length ? (
        <div className="card">
          <h3>Last week's decisions</h3>
          <ul className="plain">
            {review.lastWeek.map((d) => (
              <li key={d.key}>
                <span className={`badge ${d.status === 'done' ? 'good' : 'warn'}`}>{d.status === 'done' ? 'Done' : 'Carried over'}</span> {d.title}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

function DecisionCard({ d, pending, run }: { d: ReviewDecision; pending: boolean; run: (a: DecisionAction, extra?: Record<string, string>) => void }) {
  return (
    <li className="card review-decision" aria-labelledby={`d-${d.rank}`}>
      <h3 id={`d-${d.rank}`}>
        {d.rank}. {d.title} {d.carried ? <span className="badge warn">Carried over</span> : null}
      </h3>
      <p className="muted">{d.why}</p>
      {d.facts.length ? (
        <dl className="review-facts">
          {d.facts.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <div className="button-row">
        {d.actions.map((a) =>
          a.kind === 'open' ? (
            <Link key={a.label} className="button" to={a.href!}>
              {a.label}
            </Link>
          ) : a.kind === 'reassign' ? (
            <Reassign key={a.label} rank={d.rank} action={a} pending={pending} run={run} />
          ) : (
            <button key={a.label} type="button" className={`button ${a.kind === 'approve' || a.kind === 'mark_reviewed' || a.kind === 'accept_delegation' ? 'primary' : ''}`} disabled={pending} onClick={() => run(a)}>
              {a.label}
            </button>
          ),
        )}
      </div>
    </li>
  );
}

/** Reassign: pick the person (or, for a task, a role: `role:<role>`), then one click. The choices come with the decision. */
function Reassign({ rank, action, pending, run }: { rank: number; action: DecisionAction; pending: boolean; run: (a: DecisionAction, extra?: Record<string, string>) => void }) {
  const choices = action.choices ?? [];
  const [to, setTo] = useState(choices[0]?.id ?? '');
  if (!choices.length) return null;
  return (
    <span className="review-reassign">
      <label htmlFor={`reassign-${rank}`}>{action.label === 'Reassign' ? 'Reassign to' : 'Hand to'}</label>{' '}
      <select id={`reassign-${rank}`} value={to} onChange={(e) => setTo(e.target.value)} disabled={pending}>
        {choices.map((c) => (
          <option key={c.id} value={c.id}>
            {c.id.startsWith('role:') ? c.name : `${c.name} (${c.role})`}
          </option>
        ))}
      </select>{' '}
      <button type="button" className="button primary" disabled={pending || !to} onClick={() => run(action, to.startsWith('role:') ? { assigneeRole: to.slice(5) } : { assigneeId: to })}>
        {action.label}
      </button>
    </span>
  );
}

function Numbers({ review }: { review: Review }) {
  return (
    <section className="section" aria-labelledby="numbers-h">
      <h2 id="numbers-h">The numbers</h2>
      {review.kpis.length ? (
        <div className="review-kpis">
          {review.kpis.map((k) => {
            const good = k.changePct === null || k.changePct === 0 ? null : k.changePct > 0 === (k.direction === 'up_is_good');
            return (
              <div className="card review-kpi" key={k.key}>
                <div className="muted small">{k.label}</div>
                <strong>{kpiValue(k, k.week)}</strong>
                <div className={`small ${good === null ? 'muted' : good ? 'good' : 'bad'}`}>
                  {k.changePct === null ? 'no usual week yet' : `${k.changePct > 0 ? '+' : ''}${k.changePct} % against your usual week (${kpiValue(k, k.usual)})`}
                </div>
                <Sparkline values={k.weeks} label={`${k.label}, last ${k.weeks.length} weeks`} />
              </div>
            );
          })}
        </div>
      ) : (
        <p className="muted">No numbers yet: they appear once the business has a few weeks of traffic and sales.</p>
      )}
      <div className="card">
        <h3>What moved</h3>
        {review.whatMoved.length ? (
          <ul>
            {review.whatMoved.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        ) : (
          <p className="muted">Nothing moved much against your usual week.</p>
        )}
      </div>
    </section>
  );
}

function WithoutYou({ review }: { review: Review }) {
  const w = review.withoutOwner;
  return (
    <section className="section" aria-labelledby="without-h">
      <h2 id="without-h">What ran without you</h2>
      <div className="card">
        <ul className="plain">
          <li>
            <strong>{w.operations.automation.toLocaleString('en')}</strong> operations by automations, <strong>{w.operations.assistant.toLocaleString('en')}</strong> by assistants, <strong>{w.operations.owner.toLocaleString('en')}</strong> by you ({pct(w.ownerShare)} of the work).
          </li>
          <li>Revenue with no action of yours: <strong>{w.revenue ? formatMoney(w.revenue.amount, w.revenue.currency) : 'none'}</strong></li>
          <li>
            Your time in the admin: <strong>{Math.round(w.ownerMinutes)} min</strong> of your {w.budgetMinutes} min budget{w.ownerMinutes > w.budgetMinutes ? ' — over budget' : ''}.
          </li>
        </ul>
      </div>
    </section>
  );
}

function Meter({ review }: { review: Review }) {
  const m = review.meter;
  const mix = m.current.fourD;
  const total = mix.doing + mix.deciding + mix.delegating + mix.designing;
  return (
    <section className="section" aria-labelledby="meter-h">
      <h2 id="meter-h">Involvement meter</h2>
      <div className="card">
        <p>
          Your share of the work this week: <strong>{pct(m.current.ownerShare)}</strong>
        </p>
        <Sparkline values={m.weeks.map((w) => Math.round(w.ownerShare * 100))} label={`Your share of operations over ${m.weeks.length} weeks`} width={280} height={48} color="#b5472c" />
        <table>
          <caption>Your work this week (Clockwork's four D's)</caption>
          <thead>
            <tr>
              <th scope="col">D</th>
              <th scope="col">Operations</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {(Object.keys(fourDLabels) as (keyof typeof fourDLabels)[]).map((d) => (
              <tr key={d}>
                <th scope="row">{fourDLabels[d]}</th>
                <td>{mix[d]}</td>
                <td>{total ? pct(mix[d] / total) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="small muted">
          Leverage: {m.leverage.building} operations building assets (designing, delegating) against {m.leverage.operating} operating them by hand.
        </p>
      </div>
      <div className="card">
        <h3>Processes that still need you</h3>
        {m.processes.length ? (
          <ul className="plain">
            {m.processes.map((p) => (
              <li key={p.type}>
                <code>{p.type}</code>: you did {pct(p.ownerShare)} ({p.owner} times in four weeks). <span className="muted">{p.fix.text}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">None: your team and automations do most of the operating work.</p>
        )}
      </div>
    </section>
  );
}

function Risks({ review }: { review: Review }) {
  return (
    <section className="section" aria-labelledby="risks-h">
      <h2 id="risks-h">Concentration risks</h2>
      <div className="card table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Dependency</th>
              <th scope="col">Top</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {review.concentration.map((c) => (
              <tr key={c.what}>
                <th scope="row">{c.label}</th>
                <td>{c.top ?? '—'}</td>
                <td className={c.risky ? 'bad' : ''}>{c.top ? `${pct(c.share)}${c.risky ? ' — a risk' : ''}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Assistants({ review }: { review: Review }) {
  return (
    <section className="section" aria-labelledby="assistants-h">
      <h2 id="assistants-h">Assistant reports</h2>
      {review.assistants.length ? (
        <div className="card table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">Operations</th>
                <th scope="col">Mostly</th>
                <th scope="col">Tasks done</th>
                <th scope="col">Asked you</th>
                <th scope="col">Response time</th>
              </tr>
            </thead>
            <tbody>
              {review.assistants.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.name} <span className="muted small">({a.role})</span>
                  </th>
                  <td>{a.operations}</td>
                  <td className="small">{a.top.map((t) => `${t.type} ×${t.n}`).join(', ') || '—'}</td>
                  <td>{a.tasksDone}</td>
                  <td>{a.escalations}</td>
                  <td>{a.medianResponseMinutes === null ? '—' : `${a.medianResponseMinutes} min`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">
          No assistants yet. <Link to="/team">Invite someone</Link> to take over support, content or marketing.
        </p>
      )}
    </section>
  );
}

function Forecast() {
  const state = useLoad(() => reviewApi.forecast(), []);
  return (
    <section className="section" aria-labelledby="forecast-h">
      <h2 id="forecast-h">If you left for 90 days</h2>
      <LoadState state={state} label="Simulating 90 days without you…">
        {(f: AbsenceForecast) => (
          <div className="card">
            <p>
              Expected revenue until {f.until}: <strong>{formatMoney(f.revenue.expected, f.currency)}</strong> (between {formatMoney(f.revenue.low, f.currency)} and {formatMoney(f.revenue.high, f.currency)}), against {formatMoney(f.revenue.lastPeriod, f.currency)} in the last 90 days.
            </p>
            <ul>
              <li>{f.stops.length ? `Stops: ${f.stops.map((s) => s.type).join(', ')}` : 'No process stops: none depends on you alone.'}</li>
              <li>{f.coursesGoingStale.length ? `Courses going stale: ${f.coursesGoingStale.map((c) => c.title).join(', ')}` : 'No course goes stale.'}</li>
              <li>Approvals piling up: about {f.approvalsPilingUp}</li>
              <li>{f.sendsRunOutOn ? `Scheduled sends run out on ${f.sendsRunOutOn}` : 'No broadcast is scheduled: none goes out while you are away.'}</li>
            </ul>
            <p className="small muted">{f.model}</p>
          </div>
        )}
      </LoadState>
    </section>
  );
}

function Settings({ initial, saved }: { initial: OwnerSettings; saved: () => void }) {
  const [budget, setBudget] = useState(initial.timeBudget);
  const [from, setFrom] = useState(initial.awayFrom ?? '');
  const [until, setUntil] = useState(initial.awayUntil ?? '');
  const [delegate, setDelegate] = useState(initial.awayDelegateId ?? '');
  const [reviewDays, setReviewDays] = useState(String(initial.courseReviewDays));
  const team = useLoad(() => reviewApi.team(), []);
  const admins = (team.data?.members ?? []).filter((m) => m.role === 'admin');
  const save = useAction(async () => {
    await reviewApi.saveSettings({ timeBudget: budget, awayFrom: from || null, awayUntil: until || null, awayDelegateId: delegate || null, courseReviewDays: Number(reviewDays) });
    saved();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };
  return (
    <section className="section" aria-labelledby="settings-h">
      <h2 id="settings-h">Your time and away mode</h2>
      <form className="card" aria-label="Your time and away mode" onSubmit={submit}>
        <FormError error={save.error} />
        <SelectField label="Time budget" value={budget} onChange={(e) => setBudget(e.target.value as OwnerSettings['timeBudget'])} options={Object.entries(budgetLabels).map(([value, label]) => ({ value, label }))} />
        <TextField label="Away from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} hint="Leave both days empty when you are not going away." />
        <TextField label="Away until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        <SelectField label="Urgent escalations go to" value={delegate} onChange={(e) => setDelegate(e.target.value)} options={[{ value: '', label: 'Me (no delegate)' }, ...admins.map((a) => ({ value: a.id, label: `${a.name} (${a.email})` }))]} hint="An admin of your team." />
        <TextField label="Courses are due for review after (days)" type="number" min={7} max={3650} value={reviewDays} onChange={(e) => setReviewDays(e.target.value)} />
        <button type="submit" className="button primary" disabled={save.pending}>
          Save
        </button>
      </form>
    </section>
  );
}
