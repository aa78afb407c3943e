// The blog's machine-readable faces, as text: sitemaps (sitemaps.org 0.9: an index and one
// urlset per type, each with lastmod), RSS 2.0 and Atom 1.0 feeds, robots.txt and the social
// card (SVG: no image renderer is a dependency). Pure functions; the blog pages cache them.

const xmlEscape = (s: string) =>
  s
    // Characters XML 1.0 forbids (control characters other than tab and line breaks).
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** sitemaps.org lastmod: W3C datetime; a UTC second is precise and valid. */
const w3c = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface SitemapUrl {
  loc: string;
  lastmod?: Date;
}

/** At most 50 000 URLs per urlset (sitemaps.org); a blog this size would split by year. */
export function urlset(urls: SitemapUrl[]): string {
  const body = urls
    .slice(0, 50_000)
    .map((u) => `<url><loc>${xmlEscape(u.loc)}</loc>${u.lastmod ? `<lastmod>${w3c(u.lastmod)}</lastmod>` : ''}</url>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n</urlset>\n`;
}

export function sitemapIndex(maps: SitemapUrl[]): string {
  const body = maps.map((m) => `<sitemap><loc>${xmlEscape(m.loc)}</loc>${m.lastmod ? `<lastmod>${w3c(m.lastmod)}</lastmod>` : ''}</sitemap>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n</sitemapindex>\n`;
}

export interface FeedEntry {
  id: string;
  title: string;
  url: string;
  summary: string;
  /** sanitised HTML; absent for members-only posts (the feed carries the teaser only) */
  html?: string;
  author: string;
  tags: string[];
  published: Date;
  updated: Date;
}

export interface FeedInfo {
  title: string;
  description: string;
  /** the HTML page this feed mirrors */
  link: string;
  /** this feed's own address */
  self: string;
  updated: Date;
}

export function rss(info: FeedInfo, entries: FeedEntry[]): string {
  const items = entries
    .map(
      (e) =>
        `<item><title>${xmlEscape(e.title)}</title><link>${xmlEscape(e.url)}</link><guid isPermaLink="false">${xmlEscape(`urn:uuid:${e.id}`)}</guid><pubDate>${e.published.toUTCString()}</pubDate>` +
        `<dc:creator>${xmlEscape(e.author)}</dc:creator>${e.tags.map((t) => `<category>${xmlEscape(t)}</category>`).join('')}<description>${xmlEscape(e.summary)}</description>` +
        (e.html ? `<content:encoded>${xmlEscape(e.html)}</content:encoded>` : '') +
        '</item>',
    )
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>` +
    `<title>${xmlEscape(info.title)}</title><link>${xmlEscape(info.link)}</link><description>${xmlEscape(info.description || info.title)}</description>` +
    `<atom:link href="${xmlEscape(info.self)}" rel="self" type="application/rss+xml"/><lastBuildDate>${info.updated.toUTCString()}</lastBuildDate>\n${items}\n</channel>\n</rss>\n`
  );
}

export function atom(info: FeedInfo, entries: FeedEntry[]): string {
  const items = entries
    .map(
      (e) =>
        `<entry><title>${xmlEscape(e.title)}</title><link rel="alternate" type="text/html" href="${xmlEscape(e.url)}"/><id>urn:uuid:${xmlEscape(e.id)}</id>` +
        `<published>${w3c(e.published)}</published><updated>${w3c(e.updated)}</updated><author><name>${xmlEscape(e.author)}</name></author>` +
        `${e.tags.map((t) => `<category term="${xmlEscape(t)}"/>`).join('')}<summary>${xmlEscape(e.summary)}</summary>` +
        (e.html ? `<content type="html">${xmlEscape(e.html)}</content>` : '') +
        '</entry>',
    )
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<title>${xmlEscape(info.title)}</title>` +
    (info.description ? `<subtitle>${xmlEscape(info.description)}</subtitle>` : '') +
    `<link rel="alternate" type="text/html" href="${xmlEscape(info.link)}"/><link rel="self" type="application/atom+xml" href="${xmlEscape(info.self)}"/>` +
    `<id>${xmlEscape(info.self)}</id><updated>${w3c(info.updated)}</updated>\n${items}\n</feed>\n`
  );
}

export function robotsTxt(publicUrl: string, opts: { disallow: string[]; blockAll: boolean }): string {
  const lines = ['User-agent: *'];
  if (opts.blockAll) lines.push('Disallow: /');
  else for (const p of ['/admin', '/api/', '/account', '/checkout/', ...opts.disallow]) lines.push(`Disallow: ${p}`);
  lines.push('', `Sitemap: ${publicUrl}/sitemap.xml`, '');
  return lines.join('\n');
}

/** The social card when a post has no image of its own: its title on the brand's colour, 1200×630. */
export function socialCardSvg(title: string, brandName: string, color: string): string {
  const words = title.split(/\s+/);
  const lines: string[] = [];
  for (const w of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && (last + ' ' + w).length <= 26) lines[lines.length - 1] = `${last} ${w}`;
    else lines.push(w);
  }
  const shown = lines.slice(0, 4);
  if (lines.length > 4) shown[3] = `${shown[3]!.slice(0, 24)}…`;
  const safeColor = /^#[0-9a-f]{6}$/i.test(color) ? color : '#1f2328';
  const tspans = shown.map((l, i) => `<tspan x="80" dy="${i === 0 ? 0 : 84}">${xmlEscape(l)}</tspan>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">` +
    `<rect width="1200" height="630" fill="${safeColor}"/><rect x="40" y="40" width="1120" height="550" rx="24" fill="#ffffff" fill-opacity="0.08"/>` +
    `<text x="80" y="${260 - (shown.length - 1) * 30}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="68" font-weight="700" fill="#ffffff">${tspans}</text>` +
    `<text x="80" y="550" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="34" fill="#ffffff" fill-opacity="0.85">${xmlEscape(brandName)}</text></svg>`
  );
}
