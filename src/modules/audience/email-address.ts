// The one email-address check of every edge: imports, forms, the API, checkout, sign-in links,
// team invitations, mail settings. Deliberately practical (deliverability is proven by double
// opt-in, not here), but strict about what would be mailed wrongly or deceive a reader:
//
// - one @; a local part of 1–64 ASCII characters (RFC 5321 dot-atom: letters, digits and
//   !#$%&'*+/=?^_`{|}~.- ; no leading, trailing or double dot). Non-ASCII before the @
//   (SMTPUTF8 / EAI addresses) is refused: most receiving servers cannot take it and a
//   lookalike there cannot be told apart from the real thing.
// - a domain of dot-separated labels (1–63 letters, digits or hyphens, no hyphen at either end),
//   no trailing dot, a top-level label of 2+ characters that is not all digits.
// - internationalised domains (IDN: münchen.de, пример.рф, 例え.jp) are accepted when every
//   letter of the domain is of one script (Latin, or Cyrillic, or Greek …, Japanese and Korean
//   with Han as their writing systems mix them) and the domain is already in its canonical
//   form (what IDNA maps it to, e.g. no full-width letters). A Cyrillic "а" in "pаypal.com" mixes
//   Cyrillic with Latin and is refused.
import { domainToASCII, domainToUnicode } from 'node:url';
import { z } from 'zod';

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[\p{L}\p{M}\p{Nd}](?:[\p{L}\p{M}\p{Nd}-]{0,61}[\p{L}\p{M}\p{Nd}])?$/u;

const SCRIPTS: [string, RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Han', /\p{Script=Han}/u],
  ['Hiragana', /\p{Script=Hiragana}/u],
  ['Katakana', /\p{Script=Katakana}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Bopomofo', /\p{Script=Bopomofo}/u],
];

// UTS #39 "highly restrictive": one script, or Han with the scripts written alongside it.
const ALLOWED_MIXES = [new Set(['Han', 'Hiragana', 'Katakana']), new Set(['Han', 'Bopomofo']), new Set(['Han', 'Hangul'])];

function scriptOf(ch: string): string {
  for (const [name, re] of SCRIPTS) if (re.test(ch)) return name;
  return 'Other';
}

/** Why the address cannot be used, in words a person can act on; null when it is fine. */
export function emailAddressProblem(input: string): string | null {
  const e = input.trim();
  if (e === '') return 'no email address';
  if (e.length > 254) return 'the address is longer than 254 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(e)) return 'the address contains a space or a line break';
  const at = e.lastIndexOf('@');
  if (at < 0) return 'the address is missing the @';
  if (e.indexOf('@') !== at) return 'the address has more than one @';
  const local = e.slice(0, at);
  const domain = e.slice(at + 1);
  if (!local) return 'nothing before the @';
  if (!domain) return 'nothing after the @';
  if (local.length > 64) return 'the part before the @ is longer than 64 characters';
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(local)) return 'the part before the @ has non-ASCII characters (look-alike letters, or an address most mail servers cannot take)';
  if (!LOCAL.test(local)) return 'the part before the @ has characters or dots an address cannot have';
  if (domain.endsWith('.')) return 'the domain ends with a dot';
  const labels = domain.split('.');
  if (labels.length < 2) return 'the domain has no dot (like example.com)';
  if (labels.some((l) => l === '')) return 'the domain has an empty part (two dots in a row)';
  for (const l of labels) if (!LABEL.test(l)) return `"${l}" is not a valid part of a domain`;
  const tld = labels[labels.length - 1]!;
  if (tld.length < 2 || /^\d+$/.test(tld)) return 'the domain does not end in a real top-level domain';
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(domain)) {
    const scripts = new Set([...domain].filter((c) => /\p{L}/u.test(c)).map(scriptOf));
    if (scripts.has('Other')) return 'the domain has letters of an alphabet that is not accepted';
    const hanMix = ALLOWED_MIXES.some((mix) => [...scripts].every((s) => mix.has(s) || s === 'Latin'));
    if (scripts.size > 1 && !hanMix) return `the domain mixes alphabets (${[...scripts].join(' and ')}): look-alike letters`;
    const ascii = domainToASCII(domain);
    if (!ascii || domainToUnicode(ascii) !== domain.normalize('NFC').toLowerCase()) return 'the domain is not written the way it is registered (look-alike or full-width letters)';
  }
  return null;
}

export function isValidEmail(email: string): boolean {
  return typeof email === 'string' && emailAddressProblem(email) === null;
}

/** The same check as a zod schema, for request bodies: trimmed, and a 400 with the reason. */
export const emailAddressSchema = z
  .string()
  .trim()
  .max(320)
  .superRefine((v, ctx) => {
    const why = emailAddressProblem(v);
    if (why) ctx.addIssue({ code: 'custom', message: `Enter a valid email address (${why})` });
  });
