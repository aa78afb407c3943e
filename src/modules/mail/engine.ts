// The broadcast sending engine.
//
// Crash safety, in one paragraph: recipients are snapshotted into broadcast_recipients when
// sending starts. Workers (pg-boss jobs, any number, any process) claim small batches with
// FOR UPDATE SKIP LOCKED, marking them `sending` with a claim token and a lease, render and
// send each message, and mark it `sent` right after the server's 250 (group commit: one
// UPDATE for whatever was accepted while the previous one ran, so the gap between "server
// accepted" and "we know" is a database round trip or two). A process that dies leaves its
// claimed rows `sending`; when the lease ends they are claimed again and resent with the
// SAME Message-ID, so the only possible duplicate is a message accepted in that gap, and a
// receiving system that deduplicates by Message-ID drops even that. `reclaims` counts such
// rows: the measured upper bound of duplicates. A broadcast is `finished` only when no row
// is queued or sending.
import { randomBytes } from 'node:crypto';
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { CONTACTS_VIEW, LIST_SUBSCRIPTIONS_VIEW } from '../audience/index.js';
import { systemActor, type Actor } from '../../actor.js';
import type { Tx } from '../../db/client.js';
import { bareAddress, domainOf } from './mime.js';
import { compileBroadcast, type CompiledBroadcast, type RecipientContext } from './render.js';
import { MessageComposer, messageIdFor, type ComposeSpec } from './compose.js';
import { classifySmtpError } from './transport.js';
import { GroupWriter } from './group-writer.js';
import { sleep, sleepUntil } from './throttle.js';
import type { MailUrls } from './tokens.js';
import type { MailContext, MailSettings } from './context.js';

/** A bounce or complaint a mailbox provider reported back (parsed in bounces.ts). */
export interface BounceReport {
  email: string;
  kind: 'hard' | 'soft' | 'complaint';
  /** smtp | ses | postmark | mailgun | sendgrid | dsn */
  provider: string;
  providerEventId?: string | null;
  detail: string;
  /** the Message-ID of the message that bounced, when the report carries it */
  messageId?: string | null;
  recipientId?: number | null;
  occurredAt?: Date;
}

export const BROADCAST_START_JOB = 'mail.broadcast-start';
export const BROADCAST_SEND_JOB = 'mail.broadcast-send';

/** A claimed row is reclaimable after this long (also how soon a crash is recovered). */
export const LEASE_SECONDS = 15;
/** A worker job hands over to a fresh job after this long (its stand-in is due 5 s later). */
const WORKER_BUDGET_MS = 20_000;
const MAX_ATTEMPTS = 8;
/**
 * A message may leave this much after its slot. Later than that, the worker takes new slots
 * instead of sending the late ones back to back (less than the throttle's safety margin of a
 * second, so no sliding second ever holds more than the limit).
 */
const LATE_TOLERANCE_MS = 20;
/** Messages per compose task (see sendBatch). */
const COMPOSE_CHUNK = 20;

export interface BroadcastRow {
  id: string;
  name: string;
  subject: string;
  preheader: string;
  format: 'markdown' | 'blocks';
  body: string;
  blocks: unknown[] | null;
  list_id: string | null;
  segment_id: string | null;
  track: boolean;
  status: string;
  sent_by: Record<string, string> | null;
  /** Only where the row was loaded to be started. */
  scheduled_at?: Date | string | null;
  updated_at: Date;
}

interface Claimed {
  id: number;
  contact_id: string;
  attempts: number;
  prev: string;
  /** the claim token of the worker that holds the row */
  claim: string;
}

interface ContactState {
  id: string;
  email: string;
  name: string;
  fields: Record<string, unknown>;
  status: string;
  suppressed: boolean;
  subscribed: boolean;
}

interface Mark {
  id: number;
  status: 'sent' | 'failed' | 'queued' | 'skipped';
  error: string | null;
  /** for `queued`: seconds until the retry */
  delay: number;
}

/**
 * Writes recipient state changes right after they happen, for every worker of this process.
 * One UPDATE runs at a time; whatever finishes while it runs goes into the next one (group
 * commit). The time between "the server accepted it" and "the database knows" is at most
 * that write plus the one before it, and it is the whole window in which a crash can cause
 * a duplicate. One writer per process rather than per batch: a statement per message (or
 * several concurrent ones waiting for pool connections) costs the database more and makes
 * the window longer under load, not shorter.
 */
export class RecipientMarker {
  /** measurements: statements written and marks carried */
  readonly stats = { writes: 0, marks: 0, maxWriteMs: 0 };
  /** microseconds from asking for a mark to its commit: the crash window, less event-loop delay */
  readonly latency: RecordableHistogram = createHistogram();
  private readonly writer = new GroupWriter<Mark>(async (marks) => {
    const t = performance.now();
    try {
      await this.write(marks);
    } finally {
      this.stats.writes++;
      this.stats.marks += marks.length;
      this.stats.maxWriteMs = Math.max(this.stats.maxWriteMs, performance.now() - t);
    }
  });

  constructor(private readonly ctx: Pick<MailContext, 'database' | 'clock'>) {}

  async mark(mark: Mark): Promise<void> {
    const asked = performance.now();
    await this.writer.add(mark);
    this.latency.record(Math.max(1, Math.round((performance.now() - asked) * 1000)));
  }

  private async write(marks: Mark[]): Promise<void> {
    await this.ctx.database.execute(
      `update broadcast_recipients r
          set status = m.status,
              sent_at = case when m.status = 'sent' then $5::timestamptz else r.sent_at end,
              error = m.error,
              claim = null,
              lease_until = null,
              retry_at = case when m.status = 'queued' then clock_timestamp() + make_interval(secs => m.delay) else null end
         from unnest($1::bigint[], $2::text[], $3::text[], $4::int[]) as m(id, status, error, delay)
        where r.id = m.id and r.status in ('sending', 'queued')`,
      [marks.map((m) => m.id), marks.map((m) => m.status), marks.map((m) => m.error), marks.map((m) => m.delay), this.ctx.clock.now()],
      { name: 'mail.mark-recipients' },
    );
  }
}

/** A tiny counting semaphore: how many messages one worker has on the wire at once. */
class Gate {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async enter(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export { messageIdFor };

/** The recipient id inside one of our broadcast Message-IDs. */
export function recipientIdFromMessageId(messageId: string | null | undefined): number | null {
  const m = messageId ? /<?r(\d+)\.[0-9a-f]{8}@/i.exec(messageId) : null;
  return m ? Number(m[1]) : null;
}

export interface EngineHooks {
  /** in-band 5xx answers are bounces */
  recordBounces(reports: BounceReport[]): Promise<void>;
  checkGuard(broadcastId: string): Promise<boolean>;
}

export class BroadcastEngine {
  private compiled = new Map<string, { key: string; value: CompiledBroadcast }>();
  private specs = new Map<string, ComposeSpec>();
  readonly urls: MailUrls;
  readonly composer: MessageComposer;
  /** in-process measurements (benchmarks, tests) */
  readonly stats = { sent: 0, reclaimed: 0, batches: 0, claimMs: 0, batchMs: 0, afterMs: 0 };
  readonly marker: RecipientMarker;

  constructor(
    private readonly ctx: MailContext,
    private readonly hooks: EngineHooks,
  ) {
    this.composer = new MessageComposer(ctx.signer, ctx.publicUrl, ctx.dkim);
    this.urls = this.composer.urls;
    this.marker = new RecipientMarker(ctx);
  }

  private async loadBroadcast(id: string, tx?: Tx, lock = false): Promise<BroadcastRow | null> {
    const q = `select id, name, subject, preheader, format, body, blocks, list_id, segment_id, track, status, sent_by, scheduled_at, updated_at
                 from broadcasts where id = $1${lock ? ' for update' : ''}`;
    const res = tx ? await this.ctx.database.executorFor(tx)<BroadcastRow>(q, [id]) : await this.ctx.database.execute<BroadcastRow>(q, [id]);
    return res.rows[0] ?? null;
  }

  footerFor(b: Pick<BroadcastRow, 'list_id'>, settings: MailSettings, listName?: string) {
    return {
      businessName: settings.businessName,
      postalAddress: settings.postalAddress,
      look: settings.look,
      reason: b.list_id && listName ? `You receive this because you subscribed to ${listName}.` : `You receive this because you subscribed to ${settings.businessName}.`,
    };
  }

  async listName(listId: string | null, tx?: Tx): Promise<string | undefined> {
    if (!listId) return undefined;
    return (await this.ctx.audience.findListName(tx ?? this.ctx.database.db, listId)) ?? undefined;
  }

  /** Compiled templates, cached per broadcast version and settings. */
  async compiledFor(b: BroadcastRow, settings: MailSettings, tx?: Tx): Promise<CompiledBroadcast> {
    const key = `${new Date(b.updated_at).getTime()}|${settings.postalAddress}|${settings.businessName}|${JSON.stringify(settings.look ?? null)}`;
    const hit = this.compiled.get(b.id);
    if (hit && hit.key === key) return hit.value;
    const value = compileBroadcast(
      { subject: b.subject, preheader: b.preheader, format: b.format, body: b.body, blocks: b.blocks as never },
      this.footerFor(b, settings, await this.listName(b.list_id, tx)),
    );
    this.compiled.set(b.id, { key, value });
    return value;
  }

  recipientContext(b: Pick<BroadcastRow, 'id' | 'list_id' | 'track'>, settings: MailSettings, recipientId: number | null, contact: RecipientContext['contact']): RecipientContext {
    return this.composer.recipientContext(b, settings, recipientId, contact);
  }

  /** RFC 2369 + RFC 8058 headers of a bulk message (signed by DKIM with the rest). */
  listHeaders(b: Pick<BroadcastRow, 'id' | 'list_id'>, contactId: string, settings: MailSettings): [string, string][] {
    return this.composer.listHeaders(b, contactId, settings);
  }

  /** What the composer needs to build this broadcast's messages (cached per version and settings). */
  private async composeSpec(b: BroadcastRow, settings: MailSettings): Promise<ComposeSpec> {
    const key = [b.id, new Date(b.updated_at).getTime(), settings.fromAddress, settings.replyTo, settings.businessName, settings.postalAddress, settings.trackingEnabled, JSON.stringify(settings.look ?? null)].join('|');
    const hit = this.specs.get(b.id);
    if (hit && hit.key === key) return hit;
    const spec: ComposeSpec = {
      key,
      broadcast: { id: b.id, list_id: b.list_id, track: b.track },
      content: { subject: b.subject, preheader: b.preheader, format: b.format, body: b.body, blocks: b.blocks as never },
      footer: this.footerFor(b, settings, await this.listName(b.list_id)),
      settings: { fromAddress: settings.fromAddress, replyTo: settings.replyTo, businessName: settings.businessName, trackingEnabled: settings.trackingEnabled },
      domain: this.ctx.dkim?.domain ?? domainOf(settings.fromAddress),
    };
    this.specs.set(b.id, spec);
    return spec;
  }

  // ---- starting -----------------------------------------------------------------------

  /**
   * Snapshots the audience (minus suppressed addresses) into recipients and starts the
   * workers, all in one transaction. Idempotent: a broadcast that is no longer `scheduled`
   * is left alone.
   */
  async start(broadcastId: string): Promise<void> {
    const settings = await this.ctx.settings();
    await this.ctx.database.transaction(async (tx) => {
      const b = await this.loadBroadcast(broadcastId, tx, true);
      if (!b || b.status !== 'scheduled') return;
      // The start job's startAfter is timed by the database's clock, the broadcast by the app's
      // (injected) one: a job that runs before the app's time leaves the broadcast scheduled, and
      // the watchdog (every minute, on the app's clock) starts it when it is due. Without this the
      // demo's "next Tuesday" broadcast was sent at once whenever the demo's today is in the past.
      if (b.scheduled_at && new Date(b.scheduled_at).getTime() > this.ctx.clock.now().getTime()) return;
      const compiled = await this.compiledFor(b, settings, tx);
      const audience = this.ctx.audience.audienceSql({ listId: b.list_id ?? undefined, segmentId: b.segment_id ?? undefined });
      const inserted = await tx.execute(sql`
        with ins as (
          insert into broadcast_recipients (broadcast_id, contact_id, email)
          select ${b.id}, c.id, c.email from ${sql.raw(CONTACTS_VIEW)} c
           where c.id in (${audience})
             and not exists (select 1 from mail_suppressions s where s.email_normalized = c.email_normalized)
          order by c.id
          on conflict do nothing
          returning 1)
        select count(*)::int as n from ins`);
      const total = Number((inserted as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
      const exec = this.ctx.database.executorFor(tx);
      for (let i = 0; i < compiled.links.length; i++) {
        await exec('insert into broadcast_links (broadcast_id, idx, url) values ($1, $2, $3) on conflict do nothing', [b.id, i, compiled.links[i]]);
      }
      const now = this.ctx.clock.now();
      await exec(`update broadcasts set status = 'sending', started_at = $2, recipients_total = $3, heartbeat_at = $2, updated_at = updated_at where id = $1`, [b.id, now, total]);
      const actor = (b.sent_by as Actor | null) ?? systemActor;
      await this.ctx.events.recordInTx(tx, { type: 'broadcast.started', actor, subject: { type: 'broadcast', id: b.id }, data: { recipients: total, name: b.name } });
      for (let i = 0; i < this.ctx.config.sendWorkers; i++) await this.ctx.jobs.sendInTx(tx, BROADCAST_SEND_JOB, { broadcastId: b.id });
    });
  }

  // ---- sending ------------------------------------------------------------------------

  /**
   * One worker: claims and sends batches until the broadcast is done or paused, or its
   * budget is spent, then hands over to a fresh job. Before it starts it queues a stand-in
   * due just after its budget: if this process dies, the stand-in carries on (after the
   * dead worker's leases ran out) instead of waiting for pg-boss to expire the job. A worker
   * that ends normally cancels its stand-in, so each worker is one job at a time.
   */
  async work(broadcastId: string, budgetMs = WORKER_BUDGET_MS): Promise<void> {
    const standIn = await this.ctx.jobs.send(BROADCAST_SEND_JOB, { broadcastId }, { startAfter: Math.ceil(budgetMs / 1000) + 5 });
    let next: { after: number } | null = null;
    try {
      next = await this.loop(broadcastId, performance.now() + budgetMs);
    } finally {
      // Shutting down: the stand-in carries on (here after a restart, or in another process).
      if (standIn && !this.ctx.jobs.stopping) await this.ctx.jobs.boss.cancel(BROADCAST_SEND_JOB, standIn).catch(() => {});
    }
    if (next && !this.ctx.jobs.stopping) await this.ctx.jobs.send(BROADCAST_SEND_JOB, { broadcastId }, next.after > 0 ? { startAfter: next.after } : {});
  }

  /** Returns when to continue (seconds from now), or null when there is nothing more for this worker. */
  private async loop(broadcastId: string, until: number): Promise<{ after: number } | null> {
    // Where this worker's last claim ended: the next claim starts there, past the rows
    // already sent (whose stale index entries a scan from the start would wade through
    // until vacuum). Nothing found there → one scan from the start for retries and rows
    // whose lease ran out.
    let cursor = 0;
    while (performance.now() < until && !this.ctx.jobs.stopping) {
      const b = await this.loadBroadcast(broadcastId);
      if (!b || b.status !== 'sending') return null;
      const settings = await this.ctx.settings();
      const compiled = await this.compiledFor(b, settings);
      let t = performance.now();
      let claimed = await this.claim(b.id, batchSizeFor(settings.ratePerSecond), cursor);
      if (claimed.length === 0 && cursor > 0) claimed = await this.claim(b.id, batchSizeFor(settings.ratePerSecond), 0);
      cursor = claimed.length ? claimed[claimed.length - 1]!.id : 0;
      this.stats.claimMs += performance.now() - t;
      if (claimed.length === 0) return this.drained(b.id);
      t = performance.now();
      // A live worker keeps its lease: on a slow machine a batch (or the mark of what it sent)
      // can take longer than the lease, and a reclaim would send those messages again.
      const renew = setInterval(() => void this.renewLease(claimed).catch(() => {}), (LEASE_SECONDS * 1000) / 3);
      try {
        await this.sendBatch(b, settings, compiled, claimed);
      } finally {
        clearInterval(renew);
      }
      this.stats.batchMs += performance.now() - t;
      t = performance.now();
      const paused = await this.hooks.checkGuard(b.id);
      this.stats.afterMs += performance.now() - t;
      if (paused) return null;
    }
    return { after: 0 };
  }

  /** Extends the lease of this worker's claimed rows that are still `sending` (not yet marked). */
  private async renewLease(claimed: Claimed[]): Promise<void> {
    await this.ctx.database.execute(
      `update broadcast_recipients set lease_until = clock_timestamp() + make_interval(secs => $3)
        where id = any($1::bigint[]) and status = 'sending' and claim = $2`,
      [claimed.map((c) => c.id), claimed[0]?.claim ?? '', LEASE_SECONDS],
    );
  }

  private async claim(broadcastId: string, n: number, after: number): Promise<Claimed[]> {
    const token = randomBytes(8).toString('hex');
    // SKIP LOCKED: concurrent workers (in this process or others) never wait for, nor take,
    // each other's rows. A `sending` row is only taken back once its lease has run out.
    const res = await this.ctx.database.execute<Claimed>(
      `with c as (
         select r.id, r.status as prev from broadcast_recipients r
          where r.broadcast_id = $1 and r.id > $5
            and ((r.status = 'queued' and (r.retry_at is null or r.retry_at <= clock_timestamp()))
                 or (r.status = 'sending' and r.lease_until < clock_timestamp()))
          order by r.id
          limit $2
          for update skip locked)
       update broadcast_recipients r
          set status = 'sending', claim = $3, lease_until = clock_timestamp() + make_interval(secs => $4),
              attempts = r.attempts + 1, reclaims = r.reclaims + (c.prev = 'sending')::int
         from c
        where r.id = c.id
       returning r.id, r.contact_id, r.attempts, c.prev, r.claim`,
      [broadcastId, n, token, LEASE_SECONDS, after],
      { name: 'mail.claim-recipients' },
    );
    return res.rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
  }

  /** The contacts' state now, not at snapshot time: who unsubscribed, bounced or left the list since. */
  private async contactStates(ids: string[], listId: string | null): Promise<Map<string, ContactState>> {
    const res = await this.ctx.database.execute<ContactState>(
      // One primary-key lookup per contact (LATERAL … LIMIT 1 keeps it a nested loop). A
      // plain EXISTS or join may be planned as a hash over the whole list, read again for
      // every batch: 20 000 index entries per batch of 100 on a fresh list.
      `select c.id, c.email, c.name, c.fields, c.status,
              s.email_normalized is not null as suppressed,
              ($2::uuid is null or ls.status = 'subscribed') is true as subscribed
         from ${CONTACTS_VIEW} c
         left join mail_suppressions s on s.email_normalized = c.email_normalized
         left join lateral (select l.status from ${LIST_SUBSCRIPTIONS_VIEW} l
                             where l.contact_id = c.id and l.list_id = $2::uuid limit 1) ls on true
        where c.id = any($1::uuid[])`,
      [ids, listId],
      { name: 'mail.recipient-contacts' },
    );
    return new Map(res.rows.map((r) => [r.id, r]));
  }

  private async sendBatch(b: BroadcastRow, settings: MailSettings, compiled: CompiledBroadcast, claimed: Claimed[]): Promise<void> {
    const marker = this.marker;
    const states = await this.contactStates(claimed.map((c) => c.contact_id), b.list_id);
    const skips: Promise<void>[] = [];
    // Awaited at the end; marked handled now so an early exit never leaves one unhandled.
    const skip = (p: Promise<void>) => {
      p.catch(() => {});
      skips.push(p);
    };
    const eligible: { row: Claimed; contact: ContactState }[] = [];
    for (const row of claimed) {
      const contact = states.get(row.contact_id);
      const why = !contact ? 'contact deleted' : contact.status !== 'active' ? `contact ${contact.status}` : contact.suppressed ? 'suppressed' : !contact.subscribed ? 'left the list' : null;
      if (why) skip(marker.mark({ id: row.id, status: 'skipped', error: why, delay: 0 }));
      else eligible.push({ row, contact: contact! });
      if (row.prev === 'sending') this.stats.reclaimed++;
    }
    let sent = 0;
    let failed = 0;
    const bounces: BounceReport[] = [];

    if (!this.ctx.smtp) {
      // Outbox (no SMTP_URL): the rendered messages and their `sent` marks commit together.
      await this.ctx.database.transaction(async (tx) => {
        const exec = this.ctx.database.executorFor(tx);
        const now = this.ctx.clock.now();
        for (const { row, contact } of eligible) {
          const m = compiled.render(this.recipientContext(b, settings, row.id, contact));
          await exec(
            `insert into mail_messages (stream, tag, to_address, from_address, subject, text, html, headers, status, contact_id, created_at, sent_at, message_id)
             values ('broadcast', $1, $2, $3, $4, $5, $6, $7, 'stored', $8, $9, $9, $10)`,
            [`broadcast:${b.id}`, contact.email, settings.fromAddress, m.subject, m.text, m.html, JSON.stringify(Object.fromEntries(this.listHeaders(b, contact.id, settings))), contact.id, now, messageIdFor(row.id, b.id, domainOf(settings.fromAddress))],
          );
        }
        if (eligible.length) {
          await exec(`update broadcast_recipients set status = 'sent', sent_at = $2, claim = null, lease_until = null where id = any($1::bigint[])`, [eligible.map((e) => e.row.id), now]);
        }
      });
      sent = eligible.length;
    } else {
      const smtp = this.ctx.smtp;
      const envelopeFrom = this.ctx.config.bounceAddress ?? bareAddress(settings.fromAddress);
      const limits = { perSecond: settings.ratePerSecond, perHour: settings.ratePerHour };
      const limited = limits.perSecond > 0 || limits.perHour > 0;
      let queue = eligible;
      let slots: { startAt: number; intervalMs: number } | null = null;
      let slot = 0;
      /** Takes slots for the next n messages; hands back what the hourly cap does not allow. */
      const reserve = async (from: number) => {
        const want = queue.length - from;
        const r = await this.ctx.throttle.reserve(want, limits, { bulk: true });
        if (r.granted < want) {
          const delay = Math.ceil(r.nextHourInMs / 1000) + 1;
          for (const e of queue.slice(from + r.granted)) skip(marker.mark({ id: e.row.id, status: 'queued', error: 'hourly limit reached', delay }));
          queue = queue.slice(0, from + r.granted);
        }
        slots = limits.perSecond > 0 ? r : null;
        slot = 0;
      };
      if (limited) await reserve(0);
      // Composed in chunks, the next one while this one goes out: rendering is synchronous,
      // and an event loop held for a whole batch would hold back the servers' replies, and
      // with them the `sent` marks (the crash window). DKIM signing runs on libuv's thread
      // pool meanwhile. (Worker threads for rendering were measured on a 2-core machine:
      // 0.17 ms more CPU per message and a lower rate, so the work stays on this thread.)
      const spec = await this.composeSpec(b, settings);
      const composed: Promise<string[]>[] = [];
      const composedUpTo = (i: number) => {
        for (let k = composed.length; k <= Math.floor(i / COMPOSE_CHUNK) && k * COMPOSE_CHUNK < queue.length; k++) {
          const part = queue.slice(k * COMPOSE_CHUNK, (k + 1) * COMPOSE_CHUNK).map(({ row, contact }) => ({ id: row.id, contact }));
          const p = this.composer.compose(spec, part, this.ctx.clock.now());
          // One not reached (the batch stopped early) must not surface as an unhandled rejection.
          p.catch(() => {});
          composed.push(p);
        }
      };
      const inflight: Promise<void>[] = [];
      const fail = async (row: Claimed, contact: ContactState, err: unknown) => {
        const f = classifySmtpError(err);
        if (f.permanent || row.attempts >= MAX_ATTEMPTS) {
          failed++;
          await marker.mark({ id: row.id, status: 'failed', error: f.message, delay: 0 });
          if (f.permanent) bounces.push({ email: contact.email, kind: 'hard', provider: 'smtp', detail: f.message, recipientId: row.id });
        } else {
          // 4xx or connection trouble: back off 30 s, 1 min, 2 min … up to an hour.
          await marker.mark({ id: row.id, status: 'queued', error: f.message, delay: Math.min(3600, 30 * 2 ** (row.attempts - 1)) });
        }
      };
      // However the loop ends, every message already on the wire is waited for.
      try {
        for (let i = 0; i < queue.length; i++) {
          const { row, contact } = queue[i]!;
          composedUpTo(i + COMPOSE_CHUNK);
          const signed = (await composed[Math.floor(i / COMPOSE_CHUNK)]!)[i % COMPOSE_CHUNK]!;
          let lane;
          try {
            lane = await smtp.acquire();
          } catch (err) {
            // The server is unreachable: give this one back for later and do not spin.
            await fail(row, contact, err);
            await sleep(1000);
            continue;
          }
          if (slots) {
            let gone = false;
            for (;;) {
              const s = slots as { startAt: number; intervalMs: number };
              const at = s.startAt + slot * s.intervalMs;
              if (performance.now() <= at + LATE_TOLERANCE_MS) {
                // Wait for the slot, but not through a shutdown: give the rest back instead.
                while (performance.now() < at - 200 && !this.ctx.jobs.stopping) await sleep(200);
                if (this.ctx.jobs.stopping) {
                  for (const e of queue.slice(i)) skip(marker.mark({ id: e.row.id, status: 'queued', error: null, delay: 0 }));
                  gone = true;
                  break;
                }
                await sleepUntil(at);
                // Overslept (a busy event loop) counts as late too.
                if (performance.now() <= at + LATE_TOLERANCE_MS) break;
              }
              // Behind schedule: never catch up in a burst; take fresh slots.
              await reserve(i);
              if (i >= queue.length || !slots) {
                gone = true;
                break;
              }
            }
            if (gone) {
              smtp.release(lane);
              break;
            }
            slot++;
          }
          inflight.push(
            lane.send({ from: envelopeFrom, to: contact.email }, signed).then(
              async () => {
                smtp.release(lane);
                sent++;
                this.stats.sent++;
                await marker.mark({ id: row.id, status: 'sent', error: null, delay: 0 });
              },
              async (err) => {
                smtp.release(lane);
                await fail(row, contact, err);
              },
            ),
          );
        }
      } finally {
        await Promise.allSettled(inflight);
      }
      await settleAll(inflight);
    }
    await settleAll(skips);
    this.stats.batches++;
    const now = this.ctx.clock.now();
    await this.ctx.database.execute(
      `update broadcasts set sent_count = sent_count + $2, failed_count = failed_count + $3, skipped_count = skipped_count + $4, heartbeat_at = $5 where id = $1`,
      [b.id, sent, failed, claimed.length - eligible.length, now],
    );
    if (sent) await this.addActivity(b.id, { sent });
    if (bounces.length) await this.hooks.recordBounces(bounces);
  }

  async addActivity(broadcastId: string, d: { sent?: number; bounced?: number; complained?: number }, tx?: Tx): Promise<void> {
    const minute = new Date(Math.floor(this.ctx.clock.now().getTime() / 60_000) * 60_000);
    const q = `insert into broadcast_activity (broadcast_id, minute, sent, bounced, complained) values ($1, $2, $3, $4, $5)
               on conflict (broadcast_id, minute) do update
                 set sent = broadcast_activity.sent + excluded.sent, bounced = broadcast_activity.bounced + excluded.bounced,
                     complained = broadcast_activity.complained + excluded.complained`;
    const args = [broadcastId, minute, d.sent ?? 0, d.bounced ?? 0, d.complained ?? 0];
    if (tx) await this.ctx.database.executorFor(tx)(q, args);
    else await this.ctx.database.execute(q, args);
  }

  /**
   * Nothing to claim right now. Finished when no row is queued or sending; otherwise come
   * back when the next retry is due or another worker's lease ends.
   */
  private async drained(broadcastId: string): Promise<{ after: number } | null> {
    const res = await this.ctx.database.execute<{ open: number; wait_s: number | null }>(
      `select count(*)::int as open,
              extract(epoch from (least(min(retry_at) filter (where status = 'queued'), max(lease_until) filter (where status = 'sending')) - clock_timestamp())) as wait_s
         from broadcast_recipients where broadcast_id = $1 and status in ('queued', 'sending')`,
      [broadcastId],
    );
    const { open, wait_s } = res.rows[0] ?? { open: 0, wait_s: null };
    if (Number(open) > 0) return { after: Math.max(1, Math.ceil(Number(wait_s ?? 1)) + 1) };
    await this.finish(broadcastId);
    return null;
  }

  async finish(broadcastId: string): Promise<void> {
    await this.ctx.database.transaction(async (tx) => {
      const exec = this.ctx.database.executorFor(tx);
      const counts = await exec<{ open: number; sent: number; failed: number; skipped: number; reclaims: number }>(
        `select count(*) filter (where status in ('queued', 'sending'))::int as open,
                count(*) filter (where status = 'sent')::int as sent,
                count(*) filter (where status = 'failed')::int as failed,
                count(*) filter (where status = 'skipped')::int as skipped,
                coalesce(sum(reclaims), 0)::int as reclaims
           from broadcast_recipients where broadcast_id = $1`,
        [broadcastId],
      );
      const c = counts.rows[0]!;
      if (c.open > 0) return;
      const done = await exec(
        `update broadcasts set status = 'finished', finished_at = $2, sent_count = $3, failed_count = $4, skipped_count = $5
          where id = $1 and status = 'sending' returning id`,
        [broadcastId, this.ctx.clock.now(), c.sent, c.failed, c.skipped],
      );
      if (!done.rows.length) return;
      await this.ctx.events.recordInTx(tx, {
        type: 'broadcast.finished',
        actor: systemActor,
        subject: { type: 'broadcast', id: broadcastId },
        data: { sent: c.sent, failed: c.failed, skipped: c.skipped, reclaimed: c.reclaims },
      });
    });
  }

  /** Starts more workers for a broadcast (watchdog). */
  async kick(broadcastId: string): Promise<void> {
    for (let i = 0; i < this.ctx.config.sendWorkers; i++) await this.ctx.jobs.send(BROADCAST_SEND_JOB, { broadcastId });
  }

  /** Starts more workers for a broadcast, in the caller's transaction (resume). */
  async kickInTx(tx: Tx, broadcastId: string): Promise<void> {
    for (let i = 0; i < this.ctx.config.sendWorkers; i++) await this.ctx.jobs.sendInTx(tx, BROADCAST_SEND_JOB, { broadcastId });
  }

  /**
   * Every minute: start scheduled broadcasts that are due (their job may have been lost with
   * a database restore) and restart any sending broadcast whose workers stopped making
   * progress (their jobs exhausted retries).
   */
  async watchdog(): Promise<void> {
    const now = this.ctx.clock.now();
    const due = await this.ctx.database.execute<{ id: string }>(`select id from broadcasts where status = 'scheduled' and scheduled_at <= $1`, [now]);
    for (const { id } of due.rows) await this.start(id);
    const stalled = await this.ctx.database.execute<{ id: string }>(
      // Only when something could be sent right now: a broadcast waiting for its retries or
      // for the next hour's allowance is not stalled.
      `select b.id from broadcasts b
        where b.status = 'sending' and (b.heartbeat_at is null or b.heartbeat_at < $1)
          and exists (select 1 from broadcast_recipients r
                       where r.broadcast_id = b.id
                         and ((r.status = 'queued' and (r.retry_at is null or r.retry_at <= clock_timestamp()))
                              or (r.status = 'sending' and r.lease_until < clock_timestamp())))`,
      [new Date(now.getTime() - 2 * 60_000)],
    );
    for (const { id } of stalled.rows) {
      this.ctx.log.warn({ broadcastId: id }, 'broadcast made no progress for 2 minutes; restarting its workers');
      await this.ctx.database.execute('update broadcasts set heartbeat_at = $2 where id = $1', [id, now]);
      await this.kick(id);
    }
  }
}

/** Waits for every promise, then throws the first failure (none is left unhandled). */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Claim about a quarter second of sending at a time (1..100): short leases, quick pauses. */
export function batchSizeFor(ratePerSecond: number): number {
  if (ratePerSecond <= 0) return 100;
  return Math.max(1, Math.min(100, Math.ceil(ratePerSecond / 4)));
}
