// For tests: the blog's documents checked by maintained validators, beside our own rules in
// test-xml.ts.
// - Sitemap index: libxml2 (xmllint-wasm) against schemas/siteindex.xsd, written from the
//   sitemaps.org protocol because no maintained package ships sitemaps.org's siteindex.xsd.
// - RSS 2.0 and Atom 1.0: read back by a real feed reader's parser (`@rowanmanning/feed-parser`);
//   neither format has a schema a maintained package ships.
// - JSON-LD: expanded by the W3C JSON-LD processor (`jsonld`, safe mode: anything it would drop
//   or cannot read is an error) and checked against Google's rich-result requirements by
//   `@adobe/structured-data-validator` (Product, Offer, BreadcrumbList, Organization, Person…);
//   the types it has no rules for (BlogPosting, Course) get the required properties Google
//   documents for them, listed below.
// The two npm packages are dev dependencies the blog asks for (docs/blog.md); they are loaded by
// name at run time so the rest of the suite type-checks and runs before they are installed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

const here = path.dirname(fileURLToPath(import.meta.url));
const SITEINDEX_XSD = fs.readFileSync(path.join(here, 'schemas/siteindex.xsd'), 'utf8');

/** The versions the tests were written against (docs/blog.md). */
export const VALIDATOR_PACKAGES = { jsonld: '9.0.0', '@rowanmanning/feed-parser': '2.1.5', '@adobe/structured-data-validator': '1.7.1' } as const;

async function devPackage(name: keyof typeof VALIDATOR_PACKAGES): Promise<Record<string, unknown>> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${name} is not installed: npm install --save-dev --save-exact ${name}@${VALIDATOR_PACKAGES[name]} (${(e as Error).message})`);
  }
}

/** libxml2's verdict on a sitemap index against the protocol's schema: the errors, none when valid. */
export async function sitemapIndexSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'sitemap.xml', contents: xml }], schema: [{ fileName: 'siteindex.xsd', contents: SITEINDEX_XSD }] });
  return result.valid ? [] : result.errors.map((e) => e.message);
}

export interface ReadFeed {
  format: string;
  title: string | null;
  url: string | null;
  self: string | null;
  items: { id: string | null; title: string | null; url: string | null; published: Date | null; updated: Date | null; content: string | null; description: string | null; authors: string[]; categories: string[] }[];
}

/** What a feed reader makes of a feed (RSS or Atom): throws when it cannot read it as either. */
export async function readFeed(xml: string): Promise<ReadFeed> {
  const { parseFeed } = (await devPackage('@rowanmanning/feed-parser')) as { parseFeed(xml: string): any };
  const feed = parseFeed(xml);
  return {
    format: `${feed.meta.type} ${feed.meta.version}`,
    title: feed.title,
    url: feed.url,
    self: feed.self,
    items: feed.items.map((i: any) => ({
      id: i.id,
      title: i.title,
      url: i.url,
      published: i.published,
      updated: i.updated,
      content: i.content,
      description: i.description,
      authors: i.authors.map((a: { name: string | null }) => a.name ?? ''),
      categories: i.categories.map((c: { term: string | null; label: string | null }) => c.label ?? c.term ?? ''),
    })),
  };
}

/**
 * Required properties per type, for the types the rich-result validator has no rules for:
 * Google's Article (BlogPosting) and Course documentation, and what our pages promise.
 */
const REQUIRED: Record<string, string[]> = {
  BlogPosting: ['headline', 'datePublished', 'dateModified', 'author', 'image', 'mainEntityOfPage'],
  Course: ['name', 'description', 'provider'],
  Organization: ['name', 'url'],
};

/** A schema.org context for offline expansion: schema.org's own maps every term into its vocabulary. */
const schemaOrgContext = { '@context': { '@vocab': 'https://schema.org/' } };
const documentLoader = async (url: string) => {
  if (/^https?:\/\/schema\.org\/?$/.test(url)) return { contextUrl: null, documentUrl: url, document: schemaOrgContext };
  throw new Error(`no remote context in tests: ${url}`);
};

/** Every problem found in a page's JSON-LD blocks: none when it is valid. */
export async function jsonLdProblems(blocks: Record<string, unknown>[]): Promise<string[]> {
  const jsonldModule = await devPackage('jsonld');
  const jsonld = (jsonldModule.default ?? jsonldModule) as { expand(doc: unknown, opts: unknown): Promise<unknown[]> };
  const Validator = (await devPackage('@adobe/structured-data-validator')).default as new () => { validate(data: unknown): Promise<{ severity: string; issueMessage: string; rootType: string }[]> };
  const problems: string[] = [];
  const byType: Record<string, Record<string, unknown>[]> = {};
  for (const block of blocks) {
    try {
      const expanded = await jsonld.expand(block, { documentLoader, safe: true });
      if (expanded.length === 0) problems.push('the block expands to nothing');
    } catch (e) {
      const err = e as Error & { details?: { event?: { code?: string; details?: unknown } } };
      problems.push(`jsonld: ${err.message} ${JSON.stringify(err.details?.event ?? '')}`);
    }
    const nodes = (Array.isArray(block['@graph']) ? block['@graph'] : [block]) as Record<string, unknown>[];
    for (const node of nodes) {
      const type = String(node['@type']);
      (byType[type] ??= []).push(node);
      for (const p of REQUIRED[type] ?? []) {
        const v = node[p];
        if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) problems.push(`${type}: required property "${p}" is missing`);
      }
    }
  }
  const issues = await new Validator().validate({ jsonld: byType });
  for (const i of issues) if (i.severity === 'ERROR') problems.push(`${i.rootType}: ${i.issueMessage}`);
  return problems;
}
