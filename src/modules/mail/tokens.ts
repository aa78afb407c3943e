// Links inside mail: unforgeable (HMAC-signed by app.signer) and never expiring, because
// people unsubscribe from mail that is months old.
import type { Signer } from '../../crypto.js';

export interface UnsubscribeClaim {
  /** contact */
  c: string;
  /** broadcast, when the link came from one */
  b: string | null;
  /** list, when the broadcast went to one: unsubscribing leaves only that list */
  l: string | null;
}

export function unsubscribeToken(signer: Signer, claim: UnsubscribeClaim): string {
  return signer.sign('unsubscribe', JSON.stringify(claim), null);
}

export function readUnsubscribeToken(signer: Signer, token: string, now: Date): UnsubscribeClaim | null {
  const data = signer.verify('unsubscribe', token, now);
  if (!data) return null;
  try {
    const v = JSON.parse(data) as UnsubscribeClaim;
    return typeof v.c === 'string' ? { c: v.c, b: v.b ?? null, l: v.l ?? null } : null;
  } catch {
    return null;
  }
}

export function preferencesToken(signer: Signer, contactId: string): string {
  return signer.sign('preferences', contactId, null);
}

export function openToken(signer: Signer, recipientId: number): string {
  return signer.sign('open', String(recipientId), null);
}

export function clickToken(signer: Signer, recipientId: number, linkIdx: number): string {
  return signer.sign('click', `${recipientId}.${linkIdx}`, null);
}

export function readOpenToken(signer: Signer, token: string, now: Date): number | null {
  const v = signer.verify('open', token, now);
  return v && /^\d+$/.test(v) ? Number(v) : null;
}

export function readClickToken(signer: Signer, token: string, now: Date): { recipientId: number; idx: number } | null {
  const v = signer.verify('click', token, now);
  const m = v ? /^(\d+)\.(\d+)$/.exec(v) : null;
  return m ? { recipientId: Number(m[1]), idx: Number(m[2]) } : null;
}

export interface MailUrls {
  unsubscribe(claim: UnsubscribeClaim): string;
  preferences(contactId: string): string;
  open(recipientId: number): string;
  click(recipientId: number, idx: number): string;
  /** mailto: alternative of List-Unsubscribe */
  unsubscribeMailto(claim: UnsubscribeClaim, domain: string): string;
}

export function mailUrls(signer: Signer, publicUrl: string): MailUrls {
  return {
    unsubscribe: (claim) => `${publicUrl}/email/unsubscribe?token=${unsubscribeToken(signer, claim)}`,
    preferences: (contactId) => `${publicUrl}/email/preferences?token=${preferencesToken(signer, contactId)}`,
    open: (rid) => `${publicUrl}/email/o/${openToken(signer, rid)}`,
    click: (rid, idx) => `${publicUrl}/email/c/${clickToken(signer, rid, idx)}`,
    unsubscribeMailto: (claim, domain) => `mailto:unsubscribe@${domain}?subject=unsubscribe%20${unsubscribeToken(signer, claim)}`,
  };
}
