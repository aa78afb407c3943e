// What a checkout costs: the main price, any order bumps, a coupon. Pure arithmetic on
// integer minor units, so the checkout page, the order and the provider all agree.
import type { Coupon, Offer, Price, Product } from '../catalog/index.js';
import { invalid } from '../../errors.js';

export interface QuoteLine {
  role: 'main' | 'bump' | 'upsell';
  productId: string;
  priceId: string;
  offerId: string | null;
  name: string;
  priceType: Price['type'];
  interval: Price['interval'];
  trialDays: number | null;
  instalments: number | null;
  currency: string;
  unitAmount: number;
  discount: number;
  amount: number;
}

export interface Quote {
  currency: string;
  lines: QuoteLine[];
  /** list amounts due now, before the coupon */
  subtotal: number;
  /** the coupon's reduction of what is due now */
  discount: number;
  /** charged at checkout (a subscription in trial: 0) */
  total: number;
  /** the recurring part after today, if any */
  recurring: { amount: number; interval: 'month' | 'year'; instalments: number | null; trialDays: number | null } | null;
  coupon: Pick<Coupon, 'id' | 'code'> | null;
}

/** A subscription in its free trial charges nothing today; everything else charges its first payment. */
export function chargedToday(line: Pick<QuoteLine, 'priceType' | 'trialDays'>, value: number): number {
  return line.priceType === 'subscription' && line.trialDays ? 0 : value;
}

export function buildQuote(input: {
  main: { price: Price; product: Product };
  bumps: (Offer & { price: Price; offerProduct: Product })[];
  coupon: Coupon | null;
}): Quote {
  const { price, product } = input.main;
  const lines: QuoteLine[] = [
    {
      role: 'main',
      productId: product.id,
      priceId: price.id,
      offerId: null,
      name: product.name,
      priceType: price.type,
      interval: price.interval,
      trialDays: price.trialDays,
      instalments: price.instalments,
      currency: price.currency,
      unitAmount: price.amount,
      discount: 0,
      amount: price.amount,
    },
  ];
  for (const b of input.bumps) {
    if (b.price.currency !== price.currency) throw invalid(`The add-on "${b.headline}" is priced in another currency`);
    const amount = b.amount ?? b.price.amount;
    lines.push({
      role: 'bump',
      productId: b.offerProduct.id,
      priceId: b.price.id,
      offerId: b.id,
      name: b.offerProduct.name,
      priceType: 'one_time',
      interval: null,
      trialDays: null,
      instalments: null,
      currency: price.currency,
      unitAmount: amount,
      discount: 0,
      amount,
    });
  }
  const coupon = input.coupon;
  if (coupon) {
    const eligible = lines.filter((l) => coupon.productIds.length === 0 || coupon.productIds.includes(l.productId));
    if (coupon.kind === 'percent') {
      for (const l of eligible) l.discount = Math.round((l.unitAmount * (coupon.percentOff ?? 0)) / 100);
    } else {
      let left = coupon.amountOff ?? 0;
      for (const l of eligible) {
        const off = Math.min(left, l.unitAmount);
        l.discount = off;
        left -= off;
      }
    }
    for (const l of lines) l.amount = l.unitAmount - l.discount;
  }
  const recurringLine = lines.find((l) => l.priceType !== 'one_time');
  return {
    currency: price.currency,
    lines,
    subtotal: lines.reduce((s, l) => s + chargedToday(l, l.unitAmount), 0),
    discount: lines.reduce((s, l) => s + chargedToday(l, l.discount), 0),
    total: lines.reduce((s, l) => s + chargedToday(l, l.amount), 0),
    recurring: recurringLine
      ? { amount: recurringLine.amount, interval: recurringLine.interval ?? 'month', instalments: recurringLine.instalments, trialDays: recurringLine.trialDays }
      : null,
    coupon: coupon ? { id: coupon.id, code: coupon.code } : null,
  };
}
