// When a task is due: recurrence rules over calendar dates in the brand's time zone. A due date
// is a plain date (YYYY-MM-DD) so "every Monday" stays Monday across daylight-saving changes;
// only the moment it is due (its date at the task's time of day) depends on the zone.
// Pure functions: no clock, no database.
// One file per function: date-fns' index loads all of its ~300 (a start's CPU).
import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { getDaysInMonth } from 'date-fns/getDaysInMonth';
import { UTCDate } from '@date-fns/utc';
import type { Recurrence } from './schema.js';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new UTCDate(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return formatDate(d) === s;
}

function parseDate(s: string): UTCDate {
  const m = DATE_RE.exec(s);
  if (!m) throw new Error(`not a calendar date: ${s}`);
  return new UTCDate(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
}

function formatDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

// Building an Intl.DateTimeFormat is costly; one per zone and kind is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: 'date' | 'time', timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f =
      kind === 'date'
        ? new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
        : new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(key, f);
  }
  return f;
}

/** A calendar date `days` later (earlier when negative). */
export function addCalendarDays(date: string, days: number): string {
  return formatDate(addDays(parseDate(date), days));
}

/** The calendar date of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  const parts = formatter('date', timeZone).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The wall-clock time (HH:MM) of an instant in a time zone. */
export function localTime(at: Date, timeZone: string): string {
  const parts = formatter('time', timeZone).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value.padStart(2, '0');
  return `${get('hour')}:${get('minute')}`;
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetMinutes(at: Date, timeZone: string): number {
  const parts = formatter('time', timeZone).formatToParts(at);
  const get = (t: string) => +parts.find((p) => p.type === t)!.value;
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant a local date and time of day happen in a zone. A time skipped by a spring-forward
 * gap is taken as the same wall time after the jump (02:30 → 03:30); a time that happens twice
 * in the autumn is its first (earlier) instant.
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const wall = parseDate(date).getTime() + (h * 60 + m) * 60_000;
  // The zone's offsets a day either side bracket any change on this date.
  const before = offsetMinutes(new Date(wall - 86_400_000), timeZone);
  const after = offsetMinutes(new Date(wall + 86_400_000), timeZone);
  const valid = [wall - before * 60_000, wall - after * 60_000].filter((c) => wall - offsetMinutes(new Date(c), timeZone) * 60_000 === c);
  // None is valid in a gap: the wall time does not exist; keep the offset from before it.
  return new Date(valid.length ? Math.min(...valid) : wall - before * 60_000);
}

/** The first due date on or after `from` (a calendar date), or null when there is none. */
export function firstDueOnOrAfter(rule: Recurrence, startsOn: string, from: string): string | null {
  const start = parseDate(startsOn);
  const floor = parseDate(from) > start ? parseDate(from) : start;
  switch (rule.kind) {
    case 'once':
      return startsOn >= from ? startsOn : null;
    case 'days': {
      const gap = differenceInCalendarDays(floor, start);
      const steps = Math.ceil(gap / rule.every);
      return formatDate(addDays(start, steps * rule.every));
    }
    case 'weekly': {
      // The first matching weekday on or after the start anchors the series.
      const anchor = addDays(start, (rule.weekday - start.getUTCDay() + 7) % 7);
      const period = 7 * rule.interval;
      const gap = differenceInCalendarDays(floor, anchor);
      const steps = gap <= 0 ? 0 : Math.ceil(gap / period);
      return formatDate(addDays(anchor, steps * period));
    }
    case 'monthly': {
      // Months counted from the start's month; each one's day is clamped to its length (31 → 30, 28/29).
      const onDay = (monthIndex: number) => {
        const first = addMonths(new UTCDate(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)), monthIndex);
        return addDays(first, Math.min(rule.day, getDaysInMonth(first)) - 1);
      };
      // Every month before the floor's is too early: start the walk just below it.
      const monthsApart = (floor.getUTCFullYear() - start.getUTCFullYear()) * 12 + floor.getUTCMonth() - start.getUTCMonth();
      let i = Math.max(0, Math.floor((monthsApart - 1) / rule.interval) * rule.interval);
      for (;; i += rule.interval) {
        const d = onDay(i);
        if (d >= floor) return formatDate(d);
      }
    }
  }
}

/** The due date after `dueOn` in the series, or null (a one-off has none). */
export function nextDueAfter(rule: Recurrence, startsOn: string, dueOn: string): string | null {
  return firstDueOnOrAfter(rule, startsOn, formatDate(addDays(parseDate(dueOn), 1)));
}

/** Every due date from `from` up to and including `until`, at most `limit`. */
export function dueDatesBetween(rule: Recurrence, startsOn: string, from: string, until: string, limit = 400): string[] {
  const out: string[] = [];
  let d = firstDueOnOrAfter(rule, startsOn, from);
  while (d && d <= until && out.length < limit) {
    out.push(d);
    d = nextDueAfter(rule, startsOn, d);
  }
  return out;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "Every Monday", "Monthly on the 31st (or the month's last day)", "Every 3 days", "Once". */
export function describeRecurrence(rule: Recurrence): string {
  switch (rule.kind) {
    case 'once':
      return 'Once';
    case 'days':
      return rule.every === 1 ? 'Every day' : `Every ${rule.every} days`;
    case 'weekly':
      return rule.interval === 1 ? `Every ${WEEKDAYS[rule.weekday]}` : `Every ${rule.interval} weeks on ${WEEKDAYS[rule.weekday]}`;
    case 'monthly': {
      const n = rule.day;
      const suffix = n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
      const base = rule.interval === 1 ? 'Monthly' : `Every ${rule.interval} months`;
      return `${base} on the ${n}${suffix}${n > 28 ? " (or the month's last day)" : ''}`;
    }
  }
}

/** `- [ ] item` / `* [x] item` lines of an SOP's Markdown, in order (at most 100, 500 characters each). */
export function checklistOf(markdown: string): string[] {
  const items: string[] = [];
  for (const line of markdown.split(/\r?\n/)) {
    const m = /^\s*[-*+]\s+\[[ xX]\]\s+(.+?)\s*$/.exec(line);
    if (m && items.length < 100) items.push(m[1]!.slice(0, 500));
  }
  return items;
}
