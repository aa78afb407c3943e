// Seeded daily KPI series for the decline detectors' tests and bench/alerts.ts.
// Model (one day t, on the calendar day `start + t`):
//   level(t) = base × weekly[weekday] × trend(t) × launch(t) × change(t)
//   value(t) = Poisson(level(t) × exp(ε(t))) for counts (or the mean itself for money/rates), where
//   ε(t) is the day-to-day noise in log space, normal with a standard deviation chosen so that the
//   day's value has the asked coefficient of variation in all (the Poisson part of a count
//   included: CV² = CV_ε² + 1/level) around a mean of level(t); or Student-t, to try heavier tails
//   than the detectors assume.
// Everything is drawn from one seeded generator (sfc32): the same spec and seed give the same series.
import { addDays } from './detectors.js';

export type Random = () => number;

/** sfc32, seeded through splitmix32 so that small consecutive seeds give unrelated streams. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
}

export function normal(rand: Random): number {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Student-t with `df` degrees of freedom, scaled to unit variance (df > 2). */
export function studentT(rand: Random, df: number): number {
  let chi = 0;
  for (let i = 0; i < df; i++) chi += normal(rand) ** 2;
  return (normal(rand) / Math.sqrt(chi / df)) * Math.sqrt((df - 2) / df);
}

export function poisson(rand: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

/** A change in the level from day `day` on: `step` at once, `ramp` linearly over `weeks` weeks. */
export interface SimChange { kind: 'step' | 'ramp'; day: number; size: number /* 0.5 = the level falls by half (rises for size < 0) */; weeks?: number }
export interface SimLaunch { day: number; days: number; lift: number /* 3 = four times the usual level on the first day, fading */ }

export interface SimSpec {
  days: number;
  /** The first day of the series (YYYY-MM-DD). */
  start: string;
  /** The mean daily value before seasonality. */
  base: number;
  /** Coefficient of variation of the day-to-day noise (0.15 ≈ 15 %). */
  noise: number;
  /** Multipliers by weekday, Sunday first (mean 1). */
  weekly?: readonly number[];
  /** Heavier-tailed noise: Student-t in log space with these degrees of freedom. */
  tailDf?: number;
  /** Counts are drawn from a Poisson around the level (default true); money and rates are not. */
  counts?: boolean;
  /** Relative growth per year (0.2 = +20 % a year), applied smoothly. */
  growthPerYear?: number;
  launches?: readonly SimLaunch[];
  /** Launches placed at random: how many a year, each `launchDays` long with a random lift up to `launchLift`. */
  randomLaunchesPerYear?: number;
  launchLift?: number;
  launchDays?: number;
  change?: SimChange;
}

/** A typical info-business week: quieter weekends. Sunday first. */
export const TYPICAL_WEEK = [0.7, 1.15, 1.15, 1.1, 1.05, 1.0, 0.75] as const;

export function changeFactor(change: SimChange | undefined, t: number): number {
  if (!change || t < change.day) return 1;
  if (change.kind === 'step') return 1 - change.size;
  const span = Math.max(1, Math.round((change.weeks ?? 6) * 7));
  return 1 - change.size * Math.min(1, (t - change.day + 1) / span);
}

export function simulateSeries(spec: SimSpec, seed: number): number[] {
  const rand = seededRandom(seed);
  const weekly = spec.weekly ?? TYPICAL_WEEK;
  const weekMean = weekly.reduce((a, b) => a + b, 0) / weekly.length;
  const firstWeekday = new Date(`${spec.start}T00:00:00Z`).getUTCDay();
  const launches: SimLaunch[] = [...(spec.launches ?? [])];
  if (spec.randomLaunchesPerYear) {
    const expected = (spec.randomLaunchesPerYear * spec.days) / 365;
    const n = poisson(rand, expected);
    for (let i = 0; i < n; i++) launches.push({ day: Math.floor(rand() * spec.days), days: spec.launchDays ?? 5, lift: (spec.launchLift ?? 3) * (0.3 + 0.7 * rand()) });
  }
  const out: number[] = [];
  for (let t = 0; t < spec.days; t++) {
    let level = spec.base * ((weekly[(firstWeekday + t) % 7] ?? 1) / weekMean);
    if (spec.growthPerYear) level *= Math.pow(1 + spec.growthPerYear, t / 365);
    for (const l of launches) {
      const k = t - l.day;
      if (k >= 0 && k < l.days) level *= 1 + l.lift * Math.pow(0.6, k);
    }
    level *= changeFactor(spec.change, t);
    const cv2 = Math.max(0, spec.noise * spec.noise - (spec.counts === false ? 0 : 1 / Math.max(level, 1e-9)));
    const sigma = Math.sqrt(Math.log(1 + cv2));
    const eps = spec.tailDf ? sigma * studentT(rand, spec.tailDf) : sigma * normal(rand);
    const mean = level * Math.exp(eps - (sigma * sigma) / 2);
    out.push(spec.counts === false ? Math.round(mean * 100) / 100 : poisson(rand, mean));
  }
  return out;
}

/** The simulated values as dated points, as kpi-series.ts would give them. */
export function toPoints(start: string, values: readonly number[]): { day: string; value: number }[] {
  return values.map((value, i) => ({ day: addDays(start, i), value }));
}
