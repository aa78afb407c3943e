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
  /** Same-weekday weeks needed before a day is judged, and the most that are used (for the weekday pattern). */
  minWeeks: number;
  maxWeeks: number;
  /** The level is that of the last this many weeks (the pattern's level is moved to it): a business that grows or shrinks is judged on its recent level. */
  levelWeeks: number;
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
  /** The reference: up to this many weeks before the window (at least 4 are needed). */
  referenceWeeks: number;
  /** The window a decline is looked for in: up to this many recent weeks. */
  windowWeeks: number;
  /** Counts and money: the ramp test's threshold (its score is in its own σ under no change). */
  z: number;
  /** Counts and money: the shortest decline tested, in days (shorter ones are the sudden drop's). */
  minDays: number;
  /** A day's (counts, money) or week's (rates) residual counts as at most this many σ either way: one launch does not hide a decline. */
  clip: number;
  /** The relative change of the last seven days must also be at least this large. */
  minChange: number;
  /** Counts: the usual week must hold at least this much. */
  minWeeklyVolume: number;
  /** Rates: a one-sided CUSUM over weekly values, allowance and decision interval in weekly σ. */
  k: number;
  h: number;
  /** Rates: the weeks' denominators must be at least this much (when known). */
  minWeeklyDenominator: number;
}
export interface DetectorOptions {
  /** How many recent complete days to judge (1 = yesterday only; 7 for a weekly review). */
  days?: number;
  suddenDrop?: Partial<SuddenDropOptions>;
  slowDecline?: Partial<SlowDeclineOptions>;
}

export const DEFAULT_SUDDEN_DROP: SuddenDropOptions = { minWeeks: 4, maxWeeks: 16, levelWeeks: 4, z1: 3, z2: 3.3, minChange: 0.2, minVolume: 10, minDenominator: 30 };
export const DEFAULT_SLOW_DECLINE: SlowDeclineOptions = { minWeeks: 8, referenceWeeks: 12, windowWeeks: 6, z: 3, minDays: 7, clip: 2.5, minChange: 0.05, minWeeklyVolume: 50, k: 1.25, h: 2.5, minWeeklyDenominator: 200 };

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
// Weekday groups: the robust statistics both detectors share

/** Consistency factor of a standard deviation computed on normal data trimmed at ±3σ (E z² given |z| < 3). */
const TRIMMED_3_VARIANCE = 0.9733;
/** Variance of a mean winsorised at ±2σ, relative to a plain mean's, on normal data (measured on simulated noise). */
const WINSORISED_MEAN_VARIANCE = 1.05;
/** Left-over calibration of the sudden-drop scale, measured on simulated series with no change (z's RMS → 1). */
const SUDDEN_SCALE_CONSISTENCY = 1;

interface WeekdayFit {
  /** Log offset used (see logOffset). */
  c: number;
  /** The expected log of each weekday (0 = Sunday): the pattern plus the level of the last `recent` weeks. */
  level: Float64Array;
  /** Weeks the pattern rests on, and weeks the level does. */
  n: number;
  recent: number;
  /** σ of one day's log around the fit (trimmed SD of the residuals, corrected for what was fitted). */
  sigma: number;
}

/**
 * Running median of three weeks' levels (the first and last take the median of the three at their
 * end): a launch week stands out of its neighbours and is ignored, a level that changed and stayed is
 * followed (a week late at the ends).
 */
function smooth3(levels: number[]): number[] {
  const n = levels.length;
  if (n < 3) return levels;
  return levels.map((_, j) => {
    const i = Math.min(n - 2, Math.max(1, j));
    return median([levels[i - 1]!, levels[i]!, levels[i + 1]!]);
  });
}

/** Winsorised mean of xs around `center` at ±`w`. */
function winsorisedMean(xs: readonly number[], center: number, w: number): number {
  let sum = 0;
  for (const x of xs) sum += Math.min(center + w, Math.max(center - w, x));
  return sum / xs.length;
}

/**
 * A two-way robust fit of the logs of `weeks` whole weeks starting at index `start` (counts and
 * money): each week has its level, each weekday its offset from the week's level (the weekly
 * pattern), so a business that grew or fell between weeks neither blurs the pattern nor inflates σ.
 * A median polish first (week medians, then weekday medians of what is left), σ₀ = 1.4826 × the MAD
 * of its residuals; then means winsorised at ±2σ₀ around those medians (as efficient as means on
 * ordinary days, while a launch day counts as no more than 2σ₀). σ is the standard deviation of the
 * final residuals, days further than 3σ₀ left out (launch spikes), corrected for the trimming and
 * for the fitted levels and offsets. The expected log of a weekday is its offset plus the mean level
 * of the last `recent` weeks. Null when the period has no positive median.
 */
function fitWeekdays(p: PreparedSeries, start: number, weeks: number, recent = weeks): WeekdayFit | null {
  const v = p.values;
  const unit = p.series.unit;
  if (weeks < 2) return null;
  const all: number[] = [];
  for (let i = start; i < start + 7 * weeks; i++) all.push(v[i]!);
  const rough = median(all);
  if (!(rough > 0)) return null;
  const c = logOffset(unit, rough);
  // y[j][k]: week j (0 = oldest), day k of the week (weekday weekdayOf(first + start + k)).
  const y = Array.from({ length: weeks }, (_, j) => Array.from({ length: 7 }, (_, k) => Math.log(v[start + 7 * j + k]! + c)));
  let rowLevel = smooth3(y.map((row) => median(row)));
  let offset = Array.from({ length: 7 }, (_, k) => median(y.map((row, j) => row[k]! - rowLevel[j]!)));
  rowLevel = smooth3(y.map((row) => median(row.map((x, k) => x - offset[k]!))));
  const dev: number[] = [];
  for (let j = 0; j < weeks; j++) for (let k = 0; k < 7; k++) dev.push(y[j]![k]! - rowLevel[j]! - offset[k]!);
  const sigma0 = MAD_TO_SD * mad(dev, 0) * (1 + 1.25 / weeks);
  const w = 2 * sigma0;
  offset = offset.map((m, k) => winsorisedMean(y.map((row, j) => row[k]! - rowLevel[j]!), m, w));
  rowLevel = smooth3(rowLevel.map((m, j) => winsorisedMean(y[j]!.map((x, k) => x - offset[k]!), m, w)));
  // The offsets sum to 0 (the levels carry the mean).
  const mean = offset.reduce((a, b) => a + b, 0) / 7;
  offset = offset.map((o) => o - mean);
  rowLevel = rowLevel.map((l) => l + mean);
  let ss = 0;
  let n = 0;
  for (let j = 0; j < weeks; j++) {
    for (let k = 0; k < 7; k++) {
      const r = y[j]![k]! - rowLevel[j]! - offset[k]!;
      if (sigma0 > 0 && Math.abs(r) > 3 * sigma0) continue;
      ss += r * r;
      n++;
    }
  }
  // Residuals of a two-way fit have 7w − w − 6 degrees of freedom out of 7w.
  const dof = (7 * weeks) / (7 * weeks - weeks - 6);
  let sigma = n > 7 ? Math.sqrt((ss / (n * TRIMMED_3_VARIANCE)) * dof) : sigma0;
  const r = Math.max(1, Math.min(recent, weeks));
  const now = rowLevel.slice(weeks - r).reduce((a, b) => a + b, 0) / r;
  const level = new Float64Array(7);
  for (let k = 0; k < 7; k++) level[weekdayOf(p.first + start + k)] = now + offset[k]!;
  if (unit === 'count') {
    let total = 0;
    for (let d = 0; d < 7; d++) total += Math.exp(level[d]!) - c;
    sigma = Math.max(sigma, 1 / Math.sqrt(Math.max(total / 7, 0) + 1));
  }
  return { c, level, n: weeks, recent: r, sigma: Math.max(sigma, 0.02) };
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

interface Baseline { expected: number; /** log(value + c) expected */ log: number; c: number; sigma: number; n: number }

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
    const c = logOffset(unit, expected);
    return { expected, log: Math.log(expected + c), c, sigma: Math.sqrt(sigma * sigma * (1 + MEDIAN_VARIANCE / n)), n };
  }
  const fit = fitWeekdays(p, t - 7 * weeks, weeks, o.levelWeeks);
  if (!fit) return null;
  const log = fit.level[weekdayOf(p.first + t)]!;
  const expected = Math.exp(log) - fit.c;
  // The day's log against an expected log whose own error (in σ²) is 1/K for the weekday's offset
  // (K weeks) and 1/(7L) for the level (the last L weeks), both winsorised means.
  const sigma = fit.sigma * Math.sqrt(1 + (1 / weeks + 1 / (7 * fit.recent)) * WINSORISED_MEAN_VARIANCE) * SUDDEN_SCALE_CONSISTENCY;
  return { expected, log, c: fit.c, sigma, n: weeks };
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
  const r1 = Math.log(v[t]! + base.c) - base.log;
  const score1 = (-p.badSign * r1) / base.sigma;
  const change = v[t]! / base.expected - 1;
  let score2 = -Infinity;
  let observed2 = NaN;
  let expected2 = NaN;
  const prev = t - 1 >= 0 && !Number.isNaN(v[t - 1]!) && (unit !== 'rate' || enoughDenominator(p, t - 1, options.minDenominator)) ? dayBaseline(p, t - 1, options) : null;
  if (prev && prev.expected > 0) {
    const r0 = Math.log(v[t - 1]! + prev.c) - prev.log;
    score2 = (-p.badSign * (r0 / prev.sigma + r1 / base.sigma)) / Math.SQRT2;
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
  /** The test statistic at t, in σ of its own (positive = in the bad direction). */
  score: number;
  /** Index of the first day of the decline the test found (−1 when there is none). */
  sinceIndex: number;
  observed: number;
  expected: number;
  change: number;
  /** σ of one day's log (counts, money) or of one week's (rates). */
  sigma: number;
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
  const o = options;
  const available = Math.floor((t + 1) / 7);
  if (t >= p.values.length || available < o.minWeeks) return null;
  const minReference = 4;
  const windowWeeks = Math.max(1, Math.min(o.windowWeeks, available - minReference));
  const referenceWeeks = Math.min(o.referenceWeeks, available - windowWeeks);
  return p.series.unit === 'rate' ? rateCusum(p, t, o, windowWeeks, referenceWeeks) : rampTest(p, t, o, windowWeeks, referenceWeeks);
}

/**
 * Counts and money: a matched test for a decline that began on some day s of the window and deepens
 * linearly (the shape of a slide; a step is matched at 87 %). Each day's log is compared with its
 * weekday's level in the reference weeks before the window; e = −residual / σ (positive = bad),
 * clipped at ±clip (a launch day does not hide a slide, a single empty day does not make one). For
 * each start s at least `minDays` before t, Z(s) = Σ (i − s + 1)·e_i / sd, sd counting both the days'
 * noise and the reference levels' own error (shared by every day of a weekday); the score is the
 * largest Z(s), the alarm Z ≥ `z`.
 */
function rampTest(p: PreparedSeries, t: number, o: SlowDeclineOptions, windowWeeks: number, referenceWeeks: number): SlowDeclineResult | null {
  const v = p.values;
  const unit = p.series.unit;
  const windowStart = t - 7 * windowWeeks + 1;
  const fit = fitWeekdays(p, windowStart - 7 * referenceWeeks, referenceWeeks);
  if (!fit) return null;
  const { c, level, sigma } = fit;
  // The last seven days against their usual total.
  let observed = 0;
  let expected = 0;
  for (let i = t - 6; i <= t; i++) {
    observed += v[i]!;
    expected += Math.exp(level[weekdayOf(p.first + i)]!) - c;
  }
  if (!(expected > 0) || (unit === 'count' && expected < o.minWeeklyVolume)) return null;
  const change = observed / expected - 1;
  let a = 0; // Σ e_i over [s, t]
  let b = 0; // Σ i·e_i
  const count = new Float64Array(7); // per weekday: days in [s, t]
  const sumIdx = new Float64Array(7); // per weekday: Σ i
  let best = -Infinity;
  let bestStart = -1;
  for (let s = t; s >= windowStart; s--) {
    const d = weekdayOf(p.first + s);
    const e = Math.max(-o.clip, Math.min(o.clip, (-p.badSign * (Math.log(v[s]! + c) - level[d]!)) / sigma));
    a += e;
    b += s * e;
    count[d]! += 1;
    sumIdx[d]! += s;
    const m = t - s + 1;
    if (m < o.minDays) continue;
    const num = b - (s - 1) * a; // Σ (i − s + 1)·e_i
    // The reference's error is shared: each weekday's offset by the days of that weekday, the level by all.
    let perWeekday = 0;
    let all = 0;
    for (let k = 0; k < 7; k++) {
      const w = sumIdx[k]! - (s - 1) * count[k]!;
      perWeekday += w * w;
      all += w;
    }
    const sd = Math.sqrt((m * (m + 1) * (2 * m + 1)) / 6 + (perWeekday / referenceWeeks + (all * all) / (7 * referenceWeeks)) * WINSORISED_MEAN_VARIANCE);
    const z = num / sd;
    if (z > best) {
      best = z;
      bestStart = s;
    }
  }
  return {
    alarm: best >= o.z && -p.badSign * change >= o.minChange,
    score: best,
    sinceIndex: best > 0 ? bestStart : -1,
    observed,
    expected,
    change,
    sigma,
  };
}

/**
 * Rates (open, click, refund rates: sparse days, no weekday pattern worth trusting): a one-sided
 * CUSUM over the window's weekly ratio estimates against a winsorised mean of the reference weeks,
 * S = max(0, S + e − k), alarm when S ≥ h.
 */
function rateCusum(p: PreparedSeries, t: number, o: SlowDeclineOptions, windowWeeks: number, referenceWeeks: number): SlowDeclineResult | null {
  const unit = p.series.unit;
  // weeks[i]: the block ending 7i days before t (i = 0 is the last seven days).
  const weeks = Array.from({ length: windowWeeks + referenceWeeks }, (_, i) => week(p, t - 7 * i));
  const usable = (w: { value: number; den: number }) => Number.isFinite(w.value) && (!p.denominators || w.den >= o.minWeeklyDenominator);
  const reference = weeks.slice(windowWeeks).filter(usable);
  if (reference.length < 4) return null;
  const middle = median(reference.map((w) => w.value));
  if (!(middle > 0)) return null;
  const n = reference.length;
  let sigma = MAD_TO_SD * mad(reference.map((w) => logRatio(unit, w.value, middle)), 0) * (1 + 1.25 / n);
  if (p.denominators) {
    const den = median(reference.map((w) => w.den));
    sigma = Math.max(sigma, Math.sqrt((1 - Math.min(middle, 0.99)) / (middle * Math.max(den, 1))));
  }
  sigma = Math.max(sigma, 0.01);
  const logs = reference.map((w) => Math.max(-2 * sigma, Math.min(2 * sigma, logRatio(unit, w.value, middle))));
  const expected = middle * Math.exp(logs.reduce((x, y) => x + y, 0) / n);
  sigma *= Math.sqrt(1 + 1 / n);
  let s = 0;
  let runStart = -1;
  for (let i = windowWeeks - 1; i >= 0; i--) {
    const w = weeks[i]!;
    if (!usable(w)) continue;
    const e = Math.max(-o.clip, (-p.badSign * logRatio(unit, w.value, expected)) / sigma);
    const next = Math.max(0, s + e - o.k);
    if (s === 0 && next > 0) runStart = t - 7 * i - 6;
    if (next === 0) runStart = -1;
    s = next;
  }
  const last = weeks[0]!;
  const change = last.value / expected - 1;
  return { alarm: s >= o.h && -p.badSign * change >= o.minChange, score: s, sinceIndex: runStart, observed: last.value, expected, change, sigma };
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
