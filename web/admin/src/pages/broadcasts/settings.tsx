// Mail settings (sender, postal address, tracking, rate) and the suppression list.
import { useState } from 'react';
import { Link } from 'react-router';
import { CheckboxField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { Forbidden } from '../../components/forbidden.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { broadcastsApi, type MailSettings, type SendLimitsView } from './api.js';
import { BroadcastsNav } from './broadcasts-nav.js';

export function MailSettingsPage() {
  // One "your role cannot do this" for a role without mail, not one per section.
  if (!useSession().can('mail.read')) return <Forbidden />;
  return <MailSettings />;
}

function MailSettings() {
  const state = useLoad(() => broadcastsApi.settings(), []);
  return (
    <>
      <PageHeader
        title="Mail settings"
        intro="Who your email comes from, the postal address every broadcast needs, tracking, how fast mail goes out, and who never gets it."
      />
      <BroadcastsNav />
      <LoadState state={state} label="Loading the settings…">
        {(s) => <SettingsForm initial={s} />}
      </LoadState>
      <SendLimitsCard />
      <Suppressions />
    </>
  );
}

function SettingsForm({ initial }: { initial: MailSettings }) {
  const [s, setS] = useState(initial);
  const [saved, setSaved] = useState(false);
  // Saving needs settings.manage (owner, admin); marketing reads the settings but gets no button.
  const mayEdit = useSession().can('settings.manage');
  const save = useAction(async () => {
    const { transport: _t, dkimDomain: _d, ...rest } = s;
    await broadcastsApi.saveSettings(rest);
    setSaved(true);
  });
  const set = (patch: Partial<MailSettings>) => {
    setSaved(false);
    setS((x) => ({ ...x, ...patch }));
  };
  return (
    <form
      className="card stack"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <p className="muted small">
        Mail leaves through {initial.transport === 'smtp' ? 'your SMTP server' : 'nowhere yet: no SMTP_URL is set, so messages stay in the Outbox'}
        {initial.dkimDomain ? `, DKIM-signed for ${initial.dkimDomain}` : ', without DKIM (set DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY)'}.
      </p>
      <FormError error={save.error} />
      {saved ? <FormNotice>Saved.</FormNotice> : null}
      <TextField label="From" value={s.fromAddress} onChange={(e) => set({ fromAddress: e.target.value })} hint='For example: Anna from Studio <anna@studio.example>' error={save.fieldErrors.fromAddress} />
      <TextField label="Reply-to (optional)" value={s.replyTo} onChange={(e) => set({ replyTo: e.target.value })} />
      <TextField label="Business name" value={s.businessName} onChange={(e) => set({ businessName: e.target.value })} />
      <div className="field">
        <label htmlFor="postal">Postal address</label>
        <textarea id="postal" rows={3} value={s.postalAddress} onChange={(e) => set({ postalAddress: e.target.value })} aria-describedby="postal-hint" />
        <p className="field-hint" id="postal-hint">
          Shown in every broadcast footer; the law (CAN-SPAM, GDPR) requires it, and a broadcast cannot be sent without it.
        </p>
      </div>
      <CheckboxField label="Track opens and clicks" checked={s.trackingEnabled} onChange={(e) => set({ trackingEnabled: e.target.checked })} />
      <TextField label="Messages per second" type="number" min={0} value={s.ratePerSecond} onChange={(e) => set({ ratePerSecond: Number(e.target.value) })} hint="Across every process. Your provider's limit, or 0 for none." />
      <TextField label="Bulk messages per hour" type="number" min={0} value={s.ratePerHour} onChange={(e) => set({ ratePerHour: Number(e.target.value) })} hint="0 for none. Receipts and sign-in links are never held back by it." />
      {mayEdit ? (
        <div className="button-row">
          <button type="submit" className="button primary" disabled={save.pending}>
            Save settings
          </button>
        </div>
      ) : (
        <p className="muted small">Only the owner or an admin can change these settings.</p>
      )}
    </form>
  );
}

/** The marketing role's send limit: the owner sets it; the marketing role sees where it stands. */
function SendLimitsCard() {
  const state = useLoad(() => broadcastsApi.sendLimits(), []);
  return (
    <section className="card stack" aria-labelledby="send-limits">
      <h2 id="send-limits">Marketing send limit</h2>
      <p className="muted">
        How far an assistant with the marketing role may send alone. A broadcast above it is not sent: it waits as a request on your weekly review, and goes out once you
        approve it. You and admins are never limited.
      </p>
      <LoadState state={state} label="Loading the limit…">
        {(l) => <SendLimitsForm initial={l} onSaved={state.reload} />}
      </LoadState>
    </section>
  );
}

function SendLimitsForm({ initial, onSaved }: { initial: SendLimitsView; onSaved(): void }) {
  const [maxRecipients, setMaxRecipients] = useState(String(initial.maxRecipients));
  const [maxPerWeek, setMaxPerWeek] = useState(String(initial.maxPerWeek));
  const [saved, setSaved] = useState(false);
  const mayEdit = useSession().can('mail.limits');
  const save = useAction(async () => {
    await broadcastsApi.saveSendLimits({ maxRecipients: Number(maxRecipients), maxPerWeek: Number(maxPerWeek) });
    setSaved(true);
    onSaved();
  });
  const usage = `${initial.sendsThisWeek} ${initial.sendsThisWeek === 1 ? 'send' : 'sends'} by the marketing role in the last 7 days.`;
  if (!mayEdit)
    return (
      <p>
        Up to <strong>{initial.maxRecipients}</strong> people a send and <strong>{initial.maxPerWeek}</strong> {initial.maxPerWeek === 1 ? 'send' : 'sends'} in any 7 days. {usage}
      </p>
    );
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        void save.run();
      }}
    >
      <FormError error={save.error} />
      {saved ? <FormNotice>Saved.</FormNotice> : null}
      <TextField label="People a send may reach" type="number" min={0} max={10_000_000} step={1} required value={maxRecipients} onChange={(e) => setMaxRecipients(e.target.value)} hint="Counted when they send: the audience less suppressed addresses." error={save.fieldErrors.maxRecipients} />
      <TextField label="Sends in any 7 days" type="number" min={0} max={100} step={1} required value={maxPerWeek} onChange={(e) => setMaxPerWeek(e.target.value)} hint={usage} error={save.fieldErrors.maxPerWeek} />
      <div className="button-row">
        <button type="submit" className="button" disabled={save.pending}>
          Save the limit
        </button>
      </div>
    </form>
  );
}

function Suppressions() {
  const [search, setSearch] = useState('');
  const state = useLoad(() => broadcastsApi.suppressions(search || undefined), [search]);
  const [email, setEmail] = useState('');
  const add = useAction(async () => {
    await broadcastsApi.suppress(email, 'added by hand');
    setEmail('');
    state.reload();
  });
  const lift = useAction(async (e: string) => {
    await broadcastsApi.unsuppress(e);
    state.reload();
  });
  const reasons: Record<string, string> = { hard_bounce: 'Hard bounce', soft_bounce: 'Three soft bounces', complaint: 'Spam complaint', manual: 'Added by hand' };
  return (
    <section className="card stack" aria-labelledby="suppressions">
      <h2 id="suppressions">Suppression list</h2>
      <p className="muted">
        Addresses that get no broadcasts. Hard bounces, three soft bounces and spam complaints land here on their own; <Link to="/broadcasts/bounces">Bounces &amp; complaints</Link> shows what
        each provider reported.
      </p>
      <FormError error={add.error ?? lift.error} />
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void add.run();
        }}
      >
        <TextField label="Add an address" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <button type="submit" className="button">
          Suppress
        </button>
      </form>
      <TextField label="Search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
      <LoadState state={state} label="Loading…">
        {({ suppressions }) =>
          suppressions.length === 0 ? (
            <p className="muted">Nobody is suppressed{search ? ' that matches' : ''}.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Address</th>
                    <th scope="col">Why</th>
                    <th scope="col">Since</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {suppressions.map((s) => (
                    <tr key={s.email}>
                      <td className="break">{s.email}</td>
                      <td>{reasons[s.reason] ?? s.reason}</td>
                      <td>
                        <Time iso={s.createdAt} style="date" />
                      </td>
                      <td>
                        <button type="button" className="button subtle small" onClick={() => void lift.run(s.email)}>
                          Remove<span className="visually-hidden"> {s.email}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadState>
    </section>
  );
}
