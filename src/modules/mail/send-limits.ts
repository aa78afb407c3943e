// The marketing role's bounded authority over broadcasts: how many people one send may reach
// and how many sends a rolling week may hold. The owner sets it; a send by the marketing role
// above it becomes an approval request (kind `mail.broadcast_send`) and waits for the owner, as
// support's refunds above a limit do. The owner and admins are not limited.
import { sql } from 'drizzle-orm';
import { CONTACTS_VIEW } from '../audience/index.js';
import type { z } from 'zod';
import { sendLimitsShape } from './contract.js';
import type { Actor } from '../../actor.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { getSetting, putSetting } from '../../db/secrets.js';
import type { MailContext } from './context.js';

/** The contract's shape (the owner's PUT takes and answers it); kept here under its old name. */
export const marketingSendLimitsSchema = sendLimitsShape;
export type MarketingSendLimits = z.infer<typeof marketingSendLimitsSchema>;

export const defaultMarketingSendLimits: MarketingSendLimits = { maxRecipients: 500, maxPerWeek: 1 };

/** The roles a send limit applies to (the owner and admins send freely). */
export function isSendLimited(actor: Actor): boolean {
  return actor.kind === 'assistant' && actor.role === 'marketing';
}

const KEY = 'mail.send_limits.marketing';
const WEEK_MS = 7 * 86_400_000;

export class SendLimits {
  constructor(private readonly ctx: MailContext) {}

  async get(db: DbOrTx = this.ctx.database.db): Promise<MarketingSendLimits> {
    const stored = await getSetting<unknown>(db as Db, KEY);
    const parsed = marketingSendLimitsSchema.safeParse(stored);
    return parsed.success ? parsed.data : defaultMarketingSendLimits;
  }

  /** Sets the marketing role's limits in the caller's transaction (the owner's settings page, an accepted delegation). */
  async setInTx(tx: Tx, limits: MarketingSendLimits, actor: Actor): Promise<MarketingSendLimits> {
    const next = marketingSendLimitsSchema.parse(limits);
    const before = await this.get(tx);
    await putSetting(tx as unknown as Db, KEY, next, this.ctx.clock.now());
    await this.ctx.events.recordInTx(tx, { type: 'mail.send_limits_changed', actor, data: { role: 'marketing', ...next, previousMaxRecipients: before.maxRecipients, previousMaxPerWeek: before.maxPerWeek } });
    return next;
  }

  /** How many people a broadcast would reach now: its audience less suppressed addresses (the engine's snapshot, counted). */
  async audienceSize(db: DbOrTx, b: { listId: string | null; segmentId: string | null }): Promise<number> {
    const audience = this.ctx.audience.audienceSql({ listId: b.listId ?? undefined, segmentId: b.segmentId ?? undefined });
    const r = await db.execute(sql`
      select count(*)::int as n from ${sql.raw(CONTACTS_VIEW)} c
       where c.id in (${audience})
         and not exists (select 1 from mail_suppressions s where s.email_normalized = c.email_normalized)`);
    return Number((r as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
  }

  /** Broadcasts the marketing role scheduled to go out in the 7 days before `now` or later (not drafts, not cancelled). */
  async sendsThisWeek(db: DbOrTx): Promise<number> {
    const since = new Date(this.ctx.clock.now().getTime() - WEEK_MS);
    const r = await db.execute(sql`
      select count(*)::int as n from broadcasts
       where sent_by ->> 'kind' = 'assistant' and sent_by ->> 'role' = 'marketing'
         and status in ('scheduled', 'sending', 'paused', 'finished')
         and scheduled_at >= ${since}`);
    return Number((r as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
  }

  /** Why this send is above the limit (a sentence for the owner), or null when it is within it. */
  async overLimitInTx(tx: Tx, b: { listId: string | null; segmentId: string | null }): Promise<{ reason: string; recipients: number } | null> {
    const limits = await this.get(tx);
    const recipients = await this.audienceSize(tx, b);
    // Above the size limit the weekly count does not matter: not read.
    const sends = recipients > limits.maxRecipients ? 0 : await this.sendsThisWeek(tx);
    const reason = overLimitReason(limits, recipients, sends);
    return reason ? { reason, recipients } : null;
  }
}

/** Why a send to `recipients` people, with `sendsThisWeek` marketing sends already made, is above `limits`; null within them. */
export function overLimitReason(limits: MarketingSendLimits, recipients: number, sendsThisWeek: number): string | null {
  if (recipients > limits.maxRecipients) return `${recipients} recipients, above the marketing limit of ${limits.maxRecipients} per send`;
  if (sendsThisWeek >= limits.maxPerWeek) return `${sendsThisWeek + 1} sends in 7 days, above the marketing limit of ${limits.maxPerWeek}`;
  return null;
}
