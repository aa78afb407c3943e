export { MailService, SEND_TRANSACTIONAL_JOB, type TransactionalMessage } from './service.js';
export { mailJobs } from './jobs.js';
