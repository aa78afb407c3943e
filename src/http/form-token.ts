// CSRF protection for public forms that no session backs (opt-in, checkout): a random
// cookie plus an HMAC of it in a hidden field (double submit, signed). A cross-site page
// can make the browser send the cookie but cannot read it to forge the field.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomToken, safeEqual, type Signer } from '../crypto.js';
import { DomainError } from '../errors.js';

export const FORM_COOKIE = 'oh_form';
export const FORM_FIELD = '_csrf';

export function issueFormToken(req: FastifyRequest, reply: FastifyReply, signer: Signer, secure: boolean): string {
  let nonce = req.cookies[FORM_COOKIE];
  if (!nonce || !/^[\w-]{20,64}$/.test(nonce)) {
    nonce = randomToken(24);
    reply.setCookie(FORM_COOKIE, nonce, { path: '/', httpOnly: true, sameSite: 'lax', secure });
    // Make the new nonce visible to a second issue in the same request.
    req.cookies[FORM_COOKIE] = nonce;
  }
  return signer.sign('form', nonce, null);
}

export function verifyFormToken(req: FastifyRequest, signer: Signer, value: unknown, now: Date): void {
  const nonce = req.cookies[FORM_COOKIE];
  const signed = typeof value === 'string' ? signer.verify('form', value, now) : null;
  if (!nonce || !signed || !safeEqual(signed, nonce)) {
    throw new DomainError('forbidden', 'This form has expired. Reload the page and try again.');
  }
}
