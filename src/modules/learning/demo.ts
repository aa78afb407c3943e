// Demo courses and a year of students taking them. `seedLearningDemo` runs right after the
// team (the sell seed makes course products from ctx.shared.courses); `seedLearningProgress`
// runs last and gives everyone who holds a course grant realistic progress, quiz attempts
// and certificates. History is inserted directly with past dates, not through the outbox,
// so no automation fires for something that "happened" months ago.
import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { App } from '../../app.js';
import { randomToken } from '../../crypto.js';
import { events } from '../../db/schema.js';
import { withContactIds } from '../../db/events.js';
import { DAY_MS, type DemoContext } from '../../demo/random.js';
import { accessGrants } from '../access/schema.js';
import { contacts } from '../audience/schema.js';
import { renderMarkdown } from './content.js';
import {
  certificates,
  courseModules,
  courseProgress,
  courses,
  lessonProgress,
  lessonUnlocks,
  lessons,
  quizAttempts,
  quizzes,
  type DripKind,
  type QuizQuestion,
} from './schema.js';

interface DemoLesson {
  title: string;
  body: string;
  video?: string;
  drip?: { kind: DripKind; days?: number };
  quiz?: { passPercent: number; maxAttempts: number | null; questions: QuizQuestion[] };
  /** days since last review (freshness) */
  reviewedDaysAgo?: number;
  reviewIntervalDays?: number;
}
interface DemoCourse {
  slug: string;
  title: string;
  summary: string;
  status: 'draft' | 'published';
  createdDaysAgo: number;
  reviewIntervalDays: number;
  reviewedDaysAgo: number;
  modules: { title: string; lessons: DemoLesson[] }[];
}

const q = (id: string, prompt: string, options: [string, boolean][], kind: 'single' | 'multiple' = 'single'): QuizQuestion => ({
  id,
  prompt,
  kind,
  options: options.map(([text, correct], i) => ({ id: `o${i + 1}`, text, correct })),
});

const catalog: DemoCourse[] = [
  {
    slug: 'email-list-foundations',
    title: 'Email List Foundations',
    summary: 'Build an email list that buys: opt-ins, a welcome sequence and a weekly newsletter you can keep up.',
    status: 'published',
    createdDaysAgo: 340,
    reviewIntervalDays: 180,
    reviewedDaysAgo: 120,
    modules: [
      {
        title: 'Start here',
        lessons: [
          {
            title: 'Why email still wins',
            video: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
            body: `Social platforms rent you an audience; email lets you **own** it.\n\nIn this lesson:\n\n- why a list of 1,000 readers beats 10,000 followers\n- what "permission" means, and why double opt-in protects your sender reputation\n- the one number to watch: replies, not opens\n\n> Write to one person. Send to many.`,
            reviewedDaysAgo: 60,
          },
          {
            title: 'Choosing your lead magnet',
            body: `A lead magnet is a small, specific promise kept in under 15 minutes.\n\n1. Name one problem your reader has **this week**.\n2. Solve a slice of it: a checklist, a template, a short video.\n3. Deliver it instantly, by email.\n\nDownload the worksheet below and fill in three ideas.`,
            reviewedDaysAgo: 200,
            reviewIntervalDays: 90,
          },
          {
            title: 'Check: list basics',
            body: 'Three quick questions to make sure the basics are in place.',
            quiz: {
              passPercent: 67,
              maxAttempts: 3,
              questions: [
                q('q1', 'What protects your sender reputation best?', [['Double opt-in', true], ['Buying a list', false], ['Sending more often', false]]),
                q('q2', 'Which make a good lead magnet?', [['A one-page checklist', true], ['A 300-page e-book', false], ['A ready-to-use template', true]], 'multiple'),
                q('q3', 'Which number matters most early on?', [['Replies', true], ['Followers', false]]),
              ],
            },
          },
        ],
      },
      {
        title: 'Your welcome sequence',
        lessons: [
          {
            title: 'The five-email welcome',
            drip: { kind: 'after_days', days: 3 },
            body: `Your welcome sequence is the only email series everyone reads.\n\n| Day | Email | Goal |\n|---|---|---|\n| 0 | Deliver the lead magnet | Trust |\n| 1 | Your story | Connection |\n| 3 | Best free lesson | Value |\n| 5 | Case study | Proof |\n| 7 | Soft offer | Sale |`,
          },
          {
            title: 'Writing subject lines people open',
            drip: { kind: 'after_days', days: 7 },
            body: 'Curiosity and specificity beat clickbait. Use the swipe file in the downloads and rewrite three of your last subject lines.',
            reviewedDaysAgo: 250,
          },
        ],
      },
      {
        title: 'A newsletter you can keep up',
        lessons: [
          {
            title: 'The 45-minute weekly newsletter',
            drip: { kind: 'after_days', days: 14 },
            body: 'One idea, one story, one link. Block 45 minutes on the same day every week and batch a month ahead when you can.',
          },
          {
            title: 'Final check',
            drip: { kind: 'after_previous' },
            body: 'Pass this quiz to complete the course and receive your certificate.',
            quiz: {
              passPercent: 75,
              maxAttempts: null,
              questions: [
                q('f1', 'How many emails in the suggested welcome sequence?', [['Five', true], ['One', false], ['Twenty', false]]),
                q('f2', 'What goes in a weekly newsletter?', [['One idea', true], ['One story', true], ['Ten links', false]], 'multiple'),
                q('f3', 'When should the lead magnet arrive?', [['Instantly', true], ['After a week', false]]),
                q('f4', 'What is the soft offer for?', [['A first sale', true], ['Unsubscribing', false]]),
              ],
            },
          },
        ],
      },
    ],
  },
  {
    slug: 'launch-your-first-course',
    title: 'Launch Your First Online Course',
    summary: 'From idea to first 20 students in six weeks, without a big audience.',
    status: 'published',
    createdDaysAgo: 300,
    reviewIntervalDays: 120,
    reviewedDaysAgo: 150,
    modules: [
      {
        title: 'Validate',
        lessons: [
          { title: 'Find a course people already want', body: 'Look for questions people ask repeatedly in your niche. Three sources: your inbox, forums, and search suggestions.' },
          { title: 'Pre-sell before you build', drip: { kind: 'after_previous' }, body: 'Sell a founding-member seat at a discount. Ten sales means build it; zero means change the promise.' },
        ],
      },
      {
        title: 'Build',
        lessons: [
          { title: 'Outline in an afternoon', drip: { kind: 'after_previous' }, body: 'Outcome first, then the five to seven steps to reach it. Each step is a lesson; each lesson has one job.' },
          { title: 'Record without perfectionism', drip: { kind: 'after_previous' }, body: 'Good audio matters more than video. Record in one take per lesson; edit only mistakes that confuse.', reviewedDaysAgo: 190 },
          {
            title: 'Launch checklist',
            drip: { kind: 'after_previous' },
            body: '- [x] Sales page\n- [x] Checkout tested\n- [ ] Welcome email\n- [ ] Launch emails scheduled',
            quiz: {
              passPercent: 100,
              maxAttempts: 2,
              questions: [
                q('l1', 'What do you do before building the whole course?', [['Pre-sell it', true], ['Film everything', false]]),
                q('l2', 'What matters most for recordings?', [['Clear audio', true], ['A 4K camera', false]]),
              ],
            },
          },
        ],
      },
    ],
  },
  {
    slug: 'pricing-for-creators',
    title: 'Pricing for Creators',
    summary: 'Price digital products with confidence. (Being written.)',
    status: 'draft',
    createdDaysAgo: 20,
    reviewIntervalDays: 180,
    reviewedDaysAgo: 20,
    modules: [
      {
        title: 'Foundations',
        lessons: [
          { title: 'Value, not hours', body: 'Draft: start from the outcome and what it is worth to the buyer.' },
          { title: 'Three tiers', body: 'Draft: a core offer, a premium tier and an entry product.' },
        ],
      },
    ],
  },
];

type LessonSeed = { id: string; courseId: string; title: string; dripKind: DripKind; dripDays: number | null; quiz: DemoLesson['quiz'] | null };

export async function seedLearningDemo(app: App, ctx: DemoContext): Promise<void> {
  const ago = (days: number) => new Date(ctx.now.getTime() - days * DAY_MS);
  const contentAssistant = (ctx.shared.assistants as { id: string; role: string }[] | undefined)?.find((a) => a.role === 'content');
  const history: (typeof events.$inferInsert)[] = [];
  const made: { id: string; title: string; slug: string }[] = [];
  for (const c of catalog) {
    const created = ago(c.createdDaysAgo);
    const [course] = await app.db
      .insert(courses)
      .values({ slug: c.slug, title: c.title, summary: c.summary, status: c.status, reviewIntervalDays: c.reviewIntervalDays, lastReviewedAt: ago(c.reviewedDaysAgo), createdAt: created, updatedAt: created })
      .onConflictDoNothing()
      .returning();
    if (!course) continue;
    made.push({ id: course.id, title: course.title, slug: course.slug });
    history.push({ occurredAt: created, type: 'course.created', actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner', subjectType: 'course', subjectId: course.id, data: { title: c.title, slug: c.slug } });
    if (c.status === 'published') {
      history.push({ occurredAt: new Date(created.getTime() + 14 * DAY_MS), type: 'course.published', actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner', subjectType: 'course', subjectId: course.id, data: { changed: ['status'] } });
    }
    if (c.reviewedDaysAgo < c.createdDaysAgo) {
      const reviewer = contentAssistant
        ? { actorKind: 'assistant', actorId: contentAssistant.id, actorRole: 'content' }
        : { actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner' };
      history.push({ occurredAt: ago(c.reviewedDaysAgo), type: 'course.reviewed', ...reviewer, subjectType: 'course', subjectId: course.id, data: { note: 'Checked links and examples' } });
    }
    for (const [mi, m] of c.modules.entries()) {
      const [mod] = await app.db.insert(courseModules).values({ courseId: course.id, title: m.title, position: mi + 1, createdAt: created }).returning();
      for (const [li, l] of m.lessons.entries()) {
        const reviewed = ago(Math.min(l.reviewedDaysAgo ?? c.reviewedDaysAgo, c.createdDaysAgo));
        const [lesson] = await app.db
          .insert(lessons)
          .values({
            courseId: course.id,
            moduleId: mod!.id,
            title: l.title,
            position: li + 1,
            bodyMarkdown: l.body,
            bodyHtml: renderMarkdown(l.body),
            videoUrl: l.video ?? null,
            dripKind: l.drip?.kind ?? 'immediate',
            dripDays: l.drip?.days ?? null,
            reviewIntervalDays: l.reviewIntervalDays ?? null,
            lastReviewedAt: reviewed,
            createdAt: created,
            updatedAt: reviewed,
          })
          .returning();
        if (l.quiz) {
          await app.db.insert(quizzes).values({ lessonId: lesson!.id, courseId: course.id, passPercent: l.quiz.passPercent, maxAttempts: l.quiz.maxAttempts, questions: l.quiz.questions, updatedAt: created });
        }
        history.push({ occurredAt: created, type: 'lesson.created', actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner', subjectType: 'lesson', subjectId: lesson!.id, data: { courseId: course.id, title: l.title } });
      }
    }
  }
  ctx.shared.courses = made;
  history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (let i = 0; i < history.length; i += 500) await app.db.insert(events).values(withContactIds(history.slice(i, i + 500)));
}

const DEMO_STUDENT_NAMES = [
  'Amara Cole', 'Ben Foster', 'Chloe Martin', 'Dev Patel', 'Elena Rossi', 'Finn O’Brien', 'Grace Kim', 'Hugo Silva', 'Isla Novak', 'Jonas Berg',
  'Keira Walsh', 'Liam Nguyen', 'Maya Haddad', 'Noah Jensen', 'Olivia Brooks', 'Pablo Ortiz', 'Quinn Baker', 'Rosa Lind', 'Sami Aziz', 'Tara Singh',
  'Uma Reyes', 'Victor Hale', 'Wren Ellis', 'Xavi Torres', 'Yara Costa', 'Zane Price', 'Ada Frost', 'Bruno Vogel', 'Cara Duarte', 'Dario Conti',
];

/** When nothing sold courses in the demo (no sell seed), a few students were enrolled by hand over the year. */
async function ensureDemoEnrollments(app: App, ctx: DemoContext): Promise<void> {
  const [existing] = await app.db.select({ id: accessGrants.id }).from(accessGrants).where(eq(accessGrants.resourceType, 'course')).limit(1);
  if (existing) return;
  const published = await app.db.select().from(courses).where(eq(courses.status, 'published'));
  if (!published.length) return;
  const grants: (typeof accessGrants.$inferInsert)[] = [];
  const history: (typeof events.$inferInsert)[] = [];
  for (const [i, name] of DEMO_STUDENT_NAMES.entries()) {
    const email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@students.demo.onehour.test`;
    const joined = new Date(ctx.now.getTime() - ctx.random.int(5, 320) * DAY_MS);
    const [contact] = await app.db
      .insert(contacts)
      .values({ email, emailNormalized: email, name, status: 'active', source: 'enrollment', fields: {}, createdAt: joined, updatedAt: joined })
      .onConflictDoNothing()
      .returning();
    if (!contact) continue;
    for (const c of published) {
      if (i % published.length !== published.indexOf(c) && !ctx.random.chance(0.3)) continue;
      const at = new Date(joined.getTime() + ctx.random.int(0, 3) * DAY_MS);
      if (at > ctx.now) continue;
      grants.push({ contactId: contact.id, resourceType: 'course', resourceId: c.id, source: 'manual', sourceId: null, grantedAt: at });
      history.push({ occurredAt: at, type: 'access.granted', actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner', subjectType: 'course', subjectId: c.id, data: { contactId: contact.id, source: 'manual', reason: 'launch cohort' } });
    }
  }
  if (grants.length) await app.db.insert(accessGrants).values(grants);
  for (let i = 0; i < history.length; i += 500) await app.db.insert(events).values(withContactIds(history.slice(i, i + 500)));
}

export async function seedLearningProgress(app: App, ctx: DemoContext): Promise<void> {
  await ensureDemoEnrollments(app, ctx);
  const published = await app.db.select().from(courses).where(eq(courses.status, 'published'));
  const now = ctx.now.getTime();
  const rnd = ctx.random;
  for (const course of published) {
    const ordered = await app.db
      .select({ l: lessons, position: courseModules.position })
      .from(lessons)
      .innerJoin(courseModules, eq(courseModules.id, lessons.moduleId))
      .where(eq(lessons.courseId, course.id))
      .orderBy(courseModules.position, lessons.position);
    const qs = await app.db.select().from(quizzes).where(eq(quizzes.courseId, course.id));
    const seeds: LessonSeed[] = ordered.map(({ l }) => {
      const quiz = qs.find((x) => x.lessonId === l.id);
      return { id: l.id, courseId: course.id, title: l.title, dripKind: l.dripKind, dripDays: l.dripDays, quiz: quiz ? { passPercent: quiz.passPercent, maxAttempts: quiz.maxAttempts, questions: quiz.questions } : null };
    });
    const grants = await app.db
      .select({ contactId: accessGrants.contactId, grantedAt: accessGrants.grantedAt, name: contacts.name, email: contacts.email })
      .from(accessGrants)
      .innerJoin(contacts, eq(contacts.id, accessGrants.contactId))
      .where(and(eq(accessGrants.resourceType, 'course'), eq(accessGrants.resourceId, course.id), isNull(accessGrants.revokedAt)));
    const seen = new Set<string>();
    const progressRows: (typeof lessonProgress.$inferInsert)[] = [];
    const courseRows: (typeof courseProgress.$inferInsert)[] = [];
    const attemptRows: (typeof quizAttempts.$inferInsert)[] = [];
    const unlockRows: (typeof lessonUnlocks.$inferInsert)[] = [];
    const certRows: (typeof certificates.$inferInsert)[] = [];
    const history: (typeof events.$inferInsert)[] = [];
    const student = (contactId: string) => ({ actorKind: 'customer', actorId: contactId, actorRole: null });
    for (const g of grants) {
      if (seen.has(g.contactId)) continue;
      seen.add(g.contactId);
      // A fifth never start; the rest work through lessons until they stop.
      if (!rnd.chance(0.8)) continue;
      const enrolled = g.grantedAt.getTime();
      let t = enrolled + rnd.int(1, 48) * 3_600_000;
      let previousDone: number | null = enrolled;
      let completedAll = true;
      let last: string | null = null;
      const started = t;
      for (const [i, l] of seeds.entries()) {
        let opens = enrolled;
        if (l.dripKind === 'after_days') opens = enrolled + (l.dripDays ?? 0) * DAY_MS;
        if (l.dripKind === 'after_previous') opens = i === 0 ? enrolled : previousDone ?? Infinity;
        if (opens > now) {
          completedAll = false;
          break;
        }
        if (l.dripKind !== 'immediate') {
          unlockRows.push({ contactId: g.contactId, lessonId: l.id, courseId: course.id, unlockedAt: new Date(opens) });
          history.push({ occurredAt: new Date(opens), type: 'lesson.unlocked', actorKind: 'system', actorId: null, actorRole: null, subjectType: 'lesson', subjectId: l.id, data: { contactId: g.contactId, courseId: course.id } });
        }
        t = Math.max(t, opens) + rnd.int(2, 60) * 3_600_000;
        if (t > now) {
          completedAll = false;
          break;
        }
        last = l.id;
        // Drop-off: each lesson loses some students, more of them early on.
        const stays = rnd.chance(i === 0 ? 0.92 : 0.85);
        let done = stays;
        if (l.quiz && stays) {
          done = false;
          for (let attempt = 1; l.quiz.maxAttempts == null || attempt <= l.quiz.maxAttempts; attempt++) {
            const at = new Date(t + attempt * 600_000);
            const right = l.quiz.questions.filter(() => rnd.chance(attempt === 1 ? 0.72 : 0.88)).map((x) => x.id);
            const score = Math.round((right.length / l.quiz.questions.length) * 100);
            const passed = score >= l.quiz.passPercent;
            const answers = Object.fromEntries(l.quiz.questions.map((x) => [x.id, right.includes(x.id) ? x.options.filter((o) => o.correct).map((o) => o.id) : [x.options.find((o) => !o.correct)!.id]]));
            attemptRows.push({ lessonId: l.id, courseId: course.id, contactId: g.contactId, answers, correct: right, scorePercent: score, passed, createdAt: at });
            history.push({ occurredAt: at, type: 'quiz.attempted', ...student(g.contactId), subjectType: 'lesson', subjectId: l.id, data: { contactId: g.contactId, courseId: course.id, scorePercent: score, passed, attempt } });
            if (passed) {
              done = true;
              break;
            }
            if (attempt >= 4 || !rnd.chance(0.7)) break;
          }
        }
        progressRows.push({ contactId: g.contactId, lessonId: l.id, courseId: course.id, firstViewedAt: new Date(t), lastViewedAt: new Date(t + 1_200_000), completedAt: done ? new Date(t + 1_800_000) : null });
        if (!done) {
          completedAll = false;
          break;
        }
        previousDone = t + 1_800_000;
        history.push({ occurredAt: new Date(previousDone), type: 'lesson.completed', ...student(g.contactId), subjectType: 'lesson', subjectId: l.id, data: { contactId: g.contactId, courseId: course.id, lessonTitle: l.title } });
        t = previousDone;
      }
      const finished = completedAll && previousDone !== null && previousDone <= now ? new Date(previousDone) : null;
      courseRows.push({ contactId: g.contactId, courseId: course.id, lastLessonId: last, startedAt: new Date(started), lastSeenAt: new Date(Math.min(t, now)), completedAt: finished });
      if (finished) {
        history.push({ occurredAt: finished, type: 'course.completed', ...student(g.contactId), subjectType: 'course', subjectId: course.id, data: { contactId: g.contactId, lessons: seeds.length } });
        if (course.certificateEnabled) {
          const code = randomToken(15);
          const id = randomUUID();
          certRows.push({ id, code, contactId: g.contactId, courseId: course.id, recipientName: g.name || g.email, courseTitle: course.title, issuedAt: finished });
          history.push({ occurredAt: finished, type: 'certificate.issued', actorKind: 'system', actorId: null, actorRole: null, subjectType: 'certificate', subjectId: id, data: { contactId: g.contactId, courseId: course.id, code } });
        }
      }
    }
    const chunks = async <T>(rows: T[], insert: (slice: T[]) => Promise<unknown>) => {
      for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
    };
    await chunks(progressRows, (s) => app.db.insert(lessonProgress).values(s).onConflictDoNothing());
    await chunks(courseRows, (s) => app.db.insert(courseProgress).values(s).onConflictDoNothing());
    await chunks(attemptRows, (s) => app.db.insert(quizAttempts).values(s));
    await chunks(unlockRows, (s) => app.db.insert(lessonUnlocks).values(s).onConflictDoNothing());
    await chunks(certRows, (s) => app.db.insert(certificates).values(s).onConflictDoNothing());
    history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    await chunks(history, (s) => app.db.insert(events).values(withContactIds(s)));
  }
}
