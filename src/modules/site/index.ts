export { SiteService, defaultSalesContent, formWarnings, upgradeContent, withFormToken, type FormChoice, type Page, type PageWithWarnings, type RenderedPage, type SiteForms, type SiteSettings } from './service.js';
export { checkSiteLinks, injectRequester, type DeadForm, type DeadLink, type FormSubmission, type LinkCheckOptions, type LinkCheckReport, type SiteRequest, type SiteRequester, type SiteResponse } from './link-check.js';
export { blockSchema, blocksSchema, blockTypes, pageContentSchema, sanitizeRichText, type Block, type PageContent } from './blocks.js';
export { siteEvents } from './events.js';
export { SiteImageStore, defaultImageMaxBytes, sniffImage, type StoredImage } from './images.js';
