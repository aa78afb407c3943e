// Orders: search and filter, an order's detail with refunds, subscriptions in dunning, and
// what reconciliation repaired.
import { useState } from 'react';
import { Link, NavLink, Route, Routes, useParams, useSearchParams } from 'react-router';
import { useConfirm } from '../../components/confirm.js';
import { EmptyState } from '../../components/empty-state.js';
import { TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { formatMoney, parseMoney } from '../../lib/money.js';
import { humanise } from '../../lib/format.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { oneOf } from '../../lib/one-of.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { useSession } from '../../session.js';
import { ordersApi, orderStatuses, orderStatusTone, subscriptionStatuses, subscriptionStatusLabel, type Grant, type OrderDetail, type Subscription } from './orders-api.js';

export default function OrdersArea() {
  return (
    <Routes>
      <Route index element={<OrdersPage />} />
      <Route path="subscriptions" element={<SubscriptionsPage />} />
      <Route path="reconciliation" element={<ReconciliationPage />} />
      <Route path=":id" element={<OrderPage />} />
    </Routes>
  );
}

function OrdersNav() {
  return (
    <nav className="sub-nav" aria-label="Orders">
      <NavLink to="/orders" end>
        Orders
      </NavLink>
      <NavLink to="/orders/subscriptions">Subscriptions</NavLink>
      <NavLink to="/orders/reconciliation">Payments health</NavLink>
    </nav>
  );
}

const PAGE = 50;

function OrdersPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [status, setStatus] = useQueryParam('status');
  const disputed = params.get('disputed') === '1';
  const [draft, setDraft] = useState(q);
  const state = useLoad(() => ordersApi.list({ q: q || undefined, status: oneOf(orderStatuses, status), disputed, limit: PAGE }), [q, status, disputed]);
  const more = useAction(async (before: number) => {
    const next = await ordersApi.list({ q: q || undefined, status: oneOf(orderStatuses, status), disputed, before, limit: PAGE });
    state.setData((d) => ({ orders: [...d.orders, ...next.orders], nextBefore: next.nextBefore }));
  });
  const setParam = (name: string, value: string) =>
    setParams(
      (current) => {
        const copy = new URLSearchParams(current);
        if (value) copy.set(name, value);
        else copy.delete(name);
        return copy;
      },
      { replace: true },
    );
  return (
    <>
      <PageHeader title="Orders" intro="Every order and payment, newest first. Open one to see what it gave, its payments and events, or to refund it." />
      <OrdersNav />
      <form
        className="filters card"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParam('q', draft.trim());
        }}
      >
        <div className="field">
          <label htmlFor="orders-q">Search</label>
          <input id="orders-q" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="email, name or #1042" />
        </div>
        <div className="field">
          <label htmlFor="orders-status">Status</label>
          <select id="orders-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            <option value="paid">Paid</option>
            <option value="pending">Waiting for payment</option>
            <option value="expired">Abandoned</option>
            <option value="failed">Failed</option>
          </select>
        </div>
        <div className="field checkbox">
          <input id="orders-disputed" type="checkbox" checked={disputed} onChange={(e) => setParam('disputed', e.target.checked ? '1' : '')} />
          <label htmlFor="orders-disputed">Disputed only</label>
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <LoadState state={state} label="Loading orders…">
        {({ orders, nextBefore }) =>
          orders.length === 0 ? (
            <div className="card">
              <EmptyState title={q || status || disputed ? 'No orders match' : 'No orders yet'}>
                <p>Orders appear here the moment someone checks out.</p>
              </EmptyState>
            </div>
          ) : (
            <section className="card section" aria-label="Orders">
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Order</th>
                      <th scope="col">When</th>
                      <th scope="col">Customer</th>
                      <th scope="col">Items</th>
                      <th scope="col" className="amount">
                        Paid
                      </th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {orders.map((o) => (
                      <tr key={o.id}>
                        <td data-label="Order">
                          <Link to={`/orders/${o.id}`}>#{o.number}</Link>
                          {o.kind === 'upsell' ? <span className="badge">upsell</span> : null}
                        </td>
                        <td data-label="When">
                          <Time iso={o.createdAt} />
                        </td>
                        <td data-label="Customer" className="break">
                          <Link to={`/customers/${o.contactId}`}>{o.email}</Link>
                        </td>
                        <td data-label="Items">{o.items}</td>
                        <td data-label="Paid" className="amount">
                          {formatMoney(o.amountPaid, o.currency)}
                          {o.amountRefunded ? <div className="muted small">−{formatMoney(o.amountRefunded, o.currency)} refunded</div> : null}
                        </td>
                        <td data-label="Status">
                          <span className={`badge ${orderStatusTone[o.status] ?? ''}`}>{o.status === 'expired' ? 'abandoned' : o.status}</span>{' '}
                          {o.disputed ? <span className="badge bad">disputed</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="load-more" aria-live="polite">
                <FormError error={more.error} />
                {nextBefore ? (
                  <button type="button" className="button" disabled={more.pending} onClick={() => void more.run(nextBefore)}>
                    {more.pending ? 'Loading…' : 'Load more'}
                  </button>
                ) : (
                  <p className="muted small">That is every order{q || status || disputed ? ' that matches' : ''}: {orders.length}.</p>
                )}
              </div>
            </section>
          )
        }
      </LoadState>
    </>
  );
}

function OrderPage() {
  const { id = '' } = useParams();
  const state = useLoad(() => ordersApi.get(id), [id]);
  return (
    <LoadState state={state} label="Loading the order…">
      {(d) => <OrderDetailView d={d} reload={state.reload} />}
    </LoadState>
  );
}

function OrderDetailView({ d, reload }: { d: OrderDetail; reload(): void }) {
  const { order } = d;
  const m = (n: number) => formatMoney(n, order.currency);
  const { can } = useSession();
  return (
    <>
      <PageHeader
        title={`Order #${order.number}`}
        intro={
          <>
            <span className={`badge ${orderStatusTone[order.status] ?? ''}`}>{order.status === 'expired' ? 'abandoned' : order.status}</span> {order.disputedAt ? <span className="badge bad">disputed: {order.disputeReason}</span> : null} ·{' '}
            <Link to={`/customers/${d.contact.id}`}>{d.contact.name || d.contact.email}</Link>
          </>
        }
      />
      <OrdersNav />
      <div className="two-columns">
        <section className="card section" aria-labelledby="order-facts">
          <h2 id="order-facts">Summary</h2>
          <dl className="facts">
            <div>
              <dt>Customer</dt>
              <dd className="break">{d.contact.email}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <Time iso={order.createdAt} />
              </dd>
            </div>
            <div>
              <dt>Paid</dt>
              <dd>{order.paidAt ? <Time iso={order.paidAt} /> : '—'}</dd>
            </div>
            <div>
              <dt>Confirmed by</dt>
              <dd>{order.paidVia ? humanise(order.paidVia) : '—'}</dd>
            </div>
            <div>
              <dt>Provider</dt>
              <dd>{order.provider === 'test' ? 'Test provider' : order.provider === 'free' ? 'Free (no payment)' : 'Stripe'}</dd>
            </div>
            <div>
              <dt>Paid / refunded</dt>
              <dd className="amount">
                {m(order.amountPaid)} / {m(order.amountRefunded)}
              </dd>
            </div>
          </dl>
          {order.failureMessage && order.status !== 'paid' ? <p className="notice">Last payment attempt: {order.failureMessage}</p> : null}
          {order.parentOrderId ? (
            <p>
              Upsell after <Link to={`/orders/${order.parentOrderId}`}>the original order</Link>.
            </p>
          ) : null}
        </section>
        {can('orders.refund') && d.refundable > 0 ? <RefundForm d={d} onRefunded={reload} /> : null}
      </div>

      <section className="card section" aria-labelledby="order-items">
        <h2 id="order-items">Items</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" className="amount">
                  Price
                </th>
                <th scope="col" className="amount">
                  Discount
                </th>
                <th scope="col" className="amount">
                  Charged
                </th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((i) => (
                <tr key={i.id}>
                  <td>
                    {i.name} {i.role !== 'main' ? <span className="badge">{i.role}</span> : null} {i.priceType !== 'one_time' ? <span className="muted small">({humanise(i.priceType)}, per {i.interval})</span> : null}
                  </td>
                  <td className="amount">{m(i.unitAmount)}</td>
                  <td className="amount">{i.discount ? `−${m(i.discount)}` : ''}</td>
                  <td className="amount">{m(i.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="small muted" style={{ marginTop: 8 }}>
          {order.couponCode ? `Coupon ${order.couponCode} · ` : ''}
          {order.tax ? `Tax ${m(order.tax)} · ` : ''}Due at checkout {m(order.total)}
        </p>
        {d.upsells.length ? (
          <p>
            Upsells:{' '}
            {d.upsells.map((u) => (
              <Link key={u.id} to={`/orders/${u.id}`} style={{ marginRight: 8 }}>
                #{u.number} ({u.status}, {m(u.total)})
              </Link>
            ))}
          </p>
        ) : null}
      </section>

      <div className="two-columns">
        <section className="card section" aria-labelledby="order-payments">
          <h2 id="order-payments">Payments and refunds</h2>
          {d.payments.length === 0 ? <p className="muted">No money has moved.</p> : null}
          <ul className="plain-list">
            {d.payments.map((p) => (
              <li key={p.id} className="list-row">
                <span>
                  {humanise(p.kind)} <span className="muted small mono">{p.providerPaymentId}</span>
                  <div className="muted small">
                    <Time iso={p.createdAt} />
                  </div>
                </span>
                <span className="amount">
                  {m(p.amount)}
                  {p.amountRefunded ? <div className="muted small">−{m(p.amountRefunded)}</div> : null}
                </span>
              </li>
            ))}
            {d.refunds.map((r) => (
              <li key={r.id} className="list-row">
                <span>
                  Refund{r.reason ? `: ${r.reason}` : ''} <span className={`badge ${r.status === 'succeeded' ? 'good' : r.status === 'failed' ? 'bad' : 'warn'}`}>{r.status === 'unknown' ? 'outcome unknown' : r.status}</span>
                  <div className="muted small">
                    <Time iso={r.createdAt} /> · by {r.actorKind}
                    {r.error ? ` · ${r.error}` : ''}
                  </div>
                  {r.status === 'unknown' && can('orders.refund') ? <CheckRefundAgain orderId={d.order.id} refundId={r.id} onChecked={reload} /> : null}
                </span>
                <span className="amount">−{m(r.amount)}</span>
              </li>
            ))}
          </ul>
        </section>
        <section className="card section" aria-labelledby="order-access">
          <h2 id="order-access">Access it gave</h2>
          <GrantList grants={d.grants} />
          {d.subscription ? <SubscriptionFacts s={d.subscription} /> : null}
        </section>
      </div>
      <section className="card section" aria-labelledby="order-events">
        <h2 id="order-events">What happened</h2>
        <EventLines events={d.events} />
      </section>
    </>
  );
}

/** A refund Stripe did not answer about: read it back, or repeat the same request (never a second refund). */
function CheckRefundAgain({ orderId, refundId, onChecked }: { orderId: string; refundId: string; onChecked(): void }) {
  const check = useAction(async () => {
    await ordersApi.retryRefund(orderId, refundId);
    onChecked();
  });
  return (
    <div>
      <FormError error={check.error} />
      <button type="button" className="button small" disabled={check.pending} onClick={() => void check.run()}>
        {check.pending ? 'Checking with Stripe…' : 'Check again'}
      </button>
    </div>
  );
}

function RefundForm({ d, onRefunded }: { d: OrderDetail; onRefunded(): void }) {
  const confirm = useConfirm();
  const [done, setDone] = useState<string | null>(null);
  const refund = useFormAction(async (f) => {
    setDone(null);
    const text = f.text('amount').trim();
    let amount: number | undefined;
    if (text) {
      try {
        amount = parseMoney(text, d.order.currency);
      } catch {
        throw new Error('Write the amount like 20 or 19.50, or leave it empty for everything');
      }
    }
    const shown = formatMoney(amount ?? d.refundable, d.order.currency);
    const ok = await confirm({
      title: `Refund ${shown}?`,
      body: <p>The money goes back to {d.order.email} through {d.order.provider === 'stripe' ? 'Stripe' : 'the payment provider'}. Access is revoked as the product’s refund policy says. This cannot be undone.</p>,
      confirmLabel: `Refund ${shown}`,
      danger: true,
    });
    if (!ok) return;
    const { refunds } = await ordersApi.refund(d.order.id, { amount, reason: f.text('reason') });
    setDone(
      refunds.some((r) => r.status === 'unknown')
        ? `Stripe did not answer about the refund of ${shown}. It may have gone through: Onehour checks again by itself (the same request, so never twice), or press “Check again” below.`
        : `Refunded ${shown}.`,
    );
    onRefunded();
  });
  return (
    <section className="card section" aria-labelledby="refund">
      <h2 id="refund">Refund</h2>
      <form className="stack" onSubmit={refund.onSubmit}>
        <TextField label="Amount" name="amount" inputMode="decimal" placeholder={(d.refundable / 100).toFixed(2)} hint={`Leave empty to refund everything still refundable: ${formatMoney(d.refundable, d.order.currency)}.`} error={refund.fieldErrors.amount} />
        <TextField label="Reason (for the record)" name="reason" maxLength={300} />
        <FormError error={refund.error} />
        <FormNotice>{done}</FormNotice>
        <div>
          <button type="submit" className="button danger" disabled={refund.pending}>
            {refund.pending ? 'Refunding…' : 'Refund'}
          </button>
        </div>
      </form>
    </section>
  );
}

export function GrantList({ grants }: { grants: Grant[] }) {
  if (grants.length === 0) return <p className="muted">None.</p>;
  return (
    <ul className="plain-list">
      {grants.map((g) => (
        <li key={g.id} className="list-row">
          <span>
            {g.resourceName ?? <span className="mono">{g.resourceId.slice(0, 8)}</span>} <span className="muted small">({g.resourceType})</span> <span className="badge">{g.source}</span>
            <div className="muted small">
              since <Time iso={g.grantedAt} style="date" />
              {g.revokedAt ? (
                <>
                  {' '}
                  · revoked <Time iso={g.revokedAt} style="date" /> ({g.revokeReason})
                </>
              ) : null}
            </div>
          </span>
          {g.revokedAt ? <span className="badge">ended</span> : <span className="badge good">live</span>}
        </li>
      ))}
    </ul>
  );
}

export function SubscriptionFacts({ s }: { s: Subscription }) {
  const label = subscriptionStatusLabel[s.status] ?? { label: s.status, tone: '' };
  const m = (n: number) => formatMoney(n, s.currency);
  return (
    <div style={{ marginTop: 16 }}>
      <h3>{s.kind === 'plan' ? 'Payment plan' : 'Subscription'}</h3>
      <p>
        <span className={`badge ${label.tone}`}>{label.label}</span> {m(s.amount)} per {s.interval}
        {s.kind === 'plan' ? ` · ${s.instalmentsPaid} of ${s.instalmentsTotal} paid` : ''}
        {s.cancelAtPeriodEnd ? ' · ends at the period end' : ''}
      </p>
      <p className="muted small">
        {s.status === 'past_due' ? (
          <>
            Failing since <Time iso={s.failedAt} style="date" />; next try <Time iso={s.nextRetryAt} style="date" />; access pauses <Time iso={s.graceUntil} style="date" />.
          </>
        ) : s.status === 'unpaid' ? (
          <>
            Access paused <Time iso={s.accessRevokedAt} style="date" />; it comes back when a payment goes through.
          </>
        ) : s.endedAt ? (
          <>
            Ended <Time iso={s.endedAt} style="date" /> ({s.endedReason}).
          </>
        ) : (
          <>
            Current period ends <Time iso={s.currentPeriodEnd} style="date" />.
          </>
        )}
      </p>
    </div>
  );
}

export function EventLines({ events }: { events: OrderDetail['events'] }) {
  if (events.length === 0) return <p className="muted">Nothing recorded.</p>;
  return (
    <ul className="plain-list">
      {events.map((e) => (
        <li key={e.id} className="list-row">
          <span>
            <strong>{humanise(e.type)}</strong> <span className="muted small">by {e.actorKind === 'assistant' ? `${e.actorRole ?? 'an'} assistant` : e.actorKind}</span>
          </span>
          <span className="muted small">
            <Time iso={e.occurredAt} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function SubscriptionsPage() {
  const [status, setStatus] = useQueryParam('status');
  const state = useLoad(() => ordersApi.subscriptions({ status: oneOf(subscriptionStatuses, status) }), [status]);
  return (
    <>
      <PageHeader title="Subscriptions" intro="Memberships and payment plans. Payment overdue: dunning is retrying the card and has emailed the customer. Paused: the grace period ended; access returns when a payment goes through." />
      <OrdersNav />
      <div className="segmented" role="group" aria-label="Show">
        {(['', 'active', 'trialing', 'past_due', 'unpaid', 'canceled', 'completed'] as const).map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => setStatus(s)}>
            {s ? subscriptionStatusLabel[s].label : 'All'}
          </button>
        ))}
      </div>
      <LoadState state={state} label="Loading subscriptions…">
        {({ subscriptions }) =>
          subscriptions.length === 0 ? (
            <div className="card">
              <EmptyState title="None here" />
            </div>
          ) : (
            <section className="card section" aria-label="Subscriptions">
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Started</th>
                      <th scope="col">Kind</th>
                      <th scope="col" className="amount">
                        Amount
                      </th>
                      <th scope="col">Status</th>
                      <th scope="col">Next</th>
                      <th scope="col">Order</th>
                    </tr>
                  </thead>
                  <tbody>
                    {subscriptions.map((s) => {
                      const label = subscriptionStatusLabel[s.status] ?? { label: s.status, tone: '' };
                      return (
                        <tr key={s.id}>
                          <td data-label="Started">
                            <Time iso={s.createdAt} style="date" />
                          </td>
                          <td data-label="Kind">{s.kind === 'plan' ? `Plan (${s.instalmentsPaid}/${s.instalmentsTotal})` : 'Subscription'}</td>
                          <td data-label="Amount" className="amount">
                            {formatMoney(s.amount, s.currency)} / {s.interval}
                          </td>
                          <td data-label="Status">
                            <span className={`badge ${label.tone}`}>{label.label}</span>
                          </td>
                          <td data-label="Next">
                            {s.status === 'past_due' ? (
                              <>
                                retry <Time iso={s.nextRetryAt} style="date" />
                              </>
                            ) : s.status === 'active' || s.status === 'trialing' ? (
                              <Time iso={s.currentPeriodEnd} style="date" />
                            ) : (
                              '—'
                            )}
                          </td>
                          <td data-label="Order">
                            <Link to={`/orders/${s.orderId}`}>Open</Link> · <Link to={`/customers/${s.contactId}`}>customer</Link>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </section>
          )
        }
      </LoadState>
    </>
  );
}

function ReconciliationPage() {
  const status = useLoad(() => ordersApi.status(), []);
  const runs = useLoad(() => ordersApi.runs(), []);
  const { can } = useSession();
  const [notice, setNotice] = useState<string | null>(null);
  const now = useAction(async () => {
    const r = await ordersApi.reconcileNow();
    setNotice(`Checked ${r.checked} sessions and events; repaired ${r.repaired}.${r.skipped.length ? ` Skipped ${r.skipped.length} that could not be applied (listed below); the next run tries them again.` : ''}`);
    runs.reload();
    status.reload();
  });
  return (
    <>
      <PageHeader title="Payments health" intro="Which provider takes the money, and what reconciliation repaired: payments whose webhook never arrived are found by asking Stripe every 15 minutes." />
      <OrdersNav />
      <LoadState state={status}>
        {(s) => (
          <section className="card section" aria-labelledby="provider">
            <h2 id="provider">Provider</h2>
            <dl className="facts">
              <div>
                <dt>Takes payments</dt>
                <dd>{s.provider === 'stripe' ? 'Stripe' : 'Built-in test provider'}</dd>
              </div>
              <div>
                <dt>Mode</dt>
                <dd>{s.testMode ? <span className="badge warn">TEST MODE</span> : <span className="badge good">Live</span>}</dd>
              </div>
              {s.provider === 'stripe' ? (
                <>
                  <div>
                    <dt>Webhook secret</dt>
                    <dd>{s.webhookConfigured ? 'Set' : <span className="badge bad">Missing</span>}</dd>
                  </div>
                  <div>
                    <dt>Stripe Tax</dt>
                    <dd>{s.taxEnabled ? 'On' : 'Off'}</dd>
                  </div>
                </>
              ) : null}
              <div>
                <dt>Last reconciliation</dt>
                <dd>{s.lastReconciliation ? <Time iso={s.lastReconciliation.startedAt} style="relative" /> : 'Never'}</dd>
              </div>
            </dl>
            {s.provider === 'test' ? <p className="notice" style={{ marginTop: 16 }}>No real money moves. Set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET to take real payments (docs/checkout.md).</p> : null}
            <FormError error={now.error} />
            <FormNotice>{notice}</FormNotice>
            {s.provider === 'stripe' && can('settings.manage') ? (
              <button type="button" className="button" style={{ marginTop: 12 }} disabled={now.pending} onClick={() => void now.run()}>
                {now.pending ? 'Reconciling…' : 'Reconcile now'}
              </button>
            ) : null}
          </section>
        )}
      </LoadState>
      <LoadState state={runs}>
        {({ runs: list }) => (
          <section className="card section" aria-labelledby="runs">
            <h2 id="runs">Repairs</h2>
            {list.length === 0 ? (
              <EmptyState title="Nothing needed repairing" />
            ) : (
              <ul className="plain-list">
                {list.map((r) => (
                  <li key={r.id} className="list-row">
                    <span>
                      <Time iso={r.startedAt} /> · checked {r.checked}
                      {r.error ? <div className="small"><span className="badge bad">not applied</span> {r.error}</div> : null}
                      {r.repairs.map((x, i) => (
                        <div key={i} className="small">
                          {x.orderId ? <Link to={`/orders/${x.orderId}`}>{x.what}</Link> : x.what} <span className="muted mono">{x.ref}</span>
                        </div>
                      ))}
                    </span>
                    <span className={`badge ${r.repaired ? 'warn' : ''}`}>{r.repaired} repaired</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        )}
      </LoadState>
    </>
  );
}
