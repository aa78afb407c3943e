// A line diff between two revisions of a post. The `diff` package is not a dependency (see
// docs/blog.md); this is the textbook LCS over lines, enough for posts of a few thousand lines
// (it refuses to compare more than 4000 × 4000 lines rather than use the memory).
import type { PostContent } from './post-content.js';

export interface DiffLine {
  op: 'same' | 'added' | 'removed';
  text: string;
}

/** A post as lines a person compares: its fields, then its body split at block-level tags. */
export function revisionLines(c: PostContent, slug: string): string[] {
  const body = c.html
    .replace(/(<\/(?:p|h[1-6]|li|blockquote|pre|figure)>|<br\s*\/?>|<hr\s*\/?>)/g, '$1\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return [
    `Title: ${c.title}`,
    `Address: /blog/${slug}`,
    `Excerpt: ${c.excerpt}`,
    `Tags: ${c.tags.join(', ')}`,
    `Featured: ${c.featured ? 'yes' : 'no'}`,
    `Cover: ${c.cover ? `${c.cover.url} (${c.cover.alt})` : 'none'}`,
    `SEO title: ${c.seo.title}`,
    `Meta description: ${c.seo.description}`,
    `Readers: ${c.access.audience}${c.access.productIds.length ? ` (${c.access.productIds.join(', ')})` : ''}`,
    ...body,
    ...c.blocks.map((b) => `[${b.type} block] ${'heading' in b ? b.heading : ''}`),
  ];
}

export function diffLines(a: string[], b: string[]): DiffLine[] {
  if (a.length * b.length > 16_000_000) return [...a.map((text) => ({ op: 'removed' as const, text })), ...b.map((text) => ({ op: 'added' as const, text }))];
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: 'removed', text: a[i++]! });
    else out.push({ op: 'added', text: b[j++]! });
  }
  while (i < n) out.push({ op: 'removed', text: a[i++]! });
  while (j < m) out.push({ op: 'added', text: b[j++]! });
  return out;
}
