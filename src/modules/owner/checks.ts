// The daily check (a job on the app's clock): decline detection on every KPI series, and the
// watched health checks (health.ts). Findings become alerts, one open per detector and key.
import { dayIn } from './dates.js';
import { findHealthProblems, healthDetectors, storeAlerts } from './health.js';
import { findDeclines, loadSeries } from './kpis.js';
import type { OwnerService } from './service.js';
import type { NewAlert, OwnerDeps } from './types.js';

/** History read for the detectors: 8 weeks of baseline + the CUSUM window, with room. */
export const SERIES_DAYS = 120;

export async function runDailyChecks(owner: OwnerService, deps: OwnerDeps): Promise<{ raised: number; declines: number; health: number }> {
  const timeZone = await owner.timeZone();
  const today = dayIn(deps.clock.now(), timeZone);
  const series = await loadSeries(deps, { today, days: SERIES_DAYS, timeZone });
  const declines: NewAlert[] = findDeclines(series, today).map((d) => ({
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
    for (const a of declines) if (await owner.raiseAlert(tx, a)) n++;
    return n + (await storeAlerts(tx, owner, healthDetectors, health));
  });
  return { raised, declines: declines.length, health: health.length };
}
