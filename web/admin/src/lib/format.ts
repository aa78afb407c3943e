// Dates, times and devices in the reader's own locale and words.
import type { IsoDate } from '../api.js';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: IsoDate): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: IsoDate): string {
  return dateOnly.format(new Date(iso));
}

export function formatTime(iso: IsoDate): string {
  return timeOnly.format(new Date(iso));
}

export function formatFull(iso: IsoDate): string {
  return full.format(new Date(iso));
}

const steps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago", "in 6 days", "now". */
export function formatRelative(iso: IsoDate, now: number = Date.now()): string {
  const diff = new Date(iso).getTime() - now;
  for (const [unit, ms] of steps) {
    if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
  }
  return relative.format(0, 'second');
}

/** "Chrome on macOS" from a user-agent string; good enough to recognise your own devices. */
export function describeUserAgent(ua: string | null): string {
  if (!ua) return 'Unknown device';
  const browser =
    /Edg\//.test(ua) ? 'Edge'
    : /OPR\//.test(ua) ? 'Opera'
    : /Firefox\//.test(ua) ? 'Firefox'
    : /(Headless)?Chrom(e|ium)\//.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) ? 'Safari'
    : /curl|node|python|Go-http|axios|undici/i.test(ua) ? 'A script or API client'
    : 'A browser';
  const os =
    /iPhone/.test(ua) ? 'iPhone'
    : /iPad/.test(ua) ? 'iPad'
    : /Android/.test(ua) ? 'Android'
    : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X|Macintosh/.test(ua) ? 'macOS'
    : /CrOS/.test(ua) ? 'ChromeOS'
    : /Linux/.test(ua) ? 'Linux'
    : null;
  return os ? `${browser} on ${os}` : browser;
}

/** `order.paid` → "Order paid"; `team.password_reset` → "Team password reset". */
export function humanise(name: string): string {
  const words = name.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const roleLabels: Record<string, string> = {
  owner: 'Owner',
  admin: 'Admin',
  support: 'Support',
  content: 'Content',
  marketing: 'Marketing',
};

export function roleLabel(role: string | null | undefined): string {
  return role ? (roleLabels[role] ?? humanise(role)) : '';
}
