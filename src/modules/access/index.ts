export { AccessService, type Grant, type GrantInput, type GrantSource, type ResourceType } from './service.js';
export { accessGrants } from './schema.js';
export { accessEvents } from './events.js';
