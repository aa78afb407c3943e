// Pages and the store's settings (src/modules/site/routes.ts), typed for the admin pages.
import { apiGet, apiSend, apiUploadForm, type IsoDate } from '../../api.js';

export type BlockType = 'hero' | 'richText' | 'media' | 'bullets' | 'testimonial' | 'pricing' | 'faq' | 'optin' | 'contact' | 'guarantee' | 'logos' | 'stats';

/** One block as the editor holds it: its id, its type and its fields (the server validates the shape). */
export type Block = { id: string; type: BlockType } & Record<string, unknown>;

export interface PageContent {
  title: string;
  description: string;
  ogImage?: string;
  blocks: Block[];
}

export interface SitePage {
  id: string;
  slug: string;
  kind: 'sales' | 'landing';
  productId: string | null;
  status: 'draft' | 'published';
  version: number;
  draft: PageContent;
  published: PageContent | null;
  createdAt: IsoDate;
  updatedAt: IsoDate;
  publishedAt: IsoDate | null;
  url: string;
  /** what visitors would notice: an opt-in block whose form is missing, deleted or archived */
  warnings: string[];
}

/** A form an opt-in block can embed. */
export interface FormChoice {
  id: string;
  name: string;
  title: string;
  slug: string;
  url: string;
  archived: boolean;
}

const id = (s: string) => encodeURIComponent(s);

export const siteApi = {
  pages: () => apiGet<{ pages: SitePage[] }>('/api/pages'),
  page: (pageId: string) => apiGet<SitePage>(`/api/pages/${id(pageId)}`),
  create: (body: { slug: string; kind: 'sales' | 'landing'; productId?: string | null }) => apiSend<SitePage>('POST', '/api/pages', body),
  save: (pageId: string, body: { slug?: string; draft?: PageContent }) => apiSend<SitePage>('PATCH', `/api/pages/${id(pageId)}`, body),
  publish: (pageId: string) => apiSend<SitePage>('POST', `/api/pages/${id(pageId)}/publish`),
  unpublish: (pageId: string) => apiSend<SitePage>('POST', `/api/pages/${id(pageId)}/unpublish`),
  remove: (pageId: string) => apiSend('DELETE', `/api/pages/${id(pageId)}`),
  preview: (content: PageContent, productId: string | null) => apiSend<{ html: string }>('POST', '/api/site/preview', { content, productId }),
  forms: () => apiGet<{ forms: FormChoice[] }>('/api/site/forms'),
  settings: () => apiGet<{ name: string; tagline: string }>('/api/site/settings'),
  uploadImage: (file: File) => apiUploadForm<{ url: string; name: string; contentType: string; size: number }>('POST', '/api/site/images', file),
  saveSettings: (body: { name?: string; tagline?: string }) => apiSend<{ name: string; tagline: string }>('PATCH', '/api/site/settings', body),
};
