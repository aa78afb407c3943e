// The analytics service: what the HTTP layer and the jobs call. Dependencies passed in.
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/client.js';
import { dimensions, type Counts, type Dimension, type Filter } from './dimensions.js';
import { periods, type PanelName } from './contract.js';
import { Ingest, type Accepted, type Hit } from './ingest.js';
import { atWatermark, breakdown, dailySeries, nextDay, previousDay, readTail, TOTAL, type DayRange, type SeriesPoint, type Tail } from './queries.js';
import { rollUpPending, rollUpRange } from './rollup.js';
import { computeFunnel, deleteFunnel, getFunnel, listFunnels, saveFunnel, type FunnelResult, type FunnelStep, type SavedFunnel } from './funnels.js';
import { conflict, notFound } from '../../errors.js';
import { utcDay, VisitorSalts } from './visitor.js';
import { loadSubscriptions, monthsUpTo, revenueByMonth, subscriptionMetrics, type SubscriptionMetrics, type SubscriptionsView } from './subscriptions.js';
import { buildCohorts, loadCustomerMonths, type CohortRow } from './cohorts.js';
import { mainCurrency, revenueBreakdown, revenueBreakdowns, revenueSeries, revenueTotals, trafficPanelOf, type RevenueBreakdown, type RevenueRow, type RevenueTotals, type RevenueView } from './revenue.js';

export interface AnalyticsSettings {
  publicUrl: string;
  retentionDays: number;
  maxEventsPerMinute: number;
  allowedOrigins: string[];
  flushMs: number;
  /** events held in memory at most (ANALYTICS_BUFFER_MAX) */
  bufferMax?: number;
}

export { periods };
export type PeriodName = (typeof periods)[number];

/** What a panel or a total shows. Bounce rate and visit duration are over the visits that entered in the row. */
export interface Metrics {
  visitors: number;
  visits: number;
  pageviews: number;
  /** percent of entered visits with at most one page view */
  bounceRate: number;
  /** mean seconds from a visit's first event to its last, over the visits that entered in the row */
  visitDuration: number;
  viewsPerVisit: number;
}

export function toMetrics(c: Counts | undefined): Metrics {
  const x = c ?? { visitors: 0, visits: 0, entries: 0, pageviews: 0, bounces: 0, durationS: 0 };
  return {
    visitors: x.visitors,
    visits: x.visits,
    pageviews: x.pageviews,
    bounceRate: x.entries ? Math.round((1000 * x.bounces) / x.entries) / 10 : 0,
    visitDuration: x.entries ? Math.round(x.durationS / x.entries) : 0,
    viewsPerVisit: x.visits ? Math.round((100 * x.pageviews) / x.visits) / 100 : 0,
  };
}

/** The panels of the dashboard and the dimension behind each. */
export const panels = {
  pages: 'page',
  entryPages: 'entry',
  channels: 'channel',
  sources: 'source',
  campaigns: 'campaign',
  devices: 'device',
  browsers: 'browser',
  goals: 'event',
} as const satisfies Record<PanelName, Dimension>;
export type { PanelName };

export interface PanelRow extends Metrics {
  value: string;
}

export interface DashboardQuery {
  period: PeriodName;
  from?: string;
  to?: string;
  filter?: Filter | null;
  limit?: number;
}

export interface Dashboard {
  range: DayRange;
  previousRange: DayRange;
  filter: Filter | null;
  totals: { current: Metrics; previous: Metrics };
  series: SeriesPoint[];
  /** the previous period, point for point (drawn beside the current one) */
  previousSeries: SeriesPoint[];
  panels: Record<PanelName, PanelRow[]>;
}

const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The days a period covers, ending today (custom: the given days). */
export function resolveRange(q: Pick<DashboardQuery, 'period' | 'from' | 'to'>, today: string): DayRange {
  switch (q.period) {
    case 'today':
      return { from: today, to: today };
    case '7d':
      return { from: addDays(today, -6), to: today };
    case '30d':
      return { from: addDays(today, -29), to: today };
    case '90d':
      return { from: addDays(today, -89), to: today };
    case '12m': {
      const d = new Date(`${today}T00:00:00Z`);
      d.setUTCFullYear(d.getUTCFullYear() - 1);
      return { from: nextDay(d.toISOString().slice(0, 10)), to: today };
    }
    case 'custom':
      return { from: q.from!, to: q.to! };
  }
}

/** The same number of days just before. */
export function previousRange(r: DayRange): DayRange {
  const len = daysBetween(r.from, r.to);
  const to = previousDay(r.from);
  return { from: addDays(to, -len), to };
}

export interface RevenueFigures extends RevenueTotals {
  visitors: number;
  /** percent: orders ÷ visitors of the period */
  conversionRate: number;
}

export interface Revenue {
  range: DayRange;
  previousRange: DayRange;
  /** the dashboard's filter, applied to the orders through the visit each is attributed to (docs/analytics.md) */
  filter: Filter | null;
  currency: string;
  totals: { current: RevenueFigures; previous: RevenueFigures };
  series: (RevenueTotals & { t: string })[];
  breakdowns: Record<RevenueBreakdown, RevenueRow[]>;
}

export class AnalyticsService {
  readonly salts: VisitorSalts;
  readonly ingest: Ingest;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    readonly settings: AnalyticsSettings,
    onError: ((err: unknown, lost: number) => void) | undefined,
    /** checkout's read-only views (app.ts hands them in; analytics may not import checkout) */
    private readonly views: { revenue: RevenueView; subscriptions: SubscriptionsView },
  ) {
    this.salts = new VisitorSalts(database, clock);
    this.ingest = new Ingest(database, clock, this.salts, { ownUrl: settings.publicUrl, maxEventsPerMinute: settings.maxEventsPerMinute, flushMs: settings.flushMs, maxBuffered: settings.bufferMax, onError });
  }

  today(): string {
    return utcDay(this.clock.now());
  }

  /** Queues a page view or custom event (see `Accepted`). */
  record(hit: Omit<Hit, 'at'>): Accepted {
    return this.ingest.accept({ ...hit, at: this.clock.now() });
  }

  rollUp(): Promise<string[]> {
    return rollUpPending(this.database);
  }

  rollUpRange(from: string, to: string): Promise<void> {
    return rollUpRange(this.database, from, to);
  }

  /** Deletes raw events and visits older than the retention (rollups stay). */
  async pruneRaw(): Promise<number> {
    if (this.settings.retentionDays === 0) return 0;
    // Days not yet rolled up are kept whatever their age, so no number is lost.
    await this.rollUp();
    const before = new Date(Date.parse(`${this.today()}T00:00:00Z`) - this.settings.retentionDays * 86_400_000);
    const res = await this.database.execute(`delete from analytics_events where at < $1`, [before]);
    await this.database.execute(`delete from analytics_visits where last_at < $1`, [before]);
    return res.rowCount;
  }

  async panel(name: PanelName, range: DayRange, filter: Filter | null, limit?: number, tail?: Tail | Promise<Tail>): Promise<PanelRow[]> {
    const dim = panels[name];
    const rows = await breakdown(this.database.execute, range, filter, dim, tail);
    return [...rows]
      .filter(([value]) => (name === 'goals' ? value !== 'pageview' : name === 'campaigns' ? value !== '' : true))
      .map(([value, c]) => ({ value, ...toMetrics(c) }))
      .sort((a, b) => b.visitors - a.visitors || b.pageviews - a.pageviews || a.value.localeCompare(b.value))
      .slice(0, limit ?? Number.MAX_SAFE_INTEGER);
  }

  async totals(range: DayRange, filter: Filter | null, tail?: Tail | Promise<Tail>): Promise<Metrics> {
    return toMetrics((await breakdown(this.database.execute, range, filter, null, tail)).get(TOTAL));
  }

  async dashboard(q: DashboardQuery): Promise<Dashboard> {
    const today = this.today();
    const range = resolveRange(q, today);
    const prev = previousRange(range);
    const filter = q.filter ?? null;
    const names = Object.keys(panels) as PanelName[];
    const exec = this.database.execute;
    // Every panel from the rollups, corrected by the raw tail (the events after the rollup
    // watermark), read once for the whole request.
    const [current, previous, points, previousPoints, ...panelRows] = await atWatermark(exec, async (watermark) => {
      // read beside the rollups, not before them: each read waits for it only to merge
      const tail = this.readTailNoJit(watermark, filter, names.map((n) => panels[n]));
      return Promise.all([
        this.totals(range, filter, tail),
        this.totals(prev, filter, tail),
        dailySeries(exec, range, filter, tail),
        dailySeries(exec, prev, filter, tail),
        ...names.map((n) => this.panel(n, range, filter, q.limit ?? 10, tail)),
      ]);
    });
    return {
      range,
      previousRange: prev,
      filter,
      totals: { current, previous },
      series: points,
      previousSeries: previousPoints,
      panels: Object.fromEntries(names.map((n, i) => [n, panelRows[i]!])) as Record<PanelName, PanelRow[]>,
    };
  }

  /**
   * The tail without PostgreSQL's JIT: a longer tail (the job behind by a few minutes) lifts
   * the planner's estimate over jit_above_cost, and compiling took seconds where the query
   * takes milliseconds (EXPLAIN ANALYZE at 10 M events: 5.6 s of 5.7).
   */
  private readTailNoJit(watermark: number, filter: Filter | null, dims: Dimension[]): Promise<Tail> {
    return this.database.transaction(async (tx) => {
      const exec = this.database.executorFor(tx);
      await exec(`set local jit = off`);
      return readTail(exec, watermark, filter, dims);
    });
  }

  /** A funnel over the period's raw events (see funnels.ts for what counts). */
  funnel(q: Pick<DashboardQuery, 'period' | 'from' | 'to' | 'filter'>, steps: FunnelStep[]): Promise<FunnelResult> {
    return computeFunnel(this.database.execute, resolveRange(q, this.today()), steps, q.filter ?? null);
  }

  /** The funnels the team saved, by name. */
  savedFunnels(): Promise<SavedFunnel[]> {
    return listFunnels(this.database.execute);
  }

  /** Saves a funnel under a name (the same name again replaces its steps); with `id`, renames or changes that one. */
  async saveFunnel(f: { id?: string; name: string; steps: FunnelStep[] }): Promise<SavedFunnel> {
    const exec = this.database.execute;
    if (f.id) {
      const other = (await listFunnels(exec)).find((x) => x.name === f.name && x.id !== f.id);
      if (other) throw conflict(`A funnel named “${f.name}” already exists`);
    }
    const saved = await saveFunnel(exec, f, this.clock.now());
    if (!saved) throw notFound('Funnel');
    return saved;
  }

  async deleteFunnel(id: string): Promise<void> {
    if (!(await deleteFunnel(this.database.execute, id))) throw notFound('Funnel');
  }

  /** A saved funnel computed for a period (and a filter). */
  async savedFunnel(id: string, q: Pick<DashboardQuery, 'period' | 'from' | 'to' | 'filter'>): Promise<{ funnel: SavedFunnel; result: FunnelResult }> {
    const funnel = await getFunnel(this.database.execute, id);
    if (!funnel) throw notFound('Funnel');
    return { funnel, result: await this.funnel(q, funnel.steps) };
  }

  /** Revenue of the period beside the previous one (revenue.ts; definitions in docs/analytics.md). */
  async revenue(q: Pick<DashboardQuery, 'period' | 'from' | 'to' | 'limit' | 'filter'> & { currency?: string }): Promise<Revenue> {
    const range = resolveRange(q, this.today());
    const prev = previousRange(range);
    const exec = this.database.execute;
    const view = this.views.revenue;
    const filter = q.filter ?? null;
    const currency = q.currency ?? (await mainCurrency(exec, view));
    const figures = async (r: DayRange): Promise<RevenueFigures> => {
      const [money, traffic] = await Promise.all([revenueTotals(exec, view, r, currency, filter), this.totals(r, filter)]);
      return { ...money, visitors: traffic.visitors, conversionRate: traffic.visitors ? Math.round((10_000 * money.orders) / traffic.visitors) / 100 : 0 };
    };
    const names = Object.keys(revenueBreakdowns) as RevenueBreakdown[];
    const [current, previous, points, ...rows] = await Promise.all([
      figures(range),
      figures(prev),
      revenueSeries(exec, view, range, currency, filter),
      ...names.map(async (n) => this.withConversion(n, range, filter, await revenueBreakdown(exec, view, range, currency, n, filter))),
    ]);
    return {
      range,
      previousRange: prev,
      filter,
      currency,
      totals: { current, previous },
      series: points,
      breakdowns: Object.fromEntries(names.map((n, i) => [n, rows[i]!.slice(0, q.limit ?? Number.MAX_SAFE_INTEGER)])) as Record<RevenueBreakdown, RevenueRow[]>,
    };
  }

  /** Every row of one revenue breakdown. */
  async revenueRows(by: RevenueBreakdown, range: DayRange, currency?: string, filter: Filter | null = null): Promise<{ currency: string; rows: RevenueRow[] }> {
    const c = currency ?? (await mainCurrency(this.database.execute, this.views.revenue));
    return { currency: c, rows: await this.withConversion(by, range, filter, await revenueBreakdown(this.database.execute, this.views.revenue, range, c, by, filter)) };
  }

  /**
   * Adds each row's visitors and orders ÷ visitors: for a channel, source, entry page or
   * campaign, the visitors of that row on the traffic panel of the same name; for a product,
   * every visitor of the period (the share of visitors who bought it). Under the same filter.
   */
  private async withConversion(by: RevenueBreakdown, range: DayRange, filter: Filter | null, rows: RevenueRow[]): Promise<RevenueRow[]> {
    const all = by in trafficPanelOf ? null : (await this.totals(range, filter)).visitors;
    const traffic = all === null ? new Map((await this.panel(trafficPanelOf[by as keyof typeof trafficPanelOf], range, filter)).map((p) => [p.value, p.visitors])) : null;
    return rows.map((r) => {
      const visitors = all ?? traffic!.get(r.value) ?? 0;
      return { ...r, visitors, conversionRate: visitors ? Math.round((10_000 * r.orders) / visitors) / 100 : 0 };
    });
  }

  /** MRR and its movements over the last `months` calendar months, churn, ARPA, LTV, payment plans (subscriptions.ts). */
  async subscriptions(q: { months?: number; currency?: string }): Promise<SubscriptionMetrics> {
    const exec = this.database.execute;
    const currency = q.currency ?? (await mainCurrency(exec, this.views.revenue));
    const now = this.clock.now();
    const count = q.months ?? 12;
    const [subs, money] = await Promise.all([loadSubscriptions(exec, this.views.subscriptions, currency), revenueByMonth(exec, this.views.revenue, monthsUpTo(now, count)[0]!.start, currency)]);
    const metrics = subscriptionMetrics(subs, now, count, currency);
    for (const m of metrics.months) {
      m.recurringRevenue = money.get(m.month)?.recurring ?? 0;
      m.oneTimeRevenue = money.get(m.month)?.oneTime ?? 0;
    }
    return metrics;
  }

  /** Monthly buyer cohorts over the last `months` months (cohorts.ts). */
  async cohorts(q: { months?: number; currency?: string }): Promise<{ currency: string; cohorts: CohortRow[] }> {
    const exec = this.database.execute;
    const currency = q.currency ?? (await mainCurrency(exec, this.views.revenue));
    const rows = await loadCustomerMonths(exec, this.views.revenue, currency);
    return { currency, cohorts: buildCohorts(rows, this.today().slice(0, 7), q.months ?? 12) };
  }

  close(): Promise<void> {
    return this.ingest.close();
  }
}

export const isDimension = (v: string): v is Dimension => (dimensions as readonly string[]).includes(v);
