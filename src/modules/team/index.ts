// The team module's public API: staff members, their sessions, two-factor and invitations.
export { TeamService, actorForUser, normaliseEmail, MAX_TWO_FACTOR_FAILURES, type AuthenticatedSession, type SessionView, type TeamMailer, type TeamSettings, type UserView } from './service.js';
export { checkPassword, isCommonPassword, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './password-policy.js';
export { teamJobs, PASSWORD_RESET_REQUEST_JOB, type TeamJobDeps } from './jobs.js';
export { teamEvents } from './events.js';
