// The broken-link check of pages, lessons and emails. It runs as a job and is careful with
// other people's servers and with our own network:
// - rate-limited: at most `maxPerRun` URLs a run, one request at a time, at least
//   `perHostIntervalMs` between two requests to one host, each URL rechecked at most weekly;
// - it refuses private, loopback and link-local addresses (SSRF: a link in a page must not
//   become a way to probe the server's network). The address is checked when it is dialled
//   (a `lookup` hook), so a name that resolves elsewhere later is refused too. Tests allow
//   them with OWNER_LINKS_ALLOW_PRIVATE.
// The site's own pages are checked by site's link check; this one looks at outside links.
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress } from '../webhooks/index.js';

export interface FoundLink {
  url: string;
  /** `page:<slug>`, `lesson:<id>`, `email:<id>` */
  foundIn: string;
}

export interface LinkOutcome {
  url: string;
  foundIn: string;
  status: number | null;
  error: string | null;
}

const URL_RE = /https?:\/\/[^\s"'<>()\\]+/g;

/** Every http(s) URL in a piece of content (any shape: its JSON text is searched), own origin left out. */
export function linksIn(content: unknown, foundIn: string, ownOrigin: string): FoundLink[] {
  const text = typeof content === 'string' ? content : JSON.stringify(content ?? '');
  const out = new Map<string, FoundLink>();
  for (const m of text.matchAll(URL_RE)) {
    const raw = m[0].replace(/[.,;:!?]+$/, '').replace(/&amp;/g, '&');
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      continue;
    }
    if (u.origin === ownOrigin || raw.length > 2000) continue;
    u.hash = '';
    out.set(u.href, { url: u.href, foundIn });
  }
  return [...out.values()];
}

export class PrivateAddressRefused extends Error {
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private address the link check does not visit`);
  }
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return (callback as (e: Error) => void)(err);
      const list = addresses as unknown as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad) return (callback as (e: Error) => void)(new PrivateAddressRefused(hostname, bad.address));
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
    });
  };
}

/** One HEAD (then GET when HEAD is refused) with a time limit; redirects are not followed (a 3xx is alive). */
export async function probe(url: string, opts: { allowPrivate: boolean; timeoutMs: number }): Promise<{ status: number | null; error: string | null }> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { status: null, error: 'not an http link' };
  const bare = u.hostname.replace(/^\[|\]$/g, '');
  // A literal address never goes through lookup: check it here.
  if (/^[\d.]+$/.test(bare) || bare.includes(':')) {
    if (!opts.allowPrivate && isPrivateAddress(bare)) return { status: null, error: new PrivateAddressRefused(bare, bare).message };
  }
  const once = (method: 'HEAD' | 'GET') =>
    new Promise<number>((resolve, reject) => {
      const lib = u.protocol === 'https:' ? https : http;
      const req = lib.request(u, { method, lookup: guardedLookup(opts.allowPrivate), timeout: opts.timeoutMs, headers: { 'user-agent': 'Onehour link check' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer in ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  try {
    let status = await once('HEAD');
    if (status === 405 || status === 501) status = await once('GET');
    return { status, error: null };
  } catch (err) {
    return { status: null, error: (err as Error).message.slice(0, 300) };
  }
}

export function isBroken(o: { status: number | null; error: string | null }): boolean {
  if (o.error?.includes('private address')) return false;
  return o.status === null ? true : o.status >= 400;
}

/**
 * Checks `links` one at a time, at most `maxPerRun`, waiting so that one host gets at most
 * one request per `perHostIntervalMs` (the `wait` is injectable for tests).
 */
export async function checkLinks(
  links: FoundLink[],
  opts: { allowPrivate: boolean; maxPerRun: number; perHostIntervalMs: number; timeoutMs: number; wait?: (ms: number) => Promise<void> },
): Promise<LinkOutcome[]> {
  const wait = opts.wait ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const lastAt = new Map<string, number>();
  const out: LinkOutcome[] = [];
  for (const l of links.slice(0, opts.maxPerRun)) {
    const host = new URL(l.url).host;
    const since = Date.now() - (lastAt.get(host) ?? 0);
    if (lastAt.has(host) && since < opts.perHostIntervalMs) await wait(opts.perHostIntervalMs - since);
    lastAt.set(host, Date.now());
    out.push({ ...l, ...(await probe(l.url, opts)) });
  }
  return out;
}
