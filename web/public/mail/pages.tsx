// Unsubscribe pages. The link in every email lands on a confirm page (mail scanners that
// open links must not unsubscribe anyone); the button, and RFC 8058 one-click POSTs from
// mail apps, unsubscribe at once.
import { Notice, PublicLayout } from '../layout.js';

export function UnsubscribeConfirmPage(props: { action: string; preferencesUrl: string; listName: string | null; email: string; siteName: string }) {
  return (
    <PublicLayout meta={{ title: 'Unsubscribe', noindex: true, siteName: props.siteName }} header={<span />}>
      <h1>Unsubscribe</h1>
      <div className="card" style={{ maxWidth: '32rem' }}>
        <p>
          Stop sending <strong>{props.email}</strong> {props.listName ? <>emails from <strong>{props.listName}</strong></> : <>marketing emails</>}?
        </p>
        <form method="post" action={props.action}>
          <button type="submit">Unsubscribe</button>
        </form>
        <p className="hint">
          Prefer to choose which emails you get? <a href={props.preferencesUrl}>Manage your email preferences</a>.
        </p>
      </div>
    </PublicLayout>
  );
}

export function UnsubscribedPage(props: { preferencesUrl: string; listName: string | null; siteName: string }) {
  return (
    <PublicLayout meta={{ title: 'You are unsubscribed', noindex: true, siteName: props.siteName }} header={<span />}>
      <h1>You are unsubscribed</h1>
      <Notice kind="success">
        {props.listName ? <>You will get no more emails from {props.listName}.</> : <>You will get no more marketing emails from us.</>} Receipts and sign-in
        links for things you bought still reach you.
      </Notice>
      <p>
        Changed your mind, or want to keep some of our emails? <a href={props.preferencesUrl}>Manage your email preferences</a>.
      </p>
    </PublicLayout>
  );
}

export function InvalidLinkPage(props: { message: string; siteName: string }) {
  return (
    <PublicLayout meta={{ title: 'Link not valid', noindex: true, siteName: props.siteName }} header={<span />}>
      <h1>This link does not work</h1>
      <Notice kind="error">{props.message}</Notice>
    </PublicLayout>
  );
}
