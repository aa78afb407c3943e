// Money is an integer of minor units plus a currency code; never a float. These helpers
// format it for people and describe a price in words.

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  const key = currency.toUpperCase();
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency: key });
    formatters.set(key, f);
  }
  return f;
}

/** How many minor units make one major unit: 100 for usd, 1 for jpy. */
export function minorPerMajor(currency: string): number {
  return 10 ** (formatter(currency).resolvedOptions().maximumFractionDigits ?? 2);
}

export function formatMoney(amount: number, currency: string): string {
  const f = formatter(currency);
  const value = amount / minorPerMajor(currency);
  // Whole amounts read better without ".00" ("$49" rather than "$49.00").
  if (Number.isInteger(value)) return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase(), maximumFractionDigits: 0 }).format(value);
  return f.format(value);
}

/** "12.50" → 1250 for usd. Throws on anything that is not a plain decimal amount. */
export function parseMoney(text: string, currency: string): number {
  const t = text.trim().replace(/,/g, '');
  if (!/^\d+(\.\d+)?$/.test(t)) throw new Error(`"${text}" is not an amount`);
  const per = minorPerMajor(currency);
  const [whole, frac = ''] = t.split('.');
  const digits = Math.log10(per);
  if (frac.length > digits) throw new Error(`"${text}" has more decimals than ${currency.toUpperCase()} allows`);
  return Number(whole) * per + Number(frac.padEnd(digits, '0') || '0');
}

export interface PriceLike {
  type: 'one_time' | 'subscription' | 'payment_plan';
  amount: number;
  currency: string;
  interval: 'month' | 'year' | null;
  trialDays: number | null;
  instalments: number | null;
}

/** "$49", "$19 / month", "3 payments of $99 / month", "7-day free trial, then $19 / month". */
export function describePrice(p: PriceLike, amount = p.amount): string {
  const money = formatMoney(amount, p.currency);
  if (p.type === 'one_time') return money;
  const per = p.interval === 'year' ? 'year' : 'month';
  if (p.type === 'payment_plan') return `${p.instalments} payments of ${money} / ${per}`;
  const base = `${money} / ${per}`;
  return p.trialDays ? `${p.trialDays}-day free trial, then ${base}` : base;
}

/** What the whole price comes to (a plan: every instalment; a subscription: one period). */
export function priceTotal(p: PriceLike, amount = p.amount): number {
  return p.type === 'payment_plan' ? amount * (p.instalments ?? 1) : amount;
}
