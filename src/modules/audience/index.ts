// The audience module's public API: contacts, lists, tags, consent, forms, segments, imports.
export {
  AudienceService,
  isValidEmail,
  normalizeEmail,
  emailProblem,
  type Contact,
  type ContactList,
  type Tag,
  type ConsentRecord,
  type ConsentInput,
  type UpsertContactInput,
} from './service.js';
export { contactStatuses, type ContactStatus, type ConsentKind } from './schema.js';
export { emailAddressProblem, emailAddressSchema } from './email-address.js';
export { audienceJobs, type AudienceJobDeps } from './jobs.js';
export { IMPORT_JOB, type ImportOptions, type ImportView } from './imports.js';
export { compileSegmentSql, segmentRulesSchema, type SegmentRule, type SegmentRules } from './segments.js';
export type { Form } from './forms.js';
export type { Segment } from './segment-service.js';
export { audienceEvents } from './events.js';
export { contactDirectory } from './contact-directory.js';
export { CONTACTS_VIEW, LIST_SUBSCRIPTIONS_VIEW } from './views.js';
