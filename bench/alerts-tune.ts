// Tuning aid for the decline detectors (issue 16): their scores on simulated series, swept over a grid
// of thresholds, on a seed set of its own (7 000 000 + i) so that bench/alerts.ts, whose seeds differ,
// reports on series the thresholds were not chosen on.
//   node --import tsx bench/alerts-tune.ts [N=200] [noise=0.15] [seed=7000000] [launches-per-year=4] [option=value …]
// Options: any detector option (e.g. maxWeeks=8 clip=2); z2off=x tries the two-day test at the
// one-day threshold + x (the sweep's threshold is z1 for the sudden drop, z for the slow decline).
// Prints false alarms per KPI per year, and the share of 50 % drops caught within 1 / 2 days and of
// 30 % six-week slides caught within 21 / 28 days, at each threshold.
import { DEFAULT_SLOW_DECLINE, DEFAULT_SUDDEN_DROP, prepareSeries, slowDeclineAt, suddenDropAt, addDays, simulateSeries, toPoints, type KpiSeries, type SimChange } from '../src/modules/owner/index.js';
const args = process.argv.slice(2);
const N = Number(args[0] ?? 200);
const noise = Number(args[1] ?? 0.15);
const seedOff = Number(args[2] ?? 7_000_000);
const launches = Number(args[3] ?? 4);
const over: Record<string, number> = {};
for (const a of args.slice(4)) { const [k, x] = a.split('='); over[k!] = Number(x); }
const START = '2025-01-06', HISTORY = 18 * 7, YEAR = 365, WATCH = 56;
const sudden = { ...DEFAULT_SUDDEN_DROP, z1: Infinity, z2: Infinity, minChange: 0.2 };
const slow = { ...DEFAULT_SLOW_DECLINE, z: Infinity };
for (const [k, x] of Object.entries(over)) { if (k in sudden) (sudden as unknown as Record<string, number>)[k] = x; if (k in slow) (slow as unknown as Record<string, number>)[k] = x; }
function prep(values: number[]) {
  const s: KpiSeries = { key: 'sim', label: 'S', kpi: 'visitors', unit: 'count', direction: 'up_is_good', points: toPoints(START, values) };
  return prepareSeries(s, addDays(START, values.length));
}
const spec = (days: number, change?: SimChange) => ({ start: START, days, base: 1000, noise, randomLaunchesPerYear: launches, launchLift: 3, launchDays: 5, ...(change ? { change } : {}) });
const z2off = Number(over.z2off ?? 0);
const suddenAlarm = (r: ReturnType<typeof suddenDropAt>, c: number) => !!r && r.change <= -0.2 && (r.score1 >= c || (r.score2 >= c + z2off && r.score1 >= 1));
const slowAlarm = (r: ReturnType<typeof slowDeclineAt>, c: number) => !!r && r.change <= -0.05 && r.score >= c;
const cs1 = [2.8, 2.9, 3.0, 3.1, 3.2, 3.3, 3.4, 3.5];
const cs2 = [2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6];
// False alarms
const fa1 = cs1.map(() => 0), fa2 = cs2.map(() => 0);
for (let i = 0; i < N; i++) {
  const p = prep(simulateSeries(spec(HISTORY + YEAR), seedOff + i));
  const r1: ReturnType<typeof suddenDropAt>[] = [], r2: ReturnType<typeof slowDeclineAt>[] = [];
  for (let t = HISTORY; t < HISTORY + YEAR; t++) { r1.push(suddenDropAt(p, t, sudden)); r2.push(slowDeclineAt(p, t, slow)); }
  cs1.forEach((c, k) => { let last = -1e9; r1.forEach((r, t) => { if (suddenAlarm(r, c)) { if (t - last > 7) fa1[k]!++; last = t; } }); });
  cs2.forEach((c, k) => { let last = -1e9; r2.forEach((r, t) => { if (slowAlarm(r, c)) { if (t - last > 7) fa2[k]!++; last = t; } }); });
}
console.log(`noise ${noise} N ${N} launches ${launches} ${JSON.stringify(over)}`);
console.log('sudden FA/yr  ' + cs1.map((c, k) => `${c}:${(fa1[k]! / N).toFixed(2)}`).join('  '));
console.log('slow   FA/yr  ' + cs2.map((c, k) => `${c}:${(fa2[k]! / N).toFixed(2)}`).join('  '));
// Step 50 %
const d1 = cs1.map(() => [0, 0]);
for (let i = 0; i < N; i++) {
  const day = HISTORY + (i % 7);
  const p = prep(simulateSeries(spec(day + 3, { kind: 'step', size: 0.5, day }), seedOff + 500_000 + i));
  const a = suddenDropAt(p, day, sudden), b = suddenDropAt(p, day + 1, sudden);
  cs1.forEach((c, k) => { if (suddenAlarm(a, c)) d1[k]![0]!++; if (suddenAlarm(a, c) || suddenAlarm(b, c)) d1[k]![1]!++; });
}
console.log('step50 ≤1d/≤2d ' + cs1.map((c, k) => `${c}:${(100 * d1[k]![0]! / N).toFixed(0)}/${(100 * d1[k]![1]! / N).toFixed(0)}`).join('  '));
// Ramp 30 % over 6 weeks
const d2 = cs2.map(() => [0, 0]);
for (let i = 0; i < N; i++) {
  const day = HISTORY + (i % 7);
  const p = prep(simulateSeries(spec(day + 28, { kind: 'ramp', size: 0.3, weeks: 6, day }), seedOff + 900_000 + i));
  const rs: ReturnType<typeof slowDeclineAt>[] = [];
  for (let t = day; t < day + 28; t++) rs.push(slowDeclineAt(p, t, slow));
  cs2.forEach((c, k) => { const f = rs.findIndex((r) => slowAlarm(r, c)); if (f >= 0 && f < 21) d2[k]![0]!++; if (f >= 0 && f < 28) d2[k]![1]!++; });
}
console.log('ramp30 ≤21d/≤28d ' + cs2.map((c, k) => `${c}:${(100 * d2[k]![0]! / N).toFixed(0)}/${(100 * d2[k]![1]! / N).toFixed(0)}`).join('  '));
