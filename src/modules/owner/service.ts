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
import { concentration, fixFor, leverageOf, processesNeedingOwner, weeklyMeter, type ShareRisk, type WeeklyCount } from './meter.js';
import type { AlertView, AuthorityRole, ConcentrationSources, Meter, NewAlert, OwnerDeps, OwnerSettingsView } from './types.js';
import { forecastAbsence, type Forecast } from './forecast.js';
import { ownerActivity, ownerAlerts, ownerDecisions, ownerDelegations, ownerSettings, timeBudgets, type AlertStatus, type DelegationGrant, type TimeBudget } from './schema.js';

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
      await this.deps.events.record(tx, { type: 'owner.settings_updated', actor, subject: { type: 'owner_settings', id: '1' }, data: { changed: Object.keys(input) } });
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
  async raiseAlert(tx: Tx, a: NewAlert): Promise<boolean> {
    const [row] = await tx
      .insert(ownerAlerts)
      .values({ ...a, observed: a.observed ?? null, expected: a.expected ?? null, changePct: a.changePct ?? null, link: a.link ?? null, createdAt: this.deps.clock.now() })
      .onConflictDoNothing()
      .returning({ id: ownerAlerts.id });
    if (!row) return false;
    await this.deps.events.record(tx, { type: 'owner.alert_raised', actor: { kind: 'system' }, subject: { type: 'owner_alert', id: row.id }, data: { detector: a.detector, key: a.key, label: a.label, detail: a.detail } });
    return true;
  }

  /** Closes open alerts of these detectors whose key is no longer found (the problem went away). */
  async resolveAlertsExcept(tx: Tx, detectors: string[], stillOpen: Set<string>): Promise<number> {
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
      await this.deps.events.record(tx, { type: 'owner.alert_acknowledged', actor, subject: { type: 'owner_alert', id }, data: { detector: row.detector, key: row.key } });
      const { closedAt: _c, ...view } = row;
      return view;
    });
  }

  // ---- delegations and decisions ------------------------------------------------------------

  /**
   * Accepts a suggested delegation. For refunds and the approvals they cause (`fixFor` names a
   * limit) the role's authority really changes: its refund limit in the shared inbox is raised
   * to `refundMax` (minor units; by default twice the current one), in the same transaction as
   * the event, and kept so that `revokeDelegation` can set it back.
   */
  async acceptDelegation(eventType: string, role: string, actor: Actor, opts: { refundMax?: number } = {}): Promise<{ grant: DelegationGrant | null }> {
    if (!(assignableRoles as readonly string[]).includes(role)) throw invalid('Choose a role of the team');
    if (!/^[a-z_]+(\.[a-z_]+)+$/.test(eventType) || !this.deps.events.catalog.types.includes(eventType)) throw invalid('Unknown process');
    const fix = fixFor(eventType);
    const limited = fix.kind === 'delegate' && !!fix.limit;
    if (opts.refundMax !== undefined && !limited) throw invalid('This process has no limit to set', { field: 'refundMax' });
    if (limited && role !== 'support' && role !== 'admin') throw invalid('Refund limits belong to the support or admin role', { field: 'role' });
    return this.deps.database.transaction(async (tx) => {
      const now = this.deps.clock.now();
      const [existing] = await tx.select().from(ownerDelegations).where(eq(ownerDelegations.eventType, eventType));
      let grant: DelegationGrant | null = null;
      if (limited) {
        const authorityRole = role as AuthorityRole;
        const limits = (await this.deps.sources.support.roleLimits(tx))[authorityRole];
        const after = opts.refundMax ?? Math.max(limits.refundMax * 2, 5_000);
        if (after <= limits.refundMax) throw invalid(`The ${role} role may already refund up to ${(limits.refundMax / 100).toFixed(2)}`, { field: 'refundMax' });
        // Taking it back restores what was there before the first acceptance.
        const before = existing?.grant && existing.grant.role === authorityRole ? existing.grant.before : limits.refundMax;
        grant = { kind: 'refund_limit', role: authorityRole, before, after };
        await this.deps.sources.support.setRoleLimitsInTx(tx, authorityRole, { ...limits, refundMax: after }, actor);
      }
      await tx.insert(ownerDelegations).values({ eventType, role, acceptedAt: now, grant }).onConflictDoUpdate({ target: ownerDelegations.eventType, set: { role, acceptedAt: now, grant } });
      await this.deps.events.record(tx, {
        type: 'owner.delegation_accepted', actor, subject: { type: 'owner_delegation', id: eventType },
        data: { eventType, role, ...(grant ? { refundMax: grant.after, previousRefundMax: grant.before } : {}) },
      });
      return { grant };
    });
  }

  /** Takes a delegation back: the process can be suggested again, and a refund limit it raised is set back. */
  async revokeDelegation(eventType: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const [row] = await tx.delete(ownerDelegations).where(eq(ownerDelegations.eventType, eventType)).returning();
      if (!row) throw notFound('Delegation');
      if (row.grant) {
        const limits = (await this.deps.sources.support.roleLimits(tx))[row.grant.role];
        await this.deps.sources.support.setRoleLimitsInTx(tx, row.grant.role, { ...limits, refundMax: row.grant.before }, actor);
      }
      await this.deps.events.record(tx, {
        type: 'owner.delegation_revoked', actor, subject: { type: 'owner_delegation', id: eventType },
        data: { eventType, role: row.role, ...(row.grant ? { refundMax: row.grant.before } : {}) },
      });
    });
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
