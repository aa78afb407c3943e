// Where a visit came from: its referrer and UTM tags, classified into one channel. The
// referrer list is data (below), kept in the module and documented in docs/analytics.md; a
// host matches an entry when it is the entry's domain or one of its subdomains, and a
// domain ending in ".*" matches any top-level domain (google.de, google.co.uk).
export const channels = ['direct', 'organic_search', 'social', 'email', 'referral', 'paid', 'affiliate'] as const;
export type Channel = (typeof channels)[number];

type Kind = 'search' | 'social' | 'email';

/** Known referrers: [domain, source name, kind]. The first match wins: webmail before its search engine. */
export const referrerTable: readonly (readonly [string, string, Kind])[] = [
  ['mail.google.com', 'Gmail', 'email'],
  ['outlook.live.com', 'Outlook', 'email'],
  ['outlook.office.com', 'Outlook', 'email'],
  ['mail.yahoo.com', 'Yahoo! Mail', 'email'],
  ['mail.proton.me', 'Proton Mail', 'email'],
  ['fastmail.com', 'Fastmail', 'email'],
  ['google.*', 'Google', 'search'],
  ['bing.com', 'Bing', 'search'],
  ['duckduckgo.com', 'DuckDuckGo', 'search'],
  ['search.yahoo.com', 'Yahoo!', 'search'],
  ['yandex.*', 'Yandex', 'search'],
  ['baidu.com', 'Baidu', 'search'],
  ['ecosia.org', 'Ecosia', 'search'],
  ['search.brave.com', 'Brave', 'search'],
  ['startpage.com', 'Startpage', 'search'],
  ['qwant.com', 'Qwant', 'search'],
  ['kagi.com', 'Kagi', 'search'],
  ['naver.com', 'Naver', 'search'],
  ['seznam.cz', 'Seznam', 'search'],
  ['perplexity.ai', 'Perplexity', 'search'],
  ['chatgpt.com', 'ChatGPT', 'search'],
  ['facebook.com', 'Facebook', 'social'],
  ['fb.me', 'Facebook', 'social'],
  ['instagram.com', 'Instagram', 'social'],
  ['t.co', 'X (Twitter)', 'social'],
  ['twitter.com', 'X (Twitter)', 'social'],
  ['x.com', 'X (Twitter)', 'social'],
  ['linkedin.com', 'LinkedIn', 'social'],
  ['lnkd.in', 'LinkedIn', 'social'],
  ['reddit.com', 'Reddit', 'social'],
  ['youtube.com', 'YouTube', 'social'],
  ['youtu.be', 'YouTube', 'social'],
  ['pinterest.*', 'Pinterest', 'social'],
  ['tiktok.com', 'TikTok', 'social'],
  ['threads.net', 'Threads', 'social'],
  ['bsky.app', 'Bluesky', 'social'],
  ['mastodon.social', 'Mastodon', 'social'],
  ['news.ycombinator.com', 'Hacker News', 'social'],
  ['quora.com', 'Quora', 'social'],
  ['medium.com', 'Medium', 'social'],
  ['vk.com', 'VKontakte', 'social'],
  ['whatsapp.com', 'WhatsApp', 'social'],
  ['telegram.org', 'Telegram', 'social'],
  ['t.me', 'Telegram', 'social'],
  ['discord.com', 'Discord', 'social'],
];

const paidMedia = new Set(['cpc', 'ppc', 'paid', 'paidsearch', 'paid_search', 'paid-search', 'paidsocial', 'paid_social', 'paid-social', 'cpm', 'cpv', 'display', 'banner', 'ads', 'ad']);
const emailMedia = new Set(['email', 'e-mail', 'e_mail', 'newsletter', 'mail']);
const affiliateMedia = new Set(['affiliate', 'affiliates', 'partner', 'partners']);
const socialMedia = new Set(['social', 'social-network', 'social_network', 'social-media', 'sm']);
const kindChannel: Record<Kind, Channel> = { search: 'organic_search', social: 'social', email: 'email' };

export interface SourceInput {
  /** the Referer header (or the page's document.referrer) */
  referrer?: string | null;
  utmSource?: string | null;
  utmMedium?: string | null;
  utmCampaign?: string | null;
  /** `?ref=` (Plausible's convention for a source name) */
  ref?: string | null;
  /** the site's own host: a referrer from it is internal navigation, not a source */
  ownHost: string;
}

export interface Classified {
  channel: Channel;
  /** a readable source name: "Google", "Newsletter", "example.com"; "Direct / None" */
  source: string;
  campaign: string;
}

export const DIRECT = 'Direct / None';

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '').replace(/\.$/, '') || null;
  } catch {
    return null;
  }
}

function matches(host: string, pattern: string): boolean {
  if (pattern.endsWith('.*')) {
    const base = pattern.slice(0, -2);
    // google.com, google.co.uk, news.google.de; not google.evil.com.example
    return new RegExp(`(^|\\.)${base.replace(/\./g, '\\.')}\\.[a-z]{2,3}(\\.[a-z]{2})?$`).test(host);
  }
  return host === pattern || host.endsWith(`.${pattern}`);
}

/** A known referrer (or a utm_source naming one: "google", "facebook"). */
export function lookupReferrer(hostOrName: string): { name: string; kind: Kind } | null {
  const h = hostOrName.toLowerCase();
  for (const [domain, name, kind] of referrerTable) {
    if (matches(h, domain) || name.toLowerCase() === h || domain.split('.')[0] === h) return { name, kind };
  }
  return null;
}

const clean = (v: string | null | undefined, max = 100): string => (v ?? '').trim().slice(0, max);

export function classifySource(input: SourceInput): Classified {
  const medium = clean(input.utmMedium).toLowerCase();
  const utmSource = clean(input.utmSource) || clean(input.ref);
  const campaign = clean(input.utmCampaign);
  let host = hostOf(input.referrer);
  if (host && host === input.ownHost.replace(/^www\./, '')) host = null;
  const known = utmSource ? lookupReferrer(utmSource) : host ? lookupReferrer(host) : null;
  const source = known?.name ?? (utmSource || host || DIRECT);

  if (paidMedia.has(medium)) return { channel: 'paid', source, campaign };
  if (affiliateMedia.has(medium)) return { channel: 'affiliate', source, campaign };
  if (emailMedia.has(medium)) return { channel: 'email', source, campaign };
  if (socialMedia.has(medium)) return { channel: 'social', source, campaign };
  if (medium === 'organic') return { channel: 'organic_search', source, campaign };
  if (known) return { channel: kindChannel[known.kind], source, campaign };
  if (utmSource || host) return { channel: 'referral', source, campaign };
  return { channel: 'direct', source: DIRECT, campaign };
}

/**
 * A link in Onehour's own mail to this site gets UTM tags on the way through the click
 * redirect, so the visit lands in the email channel under its broadcast's name. Links that
 * carry their own utm_source, and links to other sites, are left as they are.
 */
export function tagOwnLink(url: string, publicUrl: string, campaign: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (u.origin !== new URL(publicUrl).origin || u.searchParams.has('utm_source')) return url;
  u.searchParams.set('utm_source', 'newsletter');
  u.searchParams.set('utm_medium', 'email');
  u.searchParams.set('utm_campaign', campaign.slice(0, 100));
  return u.toString();
}
