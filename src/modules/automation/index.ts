// The automation module's public API: workflows (draft → published versions), the engine
// that runs them, templates and the definition format.
export { AutomationService, type WorkflowSummary, type StepStats, type RunView } from './service.js';
export { AutomationEngine, automationActor, STEP_JOB, WAKE_JOB, EVENT_JOB, SCAN_JOB, ENTRY_CAP_PER_DAY, isPrivateAddress } from './engine.js';
export { definitionSchema, problemsOf, type Definition, type Step, type Trigger } from './definition.js';
export { templates, templateById, type Template } from './templates.js';
export { automationJobs, type AutomationJobDeps } from './jobs.js';
export { automationEvents } from './events.js';
export { automationHealth, STALLED_AFTER_MS, type WorkflowHealth } from './health.js';
