// Customer portal pages: sign-in by magic link and the account home.
import type { ReactNode } from 'react';
import { CsrfField, Notice, PublicLayout } from '../layout.js';

export function SignInPage(props: { csrf: string; next: string; sent?: boolean; error?: string; email?: string }) {
  return (
    <PublicLayout meta={{ title: 'Sign in to your account', noindex: true }}>
      <h1>Sign in to your account</h1>
      {props.sent ? (
        <Notice kind="success">
          If <strong>{props.email}</strong> belongs to an account, a sign-in link is on its way. It works once, for 30 minutes.
        </Notice>
      ) : (
        <p className="muted">No password needed: we email you a link that signs you in.</p>
      )}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <form method="post" action="/account/sign-in" className="card" style={{ maxWidth: '28rem' }}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <label htmlFor="email">Email address</label>
        <input id="email" name="email" type="email" autoComplete="email" required defaultValue={props.email} />
        <p>
          <button type="submit">Email me a sign-in link</button>
        </p>
      </form>
    </PublicLayout>
  );
}

/** The link lands here and the person presses a button: mail scanners that open links do not spend them. */
export function MagicLandingPage(props: { token: string; csrf: string }) {
  return (
    <PublicLayout meta={{ title: 'Sign in', noindex: true }}>
      <h1>Welcome back</h1>
      <form method="post" action="/account/magic" className="card" style={{ maxWidth: '28rem' }}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="token" value={props.token} />
        <p>Press the button to finish signing in on this device.</p>
        <button type="submit">Continue to my account</button>
      </form>
    </PublicLayout>
  );
}

export function AccountPage(props: { name: string; email: string; csrf: string; sections: { id: string; title: string; body: ReactNode }[] }) {
  return (
    <PublicLayout
      meta={{ title: 'Your account', noindex: true }}
      header={
        <form method="post" action="/account/sign-out">
          <CsrfField token={props.csrf} />
          <button type="submit" className="secondary">
            Sign out
          </button>
        </form>
      }
    >
      <h1>Hello{props.name ? `, ${props.name}` : ''}</h1>
      <p className="muted">Signed in as {props.email}</p>
      {props.sections.length === 0 ? (
        <div className="card">
          <p>Nothing here yet. When you buy a course, e-book or membership, it appears on this page.</p>
          <a className="button" href="/">
            Browse the store
          </a>
        </div>
      ) : (
        props.sections.map((s) => (
          <section key={s.id} aria-labelledby={`s-${s.id}`}>
            <h2 id={`s-${s.id}`}>{s.title}</h2>
            {s.body}
          </section>
        ))
      )}
    </PublicLayout>
  );
}
