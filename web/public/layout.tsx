// The frame of every public page: store, sales pages, checkout, portal, forms. It wears the
// business's brand (name, logo, favicon, colours, fonts, theme, legal links), which the server
// provides once per request through BrandContext (src/http/html.ts), so no page passes it on.
import { createContext, useContext, type ReactNode } from 'react';
import { brandCss, type PublicBrand } from '../../src/modules/brand/brand.js';

export const BrandContext = createContext<PublicBrand | null>(null);

/** The brand of the page being rendered (null outside a request, e.g. in a unit test of a component). */
export function useBrand(): PublicBrand | null {
  return useContext(BrandContext);
}

export interface PageMeta {
  title: string;
  description?: string;
  /** absolute URL of this page, for canonical and Open Graph */
  url?: string;
  image?: string;
  siteName?: string;
  noindex?: boolean;
  /** Open Graph type (default website; blog posts are articles) */
  type?: 'website' | 'article';
}

export function PublicLayout({ meta, children, header, head }: { meta: PageMeta; children: ReactNode; header?: ReactNode; head?: ReactNode }) {
  const brand = useBrand();
  const siteName = brand?.name ?? meta.siteName ?? 'Onehour';
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{meta.title === siteName ? siteName : `${meta.title} · ${siteName}`}</title>
        {meta.description ? <meta name="description" content={meta.description} /> : null}
        {meta.noindex ? <meta name="robots" content="noindex" /> : null}
        {meta.url ? <link rel="canonical" href={meta.url} /> : null}
        <meta property="og:title" content={meta.title} />
        <meta property="og:site_name" content={siteName} />
        <meta property="og:type" content={meta.type ?? 'website'} />
        {meta.description ? <meta property="og:description" content={meta.description} /> : null}
        {meta.url ? <meta property="og:url" content={meta.url} /> : null}
        {meta.image ? <meta property="og:image" content={meta.image} /> : null}
        <meta name="twitter:card" content={meta.image ? 'summary_large_image' : 'summary'} />
        <link rel="icon" href={brand?.faviconUrl ?? '/favicon.ico'} />
        <link rel="stylesheet" href="/assets/public.css" />
        {brand ? <style dangerouslySetInnerHTML={{ __html: brandCss(brand) }} /> : null}
        {/* Analytics: time on page, outbound clicks, goals (page views are counted by the server). */}
        <script src="/assets/analytics.js" defer />
        {head}
      </head>
      <body className={`theme-${brand?.theme ?? 'classic'}`}>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="wrap">
            <a className="brand" href="/">
              {brand?.logoUrl ? <img className="brand-logo" src={brand.logoUrl} alt="" height={40} /> : null}
              <span className="brand-name">{siteName}</span>
            </a>
            <nav aria-label="Site">{header ?? <a href="/account">Your account</a>}</nav>
          </div>
        </header>
        <main id="main" className="wrap">
          {children}
        </main>
        <footer className="site-footer">
          <div className="wrap">
            <p className="footer-brand">
              <strong>{siteName}</strong>
              {brand?.tagline ? <span className="muted"> · {brand.tagline}</span> : null}
            </p>
            {brand?.postalAddress ? <address className="footer-address">{brand.postalAddress}</address> : null}
            <nav aria-label="Legal and help" className="footer-links">
              <a href="/account">Your account</a>
              {brand?.supportEmail ? <a href={`mailto:${brand.supportEmail}`}>{brand.supportEmail}</a> : null}
              {brand?.legalLinks.map((l) => (
                <a key={l.href} href={l.href}>
                  {l.title}
                </a>
              ))}
            </nav>
            <small>© {siteName}</small>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** A notice box: success, error (role=alert) or info. */
export function Notice({ kind, children }: { kind: 'success' | 'error' | 'info'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}
