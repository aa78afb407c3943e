// The shared inbox. Intake (one transaction per message: contact, conversation, message,
// attachments' rows and the events commit together, so whoever answered "250" can rely on it),
// threading, working a conversation (reply, note, status, assignment, merge, split), the
// collision guard, canned replies, SLAs and the bounded authority of assistants.
//
// Threading, in order: the plus-address token of the conversation (support+<token>@), then
// Message-ID / In-Reply-To / References, then Outlook's Thread-Index, then the subject as a
// bounded fallback (same sender, active within subjectWindowDays). Every step is limited to
// the sender's own conversations: a message never joins another customer's thread. A sender
// whose authentication failed (DMARC, or SPF and DKIM) always starts a new, flagged conversation.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../actor.js';
import { actorColumns } from '../../actor.js';
import type { Clock } from '../../clock.js';
import type { Database, DbOrTx, ExecuteSql, Tx } from '../../db/client.js';
import type { EventLog, NewEvent } from '../../db/events.js';
import type { JobQueue } from '../../jobs/queue.js';
import { conflict, DomainError, forbidden, invalid, notFound } from '../../errors.js';
import { saveStream } from '../../files.js';
import type { Signer } from '../../crypto.js';
import type { Role } from '../../permissions.js';
import type { AudienceService } from '../audience/index.js';
import type { TransactionalMessage } from '../mail/index.js';
import { authFailed, replyTokenIn, subjectKey, type InboundMessage } from './inbound.js';
import { appendMessage, insertConversationWithMessage, lockSenders, lookupIntake, type InboundRow, type ThreadCandidate } from './intake-sql.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { addBusinessHours, businessMinutesBetween, percentile } from './sla.js';
import { addressProblem, defaultSettings, supportSettingsSchema, type RoleLimits, type SupportSettings } from './settings.js';
import {
  supportActions,
  supportAttachments,
  supportCannedReplies,
  supportConversations,
  supportMessages,
  supportPresence,
  supportSettings,
  supportWebhookTokens,
  type ActionKind,
  type Channel,
  type ConversationStatus,
} from './schema.js';

export type Conversation = typeof supportConversations.$inferSelect;
export type SupportMessage = typeof supportMessages.$inferSelect;
export const RUN_ACTION_JOB = 'support.run-action';

export interface StaffMember {
  id: string;
  name: string;
  email: string;
  role: Role;
}

/** What support asks of other modules, wired in src/app.ts through their public services. */
export interface SupportPorts {
  /** in the caller's transaction when there is one (on PGlite a query outside it waits forever) */
  staff(db?: DbOrTx): Promise<StaffMember[]>;
  /** the mail engine's safe Liquid (no file system) */
  renderLiquid(template: string, vars: Record<string, unknown>): Promise<string>;
  /** name, last order, courses and progress: the variables of canned replies */
  liquidVars(contactId: string): Promise<Record<string, unknown>>;
  customerContext(contactId: string, conversationId: string): Promise<Record<string, unknown>>;
  /** the delivery state of messages queued through the mail engine */
  deliveryStates(ids: string[]): Promise<Map<string, { status: string; error: string | null; sentAt: Date | null }>>;
  /** the Message-ID domain the mail engine will use */
  messageDomain(): Promise<string>;
  timeZone(): Promise<string>;
  orderFacts(orderId: string): Promise<{ contactId: string; number: number | null; amountPaid: number; amountRefunded: number; currency: string; paidAt: Date | null; status: string }>;
  refund(orderId: string, input: { amount?: number; reason: string }, by: { actor: Actor; role: Role }): Promise<{ amount: number; currency: string }>;
  resendReceiptInTx(tx: Tx, orderId: string): Promise<void>;
  sendSignInLinkInTx(tx: Tx, contactId: string): Promise<void>;
  extendAccessInTx(tx: Tx, input: { contactId: string; courseId: string; days: number; actor: Actor; actionId: string }): Promise<Date>;
  /** the approvals module (null when it is not wired): an approval request in this transaction */
  requestApproval: ((tx: Tx, input: { kind: string; data: unknown; title: string; summary: string; urgent: boolean; subject: { type: string; id: string }; actor: Actor }) => Promise<{ id: string }>) | null;
}

export interface SupportDeps {
  database: Database;
  clock: Clock;
  events: EventLog;
  jobs: JobQueue;
  audience: AudienceService;
  queueMailInTx: (tx: Tx, m: TransactionalMessage) => Promise<string>;
  ports: SupportPorts;
  /** signs the customer's rating links */
  signer: Signer;
  config: {
    /** where the public rating page is (the app's public URL) */
    publicUrl: string;
    /** default intake address (SUPPORT_ADDRESS, else support@ the sender domain) */
    address: string;
    /** where attachments are written (the data folder's files) */
    filesDir: string;
    maxAttachmentBytes: number;
  };
}

export type IntakeOutcome = 'stored' | 'duplicate' | 'dropped_loop';
export interface IntakeResult {
  outcome: IntakeOutcome;
  conversationId: string | null;
  messageId: string | null;
  created: boolean;
  reopened: boolean;
}

const conv = (id: string) => ({ type: 'support_conversation', id });
type StoredFile = { filename: string; contentType: string; size: number; storedPath: string | null; omittedReason: string | null };
/** A message whose files are written, waiting for its batch's transaction. */
interface PendingIntake {
  msg: InboundMessage;
  via: string;
  channel: Channel;
  messageUuid: string;
  files: StoredFile[];
  settings: SupportSettings;
}
/** What a batch writes once for all its messages, after threading each. */
interface IntakeWrites {
  events: NewEvent[];
  attachments: (typeof supportAttachments.$inferInsert)[];
}
const MAX_PER_SENDER_PER_HOUR = 30;
/** Attachment files younger than this are never swept: their transaction may still be running. */
export const ORPHAN_GRACE_MS = 3_600_000;
/** Messages stored in one intake transaction at most. */
const INTAKE_BATCH_MAX = 32;
/** Intake transactions running at once on PostgreSQL (the pool has 10 connections, shared with requests). */
const INTAKE_BATCHES_IN_FLIGHT = 3;
/** How long a process keeps the support settings it read (intake reads them per message). */
export const SETTINGS_CACHE_MS = 2000;
export const RATINGS = ['great', 'okay', 'bad'] as const;
export type Rating = (typeof RATINGS)[number];
const RATING_PURPOSE = 'support.rating';
/** A rating link works this long after the reply that carried it. */
const RATING_LINK_DAYS = 90;
const PRESENCE_SECONDS = 15;

function staffId(actor: Actor): string | null {
  return actor.kind === 'owner' || actor.kind === 'assistant' ? (/^[0-9a-f-]{36}$/.test(actor.id) ? actor.id : null) : null;
}

function roleOf(actor: Actor): Role | null {
  return actor.kind === 'owner' ? 'owner' : actor.kind === 'assistant' ? (actor.role as Role) : null;
}

export class SupportService {
  /**
   * Intake reads the settings for every message, so they are kept SETTINGS_CACHE_MS. A write
   * in this process bumps the generation: the next read goes to the database, and a read that
   * was under way during the write is not cached. Other processes see a change within
   * SETTINGS_CACHE_MS; the authority check reads fresh (limits are never stale anywhere).
   */
  private settingsCache: { at: number; generation: number; value: SupportSettings } | null = null;
  private settingsGeneration = 0;

  private readonly intakeBatcher: GroupCommitter<PendingIntake, IntakeResult>;

  constructor(private readonly deps: SupportDeps) {
    this.intakeBatcher = new GroupCommitter((items) => this.ingestBatch(items), {
      maxItems: INTAKE_BATCH_MAX,
      lingerMs: 0,
      // PGlite is one connection: a second batch would only queue behind the first.
      maxInFlight: deps.database.kind === 'pglite' ? 1 : INTAKE_BATCHES_IN_FLIGHT,
    });
  }

  private get db() {
    return this.deps.database.db;
  }

  // ---- settings -----------------------------------------------------------------------------

  /**
   * The settings, from the cache unless `fresh`. A read inside a transaction (`db` a Tx) is
   * always fresh and never cached: it may see its own uncommitted write.
   */
  async settings(db: DbOrTx = this.db, opts: { fresh?: boolean } = {}): Promise<SupportSettings> {
    const cacheable = db === this.db;
    const cached = this.settingsCache;
    if (cacheable && !opts.fresh && cached && cached.generation === this.settingsGeneration && Date.now() - cached.at < SETTINGS_CACHE_MS) return cached.value;
    const generation = this.settingsGeneration;
    const [row] = await db.select().from(supportSettings).where(eq(supportSettings.id, 1));
    const defaults = defaultSettings(this.deps.config.address.split('@')[1] ?? 'localhost');
    defaults.address = this.deps.config.address;
    const parsed = supportSettingsSchema.safeParse({ ...defaults, ...(row?.settings ?? {}) });
    const value = parsed.success ? parsed.data : defaults;
    if (cacheable && generation === this.settingsGeneration) this.settingsCache = { at: Date.now(), generation, value };
    return value;
  }

  private invalidateSettings(): void {
    this.settingsGeneration++;
    this.settingsCache = null;
  }

  async updateSettings(patch: Partial<SupportSettings>, actor: Actor): Promise<SupportSettings> {
    const next = await this.deps.database.transaction(async (tx) => {
      // Serialise changes (two owners' tabs): each builds on the other's committed settings.
      await tx.execute(sql`select pg_advisory_xact_lock(7202, 0)`);
      const current = await this.settings(tx);
      const merged = supportSettingsSchema.parse({ ...current, ...patch });
      // A new address passes the one address check; the current one (maybe a configured local
      // support@localhost) is kept as it is, so changing anything else never fails on it.
      const why = merged.address !== current.address ? addressProblem(merged.address) : null;
      if (why) throw invalid(`The support address is not valid: ${why}`, { field: 'address' });
      const now = this.deps.clock.now();
      await tx.insert(supportSettings).values({ id: 1, settings: merged, updatedAt: now }).onConflictDoUpdate({ target: supportSettings.id, set: { settings: merged, updatedAt: now } });
      await this.deps.events.recordInTx(tx, { type: 'support.settings_changed', actor, data: { changed: Object.keys(patch) } });
      this.invalidateSettings();
      return merged;
    });
    // After the commit too: a read that started between the write and the commit saw the old row.
    this.invalidateSettings();
    return next;
  }

  /**
   * Sets one role's bounded authority in the caller's transaction: the owner module calls it
   * when the owner accepts a delegation (a raised refund limit) or takes it back. Read from the
   * database, not the cache, so two changes in a row build on each other.
   */
  async setRoleLimitsInTx(tx: Tx, role: 'admin' | 'support', limits: RoleLimits, actor: Actor): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(7202, 0)`);
    const current = await this.settings(tx);
    // Only the limits are validated and written over the stored settings: the rest is not this change's.
    const nextLimits = supportSettingsSchema.shape.limits.parse({ ...current.limits, [role]: limits });
    const [row] = await tx.select().from(supportSettings).where(eq(supportSettings.id, 1));
    const stored = { ...((row?.settings ?? {}) as Partial<SupportSettings>), limits: nextLimits } as SupportSettings;
    const now = this.deps.clock.now();
    await tx.insert(supportSettings).values({ id: 1, settings: stored, updatedAt: now }).onConflictDoUpdate({ target: supportSettings.id, set: { settings: stored, updatedAt: now } });
    await this.deps.events.recordInTx(tx, { type: 'support.settings_changed', actor, data: { changed: ['limits'] } });
    // The commit is the caller's: a read racing it may cache the old limits for SETTINGS_CACHE_MS,
    // which only intake and replies use; the authority check (act) always reads fresh.
    this.invalidateSettings();
  }

  /** Switches round-robin assignment of new conversations to the support role, in the caller's transaction (the owner's delegation of support). */
  async setRoundRobinInTx(tx: Tx, on: boolean, actor: Actor): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(7202, 0)`);
    const [row] = await tx.select().from(supportSettings).where(eq(supportSettings.id, 1));
    const stored = { ...((row?.settings ?? {}) as Partial<SupportSettings>), roundRobin: on } as SupportSettings;
    const now = this.deps.clock.now();
    await tx.insert(supportSettings).values({ id: 1, settings: stored, updatedAt: now }).onConflictDoUpdate({ target: supportSettings.id, set: { settings: stored, updatedAt: now } });
    await this.deps.events.recordInTx(tx, { type: 'support.settings_changed', actor, data: { changed: ['roundRobin'] } });
    this.invalidateSettings();
  }

  /**
   * Open or pending conversations that waited past an SLA since `since` and were not assigned
   * by hand after their last breach: the owner's weekly review offers to reassign each.
   */
  async escalated(since: Date, limit = 20): Promise<{ id: string; number: number; subject: string; email: string; assigneeId: string | null; breachedAt: Date }[]> {
    const r = await this.deps.database.execute(
      `select c.id, c.number, c.subject, c.email, c.assignee_id, b.at
         from support_conversations c
         join (select subject_id, max(occurred_at) as at from events
                where type = 'support.sla_breached' and subject_type = 'support_conversation' and occurred_at >= $1::timestamptz
                group by subject_id) b on b.subject_id = c.id::text
        where c.status in ('open', 'pending')
          and not exists (select 1 from events a where a.type = 'support.assigned' and a.subject_type = 'support_conversation'
                             and a.subject_id = c.id::text and a.occurred_at >= b.at and a.data->>'how' = 'manual')
        order by b.at, c.number limit $2`,
      [since.toISOString(), limit],
    );
    return (r.rows as { id: string; number: number; subject: string; email: string; assignee_id: string | null; at: Date | string }[]).map((x) => ({
      id: x.id, number: Number(x.number), subject: x.subject, email: x.email, assigneeId: x.assignee_id, breachedAt: new Date(x.at),
    }));
  }

  // ---- intake -------------------------------------------------------------------------------

  /**
   * Stores one inbound message, threaded. Idempotent on the Message-ID: the same message
   * delivered again (a sender retrying after a lost answer, a webhook repeated) is stored once.
   * Attachments are written to disk first and their rows committed with the message; files of
   * a transaction that failed are removed.
   */
  async ingest(msg: InboundMessage, via: string, channel: Channel = 'email'): Promise<IntakeResult> {
    const settings = await this.settings();
    const ours = settings.address;
    const [ourLocal, ourDomain] = ours.split('@');
    // Our own mail coming back (a forward rule pointing at itself, a bounce of our reply
    // re-sent as new mail): cut the loop, answer "accepted" so the sender stops.
    const fromUs = msg.from.address === ours || new RegExp(`^${ourLocal}\\+[a-z0-9]+@${ourDomain!.replace(/\./g, '\\.')}$`).test(msg.from.address);
    if (fromUs) return { outcome: 'dropped_loop', conversationId: null, messageId: null, created: false, reopened: false };
    const messageUuid = randomUUID();
    const dir = path.join(this.deps.config.filesDir, 'support', messageUuid.slice(0, 2), messageUuid);
    const files: StoredFile[] = [];
    try {
      for (const a of msg.attachments) {
        if (a.size > this.deps.config.maxAttachmentBytes) {
          files.push({ filename: a.filename, contentType: a.contentType, size: a.size, storedPath: null, omittedReason: `larger than the ${Math.round(this.deps.config.maxAttachmentBytes / 1_048_576)} MB attachment limit: not kept` });
          continue;
        }
        await fs.promises.mkdir(dir, { recursive: true });
        const rel = path.join('support', messageUuid.slice(0, 2), messageUuid, `${files.length}`);
        await saveStream(Readable.from([a.content]), path.join(this.deps.config.filesDir, rel), { maxBytes: this.deps.config.maxAttachmentBytes });
        files.push({ filename: a.filename, contentType: a.contentType.slice(0, 200), size: a.size, storedPath: rel, omittedReason: null });
      }
      // Stored with whatever else arrived at the same moment, in one transaction; resolved after its commit.
      const result = await this.intakeBatcher.submit({ msg, via, channel, messageUuid, files, settings });
      if (result.outcome !== 'stored') await fs.promises.rm(dir, { recursive: true, force: true });
      return result;
    } catch (err) {
      await fs.promises.rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * How intake groups messages into transactions (see group-commit.ts). `maxItems: 1` is one
   * transaction per message, as before group commit (bench/support.ts measures both).
   */
  configureIntake(options: Partial<GroupCommitOptions>): void {
    this.intakeBatcher.options = { ...this.intakeBatcher.options, ...options };
  }

  /** Intake transactions and the messages they stored, since start. */
  intakeStats(): { batches: number; items: number } {
    return { ...this.intakeBatcher.stats };
  }

  /**
   * One batch of messages in one transaction: the senders' locks taken together (in key order,
   * so two batches never wait for each other in a cycle), each message threaded in arrival
   * order (a later one sees an earlier one of the same batch: same transaction), then every
   * attachment row and every event in one insert each. If the batch fails (one bad message, a
   * deadlock with a staff action), nothing of it was committed and each message is stored
   * again alone, in order, so one message's failure is its own.
   */
  private async ingestBatch(items: PendingIntake[]): Promise<PromiseSettledResult<IntakeResult>[]> {
    if (items.length > 1) {
      try {
        const results = await this.deps.database.transaction((tx) => this.ingestManyInTx(tx, items));
        return results.map((value) => ({ status: 'fulfilled', value }));
      } catch {
        // fall through: one at a time
      }
    }
    const out: PromiseSettledResult<IntakeResult>[] = [];
    for (const item of items) {
      try {
        const [value] = await this.deps.database.transaction((tx) => this.ingestManyInTx(tx, [item]));
        out.push({ status: 'fulfilled', value: value! });
      } catch (reason) {
        out.push({ status: 'rejected', reason });
      }
    }
    return out;
  }

  private async ingestManyInTx(tx: Tx, items: PendingIntake[]): Promise<IntakeResult[]> {
    const exec = this.deps.database.executorFor(tx);
    await lockSenders(exec, items.map((i) => i.msg.from.address));
    const pending: IntakeWrites = { events: [], attachments: [] };
    const results: IntakeResult[] = [];
    for (const item of items) results.push(await this.ingestInTx(tx, exec, item, pending));
    if (pending.attachments.length) await tx.insert(supportAttachments).values(pending.attachments);
    // One insert for the events of the whole batch and one per subscriber job (recordMany).
    await this.deps.events.recordManyInTx(tx, pending.events);
    return results;
  }

  private async ingestInTx(tx: Tx, exec: ExecuteSql, { msg, via, channel, messageUuid, files, settings }: PendingIntake, pending: IntakeWrites): Promise<IntakeResult> {
    const { clock } = this.deps;
    const now = clock.now();
    const { contact } = await this.deps.audience.upsertSender(tx, { email: msg.from.address, name: msg.from.name || undefined, source: 'support' });
    const unverified = authFailed(msg.auth);
    const key = subjectKey(msg.subject);
    // Only a reply-looking subject falls back, and never a generic one.
    const subjectFallback = key.length >= 4 && /^(re|aw|sv|antw|rif|réf)\s*:/i.test(msg.subject.trim()) && settings.subjectWindowDays > 0;
    const refs = [...new Set([msg.inReplyTo, ...msg.references.slice().reverse()].filter((r): r is string => !!r))].slice(0, 50);
    const look = await lookupIntake(exec, {
      messageId: msg.messageId,
      contactId: contact.id,
      token: replyTokenIn(msg.recipients, settings.address) ?? '',
      refs,
      threadIndex: msg.threadIndex ?? '',
      subjectKey: subjectFallback ? key : '',
      subjectSince: new Date(now.getTime() - settings.subjectWindowDays * 86_400_000),
      recentSince: new Date(now.getTime() - 3_600_000),
    });
    if (look.duplicate) return { outcome: 'duplicate', conversationId: look.duplicate.conversationId, messageId: look.duplicate.id, created: false, reopened: false };
    // A runaway autoresponder that strips every header: too many messages from one sender in an hour.
    const auto = msg.auto ?? (look.recent >= MAX_PER_SENDER_PER_HOUR ? 'loop' : null);
    // A sender whose authentication failed is never threaded into an existing conversation.
    const found = unverified || !look.thread ? null : look.thread.mergedInto ? await this.follow(tx, look.thread.mergedInto) : look.thread;
    const row = this.inboundRow(msg, via, messageUuid, auto, now);
    for (const f of files) pending.attachments.push({ ...f, messageId: messageUuid });
    if (!found || (found.status === 'closed' && found.closedAt && now.getTime() - found.closedAt.getTime() > settings.reopenWindowDays * 86_400_000)) {
      // Nothing to join, or a reply long after the conversation was closed: a new one (that names the old).
      return this.startConversation(tx, exec, msg, row, via, channel, contact, auto, unverified, found?.id ?? null, settings, pending);
    }
    const reopen = !auto && found.status !== 'open';
    // Joined through a reply stored before it: this message is the thread's start, its subject the conversation's.
    const retitle = found.rank === 3 && !/^(re|aw|sv|antw|rif|réf)\s*:/i.test(msg.subject.trim()) && msg.subject ? { subject: msg.subject, key } : null;
    await appendMessage(exec, found.id, row, { reopen, auto: !!auto, retitle });
    pending.events.push(
      { type: 'support.message_received', actor: { kind: 'customer', id: contact.id }, subject: conv(found.id), data: { contactId: contact.id, number: found.number, messageId: messageUuid, via, auto, reopened: reopen } },
      ...(reopen ? [{ type: 'support.status_changed' as const, actor: { kind: 'customer' as const, id: contact.id }, subject: conv(found.id), data: { contactId: contact.id, number: found.number, from: found.status, to: 'open' } }] : []),
    );
    return { outcome: 'stored', conversationId: found.id, messageId: messageUuid, created: false, reopened: reopen };
  }

  /**
   * Removes attachment files that no attachment row names and that are older than `graceMs`:
   * intake writes a message's files before its transaction, so a process killed between the two
   * (or a batch whose commit never came) leaves files behind. The grace period keeps the files
   * of a transaction still running, here or in another process sharing the storage. Empty
   * message folders go too. Idempotent; answers what it removed.
   */
  async sweepOrphanFiles(graceMs = ORPHAN_GRACE_MS): Promise<{ checked: number; removed: number }> {
    const root = path.join(this.deps.config.filesDir, 'support');
    const cutoff = Date.now() - graceMs;
    let checked = 0;
    let removed = 0;
    const list = async (dir: string) => fs.promises.readdir(dir, { withFileTypes: true }).catch(() => [] as fs.Dirent[]);
    for (const shard of await list(root)) {
      if (!shard.isDirectory()) continue;
      for (const message of await list(path.join(root, shard.name))) {
        if (!message.isDirectory()) continue;
        const dir = path.join(root, shard.name, message.name);
        const old: string[] = [];
        const entries = await list(dir);
        for (const f of entries) {
          if (!f.isFile()) continue;
          const st = await fs.promises.stat(path.join(dir, f.name)).catch(() => null);
          if (st && st.mtimeMs < cutoff) old.push(path.join('support', shard.name, message.name, f.name));
        }
        checked += old.length;
        if (old.length) {
          const referenced = new Set(
            (await this.db.select({ p: supportAttachments.storedPath }).from(supportAttachments).where(inArray(supportAttachments.storedPath, old))).map((r) => r.p),
          );
          for (const rel of old) {
            if (referenced.has(rel)) continue;
            await fs.promises.rm(path.join(this.deps.config.filesDir, rel), { force: true });
            removed++;
          }
        }
        // rmdir refuses a folder that is not empty: a file written meanwhile stays.
        if (entries.length === 0 || old.length) await fs.promises.rmdir(dir).catch(() => undefined);
      }
    }
    return { checked, removed };
  }

  /** Follows a merged conversation to the one it was merged into (a few hops at most). */
  private async follow(tx: DbOrTx, id: string): Promise<ThreadCandidate | null> {
    let next: string | null = id;
    for (let i = 0; next && i < 10; i++) {
      const [c] = await tx.select().from(supportConversations).where(eq(supportConversations.id, next));
      if (!c) return null;
      if (!c.mergedInto) return { id: c.id, number: c.number, status: c.status, subject: c.subject, closedAt: c.closedAt, mergedInto: null, rank: 0 };
      next = c.mergedInto;
    }
    return null;
  }

  private inboundRow(msg: InboundMessage, via: string, id: string, auto: InboundMessage['auto'], now: Date): InboundRow {
    return {
      id,
      messageId: msg.messageId,
      inReplyTo: msg.inReplyTo,
      references: msg.references,
      threadIndex: msg.threadIndex,
      fromAddress: msg.from.address,
      fromName: msg.from.name,
      toAddresses: msg.recipients.slice(0, 50),
      subject: msg.subject,
      text: msg.text,
      html: msg.html,
      auto,
      auth: msg.auth as Record<string, unknown>,
      via,
      createdAt: now,
    };
  }

  private async startConversation(
    tx: Tx,
    exec: ExecuteSql,
    msg: InboundMessage,
    row: InboundRow,
    via: string,
    channel: Channel,
    contact: { id: string; name: string },
    auto: InboundMessage['auto'],
    unverified: boolean,
    continuesId: string | null,
    settings: SupportSettings,
    pending: IntakeWrites,
  ): Promise<IntakeResult> {
    const assigneeId = !auto && settings.roundRobin ? await this.nextRoundRobin(tx) : null;
    const c = await insertConversationWithMessage(
      exec,
      {
        contactId: contact.id,
        email: msg.from.address,
        name: msg.from.name || contact.name || '',
        subject: msg.subject || '(no subject)',
        subjectKey: subjectKey(msg.subject),
        channel,
        // Auto-replies and bulk mail are kept but wait nowhere: no SLA, not in the open queue.
        status: auto ? 'pending' : 'open',
        assigneeId,
        replyToken: randomBytes(12).toString('hex'),
        unverified,
        continuesId,
        waitingSince: auto ? null : row.createdAt,
      },
      row,
    );
    const actor: Actor = { kind: 'customer', id: contact.id };
    pending.events.push(
      { type: 'support.conversation_created', actor, subject: conv(c.id), data: { contactId: contact.id, number: c.number, channel, via } },
      { type: 'support.message_received', actor, subject: conv(c.id), data: { contactId: contact.id, number: c.number, messageId: row.id, via, auto } },
      ...(assigneeId ? [{ type: 'support.assigned' as const, actor: { kind: 'system' as const }, subject: conv(c.id), data: { contactId: contact.id, number: c.number, assigneeId, how: 'round_robin' } }] : []),
    );
    return { outcome: 'stored', conversationId: c.id, messageId: row.id, created: true, reopened: false };
  }

  /** The support member who was given a new conversation the longest time ago (or never). */
  private async nextRoundRobin(tx: Tx): Promise<string | null> {
    const members = (await this.deps.ports.staff(tx)).filter((s) => s.role === 'support');
    if (!members.length) return null;
    const rows = await tx
      .select({ id: supportConversations.assigneeId, last: sql<number>`max(${supportConversations.number})` })
      .from(supportConversations)
      .where(inArray(supportConversations.assigneeId, members.map((m) => m.id)))
      .groupBy(supportConversations.assigneeId);
    const last = new Map(rows.map((r) => [r.id, Number(r.last)]));
    return members.slice().sort((a, b) => (last.get(a.id) ?? 0) - (last.get(b.id) ?? 0) || a.id.localeCompare(b.id))[0]!.id;
  }

  /** A message from the site's contact block or a student's lesson question. */
  async ingestForm(input: { email: string; name?: string; subject: string; text: string; channel: Channel; via: string; key: string }): Promise<IntakeResult> {
    return this.ingest(
      {
        messageId: `<${input.via}.${input.key}@onehour.invalid>`,
        inReplyTo: null,
        references: [],
        threadIndex: null,
        from: { address: input.email.trim().toLowerCase(), name: input.name ?? '' },
        recipients: [],
        subject: input.subject,
        text: input.text,
        html: null,
        date: null,
        auto: null,
        hops: 0,
        auth: {},
        attachments: [],
      },
      input.via,
      input.channel,
    );
  }

  /**
   * A message from the site's contact block: a conversation on the `site` channel, or the
   * sender's open one when the same text was sent before (a double submit is stored once).
   */
  async contactFromSite(input: { email: string; name?: string; subject?: string; message: string; page?: string }): Promise<IntakeResult> {
    const email = input.email.trim().toLowerCase();
    const subject = input.subject?.trim() || 'Message from the website';
    const text = input.page ? `${input.message.trim()}\n\n(sent from the contact form on ${input.page})` : input.message.trim();
    const key = createHash('sha256').update(`${email}\n${subject}\n${input.message.trim()}`).digest('hex').slice(0, 40);
    return this.ingestForm({ email, name: input.name?.trim() || undefined, subject, text, channel: 'site', via: 'site', key });
  }

  /** Mailgun's signature token is single use within its window. */
  async spendWebhookToken(token: string, expiresAt: Date): Promise<boolean> {
    const now = this.deps.clock.now();
    await this.db.delete(supportWebhookTokens).where(lt(supportWebhookTokens.expiresAt, now));
    const rows = await this.db.insert(supportWebhookTokens).values({ token, expiresAt }).onConflictDoNothing().returning();
    return rows.length === 1;
  }

  // ---- reading ------------------------------------------------------------------------------

  async get(db: DbOrTx, id: string): Promise<Conversation> {
    const [c] = await db.select().from(supportConversations).where(eq(supportConversations.id, id));
    if (!c) throw notFound('Conversation');
    return c;
  }

  /**
   * The inbox list, newest activity first, keyset-paged on (last_message_at, id) so page 50 of
   * 100 000 costs what page 1 does (the status/assignee indexes serve it).
   */
  async list(q: { status?: ConversationStatus | 'all'; assignee?: string | 'unassigned'; contactId?: string; search?: string; before?: { at: Date; id: string }; limit?: number }) {
    const where: SQL[] = [isNull(supportConversations.mergedInto)];
    if (q.status && q.status !== 'all') where.push(eq(supportConversations.status, q.status));
    if (q.assignee === 'unassigned') where.push(isNull(supportConversations.assigneeId));
    else if (q.assignee) where.push(eq(supportConversations.assigneeId, q.assignee));
    if (q.contactId) where.push(eq(supportConversations.contactId, q.contactId));
    if (q.search) {
      const s = `%${q.search.toLowerCase().replace(/[%_\\]/g, '')}%`;
      where.push(or(sql`lower(${supportConversations.subject}) like ${s}`, sql`lower(${supportConversations.email}) like ${s}`, sql`lower(${supportConversations.name}) like ${s}`)!);
    }
    if (q.before) where.push(or(lt(supportConversations.lastMessageAt, q.before.at), and(eq(supportConversations.lastMessageAt, q.before.at), lt(supportConversations.id, q.before.id)))!);
    const limit = Math.min(q.limit ?? 50, 200);
    const rows = await this.db
      .select({
        id: supportConversations.id,
        number: supportConversations.number,
        contactId: supportConversations.contactId,
        email: supportConversations.email,
        name: supportConversations.name,
        subject: supportConversations.subject,
        channel: supportConversations.channel,
        status: supportConversations.status,
        snoozedUntil: supportConversations.snoozedUntil,
        assigneeId: supportConversations.assigneeId,
        unverified: supportConversations.unverified,
        messageCount: supportConversations.messageCount,
        lastMessageAt: supportConversations.lastMessageAt,
        waitingSince: supportConversations.waitingSince,
        slaWarned: supportConversations.slaWarned,
      })
      .from(supportConversations)
      .where(and(...where))
      .orderBy(desc(supportConversations.lastMessageAt), desc(supportConversations.id))
      .limit(limit);
    const last = rows[rows.length - 1];
    return { conversations: rows, next: rows.length === limit && last ? `${last.lastMessageAt.toISOString()}_${last.id}` : null };
  }

  async thread(id: string) {
    const c = await this.get(this.db, id);
    const messages = await this.db.select().from(supportMessages).where(eq(supportMessages.conversationId, id)).orderBy(asc(supportMessages.seq));
    const attachments = messages.length
      ? await this.db.select().from(supportAttachments).where(inArray(supportAttachments.messageId, messages.map((m) => m.id)))
      : [];
    const states = await this.deps.ports.deliveryStates(messages.flatMap((m) => (m.mailMessageId ? [m.mailMessageId] : [])));
    const actions = await this.db.select().from(supportActions).where(eq(supportActions.conversationId, id)).orderBy(asc(supportActions.createdAt));
    return {
      conversation: c,
      messages: messages.map((m) => ({
        ...m,
        delivery: m.mailMessageId ? (states.get(m.mailMessageId) ?? null) : null,
        attachments: attachments.filter((a) => a.messageId === m.id).map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.size, kept: a.storedPath !== null, omittedReason: a.omittedReason })),
      })),
      actions,
    };
  }

  async attachment(id: string): Promise<{ filename: string; contentType: string; file: string }> {
    const [a] = await this.db.select().from(supportAttachments).where(eq(supportAttachments.id, id));
    if (!a || !a.storedPath) throw notFound('Attachment');
    return { filename: a.filename, contentType: a.contentType, file: path.join(this.deps.config.filesDir, a.storedPath) };
  }

  async context(id: string) {
    const c = await this.get(this.db, id);
    const earlier = await this.db
      .select({ id: supportConversations.id, number: supportConversations.number, subject: supportConversations.subject, status: supportConversations.status, lastMessageAt: supportConversations.lastMessageAt })
      .from(supportConversations)
      .where(and(eq(supportConversations.contactId, c.contactId), ne(supportConversations.id, id), isNull(supportConversations.mergedInto)))
      .orderBy(desc(supportConversations.lastMessageAt))
      .limit(20);
    return { ...(await this.deps.ports.customerContext(c.contactId, id)), conversations: earlier };
  }

  // ---- working a conversation ---------------------------------------------------------------

  private async lockConversation(tx: Tx, id: string): Promise<Conversation> {
    const [c] = await tx.select().from(supportConversations).where(eq(supportConversations.id, id)).for('update');
    if (!c) throw notFound('Conversation');
    if (c.mergedInto) throw conflict('This conversation was merged into another one; open that one');
    return c;
  }

  /**
   * Sends a reply through the mail engine, threaded (In-Reply-To, References, the reply-to
   * address of this conversation). The collision guard: the caller names the last message it
   * has seen; when a reply or a customer message landed since, nothing is sent and the answer
   * is a conflict carrying the new messages, unless the caller confirms. The conversation row
   * is locked, so two replies at the same second are decided one after the other.
   */
  async reply(id: string, input: { text: string; lastSeenMessageId?: string | null; confirm?: boolean; status?: ConversationStatus; snoozedUntil?: Date }, actor: Actor): Promise<SupportMessage> {
    const text = input.text.trim();
    if (!text) throw invalid('The reply is empty', { field: 'text' });
    const settings = await this.settings();
    const domain = await this.deps.ports.messageDomain();
    return this.deps.database.transaction(async (tx) => {
      const c = await this.lockConversation(tx, id);
      await this.guardCollision(tx, c, input.lastSeenMessageId, input.confirm);
      const history = await tx.select({ messageId: supportMessages.messageId, direction: supportMessages.direction, references: supportMessages.references }).from(supportMessages).where(and(eq(supportMessages.conversationId, id), ne(supportMessages.direction, 'note'))).orderBy(desc(supportMessages.seq)).limit(1);
      const parent = history[0];
      const now = this.deps.clock.now();
      const uuid = randomUUID();
      const key = `support.${uuid}`;
      const messageId = `<${key}@${domain}>`;
      const references = parent?.messageId ? [...parent.references, parent.messageId].slice(-20) : [];
      const [local, dom] = settings.address.split('@');
      const replyTo = `${local}+${c.replyToken}@${dom}`;
      const subject = /^re:/i.test(c.subject) ? c.subject : `Re: ${c.subject}`;
      const headers: Record<string, string> = { 'Reply-To': replyTo };
      if (parent?.messageId) headers['In-Reply-To'] = parent.messageId;
      if (references.length) headers.References = references.join(' ');
      // The reply that closes a conversation asks for a rating (when the owner turned ratings on);
      // the footer is in the mail only, not in the thread.
      const mailText = (input.status ?? 'pending') === 'closed' && settings.ratings ? `${text}\n\n${this.ratingFooter(id)}` : text;
      const mailId = await this.deps.queueMailInTx(tx, { to: c.name ? `${c.name.replace(/["<>\r\n]/g, '')} <${c.email}>` : c.email, subject, text: mailText, tag: 'support.reply', contactId: c.contactId, headers, messageKey: key });
      const [m] = await tx
        .insert(supportMessages)
        .values({ id: uuid, conversationId: id, direction: 'outbound', messageId, inReplyTo: parent?.messageId ?? null, references, fromAddress: replyTo, toAddresses: [c.email], subject, text, via: 'admin', mailMessageId: mailId, ...this.author(actor), createdAt: now })
        .returning();
      const first = !c.firstResponseAt;
      const status = input.status ?? 'pending';
      await tx
        .update(supportConversations)
        .set({
          status,
          snoozedUntil: status === 'snoozed' ? (input.snoozedUntil ?? null) : null,
          closedAt: status === 'closed' ? now : null,
          closedById: status === 'closed' ? staffId(actor) : null,
          waitingSince: null,
          firstResponseAt: c.firstResponseAt ?? now,
          firstResponderId: c.firstResponderId ?? staffId(actor),
          assigneeId: c.assigneeId ?? staffId(actor),
          messageCount: sql`${supportConversations.messageCount} + 1`,
          lastMessageAt: now,
          updatedAt: now,
        })
        .where(eq(supportConversations.id, id));
      await this.deps.events.recordInTx(tx, { type: 'support.replied', actor, subject: conv(id), data: { contactId: c.contactId, number: c.number, messageId: uuid, mailMessageId: mailId, first } });
      if (status !== c.status) await this.deps.events.recordInTx(tx, { type: 'support.status_changed', actor, subject: conv(id), data: { contactId: c.contactId, number: c.number, from: c.status, to: status } });
      return m!;
    });
  }

  private async guardCollision(tx: Tx, c: Conversation, lastSeen: string | null | undefined, confirm?: boolean) {
    if (lastSeen === undefined || confirm) return;
    const [latest] = await tx.select({ id: supportMessages.id }).from(supportMessages).where(and(eq(supportMessages.conversationId, c.id), ne(supportMessages.direction, 'note'))).orderBy(desc(supportMessages.seq)).limit(1);
    if (!latest || latest.id === lastSeen) return;
    let since: number | null = null;
    if (lastSeen) {
      const [seen] = await tx.select({ seq: supportMessages.seq }).from(supportMessages).where(and(eq(supportMessages.id, lastSeen), eq(supportMessages.conversationId, c.id)));
      since = seen?.seq ?? null;
    }
    const newer = await tx
      .select({ id: supportMessages.id, direction: supportMessages.direction, fromName: supportMessages.fromName, fromAddress: supportMessages.fromAddress, authorId: supportMessages.authorId, text: supportMessages.text, createdAt: supportMessages.createdAt })
      .from(supportMessages)
      .where(and(eq(supportMessages.conversationId, c.id), ne(supportMessages.direction, 'note'), since !== null ? gt(supportMessages.seq, since) : undefined))
      .orderBy(asc(supportMessages.seq));
    throw conflict('Another message landed in this conversation since you opened it: read it, then send again to confirm', { newMessages: newer });
  }

  private author(actor: Actor) {
    const cols = actorColumns(actor);
    return { authorKind: cols.actorKind, authorId: cols.actorId };
  }

  async note(id: string, text: string, actor: Actor): Promise<SupportMessage> {
    const body = text.trim();
    if (!body) throw invalid('The note is empty', { field: 'text' });
    const staff = await this.deps.ports.staff();
    // @mentions: @first-name, @full.name or @email of a staff member.
    const handles = [...body.matchAll(/@([\p{L}\p{N}._+-]+(?:@[\w.-]+)?)/gu)].map((m) => m[1]!.toLowerCase().replace(/[.]+$/, ''));
    const mentioned = staff.filter((s) => handles.some((h) => h === s.email.toLowerCase() || h === s.name.toLowerCase().split(/\s+/)[0] || h === s.name.toLowerCase().replace(/\s+/g, '.')));
    return this.deps.database.transaction(async (tx) => {
      const c = await this.lockConversation(tx, id);
      const now = this.deps.clock.now();
      const [m] = await tx.insert(supportMessages).values({ conversationId: id, direction: 'note', text: body, via: 'admin', mentions: mentioned.map((s) => s.id), ...this.author(actor), createdAt: now }).returning();
      await tx.update(supportConversations).set({ updatedAt: now }).where(eq(supportConversations.id, id));
      for (const s of mentioned) {
        if (s.id === staffId(actor)) continue;
        await this.deps.queueMailInTx(tx, { to: s.email, subject: `You were mentioned in conversation #${c.number}: ${c.subject}`, text: `${body}\n\nOpen the conversation: /admin/inbox/${id}`, tag: 'support.mention' });
      }
      await this.deps.events.recordInTx(tx, { type: 'support.note_added', actor, subject: conv(id), data: { contactId: c.contactId, number: c.number, messageId: m!.id, mentions: mentioned.map((s) => s.id) } });
      return m!;
    });
  }

  async setStatus(id: string, status: ConversationStatus, actor: Actor, snoozedUntil?: Date): Promise<Conversation> {
    const now = this.deps.clock.now();
    if (status === 'snoozed' && (!snoozedUntil || snoozedUntil <= now)) throw invalid('Snooze until a time in the future', { field: 'snoozedUntil' });
    return this.deps.database.transaction(async (tx) => {
      const c = await this.lockConversation(tx, id);
      const [row] = await tx
        .update(supportConversations)
        .set({ status, snoozedUntil: status === 'snoozed' ? snoozedUntil! : null, closedAt: status === 'closed' ? now : null, closedById: status === 'closed' ? staffId(actor) : null, updatedAt: now })
        .where(eq(supportConversations.id, id))
        .returning();
      if (c.status !== status || status === 'snoozed') await this.deps.events.recordInTx(tx, { type: 'support.status_changed', actor, subject: conv(id), data: { contactId: c.contactId, number: c.number, from: c.status, to: status, snoozedUntil: snoozedUntil?.toISOString() } });
      return row!;
    });
  }

  /** Snoozed conversations whose time came: open again (the job on the injectable clock). */
  async wakeSnoozed(): Promise<number> {
    const now = this.deps.clock.now();
    return this.deps.database.transaction(async (tx) => {
      const due = await tx
        .update(supportConversations)
        .set({ status: 'open', snoozedUntil: null, updatedAt: now })
        .where(and(eq(supportConversations.status, 'snoozed'), lte(supportConversations.snoozedUntil, now)))
        .returning({ id: supportConversations.id, contactId: supportConversations.contactId, number: supportConversations.number });
      for (const c of due) await this.deps.events.recordInTx(tx, { type: 'support.status_changed', actor: { kind: 'system' }, subject: conv(c.id), data: { contactId: c.contactId, number: c.number, from: 'snoozed', to: 'open' } });
      return due.length;
    });
  }

  async assign(id: string, assigneeId: string | null, actor: Actor): Promise<Conversation> {
    if (assigneeId && !(await this.deps.ports.staff()).some((s) => s.id === assigneeId)) throw invalid('No team member has that id', { field: 'assigneeId' });
    return this.deps.database.transaction(async (tx) => {
      const c = await this.lockConversation(tx, id);
      const [row] = await tx.update(supportConversations).set({ assigneeId, updatedAt: this.deps.clock.now() }).where(eq(supportConversations.id, id)).returning();
      if (c.assigneeId !== assigneeId) await this.deps.events.recordInTx(tx, { type: 'support.assigned', actor, subject: conv(id), data: { contactId: c.contactId, number: c.number, assigneeId, how: 'manual' } });
      return row!;
    });
  }

  /** Moves every message of `sourceId` into `targetId`. Both must be the same customer's. */
  async merge(sourceId: string, targetId: string, actor: Actor): Promise<Conversation> {
    if (sourceId === targetId) throw invalid('A conversation cannot be merged into itself');
    return this.deps.database.transaction(async (tx) => {
      const [a, b] = sourceId < targetId ? [await this.lockConversation(tx, sourceId), await this.lockConversation(tx, targetId)] : [null, null];
      const source = a ?? (await this.lockConversation(tx, sourceId));
      const target = b ?? (await this.lockConversation(tx, targetId));
      if (source.contactId !== target.contactId) throw conflict('These conversations are with two different customers; only one customer\'s conversations can be merged');
      const moved = await tx.update(supportMessages).set({ conversationId: targetId }).where(eq(supportMessages.conversationId, sourceId)).returning({ id: supportMessages.id });
      await tx.update(supportActions).set({ conversationId: targetId }).where(eq(supportActions.conversationId, sourceId));
      const now = this.deps.clock.now();
      await tx.update(supportConversations).set({ mergedInto: targetId, status: 'closed', closedAt: now, messageCount: 0, updatedAt: now }).where(eq(supportConversations.id, sourceId));
      const [row] = await tx
        .update(supportConversations)
        .set({
          messageCount: sql`${supportConversations.messageCount} + ${moved.length}`,
          lastMessageAt: source.lastMessageAt > target.lastMessageAt ? source.lastMessageAt : target.lastMessageAt,
          waitingSince: target.waitingSince && source.waitingSince ? (target.waitingSince < source.waitingSince ? target.waitingSince : source.waitingSince) : (target.waitingSince ?? source.waitingSince),
          firstInboundAt: target.firstInboundAt && source.firstInboundAt ? (target.firstInboundAt < source.firstInboundAt ? target.firstInboundAt : source.firstInboundAt) : (target.firstInboundAt ?? source.firstInboundAt),
          updatedAt: now,
        })
        .where(eq(supportConversations.id, targetId))
        .returning();
      await this.deps.events.recordInTx(tx, { type: 'support.merged', actor, subject: conv(sourceId), data: { contactId: source.contactId, number: source.number, into: targetId, messages: moved.length } });
      return row!;
    });
  }

  /** Moves a message and every later one into a new conversation with the same customer. */
  async split(id: string, fromMessageId: string, actor: Actor): Promise<Conversation> {
    return this.deps.database.transaction(async (tx) => {
      const c = await this.lockConversation(tx, id);
      const [m] = await tx.select().from(supportMessages).where(and(eq(supportMessages.id, fromMessageId), eq(supportMessages.conversationId, id)));
      if (!m) throw notFound('Message');
      const [firstMsg] = await tx.select({ id: supportMessages.id }).from(supportMessages).where(eq(supportMessages.conversationId, id)).orderBy(asc(supportMessages.seq)).limit(1);
      if (firstMsg?.id === m.id) throw invalid('Splitting at the first message would leave the conversation empty');
      const now = this.deps.clock.now();
      const [created] = await tx
        .insert(supportConversations)
        .values({ contactId: c.contactId, email: c.email, name: c.name, subject: m.subject || c.subject, subjectKey: subjectKey(m.subject || c.subject), channel: c.channel, status: 'open', assigneeId: c.assigneeId, replyToken: randomBytes(12).toString('hex'), lastMessageAt: now, waitingSince: m.direction === 'inbound' ? m.createdAt : null, firstInboundAt: m.direction === 'inbound' ? m.createdAt : null, createdAt: now, updatedAt: now })
        .returning();
      const moved = await tx
        .update(supportMessages)
        .set({ conversationId: created!.id })
        .where(and(eq(supportMessages.conversationId, id), gte(supportMessages.seq, m.seq)))
        .returning({ id: supportMessages.id, createdAt: supportMessages.createdAt });
      const lastMoved = moved.reduce((t, r) => (r.createdAt > t ? r.createdAt : t), m.createdAt);
      await tx.update(supportConversations).set({ messageCount: moved.length, lastMessageAt: lastMoved }).where(eq(supportConversations.id, created!.id));
      await tx.update(supportConversations).set({ messageCount: sql`greatest(0, ${supportConversations.messageCount} - ${moved.length})`, updatedAt: now }).where(eq(supportConversations.id, id));
      await this.deps.events.recordInTx(tx, { type: 'support.conversation_created', actor, subject: conv(created!.id), data: { contactId: c.contactId, number: created!.number, channel: c.channel, via: 'split' } });
      await this.deps.events.recordInTx(tx, { type: 'support.split', actor, subject: conv(created!.id), data: { contactId: c.contactId, number: created!.number, from: id, messages: moved.length } });
      return (await this.get(tx, created!.id))!;
    });
  }

  // ---- collision guard: presence ------------------------------------------------------------

  /** Records that this person is viewing (or typing in) the conversation; returns the others. */
  async presence(id: string, user: { id: string; name: string }, typing: boolean) {
    const now = this.deps.clock.now();
    await this.db
      .insert(supportPresence)
      .values({ conversationId: id, userId: user.id, name: user.name, typing, seenAt: now })
      .onConflictDoUpdate({ target: [supportPresence.conversationId, supportPresence.userId], set: { typing, seenAt: now, name: user.name } });
    const since = new Date(now.getTime() - PRESENCE_SECONDS * 1000);
    const others = await this.db
      .select({ userId: supportPresence.userId, name: supportPresence.name, typing: supportPresence.typing, seenAt: supportPresence.seenAt })
      .from(supportPresence)
      .where(and(eq(supportPresence.conversationId, id), ne(supportPresence.userId, user.id), gte(supportPresence.seenAt, since)));
    const [latest] = await this.db.select({ id: supportMessages.id }).from(supportMessages).where(and(eq(supportMessages.conversationId, id), ne(supportMessages.direction, 'note'))).orderBy(desc(supportMessages.seq)).limit(1);
    return { others, lastMessageId: latest?.id ?? null };
  }

  // ---- canned replies -----------------------------------------------------------------------

  listCanned() {
    return this.db.select().from(supportCannedReplies).orderBy(asc(supportCannedReplies.shortcut));
  }

  async saveCanned(input: { id?: string; shortcut: string; title: string; body: string }, actor: Actor) {
    // Refuse a template the safe engine cannot parse (or one that tries to read files) now, not at send time.
    try {
      await this.deps.ports.renderLiquid(input.body, {});
    } catch (err) {
      throw invalid(`The reply's template does not work: ${(err as Error).message}`, { field: 'body' });
    }
    return this.deps.database.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const [row] = input.id
        ? await tx.update(supportCannedReplies).set({ shortcut: input.shortcut, title: input.title, body: input.body, updatedAt: now }).where(eq(supportCannedReplies.id, input.id)).returning()
        : await tx.insert(supportCannedReplies).values({ shortcut: input.shortcut, title: input.title, body: input.body, createdAt: now, updatedAt: now }).returning();
      if (!row) throw notFound('Canned reply');
      await this.deps.events.recordInTx(tx, { type: 'support.canned_reply_saved', actor, subject: { type: 'support_canned_reply', id: row.id }, data: { shortcut: row.shortcut } });
      return row;
    });
  }

  async deleteCanned(id: string): Promise<void> {
    await this.db.delete(supportCannedReplies).where(eq(supportCannedReplies.id, id));
  }

  /** A canned reply filled in for this conversation's customer (name, last order, courses). */
  async renderCanned(conversationId: string, cannedId: string): Promise<string> {
    const c = await this.get(this.db, conversationId);
    const [canned] = await this.db.select().from(supportCannedReplies).where(eq(supportCannedReplies.id, cannedId));
    if (!canned) throw notFound('Canned reply');
    const vars = await this.deps.ports.liquidVars(c.contactId);
    try {
      return await this.deps.ports.renderLiquid(canned.body, vars);
    } catch (err) {
      throw invalid(`The canned reply could not be filled in: ${(err as Error).message}`);
    }
  }

  // ---- bounded authority --------------------------------------------------------------------

  /**
   * An action from a conversation, within the caller's role's limits, or else an approval
   * request for the owner. Refunds are checked against the amount and the days since purchase,
   * and only for the conversation's own customer's orders.
   */
  async act(id: string, input: ActionInput, actor: Actor): Promise<{ action: typeof supportActions.$inferSelect; approvalId: string | null }> {
    const role = roleOf(actor);
    if (!role) throw forbidden();
    // Fresh: a limit the owner just lowered (here or in another process) applies at once.
    const settings = await this.settings(this.db, { fresh: true });
    const c = await this.get(this.db, id);
    const limits: RoleLimits | null = role === 'owner' ? null : ((settings.limits as Record<string, RoleLimits>)[role] ?? { refundMax: 0, refundMaxDays: 0, extendMaxDays: 0, resend: false });
    let over: string | null = null;
    let amount: number | undefined;
    let currency: string | undefined;
    if (input.kind === 'refund') {
      const o = await this.deps.ports.orderFacts(input.orderId);
      if (o.contactId !== c.contactId) throw forbidden('That order is not this customer\'s');
      if (o.status !== 'paid') throw new DomainError('precondition_failed', 'Only paid orders can be refunded');
      amount = input.amount ?? o.amountPaid - o.amountRefunded;
      currency = o.currency;
      if (amount < 1 || amount > o.amountPaid - o.amountRefunded) throw invalid('That amount cannot be refunded from this order', { field: 'amount' });
      if (limits) {
        const days = o.paidAt ? (this.deps.clock.now().getTime() - o.paidAt.getTime()) / 86_400_000 : Infinity;
        if (amount > limits.refundMax) over = `above the ${role} limit of ${(limits.refundMax / 100).toFixed(2)} ${currency}`;
        else if (days > limits.refundMaxDays) over = `${Math.floor(days)} days after the purchase (the ${role} limit is ${limits.refundMaxDays})`;
      }
    } else if (input.kind === 'extend_access') {
      if (limits && input.days > limits.extendMaxDays) over = `${input.days} days is above the ${role} limit of ${limits.extendMaxDays}`;
    } else if (limits && !limits.resend) {
      over = `the ${role} role may not resend mail`;
    }
    const data = { ...input, conversationId: id, contactId: c.contactId, amount, currency };
    if (over) {
      const approve = this.deps.ports.requestApproval;
      if (!approve) throw forbidden(`Not allowed: ${over}, and approvals are not available`);
      return this.deps.database.transaction(async (tx) => {
        const now = this.deps.clock.now();
        const [row] = await tx.insert(supportActions).values({ conversationId: id, kind: input.kind, input: data, status: 'awaiting_approval', ...actorColumns(actor), createdAt: now, updatedAt: now }).returning();
        const title = describeAction(input, amount, currency, c.number);
        const request = await approve(tx, {
          kind: `support.${input.kind}`,
          data: { actionId: row!.id },
          title,
          summary: `${title} — asked from conversation #${c.number} with ${c.email}: ${over}. Reason: ${input.reason}`,
          urgent: input.urgent ?? false,
          subject: conv(id),
          actor,
        });
        await tx.update(supportActions).set({ approvalId: request.id }).where(eq(supportActions.id, row!.id));
        await this.deps.events.recordInTx(tx, { type: 'support.action_requested', actor, subject: conv(id), data: { contactId: c.contactId, number: c.number, actionId: row!.id, kind: input.kind, approvalId: request.id, reason: over, urgent: input.urgent ?? false } });
        return { action: { ...row!, approvalId: request.id }, approvalId: request.id };
      });
    }
    const action = await this.deps.database.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const [row] = await tx.insert(supportActions).values({ conversationId: id, kind: input.kind, input: data, status: 'approved', ...actorColumns(actor), createdAt: now, updatedAt: now }).returning();
      return row!;
    });
    return { action: await this.runAction(action.id, actor, role), approvalId: null };
  }

  /**
   * Carries out an allowed action once. A refund leaves the database (the payment provider), so
   * the action is marked `running` in its own commit first: a crash after that leaves it
   * `running`, and a retry marks it `unknown` for a person to check instead of refunding twice.
   */
  async runAction(actionId: string, actor: Actor, role: Role): Promise<typeof supportActions.$inferSelect> {
    const claimed = await this.deps.database.transaction(async (tx) => {
      const [a] = await tx.select().from(supportActions).where(eq(supportActions.id, actionId)).for('update');
      if (!a) throw notFound('Action');
      if (a.status === 'running') {
        const [u] = await tx.update(supportActions).set({ status: 'unknown', result: 'Interrupted while running: check the order before trying again', updatedAt: this.deps.clock.now() }).where(eq(supportActions.id, actionId)).returning();
        return { row: u!, go: false };
      }
      if (a.status !== 'approved') return { row: a, go: false };
      const [u] = await tx.update(supportActions).set({ status: 'running', updatedAt: this.deps.clock.now() }).where(eq(supportActions.id, actionId)).returning();
      return { row: u!, go: true };
    });
    if (!claimed.go) return claimed.row;
    const a = claimed.row;
    const data = a.input as ActionInput & { conversationId: string; contactId: string; amount?: number; currency?: string };
    const c = await this.get(this.db, a.conversationId);
    const finish = (status: 'done' | 'failed', result: string, extra: (tx: Tx) => Promise<void> = async () => {}) =>
      this.deps.database.transaction(async (tx) => {
        await extra(tx);
        const [u] = await tx.update(supportActions).set({ status, result, updatedAt: this.deps.clock.now() }).where(eq(supportActions.id, actionId)).returning();
        if (status === 'done') await this.deps.events.recordInTx(tx, { type: 'support.action_taken', actor, subject: conv(c.id), data: { contactId: c.contactId, number: c.number, actionId, kind: a.kind, amount: data.amount, currency: data.currency, approvalId: a.approvalId ?? undefined } });
        return u!;
      });
    try {
      if (data.kind === 'refund') {
        const r = await this.deps.ports.refund(data.orderId, { amount: data.amount, reason: data.reason }, { actor, role });
        return await finish('done', `Refunded ${(r.amount / 100).toFixed(2)} ${r.currency}`);
      }
      if (data.kind === 'resend_receipt') {
        const o = await this.deps.ports.orderFacts(data.orderId);
        if (o.contactId !== c.contactId) throw forbidden('That order is not this customer\'s');
        return await finish('done', 'Receipt sent again', (tx) => this.deps.ports.resendReceiptInTx(tx, data.orderId));
      }
      if (data.kind === 'sign_in_link') return await finish('done', 'Sign-in link sent', (tx) => this.deps.ports.sendSignInLinkInTx(tx, c.contactId));
      let until: Date | null = null;
      const row = await finish('done', 'Access extended', async (tx) => {
        until = await this.deps.ports.extendAccessInTx(tx, { contactId: c.contactId, courseId: data.courseId, days: data.days, actor, actionId });
      });
      return { ...row, result: `Access extended until ${until!.toISOString().slice(0, 10)}` };
    } catch (err) {
      await finish('failed', (err as Error).message.slice(0, 500));
      throw err;
    }
  }

  /** The owner approved: run the action after this decision commits (a job, in the decision's transaction). */
  async approvedInTx(tx: Tx, actionId: string, actor: Actor): Promise<void> {
    const [a] = await tx.select().from(supportActions).where(eq(supportActions.id, actionId)).for('update');
    if (!a) throw notFound('Action');
    if (a.status !== 'awaiting_approval') throw conflict(`This action is ${a.status}, not awaiting approval`);
    await tx.update(supportActions).set({ status: 'approved', updatedAt: this.deps.clock.now() }).where(eq(supportActions.id, actionId));
    const c = await this.get(tx, a.conversationId);
    await this.deps.events.recordInTx(tx, { type: 'support.action_decided', actor, subject: conv(c.id), data: { contactId: c.contactId, number: c.number, actionId, kind: a.kind, decision: 'approved' } });
    await this.deps.jobs.sendInTx(tx, RUN_ACTION_JOB, { actionId, actor });
  }

  async refusedInTx(tx: Tx, actionId: string, actor: Actor): Promise<void> {
    const [a] = await tx.select().from(supportActions).where(eq(supportActions.id, actionId)).for('update');
    if (!a || a.status !== 'awaiting_approval') return;
    await tx.update(supportActions).set({ status: 'refused', updatedAt: this.deps.clock.now() }).where(eq(supportActions.id, actionId));
    const c = await this.get(tx, a.conversationId);
    await this.deps.events.recordInTx(tx, { type: 'support.action_decided', actor, subject: conv(c.id), data: { contactId: c.contactId, number: c.number, actionId, kind: a.kind, decision: 'refused' } });
  }

  async describeActionForApproval(db: DbOrTx, actionId: string): Promise<string> {
    const [a] = await db.select().from(supportActions).where(eq(supportActions.id, actionId));
    if (!a) throw notFound('Action');
    return a.kind;
  }

  // ---- SLAs and figures ---------------------------------------------------------------------

  /** Warns once per conversation and target when a first-response or resolution target passed. */
  async checkSlas(): Promise<number> {
    const settings = await this.settings();
    const tz = await this.deps.ports.timeZone();
    const now = this.deps.clock.now();
    const bh = settings.sla.businessHours;
    const candidates = await this.db
      .select()
      .from(supportConversations)
      .where(and(inArray(supportConversations.status, ['open', 'pending', 'snoozed']), isNull(supportConversations.mergedInto), sql`${supportConversations.firstInboundAt} is not null`))
      .orderBy(asc(supportConversations.firstInboundAt))
      .limit(5000);
    let warned = 0;
    for (const c of candidates) {
      const breaches: { target: 'first_response' | 'resolution'; due: Date }[] = [];
      const frDue = addBusinessHours(c.firstInboundAt!, settings.sla.firstResponseHours, tz, bh);
      if (!c.firstResponseAt && now > frDue && !c.slaWarned.includes('first_response')) breaches.push({ target: 'first_response', due: frDue });
      const resDue = addBusinessHours(c.firstInboundAt!, settings.sla.resolutionHours, tz, bh);
      if (now > resDue && !c.slaWarned.includes('resolution')) breaches.push({ target: 'resolution', due: resDue });
      if (!breaches.length) continue;
      await this.deps.database.transaction(async (tx) => {
        await tx.update(supportConversations).set({ slaWarned: [...c.slaWarned, ...breaches.map((b) => b.target)] }).where(eq(supportConversations.id, c.id));
        for (const b of breaches) await this.deps.events.recordInTx(tx, { type: 'support.sla_breached', actor: { kind: 'system' }, subject: conv(c.id), data: { contactId: c.contactId, number: c.number, target: b.target, dueAt: b.due.toISOString(), assigneeId: c.assigneeId } });
      });
      warned += breaches.length;
    }
    return warned;
  }

  /** Per assistant: first response median and p90 and resolution median (business minutes), handled, ratings. */
  async figures(range: { from: Date; to: Date }) {
    const settings = await this.settings();
    const tz = await this.deps.ports.timeZone();
    const bh = settings.sla.businessHours;
    const rows = await this.db
      .select({ firstInboundAt: supportConversations.firstInboundAt, firstResponseAt: supportConversations.firstResponseAt, firstResponderId: supportConversations.firstResponderId, closedAt: supportConversations.closedAt, closedById: supportConversations.closedById, assigneeId: supportConversations.assigneeId, rating: supportConversations.rating })
      .from(supportConversations)
      .where(and(gte(supportConversations.createdAt, range.from), lt(supportConversations.createdAt, range.to), isNull(supportConversations.mergedInto)))
      .limit(50_000);
    const staff = await this.deps.ports.staff();
    const byId = new Map<string, { fr: number[]; res: number[]; handled: number; great: number; okay: number; bad: number }>();
    const get = (id: string) => byId.get(id) ?? (byId.set(id, { fr: [], res: [], handled: 0, great: 0, okay: 0, bad: 0 }), byId.get(id)!);
    for (const r of rows) {
      if (r.firstResponderId && r.firstInboundAt && r.firstResponseAt) get(r.firstResponderId).fr.push(businessMinutesBetween(r.firstInboundAt, r.firstResponseAt, tz, bh));
      const closer = r.closedById ?? r.assigneeId;
      if (r.closedAt && closer && r.firstInboundAt) {
        const f = get(closer);
        f.res.push(businessMinutesBetween(r.firstInboundAt, r.closedAt, tz, bh));
        f.handled++;
      }
      const who = r.assigneeId ?? r.firstResponderId;
      if (who && r.rating) get(who)[r.rating as 'great' | 'okay' | 'bad']++;
    }
    return [...byId].map(([id, f]) => {
      const fr = f.fr.sort((a, b) => a - b);
      const res = f.res.sort((a, b) => a - b);
      const rated = f.great + f.okay + f.bad;
      return {
        userId: id,
        name: staff.find((s) => s.id === id)?.name ?? 'Former member',
        firstResponseMedianMinutes: percentile(fr, 0.5),
        firstResponseP90Minutes: percentile(fr, 0.9),
        resolutionMedianMinutes: percentile(res, 0.5),
        handled: f.handled,
        ratings: { great: f.great, okay: f.okay, bad: f.bad, happiness: rated ? Math.round(((f.great - f.bad) / rated) * 100) : null },
      };
    });
  }

  // ---- the customer's rating ----------------------------------------------------------------

  /** The signed link to the rating page of a conversation, with a rating preselected. */
  ratingLink(conversationId: string, rating: Rating): string {
    const token = this.deps.signer.sign(RATING_PURPOSE, conversationId, new Date(this.deps.clock.now().getTime() + RATING_LINK_DAYS * 86_400_000));
    return `${this.deps.config.publicUrl.replace(/\/$/, '')}/support/rate/${token}?r=${rating}`;
  }

  private ratingFooter(conversationId: string): string {
    return ['How did we do? One click tells us:', `Great: ${this.ratingLink(conversationId, 'great')}`, `Okay: ${this.ratingLink(conversationId, 'okay')}`, `Bad: ${this.ratingLink(conversationId, 'bad')}`].join('\n');
  }

  /** The conversation a rating link names; invalid_token when it is forged, expired or for something else. */
  async ratingTarget(token: string): Promise<{ id: string; number: number; subject: string; rating: Rating | null; comment: string | null }> {
    const id = this.deps.signer.verify(RATING_PURPOSE, token, this.deps.clock.now());
    if (!id || !/^[0-9a-f-]{36}$/.test(id)) throw new DomainError('invalid_token', 'This rating link is not valid or has expired');
    const [c] = await this.db.select().from(supportConversations).where(eq(supportConversations.id, id));
    if (!c) throw new DomainError('invalid_token', 'This conversation no longer exists');
    return { id: c.id, number: c.number, subject: c.subject, rating: (c.rating as Rating | null) ?? null, comment: c.ratingComment };
  }

  /** A rating from the signed link: the last one counts; the same rating and comment again changes nothing. */
  async rateByToken(token: string, rating: Rating, comment: string | undefined): Promise<{ changed: boolean }> {
    const target = await this.ratingTarget(token);
    return this.rate(target.id, rating, comment);
  }

  /** The customer's rating (great, okay, bad) with an optional comment. */
  async rate(id: string, rating: Rating, comment?: string): Promise<{ changed: boolean }> {
    const text = comment?.replace(/\r\n?/g, '\n').trim().slice(0, 2000) || null;
    if (text && /[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(text)) throw invalid('The comment contains control characters', { field: 'comment' });
    return this.deps.database.transaction(async (tx) => {
      const [c] = await tx.select().from(supportConversations).where(eq(supportConversations.id, id)).for('update');
      if (!c) throw notFound('Conversation');
      if (c.rating === rating && (c.ratingComment ?? null) === text) return { changed: false };
      await tx.update(supportConversations).set({ rating, ratingComment: text, ratedAt: this.deps.clock.now() }).where(eq(supportConversations.id, id));
      await this.deps.events.recordInTx(tx, { type: 'support.rated', actor: { kind: 'customer', id: c.contactId }, subject: conv(id), data: { contactId: c.contactId, number: c.number, rating, previous: (c.rating as Rating | null) ?? undefined, comment: !!text } });
      return { changed: true };
    });
  }

  /** Names for Activity (conversations are shown by number and subject). */
  async names(db: DbOrTx, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await db.select({ id: supportConversations.id, number: supportConversations.number, subject: supportConversations.subject }).from(supportConversations).where(inArray(supportConversations.id, ids));
    return new Map(rows.map((r) => [r.id, `#${r.number} ${r.subject}`]));
  }
}

export type ActionInput =
  | { kind: 'refund'; orderId: string; amount?: number; reason: string; urgent?: boolean }
  | { kind: 'resend_receipt'; orderId: string; reason: string; urgent?: boolean }
  | { kind: 'sign_in_link'; reason: string; urgent?: boolean }
  | { kind: 'extend_access'; courseId: string; days: number; reason: string; urgent?: boolean };

export function describeAction(input: ActionInput, amount: number | undefined, currency: string | undefined, number: number): string {
  switch (input.kind) {
    case 'refund':
      return `Refund ${((amount ?? 0) / 100).toFixed(2)} ${currency ?? ''} (conversation #${number})`;
    case 'resend_receipt':
      return `Resend a receipt (conversation #${number})`;
    case 'sign_in_link':
      return `Send a sign-in link (conversation #${number})`;
    case 'extend_access':
      return `Extend course access by ${input.days} days (conversation #${number})`;
  }
}

export type { ActionKind };
