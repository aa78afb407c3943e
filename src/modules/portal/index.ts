// The portal module's public API: customers' sign-in by magic link, their sessions, and the
// account page's sections (which the other modules contribute).
export { PortalService, safeNext, type CustomerSession } from './service.js';
export { portalJobs, SIGN_IN_REQUEST_JOB, type PortalJobDeps } from './jobs.js';
export { portalEvents } from './events.js';
