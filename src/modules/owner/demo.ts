// The owner's year in the demo business: at the start the owner did most of the work by hand
// (refunds, manual sends, lesson edits, tagging, enrolments); week by week automations and
// assistants took over, so the owner's share of the work falls from about 80 % to about 25 %,
// and their time in the admin from about nine hours a week to about one and a half. Written in
// bulk after every other seed (their history is what the share is measured against), then the
// daily check runs once so the review at the demo's "today" shows its alerts: the traffic
// source that halved overnight and the one sliding slowly (analytics' demo traffic), the courses
// overdue for review (the demo owner reviews courses every 100 days). Deterministic (seeded).
import type { App } from '../../app.js';
import { events } from '../../db/schema.js';
import { rollUpEverything } from '../analytics/index.js';
import { withContactIds } from '../../db/events.js';
import { DAY_MS, type DemoContext } from '../../demo/random.js';
import { addDays, dayIn, lastWeeks } from './dates.js';
import { ACTIVITY_WINDOW_MS } from './service.js';
import { ownerActivity } from './schema.js';

type EventRow = typeof events.$inferInsert;

/** The owner's share of the work, first week → last week of the demo year. */
export const DEMO_SHARE_FROM = 0.8;
export const DEMO_SHARE_TO = 0.25;
const WEEKS = 52;

/** The owner's hand work, in the proportions a solo creator spends it. */
const HAND_WORK: { type: string; weight: number; subject: string }[] = [
  { type: 'email.sent', weight: 4, subject: 'contact' },
  { type: 'contact.tagged', weight: 3, subject: 'contact' },
  { type: 'contact.updated', weight: 2, subject: 'contact' },
  { type: 'lesson.updated', weight: 1, subject: 'lesson' },
  { type: 'access.granted', weight: 1, subject: 'course' },
];

export async function seedOwnerDemo(app: App, ctx: DemoContext): Promise<void> {
  const { random } = ctx;
  const owner = { actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner' } as const;
  const timeZone = await app.owner.timeZone();
  const today = dayIn(ctx.now, timeZone);
  const weeks = lastWeeks(today, WEEKS);
  // The work the other seeds already credit to each actor, week by week.
  const counts = await app.owner.weeklyCounts(weeks[0]!, timeZone);
  const meter = new Map((await app.owner.meter({ weeks: WEEKS, counts })).weeks.map((w) => [w.week, w]));
  const contacts = (await app.database.execute<{ id: string }>(`select id from contacts order by created_at, id limit 400`)).rows.map((r) => r.id);
  const lessonItems = (await app.learning.freshness.dueItems()).filter((i) => i.type === 'lesson');
  const lessons = lessonItems.map((i) => i.id);
  const lessonCourse = new Map(lessonItems.map((i) => [i.id, i.courseId]));
  const courses = (await app.learning.listCourses()).map((c) => c.id);
  if (!contacts.length) return;
  const helpers = (await app.team.listUsers()).filter((u) => u.role !== 'owner').map((u) => ({ actorKind: 'assistant' as const, actorId: u.id, actorRole: u.role }));
  const workflows = (await app.automation.list()).map((w) => w.id);

  const rows: EventRow[] = [];
  const windows: (typeof ownerActivity.$inferInsert)[] = [];
  weeks.forEach((week, i) => {
    const m = meter.get(week)!;
    const target = DEMO_SHARE_FROM + ((DEMO_SHARE_TO - DEMO_SHARE_FROM) * i) / (WEEKS - 1);
    const others = m.work.assistant + m.work.automation;
    // Owner work is added where the share is below target, assistants' and workflows' where it is above.
    const addOwner = Math.max(others || m.work.owner ? 0 : 6, Math.round((target / (1 - target)) * others) - m.work.owner);
    const addOthers = Math.max(0, Math.round((m.work.owner + addOwner) * ((1 - target) / target)) - others);
    const total = HAND_WORK.reduce((s, h) => s + h.weight, 0);
    for (let k = 0; k < addOwner + addOthers; k++) {
      let pick = random.next() * total;
      const h = HAND_WORK.find((x) => (pick -= x.weight) < 0) ?? HAND_WORK[0]!;
      const day = addDays(week, random.int(0, 4));
      const at = new Date(Date.parse(`${day}T00:00:00Z`) + random.int(8 * 60, 18 * 60) * 60_000);
      if (at >= ctx.now || (h.subject === 'lesson' && !lessons.length) || (h.subject === 'course' && !courses.length)) continue;
      const contactId = random.pick(contacts);
      const subjectId = h.subject === 'contact' ? contactId : h.subject === 'lesson' ? random.pick(lessons) : random.pick(courses);
      const data =
        h.type === 'email.sent' ? { tag: 'manual', messageId: `demo-owner-${week}-${k}`, kept: true }
        : h.type === 'contact.tagged' ? { tagId: 'demo', tag: 'vip' }
        : h.type === 'contact.updated' ? { changed: ['name'] }
        : h.type === 'lesson.updated' ? { courseId: lessonCourse.get(subjectId) ?? '', changed: ['bodyMarkdown'] }
        : { grantId: `demo-owner-grant-${week}-${k}`, contactId, source: 'manual', reason: 'added by hand' };
      // The others' part: the workflows tag and send, assistants answer and update.
      const actor = k < addOwner ? owner : helpers.length && (h.type === 'contact.updated' || h.type === 'lesson.updated' || random.chance(0.4)) ? random.pick(helpers) : workflows.length ? { actorKind: 'automation' as const, actorId: random.pick(workflows), actorRole: null } : owner;
      if (actor !== owner && (h.type === 'access.granted' || h.type === 'lesson.updated') && actor.actorKind === 'automation') continue;
      rows.push({ occurredAt: at, type: h.type, ...actor, subjectType: h.subject === 'course' ? 'course' : h.subject, subjectId, data });
    }
    // Active time: about nine hours a week at the start, one and a half at the end.
    const minutes = Math.round(540 + ((90 - 540) * i) / (WEEKS - 1));
    const start = Date.parse(`${week}T08:00:00Z`);
    for (let w = 0; w < minutes / 5; w++) {
      const at = new Date(start + (w % 5) * DAY_MS + Math.floor(w / 5) * ACTIVITY_WINDOW_MS);
      if (at < ctx.now) windows.push({ userId: ctx.owner.id, windowStart: at, role: 'owner' });
    }
  });
  for (let i = 0; i < rows.length; i += 2000) await app.db.insert(events).values(withContactIds(rows.slice(i, i + 2000)));
  for (let i = 0; i < windows.length; i += 2000) await app.db.insert(ownerActivity).values(windows.slice(i, i + 2000)).onConflictDoNothing();

  // The demo owner asks for a review of each course every 100 days: two courses are overdue.
  await app.owner.updateSettings({ courseReviewDays: 100 }, { kind: 'system' });
  // As if the daily check had run all along: the alerts of the last 45 days are there. The
  // detectors read up to 8 weeks before each of those days: those are rolled up now (analytics
  // leaves its older days to its jobs).
  await rollUpEverything(app.database, 105);
  await app.owner.runDailyChecks({ replayDays: 45 });
}
