// Secrets are never hard-coded: generated on first start and stored in the database (which,
// in embedded mode, is the data folder). Several processes on one PostgreSQL share them.
import { eq } from 'drizzle-orm';
import { randomToken } from '../crypto.js';
import type { Db } from './client.js';
import { systemSettings } from './schema.js';

export async function loadOrCreateSecret(db: Db, key: string, override?: string): Promise<string> {
  if (override) return override;
  // Insert-if-absent then read: two processes starting together end up with the same value.
  await db.insert(systemSettings).values({ key, value: randomToken(48) }).onConflictDoNothing();
  const [row] = await db.select().from(systemSettings).where(eq(systemSettings.key, key));
  return row!.value as string;
}

export async function getSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const [row] = await db.select().from(systemSettings).where(eq(systemSettings.key, key));
  return row?.value as T | undefined;
}

export async function putSetting(db: Db, key: string, value: unknown, now: Date): Promise<void> {
  await db
    .insert(systemSettings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: systemSettings.key, set: { value, updatedAt: now } });
}
