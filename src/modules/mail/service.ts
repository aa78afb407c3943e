// The mail module's one service: transactional mail (queued in the caller's transaction,
// delivered by a high-priority job), the broadcast desk and engine, bounces and
// suppression, tracking and unsubscribes. Both kinds of mail leave through one pipeline:
// build → DKIM-sign → global throttle → SMTP pool (or the outbox when no SMTP_URL is set).
import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { systemActor, type Actor } from '../../actor.js';
import type { DbOrTx, Tx } from '../../db/client.js';
import { notFound } from '../../errors.js';
import { normalizeEmail } from '../audience/index.js';
import { BounceDesk, type BounceReport } from './bounces.js';
import { GroupWriter } from './group-writer.js';
import { BroadcastDesk, type BroadcastApprovals } from './broadcasts.js';
import type { MarketingSendLimits } from './send-limits.js';
import { SettingsStore, type MailContext, type MailDeps, type MailSettings } from './context.js';
import { DkimSigner } from './dkim.js';
import { BroadcastEngine } from './engine.js';
import { bareAddress, buildMime, domainOf } from './mime.js';
import { emailShell, textToHtml } from './layout.js';
import { mailMessages } from './schema.js';
import { createSealer, redact, secretsIn, type Sealer } from './sealed.js';
import { sleepUntil, Throttle } from './throttle.js';
import { TrackingDesk } from './tracking.js';
import { mailUrls } from './tokens.js';
import { parseDsn } from './webhooks.js';
import { classifySmtpError, SmtpTransport } from './transport.js';

export const SEND_TRANSACTIONAL_JOB = 'mail.send-transactional';
/** Delivers many queued messages at once (`queueManyInTx`): one job per `sendBatchSize` of them. */
export const SEND_BATCH_JOB = 'mail.send-batch';
/**
 * How long one `mail.send-batch` job may run before pg-boss hands it to another worker (a
 * killed worker's messages are sent again after this, with the same Message-ID).
 */
export const SEND_BATCH_EXPIRE_SECONDS = 120;

/**
 * Messages one `mail.send-batch` job carries: the configured MAIL_SEND_BATCH, but never more
 * than a minute of sending at the global rate, so a live job ends well inside its expiry
 * (SEND_BATCH_EXPIRE_SECONDS) and is not handed out a second time while it still sends.
 */
export function sendBatchSize(configured: number, ratePerSecond: number): number {
  if (!(ratePerSecond > 0)) return configured;
  return Math.max(1, Math.min(configured, Math.floor(ratePerSecond * 60)));
}
/** `mail.send-batch` attempts (the job's retry limit + 1): the last one fails what is still temporarily refused. */
export const SEND_BATCH_ATTEMPTS = 9;

export interface TransactionalMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  tag: string;
  contactId?: string;
  headers?: Record<string, string>;
  /**
   * Values that grant something on their own (the token of a sign-in, reset or invitation
   * link). They are never stored readable: see sealed.ts. Links of those kinds are found
   * without being named here too.
   */
  secrets?: string[];
  /**
   * Names the Message-ID (`<key@domain>`) instead of the stored row: a caller that may queue
   * the same message again after a crash (an automation step) gives a stable key, so the copy
   * is recognisable at the receiving end.
   */
  messageKey?: string;
}

/** What the send job carries: the message id and, for mail with secrets, the sealed message as sent. */
export interface SendTransactionalJob {
  messageId: string;
  sealed?: string;
}

/** One message's outcome in `deliverMany`, written with others in one statement. */
interface Finished {
  id: string;
  status: 'sent' | 'stored' | 'failed' | 'queued';
  error: string | null;
  messageId: string | null;
  contactId: string | null;
  tag: string;
}

interface SealedMessage {
  subject: string;
  text: string;
  html: string | null;
}

export class MailService {
  private readonly ctx: MailContext;
  private readonly store: SettingsStore;
  private readonly sealer: Sealer;
  /** The outcomes of `mail.send-batch` jobs, every job of this process in one stream of writes. */
  private readonly finisher = new GroupWriter<Finished>((done) => this.finishMany(done));
  readonly engine: BroadcastEngine;
  readonly broadcasts: BroadcastDesk;
  readonly bounces: BounceDesk;
  readonly tracking: TrackingDesk;

  constructor(deps: MailDeps) {
    this.store = new SettingsStore(deps);
    this.sealer = createSealer(deps.secretKey, 'mail-secrets');
    const c = deps.config;
    this.ctx = {
      ...deps,
      smtp: c.smtpUrl ? new SmtpTransport(c.smtpUrl, c.smtpConnections) : null,
      dkim: c.dkim ? new DkimSigner(c.dkim) : null,
      throttle: new Throttle(deps.database),
      settings: (db) => this.store.get(db),
      queueTransactionalInTx: (tx, m) => this.queueTransactionalInTx(tx, m),
    };
    this.engine = new BroadcastEngine(this.ctx, {
      recordBounces: async (reports) => {
        await this.bounces.record(reports);
      },
      checkGuard: (id) => this.bounces.checkGuard(id),
    });
    this.broadcasts = new BroadcastDesk(this.ctx, this.engine);
    this.bounces = new BounceDesk(this.ctx, this.engine);
    this.tracking = new TrackingDesk(this.ctx);
  }

  /** Binds the approvals module (src/app.ts): a marketing send above its limit becomes a request. */
  useApprovals(approvals: BroadcastApprovals): void {
    this.broadcasts.useApprovals(approvals);
  }

  /** The marketing role's send limits (the owner's; read fresh, the check reads them in its own transaction). */
  marketingSendLimits(db?: DbOrTx): Promise<MarketingSendLimits> {
    return this.broadcasts.limits.get(db);
  }

  /** Sets the marketing role's send limits in the caller's transaction (an accepted delegation). */
  setMarketingSendLimitsInTx(tx: Tx, limits: MarketingSendLimits, actor: Actor): Promise<MarketingSendLimits> {
    return this.broadcasts.limits.setInTx(tx, limits, actor);
  }

  async setMarketingSendLimits(limits: MarketingSendLimits, actor: Actor): Promise<MarketingSendLimits> {
    return this.ctx.database.transaction((tx) => this.setMarketingSendLimitsInTx(tx, limits, actor));
  }

  /** Broadcasts the marketing role has scheduled in the last 7 days (what the weekly limit counts). */
  marketingSendsThisWeek(): Promise<number> {
    return this.broadcasts.limits.sendsThisWeek(this.ctx.database.db);
  }

  get outboxOnly(): boolean {
    return this.ctx.smtp === null;
  }

  get dkimDomain(): string | null {
    return this.ctx.dkim?.domain ?? null;
  }

  /**
   * The headers and footer link that make a one-to-one message marketing mail (automation
   * emails): RFC 8058 one-click unsubscribe, signed like a broadcast's.
   */
  async marketingHeaders(contactId: string, feedbackId: string, db?: DbOrTx): Promise<{ headers: Record<string, string>; unsubscribeUrl: string }> {
    const settings = await this.store.get(db);
    const urls = mailUrls(this.ctx.signer, this.ctx.publicUrl);
    const claim = { c: contactId, b: null, l: null };
    const domain = domainOf(settings.fromAddress);
    return {
      unsubscribeUrl: urls.unsubscribe(claim),
      headers: {
        'List-Unsubscribe': `<${urls.unsubscribe(claim)}>, <${urls.unsubscribeMailto(claim, domain)}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'Feedback-ID': `${feedbackId.replace(/[^a-z0-9-]/gi, '').slice(0, 12)}:automation:onehour`,
      },
    };
  }

  settings(): Promise<MailSettings> {
    return this.store.get();
  }

  /** The business's brand changed: the next message reads it again (other processes within 2 s). */
  brandChanged(): void {
    this.store.forget();
  }

  updateSettings(patch: Partial<MailSettings>): Promise<MailSettings> {
    return this.store.put(patch);
  }

  /**
   * Queues a message inside the caller's transaction; the send job is enqueued in it too.
   * A message carrying secrets is stored with each one replaced by [hidden] (what the outbox,
   * its API, logs and exports can show); the message as sent is sealed into the job's data.
   */
  async queueTransactionalInTx(tx: Tx, message: TransactionalMessage): Promise<string> {
    const settings = await this.store.get(tx);
    message = branded(message, settings);
    const secrets = [...new Set([...(message.secrets ?? []).filter((s) => s.length > 0), ...secretsIn(message.subject, message.text, message.html)])];
    const shown = secrets.length
      ? { subject: redact(message.subject, secrets), text: redact(message.text, secrets), html: message.html === undefined ? null : redact(message.html, secrets) }
      : { subject: message.subject, text: message.text, html: message.html ?? null };
    const [row] = await tx
      .insert(mailMessages)
      .values({
        stream: 'transactional',
        tag: message.tag,
        toAddress: message.to,
        fromAddress: settings.fromAddress,
        ...shown,
        headers: message.headers ? Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, redact(v, secrets)])) : {},
        status: 'queued',
        messageId: message.messageKey ? `<${message.messageKey}@${this.ctx.dkim?.domain ?? domainOf(settings.fromAddress)}>` : null,
        contactId: message.contactId ?? null,
        createdAt: this.ctx.clock.now(),
      })
      .returning({ id: mailMessages.id });
    const job: SendTransactionalJob = { messageId: row!.id };
    if (secrets.length) job.sealed = this.sealer.seal({ subject: message.subject, text: message.text, html: message.html ?? null } satisfies SealedMessage);
    await this.ctx.jobs.sendInTx(tx, SEND_TRANSACTIONAL_JOB, { ...job });
    return row!.id;
  }

  /**
   * Job handler. Idempotent: a message already sent or stored is left alone. Counts toward
   * the global rate but is never held by the hourly cap, and has its own high-priority
   * queue, so it never waits behind a broadcast.
   */
  /**
   * Queues many messages inside the caller's transaction, set-wise: one insert, and one
   * `mail.send-batch` job per `sendBatchSize` messages (the automation's email steps, hundreds
   * per tick). The same brand frame as `queueTransactionalInTx`, but put on when the message is
   * sent or shown (`brand_frame`) rather than stored with each one; a message that carries secrets
   * goes through `queueTransactionalInTx` (sealed, a job of its own). Returns the ids in order.
   */
  async queueManyInTx(tx: Tx, messages: TransactionalMessage[]): Promise<string[]> {
    if (!messages.length) return [];
    const settings = await this.store.get(tx);
    const domain = this.ctx.dkim?.domain ?? domainOf(settings.fromAddress);
    const now = this.ctx.clock.now();
    const ids: string[] = [];
    // Rows as the insert reads them: one JSON parameter per thousand rows (the query builder's 14
    // parameters a row cost more CPU to build than the insert itself); what every row shares
    // (stream, sender, status, time) is a parameter of its own.
    const rows: { id: string; tag: string; to_address: string; subject: string; text: string; html: string | null; brand_frame: boolean; headers: Record<string, string>; message_id: string | null; contact_id: string | null }[] = [];
    for (const message of messages) {
      if (secretsIn(message.subject, message.text, message.html).length || message.secrets?.length) {
        ids.push(await this.queueTransactionalInTx(tx, message));
        continue;
      }
      const id = randomUUID();
      ids.push(id);
      rows.push({
        id,
        tag: message.tag,
        to_address: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html ?? null,
        brand_frame: wantsFrame(message, settings),
        headers: message.headers ?? {},
        message_id: message.messageKey ? `<${message.messageKey}@${domain}>` : null,
        contact_id: message.contactId ?? null,
      });
    }
    const exec = this.ctx.database.executorFor(tx);
    for (let i = 0; i < rows.length; i += 1000) {
      await exec(
        `insert into mail_messages (id, stream, tag, to_address, from_address, subject, text, html, brand_frame, headers, status, message_id, contact_id, created_at)
         select id, 'transactional', tag, to_address, $2, subject, text, html, brand_frame, coalesce(headers, '{}'::jsonb), 'queued', message_id, contact_id, $3
           from jsonb_to_recordset($1::jsonb) as v(id uuid, tag text, to_address text, subject text, text text, html text, brand_frame boolean, headers jsonb, message_id text, contact_id uuid)`,
        [JSON.stringify(rows.slice(i, i + 1000)), settings.fromAddress, now],
        { name: 'mail.queue-many' },
      );
    }
    const jobs: { messageIds: string[] }[] = [];
    const batch = sendBatchSize(this.ctx.config.sendBatch, settings.ratePerSecond);
    for (let i = 0; i < rows.length; i += batch) jobs.push({ messageIds: rows.slice(i, i + batch).map((r) => r.id) });
    await this.ctx.jobs.sendManyInTx(tx, SEND_BATCH_JOB, jobs);
    return ids;
  }

  /**
   * The `mail.send-batch` job: delivers the messages `queueManyInTx` queued, the way a broadcast
   * worker does — claimed at once (`queued` → `sending`; a concurrent copy of the job claims
   * none of them), built and DKIM-signed, sent concurrently over the shared SMTP pool at the
   * global rate, and marked as the server accepts them (one statement and the `email.sent`
   * events for whatever finished meanwhile: group commit). A retry (`retrying`) takes back its
   * messages still `sending` — the worker died between the server's 250 and the mark — and
   * sends them again with the same Message-ID, the receiver's way to drop the copy. Messages a
   * server refused for now go back to `queued` and the job throws, to be retried with backoff;
   * on the last attempt (`lastAttempt`) they fail.
   */
  async deliverMany(ids: string[], opts: { retrying: boolean; lastAttempt: boolean }): Promise<void> {
    const claimed = await this.ctx.database.db
      .update(mailMessages)
      .set({ status: 'sending', attempts: sql`${mailMessages.attempts} + 1` })
      .where(and(inArray(mailMessages.id, ids), inArray(mailMessages.status, opts.retrying ? ['queued', 'sending'] : ['queued'])))
      .returning();
    if (!claimed.length) return;
    const written: Promise<void>[] = [];
    const finished = (m: (typeof claimed)[number], status: Finished['status'], error: string | null, messageId: string | null = m.messageId) => {
      const write = this.finisher.add({ id: m.id, status, error, messageId, contactId: m.contactId, tag: m.tag });
      // Handled now (a failed write must not be an unhandled rejection while the job still sends); drain reports it.
      write.catch(() => undefined);
      written.push(write);
    };
    /** Waits for every outcome of this job to be written; throws the first write that failed. */
    const drain = async () => {
      const failed = (await Promise.allSettled(written)).find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    };
    const bounced = await this.bounces.suppressedAmong(
      claimed.map((m) => m.toAddress),
      ['hard_bounce', 'soft_bounce'],
    );
    const sendable = claimed.filter((m) => {
      if (!bounced.has(normalizeEmail(m.toAddress))) return true;
      finished(m, 'failed', 'Not sent: this address bounced before and is on the suppression list');
      return false;
    });
    const smtp = this.ctx.smtp;
    if (!smtp) {
      for (const m of sendable) finished(m, 'stored', null);
      await drain();
      return;
    }
    const settings = await this.store.get();
    const envelopeFrom = this.ctx.config.bounceAddress ?? null;
    const slots = settings.ratePerSecond > 0 && sendable.length ? await this.ctx.throttle.reserve(sendable.length, { perSecond: settings.ratePerSecond, perHour: settings.ratePerHour }, { bulk: false }) : null;
    const later: string[] = [];
    const bounces: BounceReport[] = [];
    const inflight: Promise<void>[] = [];
    try {
      for (let i = 0; i < sendable.length; i++) {
        const m = sendable[i]!;
        const { raw, mid } = await this.build(m, { subject: m.subject, text: m.text, html: framedHtml(m, settings) }, settings);
        const lane = await smtp.acquire().catch((err: unknown) => err as Error);
        if (lane instanceof Error) {
          later.push(m.id);
          finished(m, opts.lastAttempt ? 'failed' : 'queued', classifySmtpError(lane).message);
          continue;
        }
        if (slots) await sleepUntil(slots.startAt + i * slots.intervalMs);
        inflight.push(
          lane.send({ from: envelopeFrom ?? bareAddress(m.fromAddress), to: bareAddress(m.toAddress) }, raw).then(
            () => {
              smtp.release(lane);
              finished(m, 'sent', null, mid);
            },
            (err: unknown) => {
              smtp.release(lane);
              const f = classifySmtpError(err);
              if (f.permanent) bounces.push({ email: bareAddress(m.toAddress), kind: 'hard', provider: 'smtp', detail: f.message });
              else later.push(m.id);
              finished(m, f.permanent || opts.lastAttempt ? 'failed' : 'queued', f.message);
            },
          ),
        );
      }
    } finally {
      await Promise.allSettled(inflight);
      await drain();
    }
    if (bounces.length) await this.bounces.record(bounces);
    if (later.length && !opts.lastAttempt) throw new Error(`${later.length} of ${claimed.length} messages were refused for now; retrying them`);
  }

  /** Writes the outcome of many messages and their `email.sent` events in one transaction. */
  private async finishMany(done: Finished[]): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.database.transaction(async (tx) => {
      await this.ctx.database.executorFor(tx)(
        `update mail_messages m
            set status = v.status, error = v.error, message_id = coalesce(v.message_id, m.message_id),
                sent_at = case when v.status in ('sent', 'stored') then $5::timestamptz else m.sent_at end
           from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as v(id, status, error, message_id)
          where m.id = v.id and m.status = 'sending'`,
        [done.map((d) => d.id), done.map((d) => d.status), done.map((d) => d.error), done.map((d) => d.messageId), now],
        { name: 'mail.finish-messages' },
      );
      await this.ctx.events.recordManyInTx(
        tx,
        done
          .filter((d) => d.status === 'sent' || d.status === 'stored')
          .map((d) => ({
            type: 'email.sent' as const,
            actor: systemActor,
            subject: d.contactId ? { type: 'contact', id: d.contactId } : undefined,
            data: { tag: d.tag, messageId: d.id, kept: d.status === 'stored' },
          })),
      );
    });
  }

  /** The message as it leaves: MIME with our headers, DKIM-signed when a key is set. */
  private async build(msg: typeof mailMessages.$inferSelect, content: SealedMessage, settings: MailSettings): Promise<{ raw: string; mid: string }> {
    const domain = this.ctx.dkim?.domain ?? domainOf(msg.fromAddress);
    const mid = msg.messageId ?? `<t${msg.id}@${domain}>`;
    const now = this.ctx.clock.now();
    const raw = buildMime({
      from: msg.fromAddress,
      to: msg.toAddress,
      // A message that names its own Reply-To (a support reply's per-conversation address) keeps it.
      replyTo: msg.headers?.['Reply-To'] ? undefined : settings.replyTo || undefined,
      subject: content.subject,
      messageId: mid,
      date: now,
      text: content.text,
      html: content.html,
      headers: Object.entries(msg.headers ?? {}),
    });
    return { raw: this.ctx.dkim ? await this.ctx.dkim.sign(raw, now) : raw, mid };
  }

  async deliver(messageId: string, sealed?: string): Promise<void> {
    const [msg] = await this.ctx.database.db
      .update(mailMessages)
      .set({ status: 'sending', attempts: sql`${mailMessages.attempts} + 1` })
      .where(and(eq(mailMessages.id, messageId), inArray(mailMessages.status, ['queued', 'sending'])))
      .returning();
    if (!msg) return;
    const finish = (set: Partial<typeof mailMessages.$inferInsert>) =>
      this.ctx.database.transaction(async (tx) => {
        await tx.update(mailMessages).set(set).where(eq(mailMessages.id, messageId));
        // Every send is an event (transactional volume is small; broadcasts record one per broadcast).
        if (set.status === 'sent' || set.status === 'stored') {
          await this.ctx.events.recordInTx(tx, {
            type: 'email.sent',
            actor: systemActor,
            subject: msg.contactId ? { type: 'contact', id: msg.contactId } : undefined,
            data: { tag: msg.tag, messageId: msg.id, kept: set.status === 'stored' },
          });
        }
      });
    if (await this.bounces.isSuppressed(msg.toAddress, ['hard_bounce', 'soft_bounce'])) {
      await finish({ status: 'failed', error: 'Not sent: this address bounced before and is on the suppression list' });
      return;
    }
    const smtp = this.ctx.smtp;
    if (!smtp) {
      // Outbox only: nothing leaves the machine, so a sealed secret has nowhere to go and is
      // never opened; the outbox keeps the message as shown, with [hidden] in its place.
      await finish({ status: 'stored', sentAt: this.ctx.clock.now() });
      return;
    }
    const settings = await this.store.get();
    let content: SealedMessage = { subject: msg.subject, text: msg.text, html: framedHtml(msg, settings) };
    if (sealed) {
      try {
        content = this.sealer.open<SealedMessage>(sealed);
      } catch {
        await finish({ status: 'failed', error: 'Not sent: its sealed link could not be opened (was the secret key changed?). Ask for a new one.' });
        return;
      }
    }
    const { raw: signed, mid } = await this.build(msg, content, settings);
    if (settings.ratePerSecond > 0) {
      const r = await this.ctx.throttle.reserve(1, { perSecond: settings.ratePerSecond, perHour: settings.ratePerHour }, { bulk: false });
      await sleepUntil(r.startAt);
    }
    try {
      await smtp.send({ from: this.ctx.config.bounceAddress ?? bareAddress(msg.fromAddress), to: bareAddress(msg.toAddress) }, signed);
      await finish({ status: 'sent', sentAt: this.ctx.clock.now(), messageId: mid, error: null });
    } catch (err) {
      const f = classifySmtpError(err);
      await finish({ status: f.permanent ? 'failed' : 'queued', error: f.message });
      if (f.permanent) {
        await this.bounces.record([{ email: bareAddress(msg.toAddress), kind: 'hard', provider: 'smtp', detail: f.message }]);
        return;
      }
      throw err; // retried with backoff by the job queue
    }
  }

  async listOutbox(q: { to?: string; stream?: string; limit?: number; offset?: number }) {
    const where = [
      q.to ? sql`lower(${mailMessages.toAddress}) like ${`%${normalizeEmail(q.to).replace(/[%_]/g, '')}%`}` : undefined,
      q.stream ? eq(mailMessages.stream, q.stream) : undefined,
    ].filter(Boolean);
    return this.ctx.database.db
      .select({
        id: mailMessages.id,
        stream: mailMessages.stream,
        tag: mailMessages.tag,
        to: mailMessages.toAddress,
        subject: mailMessages.subject,
        status: mailMessages.status,
        createdAt: mailMessages.createdAt,
        sentAt: mailMessages.sentAt,
      })
      .from(mailMessages)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(mailMessages.createdAt))
      .limit(Math.min(q.limit ?? 50, 200))
      .offset(q.offset ?? 0);
  }

  /** A stored message as it was (or will be) sent: framed in the brand if it was stored without it. */
  async getMessage(id: string) {
    const [row] = await this.ctx.database.db.select().from(mailMessages).where(eq(mailMessages.id, id));
    if (!row) throw notFound('Message');
    return row.brandFrame ? { ...row, html: framedHtml(row, await this.store.get()) } : row;
  }

  recordBounces(reports: BounceReport[]) {
    return this.bounces.record(reports);
  }

  /**
   * A raw message that arrived at the bounce/unsubscribe mailbox: a DSN or ARF report is
   * recorded as bounces/complaints; "unsubscribe <token>" in the subject (the mailto: of
   * List-Unsubscribe) unsubscribes.
   */
  async ingestInbound(raw: string): Promise<{ recorded: number; duplicates: number; unsubscribed: boolean }> {
    const head = raw.replace(/\r\n/g, '\n').split(/\n\n/)[0] ?? '';
    const subject = /^Subject:\s*(.*)$/im.exec(head.replace(/\n[ \t]+/g, ' '))?.[1] ?? '';
    const token = /^unsubscribe\s+(\S+)/i.exec(subject.trim())?.[1];
    if (token) {
      await this.tracking.unsubscribe(token, 'mailto');
      return { recorded: 0, duplicates: 0, unsubscribed: true };
    }
    const reports = parseDsn(raw);
    const out = await this.bounces.record(reports);
    return { ...out, unsubscribed: false };
  }

  close(): void {
    this.ctx.smtp?.close();
  }
}

/** Every message wears the business's brand: its HTML (or its text as HTML) in the branded frame; a whole document (a broadcast's test send) already has it. */
function branded(message: TransactionalMessage, settings: MailSettings): TransactionalMessage {
  if (!wantsFrame(message, settings)) return message;
  return { ...message, html: emailShell({ look: settings.look!, title: message.subject, bodyHtml: message.html ?? textToHtml(message.text) }) };
}

/** Whether a message gets the brand's frame: a brand is set and its HTML is not already a whole document. */
function wantsFrame(message: { html?: string | null }, settings: MailSettings): boolean {
  return !!settings.look && !/^\s*<!doctype/i.test(message.html ?? '');
}

/** A stored message's HTML as sent: framed in the brand as it is now when it was stored without its frame (`brand_frame`). */
function framedHtml(m: { subject: string; text: string; html: string | null; brandFrame: boolean }, settings: MailSettings): string | null {
  if (!m.brandFrame || !settings.look) return m.html;
  return emailShell({ look: settings.look, title: m.subject, bodyHtml: m.html ?? textToHtml(m.text) });
}
