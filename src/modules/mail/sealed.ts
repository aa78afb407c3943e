// Secrets inside transactional mail (sign-in, reset and invitation links) are never stored
// readable. The outbox keeps the message with each secret replaced by [hidden]; the message
// as the recipient must get it travels only inside the send job's data, encrypted
// (AES-256-GCM) under a key derived from the app's secret key, and is opened at send time.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export const HIDDEN = '[hidden]';

/**
 * Links whose token grants something on its own (a session, a password, a team seat), found
 * in any transactional message whoever wrote it, so a new caller cannot forget to declare it.
 * Each match's group 1 is the token.
 */
const SECRET_LINKS = /\/(?:account\/magic\?token=|admin\/reset-password#token=|admin\/accept-invitation#token=)([A-Za-z0-9_-]{16,})/g;

export function secretsIn(...parts: (string | null | undefined)[]): string[] {
  const found = new Set<string>();
  for (const part of parts) for (const m of (part ?? '').matchAll(SECRET_LINKS)) found.add(m[1]!);
  return [...found];
}

/** Every occurrence of every secret replaced by [hidden]. */
export function redact(value: string, secrets: string[]): string {
  let out = value;
  // Longest first, so a secret that contains another is hidden whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(HIDDEN);
  return out;
}

export interface Sealer {
  seal(value: unknown): string;
  /** Throws when the sealed text was altered or sealed under another key. */
  open<T>(sealed: string): T;
}

export function createSealer(secretKey: string, purpose: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'onehour', `onehour:${purpose}:v1`, 32));
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open<T>(sealed: string): T {
      const [v, iv, tag, body] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return JSON.parse(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')) as T;
    },
  };
}
