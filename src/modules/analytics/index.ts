export { AnalyticsService, periods, panels, toMetrics, resolveRange, previousRange, isDimension, type AnalyticsSettings, type Dashboard, type DashboardQuery, type Metrics, type PanelName, type PanelRow, type PeriodName } from './service.js';
export { installPageTracking } from './tracking.js';
export { classifySource, channels, referrerTable, tagOwnLink, type Channel } from './sources.js';
export { dimensions, type Dimension, type Filter } from './dimensions.js';
export { analyticsJobs, ROLL_UP_RANGE_JOB, type AnalyticsJobDeps } from './jobs.js';
// For the benchmark (bench/analytics.ts): the raw queries the rollups are compared with, and the bulk roll-up.
export { rawBreakdown, series } from './queries.js';
export { rollUpEverything } from './rollup.js';
