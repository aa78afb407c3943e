// Support's public pages: the rating page a closing reply links to, and the answer to the
// site's contact block. Plain HTML forms; no JavaScript needed.
import { CsrfField, Notice, PublicLayout } from '../layout.js';

export type RatingChoice = 'great' | 'okay' | 'bad';
const LABELS: Record<RatingChoice, string> = { great: 'Great', okay: 'Okay', bad: 'Not good' };

/**
 * The rating link lands here with a rating preselected; pressing the button records it (a mail
 * scanner that opens every link of the message records nothing).
 */
export function RatingPage(props: { token: string; csrf: string; number: number; subject: string; rating: RatingChoice | null; comment: string; saved?: boolean; error?: string }) {
  return (
    <PublicLayout meta={{ title: 'How did we do?', noindex: true }}>
      <h1>How did we do?</h1>
      <p>
        Your conversation #{props.number}: {props.subject}
      </p>
      {props.saved ? <Notice kind="success">Thank you: your rating is saved. You can change it here at any time.</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <form method="post" action={`/support/rate/${props.token}`} className="card" style={{ maxWidth: '32rem' }}>
        <CsrfField token={props.csrf} />
        <fieldset>
          <legend>Your rating</legend>
          {(['great', 'okay', 'bad'] as const).map((r) => (
            <label key={r} style={{ display: 'block' }}>
              <input type="radio" name="rating" value={r} defaultChecked={props.rating === r} required /> {LABELS[r]}
            </label>
          ))}
        </fieldset>
        <label htmlFor="rating-comment">
          Anything to add? <span className="muted">(optional)</span>
        </label>
        <textarea id="rating-comment" name="comment" rows={4} maxLength={2000} defaultValue={props.comment} />
        <button type="submit">Send my rating</button>
      </form>
    </PublicLayout>
  );
}

export function ContactSentPage(props: { back: string }) {
  return (
    <PublicLayout meta={{ title: 'Message sent', noindex: true }}>
      <h1>Thank you</h1>
      <Notice kind="success">Your message is with us. We answer by email, usually within a working day.</Notice>
      <p>
        <a href={props.back}>Back</a>
      </p>
    </PublicLayout>
  );
}

export function ContactProblemPage(props: { message: string; back: string }) {
  return (
    <PublicLayout meta={{ title: 'Your message was not sent', noindex: true }}>
      <h1>Your message was not sent</h1>
      <Notice kind="error">{props.message}</Notice>
      <p>
        <a href={props.back}>Back to the form</a>
      </p>
    </PublicLayout>
  );
}

/** The contact block's form (the site's page blocks render it), posting to /support/contact. */
export function ContactForm(props: { id: string; csrf: string; buttonLabel?: string; askSubject?: boolean }) {
  const p = `${props.id}-`;
  return (
    <form method="post" action="/support/contact" className="contact-form">
      <CsrfField token={props.csrf} />
      <label htmlFor={`${p}name`}>
        Your name <span className="muted">(optional)</span>
      </label>
      <input id={`${p}name`} name="name" autoComplete="name" maxLength={200} />
      <label htmlFor={`${p}email`}>Your email</label>
      <input id={`${p}email`} name="email" type="email" autoComplete="email" required maxLength={320} />
      {props.askSubject ? (
        <>
          <label htmlFor={`${p}subject`}>
            Subject <span className="muted">(optional)</span>
          </label>
          <input id={`${p}subject`} name="subject" maxLength={200} />
        </>
      ) : null}
      <label htmlFor={`${p}message`}>Your message</label>
      <textarea id={`${p}message`} name="message" rows={6} required maxLength={10000} />
      {/* A field people never see: bots fill it, and their message is dropped. */}
      <div className="hp" aria-hidden="true">
        <label htmlFor={`${p}website`}>Leave this empty</label>
        <input id={`${p}website`} name="website" type="text" tabIndex={-1} autoComplete="off" />
      </div>
      <button type="submit">{props.buttonLabel || 'Send'}</button>
    </form>
  );
}
