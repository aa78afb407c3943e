// What the admin shares with the server: the role names and the permission names. Both come
// from the one permission matrix (src/permissions.ts, plain data with no dependencies), so a
// new permission or role never has to be copied by hand.
export { assignableRoles, roles } from '../../../src/permissions.js';
export type { AssignableRole, Permission, Role } from '../../../src/permissions.js';

/** Who an event names as its actor (src/actor.ts; repeated here so the browser bundle does not pull in zod). */
export const actorKinds = ['owner', 'assistant', 'automation', 'customer', 'system'] as const;
export type ActorKind = (typeof actorKinds)[number];
