// Demo webhooks: a CRM that has received paid orders and new subscribers for a while, and an
// old Zapier hook that kept failing until Onehour turned it off. History only: nothing here
// is sent (the rows are written as they were, with no delivery jobs).
import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import type { App } from '../../app.js';
import { DAY_MS, type DemoContext } from '../../demo/random.js';
import { EventLog } from '../../db/events.js';
import { events } from '../../db/schema.js';
import { webhookPayload } from './service.js';
import { webhookDeliveries, webhookEndpoints } from './schema.js';

export async function seedWebhooksDemo(app: App, ctx: DemoContext): Promise<void> {
  const created = new Date(ctx.now.getTime() - 120 * DAY_MS);
  // The Zapier hook failed on the last few paid orders before the last six days, for five days
  // (so it was turned off at least a day before the demo's today, never after it).
  const zapEvents = await app.db
    .select()
    .from(events)
    .where(and(eq(events.type, 'order.paid'), lt(events.occurredAt, new Date(ctx.now.getTime() - 6 * DAY_MS))))
    .orderBy(desc(events.occurredAt))
    .limit(3);
  const failingSince = zapEvents.at(-1)?.occurredAt ?? new Date(ctx.now.getTime() - 9 * DAY_MS);
  const disabledAt = new Date(failingSince.getTime() + 5 * DAY_MS);
  const [crm, zap] = await app.db
    .insert(webhookEndpoints)
    .values([
      {
        url: 'https://crm.example.com/hooks/onehour',
        description: 'CRM: new customers and subscribers',
        eventTypes: ['contact.subscribed', 'order.paid', 'order.refunded'],
        secretSealed: app.webhooks.sealedNewSecret(),
        createdAt: created,
        updatedAt: created,
      },
      {
        url: 'https://hooks.zapier.example.net/catch/2291/onehour',
        description: 'Old Zapier zap (spreadsheet of orders)',
        eventTypes: ['order.paid'],
        enabled: false,
        failingSince,
        disabledReason: 'Every delivery failed for 5 days (last: answered 410)',
        secretSealed: app.webhooks.sealedNewSecret(),
        createdAt: created,
        updatedAt: disabledAt,
      },
    ])
    .returning();
  const recent = await app.db
    .select()
    .from(events)
    .where(inArray(events.type, ['contact.subscribed', 'order.paid', 'order.refunded']))
    .orderBy(desc(events.occurredAt))
    .limit(40);
  const rows: (typeof webhookDeliveries.$inferInsert)[] = [];
  for (const [i, e] of recent.entries()) {
    const { requestId: _r, ...record } = e;
    const payload = webhookPayload(EventLog.deliveryOf(record));
    const at = new Date(e.occurredAt.getTime() + ctx.random.int(1, 20) * 1000);
    // The CRM had one bad evening: a 502 answered first, the retry five seconds later went through.
    const hiccup = i === 7;
    rows.push({
      endpointId: crm!.id,
      eventId: e.id,
      eventType: e.type,
      messageId: `msg_${randomUUID()}`,
      payload,
      status: 'succeeded',
      attempts: hiccup ? 2 : 1,
      lastAttemptAt: hiccup ? new Date(at.getTime() + 5000) : at,
      responseStatus: 200,
      responseBody: '{"received":true}',
      durationMs: ctx.random.int(80, 420),
      createdAt: e.occurredAt,
    });
  }
  for (const e of zapEvents) {
    rows.push({
      endpointId: zap!.id,
      eventId: e.id,
      eventType: e.type,
      messageId: `msg_${randomUUID()}`,
      payload: webhookPayload(EventLog.deliveryOf({ ...e })),
      status: 'failed',
      attempts: 8,
      lastAttemptAt: new Date(Math.min(e.occurredAt.getTime() + DAY_MS, disabledAt.getTime())),
      responseStatus: 410,
      responseBody: 'This zap is turned off.',
      durationMs: ctx.random.int(60, 200),
      error: 'answered 410',
      createdAt: e.occurredAt,
    });
  }
  if (rows.length) await app.db.insert(webhookDeliveries).values(rows);
  await app.db.insert(events).values({
    occurredAt: disabledAt,
    type: 'webhook.endpoint_disabled',
    actorKind: 'system',
    subjectType: 'webhook_endpoint',
    subjectId: zap!.id,
    data: { origin: 'https://hooks.zapier.example.net', failingSince: failingSince.toISOString(), reason: 'Every delivery failed for 5 days (last: answered 410)' },
  });
}
