// The demo business's identity: The Creator Lab, in violet with an amber accent, the bold
// theme, its logo mark, its sender, address and legal pages, so a newcomer sees every page,
// email and certificate wear it.
import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import type { App } from '../../app.js';
import type { DemoContext } from '../../demo/random.js';

export const DEMO_BRAND = {
  name: 'The Creator Lab',
  tagline: 'Courses and tools to build an online course business that runs without you.',
  color: '#6d28d9',
  accent: '#f59e0b',
  theme: 'bold',
  font: 'humanist',
  senderName: 'Maya at The Creator Lab',
  senderAddress: 'maya@creatorlab.example',
  supportEmail: 'help@creatorlab.example',
  postalAddress: 'The Creator Lab GmbH\nTorstraße 12\n10119 Berlin, Germany',
  timeZone: 'Europe/Berlin',
  currency: 'USD',
  legal: {
    terms:
      '## Who sells\n\nThe Creator Lab GmbH, Torstraße 12, 10119 Berlin, Germany. Write to help@creatorlab.example.\n\n## What you buy\n\nAccess to the course or download named on your receipt, for your own use.\n\n## Payment\n\nBy card through our payment provider. Payment plans are charged monthly until paid in full.',
    privacy:
      '## What we keep\n\nYour name, email address, what you bought and your course progress, to deliver your courses and your receipts.\n\n## What we never do\n\nSell your data, or email you after you unsubscribe.\n\n## Your rights\n\nAsk for a copy or for deletion at help@creatorlab.example.',
    refunds: '## 30 days, no questions\n\nWrite to help@creatorlab.example within 30 days of your purchase for a full refund.',
  },
} as const;

export async function seedBrandDemo(app: App, _ctx: DemoContext): Promise<void> {
  // Setting up the demo shop is the demo loader's work, not the owner's (the owner's share of
  // operations is measured from these actors).
  const system = { kind: 'system' as const };
  await app.brand.update(DEMO_BRAND, system);
  await app.brand.uploadImage('logo', Readable.from([logoMarkPng(DEMO_BRAND.color, DEMO_BRAND.accent)]), system);
}

/**
 * The demo's logo mark as a PNG, drawn here so the demo needs no image file: a rounded square
 * in the brand colour with an accent dot (a lab flask's bubble), 96 px, anti-aliased edges.
 */
export function logoMarkPng(color: string, accent: string, size = 96): Buffer {
  const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  const [c, a] = [rgb(color), rgb(accent)];
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const r = size * 0.22;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      // coverage of the rounded square (distance to the nearest corner centre)
      const cx = Math.min(Math.max(x + 0.5, r), size - r);
      const cy = Math.min(Math.max(y + 0.5, r), size - r);
      const inSquare = Math.max(0, Math.min(1, r - Math.hypot(x + 0.5 - cx, y + 0.5 - cy) + 0.5));
      const dot = Math.max(0, Math.min(1, size * 0.17 - Math.hypot(x + 0.5 - size * 0.64, y + 0.5 - size * 0.38) + 0.5));
      const ring = Math.max(0, Math.min(1, size * 0.1 - Math.abs(Math.hypot(x + 0.5 - size * 0.38, y + 0.5 - size * 0.62) - size * 0.16) + 0.5)) * 0.9;
      const px = [0, 1, 2].map((i) => Math.round(c[i]! * (1 - Math.max(dot, ring)) + (dot >= ring ? a[i]! : 255) * Math.max(dot, ring)));
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = px[0]!;
      raw[o + 1] = px[1]!;
      raw[o + 2] = px[2]!;
      raw[o + 3] = Math.round(255 * inSquare);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf: Buffer): number {
  let crc = ~0;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}
