// Demo team: three assistants who have been running the day-to-day for a year, so the
// Activity page shows the business running without its owner.
import { hash } from '@node-rs/argon2';
import { randomToken } from '../../crypto.js';
import type { App } from '../../app.js';
import { DAY_MS, type DemoContext } from '../../demo/random.js';
import { users } from './schema.js';
import { events } from '../../db/schema.js';
import { withContactIds } from '../../db/events.js';

const assistants = [
  { name: 'Maya Lindqvist', email: 'maya@demo.onehour.test', role: 'support' },
  { name: 'Leo Okafor', email: 'leo@demo.onehour.test', role: 'content' },
  { name: 'Ivy Chen', email: 'ivy@demo.onehour.test', role: 'marketing' },
] as const;

export async function seedTeamDemo(app: App, ctx: DemoContext): Promise<void> {
  // Demo assistants get random passwords nobody knows: invite a real person to try a role.
  const passwordHash = await hash(randomToken(24));
  const start = new Date(ctx.now.getTime() - 365 * DAY_MS);
  const rows = await app.db
    .insert(users)
    .values(assistants.map((a) => ({ ...a, passwordHash, createdAt: start, passwordChangedAt: start })))
    .onConflictDoNothing()
    .returning();
  ctx.shared.assistants = rows.map((r) => ({ id: r.id, role: r.role, name: r.name }));
  const history: (typeof events.$inferInsert)[] = [];
  for (const r of rows) {
    history.push({ occurredAt: start, type: 'user.joined', actorKind: 'assistant', actorId: r.id, actorRole: r.role, subjectType: 'user', subjectId: r.id, data: { role: r.role } });
  }
  // Weekly sign-ins over the year: the owner less and less often, assistants steadily.
  for (let week = 0; week < 52; week++) {
    const at = new Date(start.getTime() + week * 7 * DAY_MS + ctx.random.int(8, 18) * 3_600_000);
    if (ctx.random.chance(1 - week / 70)) {
      history.push({ occurredAt: at, type: 'user.signed_in', actorKind: 'owner', actorId: ctx.owner.id, actorRole: 'owner', subjectType: 'user', subjectId: ctx.owner.id, data: {} });
    }
    for (const r of rows) {
      history.push({ occurredAt: new Date(at.getTime() + ctx.random.int(1, 72) * 3_600_000), type: 'user.signed_in', actorKind: 'assistant', actorId: r.id, actorRole: r.role, subjectType: 'user', subjectId: r.id, data: {} });
    }
  }
  history.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  // Historical facts, not new actions: inserted directly rather than through the outbox so
  // no automation fires for something that "happened" months ago.
  for (let i = 0; i < history.length; i += 500) await app.db.insert(events).values(withContactIds(history.slice(i, i + 500)));
}
