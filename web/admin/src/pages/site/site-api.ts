// Pages and the store's settings (src/modules/site/routes.ts) as the admin pages use them;
// request and response shapes from the server's contract (src/modules/site/contract.ts), so a
// change there fails the type check here.
import { apiGet, apiSend, apiUploadForm } from '../../api.js';
import type {
  FormChoice,
  FormChoices,
  PageBlock,
  PageCreateInput,
  PageUpdateInput,
  Preview,
  PreviewInput,
  SiteSettings,
  SiteSettingsInput,
  SitePage,
  SitePages,
  UploadedImage,
} from '../../../../../src/modules/site/contract.js';

export type { FormChoice, SitePage };

export type BlockType = PageBlock['type'];

/** One block as the editor holds it: its id, its type and its fields (the server validates the shape). */
export type Block = { id: string; type: BlockType } & Record<string, unknown>;

/** A page's content as the editor holds it: a page's draft, with blocks loosely typed while they are edited. */
export type PageContent = Omit<SitePage['draft'], 'blocks'> & { blocks: Block[] };

const id = (s: string) => encodeURIComponent(s);

export const siteApi = {
  pages: () => apiGet<SitePages>('/api/pages'),
  page: (pageId: string) => apiGet<SitePage>(`/api/pages/${id(pageId)}`),
  create: (body: PageCreateInput) => apiSend<SitePage>('POST', '/api/pages', body),
  /** the route takes any draft and the service checks it against the blocks' schema; the editor sends its PageContent */
  save: (pageId: string, body: PageUpdateInput & { draft?: PageContent }) => apiSend<SitePage>('PATCH', `/api/pages/${id(pageId)}`, body),
  publish: (pageId: string) => apiSend<SitePage>('POST', `/api/pages/${id(pageId)}/publish`),
  unpublish: (pageId: string) => apiSend<SitePage>('POST', `/api/pages/${id(pageId)}/unpublish`),
  remove: (pageId: string) => apiSend('DELETE', `/api/pages/${id(pageId)}`),
  preview: (content: PageContent, productId: string | null) => apiSend<Preview>('POST', '/api/site/preview', { content, productId } satisfies PreviewInput),
  forms: () => apiGet<FormChoices>('/api/site/forms'),
  settings: () => apiGet<SiteSettings>('/api/site/settings'),
  uploadImage: (file: File) => apiUploadForm<UploadedImage>('POST', '/api/site/images', file),
  saveSettings: (body: SiteSettingsInput) => apiSend<SiteSettings>('PATCH', '/api/site/settings', body),
};
