export { AudienceService, isValidEmail, normalizeEmail, type Contact, type UpsertContactInput } from './service.js';
export { contacts, contactStatuses, type ContactStatus } from './schema.js';
