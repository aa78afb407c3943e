// The involvement meter and the leverage ledger, computed from the event log's weekly counts
// (pure functions: the service reads the counts, these turn them into the owner's picture).
//
// Clockwork's four D's classify the *owner's* operations: doing (serving customers and running
// operations by hand), deciding (answering what assistants brought back), delegating (handing
// work and authority to people), designing (building the assets that then run on their own).
// The table below is the whole classification; an event type it does not name is not work
// (sign-ins, customers' own actions, system bookkeeping) and is left out of the mix.
import type { ActorKind } from '../../actor.js';

export const fourDs = ['doing', 'deciding', 'delegating', 'designing'] as const;
export type FourD = (typeof fourDs)[number];

const exact: Record<string, FourD> = {
  // doing: replies, refunds, manual sends, lesson edits, hand-made changes to customers and contacts
  'order.refunded': 'doing', 'refund.requested': 'doing', 'refund.failed': 'doing',
  'broadcast.created': 'doing', 'broadcast.updated': 'doing', 'broadcast.scheduled': 'doing', 'broadcast.started': 'doing', 'broadcast.test_sent': 'doing',
  'broadcast.paused': 'doing', 'broadcast.resumed': 'doing', 'broadcast.cancelled': 'doing', 'broadcast.unscheduled': 'doing',
  'lesson.updated': 'doing', 'lesson.video_uploaded': 'doing', 'lesson.attachment_added': 'doing', 'lesson.file_removed': 'doing', 'quiz.updated': 'doing', 'quiz.attempts_reset': 'doing',
  'course.reviewed': 'doing', 'lesson.reviewed': 'doing', 'course.updated': 'doing',
  // a blog post published by the owner (written by them, or theirs to approve)
  'post.published': 'doing',
  'access.granted': 'doing', 'access.revoked': 'doing', 'certificate.revoked': 'doing',
  'contact.created': 'doing', 'contact.updated': 'doing', 'contact.deleted': 'doing', 'contact.tagged': 'doing', 'contact.untagged': 'doing', 'contacts.tagged': 'doing', 'contacts.untagged': 'doing',
  'contact.suppressed': 'doing', 'contact.unsuppressed': 'doing', 'import.started': 'doing', 'import.uploaded': 'doing',
  'automation.step_retried': 'doing', 'automation.step_skipped': 'doing', 'webhook.delivery_replayed': 'doing',
  'owner.alert_acknowledged': 'doing',
  // an email sent by hand (the owner, an assistant) or by a workflow on their behalf
  'email.sent': 'doing', 'automation.task_created': 'delegating',
  // deciding: the answers assistants came back for
  'approval.approved': 'deciding', 'approval.refused': 'deciding',
  // delegating: people, roles, authority and tasks handed over
  'user.invited': 'delegating', 'user.role_changed': 'delegating', 'user.removed': 'delegating', 'apikey.created': 'delegating', 'apikey.revoked': 'delegating',
  'owner.delegation_accepted': 'delegating',
  // designing: building what then runs by itself
  'automation.created': 'designing', 'automation.updated': 'designing', 'automation.published': 'designing', 'automation.paused': 'designing', 'automation.resumed': 'designing', 'automation.deleted': 'designing',
  'course.created': 'designing', 'course.published': 'designing', 'course.unpublished': 'designing', 'course.archived': 'designing', 'course.module_added': 'designing', 'course.module_renamed': 'designing', 'course.module_removed': 'designing', 'course.reordered': 'designing',
  'lesson.created': 'designing', 'lesson.deleted': 'designing',
  'brand.updated': 'designing', 'brand.image_uploaded': 'designing', 'site.settings_updated': 'designing',
  'owner.settings_updated': 'designing',
};

/** Prefixes of whole families: every change to products, prices, pages, forms, segments… is design work. */
const prefixes: [string, FourD][] = [
  ['product.', 'designing'], ['price.', 'designing'], ['coupon.', 'designing'], ['offer.', 'designing'],
  ['page.', 'designing'], ['form.', 'designing'], ['segment.', 'designing'], ['list.', 'designing'], ['tag.', 'designing'],
  ['webhook.endpoint_', 'designing'],
  ['ticket.', 'doing'], ['support.', 'doing'], ['conversation.', 'doing'],
  ['task.', 'delegating'], ['sop.', 'delegating'], ['policy.', 'delegating'],
];

/** The D of an operation, or null when the event is not work (sign-ins, customers' and system events). */
export function classifyFourD(type: string): FourD | null {
  const hit = exact[type];
  if (hit) return hit;
  if (type === 'task.completed' || type === 'task.done') return 'doing';
  for (const [p, d] of prefixes) if (type.startsWith(p)) return d;
  return null;
}

/** One group of the weekly counts read from the log. */
export interface WeeklyCount {
  /** Monday of the week, YYYY-MM-DD in the owner's time zone */
  week: string;
  type: string;
  actorKind: ActorKind;
  actorId: string | null;
  actorRole: string | null;
  n: number;
}

export interface WeekMeter {
  week: string;
  /** every recorded event by actor kind */
  byActor: Record<ActorKind, number>;
  /**
   * The owner's share of the work: of the operations the 4D table calls work, done by the owner,
   * assistants or automations (customers' and the system's events are not work done for the
   * business), the owner's part. Counting only classified operations keeps one workflow's
   * thousand page views or opens from drowning the owner's refunds.
   */
  ownerShare: number;
  /** classified operations by the owner, assistants and automations */
  work: { owner: number; assistant: number; automation: number };
  fourD: Record<FourD, number>;
  /** minutes the owner was active in the admin (5-minute windows) */
  ownerMinutes: number;
}

const emptyActors = (): Record<ActorKind, number> => ({ owner: 0, assistant: 0, automation: 0, customer: 0, system: 0 });
const emptyDs = (): Record<FourD, number> => ({ doing: 0, deciding: 0, delegating: 0, designing: 0 });

/** The 12-week (or any) trend: one entry per week, oldest first, weeks without events included. */
export function weeklyMeter(weeks: string[], counts: WeeklyCount[], ownerMinutes: Record<string, number>): WeekMeter[] {
  const byWeek = new Map<string, WeekMeter>(weeks.map((w) => [w, { week: w, byActor: emptyActors(), ownerShare: 0, work: { owner: 0, assistant: 0, automation: 0 }, fourD: emptyDs(), ownerMinutes: ownerMinutes[w] ?? 0 }]));
  for (const c of counts) {
    const m = byWeek.get(c.week);
    if (!m) continue;
    m.byActor[c.actorKind] += c.n;
    const d = classifyFourD(c.type);
    if (!d || c.actorKind === 'customer' || c.actorKind === 'system') continue;
    m.work[c.actorKind] += c.n;
    if (c.actorKind === 'owner') m.fourD[d] += c.n;
  }
  for (const m of byWeek.values()) {
    const work = m.work.owner + m.work.assistant + m.work.automation;
    m.ownerShare = work ? m.work.owner / work : 0;
  }
  return [...byWeek.values()];
}

export interface Leverage {
  /** designing + delegating: work that builds assets and capacity */
  building: number;
  /** doing + deciding: work that operates the business by hand */
  operating: number;
  /** building ÷ (building + operating) */
  ratio: number;
  /** the owner's minutes apportioned by operations (no finer signal exists) */
  buildingMinutes: number;
  operatingMinutes: number;
}

export function leverageOf(fourD: Record<FourD, number>, minutes: number): Leverage {
  const building = fourD.designing + fourD.delegating;
  const operating = fourD.doing + fourD.deciding;
  const total = building + operating;
  const ratio = total ? building / total : 0;
  return { building, operating, ratio, buildingMinutes: Math.round(minutes * ratio), operatingMinutes: Math.round(minutes * (1 - ratio)) * (total ? 1 : 0) };
}

export type ProcessFix =
  | { kind: 'delegate'; role: 'support' | 'content' | 'marketing' | 'admin'; limit?: string; text: string }
  | { kind: 'automate'; templateId: string; text: string }
  | { kind: 'none'; text: string };

/** What Onehour offers for a process the owner still does by hand. */
/**
 * What accepting a delegation of this process changes, when there is an authority to change: a
 * role's refund limit in the shared inbox, a role's blog publishing policy, the marketing role's
 * send limit (mail), whether the content role may change published courses (learning), or
 * round-robin assignment of new conversations to the support role (support).
 */
export function grantKindFor(type: string): 'refund_limit' | 'publish_policy' | 'send_limit' | 'live_lessons' | 'round_robin' | 'failing_runs' | 'list_care' | null {
  if (type === 'post.published') return 'publish_policy';
  if (type.startsWith('automation.step_')) return 'failing_runs';
  if (isListWork(type)) return 'list_care';
  if (type.startsWith('broadcast.')) return 'send_limit';
  if (isLessonWork(type)) return 'live_lessons';
  if (isSupportWork(type)) return 'round_robin';
  const fix = fixFor(type);
  return fix.kind === 'delegate' && fix.limit ? 'refund_limit' : null;
}

const isListWork = (type: string) => type.startsWith('contact.') || type.startsWith('contacts.') || type.startsWith('import.');
const isSupportWork = (type: string) => type.startsWith('ticket.') || type.startsWith('support.') || type.startsWith('conversation.');
const isLessonWork = (type: string) => type.startsWith('lesson.') || type.startsWith('quiz.') || type === 'course.reviewed' || type === 'course.updated';

export function fixFor(type: string): ProcessFix {
  if (type === 'order.refunded' || type === 'refund.requested') return { kind: 'delegate', role: 'support', limit: 'refunds up to a limit; larger ones come to you as approvals', text: 'Let the support role refund up to a limit' };
  if (isSupportWork(type)) return { kind: 'delegate', role: 'support', limit: 'new conversations are given to the support role\'s members in turn', text: 'Hand support to the support role' };
  if (type.startsWith('broadcast.')) return { kind: 'delegate', role: 'marketing', limit: 'sends to a number of people and a number of times a week you set; bigger or more sends come to you as approvals', text: 'Let the marketing role send broadcasts within a limit' };
  if (type === 'post.published') return { kind: 'delegate', role: 'content', limit: 'publish without approval (all posts, or only posts with the tags you name)', text: 'Let the content role publish blog posts without waiting for you' };
  if (isLessonWork(type)) return { kind: 'delegate', role: 'content', limit: 'changes the lessons of published courses (content, quizzes, files, review sign-off)', text: 'Let the content role keep lessons up to date' };
  if (type === 'access.granted' || type === 'access.revoked') return { kind: 'automate', templateId: 'course-onboarding', text: 'Grant and onboard buyers automatically' };
  if (isListWork(type)) return { kind: 'delegate', role: 'marketing', limit: 'each broadcast the reputation guard pauses (bounces, complaints) becomes a task of the marketing role instead of a decision of yours', text: 'Let the marketing role manage the list' };
  if (type.startsWith('automation.step_')) return { kind: 'delegate', role: 'admin', limit: 'each automation found failing becomes a task of the admin role instead of a decision of yours', text: 'Let an admin watch the failing runs' };
  if (type.startsWith('approval.')) return { kind: 'delegate', role: 'support', limit: 'raise the assistant\'s limit', text: 'Raise the limit so fewer requests need you' };
  return { kind: 'none', text: 'Document it as a task for an assistant' };
}

export interface OwnerProcess {
  type: string;
  d: FourD;
  owner: number;
  others: number;
  ownerShare: number;
  fix: ProcessFix;
}

/**
 * Processes that still need the owner: event types of operating work (doing, deciding) where
 * the owner did most (> 50 %) of the operations over the period, at least `minOwner` times.
 * Design and delegation are the owner's job and are not listed. Sorted by the owner's count.
 */
export function processesNeedingOwner(counts: WeeklyCount[], opts: { minOwner?: number; delegated?: Set<string> } = {}): OwnerProcess[] {
  const per = new Map<string, { owner: number; others: number }>();
  for (const c of counts) {
    if (c.actorKind === 'customer' || c.actorKind === 'system') continue;
    const p = per.get(c.type) ?? { owner: 0, others: 0 };
    if (c.actorKind === 'owner') p.owner += c.n;
    else p.others += c.n;
    per.set(c.type, p);
  }
  const out: OwnerProcess[] = [];
  for (const [type, p] of per) {
    const d = classifyFourD(type);
    if (d !== 'doing' && d !== 'deciding') continue;
    const share = p.owner / (p.owner + p.others);
    if (p.owner < (opts.minOwner ?? 3) || share <= 0.5 || opts.delegated?.has(type)) continue;
    out.push({ type, d, owner: p.owner, others: p.others, ownerShare: share, fix: fixFor(type) });
  }
  return out.sort((a, b) => b.owner - a.owner || a.type.localeCompare(b.type));
}

export interface ShareRisk {
  what: 'visitors_by_source' | 'sales_by_source' | 'revenue_by_product' | 'support_by_assistant';
  label: string;
  top: string | null;
  share: number;
  /** a share above this is a dependency worth naming */
  threshold: number;
  risky: boolean;
}

/** The top item's share of a breakdown (Built to Sell's "Switzerland structure"). */
export function concentration(what: ShareRisk['what'], label: string, rows: { name: string; value: number }[], threshold = 0.5): ShareRisk {
  const total = rows.reduce((s, r) => s + r.value, 0);
  const top = [...rows].sort((a, b) => b.value - a.value)[0];
  const share = total && top ? top.value / total : 0;
  return { what, label, top: top && total ? top.name : null, share, threshold, risky: share > threshold };
}
