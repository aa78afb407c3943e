export { AnalyticsService, periods, panels, toMetrics, resolveRange, previousRange, isDimension, type AnalyticsSettings, type Dashboard, type DashboardQuery, type Metrics, type PanelName, type PanelRow, type PeriodName } from './service.js';
export { installPageTracking } from './tracking.js';
export { classifySource, channels, referrerTable, tagOwnLink, type Channel } from './sources.js';
export { dimensions, type Dimension, type Filter } from './dimensions.js';
