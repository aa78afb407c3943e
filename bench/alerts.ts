// Decline-alert benchmark (issue 16): both detectors on simulated daily series, N per case.
//   node --import tsx bench/alerts.ts [series-per-case=1000] [z1=… z2=… k=… h=… (any detector option, to tune)] [only=false|sudden|slow]
// Every series: a count KPI around 1 000 a day (weekly seasonality: quiet weekends), day-to-day
// noise of the given CV in all (Poisson included), four launches a year on average at random
// days (up to 4x the level, fading over five days), 18 weeks of history before anything is judged (both detectors at full windows).
// - False alarms: 365 days with no change, judged every day; an alarm within 7 days of the same
//   detector's previous alarm on that series is the same alert (the owner is told once, as a review
//   or a daily digest would); reported per KPI per year.
// - Sudden drops: a step down on a day after the history (its weekday varies), judged each day from
//   that day on; delay = days from the drop (midnight) to the morning after the last day the
//   detector read: 1 = it alarmed on the first day's data.
// - Slow declines: a linear ramp down over 6 weeks; delay as above, from the ramp's first day.
// Seeds are fixed: the same N gives the same figures. They are not the seeds the detectors were tuned
// on (those were 7 000 000 + i, with a script of the same cases).
// Before and after: the detectors as they were before the rework (detectors.ts at commit 9428d02,
// loaded from git by bench/at-revision.ts)
// run first on the three target cases (15 % noise), the current ones on the whole grid.
//   only=false: the false alarms alone; only=after: skip the previous detectors.
import { DEFAULT_SLOW_DECLINE, DEFAULT_SUDDEN_DROP, prepareSeries, slowDeclineAt, suddenDropAt, type KpiSeries, type SlowDeclineOptions, type SuddenDropOptions } from '../src/modules/owner/index.js';
import { importAtRevision } from './at-revision.js';
import { addDays } from '../src/modules/owner/index.js';
import { simulateSeries, toPoints, type SimChange, type SimSpec } from '../src/modules/owner/index.js';

/** The previous detectors: the module's shape has not changed, only what is inside. */
const v1 = await importAtRevision<Pick<typeof import('../src/modules/owner/index.js'), 'prepareSeries' | 'suddenDropAt' | 'slowDeclineAt'>>('9428d02', 'src/modules/owner/detectors.ts');

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
const only = args.find((a) => a.startsWith('only='))?.slice(5);
const REFRACTORY = 7;
const START = '2025-01-06';
const HISTORY = 18 * 7;
const YEAR = 365;
const WATCH = 8 * 7;

const sudden: SuddenDropOptions = { ...DEFAULT_SUDDEN_DROP };
const slow: SlowDeclineOptions = { ...DEFAULT_SLOW_DECLINE };
for (const a of args) {
  const m = /^(\w+)=([\d.]+)$/.exec(a);
  if (!m) continue;
  if (m[1]! in sudden) (sudden as unknown as Record<string, number>)[m[1]!] = Number(m[2]);
  else if (m[1]! in slow) (slow as unknown as Record<string, number>)[m[1]!] = Number(m[2]);
}

function spec(noise: number, days: number, change?: SimChange, tailDf?: number): SimSpec {
  return { start: START, days, base: 1000, noise, randomLaunchesPerYear: 4, launchLift: 3, launchDays: 5, ...(change ? { change } : {}), ...(tailDf ? { tailDf } : {}) };
}

function series(values: number[]): KpiSeries {
  return { key: 'sim', label: 'Simulated', kpi: 'visitors', unit: 'count', direction: 'up_is_good', points: toPoints(START, values) };
}
/** A pair of detectors judging one series: alarm(t) for the sudden drop and the slow decline. */
interface Detectors { name: string; prepare(values: number[]): { sudden(t: number): boolean; slow(t: number): boolean } }
const current: Detectors = {
  name: 'current',
  prepare(values) {
    const p = prepareSeries(series(values), addDays(START, values.length));
    return { sudden: (t) => suddenDropAt(p, t, sudden)?.alarm ?? false, slow: (t) => slowDeclineAt(p, t, slow)?.alarm ?? false };
  },
};
const previous: Detectors = {
  name: 'previous (before the rework)',
  prepare(values) {
    const p = v1.prepareSeries(series(values), addDays(START, values.length));
    return { sudden: (t) => v1.suddenDropAt(p, t)?.alarm ?? false, slow: (t) => v1.slowDeclineAt(p, t)?.alarm ?? false };
  },
};

interface FalseAlarms { sudden: number; slow: number; either: number }
const memo = new Map<string, unknown>();
/** The same case with the same detectors and seeds gives the same figures: computed once. */
function once<T>(key: string, f: () => T): T {
  if (!memo.has(key)) memo.set(key, f());
  return memo.get(key) as T;
}
function falseAlarms(det: Detectors, noise: number, tailDf?: number, seedBase = 1): FalseAlarms {
  return once(`fa ${det.name} ${noise} ${tailDf} ${seedBase}`, () => falseAlarmsOf(det, noise, tailDf, seedBase));
}
function falseAlarmsOf(det: Detectors, noise: number, tailDf?: number, seedBase = 1): FalseAlarms {
  let a = 0, b = 0, e = 0;
  for (let i = 0; i < N; i++) {
    const p = det.prepare(simulateSeries(spec(noise, HISTORY + YEAR, undefined, tailDf), seedBase * 1_000_003 + i));
    let lastA = -Infinity, lastB = -Infinity;
    for (let t = HISTORY; t < HISTORY + YEAR; t++) {
      const x = p.sudden(t);
      const y = p.slow(t);
      if (x && t - lastA > REFRACTORY) a++;
      if (y && t - lastB > REFRACTORY) b++;
      if ((x && t - lastA > REFRACTORY) || (y && t - lastB > REFRACTORY)) e++;
      if (x) lastA = t;
      if (y) lastB = t;
    }
  }
  return { sudden: a / N, slow: b / N, either: e / N };
}

function delays(det: Detectors, noise: number, change: Omit<SimChange, 'day'>, which: 'sudden' | 'slow' | 'either', seedBase: number): number[] {
  return once(`delays ${det.name} ${noise} ${JSON.stringify(change)} ${which} ${seedBase}`, () => delaysOf(det, noise, change, which, seedBase));
}
function delaysOf(det: Detectors, noise: number, change: Omit<SimChange, 'day'>, which: 'sudden' | 'slow' | 'either', seedBase: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const day = HISTORY + (i % 7);
    const p = det.prepare(simulateSeries(spec(noise, day + WATCH, { ...change, day }), seedBase * 1_000_003 + i));
    let found = Infinity;
    for (let t = day; t < day + WATCH; t++) {
      const x = which !== 'slow' && p.sudden(t);
      const y = which !== 'sudden' && p.slow(t);
      if (x || y) {
        found = t - day + 1;
        break;
      }
    }
    out.push(found);
  }
  return out;
}

const pct = (xs: number[], f: (x: number) => boolean) => `${((100 * xs.filter(f).length) / xs.length).toFixed(1)} %`;
function quantile(xs: number[], q: number): string {
  const s = [...xs].sort((a, b) => a - b);
  const v = s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return Number.isFinite(v) ? `${v} d` : 'missed';
}
function table(head: string[], rows: string[][]) {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('');
}

const started = performance.now();
console.log(`# bench/alerts: ${N} simulated series per case\n`);
console.log(`sudden drop: ${JSON.stringify(sudden)}`);
console.log(`slow decline: ${JSON.stringify(slow)}\n`);

if (only !== 'after') {
  console.log('## Before and after, the target cases (15 % daily noise, 4 launches a year)\n');
  const rows: string[][] = [];
  for (const det of [previous, current]) {
    const t0 = performance.now();
    const f = falseAlarms(det, 0.15, undefined, 15);
    const d = delays(det, 0.15, { kind: 'step', size: 0.5 }, 'sudden', 100 + 150 + 5);
    const r = delays(det, 0.15, { kind: 'ramp', size: 0.3, weeks: 6 }, 'slow', 200 + 150 + 3);
    const e = delays(det, 0.15, { kind: 'ramp', size: 0.3, weeks: 6 }, 'either', 200 + 150 + 3);
    rows.push([det.name, f.either.toFixed(2), `${f.sudden.toFixed(2)} / ${f.slow.toFixed(2)}`, pct(d, (x) => x <= 1), pct(d, (x) => x <= 2), pct(r, (x) => x <= 21), pct(e, (x) => x <= 21), pct(r, (x) => x <= 28), `${((performance.now() - t0) / 1000).toFixed(0)} s`]);
  }
  table(['detectors', 'false alarms / KPI / year (target ≤ 1)', 'sudden / slow', '50 % drop ≤ 1 day (target 95 %)', '≤ 2 days', '30 % over 6 weeks ≤ 21 days, slow (target 90 %)', 'either ≤ 21 days', 'slow ≤ 28 days', 'time'], rows);
}

console.log('## False alarms per KPI per year (no change; 4 launches a year)\n');
const faRows: string[][] = [];
for (const [name, noise, df] of [['10 %', 0.1], ['15 %', 0.15], ['25 %', 0.25], ['15 %, heavy tails (t, 4 df)', 0.15, 4]] as const) {
  const f = falseAlarms(current, noise, df, Math.round(noise * 100) + (df ?? 0) * 1000);
  faRows.push([name, f.sudden.toFixed(2), f.slow.toFixed(2), f.either.toFixed(2)]);
}
table(['daily noise', 'sudden drop', 'slow decline', 'either (what the owner gets)'], faRows);

if (only !== 'false') {
console.log('## Sudden drop (step down overnight): detection by the sudden-drop detector\n');
const sdRows: string[][] = [];
for (const noise of [0.1, 0.15, 0.25]) {
  for (const size of [0.2, 0.3, 0.5, 0.7]) {
    const d = delays(current, noise, { kind: 'step', size }, 'sudden', 100 + Math.round(noise * 100) * 10 + size * 10);
    sdRows.push([`${Math.round(noise * 100)} %`, `−${Math.round(size * 100)} %`, pct(d, (x) => x <= 1), pct(d, (x) => x <= 2), pct(d, (x) => x <= 7), quantile(d, 0.5), quantile(d, 0.9)]);
  }
}
table(['daily noise', 'drop', '≤ 1 day', '≤ 2 days', '≤ 7 days', 'median delay', '90th pct'], sdRows);

console.log('## Slow decline (linear over 6 weeks): detection by the slow-decline detector, and by either\n');
const slRows: string[][] = [];
for (const noise of [0.1, 0.15, 0.25]) {
  for (const size of [0.15, 0.3, 0.5]) {
    const seed = 200 + Math.round(noise * 100) * 10 + size * 10;
    const d = delays(current, noise, { kind: 'ramp', size, weeks: 6 }, 'slow', seed);
    const e = delays(current, noise, { kind: 'ramp', size, weeks: 6 }, 'either', seed);
    slRows.push([`${Math.round(noise * 100)} %`, `−${Math.round(size * 100)} %`, pct(d, (x) => x <= 21), pct(d, (x) => x <= 28), quantile(d, 0.5), quantile(d, 0.9), pct(e, (x) => x <= 21)]);
  }
}
table(['daily noise', 'decline over 6 weeks', '≤ 21 days', '≤ 28 days', 'median delay', '90th pct', 'either ≤ 21 days'], slRows);

}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
