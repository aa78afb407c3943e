// The approval kinds of support's bounded authority: an action above a role's limit waits for
// the owner. Approving runs in the decision's transaction: the action is marked approved and
// its job enqueued there (a refund leaves the database, so it runs after the commit, once).
import { z } from 'zod';
import { defineApprovalKind, type ApprovalKind } from '../approvals/index.js';
import type { SupportService } from './service.js';

const data = z.object({ actionId: z.uuid() });

export function supportApprovalKinds(support: SupportService): ApprovalKind<z.infer<typeof data>>[] {
  return (['refund', 'resend_receipt', 'sign_in_link', 'extend_access'] as const).map((kind) =>
    defineApprovalKind({
      kind: `support.${kind}`,
      data,
      applyInTx: async (tx, d, ctx) => {
        await support.approvedInTx(tx, d.actionId, ctx.actor);
        return 'Approved: it is being carried out now';
      },
      refusedInTx: async (tx, d, ctx) => support.refusedInTx(tx, d.actionId, ctx.actor),
    }),
  );
}
