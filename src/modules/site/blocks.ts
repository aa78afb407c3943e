// The blocks a page is built from. One zod schema checks what the editor saves and types
// what the public components render; rich text is sanitised here, once, on the way in.
import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max);
const safeUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => (u.startsWith('/') && !u.startsWith('//')) || /^https:\/\//i.test(u), { message: 'must be an https:// address or a path on this site' });
const id = z.string().min(1).max(40);

export const heroBlock = z.object({
  id,
  type: z.literal('hero'),
  heading: text(200).min(1),
  subheading: text(600).default(''),
  imageUrl: safeUrl.optional(),
  ctaLabel: text(60).default(''),
});
export const richTextBlock = z.object({ id, type: z.literal('richText'), html: z.string().max(100_000).transform((h) => sanitizeRichText(h)) });
export const mediaBlock = z.object({
  id,
  type: z.literal('media'),
  kind: z.enum(['image', 'video']),
  url: safeUrl,
  alt: text(300).default(''),
  caption: text(300).default(''),
});
export const bulletsBlock = z.object({ id, type: z.literal('bullets'), heading: text(200).default(''), items: z.array(text(400).min(1)).max(30) });
export const testimonialBlock = z.object({
  id,
  type: z.literal('testimonial'),
  quote: text(2000).min(1),
  author: text(120).min(1),
  role: text(120).default(''),
  imageUrl: safeUrl.optional(),
});
export const pricingBlock = z.object({
  id,
  type: z.literal('pricing'),
  heading: text(200).default(''),
  /** empty: every active price of the page's product */
  priceIds: z.array(z.uuid()).max(12).default([]),
  ctaLabel: text(60).default(''),
});
export const faqBlock = z.object({
  id,
  type: z.literal('faq'),
  heading: text(200).default(''),
  items: z.array(z.object({ question: text(300).min(1), answer: text(3000).min(1) })).max(40),
});
/**
 * An opt-in form of the business, rendered inline (its fields, consent text, token and bot
 * trap) and posting to the form's own endpoint. Pages saved before forms could be chosen hold
 * a typed path instead (`action`: /forms/<slug> or /f/<slug>); the site service maps it to
 * the form when it reads the page (see `upgradeContent`).
 */
export const optinBlock = z.object({
  id,
  type: z.literal('optin'),
  heading: text(200).min(1),
  text: text(1000).default(''),
  /** overrides the form's own button label when set */
  buttonLabel: text(60).default(''),
  /** the form (audience) this block shows */
  formId: z.uuid({ message: 'choose one of your forms' }).optional(),
  /** legacy: a typed path to the form's page, read only until the page is saved again */
  action: safeUrl.optional(),
});
export type OptinBlock = z.output<typeof optinBlock>;

/** The form slug a legacy typed path names (/forms/<slug> or /f/<slug>), or null. */
export function legacyFormSlug(action: string | undefined): string | null {
  const m = action ? /^\/(?:forms|f)\/([a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)\/?$/i.exec(action.trim()) : null;
  return m ? m[1]!.toLowerCase() : null;
}
/**
 * A contact form: name, email, (subject,) message and a bot trap, posting to the support
 * module's public /support/contact, where it becomes a conversation in the inbox.
 */
export const contactBlock = z.object({
  id,
  type: z.literal('contact'),
  heading: text(200).min(1),
  text: text(1000).default(''),
  buttonLabel: text(60).default(''),
  askSubject: z.boolean().default(false),
});
export const guaranteeBlock = z.object({ id, type: z.literal('guarantee'), heading: text(200).default(''), text: text(2000).min(1), days: z.number().int().min(1).max(365).optional() });

/** Social proof: the names (and logos) of places the business was featured or clients it served. */
export const logosBlock = z.object({
  id,
  type: z.literal('logos'),
  heading: text(200).default(''),
  items: z.array(z.object({ name: text(80).min(1), imageUrl: safeUrl.optional() })).min(1).max(12),
});
/** Social proof in numbers: "4,200 students", "4.9 ★ average rating". */
export const statsBlock = z.object({
  id,
  type: z.literal('stats'),
  heading: text(200).default(''),
  items: z.array(z.object({ value: text(20).min(1), label: text(80).min(1) })).min(1).max(6),
});

export const blockSchema = z.discriminatedUnion('type', [heroBlock, richTextBlock, mediaBlock, bulletsBlock, testimonialBlock, pricingBlock, faqBlock, optinBlock, contactBlock, guaranteeBlock, logosBlock, statsBlock]);
export const blocksSchema = z.array(blockSchema).max(60);
export type Block = z.output<typeof blockSchema>;
export type BlockType = Block['type'];
export const blockTypes: BlockType[] = ['hero', 'richText', 'media', 'bullets', 'testimonial', 'pricing', 'faq', 'optin', 'contact', 'guarantee', 'logos', 'stats'];

export const pageContentSchema = z.object({
  title: text(200).min(1),
  description: text(400).default(''),
  ogImage: safeUrl.optional(),
  blocks: blocksSchema.default([]),
});
export type PageContent = z.output<typeof pageContentSchema>;

const richTextOptions: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'b', 'i', 'u', 's', 'a', 'ul', 'ol', 'li', 'h2', 'h3', 'h4', 'blockquote', 'code', 'pre', 'hr', 'img', 'figure', 'figcaption'],
  allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'width', 'height', 'loading'] },
  allowedSchemes: ['https', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowProtocolRelative: false,
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
    img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, loading: 'lazy' } }),
  },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
};

/** Owner-written HTML, cut down to formatting, links and images: no scripts, styles or handlers. */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, richTextOptions);
}

/** An embeddable player URL for YouTube / Vimeo links; null for a plain video file. */
export function videoEmbedUrl(url: string): string | null {
  try {
    const u = new URL(url);
    const host = u.hostname.replace(/^www\./, '');
    if (host === 'youtube.com' || host === 'm.youtube.com') {
      const v = u.searchParams.get('v') ?? (u.pathname.startsWith('/embed/') ? u.pathname.split('/')[2] : null);
      return v && /^[\w-]{6,20}$/.test(v) ? `https://www.youtube-nocookie.com/embed/${v}` : null;
    }
    if (host === 'youtu.be') {
      const v = u.pathname.slice(1);
      return /^[\w-]{6,20}$/.test(v) ? `https://www.youtube-nocookie.com/embed/${v}` : null;
    }
    if (host === 'vimeo.com') {
      const v = u.pathname.split('/').filter(Boolean)[0];
      return v && /^\d+$/.test(v) ? `https://player.vimeo.com/video/${v}` : null;
    }
  } catch {
    return null;
  }
  return null;
}
