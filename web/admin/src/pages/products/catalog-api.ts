// The catalog's JSON API (src/modules/catalog/routes.ts) for the admin pages; request and
// response shapes from the server's contract (src/modules/catalog/contract.ts), so a change
// there fails the type check here.
import { useEffect, useState } from 'react';
import { ApiError, apiGet, apiSend, apiUrl, type QueryOf } from '../../api.js';
import type {
  CatalogDefaults,
  Coupon,
  CouponInput,
  CouponList,
  CouponPatch,
  Offer,
  OfferDetail,
  OfferInput,
  OfferList,
  offerListQuery,
  OfferPatch,
  Price,
  PriceInput,
  PricePatch,
  Product,
  ProductDetail,
  ProductFile,
  productFileQuery,
  ProductInput,
  ProductList,
  productListQuery,
  ProductPatch,
} from '../../../../../src/modules/catalog/contract.js';

export type { Coupon, Offer, OfferDetail, Price, Product, ProductDetail, ProductFile, ProductInput };
export type ProductKind = Product['kind'];
export type ProductStatus = Product['status'];
export type RefundPolicy = Product['refundPolicy'];
export type PriceType = Price['type'];

const id = (s: string) => encodeURIComponent(s);

export const catalogApi = {
  products: (q: QueryOf<typeof productListQuery> = {}) => apiGet<ProductList, typeof productListQuery>('/api/products', q),
  product: (productId: string) => apiGet<ProductDetail>(`/api/products/${id(productId)}`),
  createProduct: (body: ProductInput) => apiSend<ProductDetail>('POST', '/api/products', body),
  updateProduct: (productId: string, body: ProductPatch) => apiSend<ProductDetail>('PATCH', `/api/products/${id(productId)}`, body),
  createPrice: (productId: string, body: PriceInput) => apiSend<Price>('POST', `/api/products/${id(productId)}/prices`, body),
  updatePrice: (priceId: string, body: PricePatch) => apiSend<Price>('PATCH', `/api/prices/${id(priceId)}`, body),
  removeFile: (productId: string, fileId: string) => apiSend('DELETE', `/api/products/${id(productId)}/files/${id(fileId)}`),
  /** what a new price starts with: the business's currency (Settings) */
  defaults: () => apiGet<CatalogDefaults>('/api/catalog/defaults'),
  coupons: () => apiGet<CouponList>('/api/coupons'),
  createCoupon: (body: CouponInput) => apiSend<Coupon>('POST', '/api/coupons', body),
  updateCoupon: (couponId: string, body: CouponPatch) => apiSend<Coupon>('PATCH', `/api/coupons/${id(couponId)}`, body),
  offers: (q: QueryOf<typeof offerListQuery> = {}) => apiGet<OfferList, typeof offerListQuery>('/api/offers', q),
  /** the offer as saved (without the product and price it sells: list the offers for those) */
  createOffer: (body: OfferInput) => apiSend<Offer>('POST', '/api/offers', body),
  updateOffer: (offerId: string, body: OfferPatch) => apiSend<Offer>('PATCH', `/api/offers/${id(offerId)}`, body),
  deleteOffer: (offerId: string) => apiSend('DELETE', `/api/offers/${id(offerId)}`),
};

/** Uploads a file as the raw request body (the server streams it to storage). */
export async function uploadProductFile(productId: string, file: File, csrfToken: string | null): Promise<ProductFile> {
  const res = await fetch(apiUrl<typeof productFileQuery>(`/api/products/${id(productId)}/files`, { name: file.name }), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': file.type || 'application/octet-stream', accept: 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    body: file,
  });
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string; details?: unknown } } | ProductFile | null;
  if (!res.ok) {
    const e = (body as { error?: { code: string; message: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'bad_request', e?.message ?? `The upload failed (HTTP ${res.status})`, e?.details);
  }
  return body as ProductFile;
}

export const kindLabels: Record<ProductKind, string> = { course: 'Course', download: 'Download', membership: 'Membership', bundle: 'Bundle' };
export const statusTone: Record<ProductStatus, string> = { draft: 'warn', published: 'good', archived: '' };

/** The business's currency for a new price or coupon (lower case); "usd" until it has loaded or if it cannot be read. */
export function useDefaultCurrency(): string {
  const [currency, setCurrency] = useState('usd');
  useEffect(() => {
    let live = true;
    catalogApi.defaults().then(
      (d) => live && setCurrency(d.currency),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return currency;
}
