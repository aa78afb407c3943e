// Wires the application: database, clock, jobs, the event log and every module's service.
// This is the one place dependencies are built and passed in (tests build the same App
// with an in-memory database and a manual clock).
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock } from './clock.js';
import { createSigner, type Signer } from './crypto.js';
import { openDatabase, type Database, type Db } from './db/client.js';
import { runMigrations } from './db/migrations.js';
import { EventLog } from './db/events.js';
import { AuditLog } from './db/audit.js';
import { loadOrCreateSecret } from './db/secrets.js';
import { JobQueue } from './jobs/queue.js';
import { jobRegistry } from './jobs/registry.js';
import type { JobDefinition } from './jobs/types.js';
import { TeamService } from './modules/team/service.js';
import { MailService } from './modules/mail/service.js';
import { AudienceService } from './modules/audience/service.js';
import { PortalService } from './modules/portal/service.js';
import { AccessService } from './modules/access/service.js';
import { CatalogService, LocalFileStorage as ProductFileStorage } from './modules/catalog/index.js';
import { SiteService } from './modules/site/index.js';
import { CheckoutService, StripeProvider, StripeSync, TestProvider, createStripeClient } from './modules/checkout/index.js';
import { LearningService, LocalFileStorage } from './modules/learning/index.js';
import { AutomationService } from './modules/automation/index.js';

export interface App {
  config: Config;
  database: Database;
  db: Db;
  clock: Clock;
  log: Logger;
  signer: Signer;
  jobs: JobQueue;
  events: EventLog;
  audit: AuditLog;
  team: TeamService;
  mail: MailService;
  audience: AudienceService;
  portal: PortalService;
  access: AccessService;
  catalog: CatalogService;
  site: SiteService;
  checkout: CheckoutService;
  /** Stripe webhooks and reconciliation (null with the test provider) */
  stripeSync: StripeSync | null;
  /** the built-in test provider's pages and renewals (null with Stripe) */
  testPayments: TestProvider | null;
  learning: LearningService;
  automation: AutomationService;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  /** an already open database (tests); otherwise opened from config */
  database?: Database;
  /** replace the job registry (tests of the job machinery) */
  jobs?: JobDefinition<any>[];
}

export async function createApp(opts: CreateAppOptions): Promise<App> {
  const { config } = opts;
  const log = opts.log ?? pino({ level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.token'] });
  const clock = opts.clock ?? systemClock;
  const database = opts.database ?? (await openDatabase(config.database));
  try {
    await runMigrations(database);
    const secretKey = await loadOrCreateSecret(database.db, 'secret_key', config.secretKey);
    const jobs = new JobQueue(database, config.jobs, log, opts.jobs ?? jobRegistry);
    await jobs.start();
    const events = new EventLog(clock, jobs);
    const audit = new AuditLog(clock);
    const signer = createSigner(secretKey);
    const audience = new AudienceService(database, clock, events, {
      // Late-bound: mail is built after audience (the mail engine selects audiences through it).
      mailer: { queue: (tx, m) => mail.queueTransactional(tx, m) },
      jobs,
      signer,
      settings: { publicUrl: config.publicUrl, dataDir: config.dataDir, ...config.audience },
      // Pages embed forms: a form change is a storefront change (same transaction).
      onFormsChanged: (tx) => site!.touch(tx),
    });
    // Late-bound: the team service is built after mail (it sends invitations through it).
    const ownerEmails = async () => (await team.listUsers()).filter((u) => u.role === 'owner').map((u) => u.email);
    const mail = new MailService({ database, clock, jobs, events, signer, audience, log, config: config.mail, publicUrl: config.publicUrl, secretKey, ownerEmails });
    const team = new TeamService(
      database,
      clock,
      events,
      {
        publicUrl: config.publicUrl,
        sessionTtlHours: config.sessionTtlHours,
        loginMaxAttempts: config.loginMaxAttempts,
        loginLockoutMinutes: config.loginLockoutMinutes,
        issuer: 'Onehour',
      },
      { queue: (tx, m) => mail.queueTransactional(tx, m).then(() => undefined) },
    );
    const portal = new PortalService(database, clock, events, audience, mail, config.publicUrl);
    const access = new AccessService(clock, events);
    // The catalog tells the storefront when it changes (in the same transaction), so cached pages stay true.
    let site: SiteService | null = null;
    const catalog = new CatalogService(database, clock, events, new ProductFileStorage(config.files.dir), { maxUploadBytes: config.files.maxUploadBytes }, (tx) => site!.touch(tx));
    site = new SiteService(database, clock, events, catalog, { publicUrl: config.publicUrl, cacheCheckMs: config.site.cacheCheckMs }, audience.forms);
    const stripeProvider =
      config.checkout.provider === 'stripe'
        ? new StripeProvider(createStripeClient({ secretKey: config.stripe.secretKey!, apiUrl: config.stripe.apiUrl, maxNetworkRetries: config.stripe.maxNetworkRetries }), { ...config.stripe, secretKey: config.stripe.secretKey! }, clock)
        : null;
    const testPayments = stripeProvider ? null : new TestProvider(database, clock, config.publicUrl);
    const checkout = new CheckoutService(database, clock, events, log, signer, catalog, access, audience, portal, mail, (stripeProvider ?? testPayments)!, {
      publicUrl: config.publicUrl,
      ...config.checkout,
    });
    testPayments?.bind(checkout);
    const stripeSync = stripeProvider ? new StripeSync(database, clock, log, stripeProvider, checkout, config.stripe.webhookSecret) : null;
    const learning = new LearningService(database, clock, events, access, audience, new LocalFileStorage(config.uploads.dir), { publicUrl: config.publicUrl, issuer: 'Onehour', uploadMaxBytes: config.uploads.maxBytes });
    const automation = new AutomationService({
      database, clock, events, jobs, log, audience, mail, access, catalog, secretKey,
      settings: { webhooksAllowPrivate: config.automation.webhooksAllowPrivate, publicUrl: config.publicUrl },
    });
    const app: App = {
      config,
      database,
      db: database.db,
      clock,
      log,
      signer,
      jobs,
      events,
      audit,
      team,
      mail,
      audience,
      portal,
      access,
      catalog,
      site,
      checkout,
      stripeSync,
      testPayments,
      learning,
      automation,
      async close() {
        await jobs.stop(config.shutdownTimeoutMs);
        mail.close();
        await database.close();
      },
    };
    return app;
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}
