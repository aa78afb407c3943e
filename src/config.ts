// The only place that reads process.env. Every setting is validated here at boot and
// documented in docs/configuration.md; a bad value stops start-up with a message that
// names the setting and what to do about it.
import fs from 'node:fs';
import net from 'node:net';
import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^postgres(ql)?:\/\//.test(v), {
      message: 'must start with postgres:// or postgresql:// (leave it unset to use the embedded database in DATA_DIR)',
    }),
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || isHttpUrl(v), {
      message: 'must be an absolute http:// or https:// URL such as https://shop.example.com',
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const trust = parseTrustProxy(v);
      if (typeof trust === 'string') {
        ctx.addIssue({ code: 'custom', message: trust });
        return z.NEVER;
      }
      return trust;
    }),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters (or leave it unset: one is generated and stored)').optional(),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 14),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().positive().default(15),
  RATE_LIMIT_AUTH: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_FORMS: z.coerce.number().int().min(1).default(30),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(5).default(300),
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  JOB_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).default(30),
  JOBS_ENABLED: bool.default(true),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  SMTP_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^smtps?:\/\//.test(v), {
      message: 'must look like smtp://user:pass@host:587 or smtps://user:pass@host:465',
    }),
  MAIL_FROM: z.string().default('Onehour <hello@localhost>'),
  MAIL_BOUNCE_ADDRESS: z.string().email('must be an email address (the envelope sender bounces go back to)').optional(),
  MAIL_POSTAL_ADDRESS: z.string().max(300).optional(),
  MAIL_RATE_PER_SECOND: z.coerce.number().min(0).default(50),
  MAIL_RATE_PER_HOUR: z.coerce.number().int().min(0).default(0),
  MAIL_SMTP_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(5),
  MAIL_SEND_WORKERS: z.coerce.number().int().min(1).max(16).default(4),
  MAIL_SEND_BATCH: z.coerce.number().int().min(1).max(1000).default(100),
  MAIL_TRACKING: bool.default(true),
  MAIL_GUARD_BOUNCE_RATE: z.coerce.number().min(0).max(1).default(0.05),
  MAIL_GUARD_COMPLAINT_RATE: z.coerce.number().min(0).max(1).default(0.003),
  MAIL_GUARD_MIN_SAMPLE: z.coerce.number().int().min(1).default(100),
  MAIL_GUARD_WINDOW_MINUTES: z.coerce.number().int().min(1).default(60),
  DKIM_DOMAIN: z.string().optional(),
  DKIM_SELECTOR: z.string().optional(),
  DKIM_PRIVATE_KEY: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().optional(),
  MAIL_WEBHOOK_POSTMARK_AUTH: z.string().regex(/^[^:]+:.+$/, 'must be user:password (the basic-auth credentials set on the Postmark webhook)').optional(),
  MAIL_WEBHOOK_MAILGUN_KEY: z.string().optional(),
  MAIL_WEBHOOK_SENDGRID_KEY: z.string().optional(),
  MAIL_WEBHOOK_SNS_CERT: z.string().optional(),
  MAIL_WEBHOOK_SNS_TOPIC: z.string().optional(),
  MAIL_INBOUND_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  IMPORT_MAX_MB: z.coerce.number().positive().max(100_000).default(1024),
  IMPORT_CHUNK_ROWS: z.coerce.number().int().min(100).max(50_000).default(5000),
  LEAD_MAGNET_MAX_MB: z.coerce.number().positive().max(10_000).default(50),
  UPLOAD_MAX_MB: z.coerce.number().positive().max(51_200).default(2048),
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  STRIPE_API_URL: z.string().optional().refine((v) => v === undefined || v === '' || isHttpUrl(v), {
    message: 'must be an absolute URL (default: Stripe\'s own API)',
  }),
  STRIPE_TAX: bool.default(false),
  STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  PAYMENT_PROVIDER: z.enum(['stripe', 'test']).optional(),
  REFUND_LIMIT_SUPPORT_CENTS: z.coerce.number().int().min(0).default(5000),
  DUNNING_RETRY_DAYS: z
    .string()
    .regex(/^\d+(\s*,\s*\d+)*$/, 'must be a comma-separated list of whole days, e.g. 1,3,5')
    .default('1,3,5'),
  DUNNING_GRACE_DAYS: z.coerce.number().int().min(0).max(60).default(7),
  CHECKOUT_SESSION_MINUTES: z.coerce.number().int().min(30).max(1440).default(60),
  DOWNLOAD_LINK_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  FILES_DIR: z.string().min(1).optional(),
  SITE_CACHE_CHECK_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  WEBHOOKS_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_RETRY_SECONDS: z
    .string()
    .regex(/^\d+(\s*,\s*\d+){0,19}$/, 'must be a comma-separated list of whole seconds, e.g. 5,300,1800')
    .default('5,300,1800,7200,18000,36000,36000'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_DISABLE_AFTER_DAYS: z.coerce.number().min(0.001).max(60).default(5),
  /** days raw analytics events are kept (rollups are kept for ever); 0 keeps them for ever */
  ANALYTICS_RETENTION_DAYS: z.coerce.number().int().min(0).max(10_000).default(400),
  /** events one address may send per minute before the rest are dropped (a flood) */
  ANALYTICS_MAX_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  /** other origins (the owner's own sites) allowed to send POST /api/event, comma separated */
  ANALYTICS_ALLOWED_ORIGINS: z.string().default(''),
  /** how long page views wait in memory before they are written in one batch */
  ANALYTICS_FLUSH_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** page views and events held in memory at most while they wait to be written; beyond it the beacon answers 503 */
  ANALYTICS_BUFFER_MAX: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
  /** automation webhook steps may call private and loopback addresses (off: they are refused) */
  AUTOMATION_WEBHOOKS_ALLOW_PRIVATE: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
  /** the owner's broken-link check may visit private and loopback addresses (off: they are refused) */
  OWNER_LINKS_ALLOW_PRIVATE: z.enum(['0', '1', 'true', 'false']).default('0').transform((v) => v === '1' || v === 'true'),
  /** the support inbox's address (replies come back to support+<token>@ its domain); default support@ the sender's domain */
  SUPPORT_ADDRESS: z.string().trim().toLowerCase().regex(/^[^\s@+<>]+@[^\s@<>]+$/, 'must be one address such as support@example.com (without +)').optional(),
  /** the built-in SMTP receiver's port; unset: off (0: any free port) */
  SUPPORT_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SUPPORT_SMTP_HOST: z.string().optional(),
  SUPPORT_MAX_MESSAGE_MB: z.coerce.number().positive().max(200).default(25),
  SUPPORT_ATTACHMENT_MAX_MB: z.coerce.number().positive().max(200).default(10),
  /** authserv-ids (e.g. mx.example.com) of the MTA in front whose Authentication-Results headers are believed */
  SUPPORT_TRUSTED_AUTHSERV: z.string().default(''),
  SUPPORT_POSTMARK_AUTH: z.string().regex(/^[^:]+:.+$/, 'must be user:password (the basic-auth credentials in the Postmark inbound webhook URL)').optional(),
  SUPPORT_MAILGUN_KEY: z.string().optional(),
  SUPPORT_SENDGRID_AUTH: z.string().regex(/^[^:]+:.{12,}$/, 'must be user:password, the password at least 12 characters (the basic-auth credentials in the Inbound Parse URL)').optional(),
  SUPPORT_SNS_TOPIC: z.string().optional(),
});

/** Names proxy-addr (Fastify's trust check) knows for whole private ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: which peers may set X-Forwarded-For. A hop count (`1`: the one proxy in front)
 * or a list of proxy addresses / CIDRs. Never "trust everyone": any client could then pick
 * the IP the audit log and the rate limits see. Returns the setting, or a message.
 */
export function parseTrustProxy(raw: string | undefined): false | number | string[] | string {
  const v = (raw ?? '').trim();
  if (['', '0', 'false', 'no', 'off'].includes(v.toLowerCase())) return false;
  if (['1', 'true', 'yes', 'on'].includes(v.toLowerCase()) && v !== '1') {
    return 'trusting every address is refused (any client could forge its IP); give the number of proxies in front of Onehour (e.g. 1) or their addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8)';
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops >= 1 && hops <= 10 ? hops : 'a hop count must be between 1 and 10';
  }
  const entries = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const entry of entries) {
    if (PROXY_RANGE_NAMES.has(entry)) continue;
    const [addr, prefix, extra] = entry.split('/');
    const family = net.isIP(addr ?? '');
    const max = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (!family || extra !== undefined || !prefixOk) {
      return `"${entry}" is not an IP address or CIDR range; give a hop count (e.g. 1) or a comma-separated list such as 127.0.0.1,10.0.0.0/8`;
    }
  }
  return entries;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export type DatabaseConfig = { kind: 'pglite'; dataDir: string } | { kind: 'pg'; url: string };

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  database: DatabaseConfig;
  publicUrl: string;
  /** True when PUBLIC_URL is https: cookies get the Secure flag. */
  secureCookies: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** which peers may set X-Forwarded-For: false (none), a hop count, or proxy addresses/CIDRs */
  trustProxy: false | number | string[];
  secretKey?: string;
  sessionTtlHours: number;
  loginMaxAttempts: number;
  loginLockoutMinutes: number;
  /** requests per minute per IP: sign-in and account routes, public forms */
  rateLimits: { auth: number; forms: number };
  jobs: { enabled: boolean; concurrency: number; expireSeconds: number; pollSeconds: number; maintenanceSeconds: number };
  shutdownTimeoutMs: number;
  mail: MailConfig;
  /** contact imports and forms (docs/configuration.md, Audience) */
  audience: { importMaxBytes: number; importChunkRows: number; leadMagnetMaxBytes: number };
  stripe: { secretKey?: string; webhookSecret?: string; apiUrl?: string; tax: boolean; maxNetworkRetries: number };
  checkout: {
    /** `stripe` when a Stripe key is set, else the built-in test provider (never in production with Stripe keys) */
    provider: 'stripe' | 'test';
    /** the most one refund by a support assistant may be, in the order's minor units */
    refundLimitSupportCents: number;
    /** days after a failed renewal on which the charge is tried again */
    dunningRetryDays: number[];
    /** days after the first failed renewal until access is revoked */
    dunningGraceDays: number;
    sessionMinutes: number;
    downloadLinkHours: number;
  };
  /** product files (downloads): the same folder as every other upload (FILES_DIR) */
  files: { dir: string; maxUploadBytes: number };
  site: { cacheCheckMs: number };
  analytics: { retentionDays: number; maxEventsPerMinute: number; allowedOrigins: string[]; flushMs: number; bufferMax: number };
  /** uploaded files (lesson videos, attachments) live in `dir` (FILES_DIR, default DATA_DIR/files); one upload may be at most `maxBytes` */
  uploads: { dir: string; maxBytes: number };
  /** outbound webhooks (docs/webhooks.md) */
  webhooks: {
    /** deliver to private, loopback and link-local addresses and over plain http (local development, tests) */
    allowPrivate: boolean;
    /** waits before each retry; its length + 1 is the number of attempts */
    retrySeconds: number[];
    timeoutMs: number;
    /** an endpoint failing for this long is disabled */
    disableAfterDays: number;
  };
  automation: { webhooksAllowPrivate: boolean };
  owner: { linksAllowPrivate: boolean };
  /** the support inbox (docs/support.md) */
  support: {
    address?: string;
    smtp: { port: number; host: string } | null;
    maxMessageBytes: number;
    maxAttachmentBytes: number;
    trustedAuthServ: string[];
    postmarkAuth?: string;
    mailgunKey?: string;
    sendgridAuth?: string;
    /** the SNS topic of the SES receipt rule (the certificate is MAIL_WEBHOOK_SNS_CERT) */
    snsTopic?: string;
  };
}

export interface MailConfig {
  smtpUrl?: string;
  from: string;
  /** envelope sender (Return-Path); defaults to the From address */
  bounceAddress?: string;
  /** default for the postal address setting every broadcast footer shows */
  postalAddress?: string;
  ratePerSecond: number;
  ratePerHour: number;
  smtpConnections: number;
  sendWorkers: number;
  /** messages one `mail.send-batch` job carries at most (automation email steps); fewer when the rate would make a job last over a minute */
  sendBatch: number;
  tracking: boolean;
  guard: { bounceRate: number; complaintRate: number; minSample: number; windowMinutes: number };
  dkim?: { domain: string; selector: string; privateKey: string };
  webhooks: { postmarkAuth?: string; mailgunKey?: string; sendgridKey?: string; snsCert?: string; snsTopic?: string; inboundToken?: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: { setting: string; message: string }[]) {
    super(
      'Onehour cannot start: the configuration has a problem.\n' +
        problems.map((p) => `  - ${p.setting}: ${p.message}`).join('\n') +
        '\nSee docs/configuration.md for every setting.',
    );
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment. Pass an object in tests; defaults to process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ setting: String(i.path[0] ?? '(environment)'), message: i.message })),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const filesDir = e.FILES_DIR ? path.resolve(e.FILES_DIR) : path.join(dataDir, 'files');
  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/+$/, '');
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    database: e.DATABASE_URL ? { kind: 'pg', url: e.DATABASE_URL } : { kind: 'pglite', dataDir },
    publicUrl,
    secureCookies: publicUrl.startsWith('https:'),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    secretKey: e.SECRET_KEY,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    loginMaxAttempts: e.LOGIN_MAX_ATTEMPTS,
    loginLockoutMinutes: e.LOGIN_LOCKOUT_MINUTES,
    rateLimits: { auth: e.RATE_LIMIT_AUTH, forms: e.RATE_LIMIT_FORMS },
    jobs: {
      enabled: e.JOBS_ENABLED,
      concurrency: e.JOB_CONCURRENCY,
      expireSeconds: e.JOB_EXPIRE_SECONDS,
      pollSeconds: e.JOB_POLL_SECONDS,
      maintenanceSeconds: e.JOB_MAINTENANCE_SECONDS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      bounceAddress: e.MAIL_BOUNCE_ADDRESS,
      postalAddress: e.MAIL_POSTAL_ADDRESS,
      ratePerSecond: e.MAIL_RATE_PER_SECOND,
      ratePerHour: e.MAIL_RATE_PER_HOUR,
      smtpConnections: e.MAIL_SMTP_CONNECTIONS,
      sendWorkers: e.MAIL_SEND_WORKERS,
      sendBatch: e.MAIL_SEND_BATCH,
      tracking: e.MAIL_TRACKING,
      guard: {
        bounceRate: e.MAIL_GUARD_BOUNCE_RATE,
        complaintRate: e.MAIL_GUARD_COMPLAINT_RATE,
        minSample: e.MAIL_GUARD_MIN_SAMPLE,
        windowMinutes: e.MAIL_GUARD_WINDOW_MINUTES,
      },
      dkim: dkimConfig(e),
      webhooks: {
        postmarkAuth: e.MAIL_WEBHOOK_POSTMARK_AUTH,
        mailgunKey: e.MAIL_WEBHOOK_MAILGUN_KEY,
        sendgridKey: e.MAIL_WEBHOOK_SENDGRID_KEY,
        snsCert: pemOrFile('MAIL_WEBHOOK_SNS_CERT', e.MAIL_WEBHOOK_SNS_CERT),
        snsTopic: e.MAIL_WEBHOOK_SNS_TOPIC,
        inboundToken: e.MAIL_INBOUND_TOKEN,
      },
    },
    audience: {
      importMaxBytes: Math.round(e.IMPORT_MAX_MB * 1_048_576),
      importChunkRows: e.IMPORT_CHUNK_ROWS,
      leadMagnetMaxBytes: Math.round(e.LEAD_MAGNET_MAX_MB * 1_048_576),
    },
    stripe: {
      secretKey: e.STRIPE_SECRET_KEY,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET,
      apiUrl: e.STRIPE_API_URL,
      tax: e.STRIPE_TAX,
      maxNetworkRetries: e.STRIPE_MAX_NETWORK_RETRIES,
    },
    checkout: {
      provider: paymentProvider(e),
      refundLimitSupportCents: e.REFUND_LIMIT_SUPPORT_CENTS,
      dunningRetryDays: e.DUNNING_RETRY_DAYS.split(',').map((d) => Number(d.trim())),
      dunningGraceDays: e.DUNNING_GRACE_DAYS,
      sessionMinutes: e.CHECKOUT_SESSION_MINUTES,
      downloadLinkHours: e.DOWNLOAD_LINK_HOURS,
    },
    files: { dir: filesDir, maxUploadBytes: Math.floor(e.UPLOAD_MAX_MB * 1_048_576) },
    site: { cacheCheckMs: e.SITE_CACHE_CHECK_MS },
    analytics: {
      retentionDays: e.ANALYTICS_RETENTION_DAYS,
      maxEventsPerMinute: e.ANALYTICS_MAX_EVENTS_PER_MINUTE,
      allowedOrigins: e.ANALYTICS_ALLOWED_ORIGINS.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean),
      flushMs: e.ANALYTICS_FLUSH_MS,
      bufferMax: e.ANALYTICS_BUFFER_MAX,
    },
    uploads: { dir: filesDir, maxBytes: Math.floor(e.UPLOAD_MAX_MB * 1_048_576) },
    webhooks: {
      allowPrivate: e.WEBHOOKS_ALLOW_PRIVATE,
      retrySeconds: e.WEBHOOK_RETRY_SECONDS.split(',').map((d) => Number(d.trim())),
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      disableAfterDays: e.WEBHOOK_DISABLE_AFTER_DAYS,
    },
    automation: { webhooksAllowPrivate: e.AUTOMATION_WEBHOOKS_ALLOW_PRIVATE },
    owner: { linksAllowPrivate: e.OWNER_LINKS_ALLOW_PRIVATE },
    support: {
      address: e.SUPPORT_ADDRESS,
      smtp: e.SUPPORT_SMTP_PORT === undefined ? null : { port: e.SUPPORT_SMTP_PORT, host: e.SUPPORT_SMTP_HOST ?? e.HOST },
      maxMessageBytes: Math.floor(e.SUPPORT_MAX_MESSAGE_MB * 1_048_576),
      maxAttachmentBytes: Math.floor(e.SUPPORT_ATTACHMENT_MAX_MB * 1_048_576),
      trustedAuthServ: e.SUPPORT_TRUSTED_AUTHSERV.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
      postmarkAuth: e.SUPPORT_POSTMARK_AUTH,
      mailgunKey: e.SUPPORT_MAILGUN_KEY,
      sendgridAuth: e.SUPPORT_SENDGRID_AUTH,
      snsTopic: e.SUPPORT_SNS_TOPIC,
    },
  };
}

/** PEM text given inline, or the path of a file holding it. */
function pemOrFile(setting: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return fs.readFileSync(value, 'utf8');
  } catch (err) {
    throw new ConfigError([{ setting, message: `cannot read ${value} (${(err as NodeJS.ErrnoException).code}); give the PEM text or the path of a readable file` }]);
  }
}

function dkimConfig(e: z.infer<typeof envSchema>): MailConfig['dkim'] {
  const key = pemOrFile('DKIM_PRIVATE_KEY_FILE', e.DKIM_PRIVATE_KEY_FILE) ?? pemOrFile('DKIM_PRIVATE_KEY', e.DKIM_PRIVATE_KEY);
  if (!key && !e.DKIM_DOMAIN && !e.DKIM_SELECTOR) return undefined;
  const missing = [!key && 'DKIM_PRIVATE_KEY (or DKIM_PRIVATE_KEY_FILE)', !e.DKIM_DOMAIN && 'DKIM_DOMAIN', !e.DKIM_SELECTOR && 'DKIM_SELECTOR'].filter(Boolean);
  if (missing.length) throw new ConfigError([{ setting: String(missing[0]).split(' ')[0]!, message: `DKIM signing needs DKIM_DOMAIN, DKIM_SELECTOR and a private key; missing: ${missing.join(', ')}` }]);
  try {
    createPrivateKey(key!);
  } catch {
    throw new ConfigError([{ setting: 'DKIM_PRIVATE_KEY', message: 'is not a readable PEM private key (RSA, 1024 bits or more)' }]);
  }
  return { domain: e.DKIM_DOMAIN!, selector: e.DKIM_SELECTOR!, privateKey: key! };
}

/**
 * Which payment provider takes the money. The built-in test provider never runs in production
 * once Stripe keys are set: a real shop must not be payable with test cards.
 */
function paymentProvider(e: z.infer<typeof envSchema>): 'stripe' | 'test' {
  const chosen = e.PAYMENT_PROVIDER ?? (e.STRIPE_SECRET_KEY ? 'stripe' : 'test');
  if (chosen === 'stripe' && !e.STRIPE_SECRET_KEY) {
    throw new ConfigError([{ setting: 'STRIPE_SECRET_KEY', message: 'is needed when PAYMENT_PROVIDER=stripe' }]);
  }
  if (chosen === 'stripe' && !e.STRIPE_WEBHOOK_SECRET && e.NODE_ENV === 'production') {
    throw new ConfigError([{ setting: 'STRIPE_WEBHOOK_SECRET', message: 'is needed in production: without it Stripe payments cannot be confirmed' }]);
  }
  if (chosen === 'test' && e.NODE_ENV === 'production' && e.STRIPE_SECRET_KEY) {
    throw new ConfigError([
      { setting: 'PAYMENT_PROVIDER', message: 'the test provider cannot be used in production while Stripe keys are set (remove PAYMENT_PROVIDER=test)' },
    ]);
  }
  return chosen;
}

/** Test-only settings (the test database), read here so tests too keep env access in one file. */
export function testSettings(env: Record<string, string | undefined> = process.env) {
  return { databaseUrl: env.TEST_DATABASE_URL || undefined, chromiumPath: env.CHROMIUM_PATH || '/usr/bin/chromium', quick: env.ONEHOUR_TEST_QUICK === '1', soak: env.ONEHOUR_TEST_SOAK === '1', automationCrashContacts: Number(env.AUTOMATION_CRASH_CONTACTS ?? 60) };
}
