// A lean RFC 5322 / MIME builder for what Onehour sends: a plain-text part and an optional
// HTML part, a handful of headers. Built as one string per message (no streams), because a
// broadcast builds hundreds of these per second; nodemailer's composer costs ~5x more.
import { randomBytes } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { encodeWords } from 'nodemailer/lib/mime-funcs/index.js';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { invalid } from '../../errors.js';
import { isValidEmail } from '../audience/index.js';

/** One mailbox: a display name (any text, the recipient's own name) and an address. */
export interface Mailbox {
  name: string;
  address: string;
}

export interface MimeMessage {
  /** a single mailbox, `Name <a@b>` or `a@b` (a setting, checked by parseMailbox) */
  from: string;
  /** the recipient, name and address apart: never parsed out of a string */
  to: string | Mailbox;
  subject: string;
  /** with angle brackets: <id@domain> */
  messageId: string;
  date: Date;
  text: string;
  html?: string | null;
  /** a single mailbox, like from */
  replyTo?: string;
  /** extra headers in order (List-Unsubscribe, List-Id, Feedback-ID …) */
  headers?: [string, string][];
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x20-\x7e]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** nodemailer's own header encoder (quoting, encoded-words, punycode); it keeps no state per call. */
const encoder = new (MimeNode as unknown as new () => { encodeHeaderValue(key: string, value: unknown): string })();

/**
 * A setting that must be exactly one mailbox (From, Reply-To): `Name <a@b>` or `a@b`, no line
 * breaks or control characters, no second address, no group, and an address that passes the
 * one address check. Returns null when it is not.
 */
export function parseMailbox(value: string, opts: { strict?: boolean } = { strict: true }): Mailbox | null {
  if (typeof value !== 'string' || CONTROL.test(value) || value.length > 300) return null;
  const parsed = addressparser(value) as { name?: string; address?: string; group?: unknown[] }[];
  if (parsed.length !== 1) return null;
  const [m] = parsed;
  if (!m?.address || m.group) return null;
  // Strict (what an admin sets): the one address check. Otherwise (compose time, where the
  // configured default may be a local hello@localhost): one plain addr-spec, nothing more.
  if (opts.strict ? !isValidEmail(m.address) : !/^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/.test(m.address)) return null;
  return { name: (m.name ?? '').trim(), address: m.address };
}

/** Why a From / Reply-To setting is refused, or null when it is one mailbox. */
export function mailboxProblem(value: string): string | null {
  if (CONTROL.test(value)) return 'must be on one line (no line breaks or control characters)';
  if (!parseMailbox(value)) return 'must be one address, like "Shop name <hello@example.com>" or hello@example.com';
  return null;
}

/** One mailbox as a header value, encoded by nodemailer: `"Name" <a@b>`, `=?UTF-8?Q?…?= <a@b>`. */
export function formatMailbox(m: Mailbox): string {
  // Line breaks and control characters in a name are never wanted, even encoded.
  const name = m.name.replace(/[\x00-\x1f\x7f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return encoder.encodeHeaderValue('To', { name, address: m.address });
}

function settingMailbox(value: string, what: string): Mailbox {
  const m = parseMailbox(value, { strict: false });
  if (!m) throw invalid(`The ${what} address must be one address on one line, like "Shop name <hello@example.com>"`);
  return m;
}

/** The bare address of `Name <a@b>` (or of `a@b`). */
export function bareAddress(value: string): string {
  const [parsed] = addressparser(value) as { address?: string }[];
  return parsed?.address ?? value.trim();
}

export function domainOf(address: string): string {
  const at = bareAddress(address).lastIndexOf('@');
  return at >= 0 ? bareAddress(address).slice(at + 1).toLowerCase() : 'localhost';
}

/** Folds an unstructured or address header at spaces so lines stay under 78 characters where they can. */
function foldAtSpaces(line: string): string {
  if (line.length <= 78) return line;
  const out: string[] = [];
  let rest = line;
  while (rest.length > 78) {
    const cut = rest.lastIndexOf(' ', 77);
    if (cut <= 0) break;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out.join('\r\n');
}

function headerValue(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  return ASCII.test(clean) ? clean : encodeWords(clean, 'Q', 52);
}

/** Folds a long structured header value at ", " so no line passes 78 characters where it can be helped. */
function fold(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78 || !value.includes(', ')) return line;
  return `${name}: ${value.split(', ').join(',\r\n ')}`;
}

/**
 * Quoted-printable (RFC 2045) with regexes over the UTF-8 bytes instead of a loop per
 * character: several times faster than a general encoder on mostly-ASCII mail.
 */
export function quotedPrintable(content: string): string {
  const bytes = Buffer.from(content.replace(/\r?\n/g, '\n'), 'utf8').toString('latin1');
  const lines = bytes.split('\n');
  const out: string[] = [];
  for (const line of lines) {
    let enc = line.replace(/[^\t\x20-\x3c\x3e-\x7e]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    // Space or tab at the end of a line would be lost in transit.
    enc = enc.replace(/[\t ]$/, (c) => (c === ' ' ? '=20' : '=09'));
    while (enc.length > 76) {
      let cut = 75;
      // Never split an =XX escape.
      const eq = enc.lastIndexOf('=', cut);
      if (eq > cut - 3) cut = eq;
      out.push(enc.slice(0, cut) + '=');
      enc = enc.slice(cut);
    }
    out.push(enc);
  }
  return out.join('\r\n');
}

function body(content: string): string {
  return quotedPrintable(content);
}

/** The whole message, CRLF line ends, ready for DKIM signing and SMTP. */
export function buildMime(m: MimeMessage): string {
  const lines: string[] = [
    foldAtSpaces(`From: ${formatMailbox(settingMailbox(m.from, 'From'))}`),
    foldAtSpaces(`To: ${formatMailbox(typeof m.to === 'string' ? settingMailbox(m.to, 'To') : m.to)}`),
    `Subject: ${headerValue(m.subject)}`,
    `Date: ${m.date.toUTCString().replace(/GMT$/, '+0000')}`,
    `Message-ID: ${m.messageId}`,
  ];
  if (m.replyTo) lines.push(foldAtSpaces(`Reply-To: ${formatMailbox(settingMailbox(m.replyTo, 'Reply-To'))}`));
  for (const [name, value] of m.headers ?? []) lines.push(fold(name, value.replace(/[\r\n]+/g, ' ')));
  lines.push('MIME-Version: 1.0');
  if (!m.html) {
    lines.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', body(m.text));
    return lines.join('\r\n') + '\r\n';
  }
  const boundary = `----=_oh_${randomBytes(12).toString('hex')}`;
  lines.push(
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    body(m.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    body(m.html),
    `--${boundary}--`,
  );
  return lines.join('\r\n') + '\r\n';
}
