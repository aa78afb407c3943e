// The audience's shared vocabulary: its row types, email rules, the inputs of contact writes
// and what the service is built with. The service, forms and imports all build on it; it
// imports none of them (so they do not import each other in a circle).
import type { Actor } from '../../actor.js';
import type { Signer } from '../../crypto.js';
import type { DbOrTx, Tx } from '../../db/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import { invalid } from '../../errors.js';
import type { consentRecords, contacts, lists, tags, ConsentKind, ContactStatus } from './schema.js';
import { fieldKeySchema } from './contract.js';
import { emailAddressProblem, isValidEmail } from './email-address.js';

export type Contact = typeof contacts.$inferSelect;
export type ContactList = typeof lists.$inferSelect;
export type Tag = typeof tags.$inferSelect;
export type ConsentRecord = typeof consentRecords.$inferSelect;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export { isValidEmail };

/** The one place a bad address is explained, for forms, the API and imports alike. */
export function emailProblem(email: string): string | null {
  const e = email.trim();
  if (e === '') return 'Enter your email address.';
  if (!e.includes('@')) return `"${e}" is missing the @ (an address looks like name@example.com).`;
  if (e.length > 254) return 'That email address is too long.';
  const why = emailAddressProblem(e);
  if (why) return `"${e}" is not a valid email address: ${why}. Check it for typos (an address looks like name@example.com).`;
  return null;
}

export interface UpsertContactInput {
  email: string;
  name?: string;
  source: string;
  /** status for a new contact (an existing contact keeps its status) */
  status?: ContactStatus;
  fields?: Record<string, string>;
}

/** What a person agreed to, kept as evidence. */
export interface ConsentInput {
  contactId: string | null;
  kind: ConsentKind;
  statement?: string;
  formId?: string | null;
  importId?: string | null;
  listIds?: string[];
  ip?: string | null;
  userAgent?: string | null;
  actor: Actor;
  occurredAt?: Date;
}

export interface AudienceMailer {
  /** Queues a transactional message in `tx` (confirmation links, lead magnets). */
  queueInTx(tx: Tx, message: { to: string; subject: string; text: string; html?: string; tag: string; contactId?: string }): Promise<unknown>;
}

export interface AudienceSettings {
  publicUrl: string;
  dataDir: string;
  /** largest CSV accepted for import, bytes */
  importMaxBytes: number;
  /** largest lead-magnet file, bytes */
  leadMagnetMaxBytes: number;
  /** rows per import transaction */
  importChunkRows: number;
}

export interface AudienceDeps {
  mailer: AudienceMailer;
  jobs: JobQueue;
  signer: Signer;
  settings: AudienceSettings;
  /** called in the transaction of every form change (pages that embed a form render it) */
  onFormsChangedInTx?: (tx: Tx) => Promise<void>;
}

export function cleanFields(fields: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields ?? {})) {
    const key = fieldKeySchema.safeParse(k);
    if (!key.success) throw invalid(`"${k}" cannot be a field name: use lower-case letters, digits and _`, { field: 'fields' });
    out[key.data] = String(v).slice(0, 2000);
  }
  return out;
}

/** The contact writes forms and imports make (AudienceService implements it). */
export interface ContactWriter {
  upsertContact(db: DbOrTx, input: UpsertContactInput): Promise<{ contact: Contact; created: boolean }>;
  recordConsent(db: DbOrTx, input: ConsentInput): Promise<void>;
  subscribeToListsInTx(
    tx: Tx,
    input: { contactId: string; listIds: string[]; actor: Actor; via: string; formId?: string; /** false: the caller records its own event */ recordEvent?: boolean },
  ): Promise<string[]>;
  tagContactInTx(tx: Tx, contactId: string, tagIds: string[], actor: Actor): Promise<number>;
}
