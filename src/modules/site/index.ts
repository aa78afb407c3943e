export { SiteService, defaultSalesContent, type Page, type RenderedPage, type SiteSettings } from './service.js';
export { blockSchema, blocksSchema, blockTypes, pageContentSchema, sanitizeRichText, type Block, type PageContent } from './blocks.js';
export { pages } from './schema.js';
