// The catalog's JSON API (src/modules/catalog/routes.ts), typed for the admin pages.
import { useEffect, useState } from 'react';
import { ApiError, apiGet, apiSend, type IsoDate } from '../../api.js';

export type ProductKind = 'course' | 'download' | 'membership' | 'bundle';
export type ProductStatus = 'draft' | 'published' | 'archived';
export type RefundPolicy = 'revoke_on_full' | 'revoke_on_any' | 'keep';
export type PriceType = 'one_time' | 'subscription' | 'payment_plan';

export interface Price {
  id: string;
  productId: string;
  type: PriceType;
  currency: string;
  amount: number;
  interval: 'month' | 'year' | null;
  trialDays: number | null;
  instalments: number | null;
  label: string;
  active: boolean;
  position: number;
  createdAt: IsoDate;
}

export interface ProductFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: IsoDate;
}

export interface Product {
  id: string;
  slug: string;
  kind: ProductKind;
  name: string;
  summary: string;
  imageUrl: string | null;
  status: ProductStatus;
  courseId: string | null;
  refundPolicy: RefundPolicy;
  position: number;
  createdAt: IsoDate;
  updatedAt: IsoDate;
  prices: Price[];
}

export interface ProductDetail extends Product {
  files: ProductFile[];
  includes: { id: string; name: string; kind: string; slug: string }[];
}

export interface Coupon {
  id: string;
  code: string;
  kind: 'percent' | 'fixed';
  percentOff: number | null;
  amountOff: number | null;
  currency: string | null;
  expiresAt: IsoDate | null;
  maxRedemptions: number | null;
  redemptions: number;
  productIds: string[];
  active: boolean;
  createdAt: IsoDate;
}

export interface Offer {
  id: string;
  kind: 'bump' | 'upsell';
  productId: string;
  offerPriceId: string;
  amount: number | null;
  headline: string;
  body: string;
  active: boolean;
  position: number;
  createdAt: IsoDate;
  offerProduct: { id: string; name: string; slug: string };
  price: Price;
}

export type ProductInput = {
  slug: string;
  kind: ProductKind;
  name: string;
  summary?: string;
  imageUrl?: string | null;
  courseId?: string | null;
  refundPolicy?: RefundPolicy;
  includes?: string[];
};

const id = (s: string) => encodeURIComponent(s);

export const catalogApi = {
  products: (q: { status?: ProductStatus; archived?: boolean } = {}) => apiGet<{ products: Product[] }>('/api/products', { status: q.status, archived: q.archived ? '1' : undefined }),
  product: (productId: string) => apiGet<ProductDetail>(`/api/products/${id(productId)}`),
  createProduct: (body: ProductInput) => apiSend<ProductDetail>('POST', '/api/products', body),
  updateProduct: (productId: string, body: Partial<Omit<ProductInput, 'kind'>> & { status?: ProductStatus }) => apiSend<ProductDetail>('PATCH', `/api/products/${id(productId)}`, body),
  createPrice: (productId: string, body: { type: PriceType; currency: string; amount: number; interval?: 'month' | 'year' | null; trialDays?: number | null; instalments?: number | null; label?: string }) =>
    apiSend<Price>('POST', `/api/products/${id(productId)}/prices`, body),
  updatePrice: (priceId: string, body: { label?: string; active?: boolean; position?: number }) => apiSend<Price>('PATCH', `/api/prices/${id(priceId)}`, body),
  removeFile: (productId: string, fileId: string) => apiSend('DELETE', `/api/products/${id(productId)}/files/${id(fileId)}`),
  /** what a new price starts with: the business's currency (Settings) */
  defaults: () => apiGet<{ currency: string }>('/api/catalog/defaults'),
  coupons: () => apiGet<{ coupons: Coupon[] }>('/api/coupons'),
  createCoupon: (body: { code: string; kind: 'percent' | 'fixed'; percentOff?: number | null; amountOff?: number | null; currency?: string | null; expiresAt?: string | null; maxRedemptions?: number | null; productIds?: string[] }) =>
    apiSend<Coupon>('POST', '/api/coupons', body),
  updateCoupon: (couponId: string, body: { active?: boolean; expiresAt?: string | null; maxRedemptions?: number | null }) => apiSend<Coupon>('PATCH', `/api/coupons/${id(couponId)}`, body),
  offers: (q: { productId?: string } = {}) => apiGet<{ offers: Offer[] }>('/api/offers', q),
  createOffer: (body: { kind: 'bump' | 'upsell'; productId: string; offerPriceId: string; amount?: number | null; headline: string; body?: string }) => apiSend<Offer>('POST', '/api/offers', body),
  updateOffer: (offerId: string, body: { active?: boolean; headline?: string; body?: string; amount?: number | null }) => apiSend<Offer>('PATCH', `/api/offers/${id(offerId)}`, body),
  deleteOffer: (offerId: string) => apiSend('DELETE', `/api/offers/${id(offerId)}`),
};

/** Uploads a file as the raw request body (the server streams it to storage). */
export async function uploadProductFile(productId: string, file: File, csrfToken: string | null): Promise<ProductFile> {
  const res = await fetch(`/api/products/${id(productId)}/files?name=${encodeURIComponent(file.name)}`, {
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
