// The team and sign-in API's shapes: the zod schemas its routes validate responses with, and
// the types the admin app uses for them (web/admin/src/api.ts imports these types only, so no
// zod reaches the browser). Plain data: no server code may be imported here.
import { z } from 'zod';
import type { Wire } from '../../wire.js';
import { assignableRoles, permissionMatrix, roles, type Permission } from '../../permissions.js';

const permissions = Object.keys(permissionMatrix) as [Permission, ...Permission[]];

export const userShape = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  twoFactorEnabled: z.boolean(),
  createdAt: z.date(),
});
export const sessionStateShape = z.object({
  user: userShape.nullable(),
  csrfToken: z.string().nullable(),
  twoFactorRequired: z.boolean(),
  needsSetup: z.boolean(),
  permissions: z.array(z.enum(permissions)),
});
export const invitationShape = z.object({ id: z.string(), email: z.string(), role: z.enum(assignableRoles), createdAt: z.date(), expiresAt: z.date() });
export const invitationPeekShape = invitationShape.pick({ email: true, role: true, expiresAt: true });
export const apiKeyShape = z.object({ id: z.string(), name: z.string(), role: z.enum(assignableRoles), prefix: z.string(), createdAt: z.date(), lastUsedAt: z.date().nullable() });
export const deviceSessionShape = z.object({ id: z.string(), createdAt: z.date(), lastSeenAt: z.date(), expiresAt: z.date(), ip: z.string().nullable(), userAgent: z.string().nullable(), current: z.boolean() });

export type User = Wire<z.output<typeof userShape>>;
export type SessionState = Wire<z.output<typeof sessionStateShape>>;
export type Invitation = Wire<z.output<typeof invitationShape>>;
export type InvitationPeek = Wire<z.output<typeof invitationPeekShape>>;
export type ApiKey = Wire<z.output<typeof apiKeyShape>>;
export type DeviceSession = Wire<z.output<typeof deviceSessionShape>>;

/** GET /api/me/sessions: your signed-in devices (an API key has none). */
export const deviceSessionsShape = z.object({ sessions: z.array(deviceSessionShape) });
/** POST /api/me/sessions/revoke-others: how many sessions ended. */
export const revokedSessionsShape = z.object({ revoked: z.number() });
/** POST /api/me/two-factor/begin: the secret and otpauth URI for the authenticator app (enrolment only). */
export const twoFactorBeginShape = z.object({ secret: z.string(), uri: z.string() });
/** GET /api/team */
export const teamShape = z.object({ members: z.array(userShape), invitations: z.array(invitationShape) });
/** POST /api/team/invitations: the invitation and its single-use link (also mailed). */
export const invitedShape = z.object({ invitation: invitationShape, link: z.string() });
/** GET /api/api-keys (no key itself: it is shown once, at creation) */
export const apiKeysShape = z.object({ apiKeys: z.array(apiKeyShape) });
/** POST /api/api-keys: the key, in this answer only, and its record. */
export const apiKeyCreatedShape = z.object({ key: z.string(), apiKey: apiKeyShape });

export type DeviceSessions = Wire<z.output<typeof deviceSessionsShape>>;
export type RevokedSessions = z.output<typeof revokedSessionsShape>;
export type TwoFactorBegin = z.output<typeof twoFactorBeginShape>;
export type Team = Wire<z.output<typeof teamShape>>;
export type Invited = Wire<z.output<typeof invitedShape>>;
export type ApiKeys = Wire<z.output<typeof apiKeysShape>>;
export type ApiKeyCreated = Wire<z.output<typeof apiKeyCreatedShape>>;
