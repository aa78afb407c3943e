// The blog's approval kind: `content.publish`. A writer whose role policy asks for approval
// submits; the owner's approval publishes (or schedules) exactly the revision submitted, in the
// decision's transaction; a refusal makes the post a draft again (or leaves the live one as it was).
import { z } from 'zod';
import { conflict } from '../../errors.js';
import { defineApprovalKind, type ApprovalKind } from '../approvals/index.js';
import { PUBLISH_APPROVAL_KIND, type ContentService, type PublishRequest } from './service.js';

export const publishRequestSchema: z.ZodType<PublishRequest> = z.object({ postId: z.uuid(), revision: z.number().int().min(1), at: z.iso.datetime().nullable().optional() });

/** The kind, to register with the approvals module in src/app.ts. */
export function contentPublishKind(content: ContentService): ApprovalKind<PublishRequest> {
  return defineApprovalKind<PublishRequest>({
    kind: PUBLISH_APPROVAL_KIND,
    data: publishRequestSchema,
    async applyInTx(tx, data, ctx) {
      if (!(await content.pendingApprovalInTx(tx, data.postId, ctx.request.id))) throw conflict('This post is no longer waiting for this approval (withdrawn, deleted or submitted again)');
      const outcome = await content.publishRevisionInTx(tx, data.postId, data.revision, data.at ? new Date(data.at) : null, ctx.actor, ctx.request.id);
      return outcome === 'scheduled' ? `Scheduled for ${data.at}` : 'Published';
    },
    async refusedInTx(tx, data, ctx) {
      await content.refusedInTx(tx, data.postId, ctx.request.id, ctx.request.note ?? null, ctx.actor);
    },
  });
}
