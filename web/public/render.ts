// React components of the public pages, rendered to static HTML (no JavaScript in the browser).
// The edge sends them (src/http/html.ts); the site service renders pages into its cache.
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

export function renderHtml(element: ReactElement): string {
  return `<!doctype html>${renderToStaticMarkup(element)}`;
}
