// Ingest, a group-commit writer: a page view or beacon is accepted into an in-process buffer
// and answered at once; one writer at a time takes everything buffered (up to MAX_BATCH) and
// writes it in one transaction, ANALYTICS_FLUSH_MS after the first event waits or as soon as
// FLUSH_AT are waiting; whatever arrives during a write goes into the next one. The buffer is
// bounded (`maxBuffered`, queued and being written): when full, `accept` says so and the
// beacon answers 503 with Retry-After. Durability: an answered event is in memory only until
// its batch commits, so a crash (not a clean shutdown, which flushes) loses the events of the
// last flush interval and of a batch being written — analytics can afford that, and a business
// event never goes through here. (Answering only after the write was measured too:
// docs/benchmarks.md, Analytics.) Each event joins the visitor's open visit (less than 30
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
  /** events held in memory at most (queued and being written); more are refused */
  maxBuffered?: number;
  /** a batch that could not be written (it is dropped: analytics never blocks a page) */
  onError?: (err: unknown, lost: number) => void;
}

/** Queued; dropped (a bot, a flood from one address: not an error for the sender); refused (the buffer is full: retry later). */
export type Accepted = 'queued' | 'dropped' | 'full';

/** Events written per transaction at most; a flush starts as soon as FLUSH_AT are waiting. */
const MAX_BATCH = 2000;
const FLUSH_AT = 500;
export const DEFAULT_MAX_BUFFERED = 20_000;

const MAX_PATH = 300;

/**
 * A small memo of the last results per user agent: a site's visitors share a few hundred user
 * agents, and parsing one (ua-parser-js, isbot) is a long run of regular expressions. Emptied
 * when full, so it stays bounded whatever arrives.
 */
class Memo<T> {
  private readonly map = new Map<string, T>();
  constructor(
    private readonly max: number,
    private readonly compute: (key: string) => T,
  ) {}
  get(key: string): T {
    // a key this long is not kept (the memo's memory stays small)
    if (key.length > 512) return this.compute(key);
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      v = this.compute(key);
      this.map.set(key, v);
    }
    return v;
  }
}

const botMemo = new Memo<boolean>(2000, (ua) => isbot(ua));
const deviceMemo = new Memo<{ device: string; browser: string }>(2000, (ua) => parseDevice(ua));

/** A bot by the `isbot` package's list (memoised per user agent). */
export const isBot = (userAgent: string): boolean => botMemo.get(userAgent);

export function devicesOf(userAgent: string): { device: string; browser: string } {
  return deviceMemo.get(userAgent);
}

function parseDevice(userAgent: string): { device: string; browser: string } {
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
  /** the writer loop, while it runs */
  private writing: Promise<void> | null = null;
  private inFlight = 0;
  /** events accepted / written-or-given-up so far, for `settled` */
  private accepted = 0;
  private settledCount = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];
  private floodWindow = { minute: -1, counts: new Map<string, number>() };
  private readonly ownHost: string;
  private readonly maxBuffered: number;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly salts: VisitorSalts,
    private readonly opts: IngestOptions,
  ) {
    this.ownHost = new URL(opts.ownUrl).hostname.replace(/^www\./, '');
    this.maxBuffered = opts.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  }

  /** Events in memory now: queued and being written. */
  get buffered(): number {
    return this.queue.length + this.inFlight;
  }

  /** Queues a hit for the next batch. */
  accept(hit: Hit): Accepted {
    if (!hit.userAgent || isBot(hit.userAgent)) return 'dropped';
    if (this.buffered >= this.maxBuffered) return 'full';
    if (this.flooded(hit.ip)) return 'dropped';
    this.queue.push(hit);
    this.accepted++;
    if (this.queue.length >= FLUSH_AT) void this.flush();
    else if (!this.timer && !this.writing) {
      this.timer = setTimeout(() => void this.flush(), this.opts.flushMs);
      this.timer.unref();
    }
    return 'queued';
  }

  /** Resolves once every event accepted so far is written (or its batch failed and was reported). */
  settled(): Promise<void> {
    if (this.settledCount >= this.accepted) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo: this.accepted, resolve }));
  }

  /** Starts writing what is queued (if no write is running) and resolves when all of it is written (tests, shutdown). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.writing ??= this.drain().finally(() => {
      this.writing = null;
      // events that came in as the loop ended wait for their own timer
      if (this.queue.length && !this.timer) {
        this.timer = setTimeout(() => void this.flush(), this.opts.flushMs);
        this.timer.unref();
      }
    });
    return this.settled();
  }

  /** One batch at a time (a visit's events keep their order across batches), each taking all that waits. */
  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
      this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
      this.inFlight = batch.length;
      try {
        await this.write(batch);
      } catch (err) {
        this.opts.onError?.(err, batch.length);
      } finally {
        this.inFlight = 0;
        this.settledCount += batch.length;
        this.waiters = this.waiters.filter((w) => (w.upTo <= this.settledCount ? (w.resolve(), false) : true));
      }
    }
  }

  private flooded(ip: string): boolean {
    const minute = Math.floor(this.clock.now().getTime() / 60_000);
    if (this.floodWindow.minute !== minute) this.floodWindow = { minute, counts: new Map() };
    const n = (this.floodWindow.counts.get(ip) ?? 0) + 1;
    this.floodWindow.counts.set(ip, n);
    return n > this.opts.maxEventsPerMinute;
  }

  /**
   * Writes a batch set-wise: one query finds the open visits of every visitor in it, the
   * events are assigned to visits in memory (in order, so a visit started in this batch is
   * continued by its later events), then three statements write new visits, touched visits
   * and events.
   */
  async write(batch: Hit[]): Promise<void> {
    // Visitor ids first: the salts are read outside the transaction (PGlite has one connection).
    const prepared: { hit: Hit; url: ReturnType<typeof parseUrl>; ids: VisitorIds }[] = [];
    for (const hit of batch) {
      const url = parseUrl(hit.url, this.opts.ownUrl);
      prepared.push({ hit, url, ids: await this.salts.ids(hit.userAgent, hit.ip, url.host || this.ownHost, hit.at) });
    }
    if (prepared.length === 0) return;
    await this.database.transaction(async (tx) => {
      const exec = this.database.executorFor(tx);
      await exec(`select pg_advisory_xact_lock_shared(${INGEST_LOCK})`);
      await this.writeSet(exec, prepared);
    });
  }

  private async writeSet(exec: ExecuteSql, prepared: { hit: Hit; url: ReturnType<typeof parseUrl>; ids: VisitorIds }[]): Promise<void> {
    const candidates = [...new Set(prepared.flatMap((p) => (p.ids.yesterday === null ? [p.ids.today] : [p.ids.today, p.ids.yesterday])))];
    const earliest = new Date(Math.min(...prepared.map((p) => p.hit.at.getTime())) - VISIT_TIMEOUT_MS);
    const open = await exec<VisitRow & { last_at: Date }>(
      `select distinct on (visitor_id) id, visitor_id, last_at, entry_path, channel, source, campaign, device, browser
         from analytics_visits where visitor_id = any($1::bigint[]) and last_at > $2 order by visitor_id, last_at desc`,
      [candidates, earliest],
    );
    /** the latest visit of each visitor id, as this batch leaves it */
    const latest = new Map<number, VisitState>(open.rows.map((r) => [r.visitor_id, { row: r, lastAt: new Date(r.last_at).getTime(), pageviews: 0, isNew: false, startedAt: 0 }]));
    const fresh: VisitState[] = [];
    const events: { hit: Hit; path: string; visit: VisitState; entry: boolean }[] = [];
    for (const { hit, url, ids } of prepared) {
      const at = hit.at.getTime();
      const open = [ids.today, ids.yesterday]
        .map((id) => (id === null ? undefined : latest.get(id)))
        .filter((v): v is VisitState => v !== undefined && v.lastAt > at - VISIT_TIMEOUT_MS)
        .sort((a, b) => b.lastAt - a.lastAt)[0];
      const isPageview = hit.name === PAGEVIEW ? 1 : 0;
      if (open) {
        open.lastAt = Math.max(open.lastAt, at);
        open.pageviews += isPageview;
        events.push({ hit, path: url.path, visit: open, entry: false });
        continue;
      }
      if (hit.name === ENGAGEMENT) continue;
      const source = classifySource({
        referrer: hit.referrer,
        utmSource: url.params.get('utm_source'),
        utmMedium: url.params.get('utm_medium'),
        utmCampaign: url.params.get('utm_campaign'),
        ref: url.params.get('ref') ?? url.params.get('source'),
        ownHost: this.ownHost,
      });
      const d = devicesOf(hit.userAgent);
      const visit: VisitState = {
        row: { id: 0, visitor_id: ids.today, entry_path: url.path, channel: source.channel, source: source.source, campaign: source.campaign, device: d.device, browser: d.browser },
        lastAt: at,
        startedAt: at,
        pageviews: isPageview,
        isNew: true,
      };
      latest.set(ids.today, visit);
      fresh.push(visit);
      events.push({ hit, path: url.path, visit, entry: true });
    }
    if (fresh.length) {
      const ids = await exec<{ id: number }>(`select nextval(pg_get_serial_sequence('analytics_visits', 'id'))::bigint as id from generate_series(1, $1::int)`, [fresh.length]);
      fresh.forEach((v, i) => (v.row.id = ids.rows[i]!.id));
      await exec(
        `insert into analytics_visits (id, visitor_id, started_at, last_at, pageviews, entry_path, channel, source, campaign, device, browser)
         select * from unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])`,
        columns(fresh, (v) => [v.row.id, v.row.visitor_id, iso(v.startedAt), iso(v.lastAt), v.pageviews, v.row.entry_path, v.row.channel, v.row.source, v.row.campaign, v.row.device, v.row.browser], 11),
      );
    }
    const touched = [...new Set(events.map((e) => e.visit))].filter((v) => !v.isNew);
    if (touched.length) {
      await exec(
        `update analytics_visits v set last_at = greatest(v.last_at, u.last_at), pageviews = v.pageviews + u.pageviews
           from unnest($1::bigint[], $2::timestamptz[], $3::int[]) as u(id, last_at, pageviews) where v.id = u.id`,
        columns(touched, (v) => [v.row.id, iso(v.lastAt), v.pageviews], 3),
      );
    }
    if (events.length) {
      await exec(
        `insert into analytics_events (at, name, visitor_id, visit_id, entry, path, channel, source, campaign, entry_path, device, browser, props)
         select at, name, visitor_id, visit_id, entry, path, channel, source, campaign, entry_path, device, browser, props::jsonb
           from unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::bigint[], $5::boolean[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
             as e(at, name, visitor_id, visit_id, entry, path, channel, source, campaign, entry_path, device, browser, props)`,
        columns(events, ({ hit, path, visit: { row: v }, entry }) => [iso(hit.at.getTime()), hit.name, v.visitor_id, v.id, entry, path, v.channel, v.source, v.campaign, v.entry_path, v.device, v.browser, hit.props ? JSON.stringify(hit.props) : null], 13),
      );
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

interface VisitRow {
  id: number;
  visitor_id: number;
  entry_path: string;
  channel: string;
  source: string;
  campaign: string;
  device: string;
  browser: string;
}

interface VisitState {
  row: VisitRow;
  lastAt: number;
  startedAt: number;
  /** page views this batch adds (a new visit: all of them) */
  pageviews: number;
  isNew: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Rows to one array per column, for unnest. */
function columns<T>(rows: T[], pick: (row: T) => unknown[], n: number): unknown[][] {
  const out: unknown[][] = Array.from({ length: n }, () => []);
  for (const r of rows) pick(r).forEach((v, i) => out[i]!.push(v));
  return out;
}
