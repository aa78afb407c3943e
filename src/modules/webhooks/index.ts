export { WebhookService, DELIVER_JOB, newSigningSecret, originOf, webhookPayload, type DeliveryView, type EndpointInput, type EndpointView, type WebhookSettings } from './service.js';
export { webhookJobs, deliverableTypes, FAN_OUT_JOB, type WebhookJobDeps } from './jobs.js';
export { isPrivateAddress } from './address-guard.js';
export { webhookEvents } from './events.js';
