// The team and sign-in API's shapes: the zod schemas its routes validate responses with, and
// the types the admin app uses for them (web/admin/src/api.ts imports these types only, so no
// zod reaches the browser). Plain data: no server code may be imported here.
import { z } from 'zod';
import type { Wire } from '../../wire.js';
import { emailAddressSchema } from '../audience/contract.js';
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

// ---- what the sign-in, account and team forms send (the routes parse these very schemas) ----

const email = emailAddressSchema.toLowerCase().describe('email address');
const password = z.string().min(1, 'Enter a password').max(512);
const personName = z.string().trim().min(1, 'Enter your name').max(120);
const token = z.string().min(10).max(200);
const code = z.string().trim().min(6).max(8);
const role = z.enum(assignableRoles);
export const setupBody = z.object({ email, name: personName, password, loadDemo: z.boolean().default(false) });
/** Sign-in takes what was typed (a stored address is compared, not re-checked). */
export const loginBody = z.object({ email: z.string().trim().max(320), password });
export const codeBody = z.object({ code });
export const resetRequestBody = z.object({ email: z.string().trim().max(320) });
export const resetBody = z.object({ token, password });
export const tokenBody = z.object({ token });
export const acceptInvitationBody = z.object({ token, name: personName, password });
export const changePasswordBody = z.object({ currentPassword: password, newPassword: password });
export const renameBody = z.object({ name: personName });
export const passwordBody = z.object({ password });
export const inviteBody = z.object({ email, role });
export const roleBody = z.object({ role });
export const apiKeyBody = z.object({ name: z.string().trim().min(1).max(80), role });

export type SetupInput = z.input<typeof setupBody>;
export type LoginInput = z.input<typeof loginBody>;
export type CodeInput = z.input<typeof codeBody>;
export type ResetRequestInput = z.input<typeof resetRequestBody>;
export type ResetInput = z.input<typeof resetBody>;
export type TokenInput = z.input<typeof tokenBody>;
export type AcceptInvitationInput = z.input<typeof acceptInvitationBody>;
export type ChangePasswordInput = z.input<typeof changePasswordBody>;
export type PasswordInput = z.input<typeof passwordBody>;
export type InviteInput = z.input<typeof inviteBody>;
export type ApiKeyInput = z.input<typeof apiKeyBody>;
