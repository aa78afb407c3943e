import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { activity, team, type BusinessEvent } from '../../api.js';
import { EmptyState } from '../../components/empty-state.js';
import { FormError } from '../../components/form-error.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { formatDate, humanise } from '../../lib/format.js';
import { useAction } from '../../lib/use-action.js';
import { useLoad } from '../../lib/use-load.js';
import { oneOf } from '../../lib/one-of.js';
import { useQueryParam } from '../../lib/use-query-param.js';
import { useSession } from '../../session.js';
import { actorKinds, type ActorKind } from '../../shared.js';
import { describeActor, describeEvent, type People } from './describe-event.js';

const PAGE = 50;
const actorKindLabels: Record<ActorKind, string> = {
  owner: 'The owner',
  assistant: 'Assistants',
  automation: 'Automations and API keys',
  customer: 'Customers',
  system: 'Onehour itself',
};

/** The event log, newest first: what happened in the business and who did it. */
export default function ActivityPage() {
  const [, setParams] = useSearchParams();
  const [actorParam, setActor] = useQueryParam('actor');
  const [typeParam, setType] = useQueryParam('type');
  const actorKind = oneOf(actorKinds, actorParam);
  const type = typeParam || undefined;
  const { can, user } = useSession();

  const types = useLoad(() => activity.types(), []);
  const members = useLoad(() => (can('team.read') ? team.list().then((t) => t.members) : Promise.resolve([])), []);
  const state = useLoad(() => activity.list({ actorKind, type, limit: PAGE }), [actorKind, type]);
  const more = useAction(async (before: string) => {
    const next = await activity.list({ actorKind, type, before, limit: PAGE });
    state.setData((d) => ({ events: [...d.events, ...next.events], nextBefore: next.nextBefore, names: { ...d.names, ...next.names } }));
  });
  const names = state.data?.names;
  const people = useMemo<People>(() => {
    const byId = new Map((members.data ?? []).map((m) => [m.id, { name: m.name, role: m.role as string }]));
    // Without the team list (assistants), at least your own events carry your name.
    if (user) byId.set(user.id, { name: user.name, role: user.role });
    return { get: (id) => byId.get(id), named: (type, id) => names?.[`${type}:${id}`] };
  }, [members.data, user, names]);

  const typeGroups = useMemo(() => {
    const groups = new Map<string, string[]>();
    for (const t of types.data?.types ?? []) {
      const prefix = t.split('.')[0]!;
      groups.set(prefix, [...(groups.get(prefix) ?? []), t]);
    }
    return [...groups.entries()];
  }, [types.data]);

  return (
    <>
      <PageHeader title="Activity" intro="Everything that happened in the business, newest first, and who did it: you, an assistant, an automation, a customer or Onehour itself." />
      <form className="filters card" onSubmit={(e) => e.preventDefault()} aria-label="Filter the activity">
        <div className="field">
          <label htmlFor="activity-actor">Who</label>
          <select id="activity-actor" value={actorKind ?? ''} onChange={(e) => setActor(e.target.value)}>
            <option value="">Everyone</option>
            {actorKinds.map((k) => (
              <option key={k} value={k}>
                {actorKindLabels[k]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="activity-type">What</label>
          <select id="activity-type" value={type ?? ''} onChange={(e) => setType(e.target.value)} disabled={!types.data}>
            <option value="">Every kind of event</option>
            {type && !types.data?.types.includes(type) && !type.endsWith('.') ? <option value={type}>{type}</option> : null}
            {typeGroups.map(([prefix, list]) => (
              <optgroup key={prefix} label={humanise(prefix)}>
                {list.length > 1 ? <option value={`${prefix}.`}>All {prefix} events</option> : null}
                {list.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        {actorKind || type ? (
          <button type="button" className="button subtle" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </button>
        ) : null}
      </form>
      <LoadState state={state} label="Loading the activity…">
        {({ events, nextBefore }) =>
          events.length === 0 ? (
            <div className="card">
              <EmptyState title={actorKind || type ? 'Nothing matches these filters' : 'Nothing has happened yet'}>
                <p>
                  {actorKind || type
                    ? 'Try another filter, or clear them.'
                    : 'Sign-ins, invitations, orders, emails and every other event appear here as they happen. Load the demo business from Home to see a year of history.'}
                </p>
              </EmptyState>
            </div>
          ) : (
            <section className="card section" aria-label="Events">
              <EventList events={events} people={people} />
              <div className="load-more" aria-live="polite">
                <FormError error={more.error} />
                {nextBefore ? (
                  <button type="button" className="button" disabled={more.pending} onClick={() => void more.run(nextBefore)}>
                    {more.pending ? 'Loading…' : 'Load more'}
                  </button>
                ) : (
                  <p className="muted small">That is everything{actorKind || type ? ' that matches' : ''}: {events.length} events.</p>
                )}
              </div>
            </section>
          )
        }
      </LoadState>
    </>
  );
}

function EventList({ events, people }: { events: BusinessEvent[]; people: People }) {
  // Grouped by day in the reader's time zone.
  const days: { day: string; items: BusinessEvent[] }[] = [];
  for (const e of events) {
    const day = formatDate(e.occurredAt);
    const last = days[days.length - 1];
    if (last?.day === day) last.items.push(e);
    else days.push({ day, items: [e] });
  }
  return (
    <>
      {days.map(({ day, items }) => (
        <div key={day} className="day">
          <h2 className="day-heading">{day}</h2>
          <ul className="event-list">
            {items.map((e) => {
              const actor = describeActor(e, people);
              const hasData = Object.keys(e.data).length > 0;
              return (
                <li key={e.id} className="event">
                  <span className={`actor-dot kind-${e.actorKind}`} aria-hidden="true" />
                  <div className="event-main">
                    <p className="event-text">
                      <strong>{actor.name}</strong>
                      {actor.detail ? <span className="muted"> ({actor.detail})</span> : null} {describeEvent(e, people)}
                    </p>
                    <p className="event-meta muted small">
                      <Time iso={e.occurredAt} style="time" /> · <code>{e.type}</code>
                    </p>
                    {hasData ? (
                      <details className="event-data">
                        <summary>Details</summary>
                        <pre>{JSON.stringify(e.data, null, 2)}</pre>
                      </details>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </>
  );
}
