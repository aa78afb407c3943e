export { MailService, SEND_TRANSACTIONAL_JOB, type TransactionalMessage } from './service.js';
export { mailJobs, type MailJobDeps } from './jobs.js';
export type { MailSettings } from './context.js';
export { unsubscribeToken, preferencesToken, readUnsubscribeToken, type UnsubscribeClaim } from './tokens.js';
export { recipientIdFromMessageId } from './engine.js';
export { mailEvents } from './events.js';
export { createSealer, type Sealer } from './sealed.js';
export { renderSafeLiquidText } from './render.js';
export { verifySns } from './webhooks.js';
