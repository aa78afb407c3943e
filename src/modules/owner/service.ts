// The owner module's service: the owner's settings (time budget, away mode), their activity
// windows, the involvement meter read from the event log, the alerts it keeps and the decisions
// the weekly review tracks. The review itself is composed in review.ts, the forecast in
// forecast.ts, the watched health checks in health.ts.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor, ActorKind } from '../../actor.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import { invalid, notFound } from '../../errors.js';
import { assignableRoles } from '../../permissions.js';
import { addDays, dayIn, lastWeeks } from './dates.js';
import { concentration, grantKindFor, leverageOf, processesNeedingOwner, weeklyMeter, type ShareRisk, type WeeklyCount } from './meter.js';
import type { AlertView, AuthorityRole, ConcentrationSources, Meter, NewAlert, OwnerDeps, OwnerSettingsView, TaskAssignee } from './types.js';
import { forecastAbsence, type Forecast } from './forecast.js';
import { ownerActivity, ownerAlerts, ownerDecisions, ownerDelegations, ownerSettings, timeBudgets, type AlertStatus, type DelegationGrant, type PublishPolicy, type SendLimit, type TimeBudget } from './schema.js';

export const ACTIVITY_WINDOW_MS = 5 * 60_000;

/** Minutes a week each budget allows. */
export const budgetMinutes: Record<TimeBudget, number> = { hour_week: 60, day_week: 8 * 60, hour_day: 7 * 60 };

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-06-01');
export const ownerSettingsInput = z
  .object({
    timeBudget: z.enum(timeBudgets).optional(),
    awayFrom: day.nullable().optional(),
    awayUntil: day.nullable().optional(),
    awayDelegateId: z.uuid().nullable().optional(),
    courseReviewDays: z.number().int().min(7).max(3650).optional(),
  })
  .strict();
export type OwnerSettingsInput = z.infer<typeof ownerSettingsInput>;

const rowsOf = <T>(r: { rows: unknown[] }) => r.rows as T[];

/**
 * What a delegation that hands alerts over gives the role: the detector whose alerts become its
 * tasks, and how such a task reads (what failed, where to act).
 */
const HANDED_ALERTS: Record<'failing_runs' | 'list_care', { detector: string; title: (a: { label: string }) => string; notes: (a: { label: string; detail: string }) => string }> = {
  failing_runs: {
    detector: 'automation_health',
    title: (a) => `${a.label} is failing`,
    notes: (a) => `${a.detail.replace(/\.$/, '')}.\n\nRetry or skip the failed runs, or fix the step: Automations → ${a.label.replace(/^Automation /, '')}. The owner handed failing automation runs to admins in the weekly review.`,
  },
  list_care: {
    detector: 'mail_guard',
    title: (a) => a.label,
    notes: (a) => `${a.detail.replace(/\.$/, '')}.\n\nToo many bounces or complaints: clean the list (remove bounced and complaining addresses, check where the new ones came from), then resume or cancel the broadcast in Broadcasts. The owner handed the list to this role in the weekly review.`,
  },
};

export class OwnerService {
  /** windows already written by this process, so a burst of requests costs one insert */
  private readonly noted = new Set<string>();

  constructor(private readonly deps: OwnerDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  timeZone(db?: DbOrTx): Promise<string> {
    return this.deps.timeZone(db);
  }

  async today(): Promise<string> {
    return dayIn(this.deps.clock.now(), await this.timeZone());
  }

  // ---- settings ---------------------------------------------------------------------------

  async getSettings(db: DbOrTx = this.db): Promise<OwnerSettingsView> {
    const [row] = await db.select().from(ownerSettings).where(eq(ownerSettings.id, 1));
    const today = dayIn(this.deps.clock.now(), await this.timeZone(db));
    const s = row ?? { timeBudget: 'hour_week' as TimeBudget, awayFrom: null, awayUntil: null, awayDelegateId: null, courseReviewDays: 180 };
    return {
      timeBudget: s.timeBudget,
      budgetMinutes: budgetMinutes[s.timeBudget],
      awayFrom: s.awayFrom,
      awayUntil: s.awayUntil,
      awayDelegateId: s.awayDelegateId,
      courseReviewDays: s.courseReviewDays,
      away: isAway(s, today),
    };
  }

  async updateSettings(input: OwnerSettingsInput, actor: Actor): Promise<OwnerSettingsView> {
    const current = await this.getSettings();
    const next = { ...current, ...input };
    if ((next.awayFrom === null) !== (next.awayUntil === null)) throw invalid('Give both the first and the last day away, or neither');
    if (next.awayFrom && next.awayUntil && next.awayUntil < next.awayFrom) throw invalid('The last day away comes after the first');
    if (next.awayDelegateId) {
      const person = (await this.deps.staff()).find((u) => u.id === next.awayDelegateId);
      if (!person || person.role !== 'admin') throw invalid('Urgent escalations go to an admin of the team');
    }
    await this.deps.database.transaction(async (tx) => {
      const values = {
        timeBudget: next.timeBudget,
        awayFrom: next.awayFrom,
        awayUntil: next.awayUntil,
        awayDelegateId: next.awayDelegateId,
        courseReviewDays: next.courseReviewDays,
        updatedAt: this.deps.clock.now(),
      };
      await tx.insert(ownerSettings).values({ id: 1, ...values }).onConflictDoUpdate({ target: ownerSettings.id, set: values });
      await this.deps.events.recordInTx(tx, { type: 'owner.settings_updated', actor, subject: { type: 'owner_settings', id: '1' }, data: { changed: Object.keys(input) } });
    });
    return this.getSettings();
  }

  /**
   * Who receives urgent escalations now: the away delegate's address while the owner is away
   * (and has named one), otherwise null (the owner). Reads in the caller's transaction.
   */
  async urgentRecipients(db: DbOrTx): Promise<string[] | null> {
    const s = await this.getSettings(db);
    if (!s.away || !s.awayDelegateId) return null;
    const delegate = (await this.deps.staff(db)).find((u) => u.id === s.awayDelegateId);
    return delegate ? [delegate.email] : null;
  }

  // ---- activity ---------------------------------------------------------------------------

  /**
   * Notes that a staff member made a request now: one row per person and 5-minute window
   * (insert … on conflict do nothing), remembered in memory so further requests in the window
   * cost nothing. Failures are logged, never raised: measuring must not break a request.
   */
  async noteActivity(userId: string, role: string): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const windowStart = new Date(now - (now % ACTIVITY_WINDOW_MS));
    const key = `${userId}:${windowStart.getTime()}`;
    if (this.noted.has(key)) return;
    if (this.noted.size > 10_000) this.noted.clear();
    this.noted.add(key);
    try {
      await this.db.insert(ownerActivity).values({ userId, windowStart, role }).onConflictDoNothing();
    } catch (err) {
      this.noted.delete(key);
      this.deps.log.warn({ err }, 'owner: could not note activity');
    }
  }

  /** The owner's active minutes per week (Monday, owner's time zone) over the weeks given. */
  async ownerMinutes(weeks: string[], timeZone: string): Promise<Record<string, number>> {
    if (!weeks.length) return {};
    const from = weeks[0]!;
    const rows = rowsOf<{ week: string; n: number }>(
      await this.deps.database.execute(
        `select to_char(date_trunc('week', window_start at time zone $1), 'YYYY-MM-DD') as week, count(*)::int as n
           from owner_activity
          where role = 'owner' and window_start >= $2::timestamptz - interval '1 day' and (window_start at time zone $1)::date >= $3::date
          group by 1`,
        [timeZone, `${from}T00:00:00Z`, from],
      ),
    );
    return Object.fromEntries(rows.map((r) => [r.week, (r.n * ACTIVITY_WINDOW_MS) / 60_000]));
  }

  // ---- the meter ----------------------------------------------------------------------------

  /**
   * Operations per week, type and actor from the event log, from the Monday `from` on.
   * Customers' and the system's ids are dropped in the query (there are many and they are not
   * staff); staff and workflows keep theirs for the assistant reports.
   */
  async weeklyCounts(from: string, timeZone: string, until?: string): Promise<WeeklyCount[]> {
    const rows = rowsOf<{ week: string; type: string; actor_kind: ActorKind; actor_id: string | null; actor_role: string | null; n: number }>(
      await this.deps.database.execute(
        `select to_char(date_trunc('week', occurred_at at time zone $1), 'YYYY-MM-DD') as week, type, actor_kind,
                case when actor_kind in ('owner', 'assistant', 'automation') then actor_id end as actor_id, actor_role, count(*)::int as n
           from events
          where occurred_at >= $2::timestamptz - interval '1 day' and (occurred_at at time zone $1)::date >= $3::date
            and ($4::date is null or (occurred_at at time zone $1)::date <= $4::date)
          group by 1, 2, 3, 4, 5`,
        [timeZone, `${from}T00:00:00Z`, from, until ?? null],
      ),
    );
    return rows.map((r) => ({ week: r.week, type: r.type, actorKind: r.actor_kind, actorId: r.actor_id, actorRole: r.actor_role, n: r.n }));
  }

  async delegatedTypes(db: DbOrTx = this.db): Promise<Set<string>> {
    return new Set((await db.select({ t: ownerDelegations.eventType }).from(ownerDelegations)).map((r) => r.t));
  }

  /** The involvement meter: a 12-week trend, this week's 4D mix and leverage, and the processes that still need the owner. */
  async meter(q: { weeks?: number; counts?: WeeklyCount[] } = {}): Promise<Meter> {
    const timeZone = await this.timeZone();
    const today = dayIn(this.deps.clock.now(), timeZone);
    const weeks = lastWeeks(today, q.weeks ?? 12);
    const [counts, minutes, settings, delegated] = await Promise.all([
      q.counts ?? this.weeklyCounts(weeks[0]!, timeZone),
      this.ownerMinutes(weeks, timeZone),
      this.getSettings(),
      this.delegatedTypes(),
    ]);
    const trend = weeklyMeter(weeks, counts, minutes);
    const current = trend[trend.length - 1]!;
    // Processes over the last four weeks: recent enough to act on, long enough not to be noise.
    const recent = new Set(weeks.slice(-4));
    return {
      timeZone,
      budgetMinutes: settings.budgetMinutes,
      weeks: trend,
      current,
      leverage: leverageOf(current.fourD, current.ownerMinutes),
      processes: processesNeedingOwner(counts.filter((c) => recent.has(c.week)), { delegated }),
    };
  }

  /**
   * Concentration risks over the last 90 days: the top traffic source's share of visitors and
   * of sales, the top product's share of revenue, one assistant doing most of the support
   * (support events read from the log, whatever module records them).
   */
  async concentrationRisks(analytics: ConcentrationSources): Promise<ShareRisk[]> {
    const today = dayIn(this.deps.clock.now(), 'UTC');
    const range = { from: addDays(today, -89), to: today };
    const [visitors, sales, products, support] = await Promise.all([
      analytics.sourceVisitors(range),
      analytics.sourceSales(range),
      analytics.productRevenue(range),
      this.supportByAssistant(range.from),
    ]);
    return [
      concentration('visitors_by_source', 'Top traffic source, share of visitors', visitors),
      concentration('sales_by_source', 'Top traffic source, share of sales', sales),
      concentration('revenue_by_product', 'Top product, share of revenue', products, 0.6),
      concentration('support_by_assistant', 'One person handling the support', support, 0.7),
    ];
  }

  private async supportByAssistant(from: string): Promise<{ name: string; value: number }[]> {
    const rows = rowsOf<{ actor_id: string; n: number }>(
      await this.deps.database.execute(
        `select actor_id, count(*)::int as n from events
          where (type like 'support.%' or type like 'ticket.%') and actor_kind in ('owner', 'assistant') and occurred_at >= $1::timestamptz
          group by actor_id`,
        [`${from}T00:00:00Z`],
      ),
    );
    const staff = new Map((await this.deps.staff()).map((u) => [u.id, u.name]));
    return rows.map((r) => ({ name: staff.get(r.actor_id) ?? r.actor_id, value: r.n }));
  }

  // ---- the 90-day absence forecast ---------------------------------------------------------

  /** If the owner stopped today for 90 days (forecast.ts has the model). */
  async forecast(): Promise<Forecast> {
    const timeZone = await this.timeZone();
    const today = dayIn(this.deps.clock.now(), timeZone);
    const from = addDays(today, -84);
    const to = addDays(today, -1);
    const exec = this.deps.database.execute;
    const money = rowsOf<{ day: string; currency: string; first: number; recurring: number }>(
      await exec(
        `select to_char((occurred_at at time zone $1)::date, 'YYYY-MM-DD') as day, data->>'currency' as currency,
                sum(case when type = 'order.paid' then coalesce((data->>'total')::bigint, 0) else 0 end)::bigint as first,
                sum(case when type <> 'order.paid' then coalesce((data->>'amount')::bigint, 0) else 0 end)::bigint as recurring
           from events
          where type in ('order.paid', 'subscription.renewed', 'plan.instalment_paid')
            and occurred_at >= $2::timestamptz - interval '1 day' and (occurred_at at time zone $1)::date between $2::date and $3::date
          group by 1, 2`,
        [timeZone, from, to],
      ),
    );
    const byCurrency = new Map<string, number>();
    for (const r of money) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0) + Number(r.first) + Number(r.recurring));
    const currency = [...byCurrency].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'USD';
    const perDay = new Map(money.filter((r) => r.currency === currency).map((r) => [r.day, r]));
    const days = Array.from({ length: 84 }, (_, i) => addDays(from, i)).map((day) => ({ day, firstPayments: Number(perDay.get(day)?.first ?? 0), recurring: Number(perDay.get(day)?.recurring ?? 0) }));
    const pushes = rowsOf<{ day: string }>(
      await exec(
        `select distinct to_char((occurred_at at time zone $1)::date, 'YYYY-MM-DD') as day from events
          where actor_kind = 'owner' and type in ('broadcast.started', 'product.published')
            and occurred_at >= $2::timestamptz - interval '1 day' and (occurred_at at time zone $1)::date between $2::date and $3::date`,
        [timeZone, from, to],
      ),
    );
    const [requested] = rowsOf<{ n: number }>(await exec(`select count(*)::int as n from events where type = 'approval.requested' and occurred_at >= $1::timestamptz`, [`${from}T00:00:00Z`]));
    const [meter, freshness, pending, scheduled] = await Promise.all([
      this.meter(),
      this.deps.sources.learning.freshness(),
      this.deps.sources.approvals.pending(),
      this.deps.sources.scheduledSends(),
    ]);
    return forecastAbsence({
      today,
      days,
      currency,
      ownerPushDays: pushes.map((p) => p.day),
      processes: meter.processes,
      courses: freshness.filter((c) => c.type === 'course').map((c) => ({ id: c.id, title: c.title, dueAt: dayIn(c.dueAt, timeZone) })),
      approvals: { pending: pending.length, requestedPerWeek: (requested?.n ?? 0) / 12 },
      scheduledSends: scheduled.map((s) => ({ id: s.id, name: s.name, at: dayIn(s.at, timeZone) })),
    });
  }

  // ---- alerts -------------------------------------------------------------------------------

  /** Stores an alert unless one is open for its key and detector (then nothing changes). True when new. */
  async raiseAlertInTx(tx: Tx, a: NewAlert): Promise<boolean> {
    const [row] = await tx
      .insert(ownerAlerts)
      .values({ ...a, observed: a.observed ?? null, expected: a.expected ?? null, changePct: a.changePct ?? null, link: a.link ?? null, createdAt: this.deps.clock.now() })
      .onConflictDoNothing()
      .returning({ id: ownerAlerts.id });
    if (!row) return false;
    await this.deps.events.recordInTx(tx, { type: 'owner.alert_raised', actor: { kind: 'system' }, subject: { type: 'owner_alert', id: row.id }, data: { detector: a.detector, key: a.key, label: a.label, detail: a.detail } });
    return true;
  }

  /** Closes open alerts of these detectors whose key is no longer found (the problem went away). */
  async resolveAlertsExceptInTx(tx: Tx, detectors: string[], stillOpen: Set<string>): Promise<number> {
    const open = await tx.select({ id: ownerAlerts.id, key: ownerAlerts.key, detector: ownerAlerts.detector }).from(ownerAlerts).where(and(eq(ownerAlerts.status, 'open'), inArray(ownerAlerts.detector, detectors)));
    const gone = open.filter((a) => !stillOpen.has(`${a.detector}|${a.key}`)).map((a) => a.id);
    if (gone.length) await tx.update(ownerAlerts).set({ status: 'resolved', closedAt: this.deps.clock.now() }).where(inArray(ownerAlerts.id, gone));
    return gone.length;
  }

  async listAlerts(q: { status?: AlertStatus; limit?: number } = {}): Promise<AlertView[]> {
    const rows = await this.db
      .select()
      .from(ownerAlerts)
      .where(q.status ? eq(ownerAlerts.status, q.status) : undefined)
      .orderBy(sql`${ownerAlerts.createdAt} desc`)
      .limit(Math.min(q.limit ?? 100, 500));
    return rows.map(({ closedAt: _c, ...r }) => r);
  }

  async acknowledgeAlert(id: string, actor: Actor): Promise<AlertView> {
    return this.deps.database.transaction(async (tx) => {
      const [row] = await tx.update(ownerAlerts).set({ status: 'acknowledged', closedAt: this.deps.clock.now() }).where(and(eq(ownerAlerts.id, id), eq(ownerAlerts.status, 'open'))).returning();
      if (!row) {
        const [exists] = await tx.select({ id: ownerAlerts.id }).from(ownerAlerts).where(eq(ownerAlerts.id, id));
        if (!exists) throw notFound('Alert');
        throw invalid('This alert is already closed');
      }
      await this.deps.events.recordInTx(tx, { type: 'owner.alert_acknowledged', actor, subject: { type: 'owner_alert', id }, data: { detector: row.detector, key: row.key } });
      const { closedAt: _c, ...view } = row;
      return view;
    });
  }

  // ---- delegations and decisions ------------------------------------------------------------

  /**
   * Accepts a suggested delegation. Where `grantKindFor` names an authority, the role's authority
   * really changes, in the same transaction as the event, and what it was is kept so that
   * `revokeDelegation` can set it back:
   * - refunds and the approvals they cause: the role's refund limit in the shared inbox is raised
   *   to `refundMax` (minor units; by default twice the current one, at least 50.00);
   * - blog posts the owner publishes: the role's publishing policy becomes "publishes without
   *   approval" — for every post, or with `publishTags` only for posts tagged only with those
   *   (the content module enforces it when the writer publishes);
   * - broadcasts the owner sends: the marketing role's send limit in mail (people per send, sends
   *   per 7 days) is raised to `sendLimit` (by default twice each, at least 2 000 people and 2
   *   sends); above it a marketing send becomes an approval request (mail enforces it);
   * - lessons the owner keeps up to date: the content role may change published courses' lessons
   *   (learning enforces it; without it the content role changes drafts only);
   * - support conversations the owner answers: new conversations are given to the support role's
   *   members in turn (support's round-robin, applied at intake);
   * - failing automation runs the owner retries or skips, and the list: each automation the daily
   *   check finds failing (to admins), each broadcast the reputation guard pauses (to marketing or
   *   admins) becomes a task of the role (those open now, at once) instead of a decision in the
   *   owner's review (handAlertsInTx).
   */
  async acceptDelegation(eventType: string, role: string, actor: Actor, opts: { refundMax?: number; publishTags?: string[]; sendLimit?: Partial<SendLimit> } = {}): Promise<{ grant: DelegationGrant | null }> {
    if (!(assignableRoles as readonly string[]).includes(role)) throw invalid('Choose a role of the team');
    if (!/^[a-z_]+(\.[a-z_]+)+$/.test(eventType) || !this.deps.events.catalog.types.includes(eventType)) throw invalid('Unknown process');
    const grantKind = grantKindFor(eventType);
    if (opts.refundMax !== undefined && grantKind !== 'refund_limit') throw invalid('This process has no refund limit to set', { field: 'refundMax' });
    if (opts.publishTags !== undefined && grantKind !== 'publish_policy') throw invalid('This process has no publishing policy to set', { field: 'publishTags' });
    if (grantKind === 'refund_limit' && role !== 'support' && role !== 'admin') throw invalid('Refund limits belong to the support or admin role', { field: 'role' });
    if (grantKind === 'publish_policy' && role !== 'content' && role !== 'marketing' && role !== 'admin') throw invalid('Blog publishing belongs to the content, marketing or admin role', { field: 'role' });
    if (opts.sendLimit !== undefined && grantKind !== 'send_limit') throw invalid('This process has no send limit to set', { field: 'sendLimit' });
    // Admins send broadcasts and change live courses without a limit: only these roles have one to lift.
    if (grantKind === 'send_limit' && role !== 'marketing') throw invalid('The send limit is the marketing role\'s', { field: 'role' });
    if (grantKind === 'live_lessons' && role !== 'content') throw invalid('Live courses are limited for the content role only', { field: 'role' });
    if (grantKind === 'round_robin' && role !== 'support') throw invalid('Conversations are handed in turn to the support role', { field: 'role' });
    // Only admins may retry, skip or change an automation (the automation permission).
    if (grantKind === 'failing_runs' && role !== 'admin') throw invalid('Failing automation runs are handed to the admin role: only admins may retry, skip or change automations', { field: 'role' });
    if (grantKind === 'list_care' && role !== 'marketing' && role !== 'admin') throw invalid('The list is handed to the marketing or admin role: they import, clean and send to it', { field: 'role' });
    return this.deps.database.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const [existing] = await tx.select().from(ownerDelegations).where(eq(ownerDelegations.eventType, eventType));
      let grant: DelegationGrant | null = null;
      if (grantKind === 'refund_limit') {
        const authorityRole = role as AuthorityRole;
        const limits = (await this.deps.sources.support.roleLimits(tx))[authorityRole];
        const after = opts.refundMax ?? Math.max(limits.refundMax * 2, 5_000);
        if (after <= limits.refundMax) throw invalid(`The ${role} role may already refund up to ${(limits.refundMax / 100).toFixed(2)}`, { field: 'refundMax' });
        // Taking it back restores what was there before the first acceptance.
        const before = existing?.grant?.kind === 'refund_limit' && existing.grant.role === authorityRole ? existing.grant.before : limits.refundMax;
        grant = { kind: 'refund_limit', role: authorityRole, before, after };
        await this.deps.sources.support.setRoleLimitsInTx(tx, authorityRole, { ...limits, refundMax: after }, actor);
      } else if (grantKind === 'publish_policy') {
        const policyRole = role as 'admin' | 'content' | 'marketing';
        const current = (await this.deps.sources.content.rolePolicies(tx))[policyRole];
        const after: PublishPolicy = opts.publishTags ? { mode: 'tags', tags: [...new Set(opts.publishTags)] } : { mode: 'free' };
        if (current.mode === 'free' || JSON.stringify(current) === JSON.stringify(after)) throw invalid(`The ${role} role already publishes ${current.mode === 'free' ? 'without approval' : 'these posts without approval'}`, { field: 'publishTags' });
        const before = existing?.grant?.kind === 'publish_policy' && existing.grant.role === policyRole ? existing.grant.before : current;
        grant = { kind: 'publish_policy', role: policyRole, before, after };
        await this.deps.sources.content.setRolePolicyInTx(tx, policyRole, after, actor);
      } else if (grantKind === 'send_limit') {
        const current = await this.deps.sources.mail.sendLimit(tx);
        const after: SendLimit = {
          maxRecipients: opts.sendLimit?.maxRecipients ?? Math.max(current.maxRecipients * 2, 2_000),
          maxPerWeek: opts.sendLimit?.maxPerWeek ?? Math.max(current.maxPerWeek * 2, 2),
        };
        if (after.maxRecipients < current.maxRecipients || after.maxPerWeek < current.maxPerWeek || (after.maxRecipients === current.maxRecipients && after.maxPerWeek === current.maxPerWeek))
          throw invalid(`The marketing role may already send to ${current.maxRecipients} people, ${current.maxPerWeek} times a week: a delegation raises the limit`, { field: 'sendLimit' });
        const before = existing?.grant?.kind === 'send_limit' ? existing.grant.before : current;
        grant = { kind: 'send_limit', role: 'marketing', before, after };
        await this.deps.sources.mail.setSendLimitInTx(tx, after, actor);
      } else if (grantKind === 'live_lessons') {
        const current = await this.deps.sources.lessons.contentEditsLive(tx);
        // Several lesson processes share the one permission: what it was before the first of them is kept.
        const before = (await this.sharedGrantBefore(tx, 'live_lessons')) ?? current;
        grant = { kind: 'live_lessons', role: 'content', before, after: true };
        if (!current) await this.deps.sources.lessons.setContentEditsLiveInTx(tx, true, actor);
      } else if (grantKind === 'round_robin') {
        const current = await this.deps.sources.support.roundRobin(tx);
        const before = (await this.sharedGrantBefore(tx, 'round_robin')) ?? current;
        grant = { kind: 'round_robin', role: 'support', before, after: true };
        if (!current) await this.deps.sources.support.setRoundRobinInTx(tx, true, actor);
      } else if (grantKind === 'failing_runs') {
        grant = { kind: 'failing_runs', role: 'admin' };
      } else if (grantKind === 'list_care') {
        grant = { kind: 'list_care', role: role as 'admin' | 'marketing' };
      }
      await tx.insert(ownerDelegations).values({ eventType, role, acceptedAt: now, grant }).onConflictDoUpdate({ target: ownerDelegations.eventType, set: { role, acceptedAt: now, grant } });
      const tasksCreated = grant?.kind === 'failing_runs' || grant?.kind === 'list_care' ? await this.handAlertsInTx(tx, actor) : 0;
      await this.deps.events.recordInTx(tx, {
        type: 'owner.delegation_accepted', actor, subject: { type: 'owner_delegation', id: eventType },
        data: {
          eventType, role,
          ...(grant?.kind === 'refund_limit' ? { refundMax: grant.after, previousRefundMax: grant.before } : {}),
          ...(grant?.kind === 'publish_policy' ? { publishPolicy: grant.after, previousPublishPolicy: grant.before } : {}),
          ...(grant?.kind === 'send_limit' ? { sendLimit: grant.after, previousSendLimit: grant.before } : {}),
          ...(grant?.kind === 'live_lessons' ? { editsLiveCourses: true } : {}),
          ...(grant?.kind === 'round_robin' ? { roundRobin: true } : {}),
          ...(grant?.kind === 'failing_runs' || grant?.kind === 'list_care' ? { alertsTo: grant.role, detector: HANDED_ALERTS[grant.kind].detector, tasksCreated } : {}),
        },
      });
      return { grant };
    });
  }

  /** Takes a delegation back: the process can be suggested again, and a limit or policy it changed is set back. */
  async revokeDelegation(eventType: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const [row] = await tx.delete(ownerDelegations).where(eq(ownerDelegations.eventType, eventType)).returning();
      if (!row) throw notFound('Delegation');
      const grant = row.grant;
      if (grant?.kind === 'refund_limit') {
        const limits = (await this.deps.sources.support.roleLimits(tx))[grant.role];
        await this.deps.sources.support.setRoleLimitsInTx(tx, grant.role, { ...limits, refundMax: grant.before }, actor);
      } else if (grant?.kind === 'publish_policy') {
        await this.deps.sources.content.setRolePolicyInTx(tx, grant.role, grant.before, actor);
      } else if (grant?.kind === 'send_limit') {
        await this.deps.sources.mail.setSendLimitInTx(tx, grant.before, actor);
      } else if (grant?.kind === 'live_lessons' && (await this.sharedGrantBefore(tx, 'live_lessons')) === null) {
        // Several lesson processes may each have been delegated (the deleted row is gone): the permission stays while one remains.
        await this.deps.sources.lessons.setContentEditsLiveInTx(tx, grant.before, actor);
      } else if (grant?.kind === 'round_robin' && (await this.sharedGrantBefore(tx, 'round_robin')) === null) {
        await this.deps.sources.support.setRoundRobinInTx(tx, grant.before, actor);
      }
      await this.deps.events.recordInTx(tx, {
        type: 'owner.delegation_revoked', actor, subject: { type: 'owner_delegation', id: eventType },
        data: {
          eventType, role: row.role,
          ...(grant?.kind === 'refund_limit' ? { refundMax: grant.before } : {}),
          ...(grant?.kind === 'publish_policy' ? { publishPolicy: grant.before } : {}),
          ...(grant?.kind === 'send_limit' ? { sendLimit: grant.before } : {}),
          ...(grant?.kind === 'live_lessons' ? { editsLiveCourses: grant.before } : {}),
          ...(grant?.kind === 'round_robin' ? { roundRobin: grant.before } : {}),
        },
      });
    });
  }

  /** The alert detectors handed to a role by the delegations that hold now (detector → role). */
  async handedDetectors(db: DbOrTx = this.deps.database.db): Promise<Map<string, 'admin' | 'marketing'>> {
    const out = new Map<string, 'admin' | 'marketing'>();
    for (const { grant } of await db.select({ grant: ownerDelegations.grant }).from(ownerDelegations)) {
      if (grant?.kind === 'failing_runs' || grant?.kind === 'list_care') out.set(HANDED_ALERTS[grant.kind].detector, grant.role);
    }
    return out;
  }

  /**
   * Alerts handed over by a delegation (failing automations to admins, the list's reputation
   * pauses to marketing) become tasks of that role, due today, once per alert (the alert's id is
   * in the task's key: a new failure after one was resolved is a new task), instead of decisions
   * of the owner. Runs at acceptance and in every daily check, in the caller's transaction.
   * Returns how many tasks were made.
   */
  async handAlertsInTx(tx: Tx, actor: Actor): Promise<number> {
    const handed = await this.handedDetectors(tx);
    if (!handed.size) return 0;
    const open = await tx.select().from(ownerAlerts).where(and(eq(ownerAlerts.status, 'open'), inArray(ownerAlerts.detector, [...handed.keys()])));
    let created = 0;
    for (const a of open) {
      const how = Object.values(HANDED_ALERTS).find((h) => h.detector === a.detector)!;
      const task = { key: `owner.handed:${a.detector}:${a.id}`, title: how.title(a).slice(0, 200), notes: how.notes(a).slice(0, 5000), role: handed.get(a.detector)! };
      if ((await this.deps.sources.tasks.handOffInTx(tx, task, actor)).created) created++;
    }
    return created;
  }

  /** A switch several processes share (live lessons, round-robin support): what it was before the first delegation still held, or null when none holds. */
  private async sharedGrantBefore(tx: Tx, kind: 'live_lessons' | 'round_robin'): Promise<boolean | null> {
    const g = (await tx.select({ grant: ownerDelegations.grant }).from(ownerDelegations)).map((r) => r.grant).find((x) => x?.kind === kind);
    return g && (g.kind === 'live_lessons' || g.kind === 'round_robin') ? g.before : null;
  }

  async delegations(): Promise<{ eventType: string; role: string; acceptedAt: Date; grant: DelegationGrant | null }[]> {
    return this.db.select().from(ownerDelegations).orderBy(ownerDelegations.acceptedAt);
  }

  /**
   * Reassigns an escalated conversation from the weekly review to another member of the team.
   * The support module records `support.assigned` with the owner as actor; a manual assignment
   * after the breach takes the conversation off the decisions.
   */
  async reassignConversation(conversationId: string, assigneeId: string, actor: Actor): Promise<void> {
    const person = (await this.deps.staff()).find((u) => u.id === assigneeId);
    if (!person || !['owner', 'admin', 'support'].includes(person.role)) throw invalid('Choose a member of the team who answers support', { field: 'assigneeId' });
    if ((await this.deps.sources.support.assigneeOf(conversationId)) === assigneeId) throw invalid(`${person.name} already has this conversation`, { field: 'assigneeId' });
    await this.deps.sources.support.reassign(conversationId, assigneeId, actor);
  }

  /**
   * Hands an overdue task to another person or role from the weekly review. Tasks reassign a
   * whole task (tasks' updateTask): its open occurrences, the overdue one among them, and the
   * ones to come go to the new assignee — the person who let it slip no longer has it.
   * Recorded by tasks as `task.updated` (changed: assignee) with the owner as actor.
   */
  async reassignTask(occurrenceId: string, to: TaskAssignee, actor: Actor): Promise<void> {
    const o = (await this.deps.sources.tasks.overdue(this.deps.clock.now())).find((x) => x.occurrenceId === occurrenceId);
    if (!o) throw notFound('Overdue task');
    if ('userId' in to) {
      const person = (await this.deps.staff()).find((u) => u.id === to.userId);
      if (!person) throw invalid('Choose a member of the team', { field: 'assigneeId' });
      if (o.assigneeUserId === to.userId) throw invalid(`${person.name} already has this task`, { field: 'assigneeId' });
    } else if (!o.assigneeUserId && o.assigneeRole === to.role) {
      throw invalid(`The ${to.role} role already has this task`, { field: 'assigneeRole' });
    }
    await this.deps.sources.tasks.reassign(o.taskId, to, actor);
  }

  /**
   * When each task was last given to someone else (`task.updated` naming the assignee): an
   * overdue occurrence reassigned after it fell due has been dealt with, and leaves the review.
   */
  async lastReassigned(taskIds: string[]): Promise<Map<string, Date>> {
    if (!taskIds.length) return new Map();
    const rows = rowsOf<{ id: string; at: Date | string }>(
      await this.deps.database.execute(
        `select subject_id as id, max(occurred_at) as at from events
          where type = 'task.updated' and subject_type = 'task' and subject_id = any($1::text[]) and data->'changed' ? 'assignee'
          group by subject_id`,
        [taskIds],
      ),
    );
    return new Map(rows.map((r) => [r.id, new Date(r.at)]));
  }

  /**
   * Hands a pending approval to a named admin, who may then decide it (approvals'
   * `/api/approvals/:id/delegated/…`); the owner still may. The admin is told by email in the
   * same transaction. It leaves the owner's decisions for a week; still pending after that, it
   * comes back.
   */
  async delegateApproval(approvalId: string, adminId: string, actor: Actor): Promise<void> {
    const admin = (await this.deps.staff()).find((u) => u.id === adminId);
    if (!admin || admin.role !== 'admin') throw invalid('Hand a decision to an admin of the team', { field: 'assigneeId' });
    const link = new URL('/admin/approvals', this.deps.settings.publicUrl).toString();
    await this.deps.database.transaction(async (tx) => {
      const a = await this.deps.sources.approvals.delegateInTx(tx, approvalId, adminId, actor);
      await this.deps.sources.mail.queueTransactionalInTx(tx, {
        to: admin.email,
        subject: `The owner handed you a decision: ${a.title}`,
        text: `${admin.name}, the owner asks you to decide this request in their place:\n\n${a.title}\n${a.summary}\n\nApprove or refuse it on your Approvals page: ${link}\n`,
        tag: 'approval.delegated',
      });
    });
  }

  /** Keys of decisions still open or carried, by the week they were first shown. */
  async openDecisionKeys(): Promise<{ before(week: string): Set<string> }> {
    const rows = await this.db.select({ key: ownerDecisions.key, week: ownerDecisions.week }).from(ownerDecisions).where(inArray(ownerDecisions.status, ['open', 'carried']));
    return { before: (week) => new Set(rows.filter((r) => r.week < week).map((r) => r.key)) };
  }

  /**
   * Money received in the period with no owner action behind it: first payments, renewals and
   * instalments whose event was not recorded by the owner (customers buying, automations and
   * the billing system renewing). The main currency only.
   */
  async revenueWithoutOwner(from: string, to: string, timeZone: string): Promise<{ amount: number; currency: string } | null> {
    const rows = rowsOf<{ currency: string; amount: number }>(
      await this.deps.database.execute(
        `select data->>'currency' as currency,
                sum(coalesce((data->>'total')::bigint, (data->>'amount')::bigint, 0))::bigint as amount
           from events
          where type in ('order.paid', 'subscription.renewed', 'plan.instalment_paid') and actor_kind <> 'owner'
            and occurred_at >= $2::timestamptz - interval '1 day' and occurred_at < $3::timestamptz + interval '2 day'
            and (occurred_at at time zone $1)::date between $2::date and $3::date
          group by 1 order by 2 desc limit 1`,
        [timeZone, from, to],
      ),
    );
    return rows[0] ? { amount: Number(rows[0].amount), currency: rows[0].currency } : null;
  }

  /** First-response seconds per staff member from support events that carry one (any support module's). */
  async responseTimes(from: string, to: string, timeZone: string): Promise<Map<string, number[]>> {
    const rows = rowsOf<{ actor_id: string; s: number }>(
      await this.deps.database.execute(
        `select actor_id, coalesce((data->>'firstResponseSeconds')::float8, (data->>'responseSeconds')::float8) as s
           from events
          where (type like 'support.%' or type like 'ticket.%') and actor_kind in ('owner', 'assistant')
            and (data ? 'firstResponseSeconds' or data ? 'responseSeconds')
            and occurred_at >= $2::timestamptz - interval '1 day' and occurred_at < $3::timestamptz + interval '2 day'
            and (occurred_at at time zone $1)::date between $2::date and $3::date`,
        [timeZone, from, to],
      ),
    );
    const out = new Map<string, number[]>();
    for (const r of rows) if (Number.isFinite(r.s)) out.set(r.actor_id, [...(out.get(r.actor_id) ?? []), r.s]);
    return out;
  }

  /**
   * Tracks the decisions a review shows for `week`: new keys are stored open; keys of earlier
   * weeks still shown are carried over; open ones no longer shown are done.
   */
  async trackDecisions(week: string, shown: { key: string; kind: string; title: string; rank: number }[]): Promise<{ lastWeek: { key: string; title: string; status: 'done' | 'carried' | 'open' }[] }> {
    const now = this.deps.clock.now();
    return this.deps.database.transaction(async (tx) => {
      const keys = new Set(shown.map((d) => d.key));
      const open = await tx.select().from(ownerDecisions).where(eq(ownerDecisions.status, 'open'));
      for (const d of open) {
        if (d.week === week) continue;
        await tx.update(ownerDecisions).set(keys.has(d.key) ? { status: 'carried' } : { status: 'done', doneAt: now }).where(eq(ownerDecisions.id, d.id));
      }
      // A decision of this week that is no longer shown was taken.
      for (const d of open.filter((d) => d.week === week && !keys.has(d.key))) {
        await tx.update(ownerDecisions).set({ status: 'done', doneAt: now }).where(eq(ownerDecisions.id, d.id));
      }
      for (const d of shown) {
        await tx.insert(ownerDecisions).values({ week, key: d.key, kind: d.kind, title: d.title, rank: d.rank, createdAt: now }).onConflictDoUpdate({ target: [ownerDecisions.week, ownerDecisions.key], set: { rank: d.rank, title: d.title, status: 'open', doneAt: null } });
      }
      const previous = addDays(week, -7);
      const last = await tx.select().from(ownerDecisions).where(eq(ownerDecisions.week, previous));
      return { lastWeek: last.sort((a, b) => a.rank - b.rank).map((d) => ({ key: d.key, title: d.title, status: d.status === 'carried' ? 'carried' : d.status === 'done' ? 'done' : 'open' })) };
    });
  }
}

export function isAway(s: { awayFrom: string | null; awayUntil: string | null }, today: string): boolean {
  return !!s.awayFrom && !!s.awayUntil && s.awayFrom <= today && today <= s.awayUntil;
}
