// Revenue from Onehour's own orders (not a Stripe import), read through checkout's read-only
// `revenueView` (handed in by app.ts: checkout depends on modules that depend on analytics, so
// analytics may not import checkout): gross, refunds, net, orders, average order value and conversion rate, a daily
// series, and breakdowns by product and by the source of the visit that bought. Definitions in
// docs/analytics.md ("Revenue").
import type { ExecuteSql } from '../../db/client.js';
import type { RevenueBreakdown } from './contract.js';
import { dayEnd, dayStart, type Filter } from './dimensions.js';
import type { DayRange } from './queries.js';

export interface RevenueTotals {
  /** money received (first payments, renewals, instalments, upsells), minor units */
  gross: number;
  /** refunds that went through in the period */
  refunds: number;
  net: number;
  /** orders whose first payment fell in the period */
  orders: number;
  /** first payments of those orders ÷ orders (renewals and instalments excluded) */
  averageOrderValue: number;
}

export interface RevenueRow extends RevenueTotals {
  value: string;
  /** visitors of the row's value on the traffic panels (for a product: every visitor of the period), and orders ÷ those visitors in percent */
  visitors?: number;
  conversionRate?: number;
}

export const revenueBreakdowns = { products: 'product_name', channels: 'channel', sources: 'source', entryPages: 'entry_path', campaigns: 'campaign' } as const satisfies Record<RevenueBreakdown, string>;
export type { RevenueBreakdown };

/** The traffic panel whose visitors a breakdown's conversion rate is over. */
export const trafficPanelOf = { channels: 'channels', sources: 'sources', entryPages: 'entryPages', campaigns: 'campaigns' } as const satisfies Partial<Record<RevenueBreakdown, string>>;

/** Attribution when an order has no recorded order_paid step (bought before tracking, a free or manual order, pruned raw events). */
export const NOT_TRACKED = '(not tracked)';

/**
 * An order's touch: its order_paid step's visitor (one UTC day's id); the last visit of that
 * visitor that started at or before the step and did not come direct; when every visit of the
 * day was direct, the visit of the step itself.
 */
const attribution = `select distinct on (ev.props->>'order') ev.props->>'order' as order_id, t.channel, t.source, t.campaign, t.entry_path, t.device, t.browser,
         ev.visitor_id as step_visitor, ev.at as step_at
  from analytics_events ev
  cross join lateral (select v.channel, v.source, v.campaign, v.entry_path, v.device, v.browser from analytics_visits v
                      where v.visitor_id = ev.visitor_id and v.started_at <= ev.at and (v.channel <> 'direct' or v.id = ev.visit_id)
                      order by (v.channel <> 'direct') desc, v.started_at desc limit 1) t
  where ev.name = 'order_paid' and (ev.props->>'order') in (select distinct order_id::text from lines)
  order by ev.props->>'order', ev.at`;

/** checkout's `revenueView` relation (SQL text; see src/modules/checkout/revenue-view.ts for its columns). */
export type RevenueView = string;

const lines = (revenueView: RevenueView) => `lines as (select r.* from ${revenueView} r where r.currency = $3 and r.at >= ${dayStart('$1')} and r.at < ${dayEnd('$2')})`;

/** The period's lines of money with their attribution; `$1`, `$2` the days, `$3` the currency. */
const attributedCtes = (revenueView: RevenueView) => `${lines(revenueView)},
  touch as (${attribution}),
  attributed as  (select l.*, coalesce(t.channel, '${NOT_TRACKED}') as channel, coalesce(t.source, '${NOT_TRACKED}') as source,
                        coalesce(nullif(t.campaign, ''), case when t.order_id is null then '${NOT_TRACKED}' else '(none)' end) as campaign,
                        coalesce(t.entry_path, '${NOT_TRACKED}') as entry_path, coalesce(l.product_name, '(no product)') as product,
                        t.order_id is not null as tracked, t.campaign as touch_campaign, t.device, t.browser, t.step_visitor, t.step_at
                 from lines l left join touch t on t.order_id = l.order_id::text)`;

/**
 * The dashboard's filter on revenue (`$4` its value): an order matches when the visit it is
 * attributed to has that channel, source, campaign, entry page, device or browser, or — for a
 * page or an event — when its buyer viewed that page or did that event that day, at or before
 * paying. An order that was not tracked matches no filter.
 */
function filterSql(filter: Filter | null): string {
  if (!filter) return 'true';
  switch (filter.dim) {
    case 'channel':
    case 'source':
    case 'device':
    case 'browser':
      return `tracked and ${filter.dim} = $4`;
    case 'campaign':
      return `tracked and touch_campaign = $4`;
    case 'entry':
      return `tracked and entry_path = $4`;
    case 'page':
    case 'event':
      return `tracked and exists (select 1 from analytics_events x where x.visitor_id = step_visitor and x.at <= step_at
                and x.at >= (date_trunc('day', step_at at time zone 'UTC') at time zone 'UTC')
                and ${filter.dim === 'page' ? `x.name = 'pageview' and x.path = $4` : `x.name = $4`})`;
  }
}

const params = (range: DayRange, currency: string, filter: Filter | null) => (filter ? [range.from, range.to, currency, filter.value] : [range.from, range.to, currency]);

const sums = `coalesce(sum(amount) filter (where line = 'payment'), 0)::bigint as gross,
  coalesce(sum(amount) filter (where line = 'refund'), 0)::bigint as refunds,
  (count(*) filter (where line = 'payment' and payment_kind in ('initial', 'upsell')))::int as orders,
  coalesce(sum(amount) filter (where line = 'payment' and payment_kind in ('initial', 'upsell')), 0)::bigint as first_payments`;

interface SumRow {
  value: string;
  gross: number | string;
  refunds: number | string;
  orders: number;
  first_payments: number | string;
}

function toTotals(r: SumRow | undefined): RevenueTotals {
  const gross = Number(r?.gross ?? 0);
  const refunds = Number(r?.refunds ?? 0);
  const orders = r?.orders ?? 0;
  return { gross, refunds, net: gross - refunds, orders, averageOrderValue: orders ? Math.round(Number(r!.first_payments) / orders) : 0 };
}

export async function revenueTotals(exec: ExecuteSql, view: RevenueView, range: DayRange, currency: string, filter: Filter | null = null): Promise<RevenueTotals> {
  const res = filter
    ? await exec<SumRow>(`with ${attributedCtes(view)} select '' as value, ${sums} from attributed where ${filterSql(filter)}`, params(range, currency, filter))
    : await exec<SumRow>(`with ${lines(view)} select '' as value, ${sums} from lines`, [range.from, range.to, currency]);
  return toTotals(res.rows[0]);
}

/** Per UTC day of the range (days without money included, as zeros). */
export async function revenueSeries(exec: ExecuteSql, view: RevenueView, range: DayRange, currency: string, filter: Filter | null = null): Promise<(RevenueTotals & { t: string })[]> {
  const day = `to_char(at at time zone 'UTC', 'YYYY-MM-DD')`;
  const res = filter
    ? await exec<SumRow>(`with ${attributedCtes(view)} select ${day} as value, ${sums} from attributed where ${filterSql(filter)} group by 1`, params(range, currency, filter))
    : await exec<SumRow>(`with ${lines(view)} select ${day} as value, ${sums} from lines group by 1`, [range.from, range.to, currency]);
  const byDay = new Map(res.rows.map((r) => [r.value, r]));
  const out: (RevenueTotals & { t: string })[] = [];
  for (let d = Date.parse(`${range.from}T00:00:00Z`); d <= Date.parse(`${range.to}T00:00:00Z`); d += 86_400_000) {
    const t = new Date(d).toISOString().slice(0, 10);
    out.push({ t, ...toTotals(byDay.get(t)) });
  }
  return out;
}

export async function revenueBreakdown(exec: ExecuteSql, view: RevenueView, range: DayRange, currency: string, by: RevenueBreakdown, filter: Filter | null = null): Promise<RevenueRow[]> {
  const res = await exec<SumRow>(`with ${attributedCtes(view)} select ${revenueBreakdowns[by]} as value, ${sums} from attributed where ${filterSql(filter)} group by 1`, params(range, currency, filter));
  return res.rows.map((r) => ({ value: r.value, ...toTotals(r) })).sort((a, b) => b.net - a.net || b.orders - a.orders || a.value.localeCompare(b.value));
}

/** The currency the business takes most money in (revenue is never summed across currencies). */
export async function mainCurrency(exec: ExecuteSql, view: RevenueView): Promise<string> {
  const res = await exec<{ currency: string }>(`select currency from ${view} r where line = 'payment' group by currency order by count(*) desc, currency limit 1`);
  return res.rows[0]?.currency ?? 'usd';
}
