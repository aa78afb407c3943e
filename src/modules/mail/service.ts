// Transactional mail: queued in the same transaction as the change that causes it (a
// receipt exists only if the order does) and delivered by a high-priority job.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Clock } from '../../clock.js';
import type { Database, Tx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import { notFound } from '../../errors.js';
import { mailMessages } from './schema.js';

export const SEND_TRANSACTIONAL_JOB = 'mail.send-transactional';

export interface TransactionalMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  tag: string;
  contactId?: string;
  headers?: Record<string, string>;
}

export interface MailSettings {
  from: string;
  smtpUrl?: string;
}

export class MailService {
  private transport: Transporter | null;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly jobs: JobQueue,
    private readonly settings: MailSettings,
  ) {
    this.transport = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : null;
  }

  get outboxOnly(): boolean {
    return this.transport === null;
  }

  /** Queues a message inside the caller's transaction; the send job is enqueued in it too. */
  async queueTransactional(tx: Tx, message: TransactionalMessage): Promise<string> {
    const [row] = await tx
      .insert(mailMessages)
      .values({
        stream: 'transactional',
        tag: message.tag,
        toAddress: message.to,
        fromAddress: this.settings.from,
        subject: message.subject,
        text: message.text,
        html: message.html ?? null,
        headers: message.headers ?? {},
        status: 'queued',
        contactId: message.contactId ?? null,
        createdAt: this.clock.now(),
      })
      .returning({ id: mailMessages.id });
    await this.jobs.sendInTx(tx, SEND_TRANSACTIONAL_JOB, { messageId: row!.id });
    return row!.id;
  }

  /** Job handler. Idempotent: a message already sent or stored is left alone. */
  async deliver(messageId: string): Promise<void> {
    const [msg] = await this.database.db
      .update(mailMessages)
      .set({ status: 'sending', attempts: sql`${mailMessages.attempts} + 1` })
      .where(and(eq(mailMessages.id, messageId), inArray(mailMessages.status, ['queued', 'sending'])))
      .returning();
    if (!msg) return;
    if (!this.transport) {
      await this.database.db.update(mailMessages).set({ status: 'stored', sentAt: this.clock.now() }).where(eq(mailMessages.id, messageId));
      return;
    }
    try {
      const info = await this.transport.sendMail({
        from: msg.fromAddress,
        to: msg.toAddress,
        subject: msg.subject,
        text: msg.text,
        html: msg.html ?? undefined,
        headers: msg.headers,
      });
      await this.database.db
        .update(mailMessages)
        .set({ status: 'sent', sentAt: this.clock.now(), messageId: info.messageId, error: null })
        .where(eq(mailMessages.id, messageId));
    } catch (err) {
      const responseCode = (err as { responseCode?: number }).responseCode;
      const permanent = responseCode !== undefined && responseCode >= 500;
      await this.database.db
        .update(mailMessages)
        .set({ status: permanent ? 'failed' : 'queued', error: String((err as Error).message).slice(0, 500) })
        .where(eq(mailMessages.id, messageId));
      if (!permanent) throw err; // retried with backoff by the job queue
    }
  }

  async listOutbox(q: { to?: string; limit?: number }) {
    return this.database.db
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
      .where(q.to ? sql`lower(${mailMessages.toAddress}) = ${q.to.trim().toLowerCase()}` : undefined)
      .orderBy(desc(mailMessages.createdAt))
      .limit(Math.min(q.limit ?? 50, 200));
  }

  async getMessage(id: string) {
    const [row] = await this.database.db.select().from(mailMessages).where(eq(mailMessages.id, id));
    if (!row) throw notFound('Message');
    return row;
  }

  close(): void {
    this.transport?.close();
  }
}
