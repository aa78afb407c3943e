export { ApprovalService, defineApprovalKind, type ApprovalKind, type ApprovalView, type ApprovalContext, type ApprovalDeps, type ApprovalQuery, type ApprovalRequestInput } from './service.js';
export { approvalEvents } from './events.js';
export type { ApprovalStatus } from './schema.js';
