// The owner module's public API: the involvement meter, alerts, the weekly review and the
// 90-day absence forecast (docs/owner.md).
export { Owner, REVIEW_MAIL_HOUR } from './owner.js';
export { ownerSettingsInput, budgetMinutes, isAway, ACTIVITY_WINDOW_MS } from './service.js';
export type { AlertView, Meter, NewAlert, OwnerDeps, OwnerSettingsView, OwnerSources, ConcentrationSources, PendingApproval, ReviewSeries } from './types.js';
export type { WeeklyReview, Decision } from './review.js';
export type { Forecast } from './forecast.js';
export { classifyFourD, fourDs, processesNeedingOwner, weeklyMeter, type FourD, type WeeklyCount } from './meter.js';
export { ownerJobs, DAILY_CHECK_JOB, LINK_CHECK_JOB, REVIEW_MAIL_JOB, type OwnerJobDeps } from './jobs.js';
export { ownerEvents } from './events.js';
export { ownerSources } from './sources.js';
// The decline detectors and their simulator (bench/alerts.ts measures them).
export { detectDeclines, prepareSeries, suddenDropAt, slowDeclineAt, addDays, DEFAULT_SLOW_DECLINE, DEFAULT_SUDDEN_DROP, type DeclineAlert, type KpiSeries, type DailyPoint, type SlowDeclineOptions, type SuddenDropOptions } from './detectors.js';
export { loadKpiSeries } from './kpi-series.js';
export { simulateSeries, toPoints, type SimChange, type SimSpec } from './simulate.js';
