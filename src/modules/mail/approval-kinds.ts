// The approval kind of the marketing role's send limit: a broadcast above it waits for the
// owner. Approving schedules it in the decision's transaction, as asked, unless the draft
// changed since the request (the owner approves what they read).
import { defineApprovalKind, type ApprovalKind } from '../approvals/index.js';
import { BROADCAST_SEND_APPROVAL_KIND, broadcastSendRequestSchema, type BroadcastSendRequest } from './broadcasts.js';
import type { MailService } from './service.js';

export function mailApprovalKinds(mail: MailService): ApprovalKind<BroadcastSendRequest>[] {
  return [
    defineApprovalKind({
      kind: BROADCAST_SEND_APPROVAL_KIND,
      data: broadcastSendRequestSchema,
      applyInTx: async (tx, d, ctx) => {
        const b = await mail.broadcasts.approvedSendInTx(tx, d, ctx.actor);
        return `Scheduled for ${b.scheduledAt?.toISOString() ?? 'now'}`;
      },
    }),
  ];
}
