// The KPI series and the decline detectors, as the rest of the module uses them. They are built
// on branch owner-alerts (kpi-series.ts, detectors.ts); until that branch is merged this file
// answers with no series, so the review and the daily check run on everything else.
import type { OwnerDeps, ReviewSeries } from './types.js';

export interface FoundDecline {
  detector: 'sudden_drop' | 'slow_decline';
  key: string;
  label: string;
  day: string;
  observed: number;
  expected: number;
  changePct: number;
  since?: string;
  detail: string;
}

export async function loadSeries(_deps: OwnerDeps, _q: { today: string; days: number; timeZone: string }): Promise<ReviewSeries[]> {
  return [];
}

export function findDeclines(_series: ReviewSeries[], _today: string): FoundDecline[] {
  return [];
}
