// Customers: everyone who bought, with what they spent; one customer's purchases, access,
// subscriptions and history.
import { useState } from 'react';
import { Link, Route, Routes, useParams, useSearchParams } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { formatMoney } from '../../lib/money.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { EventLines, GrantList, SubscriptionFacts } from '../orders/orders-page.js';
import { ordersApi, orderStatusTone } from '../orders/orders-api.js';

export default function CustomersArea() {
  return (
    <Routes>
      <Route index element={<CustomersPage />} />
      <Route path=":id" element={<CustomerPage />} />
    </Routes>
  );
}

const PAGE = 50;

function CustomersPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const state = useLoad(() => ordersApi.customers({ q: q || undefined, limit: PAGE }).then((r) => ({ ...r, done: r.customers.length < PAGE })), [q]);
  const more = useAction(async (offset: number) => {
    const next = await ordersApi.customers({ q: q || undefined, limit: PAGE, offset });
    state.setData((d) => ({ customers: [...d.customers, ...next.customers], done: next.customers.length < PAGE }));
  });
  return (
    <>
      <PageHeader title="Customers" intro="Everyone who bought, most recent first, with what they have spent (refunds taken off)." />
      <form
        className="filters card"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParams(draft.trim() ? { q: draft.trim() } : {}, { replace: true });
        }}
      >
        <div className="field">
          <label htmlFor="customers-q">Search</label>
          <input id="customers-q" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="name or email" />
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <LoadState state={state} label="Loading customers…">
        {({ customers, done }) =>
          customers.length === 0 ? (
            <div className="card">
              <EmptyState title={q ? 'No customer matches' : 'No customers yet'}>
                <p>A contact becomes a customer with their first paid order.</p>
              </EmptyState>
            </div>
          ) : (
            <section className="card section" aria-label="Customers">
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Customer</th>
                      <th scope="col">Orders</th>
                      <th scope="col" className="amount">
                        Lifetime value
                      </th>
                      <th scope="col">First purchase</th>
                      <th scope="col">Last purchase</th>
                    </tr>
                  </thead>
                  <tbody>
                    {customers.map((c) => (
                      <tr key={`${c.id}-${c.currency}`}>
                        <td data-label="Customer" className="break">
                          <Link to={`/customers/${c.id}`}>
                            <strong>{c.name || c.email}</strong>
                          </Link>
                          {c.name ? <div className="muted small">{c.email}</div> : null}
                        </td>
                        <td data-label="Orders">{c.orders}</td>
                        <td data-label="Lifetime value" className="amount">
                          {formatMoney(c.lifetimeValue, c.currency)}
                        </td>
                        <td data-label="First purchase">
                          <Time iso={c.firstPurchaseAt} style="date" />
                        </td>
                        <td data-label="Last purchase">
                          <Time iso={c.lastPurchaseAt} style="date" />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="load-more" aria-live="polite">
                <FormError error={more.error} />
                {!done ? (
                  <button type="button" className="button" disabled={more.pending} onClick={() => void more.run(customers.length)}>
                    {more.pending ? 'Loading…' : 'Load more'}
                  </button>
                ) : (
                  <p className="muted small">That is everyone{q ? ' who matches' : ''}: {customers.length}.</p>
                )}
              </div>
            </section>
          )
        }
      </LoadState>
    </>
  );
}

function CustomerPage() {
  const { id = '' } = useParams();
  const state = useLoad(() => ordersApi.customer(id), [id]);
  return (
    <LoadState state={state} label="Loading the customer…">
      {(d) => (
        <>
          <PageHeader title={d.contact.name || d.contact.email} intro={d.contact.name ? d.contact.email : undefined} />
          <section className="card section" aria-labelledby="customer-facts">
            <h2 id="customer-facts" className="visually-hidden">
              Summary
            </h2>
            <dl className="facts">
              <div>
                <dt>Lifetime value</dt>
                <dd className="amount">{d.lifetimeValue.length ? d.lifetimeValue.map((l) => formatMoney(l.amount, l.currency)).join(' + ') : '—'}</dd>
              </div>
              <div>
                <dt>Orders</dt>
                <dd>{d.orders.filter((o) => o.status === 'paid').length} paid</dd>
              </div>
              <div>
                <dt>Contact since</dt>
                <dd>
                  <Time iso={d.contact.createdAt} style="date" />
                </dd>
              </div>
              <div>
                <dt>Email status</dt>
                <dd>{d.contact.status}</dd>
              </div>
            </dl>
          </section>
          <section className="card section" aria-labelledby="customer-orders">
            <h2 id="customer-orders">Purchases</h2>
            {d.orders.length === 0 ? (
              <p className="muted">No orders.</p>
            ) : (
              <div className="table-wrap">
                <table className="stack-on-phone">
                  <thead>
                    <tr>
                      <th scope="col">Order</th>
                      <th scope="col">When</th>
                      <th scope="col" className="amount">
                        Paid
                      </th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.orders.map((o) => (
                      <tr key={o.id}>
                        <td data-label="Order">
                          <Link to={`/orders/${o.id}`}>#{o.number}</Link> {o.kind === 'upsell' ? <span className="badge">upsell</span> : null}
                        </td>
                        <td data-label="When">
                          <Time iso={o.createdAt} />
                        </td>
                        <td data-label="Paid" className="amount">
                          {formatMoney(o.amountPaid, o.currency)}
                          {o.amountRefunded ? <div className="muted small">−{formatMoney(o.amountRefunded, o.currency)}</div> : null}
                        </td>
                        <td data-label="Status">
                          <span className={`badge ${orderStatusTone[o.status] ?? ''}`}>{o.status === 'expired' ? 'abandoned' : o.status}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <div className="two-columns">
            <section className="card section" aria-labelledby="customer-access">
              <h2 id="customer-access">Access</h2>
              <GrantList grants={d.grants} />
            </section>
            <section className="card section" aria-labelledby="customer-subs">
              <h2 id="customer-subs">Subscriptions and plans</h2>
              {d.subscriptions.length === 0 ? <p className="muted">None.</p> : d.subscriptions.map((s) => <SubscriptionFacts key={s.id} s={s} />)}
            </section>
          </div>
          <section className="card section" aria-labelledby="customer-events">
            <h2 id="customer-events">What happened</h2>
            <EventLines events={d.events} />
          </section>
        </>
      )}
    </LoadState>
  );
}
