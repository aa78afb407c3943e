// Audience pages: hosted opt-in forms, double opt-in confirmation, lead-magnet thank-you,
// and the email preference page. Plain HTML forms; no JavaScript needed.
import type { ReactNode } from 'react';
import { CsrfField, Notice, PublicLayout } from '../layout.js';

export interface PublicForm {
  slug: string;
  title: string;
  /** sanitised HTML */
  intro: string;
  consentText: string;
  buttonLabel: string;
  successMessage: string;
  askName: 'hidden' | 'optional' | 'required';
  customFields: { key: string; label: string; required: boolean }[];
}

/** Only what a visitor may see of a form (never its lists, tags or lead-magnet file). */
export function toPublicForm(f: PublicForm): PublicForm {
  return {
    slug: f.slug,
    title: f.title,
    intro: f.intro,
    consentText: f.consentText,
    buttonLabel: f.buttonLabel,
    successMessage: f.successMessage,
    askName: f.askName,
    customFields: f.customFields.map((c) => ({ key: c.key, label: c.label, required: c.required })),
  };
}

export interface FormValues {
  email?: string;
  name?: string;
  fields?: Record<string, string>;
}

function Field(props: { id: string; name: string; label: string; type?: string; autoComplete?: string; required?: boolean; value?: string; error?: string }) {
  const errorId = `${props.id}-error`;
  return (
    <>
      <label htmlFor={props.id}>
        {props.label}
        {props.required ? null : <span className="muted"> (optional)</span>}
      </label>
      <input
        id={props.id}
        name={props.name}
        type={props.type ?? 'text'}
        autoComplete={props.autoComplete}
        required={props.required}
        defaultValue={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
      />
      {props.error ? (
        <p id={errorId} className="field-error">
          {props.error}
        </p>
      ) : null}
    </>
  );
}

/** The fields of an opt-in form, shared by the hosted page, the error page of an embed and pages that embed the form. */
function OptInFields({ form, values, errors, idPrefix = '', buttonLabel }: { form: PublicForm; values?: FormValues; errors?: Record<string, string>; idPrefix?: string; buttonLabel?: string }) {
  return (
    <>
      {form.askName !== 'hidden' ? (
        <Field id={`${idPrefix}name`} name="name" label="Your name" autoComplete="name" required={form.askName === 'required'} value={values?.name} error={errors?.name} />
      ) : null}
      <Field id={`${idPrefix}email`} name="email" label="Email address" type="email" autoComplete="email" required value={values?.email} error={errors?.email} />
      {form.customFields.map((f) => (
        <Field key={f.key} id={`${idPrefix}field_${f.key}`} name={`field_${f.key}`} label={f.label} required={f.required} value={values?.fields?.[f.key]} error={errors?.[`field_${f.key}`]} />
      ))}
      {/* Bots fill every field; people never see this one. */}
      <div className="hp" aria-hidden="true">
        <label htmlFor={`${idPrefix}website`}>Leave this empty</label>
        <input id={`${idPrefix}website`} name="website" type="text" tabIndex={-1} autoComplete="off" />
      </div>
      <p className="hint consent">{form.consentText}</p>
      <p>
        <button type="submit">{buttonLabel || form.buttonLabel}</button>
      </p>
    </>
  );
}

/**
 * The opt-in form itself, posting to the form's own endpoint (/f/<slug>) with its token and bot
 * trap: the hosted page and every page block that embeds the form render this one component.
 * `idPrefix` keeps field ids unique when a page holds several forms.
 */
export function OptInForm(props: { form: PublicForm; csrf: string; values?: FormValues; errors?: Record<string, string>; idPrefix?: string; buttonLabel?: string }) {
  return (
    <form method="post" action={`/f/${props.form.slug}`} className="card optin">
      <CsrfField token={props.csrf} />
      <OptInFields form={props.form} values={props.values} errors={props.errors} idPrefix={props.idPrefix} buttonLabel={props.buttonLabel} />
    </form>
  );
}

export function OptInPage(props: { form: PublicForm; csrf: string; url: string; values?: FormValues; errors?: Record<string, string> }) {
  const { form } = props;
  const firstError = props.errors ? Object.values(props.errors)[0] : undefined;
  return (
    <PublicLayout meta={{ title: form.title, url: props.url }}>
      <h1>{form.title}</h1>
      {/* Sanitised with sanitize-html when the form was saved. */}
      {form.intro ? <div className="intro" dangerouslySetInnerHTML={{ __html: form.intro }} /> : null}
      {firstError ? <Notice kind="error">{firstError}</Notice> : null}
      <OptInForm form={form} csrf={props.csrf} values={props.values} errors={props.errors} />
    </PublicLayout>
  );
}

export function OptInResultPage(props: { form: PublicForm; outcome: 'confirm_sent' | 'subscribed'; email?: string; leadMagnetUrl?: string | null }) {
  const { form } = props;
  return (
    <PublicLayout meta={{ title: form.title, noindex: true }}>
      <h1>{props.outcome === 'confirm_sent' ? 'Check your inbox' : 'You are subscribed'}</h1>
      {props.outcome === 'confirm_sent' ? (
        <>
          <Notice kind="success">
            We sent a confirmation link{props.email ? (
              <>
                {' '}to <strong>{props.email}</strong>
              </>
            ) : null}
            . Open it to confirm your subscription.
          </Notice>
          <p className="muted">Nothing arrived after a few minutes? Look in your spam or promotions folder. The link works for 7 days.</p>
        </>
      ) : (
        <>
          <Notice kind="success">{form.successMessage || 'Thank you for subscribing.'}</Notice>
          <LeadMagnet url={props.leadMagnetUrl} />
        </>
      )}
    </PublicLayout>
  );
}

function LeadMagnet({ url }: { url?: string | null }) {
  if (!url) return null;
  return (
    <div className="card">
      <p>Your download is ready. We also emailed you the link.</p>
      <a className="button" href={url}>
        Download now
      </a>
    </div>
  );
}

/** The confirmation link lands here; pressing the button confirms (mail scanners that open links do not). */
export function ConfirmLandingPage(props: { token: string; csrf: string; title: string }) {
  return (
    <PublicLayout meta={{ title: 'Confirm your subscription', noindex: true }}>
      <h1>Confirm your subscription</h1>
      <form method="post" action="/f/confirm" className="card" style={{ maxWidth: '32rem' }}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="token" value={props.token} />
        <p>
          Press the button to confirm that you want to receive <strong>{props.title}</strong>.
        </p>
        <button type="submit">Yes, subscribe me</button>
      </form>
    </PublicLayout>
  );
}

export function ConfirmedPage(props: { form: PublicForm; already: boolean; leadMagnetUrl?: string | null }) {
  return (
    <PublicLayout meta={{ title: 'Subscription confirmed', noindex: true }}>
      <h1>{props.already ? 'You were already confirmed' : 'Subscription confirmed'}</h1>
      <Notice kind="success">{props.form.successMessage || `Thank you! You will receive ${props.form.title}.`}</Notice>
      <LeadMagnet url={props.leadMagnetUrl} />
    </PublicLayout>
  );
}

export function LinkProblemPage(props: { title: string; message: string; action?: ReactNode }) {
  return (
    <PublicLayout meta={{ title: props.title, noindex: true }}>
      <h1>{props.title}</h1>
      <Notice kind="error">{props.message}</Notice>
      {props.action}
    </PublicLayout>
  );
}

export interface Preferences {
  contact: { email: string; status: string };
  receiving: boolean;
  blocked: boolean;
  lists: { id: string; name: string; description: string; subscribed: boolean }[];
}

/** The checkboxes and buttons, shared by the preference page and the account page section. */
export function PreferencesForm(props: { prefs: Preferences; action: string; hidden: Record<string, string>; headingLevel?: 'h2' | 'h3' }) {
  const { prefs } = props;
  const Heading = props.headingLevel ?? 'h2';
  return (
    <form method="post" action={props.action} className="card preferences">
      {Object.entries(props.hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {prefs.blocked ? (
        <Notice kind="info">Mail to this address stopped after a delivery problem or a spam report. Contact us if you want it back.</Notice>
      ) : !prefs.receiving ? (
        <>
          <Notice kind="info">You are unsubscribed from all our email.</Notice>
          <p>
            <button type="submit" name="action" value="resubscribe">
              Subscribe again
            </button>
          </p>
        </>
      ) : null}
      {prefs.lists.length ? (
        <fieldset>
          <legend>
            <Heading className="legend">Emails you receive</Heading>
          </legend>
          {prefs.lists.map((l) => (
            <div className="check" key={l.id}>
              <input type="checkbox" id={`list-${l.id}`} name="list" value={l.id} defaultChecked={l.subscribed} />
              <label htmlFor={`list-${l.id}`}>
                {l.name}
                {l.description ? <span className="hint"> — {l.description}</span> : null}
              </label>
            </div>
          ))}
          <p>
            <button type="submit" name="action" value="save">
              Save my choices
            </button>
          </p>
        </fieldset>
      ) : null}
      {prefs.receiving ? (
        <p>
          <button type="submit" name="action" value="unsubscribe_all" className="secondary">
            Unsubscribe from all marketing email
          </button>
        </p>
      ) : null}
      <p className="hint">Receipts and sign-in links about your purchases are always sent.</p>
    </form>
  );
}

export function PreferencesPage(props: { token: string; csrf: string; prefs: Preferences; saved?: 'save' | 'unsubscribe_all' | 'resubscribe' }) {
  const messages = {
    save: 'Your choices are saved.',
    unsubscribe_all: 'You are unsubscribed from all marketing email. You will not hear from us again unless you subscribe again.',
    resubscribe: 'Welcome back: you are subscribed again.',
  };
  return (
    <PublicLayout meta={{ title: 'Email preferences', noindex: true }}>
      <h1>Email preferences</h1>
      <p className="muted">For {props.prefs.contact.email}</p>
      {props.saved ? <Notice kind="success">{messages[props.saved]}</Notice> : null}
      <PreferencesForm prefs={props.prefs} action="/email/preferences" hidden={{ token: props.token, _csrf: props.csrf }} />
    </PublicLayout>
  );
}
