// The decline detectors as they were before the rework of 2026-12-03 (commit 9428d02), frozen here so
// that bench/alerts.ts prints the figures before and after in the same run. Not used by the app.

// Decline detectors for the owner's KPIs (issue 16, "Decline alerts"). Pure and deterministic: the
// same series and `today` always give the same alerts; no clock, no I/O.
//
// Days are calendar days in the owner's time zone ('YYYY-MM-DD'); `today` is the day in progress,
// so only the days before it are read. Day arithmetic is done on the calendar (UTC dates), so a
// 23- or 25-hour DST day is just a day.
//
// Both detectors work on log ratios (value against expected), because the noise of traffic, sales
// and revenue is multiplicative: a day 20 % under its usual level is as unusual on a 50-visit source
// as on a 5 000-visit one, Poisson noise aside (which sets a floor on the scale of small series).
//
// Sudden drop (alerted the day it happens or the next): the expected value of a day is the median of
// the same weekday over the last 4–8 weeks; the scale is the median absolute deviation of every day
// of those weeks from its own weekday's median (pooled over the weekdays, so it rests on up to 56
// days, not 8), inflated for the baseline's own uncertainty. A day alarms when its robust z is past
// `z1`; two days in a row alarm together when their mean is past `z2` (a 50 % drop on 15 % noise
// is not certain to show on its first day alone, and is on two). Medians are not moved by a launch
// spike: one spike is one sample of eight.
//
// Slow decline: weekly totals (seven-day blocks ending with the last complete day, so the detector can
// answer every day) against a reference level, a winsorised mean of the up to 12 weeks before the
// CUSUM window; a one-sided CUSUM over the window's (up to 6) weekly log residuals, in units of a
// robust weekly σ: S = max(0, S + e − k), alarm when S ≥ h. `since` is where the CUSUM's current run
// began. k and h were tuned by bench/alerts.ts (docs/owner-alerts.md says why they are not 0.5 and 4–5).
// Rates (open, click, refund rates) have no weekday pattern worth trusting on sparse days, so their
// sudden-drop baseline pools every observed day and their weeks are ratio estimates (Σ value·den /
// Σ den) when the points carry their denominator.
//
// For KPIs where down is good (refund rate) everything is mirrored: a rise alerts.

export interface DailyPoint {
  day: string /* YYYY-MM-DD, owner's time zone */;
  value: number;
  /** For rates: what the rate is out of (emails delivered, orders); weights weeks and sets a minimum volume. */
  denominator?: number;
}
export interface KpiSeries {
  key: string /* 'visitors:google' */;
  label: string;
  kpi: string;
  dimension?: string;
  unit: 'count' | 'money' | 'rate';
  direction: 'up_is_good' | 'down_is_good';
  points: DailyPoint[];
}
export interface DeclineAlert {
  detector: 'sudden_drop' | 'slow_decline';
  key: string;
  label: string;
  day: string;
  observed: number;
  expected: number;
  changePct: number;
  since?: string;
  detail: string /* one plain sentence */;
}

export interface SuddenDropOptions {
  /** Same-weekday weeks needed before a day is judged, and the most that are used. */
  minWeeks: number;
  maxWeeks: number;
  /** Robust z (in scale units) for one day alone, and for the mean of two days in a row. */
  z1: number;
  z2: number;
  /** The relative change must also be at least this large (0.2 = 20 %): a very steady series is not alarmed by a small dip. */
  minChange: number;
  /** Counts: the expected value of the day must be at least this much. */
  minVolume: number;
  /** Rates: the day's denominator must be at least this much (when known). */
  minDenominator: number;
}
export interface SlowDeclineOptions {
  /** Weeks of history needed (reference + window). */
  minWeeks: number;
  /** The reference: up to this many weeks before the CUSUM window (at least 4 are needed). */
  referenceWeeks: number;
  /** The CUSUM window: up to this many recent weeks. */
  windowWeeks: number;
  /** CUSUM allowance and decision interval, in weekly σ. */
  k: number;
  h: number;
  /** A week better than expected takes at most this much (in σ) off the sum: one launch week does not hide a decline. */
  clip: number;
  /** The relative change of the last seven days must also be at least this large. */
  minChange: number;
  /** Counts: the reference week must hold at least this much. */
  minWeeklyVolume: number;
  /** Rates: the weeks' denominators must be at least this much (when known). */
  minWeeklyDenominator: number;
}
export interface DetectorOptions {
  /** How many recent complete days to judge (1 = yesterday only; 7 for a weekly review). */
  days?: number;
  suddenDrop?: Partial<SuddenDropOptions>;
  slowDecline?: Partial<SlowDeclineOptions>;
}

export const DEFAULT_SUDDEN_DROP: SuddenDropOptions = { minWeeks: 4, maxWeeks: 8, z1: 3.5, z2: 3.5, minChange: 0.2, minVolume: 10, minDenominator: 30 };
export const DEFAULT_SLOW_DECLINE: SlowDeclineOptions = { minWeeks: 8, referenceWeeks: 12, windowWeeks: 6, k: 1.25, h: 2.5, clip: 2, minChange: 0.05, minWeeklyVolume: 50, minWeeklyDenominator: 200 };

// ---------------------------------------------------------------------------------------------
// Calendar days

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a calendar day; throws on anything that is not a real YYYY-MM-DD date. */
export function dayNumber(day: string): number {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCDate() !== Number(m[3]) || back.getUTCMonth() !== Number(m[2]) - 1) throw new RangeError(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return ms / MS_PER_DAY;
}
export function dayString(n: number): string {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}
export function addDays(day: string, n: number): string {
  return dayString(dayNumber(day) + n);
}
/** 0 = Sunday. */
export function weekdayOf(n: number): number {
  return (((n + 4) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------------------------
// Robust statistics (simple-statistics is not a dependency; these are the three we need)

export function median(xs: readonly number[] | Float64Array): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort(); // typed arrays sort numerically

  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
/** Median absolute deviation from `center` (the median by default), unscaled. */
export function mad(xs: readonly number[], center = median(xs)): number {
  const d = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) d[i] = Math.abs(xs[i]! - center);
  return median(d);
}
/** 1.4826 × MAD estimates the standard deviation of normal data. */
export const MAD_TO_SD = 1.4826;
/** Variance of a median of n samples relative to the variance of one (π/2 for large n). */
const MEDIAN_VARIANCE = Math.PI / 2;
/** Left-over calibration of the scales (1 = none), measured by bench/alerts.ts on series with no change. */
const SUDDEN_SCALE_CONSISTENCY = 1;
const SLOW_SCALE_CONSISTENCY = 1;

// ---------------------------------------------------------------------------------------------
// A series made dense: one slot per day from its first point to the day before `today`.

export interface PreparedSeries {
  series: KpiSeries;
  /** Day number of index 0. */
  first: number;
  values: Float64Array /* NaN = no observation (rates only; counts and money fill missing days with 0) */;
  denominators: Float64Array | null;
  /** +1 when a fall is bad, −1 when a rise is bad. */
  badSign: number;
}

export function prepareSeries(series: KpiSeries, today: string): PreparedSeries {
  const end = dayNumber(today); // exclusive: today is not complete
  const points = series.points.filter((p) => Number.isFinite(p.value) && p.value >= 0 && dayNumber(p.day) < end);
  const first = points.length ? Math.min(...points.map((p) => dayNumber(p.day))) : end;
  const length = Math.max(0, end - first);
  const fill = series.unit === 'rate' ? NaN : 0;
  const values = new Float64Array(length).fill(fill);
  const hasDen = points.some((p) => p.denominator !== undefined);
  const denominators = hasDen ? new Float64Array(length).fill(0) : null;
  for (const p of points) {
    const i = dayNumber(p.day) - first;
    // Two points on one day (a loader that split a day) add up; rates keep the last.
    values[i] = series.unit === 'rate' || Number.isNaN(values[i]!) ? p.value : values[i]! + p.value;
    if (denominators && p.denominator !== undefined && Number.isFinite(p.denominator)) denominators[i] = p.denominator;
  }
  return { series, first, values, denominators, badSign: series.direction === 'down_is_good' ? -1 : 1 };
}

/** Offset added before taking logs, so zeros have a (very negative) log ratio instead of −∞. */
function logOffset(unit: KpiSeries['unit'], expected: number): number {
  return 0.01 * expected + (unit === 'count' ? 0.5 : 1e-9);
}
function logRatio(unit: KpiSeries['unit'], value: number, expected: number): number {
  const c = logOffset(unit, expected);
  return Math.log((value + c) / (expected + c));
}

// ---------------------------------------------------------------------------------------------
// Sudden drop

export interface SuddenDropResult {
  alarm: boolean;
  /** How bad, in scale units (positive = in the bad direction): the day alone, and the two days' mean. */
  score1: number;
  score2: number;
  observed: number;
  expected: number;
  change: number;
  /** True when the two-day test fired and not the one-day one. */
  twoDay: boolean;
}

interface Baseline { expected: number; sigma: number; n: number }

/** The expected value of day index t from the weeks before it, and the scale of a day's log ratio. */
function dayBaseline(p: PreparedSeries, t: number, o: SuddenDropOptions): Baseline | null {
  const v = p.values;
  const unit = p.series.unit;
  const weeks = Math.min(o.maxWeeks, Math.floor(t / 7));
  if (weeks < o.minWeeks) return null;
  if (unit === 'rate') {
    // Every observed day of the window, no weekday pattern.
    const xs: number[] = [];
    for (let i = t - 7 * weeks; i < t; i++) if (!Number.isNaN(v[i]!) && enoughDenominator(p, i, o.minDenominator)) xs.push(v[i]!);
    if (xs.length < o.minWeeks) return null;
    const expected = median(xs);
    if (!(expected > 0)) return null;
    const rs = xs.map((x) => logRatio(unit, x, expected));
    const n = xs.length;
    const sigma = MAD_TO_SD * mad(rs, 0) * Math.sqrt(n / (n - 1));
    return { expected, sigma: Math.sqrt(sigma * sigma * (1 + MEDIAN_VARIANCE / n)), n };
  }
  const same: number[] = [];
  for (let j = 1; j <= weeks; j++) same.push(v[t - 7 * j]!);
  const expected = median(same);
  // Pooled scale: each day of the window against its own weekday's median.
  const rs: number[] = [];
  for (let w = 0; w < 7; w++) {
    const xs: number[] = [];
    // t − 1 − w − 7(j − 1) for w = 0..6, j = 1..weeks: every day of the window once, grouped by weekday.
    for (let j = 1; j <= weeks; j++) xs.push(v[t - 1 - w - 7 * (j - 1)]!);
    const m = median(xs);
    if (!(m > 0)) continue;
    for (const x of xs) rs.push(logRatio(unit, x, m));
  }
  if (!(expected > 0) || rs.length < 7) return { expected, sigma: NaN, n: weeks };
  // MAD about each weekday's own median understates the spread of a new day (by 16 % for 8 weeks,
  // 31 % for 4, measured on simulated normal noise): 1 + 1.25/weeks puts it back.
  let sigma = MAD_TO_SD * mad(rs, 0) * Math.sqrt(weeks / (weeks - 1)) * (1 + 1.25 / weeks);
  if (unit === 'count') sigma = Math.max(sigma, 1 / Math.sqrt(expected + 1));
  sigma = Math.max(sigma, 0.02);
  return { expected, sigma: sigma * Math.sqrt(1 + MEDIAN_VARIANCE / weeks) * SUDDEN_SCALE_CONSISTENCY, n: weeks };
}

function enoughDenominator(p: PreparedSeries, i: number, min: number): boolean {
  return !p.denominators || p.denominators[i]! >= min;
}

export function suddenDropAt(p: PreparedSeries, t: number, options: SuddenDropOptions = DEFAULT_SUDDEN_DROP): SuddenDropResult | null {
  const v = p.values;
  const unit = p.series.unit;
  if (t < 0 || t >= v.length || Number.isNaN(v[t]!)) return null;
  if (unit === 'rate' && !enoughDenominator(p, t, options.minDenominator)) return null;
  const base = dayBaseline(p, t, options);
  if (!base || !(base.expected > 0) || !Number.isFinite(base.sigma)) return null;
  if (unit === 'count' && base.expected < options.minVolume) return null;
  const r1 = logRatio(unit, v[t]!, base.expected);
  const score1 = (-p.badSign * r1) / base.sigma;
  const change = v[t]! / base.expected - 1;
  let score2 = -Infinity;
  let observed2 = NaN;
  let expected2 = NaN;
  const prev = t - 1 >= 0 && !Number.isNaN(v[t - 1]!) && (unit !== 'rate' || enoughDenominator(p, t - 1, options.minDenominator)) ? dayBaseline(p, t - 1, options) : null;
  if (prev && prev.expected > 0) {
    const r0 = logRatio(unit, v[t - 1]!, prev.expected);
    score2 = (-p.badSign * (r0 + r1)) / (base.sigma * Math.SQRT2);
    observed2 = v[t - 1]! + v[t]!;
    expected2 = prev.expected + base.expected;
  }
  const bad = (c: number) => -p.badSign * c >= options.minChange;
  const one = score1 >= options.z1 && bad(change);
  const change2 = observed2 / expected2 - 1;
  const two = !one && score2 >= options.z2 && score1 >= 1 && bad(change2) && bad(change);
  return {
    alarm: one || two,
    score1,
    score2,
    observed: v[t]!,
    expected: base.expected,
    change,
    twoDay: two,
  };
}

// ---------------------------------------------------------------------------------------------
// Slow decline

export interface SlowDeclineResult {
  alarm: boolean;
  /** The CUSUM at t, in weekly σ. */
  cusum: number;
  /** Index of the first day of the week where the CUSUM's current run began (−1 when it is 0). */
  sinceIndex: number;
  observed: number;
  expected: number;
  change: number;
  sigma: number;
  /** The last seven days' residual, in σ (positive = in the bad direction). */
  residual: number;
}

/** The seven-day block ending at index `end` (inclusive): total (or ratio estimate for rates) and denominator. */
function week(p: PreparedSeries, end: number): { value: number; den: number } {
  const v = p.values;
  const d = p.denominators;
  if (p.series.unit !== 'rate') {
    let s = 0;
    for (let i = end - 6; i <= end; i++) s += v[i]!;
    return { value: s, den: NaN };
  }
  let num = 0, den = 0, sum = 0, n = 0;
  for (let i = end - 6; i <= end; i++) {
    if (Number.isNaN(v[i]!)) continue;
    if (d) {
      num += v[i]! * d[i]!;
      den += d[i]!;
    }
    sum += v[i]!;
    n++;
  }
  if (d) return { value: den > 0 ? num / den : NaN, den };
  return { value: n ? sum / n : NaN, den: NaN };
}

export function slowDeclineAt(p: PreparedSeries, t: number, options: SlowDeclineOptions = DEFAULT_SLOW_DECLINE): SlowDeclineResult | null {
  const unit = p.series.unit;
  const o = options;
  const available = Math.floor((t + 1) / 7);
  if (t >= p.values.length || available < o.minWeeks) return null;
  const minReference = 4;
  const windowWeeks = Math.max(1, Math.min(o.windowWeeks, available - minReference));
  const referenceWeeks = Math.min(o.referenceWeeks, available - windowWeeks);
  // weeks[i]: the block ending 7i days before t (i = 0 is the last seven days).
  const weeks = Array.from({ length: windowWeeks + referenceWeeks }, (_, i) => week(p, t - 7 * i));
  const reference = weeks.slice(windowWeeks).filter((w) => Number.isFinite(w.value) && (unit !== 'rate' || !p.denominators || w.den >= o.minWeeklyDenominator));
  if (reference.length < minReference) return null;
  const middle = median(reference.map((w) => w.value));
  if (!(middle > 0)) return null;
  const n = reference.length;
  let sigma: number;
  if (unit !== 'rate') {
    // The weekly σ implied by the days' noise (days independent): steadier than a dozen weeks' MAD.
    const start = t - 7 * (windowWeeks + referenceWeeks) + 1;
    sigma = pooledDailyScale(p, start, referenceWeeks) ?? MAD_TO_SD * mad(reference.map((w) => logRatio(unit, w.value, middle)), 0);
    if (unit === 'count') sigma = Math.max(sigma, 1 / Math.sqrt(middle + 1));
  } else {
    sigma = MAD_TO_SD * mad(reference.map((w) => logRatio(unit, w.value, middle)), 0) * (1 + 1.25 / n);
    if (p.denominators) {
      const den = median(reference.map((w) => w.den));
      sigma = Math.max(sigma, Math.sqrt((1 - Math.min(middle, 0.99)) / (middle * Math.max(den, 1))));
    }
  }
  sigma = Math.max(sigma, 0.01);
  // The reference level: a winsorised mean of the weeks' logs (as efficient as a mean on ordinary
  // weeks, while a launch week counts as no more than 2σ above the median).
  const logs = reference.map((w) => Math.max(-2 * sigma, Math.min(2 * sigma, logRatio(unit, w.value, middle))));
  const expected = middle * Math.exp(logs.reduce((a, b) => a + b, 0) / n);
  if (unit === 'count' && expected < o.minWeeklyVolume) return null;
  // Each week's residual also carries the reference's own error.
  sigma *= Math.sqrt(1 + 1 / n) * SLOW_SCALE_CONSISTENCY;
  let s = 0;
  let residual = NaN;
  let runStart = -1;
  for (let i = windowWeeks - 1; i >= 0; i--) {
    const w = weeks[i]!;
    if (!Number.isFinite(w.value) || (unit === 'rate' && p.denominators && w.den < o.minWeeklyDenominator)) continue;
    residual = (-p.badSign * logRatio(unit, w.value, expected)) / sigma;
    const e = Math.max(-o.clip, residual);
    const next = Math.max(0, s + e - o.k);
    if (s === 0 && next > 0) runStart = t - 7 * i - 6;
    if (next === 0) runStart = -1;
    s = next;
  }
  const last = weeks[0]!;
  const change = last.value / expected - 1;
  return {
    alarm: s >= o.h && -p.badSign * change >= o.minChange,
    cusum: s,
    sinceIndex: runStart,
    observed: last.value,
    expected,
    change,
    sigma,
    residual,
  };
}

/** σ of a seven-day total's log, from the days of `weeks` weeks starting at `start`, each against its weekday's median. */
function pooledDailyScale(p: PreparedSeries, start: number, weeks: number): number | null {
  if (weeks < 2 || start < 0) return null;
  const rs: number[] = [];
  let sum = 0, sumSq = 0;
  for (let w = 0; w < 7; w++) {
    const xs: number[] = [];
    for (let j = 0; j < weeks; j++) xs.push(p.values[start + w + 7 * j]!);
    const m = median(xs);
    if (!(m > 0)) continue;
    sum += m;
    sumSq += m * m;
    for (const x of xs) rs.push(logRatio(p.series.unit, x, m));
  }
  if (rs.length < 14 || sum <= 0) return null;
  const daily = MAD_TO_SD * mad(rs, 0) * (1 + 1.25 / weeks);
  return (daily * Math.sqrt(sumSq)) / sum;
}

// ---------------------------------------------------------------------------------------------
// The alerts

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function formatValue(unit: KpiSeries['unit'], x: number): string {
  if (unit === 'rate') return `${(x * 100).toFixed(1)} %`;
  return Math.round(x).toLocaleString('en-US');
}
function formatChange(change: number): string {
  const pct = Math.round(change * 100);
  return `${pct > 0 ? '+' : pct < 0 ? '−' : ''}${Math.abs(pct)} %`;
}

/**
 * The declines to tell the owner about on `today`: each series judged on its last `opts.days`
 * complete days; at most one alert per series and detector (the latest day that alarms).
 */
export function detectDeclines(series: KpiSeries[], today: string, opts: DetectorOptions = {}): DeclineAlert[] {
  const sudden = { ...DEFAULT_SUDDEN_DROP, ...opts.suddenDrop };
  const slow = { ...DEFAULT_SLOW_DECLINE, ...opts.slowDecline };
  const days = Math.max(1, Math.floor(opts.days ?? 1));
  dayNumber(today); // a clear RangeError for a bad day, even with no series
  const alerts: DeclineAlert[] = [];
  for (const s of series) {
    const p = prepareSeries(s, today);
    const last = p.values.length - 1;
    let drop: { t: number; r: SuddenDropResult } | null = null;
    let decline: { t: number; r: SlowDeclineResult } | null = null;
    for (let t = last; t > last - days && t >= 0; t--) {
      if (!drop) {
        const r = suddenDropAt(p, t, sudden);
        if (r?.alarm) drop = { t, r };
      }
      if (!decline) {
        const r = slowDeclineAt(p, t, slow);
        if (r?.alarm) decline = { t, r };
      }
    }
    if (drop) {
      const { t, r } = drop;
      const day = dayString(p.first + t);
      const since = r.twoDay ? dayString(p.first + t - 1) : day;
      const when = s.unit === 'rate' ? 'usual days' : `usual ${WEEKDAYS[weekdayOf(p.first + t)]}s`;
      const verb = p.badSign > 0 ? 'fell' : 'rose';
      alerts.push({
        detector: 'sudden_drop', key: s.key, label: s.label, day, since,
        observed: r.observed, expected: r.expected, changePct: Math.round(r.change * 1000) / 10,
        detail: `${s.label}: ${verb} to ${formatValue(s.unit, r.observed)} on ${WEEKDAYS[weekdayOf(p.first + t)]} ${day}${r.twoDay ? ' (the second day in a row)' : ''}, against about ${formatValue(s.unit, r.expected)} on ${when} (${formatChange(r.change)}).`,
      });
    }
    if (decline) {
      const { t, r } = decline;
      const day = dayString(p.first + t);
      const since = r.sinceIndex >= 0 ? dayString(p.first + r.sinceIndex) : undefined;
      const verb = p.badSign > 0 ? 'sliding' : 'creeping up';
      alerts.push({
        detector: 'slow_decline', key: s.key, label: s.label, day, ...(since ? { since } : {}),
        observed: r.observed, expected: r.expected, changePct: Math.round(r.change * 1000) / 10,
        detail: `${s.label}: ${verb}${since ? ` since the week of ${since}` : ''}, ${formatValue(s.unit, r.observed)} in the seven days to ${day}, against about ${formatValue(s.unit, r.expected)} in a usual week before (${formatChange(r.change)}).`,
      });
    }
  }
  // Sudden drops first, then the largest changes.
  return alerts.sort((a, b) => b.detector.localeCompare(a.detector) || Math.abs(b.changePct) - Math.abs(a.changePct) || a.key.localeCompare(b.key));
}
