// Events in words. Each module adds the sentences for its own event types to `describers`
// (`order.paid` → "paid order #1042 (€49)"); anything without one is still shown, as its
// type in plain words.
import type { BusinessEvent } from '../../api.js';
import { humanise, roleLabel } from '../../lib/format.js';

export interface People {
  /** team member id → name and role, when the reader may see the team */
  get(id: string): { name: string; role: string } | undefined;
  /** what the server says a subject is called (a course's title, a contact's name), if the reader may know */
  named(type: string, id: string): string | undefined;
}

type Describe = (e: BusinessEvent, people: People) => string;

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const subjectName = (e: BusinessEvent, people: People) => (e.subjectId ? people.get(e.subjectId)?.name : undefined) ?? 'a team member';

export const describers: Record<string, Describe> = {
  'user.created': (e) => `created the owner account${e.data.email ? ` (${str(e.data.email)})` : ''}`,
  'user.signed_in': () => 'signed in',
  'user.invited': (e) => `invited ${str(e.data.email)} as ${roleLabel(str(e.data.role))}`,
  'user.invitation_revoked': () => 'withdrew an invitation',
  'user.joined': (e) => `joined the team as ${roleLabel(str(e.data.role))}`,
  'user.role_changed': (e, p) => `changed ${subjectName(e, p)}’s role from ${roleLabel(str(e.data.from))} to ${roleLabel(str(e.data.to))}`,
  'user.removed': (e) => `removed ${str(e.data.email)} (${roleLabel(str(e.data.role))}) from the team`,
  'user.password_changed': () => 'changed their password',
  'user.password_reset': (e, p) => (e.actorKind === 'system' ? `reset the password of ${subjectName(e, p)}` : 'reset their password with an emailed link'),
  'user.two_factor_enabled': () => 'turned on two-factor sign-in',
  'user.two_factor_disabled': () => 'turned off two-factor sign-in',
  'user.locked_out': (e, p) => `locked ${subjectName(e, p)} out for ${str(e.data.minutes)} minutes after too many wrong passwords`,
  'session.revoked': () => 'signed out one of their sessions',
  'apikey.created': (e) => `created the API key “${str(e.data.name)}” (${roleLabel(str(e.data.role))})`,
  'apikey.revoked': () => 'revoked an API key',
};

export function describeEvent(e: BusinessEvent, people: People): string {
  const describe = describers[e.type];
  if (describe) return describe(e, people);
  const name = e.subjectType && e.subjectId ? people.named(e.subjectType, e.subjectId) : undefined;
  const subject = e.subjectType ? ` · ${e.subjectType} ${name ? `“${name}”` : e.subjectId ? shortId(e.subjectId) : ''}` : '';
  return `${humanise(e.type).toLowerCase()}${subject}`;
}

export function describeActor(e: Pick<BusinessEvent, 'actorKind' | 'actorId' | 'actorRole'>, people: People): { name: string; detail: string | null } {
  const known = e.actorId ? people.get(e.actorId) : undefined;
  switch (e.actorKind) {
    case 'owner':
      return { name: known?.name ?? 'The owner', detail: known ? 'Owner' : null };
    case 'assistant':
      return { name: known?.name ?? 'An assistant', detail: roleLabel(e.actorRole ?? known?.role) || null };
    case 'automation':
      return e.actorId?.startsWith('apikey:') ? { name: 'An API key', detail: 'Automation' } : { name: 'An automation', detail: e.actorId ? shortId(e.actorId) : null };
    case 'customer': {
      const name = e.actorId ? people.named('contact', e.actorId) : undefined;
      return name ? { name, detail: 'Customer' } : { name: 'A customer', detail: e.actorId ? shortId(e.actorId) : null };
    }
    default:
      return { name: 'Onehour', detail: 'System' };
  }
}

export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
