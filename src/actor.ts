// Who did something. Every event and audit entry names one; it is how Onehour shows how much
// of the business ran without its owner.
import { z } from 'zod';

export const actorKinds = ['owner', 'assistant', 'automation', 'customer', 'system'] as const;
export type ActorKind = (typeof actorKinds)[number];

export type Actor =
  | { kind: 'owner'; id: string; label?: string }
  /** any staff member other than the owner: admins and the support/content/marketing roles */
  | { kind: 'assistant'; id: string; role: string; label?: string }
  | { kind: 'automation'; id: string; label?: string }
  | { kind: 'customer'; id: string; label?: string }
  | { kind: 'system'; label?: string };

export const systemActor: Actor = { kind: 'system' };

/** `owner`, `assistant:<id>`, `automation:<id>`, `customer:<id>` or `system`. */
export function formatActor(actor: Actor): string {
  return actor.kind === 'owner' || actor.kind === 'system' ? actor.kind : `${actor.kind}:${actor.id}`;
}

export function actorColumns(actor: Actor) {
  return {
    actorKind: actor.kind,
    actorId: actor.kind === 'system' ? null : actor.id,
    actorRole: actor.kind === 'owner' ? 'owner' : actor.kind === 'assistant' ? actor.role : null,
  };
}

export const actorKindSchema = z.enum(actorKinds);
