// What the owner module reads from other modules, through their public faces only: analytics'
// breakdowns, automation's workflows, learning's freshness and lessons, site's pages, mail's
// broadcasts. Built once in src/app.ts.
import type { AnalyticsService } from '../analytics/index.js';
import type { AutomationService } from '../automation/index.js';
import type { LearningService } from '../learning/index.js';
import type { MailService } from '../mail/index.js';
import type { SiteService } from '../site/index.js';
import type { SupportService } from '../support/index.js';
import type { ContentService } from '../content/index.js';
import { overdueTasks, type TasksService } from '../tasks/index.js';
import type { Actor } from '../../actor.js';
import type { Tx } from '../../db/client.js';
import type { Database } from '../../db/client.js';
import type { OwnerSources, PendingApproval } from './types.js';

export function ownerSources(m: {
  database: Database;
  analytics: AnalyticsService;
  automation: AutomationService;
  learning: LearningService;
  site: SiteService;
  mail: MailService;
  pendingApprovals: () => Promise<PendingApproval[]>;
  /** approvals' delegateInTx(): hands a pending request to an admin, in the caller's transaction */
  delegateApproval: (tx: Tx, approvalId: string, toUserId: string, actor: Actor) => Promise<PendingApproval>;
  tasks: TasksService;
  content: ContentService;
  /** built after the owner module (app.ts), so read when first used */
  support: () => SupportService;
}): OwnerSources {
  return {
    analytics: m.analytics,
    concentration: {
      sourceVisitors: async (range) => (await m.analytics.panel('sources', range, null)).map((r) => ({ name: r.value, value: r.visitors })),
      sourceSales: async (range) => (await m.analytics.revenueRows('sources', range)).rows.map((r) => ({ name: r.value, value: r.orders })),
      productRevenue: async (range) => (await m.analytics.revenueRows('products', range)).rows.map((r) => ({ name: r.value, value: r.gross })),
    },
    automation: { list: () => m.automation.list() },
    learning: {
      freshness: (opts) => m.learning.freshness.dueItems(opts),
      lessonContents: async () => {
        const out: { id: string; content: string }[] = [];
        for (const c of await m.learning.listCourses()) {
          const tree = await m.learning.getCourseTree(c.id);
          for (const mod of tree.modules) for (const l of mod.lessons) out.push({ id: l.id, content: `${l.bodyHtml}\n${l.videoUrl ?? ''}` });
        }
        return out;
      },
    },
    pageContents: async () => (await m.site.listPages(m.database.db)).map((p) => ({ slug: p.slug, content: p })),
    emailContents: async () => (await m.mail.broadcasts.list({ limit: 500, offset: 0 })).map((b) => ({ id: b.id, content: b })),
    scheduledSends: async () =>
      (await m.mail.broadcasts.list({ status: 'scheduled', limit: 200, offset: 0 })).filter((b) => b.scheduledAt).map((b) => ({ id: b.id, name: b.name, at: b.scheduledAt! })),
    approvals: { pending: m.pendingApprovals, delegateInTx: m.delegateApproval },
    content: {
      rolePolicies: async (db) => (await m.content.getSettings(db)).policies,
      setRolePolicyInTx: (tx, role, policy, actor) => m.content.setRolePolicyInTx(tx, role, policy, actor),
    },
    tasks: {
      overdue: (asOf) => overdueTasks(m.database.db, asOf),
      reassign: async (taskId, to, actor) => {
        await m.tasks.updateTask(taskId, { assignee: 'userId' in to ? { userId: to.userId } : { role: to.role } }, actor);
      },
      handOffInTx: async (tx, task, actor) => {
        const { created } = await m.tasks.createOneOffInTx(tx, { key: task.key, title: task.title, notes: task.notes, assignee: { role: task.role }, dueInDays: 0 }, actor);
        return { created };
      },
    },
    mail: {
      queueTransactionalInTx: (tx, msg) => m.mail.queueTransactionalInTx(tx, msg),
      sendLimit: (db) => m.mail.marketingSendLimits(db),
      setSendLimitInTx: async (tx, limit, actor) => {
        await m.mail.setMarketingSendLimitsInTx(tx, limit, actor);
      },
    },
    lessons: {
      contentEditsLive: async (db) => (await m.learning.contentPolicy(db)).editsLiveCourses,
      setContentEditsLiveInTx: async (tx, on, actor) => {
        await m.learning.setContentPolicyInTx(tx, { editsLiveCourses: on }, actor);
      },
    },
    support: {
      escalated: (since) => m.support().escalated(since),
      assigneeOf: async (id) => (await m.support().get(m.database.db, id)).assigneeId,
      reassign: async (id, assigneeId, actor) => {
        await m.support().assign(id, assigneeId, actor);
      },
      roleLimits: async (db) => (await m.support().settings(db)).limits,
      setRoleLimitsInTx: async (tx, role, limits, actor) => {
        await m.support().setRoleLimitsInTx(tx, role, limits, actor);
      },
      roundRobin: async (db) => (await m.support().settings(db ?? m.database.db, { fresh: true })).roundRobin,
      setRoundRobinInTx: (tx, on, actor) => m.support().setRoundRobinInTx(tx, on, actor),
    },
  };
}
