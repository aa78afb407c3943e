import { useState } from 'react';
import { webhooks, type WebhookDelivery, type WebhookEndpoint } from '../../api.js';
import { useConfirm } from '../../components/confirm.js';
import { CopyField } from '../../components/copy-field.js';
import { EmptyState } from '../../components/empty-state.js';
import { CheckboxField, TextField } from '../../components/field.js';
import { FormError, FormNotice } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useAction, useFormAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';

/** Owner and admins: endpoints that receive the business's events, with their delivery log. */
export default function WebhooksPage() {
  const state = useLoad(() => webhooks.list(), []);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [allTypes, setAllTypes] = useState(true);

  const create = useFormAction(
    async (f) => {
      const eventTypes = allTypes ? [] : (state.data?.eventTypes ?? []).filter((t) => f.checked(`type:${t}`));
      const res = await webhooks.create({ url: f.text('url'), description: f.text('description'), eventTypes });
      setSecret({ label: `Signing secret for ${res.endpoint.url}`, value: res.secret });
      setAllTypes(true);
      state.setData((d) => ({ ...d, endpoints: [res.endpoint, ...d.endpoints] }));
    },
    { reset: true },
  );

  return (
    <>
      <PageHeader
        title="Webhooks"
        intro={
          <>
            Onehour sends each event you choose (a paid order, a new subscriber…) to your other tools as a signed JSON POST, following the Standard Webhooks
            convention. Failed deliveries are retried for about a day; an endpoint that keeps failing for days is turned off. How to verify the signature:
            docs/webhooks.md.
          </>
        }
      />
      <LoadState state={state}>
        {({ endpoints, eventTypes }) => (
          <>
            <section className="card section" aria-labelledby="add-endpoint-title">
              <h2 id="add-endpoint-title">Add an endpoint</h2>
              <form onSubmit={create.onSubmit}>
                <TextField label="Endpoint URL" name="url" type="url" required maxLength={2000} placeholder="https://example.com/hooks/onehour" error={create.fieldErrors.url} />
                <TextField label="Description" name="description" maxLength={500} placeholder="e.g. CRM, accounting" error={create.fieldErrors.description} />
                <CheckboxField label="Send every event type" name="all" checked={allTypes} onChange={(e) => setAllTypes(e.target.checked)} />
                {allTypes ? null : <EventTypePicker types={eventTypes} />}
                {create.fieldErrors.eventTypes ? <p className="field-error">{create.fieldErrors.eventTypes}</p> : null}
                <button type="submit" className="button primary" disabled={create.pending}>
                  {create.pending ? 'Adding…' : 'Add endpoint'}
                </button>
              </form>
              <FormError error={create.error} />
            </section>
            {secret ? (
              <div className="created secret card section" role="status">
                <p>
                  <strong>Copy the signing secret now.</strong> It is shown only this once. Your receiver uses it to check that a request came from Onehour.
                </p>
                <CopyField label={secret.label} value={secret.value} />
                <button type="button" className="button small" onClick={() => setSecret(null)}>
                  I have copied it
                </button>
              </div>
            ) : null}
            <section className="section" aria-labelledby="endpoints-title">
              <h2 id="endpoints-title">Endpoints</h2>
              {endpoints.length === 0 ? (
                <EmptyState title="No endpoints yet">
                  <p>Add one above when another tool should hear about what happens in the business.</p>
                </EmptyState>
              ) : (
                endpoints.map((e) => (
                  <EndpointCard
                    key={e.id}
                    endpoint={e}
                    onChange={(next) => state.setData((d) => ({ ...d, endpoints: d.endpoints.map((x) => (x.id === next.id ? next : x)) }))}
                    onRemoved={() => state.setData((d) => ({ ...d, endpoints: d.endpoints.filter((x) => x.id !== e.id) }))}
                    onSecret={(value) => setSecret({ label: `New signing secret for ${e.url}`, value })}
                  />
                ))
              )}
            </section>
          </>
        )}
      </LoadState>
    </>
  );
}

function EventTypePicker({ types }: { types: string[] }) {
  const groups = new Map<string, string[]>();
  for (const t of types) {
    const g = t.split('.')[0]!;
    groups.set(g, [...(groups.get(g) ?? []), t]);
  }
  return (
    <fieldset className="event-types">
      <legend>Event types to send</legend>
      {[...groups].map(([group, list]) => (
        <details key={group}>
          <summary>{group}</summary>
          {list.map((t) => (
            <CheckboxField key={t} label={t} name={`type:${t}`} />
          ))}
        </details>
      ))}
    </fieldset>
  );
}

function EndpointCard({
  endpoint,
  onChange,
  onRemoved,
  onSecret,
}: {
  endpoint: WebhookEndpoint;
  onChange: (e: WebhookEndpoint) => void;
  onRemoved: () => void;
  onSecret: (secret: string) => void;
}) {
  const confirm = useConfirm();
  const [notice, setNotice] = useState<string | null>(null);
  const [showLog, setShowLog] = useState(false);
  const [logVersion, setLogVersion] = useState(0);
  const toggle = useAction(async () => {
    const res = await webhooks.update(endpoint.id, { enabled: !endpoint.enabled });
    onChange(res.endpoint);
    setNotice(res.endpoint.enabled ? 'Turned on.' : 'Turned off: nothing is sent until you turn it on.');
  });
  const test = useAction(async () => {
    await webhooks.sendTest(endpoint.id);
    setNotice('A webhook.test message is on its way; its delivery appears in the log.');
    setShowLog(true);
    setLogVersion((v) => v + 1);
  });
  const rotate = useAction(async () => {
    const ok = await confirm({
      title: 'Rotate the signing secret?',
      body: <p>A new secret signs every request from now on. The old one also signs for 24 hours, so you have a day to update your receiver.</p>,
      confirmLabel: 'Rotate',
    });
    if (!ok) return;
    onSecret((await webhooks.rotateSecret(endpoint.id)).secret);
  });
  const remove = useAction(async () => {
    const ok = await confirm({
      title: `Remove ${endpoint.url}?`,
      body: <p>Nothing more is sent to it, and its delivery log is deleted.</p>,
      confirmLabel: 'Remove',
      danger: true,
    });
    if (!ok) return;
    await webhooks.remove(endpoint.id);
    onRemoved();
  });
  const busy = toggle.pending || test.pending || rotate.pending || remove.pending;
  return (
    <article className="card section webhook-endpoint" aria-label={`Endpoint ${endpoint.url}`}>
      <h3>
        <code>{endpoint.url}</code> {endpoint.enabled ? <span className="badge good">On</span> : <span className="badge bad">Off</span>}
      </h3>
      {endpoint.description ? <p>{endpoint.description}</p> : null}
      <p className="muted">{endpoint.eventTypes.length ? `Sends: ${endpoint.eventTypes.join(', ')}` : 'Sends every event type'}</p>
      {endpoint.disabledReason ? <p className="notice">{endpoint.disabledReason}</p> : null}
      {endpoint.enabled && endpoint.failingSince ? (
        <p className="notice">
          Failing since <Time iso={endpoint.failingSince} style="relative" />.
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button small" disabled={busy} onClick={() => void toggle.run()}>
          {endpoint.enabled ? 'Turn off' : 'Turn on'}
        </button>
        <button type="button" className="button small" disabled={busy || !endpoint.enabled} onClick={() => void test.run()}>
          Send test event
        </button>
        <button type="button" className="button small" disabled={busy} onClick={() => void rotate.run()}>
          Rotate secret
        </button>
        <button type="button" className="button small" aria-expanded={showLog} onClick={() => setShowLog((s) => !s)}>
          {showLog ? 'Hide deliveries' : 'Deliveries'}
        </button>
        <button type="button" className="button small danger-text" disabled={busy} onClick={() => void remove.run()}>
          Remove
        </button>
      </div>
      <FormError error={toggle.error ?? test.error ?? rotate.error ?? remove.error} />
      <FormNotice>{notice}</FormNotice>
      {showLog ? <DeliveryLog endpointId={endpoint.id} version={logVersion} canReplay={endpoint.enabled} /> : null}
    </article>
  );
}

function statusBadge(d: WebhookDelivery) {
  const cls = d.status === 'succeeded' ? 'good' : d.status === 'failed' ? 'bad' : 'warn';
  return <span className={`badge ${cls}`}>{d.status}</span>;
}

function DeliveryLog({ endpointId, version, canReplay }: { endpointId: string; version: number; canReplay: boolean }) {
  const [replays, setReplays] = useState(0);
  const state = useLoad(() => webhooks.deliveries(endpointId, { limit: 50 }), [endpointId, version, replays]);
  const replay = useAction(async (d: WebhookDelivery) => {
    await webhooks.replay(d.id);
    setReplays((n) => n + 1);
  });
  return (
    <LoadState state={state} label="Loading deliveries…">
      {({ deliveries }) =>
        deliveries.length === 0 ? (
          <p className="muted">
            No deliveries yet.{' '}
            <button type="button" className="button small" onClick={() => setReplays((n) => n + 1)}>
              Refresh
            </button>
          </p>
        ) : (
          <div className="table-wrap">
            <button type="button" className="button small" onClick={() => setReplays((n) => n + 1)}>
              Refresh
            </button>
            <FormError error={replay.error} />
            <table className="stack-on-phone" aria-label="Deliveries">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Time</th>
                  <th scope="col">
                    <span className="visually-hidden">Details and actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.id}>
                    <td data-label="When">
                      <Time iso={d.lastAttemptAt ?? d.createdAt} style="datetime" />
                    </td>
                    <td data-label="Event">
                      <code>{d.eventType}</code>
                      {d.replayOf ? <span className="muted"> (replay)</span> : null}
                    </td>
                    <td data-label="Status">{statusBadge(d)}</td>
                    <td data-label="Attempts">{d.attempts}</td>
                    <td data-label="Answer">{d.responseStatus ?? (d.error ? <span title={d.error}>no answer</span> : '—')}</td>
                    <td data-label="Time">{d.durationMs === null ? '—' : `${d.durationMs} ms`}</td>
                    <td className="actions">
                      <details>
                        <summary>Details</summary>
                        {d.error ? <p>Error: {d.error}</p> : null}
                        <p className="muted">webhook-id {d.messageId}</p>
                        <pre>{JSON.stringify(d.payload, null, 2)}</pre>
                        {d.responseBody ? <pre>{d.responseBody}</pre> : null}
                      </details>
                      <button type="button" className="button small" disabled={!canReplay || replay.pending} onClick={() => void replay.run(d)}>
                        Replay<span className="visually-hidden"> {d.eventType}</span>
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
  );
}
