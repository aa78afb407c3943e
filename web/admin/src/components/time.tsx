import type { IsoDate } from '../api.js';
import { formatDate, formatDateTime, formatFull, formatRelative, formatTime } from '../lib/format.js';

/** A date in the reader's locale; the full date and time on hover. */
export function Time({ iso, style = 'datetime' }: { iso: IsoDate | null; style?: 'datetime' | 'date' | 'time' | 'relative' }) {
  if (!iso) return <span className="muted">—</span>;
  const text = style === 'date' ? formatDate(iso) : style === 'relative' ? formatRelative(iso) : style === 'time' ? formatTime(iso) : formatDateTime(iso);
  return (
    <time dateTime={iso} title={formatFull(iso)}>
      {text}
    </time>
  );
}
