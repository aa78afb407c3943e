// The read-only view analytics reads revenue from (docs/architecture.md, docs/analytics.md):
// one row per movement of money — a payment received or a refund that went through — with the
// product it is for. Its columns are a contract; the tables behind them are checkout's business.

/**
 * `revenue_view (line, order_id, contact_id, payment_kind, amount, currency, at, product_id, product_name, price_type)`
 * - `line`: `payment` (money received: a first payment, a renewal, an instalment, an upsell) or
 *   `refund` (a refund that succeeded; `at` is when it completed).
 * - `payment_kind`: `initial` | `renewal` | `upsell` for payments (a refund: its payment's kind, else `initial`).
 * - product: a subscription's or payment plan's payment counts for its own item; any other money for
 *   the order's main item (an order bump counts under the product it was bumped onto).
 * Amounts in minor units. Use as a relation: `from ${revenueView} r`.
 */
export const revenueView = `(
  select 'payment'::text as line, p.order_id, o.contact_id, p.kind::text as payment_kind, p.amount, p.currency, p.created_at as at,
         i.product_id, i.name as product_name, i.price_type
  from payments p
  join orders o on o.id = p.order_id
  left join subscriptions s on s.id = p.subscription_id
  left join lateral (select oi.product_id, oi.name, oi.price_type from order_items oi where oi.order_id = p.order_id
                     order by (oi.price_id = s.price_id) desc nulls last, (oi.role = 'main') desc, oi.position limit 1) i on true
  union all
  select 'refund'::text, rf.order_id, o.contact_id, coalesce(p.kind, 'initial')::text, rf.amount, rf.currency, coalesce(rf.completed_at, rf.created_at),
         i.product_id, i.name, i.price_type
  from refunds rf
  join orders o on o.id = rf.order_id
  left join payments p on p.id = rf.payment_id
  left join subscriptions s on s.id = p.subscription_id
  left join lateral (select oi.product_id, oi.name, oi.price_type from order_items oi where oi.order_id = rf.order_id
                     order by (oi.price_id = s.price_id) desc nulls last, (oi.role = 'main') desc, oi.position limit 1) i on true
  where rf.status = 'succeeded'
)`;

/**
 * `subscriptions_view (id, contact_id, kind, status, currency, amount, interval, created_at, paying_from, ended_at,
 * instalments_paid, instalments_total, product_name)`: every subscription (`kind` subscription) and payment plan
 * (`kind` plan), ended ones included. `amount` per `interval` (month | year), tax excluded; `paying_from` is
 * the end of the free trial (`created_at` when there is none); `ended_at` is when it was canceled, completed or
 * — for one left unpaid after dunning — last updated. Use as a relation: `from ${subscriptionsView} s`.
 */
export const subscriptionsView = `(
  select s.id, s.contact_id, s.kind::text as kind, s.status::text as status, s.currency, s.amount, s.interval::text as interval, s.created_at,
         s.created_at + make_interval(days => coalesce(i.trial_days, 0)) as paying_from,
         coalesce(s.ended_at, case when s.status = 'unpaid' then s.updated_at end) as ended_at,
         s.instalments_paid, s.instalments_total, i.name as product_name
  from subscriptions s
  left join lateral (select oi.trial_days, oi.name from order_items oi where oi.order_id = s.order_id and oi.price_id = s.price_id limit 1) i on true
)`;
