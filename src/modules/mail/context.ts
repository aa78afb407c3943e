// What every part of the mail module shares: the database, the clock, the event log, the
// queue, the transport and the settings. Built once by MailService.
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { MailConfig } from '../../config.js';
import type { Signer } from '../../crypto.js';
import type { Database, Db, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { AudienceService } from '../audience/index.js';
import { getSetting, putSetting } from '../../db/secrets.js';
import type { DkimSigner } from './dkim.js';
import type { Throttle } from './throttle.js';
import type { SmtpTransport } from './transport.js';
import { invalid } from '../../errors.js';
import { mailboxProblem } from './mime.js';
import { neutralLook, type EmailLook } from './layout.js';
import { inkOn, readableOn } from '../brand/index.js';

/** The brand's look for mail: its colour, readable link colour, logo (absolute), fonts and footer. */
export function lookOf(brand: MailBrand, settings: Pick<MailSettings, 'businessName' | 'postalAddress'>, publicUrl: string): EmailLook {
  return {
    ...neutralLook,
    businessName: settings.businessName,
    color: brand.color,
    ink: inkOn(brand.color),
    link: readableOn(brand.color),
    logoUrl: brand.logoUrl ? `${publicUrl}${brand.logoUrl}` : null,
    fontStack: brand.font,
    postalAddress: settings.postalAddress,
    supportEmail: brand.supportEmail,
  };
}

export interface MailDeps {
  database: Database;
  clock: Clock;
  jobs: JobQueue;
  events: EventLog;
  signer: Signer;
  audience: AudienceService;
  log: Logger;
  config: MailConfig;
  publicUrl: string;
  /** the app's secret key: mail secrets are sealed under a key derived from it */
  secretKey: string;
  /** the owner's address(es): the reputation guard tells them when it pauses a broadcast */
  ownerEmails(): Promise<string[]>;
  /**
   * The business's identity (brand module). Once the owner has set it (version > 0), its name,
   * sender and postal address win over the mail settings, and every message wears its look.
   */
  brand?: (db?: DbOrTx) => Promise<MailBrand>;
}

/** What mail takes from the brand module's PublicBrand. */
export interface MailBrand {
  name: string;
  color: string;
  logoUrl: string | null;
  font: string;
  postalAddress: string;
  supportEmail: string;
  /** `"Name" <address>` or null */
  from: string | null;
  version: number;
}

export interface MailSettings {
  /** the From of broadcasts and transactional mail */
  fromAddress: string;
  replyTo: string;
  businessName: string;
  /** required in every broadcast footer (CAN-SPAM, GDPR) */
  postalAddress: string;
  trackingEnabled: boolean;
  /** messages per second across every process; 0 = no limit */
  ratePerSecond: number;
  /** bulk messages per clock hour; 0 = no limit */
  ratePerHour: number;
  /** how messages look (from the brand; never stored with the settings) */
  look?: EmailLook;
}

export interface MailContext extends MailDeps {
  smtp: SmtpTransport | null;
  dkim: DkimSigner | null;
  throttle: Throttle;
  settings(db?: DbOrTx): Promise<MailSettings>;
  /** record + enqueue jobs in tx; a transactional message (used by the guard and test sends) */
  queueTransactionalInTx(tx: Tx, m: { to: string; subject: string; text: string; html?: string; tag: string; contactId?: string; headers?: Record<string, string> }): Promise<string>;
}

const SETTINGS_KEY = 'mail.settings';

export class SettingsStore {
  private cached: { at: number; value: MailSettings } | null = null;
  constructor(private readonly deps: MailDeps) {}

  defaults(): MailSettings {
    const c = this.deps.config;
    const name = /^\s*"?([^"<]+?)"?\s*</.exec(c.from)?.[1]?.trim() ?? 'Onehour';
    return {
      fromAddress: c.from,
      replyTo: '',
      businessName: name,
      postalAddress: c.postalAddress ?? '',
      trackingEnabled: c.tracking,
      ratePerSecond: c.ratePerSecond,
      ratePerHour: c.ratePerHour,
    };
  }

  /**
   * Cached for two seconds: the engine reads it every batch. Inside a transaction, pass it:
   * on PGlite (one connection) a query outside the open transaction would wait for it forever.
   */
  async get(db?: DbOrTx): Promise<MailSettings> {
    if (this.cached && performance.now() - this.cached.at < 2000) return this.cached.value;
    const value: MailSettings = { ...this.defaults(), ...(await this.stored(db)) };
    const brand = this.deps.brand ? await this.deps.brand(db) : null;
    if (brand && brand.version > 0) {
      value.businessName = brand.name;
      if (brand.from) value.fromAddress = brand.from;
      if (brand.postalAddress) value.postalAddress = brand.postalAddress;
    }
    if (brand) value.look = lookOf(brand, value, this.deps.publicUrl);
    this.cached = { at: performance.now(), value };
    return value;
  }

  /** Drops the cached settings (the brand changed in this process). */
  forget(): void {
    this.cached = null;
  }

  private async stored(db?: DbOrTx): Promise<Partial<MailSettings>> {
    const { look: _never, ...stored } = (await getSetting<Partial<MailSettings>>((db ?? this.deps.database.db) as Db, SETTINGS_KEY)) ?? {};
    return stored;
  }

  async put(patch: Partial<MailSettings>): Promise<MailSettings> {
    // What is stored is the mail settings alone: never the brand's values or look laid over them.
    const { look: _ignored, ...rest } = patch;
    const next = { ...this.defaults(), ...(await this.stored()), ...rest };
    // One mailbox each, on one line: these become the From and Reply-To of every message.
    // What the admin sets is checked (the configured default may be a local hello@localhost).
    const fromProblem = patch.fromAddress !== undefined ? mailboxProblem(patch.fromAddress) : null;
    if (fromProblem) throw invalid(`The sender ${fromProblem}`, { field: 'fromAddress' });
    const replyProblem = patch.replyTo ? mailboxProblem(patch.replyTo) : null;
    if (replyProblem) throw invalid(`The reply-to address ${replyProblem}`, { field: 'replyTo' });
    if (patch.businessName !== undefined && /[\x00-\x1f\x7f]/.test(patch.businessName)) throw invalid('The business name must be on one line', { field: 'businessName' });
    const stored = next;
    await putSetting(this.deps.database.db, SETTINGS_KEY, stored, this.deps.clock.now());
    this.cached = null;
    return this.get();
  }
}
