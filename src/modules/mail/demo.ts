// Demo mail: a year of fortnightly newsletters with believable numbers (opens, clicks,
// a few bounces, complaints and unsubscribes), a scheduled one, a draft, and the
// transactional mail a small shop sends. Runs after the audience seed; when no contacts or
// lists exist yet it makes a small list of its own.
import { randomUUID } from 'node:crypto';
import type { App } from '../../app.js';
import { DAY_MS, type DemoContext } from '../../demo/random.js';
import { events } from '../../db/schema.js';
import { withContactIds } from '../../db/events.js';
import { normalizeEmail } from '../audience/index.js';
import { contacts } from '../audience/schema.js';
import { broadcastLinkClicks, broadcastLinks, broadcastRecipients, broadcasts, mailBounces, mailMessages, mailSuppressions } from './schema.js';

const FIRST = ['Anna', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Felix', 'Grace', 'Hugo', 'Isla', 'Jonas', 'Kira', 'Liam', 'Mia', 'Noah', 'Olivia', 'Paul', 'Rosa', 'Sam', 'Tara', 'Yusuf'];
const LAST = ['Berg', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hansen', 'Ito', 'Jensen', 'Kowalski', 'Larsen', 'Meyer', 'Novak', 'Okafor', 'Patel', 'Rossi', 'Silva', 'Tanaka'];
const TOPICS = [
  'How to plan a course in one weekend', 'The 3 emails that sell your course', 'Pricing: why €49 beats €29', 'What I learned from 1 000 students',
  'A lesson template you can copy', 'Five ways to get your first 100 subscribers', 'Evergreen launches, explained', 'Your course intro video in 20 minutes',
  'Refunds are good news (really)', 'Drip or binge? What students finish', 'The one-page sales page', 'How I work one hour a week',
];

type Row = { id: string; email: string; name: string; createdAt: Date };

async function ensureAudience(app: App, ctx: DemoContext): Promise<{ listId: string; listName: string; people: Row[] }> {
  const lists = await app.database.execute<{ id: string; name: string }>('select id, name from lists order by created_at limit 1');
  let listId = lists.rows[0]?.id;
  let listName = lists.rows[0]?.name ?? 'Weekly tips';
  const start = new Date(ctx.now.getTime() - 365 * DAY_MS);
  if (!listId) {
    listId = randomUUID();
    listName = 'Weekly tips';
    await app.database.execute('insert into lists (id, name, description, created_at) values ($1, $2, $3, $4)', [listId, listName, 'Practical ideas for course creators, every other Tuesday.', start]);
  }
  let people = (await app.database.execute<{ id: string; email: string; name: string; created_at: Date }>(`select id, email, name, created_at from contacts where status = 'active'`)).rows.map((r) => ({ id: r.id, email: r.email, name: r.name, createdAt: new Date(r.created_at) }));
  if (people.length < 50) {
    const rows = Array.from({ length: 320 }, (_, i) => {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[(i * 7) % LAST.length]!;
      const email = `${first}.${last}${i}@example.com`.toLowerCase();
      // Growth: more sign-ups in recent months.
      const at = new Date(start.getTime() + Math.sqrt(ctx.random.next()) * 360 * DAY_MS);
      return { email, emailNormalized: normalizeEmail(email), name: `${first} ${last}`, status: 'active' as const, source: ctx.random.chance(0.7) ? 'form:demo' : 'checkout', fields: {}, createdAt: at, updatedAt: at };
    });
    const made = await app.db.insert(contacts).values(rows).onConflictDoNothing().returning();
    people = people.concat(made.map((c) => ({ id: c.id, email: c.email, name: c.name, createdAt: c.createdAt })));
  }
  await app.database.execute(
    `insert into list_subscriptions (contact_id, list_id, status, updated_at)
     select c.id, $1, 'subscribed', c.created_at from contacts c where c.status = 'active' on conflict do nothing`,
    [listId],
  );
  return { listId, listName, people };
}

export async function seedMailDemo(app: App, ctx: DemoContext): Promise<void> {
  const settings = await app.mail.settings();
  if (!settings.postalAddress) await app.mail.updateSettings({ postalAddress: 'Onehour Demo Studio\n12 Example Street\n10115 Berlin, Germany' });
  const { listId, people } = await ensureAudience(app, ctx);
  const assistants = (ctx.shared.assistants as { id: string; role: string }[] | undefined) ?? [];
  const marketer = assistants.find((a) => a.role === 'marketing');
  const history: (typeof events.$inferInsert)[] = [];
  const suppressed = new Set<string>();

  for (let n = 0; n < 24; n++) {
    const sentAt = new Date(ctx.now.getTime() - (365 - 14 - n * 15) * DAY_MS + 9 * 3_600_000);
    const topic = TOPICS[n % TOPICS.length]!;
    const [b] = await app.db
      .insert(broadcasts)
      .values({
        name: `Newsletter #${n + 1}: ${topic}`,
        subject: `${topic}, {{ contact.first_name | default: "friend" }}`,
        preheader: 'Two minutes to read, one idea to use this week.',
        body: `Hi {{ contact.first_name | default: "there" }},\n\n## ${topic}\n\nHere is this fortnight's idea, with an example you can copy.\n\n[Read the full article](https://onehour.example/blog/${n + 1})\n\nOr [see the course](https://onehour.example/course) if you want the whole system.\n\n— The team`,
        listId,
        status: 'finished',
        scheduledAt: sentAt,
        startedAt: sentAt,
        finishedAt: new Date(sentAt.getTime() + 6 * 60_000),
        sentBy: marketer && n > 5 ? { kind: 'assistant', id: marketer.id, role: 'marketing' } : { kind: 'owner', id: ctx.owner.id },
        createdAt: new Date(sentAt.getTime() - 2 * DAY_MS),
        updatedAt: sentAt,
      })
      .returning();
    const links = [`https://onehour.example/blog/${n + 1}`, 'https://onehour.example/course'];
    const audience = people.filter((p) => p.createdAt < sentAt && !suppressed.has(p.id));
    const openRate = 0.36 + ctx.random.next() * 0.14;
    const recipients: (typeof broadcastRecipients.$inferInsert)[] = [];
    const fates: { p: Row; opened: boolean; clicked: number | null; bounce: boolean; complaint: boolean; unsub: boolean }[] = [];
    for (const p of audience) {
      const bounce = ctx.random.chance(0.004);
      const opened = !bounce && ctx.random.chance(openRate);
      const clicked = opened && ctx.random.chance(0.16) ? (ctx.random.chance(0.7) ? 0 : 1) : null;
      const complaint = !bounce && ctx.random.chance(0.0005);
      const unsub = !bounce && !complaint && ctx.random.chance(0.003);
      fates.push({ p, opened, clicked, bounce, complaint, unsub });
      const at = (min: number) => new Date(sentAt.getTime() + min * 60_000);
      recipients.push({
        broadcastId: b!.id, contactId: p.id, email: p.email, status: 'sent', attempts: 1, sentAt: at(ctx.random.int(0, 6)),
        openedAt: opened ? at(ctx.random.int(10, 3000)) : null, opens: opened ? ctx.random.int(1, 4) : 0,
        clickedAt: clicked !== null ? at(ctx.random.int(20, 3000)) : null, clicks: clicked !== null ? 1 : 0,
        bouncedAt: bounce ? at(2) : null, bounceKind: bounce ? 'hard' : null, complainedAt: complaint ? at(600) : null, unsubscribedAt: unsub ? at(300) : null,
      });
    }
    const inserted = recipients.length ? await app.db.insert(broadcastRecipients).values(recipients).returning({ id: broadcastRecipients.id, contactId: broadcastRecipients.contactId }) : [];
    const ridOf = new Map(inserted.map((r) => [r.contactId, r.id]));
    const clickRows: (typeof broadcastLinkClicks.$inferInsert)[] = [];
    const perLink = [0, 0];
    for (const f of fates) {
      const rid = ridOf.get(f.p.id)!;
      const actor = { actorKind: 'customer', actorId: f.p.id, actorRole: null, subjectType: 'contact', subjectId: f.p.id };
      const when = new Date(sentAt.getTime() + ctx.random.int(10, 3000) * 60_000);
      if (f.opened) history.push({ occurredAt: when, type: 'email.opened', ...actor, data: { broadcastId: b!.id } });
      if (f.clicked !== null) {
        perLink[f.clicked]!++;
        clickRows.push({ recipientId: rid, idx: f.clicked, firstAt: when });
        history.push({ occurredAt: new Date(when.getTime() + 60_000), type: 'email.clicked', ...actor, data: { broadcastId: b!.id, url: links[f.clicked] } });
      }
      if (f.unsub) history.push({ occurredAt: when, type: 'contact.unsubscribed', ...actor, data: { listId, via: 'one-click' } });
      if (f.bounce || f.complaint) {
        suppressed.add(f.p.id);
        const kind = f.bounce ? 'hard' : 'complaint';
        await app.db.insert(mailBounces).values({ emailNormalized: normalizeEmail(f.p.email), kind, provider: 'ses', detail: f.bounce ? '550 5.1.1 user unknown' : 'abuse', contactId: f.p.id, broadcastId: b!.id, recipientId: rid, occurredAt: when });
        await app.db.insert(mailSuppressions).values({ emailNormalized: normalizeEmail(f.p.email), reason: f.bounce ? 'hard_bounce' : 'complaint', detail: '', createdAt: when }).onConflictDoNothing();
        await app.database.execute('update contacts set status = $2 where id = $1', [f.p.id, f.bounce ? 'bounced' : 'complained']);
        history.push({ occurredAt: when, type: f.bounce ? 'email.bounced' : 'email.complained', actorKind: 'system', actorId: null, actorRole: null, subjectType: 'contact', subjectId: f.p.id, data: { kind, provider: 'ses', broadcastId: b!.id } });
      }
      if (f.unsub) {
        suppressed.add(f.p.id);
        await app.database.execute(`update list_subscriptions set status = 'unsubscribed', updated_at = $3 where contact_id = $1 and list_id = $2`, [f.p.id, listId, when]);
      }
    }
    for (let i = 0; i < clickRows.length; i += 500) await app.db.insert(broadcastLinkClicks).values(clickRows.slice(i, i + 500));
    await app.db.insert(broadcastLinks).values(links.map((url, idx) => ({ broadcastId: b!.id, idx, url, clicks: Math.round(perLink[idx]! * 1.3), uniqueClicks: perLink[idx]! })));
    const sent = recipients.length;
    await app.database.execute('update broadcasts set recipients_total = $2, sent_count = $2 where id = $1', [b!.id, sent]);
    const sender = b!.sentBy as { kind: string; id: string; role?: string };
    history.push({ occurredAt: sentAt, type: 'broadcast.started', actorKind: sender.kind, actorId: sender.id, actorRole: sender.role ?? 'owner', subjectType: 'broadcast', subjectId: b!.id, data: { recipients: sent, name: b!.name } });
    history.push({ occurredAt: new Date(sentAt.getTime() + 6 * 60_000), type: 'broadcast.finished', actorKind: 'system', actorId: null, actorRole: null, subjectType: 'broadcast', subjectId: b!.id, data: { sent, failed: 0, skipped: 0, reclaimed: 0 } });
  }
  // Unsubscribed people: their status follows the list they left (one list here).
  // What is next: one scheduled for Tuesday, one draft.
  const nextTuesday = new Date(ctx.now.getTime() + ((9 - new Date(ctx.now).getUTCDay()) % 7 || 7) * DAY_MS);
  nextTuesday.setUTCHours(9, 0, 0, 0);
  const [scheduled] = await app.db
    .insert(broadcasts)
    .values({
      name: 'Newsletter #25: The one-hour week, one year on', subject: 'One year of one-hour weeks, {{ contact.first_name | default: "friend" }}', preheader: 'What worked, what did not.',
      body: 'Hi {{ contact.first_name | default: "there" }},\n\nA year ago I stopped working on the business every day. Here is what happened.\n\n[Read the story](https://onehour.example/blog/one-year)',
      listId, status: 'scheduled', scheduledAt: nextTuesday, sentBy: { kind: 'owner', id: ctx.owner.id }, createdAt: ctx.now, updatedAt: ctx.now,
    })
    .returning();
  const { BROADCAST_START_JOB } = await import('./engine.js');
  await app.jobs.send(BROADCAST_START_JOB, { broadcastId: scheduled!.id }, { startAfter: nextTuesday });
  await app.db.insert(broadcasts).values({
    name: 'Black Friday: 30 % off the course', subject: '30 % off until Monday', preheader: '', body: 'Draft: write the offer here.\n\n[Get the course](https://onehour.example/course)', listId, status: 'draft', createdAt: ctx.now, updatedAt: ctx.now,
  });

  // Transactional mail of the past year: receipts, sign-in links, confirmations.
  const settingsNow = await app.mail.settings();
  const tx: (typeof mailMessages.$inferInsert)[] = [];
  for (let i = 0; i < 90; i++) {
    const p = people[ctx.random.int(0, people.length - 1)]!;
    const at = new Date(ctx.now.getTime() - ctx.random.int(1, 364) * DAY_MS - ctx.random.int(0, 86_000_000));
    const kind = ctx.random.pick(['checkout.receipt', 'portal.magic_link', 'audience.confirmation'] as const);
    const subject = kind === 'checkout.receipt' ? 'Your receipt from The Creator Lab' : kind === 'portal.magic_link' ? 'Your sign-in link' : 'Please confirm your subscription';
    const text = kind === 'checkout.receipt' ? `Thank you for your order, ${p.name}.\n\nCourse: The One-Hour Course — €49.00\n\nYour course is in your account.` : kind === 'portal.magic_link' ? 'Here is your link to sign in to your account. It works once, for 30 minutes.' : 'Press the link to confirm your subscription.';
    tx.push({ stream: 'transactional', tag: kind, toAddress: p.email, fromAddress: settingsNow.fromAddress, subject, text, status: 'stored', attempts: 1, contactId: p.id, createdAt: at, sentAt: new Date(at.getTime() + 2000) });
  }
  await app.db.insert(mailMessages).values(tx);

  history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  // Historical facts, not new actions: inserted directly so no automation fires for them.
  for (let i = 0; i < history.length; i += 500) await app.db.insert(events).values(withContactIds(history.slice(i, i + 500)));
}
