// Demo SOPs and recurring tasks: four procedures the owner wrote a year ago, and the tasks that
// follow them, done week after week by the demo's assistants — mostly on time, some late, a few
// skipped — with two overdue today (a refunds check and a course review), so My day and the
// owner's review have something to show. History only: rows and events are written as they
// happened (no jobs run for them).
import type { App } from '../../app.js';
import { DAY_MS, type DemoContext } from '../../demo/random.js';
import { withContactIds } from '../../db/events.js';
import { events } from '../../db/schema.js';
import { checklistOf, describeRecurrence, dueDatesBetween, localDate, nextDueAfter, zonedInstant } from './schedule.js';
import { sopRevisions, sops, taskOccurrences, tasks, type Recurrence } from './schema.js';

type EventRow = typeof events.$inferInsert;

const SOPS = [
  {
    key: 'refunds',
    title: 'Weekly refunds check',
    role: 'support',
    body: '# Weekly refunds check\n\nRefunds tell us what disappoints buyers. Once a week, read them all.\n\n- [ ] Open Orders and filter last week\'s refunds\n- [ ] Read each refund reason and the customer\'s messages\n- [ ] Tag the product page or lesson the reason points to\n- [ ] Write a two-line summary for the owner\'s weekly review\n',
  },
  {
    key: 'course-review',
    title: 'Monthly course review',
    role: 'content',
    body: '# Monthly course review\n\nA course that goes stale stops selling. Each month, review one.\n\n- [ ] Read the questions students asked about it this month\n- [ ] Check every link and download in its lessons\n- [ ] Look at where students stop (course statistics)\n- [ ] Fix what is quick; list what needs the owner\n',
  },
  {
    key: 'post',
    title: 'Publish a post',
    role: 'content',
    body: '# Publish a post\n\nOne useful post a week keeps search traffic coming.\n\n- [ ] Pick a question a customer asked this week\n- [ ] Write the answer (600–1200 words) with one example\n- [ ] Add a link to the course that goes deeper\n- [ ] Schedule it for Thursday 09:00\n',
  },
  {
    key: 'inbox',
    title: 'Answer the inbox',
    role: 'support',
    body: '# Answer the inbox\n\nEvery customer gets an answer within one working day.\n\n- [ ] Answer the oldest open conversation first\n- [ ] Use a canned reply where one fits, and make it personal\n- [ ] Refund within your limit; ask the owner above it\n- [ ] Leave nothing unassigned at the end of the day\n',
  },
] as const;

export async function seedTasksDemo(app: App, ctx: DemoContext): Promise<void> {
  const { timeZone } = await app.tasks.today();
  const today = localDate(ctx.now, timeZone);
  const yearAgo = new Date(ctx.now.getTime() - 365 * DAY_MS);
  const startsOn = localDate(yearAgo, timeZone);
  const assistants = (ctx.shared.assistants as { id: string; role: string; name: string }[] | undefined) ?? [];
  const byRole = (role: string) => assistants.find((a) => a.role === role);
  const support = byRole('support');
  const content = byRole('content');
  const marketing = byRole('marketing');
  const course = (ctx.shared.courses as { id: string; title: string }[] | undefined)?.[0];
  const history: EventRow[] = [];
  const owner = { actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner' } as const;

  // The owner wrote the procedures a year ago.
  const sopIds: Record<string, string> = {};
  for (const s of SOPS) {
    const at = new Date(yearAgo.getTime() - 2 * DAY_MS);
    const [row] = await app.db.insert(sops).values({ title: s.title, body: s.body, role: s.role, revision: 1, createdAt: at, updatedAt: at }).returning();
    sopIds[s.key] = row!.id;
    await app.db.insert(sopRevisions).values({ sopId: row!.id, revision: 1, title: s.title, body: s.body, role: s.role, changed: ['title', 'body', 'role'], actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner', actorLabel: ctx.owner.email, createdAt: at });
    history.push({ occurredAt: at, type: 'sop.created', ...owner, subjectType: 'sop', subjectId: row!.id, data: { title: s.title, role: s.role, revision: 1 } });
  }

  const plans: { title: string; role: string; userId: string | null; sop: string | null; recurrence: Recurrence; dueTime: string; subject?: { type: string; id: string; label: string }; overdueNow?: boolean }[] = [
    { title: 'Check refunds', role: 'support', userId: null, sop: 'refunds', recurrence: { kind: 'weekly', weekday: 1, interval: 1 }, dueTime: '12:00', overdueNow: true },
    { title: 'Answer the inbox', role: 'support', userId: support?.id ?? null, sop: 'inbox', recurrence: { kind: 'days', every: 1 }, dueTime: '17:00' },
    { title: course ? `Review ${course.title}` : 'Review a course', role: 'content', userId: content?.id ?? null, sop: 'course-review', recurrence: { kind: 'monthly', day: 1, interval: 1 }, dueTime: '17:00', subject: course ? { type: 'course', id: course.id, label: course.title } : undefined, overdueNow: true },
    { title: 'Publish a post', role: 'content', userId: content?.id ?? null, sop: 'post', recurrence: { kind: 'weekly', weekday: 4, interval: 1 }, dueTime: '09:00' },
    { title: 'Check the traffic sources', role: 'marketing', userId: marketing?.id ?? null, sop: null, recurrence: { kind: 'weekly', weekday: 5, interval: 1 }, dueTime: '15:00' },
  ];

  for (const p of plans) {
    const doer = p.userId ? assistants.find((a) => a.id === p.userId) : byRole(p.role);
    const created = new Date(yearAgo.getTime() - DAY_MS);
    const dates = dueDatesBetween(p.recurrence, startsOn, startsOn, today, 400);
    const last = dates.at(-1);
    const [task] = await app.db
      .insert(tasks)
      .values({
        title: p.title, assigneeRole: p.role, assigneeUserId: p.userId, sopId: p.sop ? sopIds[p.sop]! : null,
        subjectType: p.subject?.type ?? null, subjectId: p.subject?.id ?? null, subjectLabel: p.subject?.label ?? null,
        recurrence: p.recurrence, startsOn, dueTime: p.dueTime, nextDueOn: last ? nextDueAfter(p.recurrence, startsOn, last) : startsOn, createdAt: created, updatedAt: created,
      })
      .returning();
    history.push({ occurredAt: created, type: 'task.created', ...owner, subjectType: 'task', subjectId: task!.id, data: { title: p.title, recurrence: describeRecurrence(p.recurrence), assigneeRole: p.role, assigneeUserId: p.userId, sopId: task!.sopId } });
    const sopBody = p.sop ? SOPS.find((s) => s.key === p.sop)!.body : '';
    // The last due date already past its time stays open when this task is one of the two overdue.
    const pastDue = dates.filter((d) => zonedInstant(d, p.dueTime, timeZone) < ctx.now);
    const leaveOpen = p.overdueNow ? pastDue.at(-1) : undefined;
    const rows: (typeof taskOccurrences.$inferInsert)[] = [];
    // Each occurrence's events, filed under its id once it is inserted.
    const eventsOf = new Map<string, EventRow[]>();
    for (const dueOn of dates) {
      const dueAt = zonedInstant(dueOn, p.dueTime, timeZone);
      const createdAt = zonedInstant(dueOn, '00:05', timeZone);
      const base = { taskId: task!.id, dueOn, dueAt, title: p.title, assigneeRole: p.role, assigneeUserId: p.userId, sopId: task!.sopId, sopRevision: task!.sopId ? 1 : null, createdAt };
      const data = { taskId: task!.id, title: p.title, dueOn, assigneeRole: p.role, assigneeUserId: p.userId };
      const items = checklistOf(sopBody).map((text, i) => ({ id: `i${i + 1}`, text, done: false }));
      if (createdAt > ctx.now) continue;
      const own: EventRow[] = [{ occurredAt: createdAt, type: 'task.due', actorKind: 'system', subjectType: 'task_occurrence', data }];
      eventsOf.set(dueOn, own);
      if (dueOn === leaveOpen || dueAt >= ctx.now || !doer) {
        const overdue = dueAt < ctx.now;
        rows.push({ ...base, checklist: items, overdueAt: overdue ? dueAt : null });
        if (overdue) own.push({ occurredAt: new Date(dueAt.getTime() + 60_000), type: 'task.overdue', actorKind: 'system', subjectType: 'task_occurrence', data: { ...data, dueAt: dueAt.toISOString() } });
        continue;
      }
      const actor = { actorKind: 'assistant', actorId: doer.id, actorRole: doer.role } as const;
      const roll = ctx.random.next();
      if (roll < 0.03) {
        const reason = ctx.random.pick(['Holiday: covered next week', 'Nothing new since the last one', 'Owner asked to pause it this week']);
        const closedAt = new Date(dueAt.getTime() - ctx.random.int(1, 6) * 3_600_000);
        rows.push({ ...base, checklist: items, status: 'skipped', skipReason: reason, closedAt, closedByKind: 'assistant', closedById: doer.id, closedByRole: doer.role, closedByLabel: null });
        own.push({ occurredAt: closedAt, type: 'task.skipped', ...actor, subjectType: 'task_occurrence', data: { ...data, reason } });
      } else {
        const late = roll > 0.88;
        const closedAt = late ? new Date(dueAt.getTime() + ctx.random.int(1, 30) * 3_600_000) : new Date(dueAt.getTime() - ctx.random.int(10, 300) * 60_000);
        const when = closedAt > ctx.now ? new Date(ctx.now.getTime() - 60_000) : closedAt;
        const ticked = items.map((i) => ({ ...i, done: true, doneAt: when.toISOString(), doneBy: `assistant:${doer.id}` }));
        rows.push({ ...base, checklist: ticked, status: 'done', closedAt: when, closedByKind: 'assistant', closedById: doer.id, closedByRole: doer.role, closedByLabel: null });
        const isLate = when > dueAt;
        own.push({ occurredAt: when, type: 'task.completed', ...actor, subjectType: 'task_occurrence', data: { ...data, late: isLate, ...(isLate ? { minutesLate: Math.round((when.getTime() - dueAt.getTime()) / 60_000) } : {}), itemsDone: ticked.length, itemsTotal: ticked.length } });
      }
    }
    for (let i = 0; i < rows.length; i += 500) {
      const made = await app.db.insert(taskOccurrences).values(rows.slice(i, i + 500)).returning({ id: taskOccurrences.id, dueOn: taskOccurrences.dueOn });
      for (const m of made) for (const e of eventsOf.get(m.dueOn) ?? []) history.push({ ...e, subjectId: m.id });
    }
  }
  history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (let i = 0; i < history.length; i += 500) await app.db.insert(events).values(withContactIds(history.slice(i, i + 500)));
}
