// What recipients do with a message: opens (pixel), clicks (signed redirects) and
// unsubscribes (RFC 8058 one-click, or the confirm page). Only the first open of a
// recipient and the first click of each link become events (segments read them); the
// counts live in the recipients and links tables.
import type { Actor } from '../../actor.js';
import { DomainError } from '../../errors.js';
import { tagOwnLink } from '../analytics/index.js';
import type { MailContext } from './context.js';
import { readClickToken, readOpenToken, readUnsubscribeToken, type UnsubscribeClaim } from './tokens.js';

export class TrackingDesk {
  constructor(private readonly ctx: MailContext) {}

  /** Records an open. Unknown or forged tokens are ignored (the pixel is served anyway). */
  async recordOpen(token: string): Promise<void> {
    const rid = readOpenToken(this.ctx.signer, token, this.ctx.clock.now());
    if (rid === null) return;
    await this.ctx.database.transaction(async (tx) => {
      const exec = this.ctx.database.executorFor(tx);
      const res = await exec<{ first: boolean; contact_id: string; broadcast_id: string }>(
        `update broadcast_recipients set opens = opens + 1, opened_at = coalesce(opened_at, $2)
          where id = $1 returning (opens = 1) as first, contact_id, broadcast_id`,
        [rid, this.ctx.clock.now()],
      );
      const r = res.rows[0];
      if (!r?.first) return;
      await this.ctx.events.recordInTx(tx, {
        type: 'email.opened',
        actor: { kind: 'customer', id: r.contact_id },
        subject: { type: 'contact', id: r.contact_id },
        data: { broadcastId: r.broadcast_id },
      });
    });
  }

  /** Records a click and returns where to send the person (null: not one of our links). */
  async recordClick(token: string): Promise<string | null> {
    const t = readClickToken(this.ctx.signer, token, this.ctx.clock.now());
    if (!t) return null;
    return this.ctx.database.transaction(async (tx) => {
      const exec = this.ctx.database.executorFor(tx);
      const now = this.ctx.clock.now();
      const link = await exec<{ url: string; broadcast_id: string; contact_id: string; opened: boolean; broadcast_name: string }>(
        `select l.url, r.broadcast_id, r.contact_id, r.opened_at is not null as opened, b.name as broadcast_name
           from broadcast_recipients r join broadcast_links l on l.broadcast_id = r.broadcast_id and l.idx = $2
           join broadcasts b on b.id = r.broadcast_id
          where r.id = $1`,
        [t.recipientId, t.idx],
      );
      const l = link.rows[0];
      if (!l) return null;
      const first = await exec(
        `insert into broadcast_link_clicks (recipient_id, idx, first_at) values ($1, $2, $3)
         on conflict (recipient_id, idx) do update set count = broadcast_link_clicks.count + 1 returning (count = 1) as first`,
        [t.recipientId, t.idx, now],
      );
      const isFirst = Boolean((first.rows[0] as { first: boolean }).first);
      await exec(
        `update broadcast_links set clicks = clicks + 1, unique_clicks = unique_clicks + $3 where broadcast_id = $1 and idx = $2`,
        [l.broadcast_id, t.idx, isFirst ? 1 : 0],
      );
      // A click proves the message was opened even when images were blocked.
      await exec(
        `update broadcast_recipients set clicks = clicks + 1, clicked_at = coalesce(clicked_at, $2),
                opened_at = coalesce(opened_at, $2), opens = greatest(opens, 1) where id = $1`,
        [t.recipientId, now],
      );
      const actor: Actor = { kind: 'customer', id: l.contact_id };
      const subject = { type: 'contact', id: l.contact_id };
      if (!l.opened) await this.ctx.events.recordInTx(tx, { type: 'email.opened', actor, subject, data: { broadcastId: l.broadcast_id } });
      if (isFirst) await this.ctx.events.recordInTx(tx, { type: 'email.clicked', actor, subject, data: { broadcastId: l.broadcast_id, url: l.url } });
      // A link to our own site says which broadcast brought the visit (analytics: email channel).
      return tagOwnLink(l.url, this.ctx.publicUrl, l.broadcast_name);
    });
  }

  readUnsubscribe(token: string): UnsubscribeClaim {
    const claim = readUnsubscribeToken(this.ctx.signer, token, this.ctx.clock.now());
    if (!claim) throw new DomainError('invalid_token', 'This unsubscribe link is not valid. Use the link in your most recent email, or the email preferences page.');
    return claim;
  }

  /**
   * Unsubscribes at once (from the list the broadcast went to, or from all marketing mail)
   * and takes the contact out of every broadcast still sending to them.
   */
  async unsubscribe(token: string, via: 'one-click' | 'confirm-page' | 'mailto'): Promise<{ contactId: string; listName: string | null }> {
    const claim = this.readUnsubscribe(token);
    return this.ctx.database.transaction(async (tx) => {
      const exec = this.ctx.database.executorFor(tx);
      const contact = await this.ctx.audience.findById(tx, claim.c);
      if (!contact) throw new DomainError('invalid_token', 'This address is no longer on our lists.');
      const listName = claim.l ? await this.ctx.audience.findListName(tx, claim.l) : null;
      const listId = listName !== null ? claim.l! : undefined;
      await this.ctx.audience.unsubscribeInTx(tx, { contactId: claim.c, listId, actor: { kind: 'customer', id: claim.c }, via });
      await exec(
        `update broadcast_recipients r set status = 'skipped', error = 'unsubscribed'
           from broadcasts b
          where b.id = r.broadcast_id and r.contact_id = $1 and r.status = 'queued'
            and b.status in ('sending', 'paused', 'scheduled')
            and ($2::uuid is null or b.list_id = $2::uuid)`,
        [claim.c, listId ?? null],
      );
      if (claim.b) {
        await exec('update broadcast_recipients set unsubscribed_at = coalesce(unsubscribed_at, $3) where broadcast_id = $1 and contact_id = $2', [claim.b, claim.c, this.ctx.clock.now()]);
      }
      return { contactId: claim.c, listName };
    });
  }
}
