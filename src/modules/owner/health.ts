// What the daily check watches besides the KPI declines: automation health (failed or stalled
// runs), email reputation (the mail guard's pauses), support SLA breaches (the event, when a
// support module records it), courses overdue for review, and broken links (from the last
// link-check job). Each finding is an alert (one open per detector and key); an open alert whose
// problem is gone is resolved by the next check.
import { and, eq, gte, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { addDays, daysBetween, dayIn } from './dates.js';
import { checkLinks, isBroken, linksIn, type FoundLink } from './links.js';
import { ownerLinkChecks } from './schema.js';
import type { OwnerService } from './service.js';
import type { NewAlert, OwnerDeps } from './types.js';

export const healthDetectors = ['automation_health', 'mail_guard', 'sla_breach', 'course_overdue', 'broken_link'] as const;

const rowsOf = <T>(r: { rows: unknown[] }) => r.rows as T[];

/** The health findings of today (not yet stored). */
export async function findHealthProblems(owner: OwnerService, deps: OwnerDeps, today: string): Promise<NewAlert[]> {
  const out: NewAlert[] = [];
  const { sources, database, clock } = deps;

  for (const w of await sources.automation.list()) {
    if (w.status === 'deleted') continue;
    const failed = w.counts.failed ?? 0;
    if (failed > 0 || w.health.overdue > 0) {
      out.push({
        detector: 'automation_health', key: w.id, label: `Automation "${w.name}"`, day: today, observed: failed,
        detail: [failed ? `${failed} run${failed === 1 ? '' : 's'} failed and wait for a retry or a skip` : '', w.health.overdue ? `${w.health.overdue} stalled (overdue by more than 5 minutes)` : ''].filter(Boolean).join('; '),
        link: `/automations/${w.id}`,
      });
    }
  }

  const weekAgo = new Date(clock.now().getTime() - 7 * 86_400_000);
  const guard = rowsOf<{ subject_id: string; name: string; detail: string }>(
    await database.execute(`select subject_id, data->>'name' as name, data->>'detail' as detail from events where type = 'broadcast.paused_by_guard' and occurred_at >= $1 order by occurred_at desc`, [weekAgo]),
  );
  for (const g of guard) {
    out.push({ detector: 'mail_guard', key: g.subject_id, label: `Broadcast "${g.name}" paused by the reputation guard`, day: today, detail: g.detail ?? 'Too many bounces or complaints', link: `/broadcasts/${g.subject_id}` });
  }

  const [sla] = rowsOf<{ n: number }>(await database.execute(`select count(*)::int as n from events where type = 'support.sla_breached' and occurred_at >= $1`, [weekAgo]));
  if (sla && sla.n > 0) out.push({ detector: 'sla_breach', key: 'support', label: 'Support replies past their SLA', day: today, observed: sla.n, detail: `${sla.n} conversation${sla.n === 1 ? '' : 's'} waited past the SLA in the last 7 days`, link: '/inbox' });

  const settings = await owner.getSettings();
  const limit = settings.courseReviewDays;
  for (const c of (await sources.learning.freshness()).filter((i) => i.type === 'course')) {
    const age = daysBetween(dayIn(c.lastReviewedAt, 'UTC'), dayIn(clock.now(), 'UTC'));
    if (!c.overdue && age <= limit) continue;
    out.push({ detector: 'course_overdue', key: c.id, label: `Course "${c.title}"`, day: today, observed: age, detail: `Not reviewed for ${age} days${c.overdue ? ` (${c.overdueDays} past its review date)` : ` (limit ${limit})`}`, link: `/courses/${c.id}` });
  }

  const broken = await database.db
    .select()
    .from(ownerLinkChecks)
    .where(and(gte(ownerLinkChecks.checkedAt, new Date(clock.now().getTime() - 14 * 86_400_000)), or(gte(ownerLinkChecks.status, 400), and(sql`${ownerLinkChecks.status} is null`, isNotNull(ownerLinkChecks.error)))));
  for (const b of broken.filter((b) => isBroken(b))) {
    out.push({ detector: 'broken_link', key: b.url, label: `Broken link in ${b.foundIn}`, day: today, observed: b.status, detail: `${b.url}: ${b.status ?? b.error}`, link: null });
  }
  return out;
}

/** Stores today's findings and resolves those no longer found. Returns how many alerts are new. */
export async function storeAlertsInTx(tx: Tx, owner: OwnerService, detectors: readonly string[], found: NewAlert[]): Promise<number> {
  let raised = 0;
  for (const a of found) if (await owner.raiseAlertInTx(tx, a)) raised++;
  await owner.resolveAlertsExceptInTx(tx, [...detectors], new Set(found.map((a) => `${a.detector}|${a.key}`)));
  return raised;
}

/** Every outside link in pages, lessons and emails. */
export async function collectLinks(deps: OwnerDeps): Promise<FoundLink[]> {
  const origin = new URL(deps.settings.publicUrl).origin;
  const [pages, lessons, emails] = await Promise.all([deps.sources.pageContents(), deps.sources.learning.lessonContents(), deps.sources.emailContents()]);
  const all = [
    ...pages.flatMap((p) => linksIn(p.content, `page /${p.slug}`, origin)),
    ...lessons.flatMap((l) => linksIn(l.content, `lesson ${l.id}`, origin)),
    ...emails.flatMap((e) => linksIn(e.content, `email ${e.id}`, origin)),
  ];
  const seen = new Set<string>();
  return all.filter((l) => (seen.has(l.url) ? false : (seen.add(l.url), true)));
}

/**
 * One run of the link check: the links not checked in the last week (never-checked first), at
 * most `maxPerRun`, rate-limited per host; outcomes stored.
 */
export async function runLinkCheck(deps: OwnerDeps, opts: { maxPerRun?: number; perHostIntervalMs?: number; timeoutMs?: number; wait?: (ms: number) => Promise<void> } = {}): Promise<{ checked: number; broken: number }> {
  const now = deps.clock.now();
  const links = await collectLinks(deps);
  const recent = new Set(
    (await deps.database.db.select({ url: ownerLinkChecks.url }).from(ownerLinkChecks).where(gte(ownerLinkChecks.checkedAt, new Date(now.getTime() - 7 * 86_400_000)))).map((r) => r.url),
  );
  const due = links.filter((l) => !recent.has(l.url));
  const outcomes = await checkLinks(due, {
    allowPrivate: deps.settings.linksAllowPrivate,
    maxPerRun: opts.maxPerRun ?? 100,
    perHostIntervalMs: opts.perHostIntervalMs ?? 1000,
    timeoutMs: opts.timeoutMs ?? 10_000,
    wait: opts.wait,
  });
  for (const o of outcomes) {
    const values = { foundIn: o.foundIn.slice(0, 200), status: o.status, error: o.error, checkedAt: now };
    await deps.database.db.insert(ownerLinkChecks).values({ url: o.url, ...values }).onConflictDoUpdate({ target: ownerLinkChecks.url, set: values });
  }
  // Links no longer in any content are forgotten.
  const present = new Set(links.map((l) => l.url));
  const stored = await deps.database.db.select({ url: ownerLinkChecks.url }).from(ownerLinkChecks).where(lt(ownerLinkChecks.checkedAt, now));
  for (const s of stored) if (!present.has(s.url)) await deps.database.db.delete(ownerLinkChecks).where(eq(ownerLinkChecks.url, s.url));
  return { checked: outcomes.length, broken: outcomes.filter(isBroken).length };
}
