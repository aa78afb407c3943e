// The business's identity (name, logo, favicon, colours, fonts, theme, sender, addresses, time
// zone, currency, legal pages). Other modules read it through `BrandService.current()`.
export { BrandService, IMAGE_LIMITS, sniffImage, type BrandImageKind, type BrandSettingsView } from './service.js';
export { brandCss, brandPatchSchema, brandSettingsSchema, contrast, defaultBrand, defaultFaviconSvg, fontPairings, fonts, inkOn, legalPages, readableOn, themes, tint, toPublicBrand, type BrandPatch, type BrandSettings, type FontPairing, type PublicBrand, type Theme } from './brand.js';
export { brandEvents } from './events.js';
