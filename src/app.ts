// Wires the application: database, clock, jobs, the event log and every module's service.
// This is the one place dependencies are built and passed in (tests build the same App
// with an in-memory database and a manual clock).
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock } from './clock.js';
import { createSigner, type Signer } from './crypto.js';
import { openDatabase, type Database, type Db, type DbOrTx } from './db/client.js';
import { pgliteSeedTemplates } from './db/ready-template.js';
import { runMigrations } from './db/migrations.js';
import { EventLog } from './db/events.js';
import { eventCatalog } from './event-catalog.js';
import { AuditLog } from './db/audit.js';
import { loadOrCreateSecret } from './db/secrets.js';
import { DomainError } from './errors.js';
import { JobQueue } from './jobs/queue.js';
import { jobRegistry, type JobDeps } from './job-registry.js';
import type { JobDefinition } from './jobs/types.js';
import { TeamService } from './modules/team/index.js';
import { mailApprovalKinds, MailService } from './modules/mail/index.js';
import { AudienceService } from './modules/audience/index.js';
import { PortalService } from './modules/portal/index.js';
import { AccessService } from './modules/access/index.js';
import { CatalogService, LocalFileStorage as ProductFileStorage } from './modules/catalog/index.js';
import { SiteImageStore, SiteService } from './modules/site/index.js';
import { CheckoutService, StripeProvider, StripeSync, TestProvider, createStripeClient, revenueView, subscriptionsView } from './modules/checkout/index.js';
import { LearningService, LocalFileStorage } from './modules/learning/index.js';
import { WebhookService, deliverableTypes } from './modules/webhooks/index.js';
import { createSealer } from './modules/mail/index.js';
import { BrandService, fonts, readableOn } from './modules/brand/index.js';
import { AnalyticsService } from './modules/analytics/index.js';
import { AutomationService } from './modules/automation/index.js';
import { BlogNewsletter, BlogPages, ContentService, contentPublishKind, loadSvgRasteriser } from './modules/content/index.js';
import { SupportService, supportApprovalKinds } from './modules/support/index.js';
import { renderSafeLiquidText } from './modules/mail/index.js';
import { ApprovalService } from './modules/approvals/index.js';
import { TasksService } from './modules/tasks/index.js';
import { Owner, ownerSources } from './modules/owner/index.js';

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
  /** images uploaded for page blocks, served at /media/images */
  siteImages: SiteImageStore;
  checkout: CheckoutService;
  /** Stripe webhooks and reconciliation (null with the test provider) */
  stripeSync: StripeSync | null;
  /** the built-in test provider's pages and renewals (null with Stripe) */
  testPayments: TestProvider | null;
  learning: LearningService;
  webhooks: WebhookService;
  brand: BrandService;
  analytics: AnalyticsService;
  automation: AutomationService;
  /** the blog: posts, publishing per role policy, redirects, calendar */
  content: ContentService;
  /** the blog's public pages, feeds and sitemaps (cached like the sales pages) */
  blog: BlogPages;
  blogNewsletter: BlogNewsletter;
  support: SupportService;
  /** requests for the owner's decision; modules register their kinds below */
  approvals: ApprovalService;
  tasks: TasksService;
  owner: Owner;
  close(): Promise<void>;
}

/** The job handlers' dependencies (every module's `…JobDeps`): the App provides them all. */
export function jobDeps(app: App): JobDeps {
  return app;
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
  const database = opts.database ?? (await openDatabase(config.database, config.database.kind === 'pglite' ? { seedTemplates: pgliteSeedTemplates() } : {}));
  try {
    await runMigrations(database);
    const secretKey = await loadOrCreateSecret(database.db, 'secret_key', config.secretKey);
    const jobs = new JobQueue(database, config.jobs, log, opts.jobs ?? jobRegistry);
    await jobs.start();
    const events = new EventLog(clock, jobs, { catalog: eventCatalog, strict: config.env !== 'production', log });
    const audit = new AuditLog(clock);
    const signer = createSigner(secretKey);
    // The blog. Late-bound: the rest of the site (its pages, products and forms) is built below;
    // their changes bump the blog's revision too (see onFormsChanged, the brand and the catalog).
    const content = new ContentService({ database, clock, events, sitePaths: async () => (await sitePages()).map((p) => p.path) });
    const sitePages = async () => {
      const [pageList, products, forms] = await Promise.all([site!.listPages(database.db), catalog.listProducts(database.db, { status: 'published' }), audience.forms.all()]);
      const live = pageList.filter((p) => p.status === 'published');
      const own = new Set(live.map((p) => p.productId).filter(Boolean));
      return [
        ...live.map((p) => ({ path: `/p/${p.slug}`, lastmod: p.publishedAt ?? p.updatedAt, type: 'pages' as const })),
        ...products.filter((p) => !own.has(p.id)).map((p) => ({ path: `/p/${p.slug}`, lastmod: p.updatedAt, type: 'products' as const })),
        ...forms.filter((f) => !f.archivedAt).map((f) => ({ path: `/f/${f.slug}`, lastmod: null, type: 'forms' as const })),
      ];
    };
    const audience = new AudienceService(database, clock, events, {
      // Late-bound: mail is built after audience (the mail engine selects audiences through it).
      mailer: { queueInTx: (tx, m) => mail.queueTransactionalInTx(tx, m) },
      jobs,
      signer,
      settings: { publicUrl: config.publicUrl, dataDir: config.dataDir, ...config.audience },
      // Pages embed forms: a form change is a storefront change (same transaction).
      onFormsChangedInTx: async (tx) => {
        await site!.touchInTx(tx);
        await content.touchInTx(tx);
      },
    });
    // The business's identity: every page, email and certificate reads it. A change is a
    // storefront change (same transaction); before the owner sets a name, the store's name.
    const brand = new BrandService(database, clock, events, {
      cacheCheckMs: config.site.cacheCheckMs,
      fallbackName: async (db) => (await site!.getSettings(db)).name,
      onChange: async (tx) => {
        await site!.touchInTx(tx);
        await content.touchInTx(tx);
      },
      afterChange: () => mail.brandChanged(),
    });
    // Late-bound: the team service is built after mail (it sends invitations through it).
    const ownerEmails = async (db?: DbOrTx) => (await team.listUsers(db)).filter((u) => u.role === 'owner').map((u) => u.email);
    const mail = new MailService({ database, clock, jobs, events, signer, audience, log, config: config.mail, publicUrl: config.publicUrl, secretKey, ownerEmails,
      brand: async (db) => {
        const b = await brand.current(db);
        return { ...b, font: fonts[b.font].body };
      },
    });
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
      { queueInTx: (tx, m) => mail.queueTransactionalInTx(tx, m).then(() => undefined), businessName: async () => (await brand.current()).name },
    );
    const portal = new PortalService(database, clock, events, audience, mail, config.publicUrl);
    const access = new AccessService(clock, events);
    // The catalog tells the storefront when it changes (in the same transaction), so cached pages stay true.
    let site: SiteService | null = null;
    const catalog = new CatalogService(database, clock, events, new ProductFileStorage(config.files.dir), { maxUploadBytes: config.files.maxUploadBytes }, async (tx) => {
      await site!.touchInTx(tx);
      await content.touchInTx(tx);
    });
    site = new SiteService(database, clock, events, catalog, { publicUrl: config.publicUrl, cacheCheckMs: config.site.cacheCheckMs }, audience.forms, brand);
    const siteImages = new SiteImageStore(database, events, path.join(config.files.dir, 'site-images'));
    const stripeProvider =
      config.checkout.provider === 'stripe'
        ? new StripeProvider(await createStripeClient({ secretKey: config.stripe.secretKey!, apiUrl: config.stripe.apiUrl, maxNetworkRetries: config.stripe.maxNetworkRetries }), { ...config.stripe, secretKey: config.stripe.secretKey! }, clock)
        : null;
    const testPayments = stripeProvider ? null : new TestProvider(database, clock, config.publicUrl);
    const checkout = new CheckoutService({
      database,
      clock,
      events,
      log,
      signer,
      catalog,
      access,
      audience,
      portal,
      mail,
      provider: (stripeProvider ?? testPayments)!,
      settings: { publicUrl: config.publicUrl, ...config.checkout },
    });
    testPayments?.bind(checkout);
    const stripeSync = stripeProvider ? new StripeSync(database, clock, log, stripeProvider, checkout, config.stripe.webhookSecret) : null;
    const learning = new LearningService(database, clock, events, access, audience, new LocalFileStorage(config.uploads.dir), {
      publicUrl: config.publicUrl,
      issuer: async () => {
        const b = await brand.current();
        return { name: b.name, color: readableOn(b.color), timeZone: b.timeZone };
      },
      uploadMaxBytes: config.uploads.maxBytes,
    });
    const webhooks = new WebhookService({
      database,
      clock,
      events,
      jobs,
      sealer: createSealer(secretKey, 'webhook-secrets'),
      settings: config.webhooks,
      eventTypes: () => deliverableTypes(eventCatalog.types),
    });
    const analytics = new AnalyticsService(database, clock, { publicUrl: config.publicUrl, ...config.analytics }, (err, lost) => log.error({ err, lost }, 'analytics: a batch of events could not be written'), { revenue: revenueView, subscriptions: subscriptionsView });
    const blog = new BlogPages({
      database, content, catalog, brand, forms: audience.forms,
      people: async () => new Map((await team.listUsers()).map((u) => [u.id, u.name])),
      sitePages: async () => (await sitePages()).filter((p): p is typeof p & { type: 'pages' | 'products' } => p.type !== 'forms'),
      settings: { publicUrl: config.publicUrl, cacheCheckMs: config.site.cacheCheckMs },
      rasteriser: await loadSvgRasteriser(log),
    });
    const blogNewsletter = new BlogNewsletter({ database, content, mail, publicUrl: config.publicUrl });
    const automation = new AutomationService({
      database, clock, events, jobs, log, audience, mail, access, catalog, learning, secretKey,
      // Late-bound: the tasks module is built below.
      tasks: {
        createOneOffInTx: (tx, input, actor) => tasks.createOneOffInTx(tx, input, actor),
        searchSubjects: (q, opts) => tasks.searchSubjects(q, opts),
        missingSubjects: (refs) => tasks.missingSubjects(refs),
      },
      settings: { webhooksAllowPrivate: config.automation.webhooksAllowPrivate, publicUrl: config.publicUrl },
    });
    const approvals = new ApprovalService({
      database,
      clock,
      events,
      // An urgent request is mailed to the owner at once; the rest wait for the weekly review.
      notifyUrgentInTx: async (tx, r) => {
        // In the request's transaction: on PGlite (one connection) a query outside it would wait forever.
        // While the owner is away, urgent requests go to the admin they named (owner module's away mode).
        const to = (await owner.urgentRecipients(tx)) ?? (await ownerEmails(tx));
        const link = new URL('/admin/review', config.publicUrl).toString();
        for (const address of to)
          await mail.queueTransactionalInTx(tx, {
            to: address,
            subject: `Urgent: ${r.title}`,
            text: `Someone on your team asks you to decide now:\n\n${r.title}\n${r.summary}\n\nDecide here: ${link}\n`,
            tag: 'approval.urgent',
          });
      },
    });
    // The blog's writers whose policy asks for approval submit through it.
    approvals.register(contentPublishKind(content));
    content.useApprovals(approvals);
    // The marketing role's sends above the owner's limit wait for approval.
    for (const kind of mailApprovalKinds(mail)) approvals.register(kind);
    mail.useApprovals(approvals);
    // SOPs and tasks: due dates are the brand's calendar days; assignees are the active team.
    const tasks = new TasksService({
      database, clock, events, signer, publicUrl: config.publicUrl,
      timeZone: async (db) => (await brand.current(db)).timeZone,
      people: async (db) => (await team.listUsers(db)).map((u) => ({ id: u.id, name: u.name, role: u.role, email: u.email })),
      queueMailInTx: (tx, m) => mail.queueTransactionalInTx(tx, m),
      subjectSources: {
        course: async () => (await learning.listCourses()).filter((c) => c.status !== 'archived').map((c) => ({ id: c.id, title: c.title })),
        post: async () => (await content.list(database.db, { limit: 1000 })).map((p) => ({ id: p.id, title: p.title })),
        product: async () => (await catalog.listProducts(database.db)).map((p) => ({ id: p.id, title: p.name })),
      },
    });
    // The owner's signals read every module above through its public face (owner/sources.ts).
    const owner = new Owner({
      database, clock, events, log,
      timeZone: async (db) => (await brand.current(db)).timeZone,
      staff: (db) => team.listUsers(db),
      sources: ownerSources({ database, analytics, automation, learning, site, mail, pendingApprovals: () => approvals.list(database.db, { status: 'pending', limit: 200 }), delegateApproval: (tx, id, to, actor) => approvals.delegateInTx(tx, id, to, actor), tasks, content, support: () => support }),
      settings: { publicUrl: config.publicUrl, linksAllowPrivate: config.owner.linksAllowPrivate },
    });
    // The shared inbox reaches the other modules only through these ports (their public services).
    const mailDomain = (config.mail.from.match(/@([^>\s]+)/)?.[1] ?? 'localhost').toLowerCase();
    const support = new SupportService({
      database, clock, events, jobs, audience,
      queueMailInTx: (tx, m) => mail.queueTransactionalInTx(tx, m),
      signer,
      config: { publicUrl: config.publicUrl, address: config.support.address ?? `support@${mailDomain}`, filesDir: config.files.dir, maxAttachmentBytes: config.support.maxAttachmentBytes },
      ports: {
        staff: async (db) => (await team.listUsers(db)).map((u) => ({ id: u.id, name: u.name, email: u.email, role: u.role })),
        renderLiquid: renderSafeLiquidText,
        liquidVars: async (contactId) => {
          const detail = await checkout.queries.customerDetail(database.db, contactId);
          const courses = await learning.student.myCourses(contactId);
          const last = detail.orders.find((o) => o.status === 'paid');
          return {
            contact: { name: detail.contact.name, first_name: detail.contact.name.split(/\s+/)[0] ?? '', email: detail.contact.email },
            last_order: last ? { number: last.number, total: (last.total / 100).toFixed(2), currency: last.currency, date: last.createdAt.toISOString().slice(0, 10), status: last.status } : null,
            courses: courses.map((c: { title: string; lessonCount: number; completedCount: number }) => ({ title: c.title, progress: c.lessonCount ? Math.round((c.completedCount / c.lessonCount) * 100) : 0, completed: c.completedCount, lessons: c.lessonCount })),
          };
        },
        customerContext: async (contactId) => {
          const detail = await checkout.queries.customerDetail(database.db, contactId);
          const courses = await learning.student.myCourses(contactId);
          const emails = await mail.listOutbox({ to: detail.contact.email, limit: 20 });
          return {
            contact: detail.contact,
            lifetimeValue: detail.lifetimeValue,
            orders: detail.orders.slice(0, 20).map((o) => ({ id: o.id, number: o.number, status: o.status, total: o.total, amountPaid: o.amountPaid, amountRefunded: o.amountRefunded, currency: o.currency, createdAt: o.createdAt, paidAt: o.paidAt })),
            subscriptions: detail.subscriptions.map((s) => ({ id: s.id, status: s.status, amount: s.amount, currency: s.currency, interval: s.interval, createdAt: s.createdAt })),
            courses: courses.map((c: { id: string; title: string; lessonCount: number; completedCount: number }) => ({ id: c.id, title: c.title, lessons: c.lessonCount, completed: c.completedCount })),
            emails: emails.map((e) => ({ id: e.id, subject: e.subject, status: e.status, tag: e.tag, createdAt: e.createdAt })),
            events: detail.events.slice(0, 30).map((e) => ({ type: e.type, occurredAt: e.occurredAt, actorKind: e.actorKind })),
          };
        },
        deliveryStates: async (ids) => {
          const out = new Map<string, { status: string; error: string | null; sentAt: Date | null }>();
          for (const id of ids) {
            const m = await mail.getMessage(id).catch(() => null);
            if (m) out.set(id, { status: m.status, error: m.error, sentAt: m.sentAt });
          }
          return out;
        },
        messageDomain: async () => mail.dkimDomain ?? ((await mail.settings()).fromAddress.match(/@([^>\s]+)/)?.[1] ?? mailDomain),
        timeZone: async () => (await brand.current()).timeZone,
        orderFacts: async (orderId) => {
          const o = await checkout.queries.getOrder(database.db, orderId);
          return { contactId: o.contactId, number: o.number, amountPaid: o.amountPaid, amountRefunded: o.amountRefunded, currency: o.currency, paidAt: o.paidAt, status: o.status };
        },
        refund: async (orderId, input, by) => {
          const done = await checkout.refunds.refundOrder(orderId, input, by);
          return { amount: done.reduce((s, r) => s + r.amount, 0), currency: done[0]?.currency ?? '' };
        },
        resendReceiptInTx: async (tx, orderId) => {
          const d = await checkout.queries.orderDetail(tx, orderId);
          const link = await portal.createMagicLinkInTx(tx, d.order.contactId, '/account');
          const lines = d.items.map((i) => `- ${i.name}: ${(i.amount / 100).toFixed(2)} ${d.order.currency}`).join('\n');
          await mail.queueTransactionalInTx(tx, {
            to: d.order.email, contactId: d.order.contactId, tag: 'support.receipt', secrets: [new URL(link).searchParams.get('token')!],
            subject: `Your receipt for order #${d.order.number}`,
            text: `Here is your receipt again.\n\nOrder #${d.order.number} (${d.order.createdAt.toISOString().slice(0, 10)})\n${lines}\nPaid: ${(d.order.amountPaid / 100).toFixed(2)} ${d.order.currency}\n\nYour purchases: ${link}`,
          });
        },
        sendSignInLinkInTx: async (tx, contactId) => portal.mailMagicLinkInTx(tx, await audience.getContact(tx, contactId)),
        extendAccessInTx: async (tx, input) => {
          const grants = (await access.listForContact(tx, input.contactId)).filter((g) => g.resourceType === 'course' && g.resourceId === input.courseId);
          const now = clock.now();
          const latest = grants.reduce<Date | null>((m, g) => (g.expiresAt === null ? null : m && m > g.expiresAt ? m : g.expiresAt), grants.length ? new Date(0) : now);
          if (grants.length && latest === null) throw new DomainError('precondition_failed', 'This customer already has lifetime access to that course');
          const from = latest && latest > now ? latest : now;
          const until = new Date(from.getTime() + input.days * 86_400_000);
          await access.grantInTx(tx, { contactId: input.contactId, resource: { type: 'course', id: input.courseId }, source: 'manual', sourceId: `support:${input.actionId}`, expiresAt: until, actor: input.actor, reason: 'extended from a support conversation' });
          return until;
        },
        requestApproval: (tx, input) => approvals.requestInTx(tx, input),
      },
    });
    for (const kind of supportApprovalKinds(support)) approvals.register(kind);
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
      siteImages,
      checkout,
      stripeSync,
      testPayments,
      learning,
      webhooks,
      brand,
      analytics,
      automation,
      content,
      blog,
      blogNewsletter,
      support,
      approvals,
      tasks,
      owner,
      async close() {
        // Page views still waiting in memory are written before the database closes.
        await analytics.close().catch((err) => log.error({ err }, 'could not write the last page views'));
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
