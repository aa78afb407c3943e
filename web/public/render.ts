// React components of the public pages, rendered to static HTML (no JavaScript in the browser).
// The edge sends them (src/http/html.ts); the site service renders pages into its cache.
// The business's brand reaches every component through BrandContext (PublicLayout wears it).
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { PublicBrand } from '../../src/modules/brand/index.js';
import { BrandContext } from './layout.js';

export function renderHtml(element: ReactElement, brand: PublicBrand | null = null): string {
  return `<!doctype html>${renderToStaticMarkup(brand ? createElement(BrandContext.Provider, { value: brand }, element) : element)}`;
}
