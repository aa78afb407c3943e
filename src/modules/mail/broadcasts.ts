// Composing and steering broadcasts: drafts, preview, test send, schedule, pause, resume,
// cancel, and the numbers afterwards. The sending itself is engine.ts.
import { and, asc, desc, eq, gt, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { conflict, forbidden, invalid, notFound } from '../../errors.js';
import type { Tx } from '../../db/client.js';
import { isValidEmail } from '../audience/index.js';
import type { MailContext } from './context.js';
import type { RecipientFilter } from './contract.js';
import { BROADCAST_START_JOB, type BroadcastEngine, type BroadcastRow } from './engine.js';
import type { Block, RenderedMessage } from './render.js';
import { broadcastLinks, broadcastRecipients, broadcasts, type BroadcastStatus } from './schema.js';
import { likeNeedle } from './search.js';
import { isSendLimited, overLimitReason, SendLimits } from './send-limits.js';

export type Broadcast = typeof broadcasts.$inferSelect;

export interface BroadcastInput {
  name: string;
  subject: string;
  preheader?: string;
  format?: 'markdown' | 'blocks';
  body?: string;
  blocks?: Block[] | null;
  listId?: string | null;
  segmentId?: string | null;
  track?: boolean;
}

const EDITABLE: BroadcastStatus[] = ['draft', 'scheduled'];

export const BROADCAST_SEND_APPROVAL_KIND = 'mail.broadcast_send';

/** What an approval of kind `mail.broadcast_send` carries: the send as asked, and a digest of what the owner reads (`versionOf`). */
export const broadcastSendRequestSchema = z.object({ broadcastId: z.uuid(), at: z.iso.datetime().nullable(), version: z.string().regex(/^[0-9a-f]{64}$/) });
export type BroadcastSendRequest = z.infer<typeof broadcastSendRequestSchema>;

/** A digest of what a broadcast says and to whom: an approval holds for this content only. */
export function versionOf(b: Pick<Broadcast, 'name' | 'subject' | 'preheader' | 'format' | 'body' | 'blocks' | 'listId' | 'segmentId' | 'track'>): string {
  return createHash('sha256').update(JSON.stringify([b.name, b.subject, b.preheader, b.format, b.body, b.blocks ?? null, b.listId, b.segmentId, b.track])).digest('hex');
}

export interface BroadcastApprovals {
  requestInTx(tx: Tx, input: { kind: string; data: unknown; title: string; summary?: string; subject?: { type: string; id: string }; actor: Actor }): Promise<{ id: string }>;
  list(db: Tx, q: { status: 'pending'; kind: string; subject: { type: string; id: string } }): Promise<{ id: string; data: unknown }[]>;
}

/** What the recipient list can be narrowed to: a row state, or what happened after sending. */
const RECIPIENT_FILTERS = {
  queued: () => eq(broadcastRecipients.status, 'queued'),
  sending: () => eq(broadcastRecipients.status, 'sending'),
  sent: () => eq(broadcastRecipients.status, 'sent'),
  failed: () => eq(broadcastRecipients.status, 'failed'),
  skipped: () => eq(broadcastRecipients.status, 'skipped'),
  cancelled: () => eq(broadcastRecipients.status, 'cancelled'),
  bounced: () => isNotNull(broadcastRecipients.bouncedAt),
  complained: () => isNotNull(broadcastRecipients.complainedAt),
  opened: () => isNotNull(broadcastRecipients.openedAt),
  clicked: () => isNotNull(broadcastRecipients.clickedAt),
  unsubscribed: () => isNotNull(broadcastRecipients.unsubscribedAt),
} satisfies Record<RecipientFilter, () => SQL>;

export { recipientFilters, type RecipientFilter } from './contract.js';

export interface RecipientQuery {
  status?: RecipientFilter;
  /** part of the address */
  search?: string;
  /** the last id of the previous page */
  cursor?: string;
  limit: number;
}

export interface RecipientView {
  id: number;
  contactId: string;
  email: string;
  status: string;
  attempts: number;
  sentAt: Date | null;
  error: string | null;
  openedAt: Date | null;
  opens: number;
  clickedAt: Date | null;
  clicks: number;
  bouncedAt: Date | null;
  bounceKind: string | null;
  complainedAt: Date | null;
  unsubscribedAt: Date | null;
}

function toRow(b: Broadcast): BroadcastRow {
  return {
    id: b.id, name: b.name, subject: b.subject, preheader: b.preheader, format: b.format, body: b.body, blocks: b.blocks ?? null,
    list_id: b.listId, segment_id: b.segmentId, track: b.track, status: b.status, sent_by: b.sentBy ?? null, updated_at: b.updatedAt,
  };
}

export class BroadcastDesk {
  private approvals: BroadcastApprovals | null = null;
  readonly limits: SendLimits;

  constructor(
    private readonly ctx: MailContext,
    private readonly engine: BroadcastEngine,
  ) {
    this.limits = new SendLimits(ctx);
  }

  /** Binds the approvals module (src/app.ts): without it, a marketing send above the limit is refused. */
  useApprovals(approvals: BroadcastApprovals): void {
    this.approvals = approvals;
  }

  private get db() {
    return this.ctx.database.db;
  }

  async list(q: { status?: BroadcastStatus; limit: number; offset: number }): Promise<Broadcast[]> {
    return this.db
      .select()
      .from(broadcasts)
      .where(q.status ? eq(broadcasts.status, q.status) : undefined)
      .orderBy(desc(broadcasts.createdAt))
      .limit(q.limit)
      .offset(q.offset);
  }

  async get(id: string): Promise<Broadcast> {
    const [b] = await this.db.select().from(broadcasts).where(eq(broadcasts.id, id));
    if (!b) throw notFound('Broadcast');
    return b;
  }

  async create(input: BroadcastInput, actor: Actor): Promise<Broadcast> {
    this.checkAudience(input);
    const now = this.ctx.clock.now();
    return this.ctx.database.transaction(async (tx) => {
      const [b] = await tx
        .insert(broadcasts)
        .values({
          name: input.name,
          subject: input.subject,
          preheader: input.preheader ?? '',
          format: input.format ?? 'markdown',
          body: input.body ?? '',
          blocks: input.blocks ?? null,
          listId: input.listId ?? null,
          segmentId: input.segmentId ?? null,
          track: input.track ?? true,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await this.ctx.events.recordInTx(tx, { type: 'broadcast.created', actor, subject: { type: 'broadcast', id: b!.id }, data: { name: b!.name } });
      return b!;
    });
  }

  async update(id: string, input: Partial<BroadcastInput>, actor: Actor): Promise<Broadcast> {
    const current = await this.get(id);
    if (!EDITABLE.includes(current.status)) throw conflict(`A ${current.status} broadcast cannot be edited`);
    this.checkAudience({ ...current, ...input });
    return this.ctx.database.transaction(async (tx) => {
      const [b] = await tx
        .update(broadcasts)
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.subject !== undefined && { subject: input.subject }),
          ...(input.preheader !== undefined && { preheader: input.preheader }),
          ...(input.format !== undefined && { format: input.format }),
          ...(input.body !== undefined && { body: input.body }),
          ...(input.blocks !== undefined && { blocks: input.blocks }),
          ...(input.listId !== undefined && { listId: input.listId }),
          ...(input.segmentId !== undefined && { segmentId: input.segmentId }),
          ...(input.track !== undefined && { track: input.track }),
          updatedAt: this.ctx.clock.now(),
        })
        .where(and(eq(broadcasts.id, id), inArray(broadcasts.status, EDITABLE)))
        .returning();
      if (!b) throw conflict('The broadcast started sending meanwhile and can no longer be edited');
      await this.ctx.events.recordInTx(tx, { type: 'broadcast.updated', actor, subject: { type: 'broadcast', id }, data: { fields: Object.keys(input) } });
      return b;
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    const b = await this.get(id);
    if (b.status !== 'draft') throw conflict('Only a draft can be deleted; cancel a scheduled broadcast first');
    await this.ctx.database.transaction(async (tx) => {
      await tx.delete(broadcasts).where(and(eq(broadcasts.id, id), eq(broadcasts.status, 'draft')));
      await this.ctx.events.recordInTx(tx, { type: 'broadcast.deleted', actor, subject: { type: 'broadcast', id }, data: { name: b.name } });
    });
  }

  private checkAudience(input: { listId?: string | null; segmentId?: string | null }): void {
    if (input.listId && input.segmentId) throw invalid('Choose a list or a segment, not both', { field: 'segmentId' });
  }

  /**
   * The message as one contact would get it (or a sample person). Content given here
   * overrides the saved draft, so the editor can preview before saving.
   */
  async preview(id: string | null, opts: { contactId?: string; content?: Partial<BroadcastInput> }): Promise<RenderedMessage & { contact: { name: string; email: string } }> {
    const base: BroadcastRow = id
      ? toRow(await this.get(id))
      : { id: '00000000-0000-0000-0000-000000000000', name: '', subject: '', preheader: '', format: 'markdown', body: '', blocks: null, list_id: null, segment_id: null, track: false, status: 'draft', sent_by: null, updated_at: new Date(0) };
    const c = opts.content ?? {};
    const row: BroadcastRow = {
      ...base,
      subject: c.subject ?? base.subject,
      preheader: c.preheader ?? base.preheader,
      format: c.format ?? base.format,
      body: c.body ?? base.body,
      blocks: (c.blocks as unknown[] | undefined) ?? base.blocks,
      list_id: c.listId !== undefined ? c.listId : base.list_id,
      updated_at: new Date(Date.now()),
    };
    const settings = await this.ctx.settings();
    const { compileBroadcast } = await import('./render.js');
    const compiled = compileBroadcast(
      { subject: row.subject, preheader: row.preheader, format: row.format, body: row.body, blocks: row.blocks as Block[] | null },
      this.engine.footerFor(row, settings, await this.engine.listName(row.list_id)),
    );
    const contact = opts.contactId ? await this.ctx.audience.getContact(this.db, opts.contactId) : { id: '00000000-0000-0000-0000-000000000000', email: 'sample@example.com', name: 'Sam Sample', fields: {} };
    const m = compiled.render(this.engine.recipientContext(row, { ...settings, trackingEnabled: false }, null, { id: contact.id, email: contact.email, name: contact.name, fields: contact.fields ?? {} }));
    return { ...m, contact: { name: contact.name, email: contact.email } };
  }

  /**
   * The line a list shows for a broadcast: its subject and opening words as a sample person
   * would read them (Liquid rendered, Markdown gone), not the template. A draft whose Liquid
   * does not compile yet shows its raw subject instead of breaking the list.
   */
  async previewLine(id: string): Promise<{ subject: string; snippet: string }> {
    try {
      const m = await this.preview(id, {});
      const snippet = m.text.replace(/\s+/g, ' ').trim().slice(0, 140);
      return { subject: m.subject, snippet };
    } catch {
      const b = await this.get(id);
      return { subject: b.subject, snippet: b.preheader };
    }
  }

  /** Sends the rendered message to a few addresses now, through the transactional queue. */
  async testSend(id: string, to: string[], actor: Actor, contactId?: string): Promise<number> {
    for (const addr of to) if (!isValidEmail(addr)) throw invalid(`"${addr}" is not a valid email address`, { field: 'to' });
    const m = await this.preview(id, { contactId });
    const b = await this.get(id);
    const settings = await this.ctx.settings();
    await this.ctx.database.transaction(async (tx) => {
      for (const addr of to) {
        const headers = Object.fromEntries(this.engine.listHeaders(toRow(b), contactId ?? '00000000-0000-0000-0000-000000000000', settings));
        await this.ctx.queueTransactionalInTx(tx, { to: addr, subject: `[Test] ${m.subject}`, text: m.text, html: m.html, tag: 'broadcast.test', headers });
      }
      await this.ctx.events.recordInTx(tx, { type: 'broadcast.test_sent', actor, subject: { type: 'broadcast', id }, data: { to } });
    });
    return to.length;
  }

  /**
   * Schedules sending (now when `at` is absent or past). Refused without an audience, a
   * subject, a body, or the postal address every footer needs.
   */
  async schedule(id: string, at: Date | null, actor: Actor): Promise<Broadcast & { approvalId: string | null }> {
    const b = await this.get(id);
    if (!EDITABLE.includes(b.status)) throw conflict(`A ${b.status} broadcast cannot be scheduled`);
    if (!b.listId && !b.segmentId) throw invalid('Choose who receives it: a list or a segment', { field: 'listId' });
    if (!b.subject.trim()) throw invalid('Add a subject', { field: 'subject' });
    if (!b.body.trim() && !(b.blocks as unknown[] | null)?.length) throw invalid('Write the message first', { field: 'body' });
    await this.preview(id, {}); // compiles: Liquid errors, postal address
    if (b.segmentId) this.ctx.audience.audienceSql({ segmentId: b.segmentId }); // throws while segments are unavailable
    return this.ctx.database.transaction(async (tx) => {
      // The marketing role sends within the owner's limit; above it the send waits for the owner.
      if (isSendLimited(actor)) {
        const over = await this.limits.overLimitInTx(tx, b);
        if (over) {
          if (!this.approvals) throw forbidden(`Not allowed: ${over.reason}, and approvals are not available`);
          // Asking again for the same unchanged draft answers with the request already waiting
          // (the row lock makes two concurrent asks queue here, so only one request is made).
          await tx.execute(sql`select 1 from broadcasts where id = ${id} for update`);
          const version = versionOf(b);
          const same = await this.pendingRequestFor(tx, b);
          if (same) return { ...b, approvalId: same };
          const request = await this.approvals.requestInTx(tx, {
            kind: BROADCAST_SEND_APPROVAL_KIND,
            data: { broadcastId: id, at: at?.toISOString() ?? null, version } satisfies BroadcastSendRequest,
            title: `Send the broadcast "${b.name}" to ${over.recipients} people`,
            summary: `Subject: ${b.subject}\n${over.reason}.`,
            subject: { type: 'broadcast', id },
            actor,
          });
          await this.ctx.events.recordInTx(tx, { type: 'broadcast.send_requested', actor, subject: { type: 'broadcast', id }, data: { name: b.name, approvalId: request.id, recipients: over.recipients, reason: over.reason } });
          return { ...b, approvalId: request.id };
        }
      }
      return { ...(await this.scheduleInTx(tx, b, at, actor)), approvalId: null };
    });
  }

  /**
   * What scheduling this broadcast now would do for `actor`, for the editor to say before the
   * click: how many people it reaches (its audience less suppressed addresses; `audience`
   * overrides the saved one with the editor's unsaved choice), whether the actor's role is held
   * to the send limit, the reason it is above it (null when within) and the approval request
   * already waiting for this unchanged draft. The same rules `schedule` applies.
   */
  async sendCheck(
    id: string,
    actor: Actor,
    audience: { listId?: string | null; segmentId?: string | null } = {},
  ): Promise<{ recipients: number | null; limited: boolean; maxRecipients: number; maxPerWeek: number; sendsThisWeek: number; overLimit: string | null; pendingApprovalId: string | null }> {
    const b = await this.get(id);
    const target = audience.listId !== undefined || audience.segmentId !== undefined ? { listId: audience.listId ?? null, segmentId: audience.segmentId ?? null } : { listId: b.listId, segmentId: b.segmentId };
    if (target.segmentId) this.ctx.audience.audienceSql({ segmentId: target.segmentId }); // throws while segments are unavailable
    const limited = isSendLimited(actor);
    return this.ctx.database.transaction(async (tx) => {
      const limits = await this.limits.get(tx);
      const sendsThisWeek = await this.limits.sendsThisWeek(tx);
      const recipients = target.listId || target.segmentId ? await this.limits.audienceSize(tx, target) : null;
      const overLimit = limited && recipients !== null ? overLimitReason(limits, recipients, sendsThisWeek) : null;
      const pendingApprovalId = limited ? await this.pendingRequestFor(tx, b) : null;
      return { recipients, limited, maxRecipients: limits.maxRecipients, maxPerWeek: limits.maxPerWeek, sendsThisWeek, overLimit, pendingApprovalId };
    });
  }

  /** The owner's approval already asked for sending this draft as it now is (an edit since makes it another draft), or null. */
  private async pendingRequestFor(tx: Tx, b: Broadcast): Promise<string | null> {
    if (!this.approvals) return null;
    const version = versionOf(b);
    const pending = await this.approvals.list(tx, { status: 'pending', kind: BROADCAST_SEND_APPROVAL_KIND, subject: { type: 'broadcast', id: b.id } });
    return pending.find((p) => broadcastSendRequestSchema.safeParse(p.data).data?.version === version)?.id ?? null;
  }

  /** Schedules a checked broadcast in `tx` (a send within the limit, or one the owner approved). */
  async scheduleInTx(tx: Tx, b: Broadcast, at: Date | null, actor: Actor, approved = false): Promise<Broadcast> {
    const now = this.ctx.clock.now();
    const when = at && at > now ? at : now;
    const [row] = await tx
      .update(broadcasts)
      .set({ status: 'scheduled', scheduledAt: when, sentBy: actor as unknown as Record<string, string>, updatedAt: now })
      .where(and(eq(broadcasts.id, b.id), inArray(broadcasts.status, EDITABLE)))
      .returning();
    if (!row) throw conflict(approved ? 'The broadcast was sent or deleted after the request' : 'The broadcast changed meanwhile; reload it');
    await this.ctx.events.recordInTx(tx, { type: 'broadcast.scheduled', actor, subject: { type: 'broadcast', id: b.id }, data: { at: when.toISOString(), name: b.name } });
    const delay = Math.max(0, Math.ceil((when.getTime() - now.getTime()) / 1000));
    await this.ctx.jobs.sendInTx(tx, BROADCAST_START_JOB, { broadcastId: b.id }, delay > 0 ? { startAfter: delay } : {});
    return row;
  }

  /** The owner approved a marketing send above the limit: it is scheduled as asked, if the broadcast is unchanged. */
  async approvedSendInTx(tx: Tx, request: BroadcastSendRequest, actor: Actor): Promise<Broadcast> {
    const [b] = await tx.select().from(broadcasts).where(eq(broadcasts.id, request.broadcastId)).for('update');
    if (!b) throw conflict('The broadcast was deleted after the request');
    if (versionOf(b) !== request.version) throw conflict('The broadcast was edited after the request: the owner approves what they read, so ask again');
    return this.scheduleInTx(tx, b, request.at ? new Date(request.at) : null, actor, true);
  }

  /** Back to draft (a scheduled broadcast that has not started). */
  async unschedule(id: string, actor: Actor): Promise<Broadcast> {
    return this.transition(id, ['scheduled'], 'draft', 'broadcast.unscheduled', actor);
  }

  async pause(id: string, actor: Actor): Promise<Broadcast> {
    return this.transition(id, ['sending'], 'paused', 'broadcast.paused', actor, { pausedReason: 'owner', pausedDetail: null });
  }

  async resume(id: string, actor: Actor): Promise<Broadcast> {
    return this.transition(id, ['paused'], 'sending', 'broadcast.resumed', actor, { pausedReason: null, pausedDetail: null, heartbeatAt: this.ctx.clock.now() }, (tx) =>
      this.engine.kickInTx(tx, id),
    );
  }

  async cancel(id: string, actor: Actor): Promise<Broadcast> {
    return this.transition(id, ['scheduled', 'sending', 'paused'], 'cancelled', 'broadcast.cancelled', actor, { finishedAt: this.ctx.clock.now() }, async (tx) => {
      await this.ctx.database.executorFor(tx)(`update broadcast_recipients set status = 'cancelled' where broadcast_id = $1 and status = 'queued'`, [id]);
    });
  }

  private async transition(
    id: string,
    from: BroadcastStatus[],
    to: BroadcastStatus,
    event: 'broadcast.unscheduled' | 'broadcast.paused' | 'broadcast.resumed' | 'broadcast.cancelled',
    actor: Actor,
    extra: Partial<typeof broadcasts.$inferInsert> = {},
    also?: (tx: Tx) => Promise<void>,
  ): Promise<Broadcast> {
    const b = await this.get(id);
    if (!from.includes(b.status)) throw conflict(`A ${b.status} broadcast cannot be ${to === 'sending' ? 'resumed' : to}`);
    return this.ctx.database.transaction(async (tx) => {
      const [row] = await tx
        .update(broadcasts)
        .set({ status: to, ...extra })
        .where(and(eq(broadcasts.id, id), inArray(broadcasts.status, from)))
        .returning();
      if (!row) throw conflict('The broadcast changed meanwhile; reload it');
      await also?.(tx);
      await this.ctx.events.recordInTx(tx, { type: event, actor, subject: { type: 'broadcast', id }, data: { name: b.name, from: b.status } });
      return row;
    });
  }

  /** sent, delivered, opened, clicked, unsubscribed, bounced, complained — unique people each. */
  async stats(id: string) {
    await this.get(id);
    const res = await this.ctx.database.execute<Record<string, number>>(
      `select count(*)::int as recipients,
              count(*) filter (where status = 'queued')::int as queued,
              count(*) filter (where status = 'sending')::int as sending,
              count(*) filter (where status = 'sent')::int as sent,
              count(*) filter (where status = 'failed')::int as failed,
              count(*) filter (where status = 'skipped')::int as skipped,
              count(*) filter (where status = 'cancelled')::int as cancelled,
              count(*) filter (where status = 'sent' and bounced_at is null)::int as delivered,
              count(*) filter (where opened_at is not null)::int as opened,
              coalesce(sum(opens), 0)::int as opens,
              count(*) filter (where clicked_at is not null)::int as clicked,
              coalesce(sum(clicks), 0)::int as clicks,
              count(*) filter (where unsubscribed_at is not null)::int as unsubscribed,
              count(*) filter (where bounced_at is not null)::int as bounced,
              count(*) filter (where bounce_kind = 'hard')::int as hard_bounced,
              count(*) filter (where complained_at is not null)::int as complained,
              coalesce(sum(reclaims), 0)::int as reclaimed
         from broadcast_recipients where broadcast_id = $1`,
      [id],
    );
    const r = Object.fromEntries(Object.entries(res.rows[0]!).map(([k, v]) => [k, Number(v)]));
    const rate = (n: number) => (r.sent ? n / r.sent : 0);
    return {
      recipients: r.recipients!, queued: r.queued!, sending: r.sending!, sent: r.sent!, failed: r.failed!, skipped: r.skipped!, cancelled: r.cancelled!,
      delivered: r.delivered!, opened: r.opened!, opens: r.opens!, clicked: r.clicked!, clicks: r.clicks!, unsubscribed: r.unsubscribed!,
      bounced: r.bounced!, hardBounced: r.hard_bounced!, complained: r.complained!, reclaimed: r.reclaimed!,
      rates: { open: rate(r.opened!), click: rate(r.clicked!), bounce: rate(r.bounced!), complaint: rate(r.complained!), unsubscribe: rate(r.unsubscribed!) },
    };
  }

  async links(id: string) {
    await this.get(id);
    const rows = await this.db.select().from(broadcastLinks).where(eq(broadcastLinks.broadcastId, id)).orderBy(broadcastLinks.idx);
    return rows.map((l) => ({ idx: l.idx, url: l.url, clicks: l.clicks, uniqueClicks: l.uniqueClicks }));
  }

  /**
   * Recipients of one broadcast in the order they were taken (the snapshot), filtered by
   * their row state (queued … cancelled) or by what happened after sending (bounced,
   * complained, opened, clicked, unsubscribed), and by part of the address. Pages by id:
   * `cursor` is the last id of the previous page.
   */
  async recipients(id: string, q: RecipientQuery): Promise<{ recipients: RecipientView[]; total: number; nextCursor: string | null }> {
    await this.get(id);
    const r = broadcastRecipients;
    const filter = and(
      eq(r.broadcastId, id),
      q.status ? RECIPIENT_FILTERS[q.status]() : undefined,
      q.search ? sql`lower(${r.email}) like ${likeNeedle(q.search)}` : undefined,
    );
    const rows = await this.db
      .select({
        id: r.id, contactId: r.contactId, email: r.email, status: r.status, attempts: r.attempts, sentAt: r.sentAt, error: r.error,
        openedAt: r.openedAt, opens: r.opens, clickedAt: r.clickedAt, clicks: r.clicks,
        bouncedAt: r.bouncedAt, bounceKind: r.bounceKind, complainedAt: r.complainedAt, unsubscribedAt: r.unsubscribedAt,
      })
      .from(r)
      .where(and(filter, q.cursor ? gt(r.id, Number(q.cursor)) : undefined))
      .orderBy(asc(r.id))
      .limit(q.limit + 1);
    const [count] = await this.db.select({ n: sql<number>`count(*)::int` }).from(r).where(filter);
    const page = rows.slice(0, q.limit).map((x) => ({ ...x, id: Number(x.id) }));
    return { recipients: page, total: Number(count?.n ?? 0), nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null };
  }
}

