// The team module's events (a contract: subscribers and webhooks read them).
import { z } from 'zod';
import { defineEvents, ev, type EventTypesOf } from '../../db/event-catalog.js';

const ip = z.string().max(100).nullable().optional();

export const teamEvents = defineEvents({
  'user.created': { subject: 'user', data: ev.object({ role: z.string(), email: z.string() }) },
  'user.locked_out': { subject: 'user', data: ev.object({ ip, minutes: z.number() }) },
  'user.signed_in': { subject: 'user', data: ev.object({ ip }) },
  'session.revoked': { subject: 'user', data: ev.empty() },
  'user.password_changed': { subject: 'user', data: ev.empty() },
  'user.password_reset': { subject: 'user', data: ev.object({ twoFactorDisabled: z.boolean().optional() }) },
  'user.two_factor_enabled': { subject: 'user', data: ev.empty() },
  'user.two_factor_disabled': { subject: 'user', data: ev.empty() },
  'user.role_changed': { subject: 'user', data: ev.object({ from: z.string(), to: z.string() }) },
  /** the name shown for a member changed (blog bylines re-render) */
  'user.renamed': { subject: 'user', data: ev.object({ from: z.string(), to: z.string() }) },
  'user.removed': { subject: 'user', data: ev.object({ email: z.string(), role: z.string() }) },
  'user.invited': { subject: 'invitation', data: ev.object({ email: z.string(), role: z.string() }) },
  'user.invitation_revoked': { subject: 'invitation', data: ev.empty() },
  'user.joined': { subject: 'user', data: ev.object({ role: z.string(), invitationId: ev.id().optional() }) },
  'apikey.created': { subject: 'apikey', data: ev.object({ name: z.string(), role: z.string() }) },
  'apikey.revoked': { subject: 'apikey', data: ev.empty() },
});

declare module '../../db/event-catalog.js' {
  interface EventTypes extends EventTypesOf<typeof teamEvents> {}
}
