export {
  CatalogService,
  isSafeUrl,
  type Coupon,
  type CouponInput,
  type Entitlement,
  type Offer,
  type OfferInput,
  type Price,
  type PriceInput,
  type Product,
  type ProductDetail,
  type ProductFile,
  type ProductInput,
} from './service.js';
export { describePrice, formatMoney, minorPerMajor, parseMoney, priceTotal } from './money.js';
export { LocalFileStorage, type FileStorage } from './storage.js';
export { catalogEvents } from './events.js';
export { type ProductKind, type PriceType, type RefundPolicy } from './schema.js';
