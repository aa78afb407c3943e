// Bounces, complaints and the suppression list, and the reputation guard that pauses a
// broadcast whose bounce or complaint rate says the list (or the content) is hurting the
// sender's reputation.
//
// Rules: a hard bounce suppresses the address at once (contact status `bounced`); three soft
// bounces do the same; one complaint suppresses it (status `complained`). A suppressed
// address gets no bulk mail, and after a hard bounce no mail at all.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { systemActor, type Actor } from '../../actor.js';
import type { Tx } from '../../db/client.js';
import { DomainError } from '../../errors.js';
import { normalizeEmail } from '../audience/index.js';
import type { MailContext } from './context.js';
import { recipientIdFromMessageId, type BounceReport, type BroadcastEngine } from './engine.js';
import { broadcasts, mailBounces } from './schema.js';
import { likeNeedle } from './search.js';

export type { BounceReport } from './engine.js';

export const SOFT_BOUNCE_LIMIT = 3;

export interface BounceQuery {
  broadcastId?: string;
  kind?: BounceReport['kind'];
  /** part of the address */
  search?: string;
  /** the last id of the previous page */
  cursor?: string;
  limit: number;
}

export interface BounceView {
  id: number;
  email: string;
  kind: BounceReport['kind'];
  provider: string;
  detail: string;
  occurredAt: Date;
  contactId: string | null;
  broadcastId: string | null;
  /** null when the bounce belongs to no broadcast (transactional mail) or the broadcast was deleted */
  broadcastName: string | null;
}

export class BounceDesk {
  constructor(
    private readonly ctx: MailContext,
    private readonly engine: BroadcastEngine,
  ) {}

  /** Records each report in its own transaction; then runs the guard for the broadcasts they hit. */
  async record(reports: BounceReport[]): Promise<{ recorded: number; duplicates: number }> {
    let recorded = 0;
    let duplicates = 0;
    const touched = new Set<string>();
    for (const r of reports) {
      const out = await this.ctx.database.transaction((tx) => this.recordOne(tx, r));
      if (out === null) duplicates++;
      else {
        recorded++;
        if (out) touched.add(out);
      }
    }
    for (const id of touched) await this.checkGuard(id);
    return { recorded, duplicates };
  }

  /** Returns the broadcast the bounce belongs to ('' for none), or null for a replayed report. */
  private async recordOne(tx: Tx, r: BounceReport): Promise<string | null> {
    const exec = this.ctx.database.executorFor(tx);
    const email = normalizeEmail(r.email);
    const now = r.occurredAt ?? this.ctx.clock.now();
    // Which message: our Message-ID names the recipient row; otherwise the latest broadcast
    // message to that address.
    const rid = r.recipientId ?? recipientIdFromMessageId(r.messageId);
    const contact = await this.ctx.audience.findByEmail(tx, email);
    const found = rid
      ? await exec<{ id: number; broadcast_id: string; contact_id: string }>('select id, broadcast_id, contact_id from broadcast_recipients where id = $1', [rid])
      : contact
        ? await exec<{ id: number; broadcast_id: string; contact_id: string }>(
            `select id, broadcast_id, contact_id from broadcast_recipients
              where contact_id = $1 and sent_at is not null order by sent_at desc limit 1`,
            [contact.id],
          )
        : { rows: [] };
    const recipient = found.rows[0] ?? null;
    const contactId = recipient?.contact_id ?? contact?.id ?? null;
    const ins = await exec(
      `insert into mail_bounces (email_normalized, kind, provider, provider_event_id, detail, contact_id, broadcast_id, recipient_id, occurred_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (provider, provider_event_id) do nothing returning id`,
      [email, r.kind, r.provider, r.providerEventId ?? null, r.detail.slice(0, 1000), contactId, recipient?.broadcast_id ?? null, recipient ? Number(recipient.id) : null, now],
    );
    if (!ins.rows.length) return null;

    if (recipient) {
      if (r.kind === 'complaint') await exec('update broadcast_recipients set complained_at = coalesce(complained_at, $2) where id = $1', [recipient.id, now]);
      else await exec('update broadcast_recipients set bounced_at = coalesce(bounced_at, $2), bounce_kind = $3 where id = $1', [recipient.id, now, r.kind]);
      await this.engine.addActivity(recipient.broadcast_id, r.kind === 'complaint' ? { complained: 1 } : { bounced: 1 }, tx);
    }

    let suppress = r.kind !== 'soft';
    if (r.kind === 'soft') {
      const soft = await exec<{ n: number }>(`select count(*)::int as n from mail_bounces where email_normalized = $1 and kind = 'soft'`, [email]);
      suppress = Number(soft.rows[0]?.n ?? 0) >= SOFT_BOUNCE_LIMIT;
    }
    const actor: Actor = { kind: 'system', label: r.provider };
    const data = { email, kind: r.kind, provider: r.provider, detail: r.detail.slice(0, 300), broadcastId: recipient?.broadcast_id ?? null };
    await this.ctx.events.recordInTx(tx, {
      type: r.kind === 'complaint' ? 'email.complained' : 'email.bounced',
      actor,
      subject: contactId ? { type: 'contact', id: contactId } : undefined,
      data,
    });
    if (suppress) {
      const reason = r.kind === 'complaint' ? 'complaint' : r.kind === 'hard' ? 'hard_bounce' : 'soft_bounce';
      await this.suppressInTx(tx, email, reason, r.detail, actor, r.kind === 'complaint' ? 'complained' : 'bounced');
    }
    return recipient?.broadcast_id ?? '';
  }

  /**
   * Adds an address to the suppression list, marks the contact, and takes it out of every
   * broadcast still sending.
   */
  async suppressInTx(tx: Tx, email: string, reason: string, detail: string, actor: Actor, status: 'bounced' | 'complained' | null): Promise<void> {
    const exec = this.ctx.database.executorFor(tx);
    const now = this.ctx.clock.now();
    const added = await exec(
      `insert into mail_suppressions (email_normalized, reason, detail, created_at) values ($1, $2, $3, $4) on conflict do nothing returning 1`,
      [email, reason, detail.slice(0, 500), now],
    );
    // Either status ends marketing mail; the audience module owns it (and the rule that a
    // complaint outranks a bounce).
    if (status) await this.ctx.audience.markUndeliverableInTx(tx, email, status);
    const contact = await this.ctx.audience.findByEmail(tx, email);
    if (contact) {
      await exec(`update broadcast_recipients set status = 'skipped', error = 'suppressed' where contact_id = $1 and status = 'queued'`, [contact.id]);
    }
    if (added.rows.length) {
      await this.ctx.events.recordInTx(tx, {
        type: 'contact.suppressed',
        actor,
        subject: contact ? { type: 'contact', id: contact.id } : undefined,
        data: { email, reason },
      });
    }
  }

  async unsuppress(email: string, actor: Actor): Promise<boolean> {
    return this.ctx.database.transaction(async (tx) => {
      const exec = this.ctx.database.executorFor(tx);
      const gone = await exec('delete from mail_suppressions where email_normalized = $1 returning 1', [normalizeEmail(email)]);
      if (!gone.rows.length) return false;
      await this.ctx.events.recordInTx(tx, { type: 'contact.unsuppressed', actor, data: { email: normalizeEmail(email) } });
      return true;
    });
  }

  /**
   * Records a webhook notification that carries a one-time token (Mailgun): the token is
   * remembered until `expiresAt` and a second notification with it is refused as a replay,
   * before anything is recorded. If recording fails the token is forgotten again, so the
   * provider's retry of the same notification is not mistaken for a replay.
   */
  async recordOnce(provider: string, token: { token: string; expiresAt: Date }, reports: BounceReport[]): Promise<{ recorded: number; duplicates: number }> {
    const now = this.ctx.clock.now();
    const claimed = await this.ctx.database.transaction(async (tx) => {
      const exec = this.ctx.database.executorFor(tx);
      // Tokens past their window can go: the timestamp check refuses those notifications anyway.
      await exec('delete from mail_webhook_tokens where expires_at < $1', [now]);
      const ins = await exec(
        'insert into mail_webhook_tokens (provider, token, seen_at, expires_at) values ($1, $2, $3, $4) on conflict do nothing returning 1',
        [provider, token.token, now, token.expiresAt],
      );
      return ins.rows.length > 0;
    });
    if (!claimed) throw new DomainError('conflict', 'Webhook refused: this notification was already received (replayed token)');
    try {
      return await this.record(reports);
    } catch (err) {
      await this.ctx.database.execute('delete from mail_webhook_tokens where provider = $1 and token = $2', [provider, token.token]).catch(() => {});
      throw err;
    }
  }

  /**
   * Which of these addresses are on the suppression list (for any reason, or one of `reasons`),
   * as normalised addresses: one statement for a batch. In `tx` when given (PGlite has one connection).
   */
  async suppressedAmong(emails: string[], reasons?: string[], tx?: Tx): Promise<Set<string>> {
    if (!emails.length) return new Set();
    const exec = tx ? this.ctx.database.executorFor(tx) : this.ctx.database.execute;
    const res = await exec<{ email_normalized: string }>(
      `select email_normalized from mail_suppressions where email_normalized = any($1::text[]) and ($2::text[] is null or reason = any($2::text[]))`,
      [[...new Set(emails.map(normalizeEmail))], reasons ?? null],
      { name: 'mail.suppressed-among' },
    );
    return new Set(res.rows.map((r) => r.email_normalized));
  }

  async isSuppressed(email: string, reasons?: string[]): Promise<boolean> {
    const res = await this.ctx.database.execute<{ reason: string }>('select reason from mail_suppressions where email_normalized = $1', [normalizeEmail(email)]);
    const row = res.rows[0];
    return !!row && (!reasons || reasons.includes(row.reason));
  }

  /**
   * Rolling window: sends, bounces and complaints of this broadcast in the last
   * MAIL_GUARD_WINDOW_MINUTES. Past the minimum sample, a bounce rate above
   * MAIL_GUARD_BOUNCE_RATE or a complaint rate above MAIL_GUARD_COMPLAINT_RATE pauses the
   * broadcast and tells the owner. Returns true when it paused it.
   */
  async checkGuard(broadcastId: string): Promise<boolean> {
    const g = this.ctx.config.guard;
    const since = new Date(this.ctx.clock.now().getTime() - g.windowMinutes * 60_000);
    const res = await this.ctx.database.execute<{ sent: number; bounced: number; complained: number }>(
      `select coalesce(sum(sent), 0)::int as sent, coalesce(sum(bounced), 0)::int as bounced, coalesce(sum(complained), 0)::int as complained
         from broadcast_activity where broadcast_id = $1 and minute >= $2`,
      [broadcastId, new Date(Math.floor(since.getTime() / 60_000) * 60_000)],
    );
    const w = res.rows[0]!;
    const sent = Number(w.sent);
    if (sent < g.minSample) return false;
    const bounceRate = Number(w.bounced) / sent;
    const complaintRate = Number(w.complained) / sent;
    if (bounceRate <= g.bounceRate && complaintRate <= g.complaintRate) return false;
    const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
    const detail =
      bounceRate > g.bounceRate
        ? `Bounce rate ${pct(bounceRate)} (${w.bounced} of ${sent} in the last ${g.windowMinutes} min) is above ${pct(g.bounceRate)}`
        : `Complaint rate ${pct(complaintRate)} (${w.complained} of ${sent} in the last ${g.windowMinutes} min) is above ${pct(g.complaintRate)}`;
    const owners = await this.ctx.ownerEmails();
    return this.ctx.database.transaction(async (tx) => {
      const exec = this.ctx.database.executorFor(tx);
      const paused = await exec<{ name: string }>(
        `update broadcasts set status = 'paused', paused_reason = 'guard', paused_detail = $2 where id = $1 and status = 'sending' returning name`,
        [broadcastId, detail],
      );
      if (!paused.rows.length) return false;
      const name = paused.rows[0]!.name;
      await this.ctx.events.recordInTx(tx, {
        type: 'broadcast.paused_by_guard',
        actor: systemActor,
        subject: { type: 'broadcast', id: broadcastId },
        data: { name, sent, bounced: Number(w.bounced), complained: Number(w.complained), bounceRate, complaintRate, detail },
      });
      for (const to of owners) {
        await this.ctx.queueTransactionalInTx(tx, {
          to,
          tag: 'mail.guard',
          subject: `Paused: "${name}" — ${bounceRate > g.bounceRate ? 'too many bounces' : 'too many spam complaints'}`,
          text:
            `Onehour paused your broadcast "${name}" to protect your sender reputation.\n\n${detail}.\n\n` +
            `What to do: look at the bounces and complaints on the broadcast's page. Clean the list (old or bought addresses bounce; ` +
            `people who did not expect your mail complain), then resume it, or cancel it.\n\n` +
            `Nothing more is sent until someone presses Resume.`,
        });
      }
      return true;
    });
  }

  async listSuppressions(q: { search?: string; limit: number; offset: number }) {
    const res = await this.ctx.database.execute<{ email: string; reason: string; detail: string; created_at: Date }>(
      `select email_normalized as email, reason, detail, created_at from mail_suppressions
        where ($1::text is null or email_normalized like '%' || $1 || '%') order by created_at desc limit $2 offset $3`,
      [q.search?.toLowerCase().replace(/[%_]/g, '') ?? null, q.limit, q.offset],
    );
    return res.rows.map((r) => ({ email: r.email, reason: r.reason, detail: r.detail, createdAt: new Date(r.created_at) }));
  }

  /**
   * Every bounce and complaint received, newest first, optionally for one broadcast, of one
   * kind, or for addresses containing `search`. Ordered by id (the order Onehour recorded
   * them), so paging walks the primary key; `cursor` is the last id of the previous page.
   */
  async listBounces(q: BounceQuery): Promise<{ bounces: BounceView[]; total: number; nextCursor: string | null }> {
    const m = mailBounces;
    const filter = and(
      q.broadcastId ? eq(m.broadcastId, q.broadcastId) : undefined,
      q.kind ? eq(m.kind, q.kind) : undefined,
      q.search ? sql`${m.emailNormalized} like ${likeNeedle(q.search)}` : undefined,
    );
    const rows = await this.ctx.database.db
      .select({
        id: m.id, email: m.emailNormalized, kind: m.kind, provider: m.provider, detail: m.detail, occurredAt: m.occurredAt,
        contactId: m.contactId, broadcastId: m.broadcastId, broadcastName: broadcasts.name,
      })
      .from(m)
      .leftJoin(broadcasts, eq(broadcasts.id, m.broadcastId))
      .where(and(filter, q.cursor ? lt(m.id, Number(q.cursor)) : undefined))
      .orderBy(desc(m.id))
      .limit(q.limit + 1);
    const [count] = await this.ctx.database.db.select({ n: sql<number>`count(*)::int` }).from(m).where(filter);
    const page = rows.slice(0, q.limit).map((r) => ({ ...r, id: Number(r.id), kind: r.kind as BounceView['kind'] }));
    return { bounces: page, total: Number(count?.n ?? 0), nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null };
  }
}
