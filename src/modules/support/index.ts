// The support module's public API: the shared inbox, its intake and its jobs.
export { SupportService, RUN_ACTION_JOB, describeAction, type SupportPorts, type SupportDeps, type StaffMember, type ActionInput, type Conversation, type IntakeResult } from './service.js';
export { SmtpReceiver, type SmtpReceiverOptions } from './smtp-receiver.js';
export { parseInbound, type InboundMessage } from './inbound.js';
export { supportJobs, type SupportJobDeps, WAKE_SNOOZED_JOB, CHECK_SLAS_JOB, LESSON_QUESTION_JOB, SWEEP_ORPHAN_FILES_JOB } from './jobs.js';
export { supportEvents } from './events.js';
export type { SupportSettings } from './settings.js';
export { supportApprovalKinds } from './approval-kinds.js';
