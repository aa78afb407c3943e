// Ingest: page views and custom events wait in memory for a moment and are written in one
// transaction per batch (a busy site makes one write every ANALYTICS_FLUSH_MS, not one per
// view). A crash loses at most that moment of traffic, which analytics can afford; a business
// event never goes through here. Each event joins the visitor's open visit (less than 30
// minutes since its last event) or starts a new one, which fixes the visit's source.
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';
import type { Clock } from '../../clock.js';
import type { Database, ExecuteSql } from '../../db/client.js';
import { classifySource } from './sources.js';
import type { VisitorIds, VisitorSalts } from './visitor.js';
import { INGEST_LOCK } from './rollup.js';

export const VISIT_TIMEOUT_MS = 30 * 60_000;
/** the name of the script's time-on-page beacon: it extends the visit, it is not a goal */
export const ENGAGEMENT = 'engagement';
export const PAGEVIEW = 'pageview';

export interface Hit {
  name: string;
  /** absolute URL, or a path with its query */
  url: string;
  referrer?: string | null;
  userAgent: string;
  ip: string;
  at: Date;
  props?: Record<string, string> | null;
}

export interface IngestOptions {
  ownUrl: string;
  maxEventsPerMinute: number;
  flushMs: number;
  /** a batch that could not be written (it is dropped: analytics never blocks a page) */
  onError?: (err: unknown, lost: number) => void;
}

const MAX_PATH = 300;

export function devicesOf(userAgent: string): { device: string; browser: string } {
  const ua = UAParser(userAgent);
  const type = ua.device.type;
  const device = type === 'mobile' || type === 'wearable' ? 'Mobile' : type === 'tablet' ? 'Tablet' : 'Desktop';
  return { device, browser: ua.browser.name?.slice(0, 40) || 'Unknown' };
}

/** Path and the query parameters analytics keeps (utm_*, ref); every other parameter is dropped. */
export function parseUrl(url: string, ownUrl: string): { path: string; host: string; params: URLSearchParams } {
  let u: URL;
  try {
    u = new URL(url, ownUrl);
  } catch {
    u = new URL('/', ownUrl);
  }
  const path = (decodeSafe(u.pathname) || '/').slice(0, MAX_PATH);
  return { path, host: u.hostname.replace(/^www\./, ''), params: u.searchParams };
}

function decodeSafe(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

export class Ingest {
  private queue: Hit[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private floodWindow = { minute: -1, counts: new Map<string, number>() };
  private readonly ownHost: string;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly salts: VisitorSalts,
    private readonly opts: IngestOptions,
  ) {
    this.ownHost = new URL(opts.ownUrl).hostname.replace(/^www\./, '');
  }

  /** Queues a hit; false when it is dropped (a bot, or a flood from one address). */
  accept(hit: Hit): boolean {
    if (!hit.userAgent || isbot(hit.userAgent)) return false;
    if (this.flooded(hit.ip)) return false;
    this.queue.push(hit);
    if (this.queue.length >= 500) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.opts.flushMs);
      this.timer.unref();
    }
    return true;
  }

  /** Writes everything queued so far (tests, shutdown). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    // One batch at a time: a visit's events keep their order across batches.
    this.flushing = this.flushing.then(() => (batch.length ? this.write(batch) : undefined)).catch((err) => this.opts.onError?.(err, batch.length));
    return this.flushing;
  }

  private flooded(ip: string): boolean {
    const minute = Math.floor(this.clock.now().getTime() / 60_000);
    if (this.floodWindow.minute !== minute) this.floodWindow = { minute, counts: new Map() };
    const n = (this.floodWindow.counts.get(ip) ?? 0) + 1;
    this.floodWindow.counts.set(ip, n);
    return n > this.opts.maxEventsPerMinute;
  }

  async write(batch: Hit[]): Promise<void> {
    // Visitor ids first: the salts are read outside the transaction (PGlite has one connection).
    const prepared: { hit: Hit; url: ReturnType<typeof parseUrl>; ids: VisitorIds }[] = [];
    for (const hit of batch) {
      const url = parseUrl(hit.url, this.opts.ownUrl);
      prepared.push({ hit, url, ids: await this.salts.ids(hit.userAgent, hit.ip, url.host || this.ownHost, hit.at) });
    }
    await this.database.transaction(async (tx) => {
      const exec = this.database.executorFor(tx);
      await exec(`select pg_advisory_xact_lock_shared(${INGEST_LOCK})`);
      for (const p of prepared) await this.writeOne(exec, p.hit, p.url, p.ids);
    });
  }

  private async writeOne(exec: ExecuteSql, hit: Hit, { path, params }: ReturnType<typeof parseUrl>, ids: VisitorIds): Promise<void> {
    const candidates = ids.yesterday === null ? [ids.today] : [ids.today, ids.yesterday];
    const found = await exec<{ id: number; visitor_id: number; entry_path: string; channel: string; source: string; campaign: string; device: string; browser: string }>(
      `select id, visitor_id, entry_path, channel, source, campaign, device, browser from analytics_visits
        where visitor_id = any($1::bigint[]) and last_at > $2 order by last_at desc limit 1`,
      [candidates, new Date(hit.at.getTime() - VISIT_TIMEOUT_MS)],
      { name: 'analytics_find_visit' },
    );
    let visit = found.rows[0];
    const isPageview = hit.name === PAGEVIEW;
    if (visit) {
      await exec(`update analytics_visits set last_at = greatest(last_at, $2), pageviews = pageviews + $3 where id = $1`, [visit.id, hit.at, isPageview ? 1 : 0], { name: 'analytics_touch_visit' });
    } else {
      if (hit.name === ENGAGEMENT) return;
      const source = classifySource({
        referrer: hit.referrer,
        utmSource: params.get('utm_source'),
        utmMedium: params.get('utm_medium'),
        utmCampaign: params.get('utm_campaign'),
        ref: params.get('ref') ?? params.get('source'),
        ownHost: this.ownHost,
      });
      const d = devicesOf(hit.userAgent);
      const inserted = await exec<{ id: number }>(
        `insert into analytics_visits (visitor_id, started_at, last_at, pageviews, entry_path, channel, source, campaign, device, browser)
         values ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
        [ids.today, hit.at, isPageview ? 1 : 0, path, source.channel, source.source, source.campaign, d.device, d.browser],
        { name: 'analytics_start_visit' },
      );
      visit = { id: inserted.rows[0]!.id, visitor_id: ids.today, entry_path: path, channel: source.channel, source: source.source, campaign: source.campaign, device: d.device, browser: d.browser };
      await this.insertEvent(exec, hit, path, visit, true);
      return;
    }
    await this.insertEvent(exec, hit, path, visit, false);
  }

  private async insertEvent(exec: ExecuteSql, hit: Hit, path: string, v: { id: number; visitor_id: number; entry_path: string; channel: string; source: string; campaign: string; device: string; browser: string }, entry: boolean) {
    await exec(
      `insert into analytics_events (at, name, visitor_id, visit_id, entry, path, channel, source, campaign, entry_path, device, browser, props)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [hit.at, hit.name, v.visitor_id, v.id, entry, path, v.channel, v.source, v.campaign, v.entry_path, v.device, v.browser, hit.props ? JSON.stringify(hit.props) : null],
      { name: 'analytics_insert_event' },
    );
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
