// The owner's support settings: intake address, threading windows, SLAs, and each role's
// bounded authority. Validated with zod at the edge and when read back.
import { z } from 'zod';
import { emailAddressProblem } from '../audience/index.js';

const limits = z.object({
  /** the largest refund this role may give, in the store currency's minor units (0: none) */
  refundMax: z.number().int().min(0).max(100_000_000),
  /** refunds only this many days after the purchase */
  refundMaxDays: z.number().int().min(0).max(3650),
  /** the most days of course access this role may add */
  extendMaxDays: z.number().int().min(0).max(3650),
  /** may resend receipts and sign-in links */
  resend: z.boolean(),
});
export type RoleLimits = z.infer<typeof limits>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:00');

export const supportSettingsSchema = z.object({
  /**
   * The address customers write to; replies go out from support+<token>@ its domain. Here, as
   * SUPPORT_ADDRESS accepts it: one plain address without `+`. The configured default may be
   * local (support@localhost, from MAIL_FROM's hello@localhost) and must not stop the owner
   * from changing any other setting; a *new* address the owner types also passes the one
   * address check of every other edge (`addressProblem`, in SupportService.updateSettings).
   */
  address: z.string().trim().toLowerCase().regex(/^[^\s@+<>]+@[^\s@<>]+$/, 'one address such as support@example.com, without +').max(200),
  /** a reply to a conversation closed longer ago than this starts a new one (linked to the old) */
  reopenWindowDays: z.number().int().min(0).max(3650),
  /** the subject fallback only joins a conversation active this recently (same sender only) */
  subjectWindowDays: z.number().int().min(0).max(30),
  roundRobin: z.boolean(),
  sla: z.object({
    firstResponseHours: z.number().min(0.25).max(720),
    resolutionHours: z.number().min(0.25).max(8760),
    businessHours: z.object({ days: z.array(z.number().int().min(1).max(7)).max(7), start: hhmm, end: hhmm }),
  }),
  /** per role; the owner has no limit; a role missing here may take no action */
  limits: z.object({ admin: limits, support: limits }),
  /** offer the customer a one-click rating in the reply that closes a conversation */
  ratings: z.boolean(),
});
export type SupportSettings = z.infer<typeof supportSettingsSchema>;

export function defaultSettings(domain: string): SupportSettings {
  return {
    address: `support@${domain}`,
    reopenWindowDays: 30,
    subjectWindowDays: 30,
    roundRobin: false,
    sla: { firstResponseHours: 4, resolutionHours: 48, businessHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } },
    limits: {
      admin: { refundMax: 100_000, refundMaxDays: 60, extendMaxDays: 365, resend: true },
      support: { refundMax: 10_000, refundMaxDays: 30, extendMaxDays: 30, resend: true },
    },
    ratings: false,
  };
}

/** Why a support address the owner sets is refused (the audience's one address check, and no `+`), or null. */
export function addressProblem(address: string): string | null {
  const why = emailAddressProblem(address);
  if (why) return why;
  if (address.slice(0, address.lastIndexOf('@')).includes('+')) return 'it has a +: replies use support+<token>@ addresses of their own';
  return null;
}
