// Customer identity: passwordless sign-in by magic link, and customer sessions. The portal
// pages that other modules contribute (purchases, downloads, courses) sit behind it.
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import { randomToken, sha256 } from '../../crypto.js';
import type { Database, DbOrTx, Tx } from '../../db/client.js';
import type { EventLog } from '../../db/events.js';
import { DomainError } from '../../errors.js';
import { safeRedirectPath } from '../../safe-redirect.js';
import type { AudienceService, Contact } from '../audience/index.js';
import type { MailService } from '../mail/index.js';
import { customerSessions, magicLinks } from './schema.js';

const LINK_TTL_MS = 30 * 60_000;
const SESSION_TTL_MS = 30 * 86_400_000;

export interface CustomerSession {
  sessionId: string;
  csrfToken: string;
  contact: Pick<Contact, 'id' | 'email' | 'name'>;
}

/** Only same-site paths may be a post-sign-in destination (no open redirects). */
export function safeNext(next: string | undefined): string {
  return safeRedirectPath(next, '/account');
}

export class PortalService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly audience: AudienceService,
    private readonly mail: MailService,
    private readonly publicUrl: string,
  ) {}

  /** Creates a single-use sign-in link for a contact, inside the caller's transaction. */
  async createMagicLinkInTx(tx: DbOrTx, contactId: string, next?: string): Promise<string> {
    const token = randomToken(32);
    const now = this.clock.now();
    await tx.insert(magicLinks).values({ contactId, tokenHash: sha256(token), next: safeNext(next), createdAt: now, expiresAt: new Date(now.getTime() + LINK_TTL_MS) });
    return `${this.publicUrl}/account/magic?token=${token}`;
  }

  /** Mails a sign-in link in `tx` (receipts use this to include one). */
  async mailMagicLinkInTx(tx: Tx, contact: Pick<Contact, 'id' | 'email'>, next?: string): Promise<void> {
    const link = await this.createMagicLinkInTx(tx, contact.id, next);
    await this.mail.queueTransactionalInTx(tx, {
      to: contact.email,
      contactId: contact.id,
      secrets: [new URL(link).searchParams.get('token')!],
      tag: 'portal.magic_link',
      subject: 'Your sign-in link',
      text: `Here is your link to sign in to your account:\n\n${link}\n\nIt works once, for 30 minutes. If you did not ask for it, ignore this email.`,
    });
  }

  /**
   * The sign-in form's work: mails a link when the address belongs to a known contact. Runs in
   * the `portal.sign-in-request` job, never in the request, so the visitor sees the same
   * answer, in the same time, either way: the form does not reveal who is a customer.
   */
  async requestSignIn(email: string, next?: string): Promise<void> {
    const contact = await this.audience.findByEmail(this.database.db, email);
    if (!contact) return;
    await this.database.transaction((tx) => this.mailMagicLinkInTx(tx, contact, next));
  }

  /** Exchanges a link for a session. Single use: a second use finds the link spent. */
  async consumeMagicLink(token: string, meta: { ip?: string; userAgent?: string }): Promise<{ token: string; next: string; session: CustomerSession }> {
    const now = this.clock.now();
    return this.database.transaction(async (tx) => {
      const [link] = await tx
        .update(magicLinks)
        .set({ usedAt: now })
        .where(and(eq(magicLinks.tokenHash, sha256(token)), isNull(magicLinks.usedAt), gt(magicLinks.expiresAt, now)))
        .returning();
      if (!link) throw new DomainError('invalid_token', 'This sign-in link has expired or was already used. Ask for a new one below.');
      const contact = await this.audience.getContact(tx, link.contactId);
      const opened = await this.openSession(tx, contact, meta);
      await this.events.recordInTx(tx, { type: 'customer.signed_in', actor: { kind: 'customer', id: contact.id }, subject: { type: 'contact', id: contact.id } });
      return { ...opened, next: safeNext(link.next) };
    });
  }

  /** Opens a session directly (right after checkout, and in tests). */
  async openSession(db: DbOrTx, contact: Pick<Contact, 'id' | 'email' | 'name'>, meta: { ip?: string; userAgent?: string } = {}) {
    const token = randomToken(32);
    const now = this.clock.now();
    const csrfToken = randomToken(24);
    await db.insert(customerSessions).values({
      id: sha256(token),
      contactId: contact.id,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    });
    return { token, session: { sessionId: sha256(token), csrfToken, contact: { id: contact.id, email: contact.email, name: contact.name } } };
  }

  async resolveSession(token: string | undefined): Promise<CustomerSession | null> {
    if (!token || token.length > 200) return null;
    const id = sha256(token);
    const db = this.database.db;
    const [session] = await db
      .select()
      .from(customerSessions)
      .where(and(eq(customerSessions.id, id), gt(customerSessions.expiresAt, this.clock.now())))
      .limit(1);
    if (!session) return null;
    // The contact is audience's: read through its service (the session row's foreign key keeps it there).
    const contact = await this.audience.findById(db, session.contactId);
    if (!contact) return null;
    return { sessionId: id, csrfToken: session.csrfToken, contact: { id: contact.id, email: contact.email, name: contact.name } };
  }

  async signOut(sessionId: string): Promise<void> {
    await this.database.db.delete(customerSessions).where(eq(customerSessions.id, sessionId));
  }
}
