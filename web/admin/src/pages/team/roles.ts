import type { AssignableRole } from '../../shared.js';

/** What each role may use, in words (the matrix itself is src/permissions.ts). */
export const roleSummaries: Record<AssignableRole, string> = {
  admin: 'everything except API keys, exports and the weekly review',
  support: 'orders and refunds, customers and their course access, contacts, emails and the inbox',
  content: 'courses and pages',
  marketing: 'products, pages, contacts, broadcasts, automations and analytics',
};
