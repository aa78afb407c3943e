export { AccessService, type Grant, type GrantInput, type GrantSource, type ResourceType } from './service.js';
export { accessEvents } from './events.js';
export { GRANTS_VIEW_NAME, grantsView } from './grants-view.js';
