// The daily check (a job on the app's clock): decline detection on every KPI series, and the
// watched health checks (health.ts). Findings become alerts, one open per detector and key.
import { addDays, dayIn } from './dates.js';
import { findHealthProblems, healthDetectors, storeAlertsInTx } from './health.js';
import { findDeclines, loadSeries } from './kpis.js';
import type { OwnerService } from './service.js';
import type { NewAlert, OwnerDeps } from './types.js';

/** History read for the detectors: 8 weeks of baseline + the CUSUM window, with room. */
export const SERIES_DAYS = 120;

/**
 * Runs the check for today; with `replayDays`, first as it would have run on each of those past
 * days (the detectors read only the days before the day they judge), so a module installed on a
 * business with history, or the demo, starts with the alerts the job would have raised.
 */
export async function runDailyChecks(owner: OwnerService, deps: OwnerDeps, opts: { replayDays?: number } = {}): Promise<{ raised: number; declines: number; health: number }> {
  const timeZone = await owner.timeZone();
  const today = dayIn(deps.clock.now(), timeZone);
  const series = await loadSeries(deps, { today, days: SERIES_DAYS + (opts.replayDays ?? 0), timeZone });
  const days = Array.from({ length: (opts.replayDays ?? 0) + 1 }, (_, i) => addDays(today, i - (opts.replayDays ?? 0)));
  const declines: NewAlert[] = days.flatMap((day) => findDeclines(series, day)).map((d) => ({
    detector: d.detector,
    key: d.key,
    label: d.label,
    day: d.since ?? d.day,
    observed: d.observed,
    expected: d.expected,
    changePct: d.changePct,
    detail: d.detail,
    link: d.key.startsWith('visitors') ? '/analytics' : null,
  }));
  const health = await findHealthProblems(owner, deps, today);
  const raised = await deps.database.transaction(async (tx) => {
    // A decline that is no longer found stays open until acknowledged: the owner should see it once.
    let n = 0;
    for (const a of declines) if (await owner.raiseAlertInTx(tx, a)) n++;
    n += await storeAlertsInTx(tx, owner, healthDetectors, health);
    // Alerts the owner handed to a role (failing automations, the list's reputation) become its tasks.
    await owner.handAlertsInTx(tx, { kind: 'system', label: 'daily check' });
    return n;
  });
  return { raised, declines: declines.length, health: health.length };
}
