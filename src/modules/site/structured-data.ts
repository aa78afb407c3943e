// The JSON-LD of a sales page: a `Course` (with its provider and offers) for course products, a
// `Product` (with offers: price, currency, availability) for the others — what search engines
// read for course and product results. Pure, so the shapes are tested without a page.
import { describePrice, minorPerMajor, priceTotal, type Price, type Product } from '../catalog/index.js';

export interface StructuredDataSite {
  name: string;
  /** the site's public origin, without a trailing slash */
  publicUrl: string;
  /** absolute */
  logoUrl?: string;
}

/** "149.00" for 14900 usd, "1500" for 1500 jpy: the decimal string schema.org's `price` expects. */
function decimal(amount: number, currency: string): string {
  const per = minorPerMajor(currency);
  return (amount / per).toFixed(Math.round(Math.log10(per)));
}

const ISO_PERIOD = { month: 'P1M', year: 'P1Y' } as const;

function offerOf(p: Price, site: StructuredDataSite, course: boolean): Record<string, unknown> {
  const currency = p.currency.toUpperCase();
  const offer: Record<string, unknown> = {
    '@type': 'Offer',
    // A payment plan's price is what the buyer pays in all; its instalments are in the specification.
    price: decimal(priceTotal(p), p.currency),
    priceCurrency: currency,
    url: `${site.publicUrl}/checkout/${p.id}`,
    availability: 'https://schema.org/InStock',
    description: describePrice(p),
    ...(p.label ? { name: p.label } : {}),
    ...(course ? { category: p.amount === 0 ? 'Free' : p.type === 'subscription' ? 'Subscription' : 'Paid' } : {}),
  };
  if (p.type !== 'one_time') {
    offer.priceSpecification = {
      '@type': 'UnitPriceSpecification',
      price: decimal(p.amount, p.currency),
      priceCurrency: currency,
      billingDuration: ISO_PERIOD[p.interval === 'year' ? 'year' : 'month'],
      ...(p.type === 'payment_plan' ? { billingIncrement: p.instalments ?? 1 } : {}),
    };
  }
  return offer;
}

/**
 * The page's JSON-LD: `Course` for a course, `Product` otherwise, with an offer per price on sale
 * (none when nothing is on sale), and the business as the course's provider or the product's brand.
 */
export function salesPageJsonLd(product: Product & { prices: Price[] }, o: { url: string; description: string; image?: string; site: StructuredDataSite }): Record<string, unknown> {
  const onSale = product.status === 'published' ? product.prices.filter((p) => p.active) : [];
  const course = product.kind === 'course';
  const organization = {
    '@type': 'Organization',
    // The same id the blog's JSON-LD gives the business, so crawlers join the two.
    '@id': `${o.site.publicUrl}/#organization`,
    name: o.site.name,
    url: `${o.site.publicUrl}/`,
    ...(o.site.logoUrl ? { logo: o.site.logoUrl } : {}),
  };
  const offers = onSale.map((p) => offerOf(p, o.site, course));
  const common = {
    '@id': `${o.url}#${course ? 'course' : 'product'}`,
    name: product.name,
    description: o.description || product.summary || product.name,
    url: o.url,
    ...(o.image ? { image: o.image } : {}),
    ...(offers.length ? { offers } : {}),
  };
  if (course) {
    return {
      '@context': 'https://schema.org',
      '@type': 'Course',
      ...common,
      provider: organization,
      hasCourseInstance: { '@type': 'CourseInstance', courseMode: 'Online' },
    };
  }
  return {
    '@context': 'https://schema.org',
    '@type': 'Product',
    ...common,
    sku: product.slug,
    category: { download: 'Digital download', membership: 'Membership', bundle: 'Bundle' }[product.kind as 'download' | 'membership' | 'bundle'] ?? product.kind,
    brand: { '@type': 'Brand', name: o.site.name },
    ...(offers.length ? { offers: offers.map((x) => ({ ...x, seller: organization })) } : {}),
  };
}
