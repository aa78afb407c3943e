// Traffic at a glance: totals beside the previous period, a chart, and every breakdown under
// one filter. A row's value is a button: it becomes the filter of every panel.
import { analytics, type Dashboard, type Dimension, type Metrics, type PanelName, type PanelRow, type Period, type PeriodQuery } from './analytics-api.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { useLoad } from '../../lib/use-load.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { TrafficChart } from './traffic-chart.js';
import { FunnelSection } from './funnel-section.js';
import { RevenueSection } from './revenue-section.js';
import { Kpi } from './kpi.js';
import './analytics.css';

const periodLabels: Record<Period, string> = { today: 'Today', '7d': 'Last 7 days', '30d': 'Last 30 days', '90d': 'Last 90 days', '12m': 'Last 12 months', custom: 'Custom' };

const panelInfo: { name: PanelName; title: string; dim: Dimension; column: string }[] = [
  { name: 'channels', title: 'Channels', dim: 'channel', column: 'Channel' },
  { name: 'sources', title: 'Sources', dim: 'source', column: 'Source' },
  { name: 'campaigns', title: 'UTM campaigns', dim: 'campaign', column: 'Campaign' },
  { name: 'pages', title: 'Top pages', dim: 'page', column: 'Page' },
  { name: 'entryPages', title: 'Entry pages', dim: 'entry', column: 'Entry page' },
  { name: 'goals', title: 'Goals and events', dim: 'event', column: 'Event' },
  { name: 'devices', title: 'Devices', dim: 'device', column: 'Device' },
  { name: 'browsers', title: 'Browsers', dim: 'browser', column: 'Browser' },
];
const dimLabels: Record<Dimension, string> = { browser: 'Browser', campaign: 'Campaign', channel: 'Channel', device: 'Device', entry: 'Entry page', event: 'Event', page: 'Page', source: 'Source' };
const channelLabels: Record<string, string> = { direct: 'Direct', organic_search: 'Organic search', social: 'Social', email: 'Email', referral: 'Referral', paid: 'Paid', affiliate: 'Affiliate' };

const showValue = (dim: Dimension, v: string) => (dim === 'channel' ? (channelLabels[v] ?? v) : v || '(none)');
const duration = (s: number) => (s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`);
const num = (n: number) => n.toLocaleString('en');

export default function AnalyticsPage() {
  const [periodParam, setPeriod] = useQueryParam('period');
  const [from, setFrom] = useQueryParam('from');
  const [to, setTo] = useQueryParam('to');
  const [filter, setFilter] = useQueryParam('filter');
  const [view, setView] = useQueryParam('view');
  const tab = view === 'revenue' ? 'revenue' : 'traffic';
  const period = (periodParam || '30d') as Period;
  const query: PeriodQuery = { period, from, to, filter };
  const ready = period !== 'custom' || (from && to);
  const state = useLoad(() => (ready && view !== 'revenue' ? analytics.dashboard(query) : Promise.resolve(null)), [period, from, to, filter, view]);
  const filterDim = filter ? (filter.slice(0, filter.indexOf(':')) as Dimension) : null;

  return (
    <>
      <PageHeader title="Analytics" intro="Where visitors come from and what they read. No cookies: visitors are counted per day by a hash that cannot be traced back to anyone." />
      <nav className="tabs" aria-label="Analytics sections">
        {(['traffic', 'revenue'] as const).map((t) => (
          <button key={t} type="button" className={`button small ${tab === t ? 'primary' : 'subtle'}`} aria-pressed={tab === t} onClick={() => setView(t === 'traffic' ? '' : t)}>
            {t === 'traffic' ? 'Traffic' : 'Revenue'}
          </button>
        ))}
      </nav>
      <form className="filters card analytics-controls" onSubmit={(e) => e.preventDefault()} aria-label="Period and filter">
        <label className="field">
          <span>Period</span>
          <select value={period} onChange={(e) => setPeriod(e.target.value)}>
            {(Object.keys(periodLabels) as Period[]).map((p) => (
              <option key={p} value={p}>
                {periodLabels[p]}
              </option>
            ))}
          </select>
        </label>
        {period === 'custom' ? (
          <>
            <label className="field">
              <span>From</span>
              <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label className="field">
              <span>To</span>
              <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
          </>
        ) : null}
        {filter && filterDim ? (
          <p className="analytics-filter" role="status">
            Filtered: <strong>{dimLabels[filterDim] ?? filterDim}</strong> is <strong>{showValue(filterDim, filter.slice(filter.indexOf(':') + 1))}</strong>{' '}
            <button type="button" className="button small" onClick={() => setFilter('')}>
              Clear filter
            </button>
          </p>
        ) : tab === 'revenue' ? (
          <p className="muted small analytics-filter">Revenue from your own orders. A filter chosen on Traffic applies here too, through the visit each order came from.</p>
        ) : (
          <p className="muted small analytics-filter">Choose a row in any panel to filter every panel by it.</p>
        )}
      </form>
      {tab === 'revenue' ? (
        <RevenueSection query={query} />
      ) : (
        <>
          <LoadState state={state} label="Loading traffic…">
            {(d) => (d ? <DashboardView d={d} query={query} onFilter={(dim, v) => setFilter(`${dim}:${v}`)} /> : <p className="card">Choose both days of the custom period.</p>)}
          </LoadState>
          <FunnelSection query={query} />
        </>
      )}
    </>
  );
}

function DashboardView({ d, query, onFilter }: { d: Dashboard; query: PeriodQuery; onFilter: (dim: Dimension, v: string) => void }) {
  const c = d.totals.current;
  const p = d.totals.previous;
  return (
    <>
      <section className="card section" aria-label="Totals">
        <dl className="analytics-kpis">
          <Kpi label="Visitors" now={c.visitors} before={p.visitors} />
          <Kpi label="Visits" now={c.visits} before={p.visits} />
          <Kpi label="Page views" now={c.pageviews} before={p.pageviews} />
          <Kpi label="Bounce rate" now={c.bounceRate} before={p.bounceRate} format={(n) => `${n}%`} lowerIsBetter />
          <Kpi label="Visit duration" now={c.visitDuration} before={p.visitDuration} format={duration} />
        </dl>
        <p className="muted small">
          {d.range.from === d.range.to ? d.range.from : `${d.range.from} to ${d.range.to}`} (UTC), against {d.previousRange.from} to {d.previousRange.to}.
        </p>
        <TrafficChart data={d.series} previous={d.previousSeries} />
      </section>
      <div className="analytics-panels">
        {panelInfo.map((info) => (
          <Panel key={info.name} info={info} rows={d.panels[info.name]} csv={analytics.csvUrl(info.name, query)} onFilter={onFilter} />
        ))}
      </div>
    </>
  );
}

function Panel({ info, rows, csv, onFilter }: { info: (typeof panelInfo)[number]; rows: PanelRow[]; csv: string; onFilter: (dim: Dimension, v: string) => void }) {
  const max = Math.max(1, ...rows.map((r) => r.visitors));
  const showPageviews = info.dim === 'page' || info.dim === 'entry';
  return (
    <section className="card section analytics-panel" aria-label={info.title}>
      <div className="section-head">
        <h2>{info.title}</h2>
        <a className="small" href={csv} download>
          CSV
        </a>
      </div>
      {rows.length === 0 ? (
        <p className="muted small">Nothing in this period.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{info.column}</th>
              <th scope="col" className="num">Visitors</th>
              <th scope="col" className="num">{showPageviews ? 'Views' : 'Bounce'}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.value}>
                <td>
                  <span className="analytics-bar" style={{ width: `${(100 * r.visitors) / max}%` }} aria-hidden />
                  <button type="button" className="link-button" title={`Filter every panel by ${info.column.toLowerCase()}: ${showValue(info.dim, r.value)}`} onClick={() => onFilter(info.dim, r.value)}>
                    {showValue(info.dim, r.value)}
                  </button>
                </td>
                <td className="num">{num(r.visitors)}</td>
                <td className="num">{showPageviews ? num(r.pageviews) : `${r.bounceRate}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export type { Metrics };
