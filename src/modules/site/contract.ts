// The page editor's API shapes: the request and response schemas the site routes validate with
// (routes.ts, image-routes.ts), and the types the admin's Pages screen uses for them (types only
// reach the browser: src/wire.ts). Plain data: no server code here. A page's content is
// checked by blocks.ts's schema in the service (it sanitises rich text, so it stays there);
// here it is only its type.
import { z } from 'zod';
import type { Wire } from '../../wire.js';
import type { Block, PageContent } from './blocks.js';

export const pageKinds = ['sales', 'landing'] as const;
export const pageStatuses = ['draft', 'published'] as const;

const slug = z.string().trim().toLowerCase().max(80);

export const pageShape = z.object({
  id: z.string(),
  slug: z.string(),
  kind: z.enum(pageKinds),
  productId: z.string().nullable(),
  status: z.enum(pageStatuses),
  version: z.number(),
  /** as the service read it (blocks.ts's PageContent): not parsed again on the way out */
  draft: z.custom<PageContent>(),
  published: z.custom<PageContent>().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  publishedAt: z.date().nullable(),
  url: z.string(),
  /** what visitors would notice: an opt-in block whose form is deleted or archived */
  warnings: z.array(z.string()),
});
export const pagesShape = z.object({ pages: z.array(pageShape) });

/** The content is any JSON here: the service parses it with blocks.ts's schema (a 400 names the field). */
export const pageCreateBody = z.object({ slug, kind: z.enum(pageKinds), productId: z.uuid().nullable().optional(), content: z.unknown().optional() });
export const pageUpdateBody = z.object({ slug: slug.optional(), draft: z.unknown().optional() });
export const previewBody = z.object({ content: z.unknown(), productId: z.uuid().nullable().optional() });
export const previewShape = z.object({ html: z.string() });

/** A form an opt-in block can embed (archived ones marked). */
export const formChoiceShape = z.object({ id: z.string(), name: z.string(), title: z.string(), slug: z.string(), url: z.string(), archived: z.boolean() });
export const formChoicesShape = z.object({ forms: z.array(formChoiceShape) });

export const siteSettingsShape = z.object({ name: z.string(), tagline: z.string() });
export const siteSettingsBody = z.object({ name: z.string().trim().min(1).max(100).optional(), tagline: z.string().trim().max(300).optional() });

export const imageShape = z.object({ url: z.string(), name: z.string(), contentType: z.string(), size: z.number() });

export type SitePage = Wire<z.output<typeof pageShape>>;
export type SitePages = Wire<z.output<typeof pagesShape>>;
export type PageCreateInput = z.input<typeof pageCreateBody>;
export type PageUpdateInput = z.input<typeof pageUpdateBody>;
export type PreviewInput = z.input<typeof previewBody>;
export type Preview = z.output<typeof previewShape>;
export type FormChoice = z.output<typeof formChoiceShape>;
export type FormChoices = z.output<typeof formChoicesShape>;
export type SiteSettings = z.output<typeof siteSettingsShape>;
export type SiteSettingsInput = z.input<typeof siteSettingsBody>;
export type UploadedImage = z.output<typeof imageShape>;
export type { Block as PageBlock, PageContent };
