// Turning a raw inbound message into what the inbox stores: the MIME tree parsed by
// mailparser, the HTML sanitised, the threading headers, the auto-reply / bulk / loop verdict
// and the sender's authentication as the receiving side reported it. Pure: no database.
import { createHash } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { invalid } from '../../errors.js';
import type { AutoKind } from './schema.js';

export interface InboundAttachment {
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

export interface AuthVerdict {
  dkim?: string;
  spf?: string;
  dmarc?: string;
  /** who reported it (the provider, or the authserv-id of a trusted Authentication-Results) */
  source?: string;
}

export interface InboundMessage {
  /** with angle brackets; a stable digest of the message when it has none */
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  threadIndex: string | null;
  from: { address: string; name: string };
  /** every recipient address seen: To, Cc, Delivered-To, X-Original-To and the envelope */
  recipients: string[];
  subject: string;
  text: string;
  html: string | null;
  date: Date | null;
  auto: AutoKind | null;
  /** number of Received headers (a message that went round a loop collects them) */
  hops: number;
  auth: AuthVerdict;
  attachments: InboundAttachment[];
}

/** More Received headers than this: a mail loop (RFC 5321 §6.3 suggests ~100; real mail has < 15). */
export const MAX_HOPS = 30;

const ID_RE = /<[^<>\s]{1,500}>/g;

function ids(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value == null ? [] : [value];
  const out: string[] = [];
  for (const v of list) for (const m of String(v).match(ID_RE) ?? []) out.push(m);
  // Bare ids (some clients drop the brackets)
  if (!out.length) for (const v of list) for (const part of String(v).split(/\s+/)) if (/^[^<>\s@]+@[^<>\s@]+$/.test(part)) out.push(`<${part}>`);
  return out;
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((o) => o.value.flatMap((v) => (v.address ? [v.address] : (v.group ?? []).flatMap((g) => (g.address ? [g.address] : [])))));
}

function header(parsed: ParsedMail, name: string): string[] {
  const out: string[] = [];
  for (const line of parsed.headerLines) if (line.key === name) out.push(line.line.slice(line.line.indexOf(':') + 1).trim());
  return out;
}

/**
 * Auto-replies and bulk mail, by their headers (RFC 3834 Auto-Submitted; the de-facto
 * Precedence, X-Autoreply, X-Autorespond, X-Auto-Response-Suppress of Exchange auto-replies,
 * List-Id / List-Unsubscribe of lists). They are stored but never answered automatically and
 * never reopen a conversation on their own.
 */
export function classifyAuto(get: (name: string) => string | undefined, subject: string): AutoKind | null {
  const autoSubmitted = get('auto-submitted')?.toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto_reply';
  if (get('x-autoreply') || get('x-autorespond') || get('x-autoresponder')) return 'auto_reply';
  const precedence = get('precedence')?.toLowerCase();
  if (precedence === 'auto_reply') return 'auto_reply';
  // Exchange marks its own automatic replies (OOF) with this and an "Automatic reply:" subject.
  if (get('x-auto-response-suppress') && /^(automatic reply|auto(matische)? ?(reply|antwort)|out of office|réponse automatique)\b/i.test(subject)) return 'auto_reply';
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') return 'bulk';
  if (get('list-id') || get('list-unsubscribe')) return 'bulk';
  return null;
}

/** DKIM / SPF / DMARC results from Authentication-Results headers written by a trusted host. */
export function parseAuthResults(values: string[], trusted: string[]): AuthVerdict {
  for (const v of values) {
    const authserv = v.split(';')[0]!.trim().split(/\s+/)[0]!.toLowerCase();
    if (!trusted.includes(authserv)) continue;
    const pick = (k: string) => new RegExp(`\\b${k}=([a-z]+)`, 'i').exec(v)?.[1]?.toLowerCase();
    return { dkim: pick('dkim'), spf: pick('spf'), dmarc: pick('dmarc'), source: authserv };
  }
  return {};
}

/** A sender whose domain's checks failed: DMARC failed, or both SPF and DKIM failed. */
export function authFailed(a: AuthVerdict): boolean {
  const bad = (v?: string) => v === 'fail' || v === 'softfail' || v === 'permerror';
  return bad(a.dmarc) || (bad(a.spf) && (bad(a.dkim) || a.dkim === 'none'));
}

/** Lower-case subject without reply/forward prefixes in the common languages and [tags]. */
export function subjectKey(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^((re|fw|fwd|aw|wg|sv|vs|antw|rif|tr|réf|ref)(\[\d+\])?\s*:|\[[^\]]{0,40}\])\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').toLowerCase().slice(0, 200);
}

/** Outlook's Thread-Index: base64 of 22 header bytes + 5 per reply; the 22 bytes name the thread. */
export function threadIndexRoot(v: string | undefined): string | null {
  if (!v) return null;
  try {
    const raw = Buffer.from(v.trim(), 'base64');
    if (raw.length < 22) return null;
    return raw.subarray(0, 22).toString('base64');
  } catch {
    return null;
  }
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'hr'],
  allowedAttributes: { a: ['href', 'title'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Remote images are tracking pixels; scripts, styles, forms and frames never reach the admin.
  disallowedTagsMode: 'discard',
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  allowedSchemesAppliedToAttributes: ['href'],
};

export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, { ...SANITIZE, allowedAttributes: { a: ['href', 'title', 'rel', 'target'] } });
}

export interface ParseOptions {
  /** envelope recipients (SMTP RCPT TO, or the provider's) */
  envelopeTo?: string[];
  /** authserv-ids whose Authentication-Results headers are believed */
  trustedAuthServ?: string[];
  /** a verdict the provider gave outside the headers (SES, SendGrid, Mailgun) */
  auth?: AuthVerdict;
}

/**
 * mailparser (and its character-set tables) is loaded with the first inbound message, not at
 * start; then kept: a dynamic import() per message still resolves the specifier each time (and
 * under a loader hook, as in the tests and benches, asks the hook's thread), ~5 % of intake's CPU.
 */
let mailparserModule: Promise<typeof import('mailparser')> | null = null;
const mailparser = () => (mailparserModule ??= import('mailparser'));

export async function parseInbound(raw: Buffer | string, opts: ParseOptions = {}): Promise<InboundMessage> {
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  if (buf.length === 0) throw invalid('The message is empty');
  if (buf.includes(0)) throw invalid('The message contains NUL bytes (not a valid RFC 5322 message)');
  let parsed: ParsedMail;
  const { simpleParser } = await mailparser();
  try {
    parsed = await simpleParser(buf, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, keepCidLinks: false });
  } catch (err) {
    throw invalid(`The message could not be read as MIME: ${(err as Error).message}`);
  }
  const from = parsed.from?.value.find((v) => v.address);
  if (!from?.address || !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(from.address)) throw invalid('The message has no valid From address');
  const get = (name: string) => {
    const v = parsed.headers.get(name);
    if (v == null) return undefined;
    return typeof v === 'string' ? v : typeof v === 'object' && 'text' in (v as object) ? String((v as { text: string }).text) : String(v);
  };
  const subject = (parsed.subject ?? '').replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 500);
  const messageId = ids(parsed.messageId)[0] ?? `<sha256.${createHash('sha256').update(buf).digest('hex').slice(0, 40)}@onehour.invalid>`;
  const recipients = [...addresses(parsed.to), ...addresses(parsed.cc), ...header(parsed, 'delivered-to'), ...header(parsed, 'x-original-to'), ...(opts.envelopeTo ?? [])]
    .map((a) => a.replace(/^<|>$/g, '').trim().toLowerCase())
    .filter(Boolean);
  const auth = opts.auth && Object.keys(opts.auth).length ? opts.auth : parseAuthResults(header(parsed, 'authentication-results'), opts.trustedAuthServ ?? []);
  const hops = header(parsed, 'received').length;
  const auto = hops > MAX_HOPS ? 'loop' : classifyAuto(get, subject);
  return {
    messageId,
    inReplyTo: ids(parsed.inReplyTo)[0] ?? null,
    references: ids(parsed.references).slice(-50),
    threadIndex: threadIndexRoot(get('thread-index')),
    from: { address: from.address.toLowerCase(), name: (from.name ?? '').replace(/[\x00-\x1f\x7f]+/g, ' ').slice(0, 200) },
    recipients: [...new Set(recipients)],
    subject,
    text: (parsed.text ?? '').slice(0, 1_000_000),
    html: typeof parsed.html === 'string' ? sanitizeMailHtml(parsed.html).slice(0, 2_000_000) : null,
    date: parsed.date ?? null,
    auto,
    hops,
    auth,
    attachments: parsed.attachments
      .filter((a) => a.contentDisposition !== 'inline' || !a.contentId || a.contentType.startsWith('application/'))
      .map((a) => ({ filename: (a.filename ?? 'attachment').replace(/[\\/\x00-\x1f]/g, '_').slice(0, 200), contentType: a.contentType, size: a.size, content: a.content })),
  };
}

/** The token of a plus address `local+<token>@domain` among the recipients, for our base address. */
export function replyTokenIn(recipients: string[], base: string): string | null {
  const [local, domain] = base.toLowerCase().split('@');
  for (const r of recipients) {
    const m = /^([^+@]+)\+([a-z0-9]{8,40})@(.+)$/.exec(r);
    if (m && m[1] === local && m[3] === domain) return m[2]!;
  }
  return null;
}
