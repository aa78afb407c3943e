// Tokens and signed links. Random tokens are stored only as hashes; signed links carry an
// expiry and a purpose inside an HMAC so one kind of link can never stand in for another.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Random bytes for tokens come from a pool refilled 4 kB at a time: a call into OpenSSL per
 * token cost ~15 µs (7 % of a cached page's CPU, whose first-time visitor gets a form nonce),
 * and each byte is still handed out once. Used bytes are zeroed.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

export function randomToken(bytes = 32): string {
  if (bytes > 256) return randomBytes(bytes).toString('base64url');
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + bytes);
  const token = slice.toString('base64url');
  slice.fill(0);
  poolOffset += bytes;
  return token;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export interface Signer {
  /** A URL-safe token binding `data` to `purpose` until `expiresAt` (null: never expires). */
  sign(purpose: string, data: string, expiresAt: Date | null): string;
  /** The data, or null when the token is forged, for another purpose, or expired at `now`. */
  verify(purpose: string, token: string, now: Date): string | null;
}

export function createSigner(secret: string): Signer {
  const mac = (purpose: string, body: string) =>
    createHmac('sha256', secret).update(`${purpose}\n${body}`).digest('base64url').slice(0, 32);
  return {
    sign(purpose, data, expiresAt) {
      const exp = expiresAt ? Math.floor(expiresAt.getTime() / 1000).toString(36) : '0';
      const body = `${Buffer.from(data).toString('base64url')}.${exp}`;
      return `${body}.${mac(purpose, body)}`;
    },
    verify(purpose, token, now) {
      const parts = token.split('.');
      if (parts.length !== 3) return null;
      const [data, exp, sig] = parts as [string, string, string];
      const body = `${data}.${exp}`;
      if (!safeEqual(sig, mac(purpose, body))) return null;
      if (exp !== '0' && parseInt(exp, 36) * 1000 < now.getTime()) return null;
      return Buffer.from(data, 'base64url').toString();
    },
  };
}
