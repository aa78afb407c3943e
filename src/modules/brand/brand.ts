// The business's identity as plain data: what the owner sets (checked here, once, with zod),
// the themes and font pairings it can choose, and the colours derived from it so that text
// on a brand-coloured button and brand-coloured links on white stay readable (WCAG AA).
// No database and no I/O: public pages, mail and certificates all read it through `PublicBrand`.
import { z } from 'zod';
import { inkOn, readableOn, tint } from './colour.js';

export { contrast, inkOn, luminance, readableOn, tint } from './colour.js';

export const themes = ['classic', 'bold', 'elegant'] as const;
export type Theme = (typeof themes)[number];
export const themeLabels: Record<Theme, string> = {
  classic: 'Classic — clean and light, rounded cards',
  bold: 'Bold — a dark hero band, big type, strong buttons',
  elegant: 'Elegant — light headings (pair with a serif font), centred hero, soft tinted sections',
};

/** Font pairings from system stacks: nothing is fetched from another site. */
export const fonts = {
  system: { label: 'System sans (fast, familiar)', heading: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', body: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
  humanist: { label: 'Humanist sans (friendly)', heading: 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, sans-serif', body: 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, sans-serif' },
  editorial: { label: 'Serif headings, sans text (editorial)', heading: 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif', body: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
  classical: { label: 'Serif throughout (classical)', heading: '"Iowan Old Style", "Palatino Linotype", "URW Palladio L", P052, Georgia, serif', body: 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif' },
} as const;
export type FontPairing = keyof typeof fonts;
export const fontPairings = Object.keys(fonts) as FontPairing[];

const NO_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const line = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\x00-\x1f\x7f]/.test(s), { message: 'must be one line of text' });
const multiline = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(max).refine((s) => !NO_CONTROL.test(s), { message: 'must be plain text' }));
const colour = z
  .string()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, { message: 'must be a colour like #1f6feb' })
  .transform((c) => c.toLowerCase());
const emailOrEmpty = z
  .string()
  .trim()
  .max(254)
  .refine((s) => s === '' || (/^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+\.[^\s@<>"(),;:]+$/.test(s)), { message: 'must be an email address like hello@example.com' });

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const TIME_ZONES = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);

/** Everything the owner sets. Every field has a default, so a new business works at once. */
export const brandSettingsSchema = z.object({
  name: line(100).pipe(z.string().min(1, { message: 'The business needs a name' })),
  tagline: line(200).default(''),
  color: colour.default('#1f6feb'),
  accent: colour.default('#f59e0b'),
  font: z.enum(fontPairings as [FontPairing, ...FontPairing[]]).default('system'),
  theme: z.enum(themes).default('classic'),
  senderName: line(100).default(''),
  senderAddress: emailOrEmpty.default(''),
  supportEmail: emailOrEmpty.default(''),
  postalAddress: multiline(500).default(''),
  timeZone: z
    .string()
    .trim()
    .refine((t) => TIME_ZONES.has(t), { message: 'must be a time zone like Europe/Berlin' })
    .default('UTC'),
  currency: z
    .string()
    .trim()
    .transform((c) => c.toUpperCase())
    .refine((c) => CURRENCIES.has(c), { message: 'must be a currency code like EUR' })
    .default('USD'),
  legal: z
    .object({
      terms: multiline(50_000).default(''),
      privacy: multiline(50_000).default(''),
      refunds: multiline(50_000).default(''),
    })
    .default({ terms: '', privacy: '', refunds: '' }),
});
export type BrandSettings = z.infer<typeof brandSettingsSchema>;
/** What the settings form sends: any subset (legal pages too, each on its own). */
export const brandPatchSchema = brandSettingsSchema
  .omit({ legal: true })
  .partial()
  .extend({ legal: z.object({ terms: multiline(50_000), privacy: multiline(50_000), refunds: multiline(50_000) }).partial().optional() })
  .strict();
export type BrandPatch = z.infer<typeof brandPatchSchema>;

export const legalPages = {
  terms: { slug: 'terms', title: 'Terms of sale' },
  privacy: { slug: 'privacy', title: 'Privacy policy' },
  refunds: { slug: 'refunds', title: 'Refund policy' },
} as const;
export type LegalPage = keyof typeof legalPages;

export function defaultBrand(name = 'Your business'): BrandSettings {
  return brandSettingsSchema.parse({ name });
}

// ---- what public pages, mail and certificates read -------------------------------------------

export interface PublicBrand {
  name: string;
  tagline: string;
  color: string;
  accent: string;
  theme: Theme;
  font: FontPairing;
  /** path of the uploaded logo (versioned), or null */
  logoUrl: string | null;
  /** path of the favicon: the uploaded one, or the generated default */
  faviconUrl: string;
  supportEmail: string;
  postalAddress: string;
  timeZone: string;
  currency: string;
  /** the legal pages that have text: their paths and titles, for footers */
  legalLinks: { href: string; title: string }[];
  /** `"Sender Name" <address>` when a sender address is set, else null (the mail default stays) */
  from: string | null;
  /** changes with every change: cache keys */
  version: number;
}

export function toPublicBrand(s: BrandSettings, images: { logo: string | null; favicon: string | null }, version: number): PublicBrand {
  const senderName = (s.senderName || s.name).replace(/["\\]/g, '');
  return {
    name: s.name,
    tagline: s.tagline,
    color: s.color,
    accent: s.accent,
    theme: s.theme,
    font: s.font,
    logoUrl: images.logo ? `/brand/logo?v=${images.logo}` : null,
    faviconUrl: images.favicon ? `/brand/favicon?v=${images.favicon}` : `/brand/favicon.svg?v=${version}`,
    supportEmail: s.supportEmail,
    postalAddress: s.postalAddress,
    timeZone: s.timeZone,
    currency: s.currency,
    legalLinks: (Object.keys(legalPages) as LegalPage[]).filter((k) => s.legal[k]).map((k) => ({ href: `/legal/${legalPages[k].slug}`, title: legalPages[k].title })),
    from: s.senderAddress ? `"${senderName}" <${s.senderAddress}>` : null,
    version,
  };
}

/** The CSS custom properties a theme reads (public.css), derived from the brand. */
export function brandCss(b: Pick<PublicBrand, 'color' | 'accent' | 'font'>): string {
  const f = fonts[b.font];
  const vars = {
    '--brand': b.color,
    '--accent': readableOn(b.color),
    '--accent-fg': inkOn(b.color),
    '--button': b.color,
    '--highlight': b.accent,
    '--highlight-fg': inkOn(b.accent),
    '--tint': tint(b.color),
    '--font-heading': f.heading,
    '--font-body': f.body,
  };
  return `:root{${Object.entries(vars)
    .map(([k, v]) => `${k}:${v}`)
    .join(';')}}`;
}

/** The generated favicon: the business's initial on its colour. Safe: built from checked data. */
export function defaultFaviconSvg(b: Pick<PublicBrand, 'name' | 'color'>): string {
  const initial = (b.name.trim().match(/[\p{L}\p{N}]/u)?.[0] ?? '•').toUpperCase().replace(/[&<>"']/g, '');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="${b.color}"/><text x="32" y="44" text-anchor="middle" font-family="system-ui,sans-serif" font-size="36" font-weight="700" fill="${inkOn(b.color)}">${initial}</text></svg>`;
}
