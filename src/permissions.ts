// The one permission matrix. Every route declares one of these permissions (or is public /
// needs only a signed-in user); anything not granted here is denied. A test walks every
// registered route against every role and fails on any mismatch with this table.
export const roles = ['owner', 'admin', 'support', 'content', 'marketing'] as const;
export type Role = (typeof roles)[number];
export const assistantRoles = ['support', 'content', 'marketing'] as const;
/** Roles that may be given to invited people and API keys (never owner). */
export const assignableRoles = ['admin', 'support', 'content', 'marketing'] as const;
export type AssignableRole = (typeof assignableRoles)[number];

const ALL: readonly Role[] = roles;
const OWNER: readonly Role[] = ['owner'];
const MANAGERS: readonly Role[] = ['owner', 'admin'];

export const permissionMatrix = {
  // team & security
  'team.read': MANAGERS,
  'team.manage': MANAGERS,
  'apikeys.manage': OWNER,
  'audit.read': MANAGERS,
  'activity.read': ALL,
  'settings.manage': MANAGERS,
  'data.export': OWNER,
  'demo.load': OWNER,
  'webhooks.manage': MANAGERS,
  // catalog / site / checkout
  'catalog.read': ALL,
  'catalog.write': ['owner', 'admin', 'marketing'],
  'pages.write': ['owner', 'admin', 'marketing', 'content'],
  // the blog (content): who publishes without approval is the owner's policy per role, not a permission
  'content.read': ['owner', 'admin', 'content', 'marketing'],
  'content.write': ['owner', 'admin', 'content', 'marketing'],
  'content.redirects': MANAGERS,
  'content.settings': OWNER,
  'orders.read': ['owner', 'admin', 'support'],
  'orders.refund': ['owner', 'admin', 'support'],
  'customers.read': ['owner', 'admin', 'support'],
  // learning
  'learning.read': ALL,
  'learning.write': ['owner', 'admin', 'content'],
  'enrollments.manage': ['owner', 'admin', 'support'],
  // audience & mail
  'contacts.read': ['owner', 'admin', 'support', 'marketing'],
  'contacts.write': ['owner', 'admin', 'support', 'marketing'],
  'contacts.import': ['owner', 'admin', 'marketing'],
  'contacts.export': MANAGERS,
  'mail.read': ['owner', 'admin', 'support', 'marketing'],
  'mail.send': ['owner', 'admin', 'marketing'],
  /** the marketing role's send limit (people per send, sends per week); above it a send is an approval */
  'mail.limits': OWNER,
  // automation / analytics / support / owner
  'automation.read': ['owner', 'admin', 'marketing'],
  'automation.write': ['owner', 'admin', 'marketing'],
  'analytics.read': ['owner', 'admin', 'marketing'],
  /** saved funnels */
  'analytics.write': ['owner', 'admin', 'marketing'],
  'support.read': ['owner', 'admin', 'support'],
  'support.reply': ['owner', 'admin', 'support'],
  /** refunds, resends and access extensions from a conversation, within the role's limits */
  'support.act': ['owner', 'admin', 'support'],
  /** limits, SLAs, intake address, canned replies */
  'support.settings': OWNER,
  'owner.review': OWNER,
  // approval requests: everyone sees their own; the owner decides
  'approvals.read': ALL,
  'approvals.decide': OWNER,
  /** an admin decides the requests the owner handed to them from the weekly review (checked per request) */
  'approvals.decide_delegated': ['admin'],
  // SOPs and tasks: managers write them; everyone works their own
  'tasks.manage': MANAGERS,
  'tasks.work': ALL,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissionMatrix;

export function can(role: Role, permission: Permission): boolean {
  return (permissionMatrix[permission] as readonly Role[]).includes(role);
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(permissionMatrix) as Permission[]).filter((p) => can(role, p));
}

export function isRole(v: string): v is Role {
  return (roles as readonly string[]).includes(v);
}
