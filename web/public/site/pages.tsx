// The storefront: the store index and sales / landing pages built from blocks.
import type { Block } from '../../../src/modules/site/blocks.js';
import type { PublicBrand } from '../../../src/modules/brand/brand.js';
import { PublicLayout } from '../layout.js';
import type { PublicForm } from '../audience/pages.js';
import { Blocks, type PriceView } from './blocks.js';

export interface StoreProductView {
  id: string;
  name: string;
  summary: string;
  kind: string;
  imageUrl: string | null;
  url: string;
  /** "From $49", "$19 / month" */
  priceText: string;
}

export interface SiteView {
  name: string;
  tagline: string;
  publicUrl: string;
  /** the business's brand the page is rendered in */
  brand?: PublicBrand;
}

const kindLabel: Record<string, string> = { course: 'Course', download: 'Download', membership: 'Membership', bundle: 'Bundle' };

export function StorePage({ site, products }: { site: SiteView; products: StoreProductView[] }) {
  return (
    <PublicLayout meta={{ title: site.name, description: site.tagline || `Courses, downloads and memberships from ${site.name}`, url: `${site.publicUrl}/`, siteName: site.name }}>
      <section className="store-intro">
        <h1>{site.name}</h1>
        {site.tagline ? <p className="lead">{site.tagline}</p> : null}
      </section>
      <h2 className="visually-hidden">Products</h2>
      {products.length === 0 ? (
        <p className="muted">Nothing is on sale yet. Come back soon.</p>
      ) : (
        <ul className="grid product-grid" role="list">
          {products.map((p) => (
            <li className="card product-card" key={p.id}>
              {p.imageUrl ? <img src={p.imageUrl} alt="" width={400} height={225} loading="lazy" decoding="async" /> : null}
              <p className="badge">{kindLabel[p.kind] ?? p.kind}</p>
              <h3>
                <a href={p.url}>{p.name}</a>
              </h3>
              {p.summary ? <p>{p.summary}</p> : null}
              <p className="amount">{p.priceText}</p>
            </li>
          ))}
        </ul>
      )}
    </PublicLayout>
  );
}

export interface SalesPageProps {
  site: SiteView;
  title: string;
  description: string;
  url: string;
  ogImage?: string;
  blocks: Block[];
  productName?: string;
  prices: PriceView[];
  /** the live forms opt-in blocks embed, by id */
  forms?: Record<string, PublicForm>;
  formToken?: string;
  /** structured data for search engines (Product with offers) */
  jsonLd?: Record<string, unknown>;
  /** shown above the page in the editor's preview */
  previewNotice?: string;
}

export function SalesPage(props: SalesPageProps) {
  const head = props.jsonLd ? (
    // JSON-LD is data, not script: browsers never execute it. `<` is escaped so the text cannot close the tag.
    <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(props.jsonLd).replace(/</g, '\\u003c') }} />
  ) : null;
  return (
    <PublicLayout
      meta={{ title: props.title, description: props.description, url: props.url, image: props.ogImage, siteName: props.site.name, noindex: Boolean(props.previewNotice) }}
      head={head}
    >
      {props.previewNotice ? <p className="test-mode">{props.previewNotice}</p> : null}
      <article className="page">
        {props.blocks.some((b) => b.type === 'hero') ? null : <h1>{props.title}</h1>}
        <Blocks blocks={props.blocks} ctx={{ productName: props.productName, prices: props.prices, forms: props.forms, formToken: props.formToken }} />
      </article>
    </PublicLayout>
  );
}
