// The customer side of the edge: the signed-in customer's cookie, and the contract of a section
// of the account page (/account). Modules contribute sections; the wiring (src/http/routes.ts)
// hands them to the portal, which knows none of them.
import type { ReactNode } from 'react';
import type { FastifyReply } from 'fastify';
import type { Config } from '../config.js';
import { CUSTOMER_COOKIE } from './route.js';

export function setCustomerCookie(app: { config: Config }, reply: FastifyReply, token: string): void {
  reply.setCookie(CUSTOMER_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: app.config.secureCookies, maxAge: 30 * 86_400 });
}

/** `D`: what the section reads (its module's services); the wiring's App must provide it. */
export interface PortalSection<D> {
  id: string;
  title: string;
  /** lower comes first */
  order: number;
  /** null when the section has nothing for this customer; ctx.csrf goes in a section's own forms (_csrf) */
  render: (app: D, contactId: string, ctx: { csrf: string; query: Record<string, string | undefined> }) => Promise<ReactNode | null>;
}
