// Test fixtures for the mail module: an audience (contacts on a list) made directly in the
// database, the way the audience module's own tables hold it.
import { randomUUID } from 'node:crypto';
import type { App } from '../../app.js';

export async function seedAudience(app: App, n: number, opts: { listName?: string; domain?: string; names?: boolean } = {}): Promise<{ listId: string }> {
  const listId = randomUUID();
  const now = app.clock.now();
  await app.database.execute('insert into lists (id, name, created_at) values ($1, $2, $3)', [listId, opts.listName ?? 'Weekly tips', now]);
  const domain = opts.domain ?? 'example.net';
  // One statement: fast for 20 000 contacts too.
  await app.database.execute(
    `insert into contacts (email, email_normalized, name, status, source, fields, created_at, updated_at)
     select 'user' || g || '@' || $2::text, 'user' || g || '@' || $2::text,
            case when $3::boolean and g % 3 <> 0 then 'Person ' || g else '' end, 'active', 'import', jsonb_build_object('city', 'City ' || g), $1, $1
       from generate_series(1, $4::int) g`,
    [now, domain, opts.names ?? true, n],
  );
  await app.database.execute(
    `insert into list_subscriptions (contact_id, list_id, status, updated_at)
     select id, $1, 'subscribed', $2 from contacts where email_normalized like '%@' || $3::text`,
    [listId, now, domain],
  );
  return { listId };
}

export const POSTAL = 'Onehour Demo Ltd\n12 Example Street\n10115 Berlin, Germany';

/**
 * The message as its recipient gets it, for tests that play the recipient without an SMTP
 * server: read from the pending send job and opened with the secret key — what only someone
 * holding both the database and the data folder's key could do, never an API.
 */
export async function mailAsDelivered(app: App, messageId: string): Promise<{ subject: string; text: string; html: string | null }> {
  const { loadOrCreateSecret } = await import('../../db/secrets.js');
  const { createSealer } = await import('./sealed.js');
  const job = await app.database.execute<{ data: { sealed?: string } }>(
    `select data from pgboss.job where name = 'mail.send-transactional' and data->>'messageId' = $1 limit 1`,
    [messageId],
  );
  const sealed = job.rows[0]?.data.sealed;
  if (sealed) return createSealer(await loadOrCreateSecret(app.db, 'secret_key', app.config.secretKey), 'mail-secrets').open(sealed);
  const m = await app.mail.getMessage(messageId);
  return { subject: m.subject, text: m.text, html: m.html };
}
