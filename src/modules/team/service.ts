// Staff accounts: the owner, admins and assistants. Passwords are argon2id hashes; sessions
// live in the database (several processes share them) and are keyed by the sha256 of the
// cookie token; every write is an event with its actor.
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { and, asc, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import type { Actor } from '../../actor.js';
import type { Clock } from '../../clock.js';
import { randomToken, sha256 } from '../../crypto.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { DomainError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import { assignableRoles, type AssignableRole, type Role } from '../../permissions.js';
import { checkPassword } from './password-policy.js';
import { apiKeys, invitations, passwordResets, sessions, users } from './schema.js';

const INVITATION_TTL_MS = 7 * 86_400_000;
const RESET_TTL_MS = 60 * 60_000;
const SESSION_TOUCH_MS = 60_000;
const TWO_FACTOR_ROLES: readonly Role[] = ['owner', 'admin'];
/** wrong codes one pending sign-in may give before it ends (the password is needed again) */
export const MAX_TWO_FACTOR_FAILURES = 5;

/** The one answer to a failed sign-in, whatever failed: unknown email, wrong password, locked account. */
function wrongCredentials(): DomainError {
  return new DomainError('unauthenticated', 'The email or password is not right');
}

/** How the team module sends its mail (invitations, resets): into the transactional queue. */
export interface TeamMailer {
  /** `secrets`: the tokens the text carries, never stored readable (the mail module seals them) */
  queueInTx(tx: Tx, message: { to: string; subject: string; text: string; tag: string; secrets?: string[] }): Promise<void>;
  /** The business's name (brand settings), for staff mail where the business is speaking; read before a transaction opens. */
  businessName?(): Promise<string>;
}

export interface TeamSettings {
  publicUrl: string;
  sessionTtlHours: number;
  loginMaxAttempts: number;
  loginLockoutMinutes: number;
  issuer: string;
}

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  twoFactorEnabled: boolean;
  createdAt: Date;
}

export interface SessionView {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface AuthenticatedSession {
  user: UserView;
  sessionId: string;
  csrfToken: string;
  pendingTwoFactor: boolean;
}

type UserRow = typeof users.$inferSelect;

function toView(u: UserRow): UserView {
  return { id: u.id, email: u.email, name: u.name, role: u.role as Role, twoFactorEnabled: u.totpEnabled, createdAt: u.createdAt };
}

export function actorForUser(user: Pick<UserView, 'id' | 'role' | 'email'>): Actor {
  return user.role === 'owner'
    ? { kind: 'owner', id: user.id, label: user.email }
    : { kind: 'assistant', id: user.id, role: user.role, label: user.email };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class TeamService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly settings: TeamSettings,
    private readonly mailer: TeamMailer,
  ) {}

  private get db() {
    return this.database.db;
  }

  // ---- owner & setup -------------------------------------------------------------------

  async hasOwner(): Promise<boolean> {
    const [row] = await this.db.select({ id: users.id }).from(users).where(eq(users.role, 'owner')).limit(1);
    return Boolean(row);
  }

  /** Creates the one owner account. Refused once an owner exists. */
  async createOwner(input: { email: string; name: string; password: string }): Promise<UserView> {
    checkPassword(input.password);
    const passwordHash = await argonHash(input.password);
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      // The unique partial index on role='owner' makes a concurrent second setup fail here.
      const inserted = await tx
        .insert(users)
        .values({ email: normaliseEmail(input.email), name: input.name.trim(), role: 'owner', passwordHash, createdAt: now, passwordChangedAt: now })
        .onConflictDoNothing()
        .returning();
      const row = inserted[0];
      if (!row) throw conflict('Onehour already has an owner; sign in instead');
      await this.events.recordInTx(tx, {
        type: 'user.created',
        actor: { kind: 'system' },
        subject: { type: 'user', id: row.id },
        data: { role: 'owner', email: row.email },
      });
      return toView(row);
    });
  }

  // ---- sign-in -------------------------------------------------------------------------

  async login(input: { email: string; password: string; ip?: string; userAgent?: string }): Promise<{ token: string; session: AuthenticatedSession }> {
    const email = normaliseEmail(input.email);
    const [user] = await this.db.select().from(users).where(sql`lower(${users.email}) = ${email}`).limit(1);
    const now = this.clock.now();
    if (!user || user.disabledAt) {
      // Spend the same time as a real check so response time does not reveal which emails exist.
      await argonVerify('$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0000000000000000000000000000000000000000000', input.password).catch(() => false);
      throw wrongCredentials();
    }
    const ok = await argonVerify(user.passwordHash, input.password).catch(() => false);
    // A locked account answers exactly like a wrong password (same status, same body, same
    // work done): telling them apart would confirm both that the address exists and that
    // the guess was right.
    if (user.lockedUntil && user.lockedUntil > now) throw wrongCredentials();
    if (!ok) {
      await this.database.transaction((tx) => this.countFailedSignIn(tx, user.id, input.ip));
      throw wrongCredentials();
    }
    const pendingTwoFactor = user.totpEnabled;
    // With two-factor on, the password alone proves nothing yet: the failure count is cleared
    // only once the code is right too, so wrong codes keep adding up towards the lockout.
    if (!pendingTwoFactor) await this.db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
    const { token, session } = await this.openSession(user, { ip: input.ip, userAgent: input.userAgent, pendingTwoFactor });
    if (!pendingTwoFactor) await this.recordSignIn(user, input.ip);
    return { token, session };
  }

  /**
   * One more failed sign-in (a wrong password or a wrong two-factor code). Counted in one
   * statement so concurrent guesses cannot slip past the limit; at the limit the account
   * locks and its half-finished sign-ins end. Returns whether the account is now locked.
   */
  private async countFailedSignIn(tx: Tx, userId: string, ip?: string): Promise<boolean> {
    const [row] = await tx
      .update(users)
      .set({ failedLogins: sql`${users.failedLogins} + 1` })
      .where(eq(users.id, userId))
      .returning({ failed: users.failedLogins });
    if (!row || row.failed < this.settings.loginMaxAttempts) return false;
    const until = new Date(this.clock.now().getTime() + this.settings.loginLockoutMinutes * 60_000);
    await tx.update(users).set({ failedLogins: 0, lockedUntil: until }).where(eq(users.id, userId));
    await tx.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.pendingTwoFactor, true)));
    await this.events.recordInTx(tx, {
      type: 'user.locked_out',
      actor: { kind: 'system' },
      subject: { type: 'user', id: userId },
      data: { ip: ip ?? null, minutes: this.settings.loginLockoutMinutes },
    });
    return true;
  }

  private async recordSignIn(user: UserRow, ip?: string): Promise<void> {
    await this.database.transaction((tx) =>
      this.events.recordInTx(tx, { type: 'user.signed_in', actor: actorForUser(user), subject: { type: 'user', id: user.id }, data: { ip: ip ?? null } }),
    );
  }

  /** A new session id every time: a session fixed before sign-in never becomes authenticated. */
  private async openSession(
    user: UserRow,
    opts: { ip?: string; userAgent?: string; pendingTwoFactor: boolean },
    tx?: Tx,
  ): Promise<{ token: string; session: AuthenticatedSession }> {
    const token = randomToken(32);
    const id = sha256(token);
    const now = this.clock.now();
    const csrfToken = randomToken(24);
    await (tx ?? this.db).insert(sessions).values({
      id,
      userId: user.id,
      csrfToken,
      pendingTwoFactor: opts.pendingTwoFactor,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + (opts.pendingTwoFactor ? 10 * 60_000 : this.settings.sessionTtlHours * 3_600_000)),
      ip: opts.ip ?? null,
      userAgent: opts.userAgent?.slice(0, 300) ?? null,
    });
    return { token, session: { user: toView(user), sessionId: id, csrfToken, pendingTwoFactor: opts.pendingTwoFactor } };
  }

  /** The session behind a cookie token, or null if unknown, expired or the user is disabled. */
  async resolveSession(token: string): Promise<AuthenticatedSession | null> {
    if (!token || token.length > 200) return null;
    const id = sha256(token);
    const now = this.clock.now();
    const [row] = await this.db
      .select({ s: sessions, u: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
      .limit(1);
    if (!row) return null;
    if (now.getTime() - row.s.lastSeenAt.getTime() > SESSION_TOUCH_MS) {
      await this.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
    }
    return { user: toView(row.u), sessionId: id, csrfToken: row.s.csrfToken, pendingTwoFactor: row.s.pendingTwoFactor };
  }

  /**
   * Second step of sign-in: the TOTP code turns the pending session into a full one (under a
   * new id). Each wrong code counts towards the account lockout; after
   * MAX_TWO_FACTOR_FAILURES wrong codes the pending sign-in ends and the password is needed again.
   */
  async completeTwoFactor(sessionId: string, code: string, meta: { ip?: string; userAgent?: string }) {
    const now = this.clock.now();
    const [row] = await this.db
      .select({ s: sessions, u: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, sessionId), eq(sessions.pendingTwoFactor, true), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
      .limit(1);
    if (!row || !row.u.totpSecret || (row.u.lockedUntil && row.u.lockedUntil > now)) {
      if (row) await this.db.delete(sessions).where(eq(sessions.id, sessionId));
      throw new DomainError('unauthenticated', 'Sign in again: this sign-in has expired');
    }
    if (!(await this.spendTotp(row.u, code))) {
      const ended = await this.database.transaction(async (tx) => {
        const [counted] = await tx
          .update(sessions)
          .set({ twoFactorFailures: sql`${sessions.twoFactorFailures} + 1` })
          .where(eq(sessions.id, sessionId))
          .returning({ failures: sessions.twoFactorFailures });
        const locked = await this.countFailedSignIn(tx, row.u.id, meta.ip);
        const spent = !counted || counted.failures >= MAX_TWO_FACTOR_FAILURES;
        if (spent && !locked) await tx.delete(sessions).where(eq(sessions.id, sessionId));
        return spent || locked;
      });
      if (ended) throw new DomainError('unauthenticated', 'Too many wrong codes. Sign in again with your password.', { signInAgain: true });
      throw new DomainError('unauthenticated', 'That code is not right. Use the current 6-digit code from your authenticator app.');
    }
    await this.db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, row.u.id));
    await this.db.delete(sessions).where(eq(sessions.id, sessionId));
    const opened = await this.openSession(row.u, { ...meta, pendingTwoFactor: false });
    await this.recordSignIn(row.u, meta.ip);
    return opened;
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.id, sessionId));
  }

  async listSessions(userId: string, currentSessionId: string): Promise<SessionView[]> {
    const rows = await this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, this.clock.now()), eq(sessions.pendingTwoFactor, false)))
      .orderBy(desc(sessions.lastSeenAt));
    return rows.map((s) => ({
      // The list shows a short handle, never the stored id: it must not be usable as a cookie
      // and need not reveal the hash either.
      id: s.id.slice(0, 16),
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      expiresAt: s.expiresAt,
      ip: s.ip,
      userAgent: s.userAgent,
      current: s.id === currentSessionId,
    }));
  }

  async revokeSession(userId: string, handle: string, actor: Actor): Promise<void> {
    if (!/^[0-9a-f]{16}$/.test(handle)) throw notFound('Session');
    const deleted = await this.database.transaction(async (tx) => {
      const rows = await tx
        .delete(sessions)
        .where(and(eq(sessions.userId, userId), sql`left(${sessions.id}, 16) = ${handle}`))
        .returning({ id: sessions.id });
      if (rows.length) await this.events.recordInTx(tx, { type: 'session.revoked', actor, subject: { type: 'user', id: userId } });
      return rows.length;
    });
    if (!deleted) throw notFound('Session');
  }

  async revokeOtherSessions(userId: string, keepSessionId: string): Promise<number> {
    const rows = await this.db
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
      .returning({ id: sessions.id });
    return rows.length;
  }

  // ---- passwords -----------------------------------------------------------------------

  /** Changes the password; every session of the user ends and a fresh one is returned. */
  async changePassword(userId: string, current: string, next: string, meta: { ip?: string; userAgent?: string }) {
    checkPassword(next, 'newPassword');
    const user = await this.getUserRow(userId);
    if (!(await argonVerify(user.passwordHash, current).catch(() => false))) {
      throw invalid('The current password is not right', { field: 'currentPassword' });
    }
    const passwordHash = await argonHash(next);
    return this.database.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash, passwordChangedAt: this.clock.now() }).where(eq(users.id, userId));
      await tx.delete(sessions).where(eq(sessions.userId, userId));
      await this.events.recordInTx(tx, { type: 'user.password_changed', actor: actorForUser(user), subject: { type: 'user', id: userId } });
      return this.openSession({ ...user, passwordHash }, { ...meta, pendingTwoFactor: false }, tx);
    });
  }

  /**
   * Starts a reset and mails the link; nothing for an unknown address. Runs in the
   * `team.password-reset-request` job, never in the request, so the visitor's answer is the
   * same, in the same time, whether or not the address is on the team.
   */
  async requestPasswordReset(email: string): Promise<{ user: UserView } | null> {
    const found = await this.createPasswordReset(email);
    if (!found) return null;
    const link = `${this.settings.publicUrl}/admin/reset-password#token=${found.token}`;
    // Onehour names the admin product the password is for; the business names whose admin it is.
    const business = await this.businessName();
    await this.database.transaction((tx) =>
      this.mailer.queueInTx(tx, {
        to: found.user.email,
        secrets: [found.token],
        tag: 'team.password_reset',
        subject: 'Reset your Onehour password',
        text: `Someone asked to reset the password of ${found.user.email} on Onehour${business ? `, where you help run ${business}` : ''}.\n\nChoose a new password here (the link works once, for one hour):\n${link}\n\nIf it was not you, ignore this email: your password stays as it is.`,
      }),
    );
    return { user: found.user };
  }

  private async createPasswordReset(email: string): Promise<{ token: string; user: UserView } | null> {
    const [user] = await this.db
      .select()
      .from(users)
      .where(and(sql`lower(${users.email}) = ${normaliseEmail(email)}`, isNull(users.disabledAt)))
      .limit(1);
    if (!user) return null;
    const token = randomToken(32);
    const now = this.clock.now();
    await this.db.insert(passwordResets).values({ userId: user.id, tokenHash: sha256(token), createdAt: now, expiresAt: new Date(now.getTime() + RESET_TTL_MS) });
    return { token, user: toView(user) };
  }

  async resetPassword(token: string, password: string): Promise<UserView> {
    checkPassword(password);
    const passwordHash = await argonHash(password);
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const [reset] = await tx
        .update(passwordResets)
        .set({ usedAt: now })
        .where(and(eq(passwordResets.tokenHash, sha256(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
        .returning();
      if (!reset) throw new DomainError('invalid_token', 'This reset link is not valid any more. Ask for a new one.');
      const [user] = await tx
        .update(users)
        .set({ passwordHash, passwordChangedAt: now, failedLogins: 0, lockedUntil: null })
        .where(eq(users.id, reset.userId))
        .returning();
      await tx.delete(sessions).where(eq(sessions.userId, reset.userId));
      await this.events.recordInTx(tx, { type: 'user.password_reset', actor: actorForUser(user!), subject: { type: 'user', id: user!.id } });
      return toView(user!);
    });
  }

  /**
   * Operator reset from the CLI (someone with shell access to the server). With
   * `disableTwoFactor`, also turns two-factor off: the way back for an owner who lost their
   * authenticator.
   */
  async setPasswordByEmail(email: string, password: string, opts: { disableTwoFactor?: boolean } = {}): Promise<UserView> {
    checkPassword(password);
    const passwordHash = await argonHash(password);
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const [user] = await tx
        .update(users)
        .set({
          passwordHash,
          passwordChangedAt: now,
          failedLogins: 0,
          lockedUntil: null,
          ...(opts.disableTwoFactor ? { totpEnabled: false, totpSecret: null, totpLastStep: null } : {}),
        })
        .where(and(sql`lower(${users.email}) = ${normaliseEmail(email)}`, isNull(users.disabledAt)))
        .returning();
      if (!user) throw notFound(`A team member with the email ${email}`);
      await tx.delete(sessions).where(eq(sessions.userId, user.id));
      await this.events.recordInTx(tx, {
        type: 'user.password_reset',
        actor: { kind: 'system', label: 'cli' },
        subject: { type: 'user', id: user.id },
        data: { twoFactorDisabled: Boolean(opts.disableTwoFactor) },
      });
      return toView(user);
    });
  }

  // ---- two-factor ----------------------------------------------------------------------

  private totpFor(secret: string, email: string) {
    return new TOTP({ issuer: this.settings.issuer, label: email, secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  }

  /** The time step a valid code belongs to, or null. */
  private totpStep(secret: string, code: string, email: string): number | null {
    const clean = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(clean)) return null;
    const now = this.clock.now().getTime();
    const delta = this.totpFor(secret, email).validate({ token: clean, timestamp: now, window: 1 });
    return delta === null ? null : Math.floor(now / 30_000) + delta;
  }

  /**
   * Checks a code and spends its time step atomically: the same code (or an older one) can
   * never be used again, even by two requests racing each other.
   */
  private async spendTotp(user: UserRow, code: string): Promise<boolean> {
    if (!user.totpSecret) return false;
    const step = this.totpStep(user.totpSecret, code, user.email);
    if (step === null) return false;
    const rows = await this.db
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, user.id), sql`(${users.totpLastStep} is null or ${users.totpLastStep} < ${step})`))
      .returning({ id: users.id });
    return rows.length === 1;
  }

  /** Step 1: a new secret (not yet active) and the otpauth:// URI for the authenticator app. */
  async beginTotpEnrolment(userId: string): Promise<{ secret: string; uri: string }> {
    const user = await this.getUserRow(userId);
    if (!TWO_FACTOR_ROLES.includes(user.role as Role)) throw forbidden('Two-factor sign-in is available to the owner and admins');
    if (user.totpEnabled) throw conflict('Two-factor sign-in is already on; turn it off first to enrol a new device');
    const secret = new Secret({ size: 20 }).base32;
    await this.db.update(users).set({ totpSecret: secret, totpLastStep: null }).where(eq(users.id, userId));
    return { secret, uri: this.totpFor(secret, user.email).toString() };
  }

  /** Step 2: a valid code from the app turns two-factor on. */
  async confirmTotpEnrolment(userId: string, code: string): Promise<void> {
    const user = await this.getUserRow(userId);
    if (!user.totpSecret || user.totpEnabled) throw conflict('Start two-factor enrolment first');
    if (!(await this.spendTotp(user, code))) throw invalid('That code is not right', { field: 'code' });
    await this.database.transaction(async (tx) => {
      await tx.update(users).set({ totpEnabled: true }).where(eq(users.id, userId));
      await this.events.recordInTx(tx, { type: 'user.two_factor_enabled', actor: actorForUser(user), subject: { type: 'user', id: userId } });
    });
  }

  async disableTotp(userId: string, password: string): Promise<void> {
    const user = await this.getUserRow(userId);
    if (!(await argonVerify(user.passwordHash, password).catch(() => false))) throw invalid('The password is not right', { field: 'password' });
    await this.database.transaction(async (tx) => {
      await tx.update(users).set({ totpEnabled: false, totpSecret: null, totpLastStep: null }).where(eq(users.id, userId));
      await this.events.recordInTx(tx, { type: 'user.two_factor_disabled', actor: actorForUser(user), subject: { type: 'user', id: userId } });
    });
  }

  // ---- team members --------------------------------------------------------------------

  private async getUserRow(id: string): Promise<UserRow> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id)).limit(1);
    if (!row) throw notFound('Team member');
    return row;
  }

  async getUser(id: string): Promise<UserView> {
    return toView(await this.getUserRow(id));
  }

  /** Active team members; pass the open transaction when calling from inside one. */
  async listUsers(db: DbOrTx = this.db): Promise<UserView[]> {
    const rows = await db.select().from(users).where(isNull(users.disabledAt)).orderBy(asc(users.createdAt));
    return rows.map(toView);
  }

  private assertCanManage(actorRole: Role, target: UserRow | { role: string }): void {
    if (target.role === 'owner') throw forbidden('The owner account cannot be changed or removed by anyone else');
    if (actorRole !== 'owner' && target.role === 'admin') throw forbidden('Only the owner can change or remove an admin');
  }

  async changeRole(userId: string, role: AssignableRole, by: { actor: Actor; role: Role }): Promise<UserView> {
    if (!(assignableRoles as readonly string[]).includes(role)) throw invalid('Unknown role');
    const target = await this.getUserRow(userId);
    this.assertCanManage(by.role, target);
    if (by.role !== 'owner' && role === 'admin') throw forbidden('Only the owner can make someone an admin');
    return this.database.transaction(async (tx) => {
      const [row] = await tx.update(users).set({ role }).where(eq(users.id, userId)).returning();
      // A role change ends the person's sessions so the new permissions apply at once.
      await tx.delete(sessions).where(eq(sessions.userId, userId));
      await this.events.recordInTx(tx, { type: 'user.role_changed', actor: by.actor, subject: { type: 'user', id: userId }, data: { from: target.role, to: role } });
      return toView(row!);
    });
  }

  /** A member changes the name shown for them (bylines on the blog, the admin): `user.renamed`, so pages that show it re-render. */
  async renameUser(userId: string, name: string, actor: Actor): Promise<UserView> {
    const next = name.trim();
    if (!next || next.length > 120) throw invalid('Enter a name (120 characters at most)', { field: 'name' });
    const target = await this.getUserRow(userId);
    if (target.name === next) return toView(target);
    return this.database.transaction(async (tx) => {
      const [row] = await tx.update(users).set({ name: next }).where(eq(users.id, userId)).returning();
      await this.events.recordInTx(tx, { type: 'user.renamed', actor, subject: { type: 'user', id: userId }, data: { from: target.name, to: next } });
      return toView(row!);
    });
  }

  async removeUser(userId: string, by: { actor: Actor; role: Role; userId: string }): Promise<void> {
    if (userId === by.userId) throw forbidden('You cannot remove yourself');
    const target = await this.getUserRow(userId);
    this.assertCanManage(by.role, target);
    await this.database.transaction(async (tx) => {
      // Disabled, not deleted: events and audit entries keep pointing at a real person.
      await tx
        .update(users)
        .set({ disabledAt: this.clock.now(), email: `${target.email}#removed-${Date.now()}` })
        .where(eq(users.id, userId));
      await tx.delete(sessions).where(eq(sessions.userId, userId));
      await tx.update(apiKeys).set({ revokedAt: this.clock.now() }).where(and(eq(apiKeys.createdBy, userId), isNull(apiKeys.revokedAt)));
      await this.events.recordInTx(tx, { type: 'user.removed', actor: by.actor, subject: { type: 'user', id: userId }, data: { email: target.email, role: target.role } });
    });
  }

  // ---- invitations ---------------------------------------------------------------------

  /** Creates a single-use invitation, mails the link, and returns it (the inviter may also copy it). */
  async invite(input: { email: string; role: AssignableRole }, by: { actor: Actor; role: Role; userId: string | null; name: string }) {
    const business = await this.businessName();
    return this.database.transaction((tx) => this.inviteInTx(tx, input, by, business));
  }

  /** The business's name for staff mail, or '' (then the mail names only Onehour). */
  private async businessName(): Promise<string> {
    return ((await this.mailer.businessName?.()) ?? '').trim();
  }

  private async inviteInTx(tx: Tx, input: { email: string; role: AssignableRole }, by: { actor: Actor; role: Role; userId: string | null; name: string }, business: string) {
    if (!(assignableRoles as readonly string[]).includes(input.role)) throw invalid('Unknown role');
    if (by.role !== 'owner' && input.role === 'admin') throw forbidden('Only the owner can invite an admin');
    const email = normaliseEmail(input.email);
    const [existing] = await tx.select({ id: users.id }).from(users).where(and(sql`lower(${users.email}) = ${email}`, isNull(users.disabledAt))).limit(1);
    if (existing) throw conflict(`${email} is already on the team`);
    const now = this.clock.now();
    // A new invitation to the same address replaces any open one.
    await tx.update(invitations).set({ revokedAt: now }).where(and(eq(invitations.email, email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    const token = randomToken(32);
    const [row] = await tx
      .insert(invitations)
      .values({ email, role: input.role, tokenHash: sha256(token), invitedBy: by.userId, createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) })
      .returning();
    await this.events.recordInTx(tx, { type: 'user.invited', actor: by.actor, subject: { type: 'invitation', id: row!.id }, data: { email, role: input.role } });
    const link = `${this.settings.publicUrl}/admin/accept-invitation#token=${token}`;
    await this.mailer.queueInTx(tx, {
      to: email,
      secrets: [token],
      tag: 'team.invitation',
      // The business invites (its name, its sender); Onehour names the admin they will sign in to.
      subject: business ? `${by.name} invited you to join the ${business} team` : `${by.name} invited you to join the team on Onehour`,
      text: `${by.name} invited you to help run ${business || 'the business'} on Onehour as ${input.role}.\n\nAccept the invitation and choose a password:\n${link}\n\nThe link works once and expires in 7 days.`,
    });
    return { token, link, invitation: { id: row!.id, email, role: input.role, expiresAt: row!.expiresAt, createdAt: row!.createdAt } };
  }

  async listInvitations() {
    const rows = await this.db
      .select()
      .from(invitations)
      .where(and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, this.clock.now())))
      .orderBy(desc(invitations.createdAt));
    return rows.map((r) => ({ id: r.id, email: r.email, role: r.role, createdAt: r.createdAt, expiresAt: r.expiresAt }));
  }

  async revokeInvitation(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const rows = await tx
        .update(invitations)
        .set({ revokedAt: this.clock.now() })
        .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
        .returning({ id: invitations.id });
      if (!rows.length) throw notFound('Open invitation');
      await this.events.recordInTx(tx, { type: 'user.invitation_revoked', actor, subject: { type: 'invitation', id } });
    });
  }

  /** What the accept page shows before the person sets a password. */
  async peekInvitation(token: string) {
    const [row] = await this.db
      .select()
      .from(invitations)
      .where(and(eq(invitations.tokenHash, sha256(token)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, this.clock.now())))
      .limit(1);
    if (!row) throw new DomainError('invalid_token', 'This invitation is not valid any more. Ask the owner for a new one.');
    return { email: row.email, role: row.role, expiresAt: row.expiresAt };
  }

  /** Single use: the first accept wins, any later one finds the invitation used. */
  async acceptInvitation(token: string, input: { name: string; password: string }, meta: { ip?: string; userAgent?: string }) {
    checkPassword(input.password);
    const passwordHash = await argonHash(input.password);
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const [inv] = await tx
        .update(invitations)
        .set({ acceptedAt: now })
        .where(and(eq(invitations.tokenHash, sha256(token)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
        .returning();
      if (!inv) throw new DomainError('invalid_token', 'This invitation is not valid any more. Ask the owner for a new one.');
      const inserted = await tx
        .insert(users)
        .values({ email: inv.email, name: input.name.trim() || inv.email, role: inv.role as AssignableRole, passwordHash, createdAt: now, passwordChangedAt: now })
        .onConflictDoNothing()
        .returning();
      const user = inserted[0];
      if (!user) throw conflict(`${inv.email} is already on the team`);
      await this.events.recordInTx(tx, { type: 'user.joined', actor: actorForUser(user), subject: { type: 'user', id: user.id }, data: { role: user.role, invitationId: inv.id } });
      return this.openSession(user, { ...meta, pendingTwoFactor: false }, tx);
    });
  }

  // ---- API keys ------------------------------------------------------------------------

  async createApiKey(input: { name: string; role: AssignableRole }, by: { actor: Actor; userId: string }) {
    if (!(assignableRoles as readonly string[]).includes(input.role)) throw invalid('Unknown role');
    const secret = `oh_${randomToken(30)}`;
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(apiKeys)
        .values({ name: input.name.trim(), role: input.role, prefix: secret.slice(0, 10), keyHash: sha256(secret), createdBy: by.userId, createdAt: now })
        .returning();
      await this.events.recordInTx(tx, { type: 'apikey.created', actor: by.actor, subject: { type: 'apikey', id: row!.id }, data: { name: row!.name, role: row!.role } });
      return { key: secret, apiKey: { id: row!.id, name: row!.name, role: row!.role, prefix: row!.prefix, createdAt: row!.createdAt, lastUsedAt: null } };
    });
  }

  async listApiKeys() {
    const rows = await this.db.select().from(apiKeys).where(isNull(apiKeys.revokedAt)).orderBy(desc(apiKeys.createdAt));
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, prefix: r.prefix, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt }));
  }

  async revokeApiKey(id: string, actor: Actor): Promise<void> {
    await this.database.transaction(async (tx) => {
      const rows = await tx.update(apiKeys).set({ revokedAt: this.clock.now() }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).returning({ id: apiKeys.id });
      if (!rows.length) throw notFound('API key');
      await this.events.recordInTx(tx, { type: 'apikey.revoked', actor, subject: { type: 'apikey', id } });
    });
  }

  async resolveApiKey(secret: string): Promise<{ id: string; name: string; role: Role } | null> {
    if (!secret.startsWith('oh_') || secret.length > 100) return null;
    const [row] = await this.db.select().from(apiKeys).where(and(eq(apiKeys.keyHash, sha256(secret)), isNull(apiKeys.revokedAt))).limit(1);
    if (!row) return null;
    const now = this.clock.now();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > SESSION_TOUCH_MS) {
      await this.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
    }
    return { id: row.id, name: row.name, role: row.role as Role };
  }

  /** Housekeeping: expired sessions, used or stale tokens. */
  async pruneExpired(): Promise<{ sessions: number }> {
    const now = this.clock.now();
    const gone = await this.db.delete(sessions).where(sql`${sessions.expiresAt} < ${now}`).returning({ id: sessions.id });
    await this.db.delete(passwordResets).where(sql`${passwordResets.expiresAt} < ${now}`);
    return { sessions: gone.length };
  }
}
