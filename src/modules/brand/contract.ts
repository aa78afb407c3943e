// The business settings API's shapes shared with the admin app (the Settings page): the zod
// schemas its routes validate responses with, and the types the admin uses for them (imported
// as types only, so no zod reaches the browser). Plain data: no server code may be imported here.
// What a PATCH may set is checked by the service's schema (brand.ts), which sanitises text.
import { z } from 'zod';
import type { Wire } from '../../wire.js';

/** The settings as the owner edits them, with the images' URLs and the version they are cached by. */
export const brandSettingsShape = z.object({
  name: z.string(),
  tagline: z.string(),
  color: z.string(),
  accent: z.string(),
  font: z.string(),
  theme: z.string(),
  senderName: z.string(),
  senderAddress: z.string(),
  supportEmail: z.string(),
  postalAddress: z.string(),
  timeZone: z.string(),
  currency: z.string(),
  legal: z.object({ terms: z.string(), privacy: z.string(), refunds: z.string() }),
  logoUrl: z.string().nullable(),
  faviconUrl: z.string().nullable(),
  version: z.number(),
});

/** What the settings form offers: themes, font pairings, and the image size limits in bytes. */
export const brandChoicesShape = z.object({
  themes: z.array(z.object({ id: z.string(), label: z.string() })),
  fonts: z.array(z.object({ id: z.string(), label: z.string(), heading: z.string(), body: z.string() })),
  limits: z.object({ logo: z.number(), favicon: z.number() }),
});

/** GET /api/brand */
export const brandPageShape = z.object({ settings: brandSettingsShape, choices: brandChoicesShape });

export type BrandSettings = Wire<z.output<typeof brandSettingsShape>>;
export type BrandChoices = Wire<z.output<typeof brandChoicesShape>>;
export type BrandPage = Wire<z.output<typeof brandPageShape>>;
