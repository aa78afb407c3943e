// A lean RFC 5322 / MIME builder for what Onehour sends: a plain-text part and an optional
// HTML part, a handful of headers. Built as one string per message (no streams), because a
// broadcast builds hundreds of these per second; nodemailer's composer costs ~5x more.
import { randomBytes } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { encodeWords } from 'nodemailer/lib/mime-funcs/index.js';

export interface MimeMessage {
  from: string;
  to: string;
  subject: string;
  /** with angle brackets: <id@domain> */
  messageId: string;
  date: Date;
  text: string;
  html?: string | null;
  replyTo?: string;
  /** extra headers in order (List-Unsubscribe, List-Id, Feedback-ID …) */
  headers?: [string, string][];
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x20-\x7e]*$/;

/** One address as a header value: `"Name" <a@b>` with the name encoded when needed. */
export function formatAddress(value: string): string {
  const [parsed] = addressparser(value) as { name?: string; address?: string }[];
  if (!parsed?.address) return value;
  if (!parsed.name) return parsed.address;
  const name = ASCII.test(parsed.name) ? `"${parsed.name.replace(/["\\]/g, '\\$&')}"` : encodeWords(parsed.name, 'Q', 52);
  return `${name} <${parsed.address}>`;
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
    `From: ${formatAddress(m.from)}`,
    `To: ${formatAddress(m.to)}`,
    `Subject: ${headerValue(m.subject)}`,
    `Date: ${m.date.toUTCString().replace(/GMT$/, '+0000')}`,
    `Message-ID: ${m.messageId}`,
  ];
  if (m.replyTo) lines.push(`Reply-To: ${formatAddress(m.replyTo)}`);
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
