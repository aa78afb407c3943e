import { Link } from 'react-router';
import { EmptyState } from '../../components/empty-state.js';
import { LoadState } from '../../components/load-state.js';
import { PageHeader } from '../../components/page-header.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../lib/use-load.js';
import { useSession } from '../../session.js';
import { audience, formatCount, type Segment, type SegmentCount } from './api.js';

export function SegmentsPage() {
  const { can } = useSession();
  const state = useLoad(async () => {
    const { segments } = await audience.segments();
    // Counts come one by one: a slow segment does not hold up the list.
    return segments;
  }, []);
  return (
    <>
      <PageHeader
        title="Segments"
        intro="Saved audiences: rules over tags, lists, fields, status, purchases, course progress and engagement. Broadcasts go to a segment; counts are live."
        actions={
          can('contacts.write') ? (
            <Link className="button primary" to="/contacts/segments/new">
              New segment
            </Link>
          ) : null
        }
      />
      <LoadState state={state}>
        {(segments) =>
          segments.length === 0 ? (
            <div className="card">
              <EmptyState title="No segments yet">
                <p>For example: “Downloaded the guide, has not bought”, or “No open in 90 days” for a re-engagement email.</p>
              </EmptyState>
            </div>
          ) : (
            <section className="card section" aria-label="Segments">
              <ul className="plain-list">
                {segments.map((s) => (
                  <SegmentRow key={s.id} segment={s} />
                ))}
              </ul>
            </section>
          )
        }
      </LoadState>
    </>
  );
}

function SegmentRow({ segment }: { segment: Segment }) {
  const count = useLoad<SegmentCount>(() => audience.segment(segment.id).then((s) => s.count), [segment.id, segment.updatedAt]);
  return (
    <li className="list-row">
      <div>
        <Link to={`/contacts/segments/${segment.id}`}>
          <strong>{segment.name}</strong>
        </Link>
        <div className="muted small">
          {segment.description ? `${segment.description} · ` : ''}changed <Time iso={segment.updatedAt} style="relative" />
        </div>
      </div>
      <div className="nowrap" aria-live="polite">
        {count.data ? (
          <Link to={`/contacts?segment=${segment.id}`} title="Everyone the rules select; of them, who can receive mail now">
            {formatCount(count.data.total)} contacts · {formatCount(count.data.sendable)} reachable
          </Link>
        ) : count.error ? (
          <span className="muted">count unavailable</span>
        ) : (
          <span className="muted">counting…</span>
        )}
      </div>
    </li>
  );
}
