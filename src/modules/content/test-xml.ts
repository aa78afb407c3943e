// For tests: parses XML into a small tree with htmlparser2 (a dependency) in XML mode, failing
// on what a well-formedness check must refuse: tags closed implicitly (unbalanced), text or a
// second element outside the root, raw `&` that is not an entity, control characters. Then
// the sitemaps.org, RSS 2.0 and Atom 1.0 rules the blog's documents must follow are checked
// against the tree: required elements and their cardinality, namespaces and prefixes, date
// formats (W3C datetime for sitemaps, RFC 822 for RSS, RFC 3339 for Atom), absolute URLs and IRIs.
// A urlset is also validated against sitemaps.org's XML Schema by libxml2 (xmllint-wasm), with
// the sitemap.xsd the `sitemap` package ships; RSS 2.0 has no official schema, and no maintained
// package ships the sitemap index's or Atom's (see docs/blog.md).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Parser } from 'htmlparser2';
import { validateXML } from 'xmllint-wasm';

const require = createRequire(import.meta.url);
/** sitemaps.org's schema for a urlset, from the `sitemap` package (its main file is dist/cjs/index.js). */
const SITEMAP_XSD = fs.readFileSync(path.join(path.dirname(require.resolve('sitemap')), '../../schema/sitemap.xsd'), 'utf8');

/** libxml2's verdict on a urlset against sitemaps.org's XML Schema: the errors, none when valid. */
export async function sitemapSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'sitemap.xml', contents: xml }], schema: [{ fileName: 'sitemap.xsd', contents: SITEMAP_XSD }] });
  return result.valid ? [] : result.errors.map((e) => e.message);
}

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

export function parseXml(xml: string): XmlNode {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>'), 'an XML declaration with UTF-8');
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no control characters');
  assert.doesNotMatch(xml, /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i, 'every & is an entity');
  const roots: XmlNode[] = [];
  const stack: XmlNode[] = [];
  const problems: string[] = [];
  const source = xml.replace(/^<\?xml[^>]*\?>/, '');
  // eslint-disable-next-line prefer-const
  let parser: Parser;
  parser = new Parser(
    {
      onopentag(name, attrs) {
        const node: XmlNode = { name, attrs, children: [], text: '' };
        if (stack.length) stack[stack.length - 1]!.children.push(node);
        else roots.push(node);
        stack.push(node);
      },
      ontext(text) {
        if (stack.length) stack[stack.length - 1]!.text += text;
        else if (text.trim()) problems.push(`text outside the root: ${text.trim().slice(0, 40)}`);
      },
      onclosetag(name, implied) {
        // A self-closing tag (<link/>) is reported as implied too: its source ends in "/>".
        const selfClosing = source[parser.endIndex] === '>' && source[parser.endIndex - 1] === '/';
        if (implied && !selfClosing) problems.push(`<${name}> is not closed`);
        stack.pop();
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(source);
  parser.end();
  assert.deepEqual(problems, [], 'well-formed');
  assert.equal(roots.length, 1, 'one root element');
  return roots[0]!;
}

export const child = (n: XmlNode, name: string) => n.children.find((c) => c.name === name);
export const children = (n: XmlNode, name: string) => n.children.filter((c) => c.name === name);
const absolute = (u: string) => /^https?:\/\/[^\s]+$/.test(u) && u.length < 2048;
const w3cDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const iri = /^[a-z][a-z0-9+.-]*:\S+$/i;
const rfc822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** sitemaps.org 0.9: a urlset (or a sitemapindex) of at most 50 000 absolute locs with W3C lastmods. */
export function checkSitemap(xml: string, kind: 'urlset' | 'sitemapindex'): string[] {
  assert.ok(Buffer.byteLength(xml) <= 50 * 1024 * 1024, 'at most 50 MB');
  const root = parseXml(xml);
  assert.equal(root.name, kind);
  assert.equal(root.attrs.xmlns, 'http://www.sitemaps.org/schemas/sitemap/0.9');
  const item = kind === 'urlset' ? 'url' : 'sitemap';
  assert.ok(root.children.every((c) => c.name === item), `only <${item}> children`);
  assert.ok(root.children.length <= 50_000);
  const locs: string[] = [];
  for (const u of root.children) {
    const loc = child(u, 'loc')?.text.trim() ?? '';
    assert.ok(absolute(loc), `loc is an absolute URL: ${loc}`);
    const lastmod = child(u, 'lastmod');
    if (lastmod) assert.match(lastmod.text, w3cDate, 'lastmod is a W3C datetime');
    const allowed = kind === 'urlset' ? ['loc', 'lastmod', 'changefreq', 'priority'] : ['loc', 'lastmod'];
    assert.ok(u.children.every((c) => allowed.includes(c.name)), `<${item}> holds only ${allowed.join(', ')}`);
    for (const name of allowed) assert.ok(children(u, name).length <= 1, `one <${name}> at most`);
    const changefreq = child(u, 'changefreq');
    if (changefreq) assert.ok(['always', 'hourly', 'daily', 'weekly', 'monthly', 'yearly', 'never'].includes(changefreq.text), 'changefreq is one of the protocol values');
    const priority = child(u, 'priority');
    if (priority) assert.ok(/^(0(\.\d)?|1(\.0)?)$/.test(priority.text), 'priority from 0.0 to 1.0');
    locs.push(loc);
  }
  assert.equal(new Set(locs).size, locs.length, 'no loc twice');
  return locs;
}

/** RSS 2.0: a channel with title, link and description; items with a title or description, RFC 822 dates, a guid. */
export function checkRss(xml: string): XmlNode[] {
  const root = parseXml(xml);
  assert.equal(root.name, 'rss');
  assert.equal(root.attrs.version, '2.0');
  checkPrefixes(root, { atom: 'http://www.w3.org/2005/Atom', content: 'http://purl.org/rss/1.0/modules/content/', dc: 'http://purl.org/dc/elements/1.1/' });
  assert.equal(children(root, 'channel').length, 1, 'exactly one channel');
  const channel = child(root, 'channel');
  assert.ok(channel, 'a channel');
  const built = child(channel, 'lastBuildDate');
  if (built) assert.match(built.text, rfc822, 'lastBuildDate is an RFC 822 date');
  for (const required of ['title', 'link', 'description']) assert.ok(child(channel, required)?.text.trim(), `channel ${required}`);
  assert.ok(absolute(child(channel, 'link')!.text));
  const self = child(channel, 'atom:link');
  assert.equal(self?.attrs.rel, 'self');
  const items = children(channel, 'item');
  for (const i of items) {
    assert.ok(child(i, 'title')?.text || child(i, 'description')?.text, 'an item has a title or a description');
    assert.ok(absolute(child(i, 'link')!.text));
    assert.match(child(i, 'pubDate')!.text, rfc822);
    const guid = child(i, 'guid');
    assert.ok(guid?.text);
    // A guid is a permalink unless it says otherwise: then it must be an absolute URL.
    if (guid.attrs.isPermaLink !== 'false') assert.ok(absolute(guid.text), 'a permalink guid is an absolute URL');
    for (const c of children(i, 'category')) assert.ok(c.text.trim(), 'a category has text');
  }
  return items;
}

/** Atom 1.0 (RFC 4287): feed id, title, updated, self link; entries with id, title, updated, an alternate link, an author. */
export function checkAtom(xml: string): XmlNode[] {
  const root = parseXml(xml);
  assert.equal(root.name, 'feed');
  assert.equal(root.attrs.xmlns, 'http://www.w3.org/2005/Atom');
  checkPrefixes(root, {});
  for (const required of ['id', 'title', 'updated']) assert.ok(child(root, required)?.text.trim(), `feed ${required}`);
  for (const once of ['id', 'title', 'updated', 'subtitle', 'icon', 'logo', 'rights', 'generator']) assert.ok(children(root, once).length <= 1, `feed has one <${once}> at most`);
  assert.match(child(root, 'id')!.text, iri, 'feed id is an absolute IRI');
  const alternates = (n: XmlNode) => children(n, 'link').filter((l) => (l.attrs.rel ?? 'alternate') === 'alternate').map((l) => `${l.attrs.type ?? ''}|${l.attrs.hreflang ?? ''}`);
  assert.equal(new Set(alternates(root)).size, alternates(root).length, 'one alternate link per type and language');
  assert.match(child(root, 'updated')!.text, rfc3339);
  assert.ok(children(root, 'link').some((l) => l.attrs.rel === 'self' && absolute(l.attrs.href ?? '')));
  const entries = children(root, 'entry');
  for (const e of entries) {
    for (const required of ['id', 'title', 'updated']) assert.ok(child(e, required)?.text.trim(), `entry ${required}`);
    assert.match(child(e, 'updated')!.text, rfc3339);
    const published = child(e, 'published');
    if (published) assert.match(published.text, rfc3339, 'published is an RFC 3339 date');
    assert.match(child(e, 'id')!.text, iri, 'entry id is an absolute IRI');
    for (const once of ['id', 'title', 'updated', 'published', 'summary', 'content']) assert.ok(children(e, once).length <= 1, `entry has one <${once}> at most`);
    // An entry without its own author takes the feed's: one of the two must name someone.
    const author = child(e, 'author') ?? child(root, 'author');
    assert.ok(author && child(author, 'name')?.text, 'entry author name');
    const content = child(e, 'content');
    if (content) assert.ok(['text', 'html', 'xhtml', undefined].includes(content.attrs.type) || content.attrs.src, 'content type text, html or xhtml (or out of line)');
    if (content?.attrs.src || (content && !['text', 'html', 'xhtml', undefined].includes(content.attrs.type))) assert.ok(child(e, 'summary'), 'out-of-line content needs a summary');
    assert.equal(new Set(alternates(e)).size, alternates(e).length, 'one alternate link per type and language');
    assert.ok(children(e, 'link').some((l) => l.attrs.rel === 'alternate' && absolute(l.attrs.href ?? '')));
  }
  return entries;
}

/** Every prefixed element and attribute uses a prefix the root declares, bound to the namespace expected. */
function checkPrefixes(root: XmlNode, expected: Record<string, string>): void {
  for (const [prefix, ns] of Object.entries(expected)) {
    if (root.attrs[`xmlns:${prefix}`] !== undefined) assert.equal(root.attrs[`xmlns:${prefix}`], ns, `xmlns:${prefix} is ${ns}`);
  }
  const walk = (n: XmlNode) => {
    for (const name of [n.name, ...Object.keys(n.attrs).filter((a) => !a.startsWith('xmlns'))]) {
      const prefix = name.includes(':') ? name.split(':')[0]! : null;
      if (prefix && prefix !== 'xml') assert.ok(root.attrs[`xmlns:${prefix}`], `the prefix ${prefix}: (in <${n.name}>) is declared`);
    }
    n.children.forEach(walk);
  };
  walk(root);
}

/** The JSON-LD blocks of a page, parsed. */
export function jsonLdOf(html: string): Record<string, unknown>[] {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
}
