// Business hours in the brand's time zone: when a target of N business hours falls due, and
// how many business minutes lie between two instants. Pure functions (no clock, no database).

export interface BusinessHours {
  /** ISO weekdays that are working days (1 = Monday … 7 = Sunday) */
  days: number[];
  /** "09:00" */
  start: string;
  /** "17:00" */
  end: string;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + (m ?? 0);
}

/** Minutes the zone is ahead of UTC at this instant. */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const v = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const local = Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second'));
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The working windows [from, to) in UTC of the local day containing `at`, and the next days. */
function* windows(at: Date, tz: string, bh: BusinessHours): Generator<[number, number]> {
  const offset = zoneOffsetMinutes(at, tz);
  const local = new Date(at.getTime() + offset * 60_000);
  let y = local.getUTCFullYear();
  let mo = local.getUTCMonth();
  let d = local.getUTCDate();
  const s = minutesOf(bh.start);
  const e = minutesOf(bh.end);
  for (let i = 0; i < 400; i++) {
    const midnightLocal = Date.UTC(y, mo, d + i);
    const weekday = ((new Date(midnightLocal).getUTCDay() + 6) % 7) + 1;
    if (bh.days.includes(weekday) && e > s) {
      const guess = new Date(midnightLocal + s * 60_000);
      const off = zoneOffsetMinutes(guess, tz);
      yield [midnightLocal + (s - off) * 60_000, midnightLocal + (e - off) * 60_000];
    }
  }
  void y, mo, d;
}

/** The instant `hours` business hours after `from`. */
export function addBusinessHours(from: Date, hours: number, tz: string, bh: BusinessHours): Date {
  let left = hours * 3_600_000;
  for (const [a, b] of windows(from, tz, bh)) {
    const start = Math.max(a, from.getTime());
    if (start >= b) continue;
    if (start + left <= b) return new Date(start + left);
    left -= b - start;
  }
  return new Date(from.getTime() + hours * 3_600_000);
}

/** Business minutes between two instants. */
export function businessMinutesBetween(from: Date, to: Date, tz: string, bh: BusinessHours): number {
  if (to <= from) return 0;
  let total = 0;
  for (const [a, b] of windows(from, tz, bh)) {
    if (a >= to.getTime()) break;
    const s = Math.max(a, from.getTime());
    const e = Math.min(b, to.getTime());
    if (e > s) total += e - s;
  }
  return Math.round(total / 60_000);
}

export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}
