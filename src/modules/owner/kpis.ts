// The KPI series (kpi-series.ts) and the decline detectors (detectors.ts), as the rest of the
// module uses them: the daily check and the review read the same series.
import { detectDeclines, type DeclineAlert } from './detectors.js';
import { loadKpiSeries } from './kpi-series.js';
import type { OwnerDeps, ReviewSeries } from './types.js';

export function loadSeries(deps: OwnerDeps, q: { today: string; days: number; timeZone: string }): Promise<ReviewSeries[]> {
  return loadKpiSeries({ database: deps.database, analytics: deps.sources.analytics }, q);
}

export function findDeclines(series: ReviewSeries[], today: string): DeclineAlert[] {
  return detectDeclines(series, today);
}
