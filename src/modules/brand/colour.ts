// Colour arithmetic for the brand (WCAG AA): the ink that reads on a brand colour, a colour darkened
// until it reads as text, a soft tint. Plain functions with no imports, so the admin's settings page
// can use them without taking zod into the browser bundle with brand.ts.

function channels(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((c) => Math.round(Math.max(0, Math.min(255, c))).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance. */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** White or near-black, whichever reads better on `background`. */
export function inkOn(background: string): string {
  return contrast(background, '#ffffff') >= contrast(background, '#111418') ? '#ffffff' : '#111418';
}

/** The colour darkened until it reads as text on `background` (4.5:1), for links and headings. */
export function readableOn(hex: string, background = '#ffffff', ratio = 4.5): string {
  let rgb = channels(hex);
  for (let i = 0; i < 40 && contrast(toHex(rgb), background) < ratio; i++) rgb = rgb.map((c) => c * 0.92) as [number, number, number];
  return toHex(rgb);
}

/** A very light tint of the colour, for soft section backgrounds. */
export function tint(hex: string, amount = 0.92): string {
  return toHex(channels(hex).map((c) => c + (255 - c) * amount) as [number, number, number]);
}
