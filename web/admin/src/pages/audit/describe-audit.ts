// Audit actions in words. Routes name their action (`team.invite`) or default to
// `METHOD /api/path`; refusals carry the permission that was missing.
import type { AuditEntry } from '../../api.js';
import { humanise, roleLabel } from '../../lib/format.js';

const titles: Record<string, string> = {
  'setup.owner_created': 'Created the owner account',
  'auth.login_failed': 'Failed sign-in',
  'auth.logout': 'Signed out',
  'account.password_changed': 'Changed their password',
  'account.renamed': 'Changed their name',
  'account.session_revoked': 'Signed out one of their sessions',
  'account.sessions_revoked': 'Signed out everywhere else',
  'account.two_factor_begin': 'Started two-factor enrolment',
  'account.two_factor_enabled': 'Turned on two-factor sign-in',
  'account.two_factor_disabled': 'Turned off two-factor sign-in',
  'team.invite': 'Invited someone',
  'team.invitation_revoked': 'Withdrew an invitation',
  'team.role_changed': 'Changed a role',
  'team.member_removed': 'Removed a team member',
  'apikey.created': 'Created an API key',
  'apikey.revoked': 'Revoked an API key',
  'demo.loaded': 'Loaded the demo business',
  'data.exported': 'Downloaded a full export',
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function describeAuditAction(e: AuditEntry): { title: string; detail: string | null } {
  const d = e.data;
  const parts: string[] = [];
  if (str(d.email)) parts.push(str(d.email));
  if (str(d.role) && e.outcome !== 'denied') parts.push(roleLabel(str(d.role)));
  if (str(d.name)) parts.push(`“${str(d.name)}”`);
  if (str(d.reason)) parts.push(humanise(str(d.reason)).toLowerCase());
  if (e.outcome === 'denied' && str(d.permission)) {
    parts.push(`needs ${str(d.permission)}${str(d.role) ? `, which ${roleLabel(str(d.role))} lacks` : ''}`);
  }
  const route = /^(GET|POST|PUT|PATCH|DELETE) (\S+)$/.exec(e.action);
  const title = titles[e.action] ?? (route ? (e.outcome === 'denied' ? `Tried to ${route[1] === 'GET' ? 'open' : 'change'} ${str(d.path) || route[2]}` : `${route[1]} ${route[2]}`) : humanise(e.action));
  return { title, detail: parts.length ? parts.join(' · ') : null };
}
