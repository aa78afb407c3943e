// What a post is made of, checked once on the way in: the zod schema of a draft, the blocks a
// post may embed, the sanitiser for its rich text, the reading time and the SEO checklist.
// Plain data and pure functions: the admin's editor and the public pages read the same types.
import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max).refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL bytes' });
export const safeUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => (u.startsWith('/') && !u.startsWith('//')) || /^https:\/\//i.test(u), { message: 'must be an https:// address or a path on this site' });
const id = z.string().min(1).max(40);

/** The audience module's opt-in form, shown inline (its own endpoint, token and bot trap). */
const optinBlock = z.object({ id, type: z.literal('optin'), heading: text(200).min(1), text: text(1000).default(''), formId: z.uuid({ message: 'choose one of your forms' }), buttonLabel: text(60).default('') });
/** A product of the catalog with its price and the link that buys it. */
const productBlock = z.object({ id, type: z.literal('product'), productId: z.uuid({ message: 'choose a product' }), priceId: z.uuid().optional(), heading: text(200).default('') });
/** A lead magnet (a form whose confirmation delivers a file): "Get the free checklist". */
const leadMagnetBlock = z.object({ id, type: z.literal('leadMagnet'), formId: z.uuid({ message: 'choose the form that delivers it' }), heading: text(200).min(1), text: text(1000).default(''), imageUrl: safeUrl.optional(), buttonLabel: text(60).default('') });
/** A call to action: a line and a button to anywhere on the site (or https). */
const ctaBlock = z.object({ id, type: z.literal('cta'), heading: text(200).min(1), text: text(1000).default(''), label: text(60).min(1), url: safeUrl });

export const postBlockSchema = z.discriminatedUnion('type', [optinBlock, productBlock, leadMagnetBlock, ctaBlock]);
export type PostBlock = z.output<typeof postBlockSchema>;
export const postBlockTypes = ['optin', 'product', 'leadMagnet', 'cta'] as const;

export const postContentSchema = z.object({
  title: text(200).min(1, { message: 'A post needs a title' }),
  excerpt: text(600).default(''),
  /** rich text from the editor, sanitised here */
  html: z.string().max(500_000).default('').transform((h) => sanitizePostHtml(h)),
  /** shown after the body (a content upgrade, the product it leads to) */
  blocks: z.array(postBlockSchema).max(20).default([]),
  cover: z.object({ url: safeUrl, alt: text(300).default(''), width: z.number().int().min(1).max(10_000).default(1200), height: z.number().int().min(1).max(10_000).default(630) }).nullable().default(null),
  tags: z.array(text(40).min(1).transform((t) => t.toLowerCase())).max(12).default([]).transform((t) => [...new Set(t)]),
  featured: z.boolean().default(false),
  authorId: z.uuid().nullable().default(null),
  seo: z
    .object({
      /** the <title>; the post's title when empty */
      title: text(120).default(''),
      description: text(320).default(''),
      /** another page this one copies (empty: this page is canonical) */
      canonicalUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(2000)]).default(''),
      /** the social image; a generated card when empty */
      ogImage: z.union([z.literal(''), safeUrl]).default(''),
    })
    .default({ title: '', description: '', canonicalUrl: '', ogImage: '' }),
  /** who may read the whole post: everyone, any customer, or customers of these products */
  access: z
    .object({ audience: z.enum(['everyone', 'customers', 'products']).default('everyone'), productIds: z.array(z.uuid()).max(20).default([]) })
    .default({ audience: 'everyone', productIds: [] })
    .refine((a) => a.audience !== 'products' || a.productIds.length > 0, { message: 'choose at least one product', path: ['productIds'] }),
  /** what everyone else reads of a members-only post (the excerpt when empty) */
  teaser: text(2000).default(''),
});
export type PostContent = z.output<typeof postContentSchema>;
export type PostContentInput = z.input<typeof postContentSchema>;

const postHtmlOptions: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'u', 's', 'a', 'ul', 'ol', 'li', 'h2', 'h3', 'h4', 'blockquote', 'code', 'pre', 'hr', 'img', 'figure', 'figcaption'],
  allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'width', 'height', 'loading'] },
  allowedSchemes: ['https', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowProtocolRelative: false,
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  transformTags: {
    // Links inside the site pass authority (internal linking is SEO); links out do not.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, ...(isInternal(attribs.href ?? '') ? {} : { rel: 'nofollow noopener' }) } }),
    img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, loading: 'lazy', decoding: 'async' } }),
  },
};
postHtmlOptions.allowedAttributes = { ...(postHtmlOptions.allowedAttributes as object), img: ['src', 'alt', 'width', 'height', 'loading', 'decoding'] };

const isInternal = (href: string) => href.startsWith('/') && !href.startsWith('//');

/** Writer HTML cut down to formatting, headings, links and images: no scripts, styles or handlers. */
export function sanitizePostHtml(html: string): string {
  return sanitizeHtml(html.replace(/\u0000/g, ''), postHtmlOptions);
}

/** The words of some HTML, tags and entities aside. */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Minutes to read at 230 words a minute (adult silent reading, non-fiction), at least 1. */
export function readingMinutes(html: string): number {
  const words = plainText(html).split(' ').filter(Boolean).length;
  return Math.max(1, Math.round(words / 230));
}

export interface SeoCheck {
  id: 'title' | 'description' | 'headings' | 'alt' | 'internalLinks' | 'brokenLinks' | 'slug' | 'length';
  ok: boolean;
  /** what to do, in the writer's words */
  message: string;
}

/**
 * The checklist a specialist would run on a post. `knownPath` says whether an internal link
 * leads somewhere that answers (a published post, page, product, form, …).
 */
export function seoChecklist(c: PostContent, slug: string, knownPath: (path: string) => boolean): SeoCheck[] {
  const title = c.seo.title || c.title;
  const description = c.seo.description || c.excerpt;
  const words = plainText(c.html).split(' ').filter(Boolean).length;
  const headings = [...c.html.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
  const images = [...c.html.matchAll(/<img\b[^>]*>/g)].map((m) => m[0]);
  const missingAlt = images.filter((i) => !/\balt="[^"]+"/.test(i)).length + (c.cover && !c.cover.alt ? 1 : 0);
  const links = [...c.html.matchAll(/<a\b[^>]*href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  const internal = links.filter(isInternal);
  const broken = [...new Set(internal.map((l) => l.split(/[?#]/)[0]!).filter((p) => !knownPath(p)))];
  const skipped = headings.some((h, i) => h > (i === 0 ? 2 : headings[i - 1]! + 1));
  return [
    { id: 'title', ok: title.length >= 20 && title.length <= 60, message: title.length < 20 ? `The title tag has ${title.length} characters: aim for 20–60 so it says enough in search results.` : title.length > 60 ? `The title tag has ${title.length} characters: search results cut it after about 60.` : `Title tag: ${title.length} characters.` },
    { id: 'description', ok: description.length >= 70 && description.length <= 160, message: !description ? 'Write a meta description (or an excerpt): search results show it under the title.' : description.length < 70 ? `The description has ${description.length} characters: aim for 70–160.` : description.length > 160 ? `The description has ${description.length} characters: search results cut it after about 160.` : `Description: ${description.length} characters.` },
    { id: 'headings', ok: headings.length > 0 && !headings.includes(1) && !skipped, message: headings.includes(1) ? 'The post title is the page’s only H1: use H2 and H3 inside the post.' : headings.length === 0 ? (words > 300 ? 'Break the post up with H2 subheadings.' : 'Add an H2 subheading or two.') : skipped ? 'A heading level is skipped (e.g. H2 then H4).' : `${headings.length} subheadings, in order.` },
    { id: 'alt', ok: missingAlt === 0, message: missingAlt ? `${missingAlt} image${missingAlt > 1 ? 's have' : ' has'} no alt text: describe ${missingAlt > 1 ? 'them' : 'it'} for screen readers and image search.` : 'Every image has alt text.' },
    { id: 'internalLinks', ok: internal.length > 0, message: internal.length ? `${internal.length} link${internal.length > 1 ? 's' : ''} to your own pages.` : 'Link to at least one of your own posts, pages or products.' },
    { id: 'brokenLinks', ok: broken.length === 0, message: broken.length ? `Links to pages that do not exist: ${broken.join(', ')}` : 'No broken internal links.' },
    { id: 'slug', ok: slug.length <= 60 && slug.split('-').length <= 8, message: slug.length > 60 || slug.split('-').length > 8 ? 'Shorten the address to the few words people search for.' : 'Short, readable address.' },
    { id: 'length', ok: words >= 300, message: words >= 300 ? `${words} words.` : `${words} words: posts under 300 words rarely rank.` },
  ];
}
