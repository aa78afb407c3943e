// Checkout, the test provider's payment pages, the upsell and thank-you pages, and the
// customer's receipt and billing pages. No JavaScript: every step is a form or a link.
import type { ReactNode } from 'react';
import { CsrfField, Notice, PublicLayout } from '../layout.js';

import { TEST_PROVIDER_BANNER } from '../../../src/modules/checkout/test-mode.js';

export { TEST_PROVIDER_BANNER };

/** Shown on every payment page while no real money can move. */
export function TestModeBanner({ text = TEST_PROVIDER_BANNER }: { text?: string }) {
  return (
    <p className="test-mode" role="note">
      {text}
    </p>
  );
}

export interface LineView {
  name: string;
  role: 'main' | 'bump' | 'upsell';
  /** "$49" or "$19 / month" */
  priceText: string;
}

export interface SummaryView {
  lines: LineView[];
  subtotalText: string;
  discountText: string | null;
  couponCode: string | null;
  totalText: string;
  /** "then $19 / month", "5 more payments of $99 / month" */
  recurringText: string | null;
}

export function OrderSummary({ summary, heading = 'Your order' }: { summary: SummaryView; heading?: string }) {
  return (
    <section className="card summary" aria-labelledby="summary-h">
      <h2 id="summary-h">{heading}</h2>
      <table>
        <caption className="visually-hidden">Items and total</caption>
        <thead className="visually-hidden">
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Price</th>
          </tr>
        </thead>
        <tbody>
          {summary.lines.map((l, i) => (
            <tr key={i}>
              <td>
                {l.name}
                {l.role !== 'main' ? <span className="muted"> (add-on)</span> : null}
              </td>
              <td>{l.priceText}</td>
            </tr>
          ))}
          {summary.discountText ? (
            <tr>
              <td>Discount{summary.couponCode ? ` (${summary.couponCode})` : ''}</td>
              <td>−{summary.discountText}</td>
            </tr>
          ) : null}
          <tr className="total">
            <td>Due today</td>
            <td>{summary.totalText}</td>
          </tr>
        </tbody>
      </table>
      {summary.recurringText ? <p className="hint">{summary.recurringText}</p> : null}
    </section>
  );
}

export interface BumpView {
  id: string;
  headline: string;
  body: string;
  priceText: string;
  checked: boolean;
}

export interface CheckoutPageProps {
  testBanner: string | null;
  priceId: string;
  productName: string;
  productSummary: string;
  summary: SummaryView;
  bumps: BumpView[];
  form: { email: string; name: string; coupon: string; key: string; csrf: string };
  error?: string;
  couponError?: string;
  couponApplied?: boolean;
  cancelled?: boolean;
}

export function CheckoutPage(p: CheckoutPageProps) {
  return (
    <PublicLayout meta={{ title: `Checkout: ${p.productName}`, noindex: true }}>
      {p.testBanner ? <TestModeBanner text={p.testBanner} /> : null}
      <h1>Checkout</h1>
      {p.cancelled ? <Notice kind="info">Your payment was not completed. You can try again below.</Notice> : null}
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <div className="checkout">
        <form method="post" action={`/checkout/${p.priceId}`} className="card">
          <CsrfField token={p.form.csrf} />
          <input type="hidden" name="key" value={p.form.key} />
          <h2>{p.productName}</h2>
          {p.productSummary ? <p className="muted">{p.productSummary}</p> : null}
          <div className="inline">
            <div>
              <label htmlFor="coupon">Coupon code (optional)</label>
              <input id="coupon" name="coupon" defaultValue={p.form.coupon} autoComplete="off" aria-describedby={p.couponError ? 'coupon-error' : undefined} aria-invalid={p.couponError ? true : undefined} />
            </div>
            <button type="submit" name="intent" value="apply" className="secondary" formNoValidate>
              Apply
            </button>
          </div>
          {p.couponError ? (
            <p id="coupon-error" className="notice notice-error" role="alert">
              {p.couponError}
            </p>
          ) : p.couponApplied ? (
            <p className="notice notice-success" role="status">
              Coupon applied.
            </p>
          ) : null}
          {p.bumps.map((b) => (
            <div className="bump" key={b.id}>
              <label htmlFor={`bump-${b.id}`}>
                <input type="checkbox" id={`bump-${b.id}`} name="bump" value={b.id} defaultChecked={b.checked} />
                <span>
                  <strong>
                    Yes, add {b.headline} — {b.priceText}
                  </strong>
                  {b.body ? <span className="hint"> {b.body}</span> : null}
                </span>
              </label>
              <p className="hint">
                <button type="submit" name="intent" value="apply" className="link-button" formNoValidate>
                  Update the total
                </button>
              </p>
            </div>
          ))}
          <label htmlFor="email">Email address</label>
          <input id="email" name="email" type="email" autoComplete="email" required defaultValue={p.form.email} aria-describedby="email-hint" />
          <p id="email-hint" className="hint">
            Your receipt and access go to this address.
          </p>
          <label htmlFor="name">Name</label>
          <input id="name" name="name" autoComplete="name" defaultValue={p.form.name} />
          <p>
            <button type="submit" name="intent" value="pay">
              Continue to payment — {p.summary.totalText}
            </button>
          </p>
          <p className="hint">You pay on the next page{p.testBanner ? ' (test mode: no real charge)' : ' (secure payment by Stripe)'}.</p>
        </form>
        <OrderSummary summary={p.summary} />
      </div>
    </PublicLayout>
  );
}

export interface TestCardView {
  number: string;
  label: string;
}

export function TestPaymentPage(p: { sessionId: string; orderNumber: number; email: string; summary: { lines: { name: string; amountText: string; recurring: string | null }[]; totalText: string }; cards: TestCardView[]; csrf: string; error?: string; cancelUrl: string }) {
  return (
    <PublicLayout meta={{ title: 'Pay (test mode)', noindex: true }}>
      <TestModeBanner />
      <h1>Pay for order #{p.orderNumber}</h1>
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <div className="checkout">
        <form method="post" action={`/test-checkout/${p.sessionId}`} className="card">
          <CsrfField token={p.csrf} />
          <p className="muted">Paying as {p.email}</p>
          <label htmlFor="card">Card number</label>
          <input id="card" name="card" inputMode="numeric" autoComplete="cc-number" required placeholder="4242 4242 4242 4242" aria-describedby="cards" />
          <div className="inline">
            <div>
              <label htmlFor="exp">Expiry (MM/YY)</label>
              <input id="exp" name="exp" autoComplete="cc-exp" defaultValue="12/34" />
            </div>
            <div>
              <label htmlFor="cvc">CVC</label>
              <input id="cvc" name="cvc" autoComplete="cc-csc" defaultValue="123" />
            </div>
          </div>
          <p>
            <button type="submit">Pay {p.summary.totalText}</button>
          </p>
          <p>
            <a href={p.cancelUrl}>Cancel and go back</a>
          </p>
        </form>
        <div>
          <section className="card summary" aria-labelledby="pay-summary">
            <h2 id="pay-summary">Summary</h2>
            <table>
              <tbody>
                {p.summary.lines.map((l, i) => (
                  <tr key={i}>
                    <td>
                      {l.name}
                      {l.recurring ? <span className="hint"> ({l.recurring})</span> : null}
                    </td>
                    <td>{l.amountText}</td>
                  </tr>
                ))}
                <tr className="total">
                  <td>Due today</td>
                  <td>{p.summary.totalText}</td>
                </tr>
              </tbody>
            </table>
          </section>
          <section className="card test-cards" id="cards" aria-labelledby="cards-h">
            <h2 id="cards-h">Test cards</h2>
            <ul>
              {p.cards.map((c) => (
                <li key={c.number}>
                  <code>{c.number}</code> — {c.label}
                </li>
              ))}
            </ul>
          </section>
        </div>
      </div>
    </PublicLayout>
  );
}

export function TestAuthenticatePage(p: { sessionId: string; orderNumber: number; csrf: string }) {
  return (
    <PublicLayout meta={{ title: 'Confirm your payment (test mode)', noindex: true }}>
      <TestModeBanner />
      <h1>Your bank asks you to confirm this payment</h1>
      <p>This is the test stand-in for a 3-D Secure check on order #{p.orderNumber}.</p>
      <form method="post" action={`/test-checkout/${p.sessionId}/authenticate`} className="card">
        <CsrfField token={p.csrf} />
        <p className="offer actions">
          <button type="submit" name="result" value="approve">
            Complete authentication
          </button>
          <button type="submit" name="result" value="fail" className="secondary">
            Fail authentication
          </button>
        </p>
      </form>
    </PublicLayout>
  );
}

export function ProcessingPage({ testBanner }: { testBanner: string | null }) {
  return (
    <PublicLayout meta={{ title: 'Confirming your payment', noindex: true }} head={<meta httpEquiv="refresh" content="3" />}>
      {testBanner ? <TestModeBanner text={testBanner} /> : null}
      <h1>Confirming your payment…</h1>
      <p role="status">This takes a few seconds. The page refreshes by itself; you can also reload it.</p>
    </PublicLayout>
  );
}

export function UpsellPage(p: {
  testBanner: string | null;
  orderNumber: number;
  email: string;
  action: string;
  declineAction: string;
  csrf: string;
  headline: string;
  body: string;
  productName: string;
  priceText: string;
  error?: string;
}) {
  return (
    <PublicLayout meta={{ title: 'Your order is confirmed', noindex: true }}>
      {p.testBanner ? <TestModeBanner text={p.testBanner} /> : null}
      <Notice kind="success">
        Payment received — order #{p.orderNumber} is confirmed. Your receipt is on its way to {p.email}.
      </Notice>
      <section className="card offer" aria-labelledby="offer-h">
        <p className="badge">One-time offer</p>
        <h1 id="offer-h">{p.headline}</h1>
        {p.body ? <p>{p.body}</p> : null}
        <p className="amount">
          {p.productName} — {p.priceText}
        </p>
        {p.error ? <Notice kind="error">{p.error}</Notice> : null}
        <div className="actions">
          <form method="post" action={p.action}>
            <CsrfField token={p.csrf} />
            <button type="submit">Yes, add it to my order — {p.priceText}</button>
          </form>
          <p className="hint">Charged to the card you just used. No need to enter it again.</p>
          <form method="post" action={p.declineAction}>
            <CsrfField token={p.csrf} />
            <button type="submit" className="link-button">
              No thanks, take me to my order
            </button>
          </form>
        </div>
      </section>
    </PublicLayout>
  );
}

/** A one-click charge whose answer was lost: what we know, and ways on that cannot charge twice. */
export function UpsellPendingPage(p: {
  testBanner: string | null;
  orderNumber: number;
  email: string;
  productName: string;
  priceText: string;
  checkAction: string;
  continueHref: string;
  csrf: string;
}) {
  return (
    <PublicLayout meta={{ title: 'Confirming your payment', noindex: true }}>
      {p.testBanner ? <TestModeBanner text={p.testBanner} /> : null}
      <h1>We are confirming your payment</h1>
      <Notice kind="info">
        We did not hear back from the bank about {p.productName} ({p.priceText}). If the payment went through, the {p.productName} is added to your account and we
        will email your receipt to <strong>{p.email}</strong>. You will not be charged twice.
      </Notice>
      <div className="actions">
        <form method="post" action={p.checkAction}>
          <CsrfField token={p.csrf} />
          <button type="submit">Check again</button>
        </form>
        <p>
          <a href={p.continueHref}>Continue to order #{p.orderNumber}</a>
        </p>
      </div>
    </PublicLayout>
  );
}

export function ThankYouPage(p: {
  testBanner: string | null;
  orderNumber: number;
  email: string;
  summary: SummaryView;
  paidText: string;
  extras: { number: number; name: string; priceText: string }[];
  signedIn: boolean;
  /** the address already had an account: a sign-in link was mailed to it instead of signing in here */
  linkSent?: boolean;
}) {
  return (
    <PublicLayout meta={{ title: 'Thank you', noindex: true }}>
      {p.testBanner ? <TestModeBanner text={p.testBanner} /> : null}
      <h1>Thank you!</h1>
      <Notice kind="success">
        Order #{p.orderNumber} is paid ({p.paidText}). A receipt is on its way to <strong>{p.email}</strong>.
      </Notice>
      <OrderSummary summary={p.summary} heading="What you bought" />
      {p.extras.length ? (
        <section className="card" aria-labelledby="extras-h">
          <h2 id="extras-h">Also added</h2>
          <ul>
            {p.extras.map((e) => (
              <li key={e.number}>
                {e.name} — {e.priceText} (order #{e.number})
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {p.linkSent ? (
        <Notice kind="info">
          To keep accounts safe, we sent a sign-in link to <strong>{p.email}</strong>. Open it from that mailbox to see your courses and downloads.
        </Notice>
      ) : (
        <>
          <p>
            <a className="button" href="/account">
              {p.signedIn ? 'Go to your purchases' : 'Open your account'}
            </a>
          </p>
          <p className="hint">Your courses and downloads are in your account. The receipt email has a sign-in link too.</p>
        </>
      )}
    </PublicLayout>
  );
}

export function ReceiptPage(p: { orderNumber: number; paidAt: string; email: string; summary: SummaryView; paidText: string; refunds: string[]; testMode: boolean }) {
  return (
    <PublicLayout meta={{ title: `Receipt for order #${p.orderNumber}`, noindex: true }}>
      <p>
        <a href="/account">← Your account</a>
      </p>
      <h1>Receipt for order #{p.orderNumber}</h1>
      <p className="muted">
        Paid {p.paidAt} by {p.email}
        {p.testMode ? ' (test mode)' : ''}
      </p>
      <OrderSummary summary={p.summary} heading="Items" />
      <p>
        <strong>Paid:</strong> {p.paidText}
      </p>
      {p.refunds.length ? (
        <section aria-labelledby="refunds-h">
          <h2 id="refunds-h">Refunds</h2>
          <ul>
            {p.refunds.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </section>
      ) : null}
    </PublicLayout>
  );
}

export function BillingPage(p: { productName: string; statusText: string; nextText: string; csrf: string; action: string; cards: TestCardView[]; message?: { kind: 'success' | 'error'; text: string } }) {
  return (
    <PublicLayout meta={{ title: `Billing: ${p.productName}`, noindex: true }}>
      <TestModeBanner />
      <p>
        <a href="/account">← Your account</a>
      </p>
      <h1>Payment method for {p.productName}</h1>
      <p>
        Status: <strong>{p.statusText}</strong>. {p.nextText}
      </p>
      {p.message ? <Notice kind={p.message.kind}>{p.message.text}</Notice> : null}
      <form method="post" action={p.action} className="card" style={{ maxWidth: '28rem' }}>
        <CsrfField token={p.csrf} />
        <label htmlFor="card">New card number</label>
        <input id="card" name="card" inputMode="numeric" autoComplete="cc-number" required />
        <p>
          <button type="submit">Save card{p.statusText === 'Payment overdue' || p.statusText === 'Paused' ? ' and pay now' : ''}</button>
        </p>
      </form>
      <section className="test-cards" aria-labelledby="cards-h">
        <h2 id="cards-h">Test cards</h2>
        <ul>
          {p.cards.map((c) => (
            <li key={c.number}>
              <code>{c.number}</code> — {c.label}
            </li>
          ))}
        </ul>
      </section>
    </PublicLayout>
  );
}

export interface PurchasesView {
  orders: { id: string; number: number; date: string; items: string; paidText: string; refunded: boolean }[];
  downloads: { id: string; name: string; productName: string; sizeText: string; url: string }[];
  subscriptions: { id: string; productName: string; statusText: string; nextText: string; billingUrl: string | null; needsAttention: boolean; cancellable: boolean }[];
  csrf: string;
}

/** The "Purchases & downloads" section of the customer's account page. */
export function PurchasesSection({ view }: { view: PurchasesView }): ReactNode {
  return (
    <div className="purchases">
      {view.subscriptions.filter((s) => s.needsAttention).map((s) => (
        <Notice kind="error" key={`n-${s.id}`}>
          Your payment for {s.productName} did not go through. {s.billingUrl ? <a href={s.billingUrl}>Update your payment method</a> : null}
        </Notice>
      ))}
      {view.downloads.length ? (
        <>
          <h3>Downloads</h3>
          <ul>
            {view.downloads.map((d) => (
              <li key={d.id}>
                <a href={d.url} download>
                  {d.name}
                </a>{' '}
                <span className="muted">
                  ({d.productName}, {d.sizeText})
                </span>
              </li>
            ))}
          </ul>
          <p className="hint">Download links renew each time you open this page.</p>
        </>
      ) : null}
      {view.subscriptions.length ? (
        <>
          <h3>Subscriptions and payment plans</h3>
          <ul>
            {view.subscriptions.map((s) => (
              <li key={s.id}>
                {s.productName}: {s.statusText}. {s.nextText} {s.billingUrl ? <a href={s.billingUrl}>Payment method</a> : null}
                {s.cancellable ? (
                  <form method="post" action={`/account/billing/${s.id}/cancel`} className="inline-form">
                    <CsrfField token={view.csrf} />
                    <button type="submit" className="link-button">
                      Cancel subscription
                    </button>
                  </form>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {view.orders.length ? (
        <>
          <h3>Orders</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Date</th>
                <th scope="col">Items</th>
                <th scope="col">Paid</th>
              </tr>
            </thead>
            <tbody>
              {view.orders.map((o) => (
                <tr key={o.id}>
                  <td>
                    <a href={`/account/orders/${o.id}`}>#{o.number}</a>
                  </td>
                  <td>{o.date}</td>
                  <td>{o.items}</td>
                  <td>
                    {o.paidText}
                    {o.refunded ? ' (refunded)' : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
