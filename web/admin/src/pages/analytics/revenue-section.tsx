// Revenue from the business's own orders: totals beside the previous period, a daily chart,
// breakdowns by product and by the buyer's source; subscriptions (MRR and its movements, churn,
// ARPU, LTV, payment plans) and monthly buyer cohorts. Definitions: docs/analytics.md.
import { useMemo } from 'react';
import { LoadState } from '../../components/load-state.js';
import { formatMoney } from '../../lib/money.js';
import { useLoad } from '../../lib/use-load.js';
import { revenue, type Cohorts, type PeriodQuery, type Revenue, type RevenueBreakdown, type RevenueRow, type SubscriptionMetrics } from './analytics-api.js';
import { Kpi } from './kpi.js';
import { SeriesChart, type ChartLine } from './traffic-chart.js';

const breakdownInfo: { name: RevenueBreakdown; title: string; column: string }[] = [
  { name: 'products', title: 'Revenue by product', column: 'Product' },
  { name: 'channels', title: 'Revenue by channel', column: 'Channel' },
  { name: 'sources', title: 'Revenue by source', column: 'Source' },
  { name: 'entryPages', title: 'Revenue by landing page', column: 'Landing page' },
  { name: 'campaigns', title: 'Revenue by campaign', column: 'Campaign' },
];
const channelLabels: Record<string, string> = { direct: 'Direct', organic_search: 'Organic search', social: 'Social', email: 'Email', referral: 'Referral', paid: 'Paid', affiliate: 'Affiliate' };

export function RevenueSection({ query }: { query: PeriodQuery }) {
  const ready = query.period !== 'custom' || (query.from && query.to);
  const state = useLoad(() => (ready ? revenue.get(query) : Promise.resolve(null)), [query.period, query.from, query.to, query.filter]);
  const subs = useLoad(() => revenue.subscriptions(), []);
  const cohorts = useLoad(() => revenue.cohorts(), []);
  return (
    <>
      <LoadState state={state} label="Loading revenue…">
        {(r) => (r ? <RevenueView r={r} query={query} /> : <p className="card">Choose both days of the custom period.</p>)}
      </LoadState>
      <LoadState state={subs} label="Loading subscriptions…">
        {(m) => <SubscriptionsView m={m} />}
      </LoadState>
      <LoadState state={cohorts} label="Loading cohorts…">
        {(c) => <CohortsView c={c} />}
      </LoadState>
    </>
  );
}

function RevenueView({ r, query }: { r: Revenue; query: PeriodQuery }) {
  const c = r.totals.current;
  const p = r.totals.previous;
  const money = (n: number) => formatMoney(n, r.currency);
  const times = useMemo(() => r.series.map((x) => x.t), [r]);
  const lines = useMemo<ChartLine[]>(
    () => [
      { label: 'Net', stroke: '#0f8a6a', width: 2, fill: 'rgba(15,138,106,0.08)', values: r.series.map((x) => x.net / 100) },
      { label: 'Refunds', stroke: '#b42318', width: 1, values: r.series.map((x) => x.refunds / 100) },
    ],
    [r],
  );
  return (
    <>
      <section className="card section" aria-label="Revenue totals">
        <h2>Revenue</h2>
        <dl className="analytics-kpis">
          <Kpi label="Gross" now={c.gross} before={p.gross} format={money} />
          <Kpi label="Refunds" now={c.refunds} before={p.refunds} format={money} lowerIsBetter />
          <Kpi label="Net revenue" now={c.net} before={p.net} format={money} />
          <Kpi label="Orders" now={c.orders} before={p.orders} />
          <Kpi label="Average order" now={c.averageOrderValue} before={p.averageOrderValue} format={money} />
          <Kpi label="Conversion rate" now={c.conversionRate} before={p.conversionRate} format={(n) => `${n}%`} />
        </dl>
        <p className="muted small">
          {r.range.from} to {r.range.to} (UTC), against {r.previousRange.from} to {r.previousRange.to}. In {r.currency.toUpperCase()}; conversion rate = orders ÷ visitors (for a product: ÷ every visitor of the period).{query.filter ? ' Under the filter: orders attributed to a matching visit only.' : ''}
        </p>
        <SeriesChart times={times} lines={lines} label={`Net revenue and refunds per day, ${times.length} days`} />
      </section>
      <div className="analytics-panels">
        {breakdownInfo.map((info) => (
          <section key={info.name} className="card section analytics-panel" aria-label={info.title}>
            <div className="section-head">
              <h2>{info.title}</h2>
              <a className="small" href={revenue.csvUrl(info.name, query)} download>
                CSV
              </a>
            </div>
            <MoneyTable rows={r.breakdowns[info.name]} column={info.column} money={money} label={(v) => (info.name === 'channels' ? (channelLabels[v] ?? v) : v)} />
          </section>
        ))}
      </div>
    </>
  );
}

function MoneyTable({ rows, column, money, label }: { rows: RevenueRow[]; column: string; money: (n: number) => string; label: (v: string) => string }) {
  if (rows.length === 0) return <p className="muted small">No money in this period.</p>;
  const max = Math.max(1, ...rows.map((x) => x.net));
  const traffic = rows.some((x) => x.conversionRate !== undefined);
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{column}</th>
          <th scope="col" className="num">Orders</th>
          {traffic ? <th scope="col" className="num">Conv.</th> : null}
          <th scope="col" className="num">Net</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((x) => (
          <tr key={x.value}>
            <td>
              <span className="analytics-bar" style={{ width: `${(100 * Math.max(0, x.net)) / max}%` }} aria-hidden />
              <span className="analytics-label">{label(x.value)}</span>
            </td>
            <td className="num">{x.orders}</td>
            {traffic ? <td className="num" title={`${x.visitors ?? 0} visitors`}>{x.visitors ? `${x.conversionRate}%` : '—'}</td> : null}
            <td className="num" title={`gross ${money(x.gross)}, refunds ${money(x.refunds)}`}>{money(x.net)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SubscriptionsView({ m }: { m: SubscriptionMetrics }) {
  const money = (n: number) => formatMoney(n, m.currency);
  const times = useMemo(() => m.months.map((x) => `${x.month}-01`), [m]);
  const lines = useMemo<ChartLine[]>(
    () => [
      // MRR alone: one-time money is usually ten times larger and would flatten it (it is in the table)
      { label: 'MRR', stroke: '#3558d6', width: 2, fill: 'rgba(53,88,214,0.08)', values: m.months.map((x) => x.mrr / 100) },
    ],
    [m],
  );
  return (
    <section className="card section" aria-label="Subscriptions">
      <div className="section-head">
        <h2>Subscriptions</h2>
        <a className="small" href={revenue.mrrCsvUrl} download>
          CSV
        </a>
      </div>
      <dl className="analytics-kpis">
        <Figure label="MRR" value={money(m.mrr)} />
        <Figure label="Paying customers" value={String(m.customers)} />
        <Figure label="ARPU" value={money(m.arpa)} />
        <Figure label="Customer churn / month" value={`${m.logoChurnRate}%`} />
        <Figure label="LTV" value={m.ltv === null ? '—' : money(m.ltv)} />
        <Figure label="Payment plans completed" value={`${m.plans.completionRate}%`} />
        <Figure label="Outstanding on plans" value={money(m.plans.outstanding)} />
      </dl>
      <SeriesChart times={times} lines={lines} label={`MRR at the end of each month, ${times.length} months`} />
      <div className="table-scroll">
        <table className="analytics-movements">
          <thead>
            <tr>
              <th scope="col">Month</th>
              {['New', 'Expansion', 'Reactivation', 'Contraction', 'Churned', 'MRR', 'Customers', 'Customer churn', 'Revenue churn', 'One-time'].map((h) => (
                <th key={h} scope="col" className="num">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.months.map((x) => (
              <tr key={x.month}>
                <th scope="row">{x.month}</th>
                <td className="num">{money(x.newMrr)}</td>
                <td className="num">{money(x.expansion)}</td>
                <td className="num">{money(x.reactivation)}</td>
                <td className="num">{money(x.contraction ? -x.contraction : 0)}</td>
                <td className="num">{money(x.churned ? -x.churned : 0)}</td>
                <td className="num">
                  <strong>{money(x.mrr)}</strong>
                </td>
                <td className="num">{x.customers}</td>
                <td className="num">{x.logoChurnRate}%</td>
                <td className="num">{x.revenueChurnRate}%</td>
                <td className="num">{money(x.oneTimeRevenue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        MRR as Stripe counts it: active and past-due subscriptions, no trials, no tax, yearly prices ÷ 12. Payment plans and one-time sales are not MRR. {m.plans.running} plans running,{' '}
        {m.plans.completed} completed, {m.plans.ended} ended unpaid or canceled.
      </p>
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="analytics-kpi">
      <dt>{label}</dt>
      <dd>
        <strong>{value}</strong>
      </dd>
    </div>
  );
}

function CohortsView({ c }: { c: Cohorts }) {
  const span = Math.max(0, ...c.cohorts.map((x) => x.cells.length));
  return (
    <section className="card section" aria-label="Buyer cohorts">
      <div className="section-head">
        <h2>Buyer cohorts</h2>
        <a className="small" href={revenue.cohortsCsvUrl} download>
          CSV
        </a>
      </div>
      <p className="muted small">Customers by the month of their first order. Each cell: the share who have ordered again, and the net money per customer so far.</p>
      {c.cohorts.length === 0 ? (
        <p className="muted small">No orders in the last 12 months.</p>
      ) : (
        <div className="table-scroll">
          <table className="analytics-cohorts">
            <thead>
              <tr>
                <th scope="col">First order</th>
                <th scope="col" className="num">Customers</th>
                {Array.from({ length: span }, (_, k) => (
                  <th key={k} scope="col" className="num">
                    Month {k}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {c.cohorts.map((row) => (
                <tr key={row.cohort}>
                  <th scope="row">{row.cohort}</th>
                  <td className="num">{row.customers}</td>
                  {row.cells.map((cell, k) => (
                    <td key={k} className="num" style={{ background: `rgba(53,88,214,${Math.min(0.35, cell.repeatRate / 200)})` }}>
                      {cell.repeatRate}%<br />
                      <span className="small">{formatMoney(cell.revenuePerCustomer, c.currency)}</span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
