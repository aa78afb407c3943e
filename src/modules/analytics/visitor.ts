// Visitor identity without cookies, as Plausible does it: a keyed hash of the user agent, the
// address and the site, keyed by a random salt that is replaced at 00:00 UTC. The previous
// day's salt is kept so a visit that crosses midnight goes on; salts older than 48 hours are
// deleted, after which no one (not even us) can tell which address a visitor id came from.
import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/client.js';

export interface VisitorIds {
  /** the id under today's salt (a new visit uses it) */
  today: number;
  /** the id under yesterday's salt, while it exists (continues a visit begun before midnight) */
  yesterday: number | null;
}

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);
const previousDay = (day: string): string => utcDay(new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000));

/** 48 bits of HMAC-SHA256: a safe JS integer, and collisions are negligible among one day's visitors. */
export function visitorHash(salt: Buffer, userAgent: string, ip: string, site: string): number {
  return createHmac('sha256', salt).update(`${userAgent}\u0000${ip}\u0000${site}`).digest().readUIntBE(0, 6);
}

export class VisitorSalts {
  private cache: { day: string; today: Buffer; yesterday: Buffer | null } | null = null;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Makes sure today's salt exists (whoever comes first creates it) and deletes salts older than 48 hours. */
  async rotate(): Promise<void> {
    const now = this.clock.now();
    await this.database.execute(`insert into analytics_salts (day, salt, created_at) values ($1, $2, $3) on conflict (day) do nothing`, [utcDay(now), randomBytes(16), now]);
    await this.database.execute(`delete from analytics_salts where day < $1::date`, [previousDay(utcDay(now))]);
    this.cache = null;
  }

  /** The visitor's ids on the UTC day of `at` (an event's own time, not the time its batch is written). */
  async ids(userAgent: string, ip: string, site: string, at: Date = this.clock.now()): Promise<VisitorIds> {
    const salts = await this.forDay(utcDay(at));
    return {
      today: visitorHash(salts.today, userAgent, ip, site),
      yesterday: salts.yesterday ? visitorHash(salts.yesterday, userAgent, ip, site) : null,
    };
  }

  private async forDay(day: string) {
    if (this.cache?.day === day) return this.cache;
    let rows = await this.load(day);
    if (!rows.has(day)) {
      // Before the midnight job has run (or for a batch written just after midnight).
      await this.database.execute(`insert into analytics_salts (day, salt, created_at) values ($1, $2, $3) on conflict (day) do nothing`, [day, randomBytes(16), this.clock.now()]);
      rows = await this.load(day);
    }
    this.cache = { day, today: rows.get(day)!, yesterday: rows.get(previousDay(day)) ?? null };
    return this.cache;
  }

  private async load(day: string): Promise<Map<string, Buffer>> {
    const res = await this.database.execute<{ day: string; salt: Buffer | Uint8Array }>(
      `select to_char(day, 'YYYY-MM-DD') as day, salt from analytics_salts where day in ($1::date, $2::date)`,
      [day, previousDay(day)],
    );
    return new Map(res.rows.map((r) => [r.day, Buffer.from(r.salt)]));
  }
}
