// Recognising a CSV file: its delimiter and encoding, which tool exported it (Mailchimp, Kit,
// Gumroad, Teachable) and what each column most likely means. Pure functions; the import
// shows the guess and lets the person correct it before anything is written.
import { parse as parseCsv } from 'csv-parse/sync';
import type { ContactStatus } from './schema.js';

export type ImportTarget =
  | 'email'
  | 'name'
  | 'first_name'
  | 'last_name'
  | 'tags'
  | 'status'
  /** a true-ish value (yes, true, 1, x) means the person opted out */
  | 'unsubscribed_flag'
  /** any value (a date) means the person opted out (Mailchimp UNSUB_TIME) */
  | 'unsubscribed_at'
  /** any value means the address bounced (Mailchimp CLEAN_TIME) */
  | 'bounced_at'
  /** when the person became a contact (Onehour's own export): kept for contacts the file creates */
  | 'created_at'
  /** when they confirmed their address (Onehour's own export) */
  | 'confirmed_at'
  /** the lists they are on, by name (Onehour's own export): joined, and made when missing */
  | 'lists'
  | 'ignore'
  | `field:${string}`;

export const importFormats = ['onehour', 'mailchimp', 'kit', 'gumroad', 'teachable', 'generic'] as const;
export type ImportFormat = (typeof importFormats)[number];

export const formatLabels: Record<ImportFormat, string> = {
  onehour: 'Onehour contacts export',
  mailchimp: 'Mailchimp audience export',
  kit: 'Kit (ConvertKit) subscriber export',
  gumroad: 'Gumroad customers / sales export',
  teachable: 'Teachable users export',
  generic: 'CSV file',
};

const FIXED_TARGETS = new Set(['email', 'name', 'first_name', 'last_name', 'tags', 'status', 'unsubscribed_flag', 'unsubscribed_at', 'bounced_at', 'created_at', 'confirmed_at', 'lists', 'ignore']);

export function isImportTarget(v: string): v is ImportTarget {
  return FIXED_TARGETS.has(v) || /^field:[a-z0-9_]{1,64}$/.test(v);
}

/**
 * "Email Address", "email_address", "E-mail" → "email address" / "e mail"; "Prénom" → "prenom",
 * "Correo electrónico" → "correo electronico": accents come off (NFKD), letters stay.
 */
export function normaliseHeader(h: string): string {
  return h
    .replace(/^\ufeff/, '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Letters NFKD does not take apart.
const LETTERS_WITHOUT_ACCENT: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', þ: 'th' };

/** A header as a custom-field key (lower-case ASCII letters, digits, _): "Phone Number" → phone_number, "Société" → societe. */
export function fieldKeyFor(h: string): string {
  return normaliseHeader(h)
    .replace(/[ßæœøłđþ]/g, (c) => LETTERS_WITHOUT_ACCENT[c] ?? c)
    .replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
}

/** Onehour's export names a custom field that shares its name with a built-in column `field:<key>`. */
const FIELD_HEADER = /^field:[a-z0-9_]{1,64}$/;

/** The columns of Onehour's own contacts export, in order; custom fields follow. */
export const EXPORT_COLUMNS = ['email', 'name', 'status', 'source', 'created_at', 'confirmed_at', 'tags', 'lists'] as const;

/** The export's header for a custom field: its key, or `field:<key>` when a built-in column has that name. */
export function exportFieldHeader(key: string): string {
  return (EXPORT_COLUMNS as readonly string[]).includes(key) ? `field:${key}` : key;
}

// Headers as people and tools write them, in English and the languages of most exports
// (French, German, Spanish, Italian, Portuguese, Dutch), after normaliseHeader.
const SYNONYMS: [ImportTarget, string[]][] = [
  ['email', [
    'email', 'e mail', 'email address', 'emailaddress', 'e mail address', 'purchase email', 'subscriber email', 'customer email', 'user email', 'student email', 'mail',
    'adresse email', 'adresse e mail', 'adresse mail', 'courriel', 'adresse courriel', 'e mail adresse', 'email adresse', 'emailadresse', 'mailadresse',
    'correo', 'correo electronico', 'direccion de correo', 'direccion de correo electronico', 'indirizzo email', 'indirizzo e mail', 'posta elettronica',
    'endereco de email', 'endereco de e mail', 'e mailadres', 'emailadres',
  ]],
  ['name', ['name', 'full name', 'fullname', 'buyer name', 'customer name', 'student name', 'display name', 'subscriber name', 'nom complet', 'vollstandiger name', 'nombre completo', 'nome completo', 'volledige naam', 'naam']],
  ['first_name', ['first name', 'firstname', 'fname', 'given name', 'first', 'prenom', 'vorname', 'nombre', 'nome', 'primeiro nome', 'voornaam']],
  ['last_name', ['last name', 'lastname', 'lname', 'surname', 'family name', 'last', 'nom', 'nom de famille', 'nachname', 'familienname', 'apellido', 'apellidos', 'cognome', 'sobrenome', 'apelido', 'achternaam']],
  ['tags', ['tags', 'tag', 'labels', 'etiquettes', 'etiquetas', 'schlagworter']],
  ['status', ['status', 'state', 'subscription status', 'subscriber status', 'subscriber state', 'member status', 'statut', 'estado', 'stato']],
  ['unsubscribed_at', ['unsub time', 'unsubscribed at', 'unsubscribe date', 'unsubscribed on', 'unsubscribed date', 'canceled at', 'cancelled at']],
  ['bounced_at', ['clean time', 'cleaned at', 'bounced at']],
  ['unsubscribed_flag', ['do not contact', 'unsubscribed', 'unsubscribed from marketing emails', 'unsubscribed from emails', 'opted out', 'email opt out', 'marketing opt out']],
  ['field:company', ['company', 'company name', 'organisation', 'organization', 'societe', 'entreprise', 'firma', 'unternehmen', 'empresa', 'azienda', 'bedrijf']],
  ['field:phone', ['phone', 'phone number', 'telephone', 'telefon', 'telefono', 'telefoonnummer', 'telefonnummer', 'numero de telephone']],
  ['field:city', ['city', 'ville', 'stadt', 'ort', 'ciudad', 'citta', 'cidade', 'plaats']],
  ['field:country', ['country', 'pays', 'land', 'pais', 'paese']],
];

const synonymOf = new Map<string, ImportTarget>();
for (const [target, names] of SYNONYMS) for (const n of names) synonymOf.set(n, target);

/** Columns each tool exports that are about its own bookkeeping, not the person. */
const IGNORED: Record<ImportFormat, string[]> = {
  onehour: [],
  mailchimp: [
    'member rating', 'latitude', 'longitude', 'gmtoff', 'dstoff', 'leid', 'euid', 'last changed',
    'unsub campaign title', 'unsub campaign id', 'clean campaign title', 'clean campaign id',
  ],
  kit: ['id', 'subscriber id'],
  gumroad: [
    'purchase id', 'buyer email', 'purchase date', 'purchase time', 'subtotal', 'taxes', 'shipping', 'sale price', 'fees', 'net total',
    'tax included in price', 'street address', 'city', 'zip code', 'state', 'referrer', 'refunded', 'partial refund', 'fully refunded',
    'disputed', 'dispute won', 'variants', 'discount code', 'recurring charge', 'free trial purchase', 'pre order authorization',
    'product id', 'order number', 'pre order authorization time', 'custom fields', 'item price', 'variants price', 'giftee email',
    'sku id', 'quantity', 'recurrence', 'affiliate', 'affiliate commission', 'discover', 'subscription end date', 'rating', 'review',
    'license key', 'payment type', 'paypal transaction id', 'paypal fee amount', 'paypal fee currency', 'stripe transaction id',
    'stripe fee amount', 'stripe fee currency', 'purchasing power parity discounted', 'upsold', 'sent abandoned cart email',
    'access revoked', 'is bundle purchase', 'bundle product id',
  ],
  teachable: ['id', 'user id', 'sign in count', 'last sign in', 'last sign in at', 'role', 'gravatar', 'transactions', 'affiliate code'],
  generic: [],
};

/** Per tool, headers whose meaning differs from the generic guess. */
const SPECIFIC: Partial<Record<ImportFormat, Record<string, ImportTarget>>> = {
  mailchimp: {
    cc: 'field:country',
    'phone number': 'field:phone',
    notes: 'field:notes',
    'optin time': 'field:optin_time',
    'optin ip': 'field:optin_ip',
    'confirm time': 'field:confirm_time',
    'confirm ip': 'field:confirm_ip',
  },
  // Kit's "state": active, inactive (unsubscribed), bounced, complained, cancelled, cold
  kit: { state: 'status' },
  // One row per sale: the product bought becomes a tag, so segments can find its buyers.
  gumroad: { 'item name': 'tags', 'do not contact': 'unsubscribed_flag' },
  teachable: { 'joined at': 'field:joined_at', 'signed up at': 'field:joined_at', src: 'field:src' },
};

export function detectFormat(headers: string[]): ImportFormat {
  if (EXPORT_COLUMNS.every((c, i) => headers[i] === c)) return 'onehour';
  const h = new Set(headers.map(normaliseHeader));
  if (h.has('email address') && (h.has('member rating') || h.has('leid') || h.has('euid') || h.has('optin time'))) return 'mailchimp';
  if ((h.has('purchase email') || h.has('buyer email')) && (h.has('item name') || h.has('purchase id'))) return 'gumroad';
  if (h.has('email') && (h.has('sign in count') || h.has('last sign in') || h.has('joined at') || h.has('unsubscribed from marketing emails'))) return 'teachable';
  if (headers.includes('email_address') && (h.has('state') || headers.includes('first_name'))) return 'kit';
  return 'generic';
}

/** The most likely target of each column; the first email-like column wins the email. */
export function suggestMapping(headers: string[], format: ImportFormat = detectFormat(headers)): ImportTarget[] {
  if (format === 'onehour') {
    // Our own export reads back as it was written: the built-in columns by name (source names
    // this import instead), every other column the custom field of that key.
    return headers.map((h): ImportTarget => {
      if (h === 'source') return 'ignore';
      if ((EXPORT_COLUMNS as readonly string[]).includes(h)) return h as ImportTarget;
      if (FIELD_HEADER.test(h)) return h as ImportTarget;
      return /^[a-z0-9_]{1,64}$/.test(h) ? `field:${h}` : 'ignore';
    });
  }
  const ignored = new Set(IGNORED[format]);
  const specific = SPECIFIC[format] ?? {};
  const taken = new Set<ImportTarget>();
  const usedFieldKeys = new Set<string>();
  return headers.map((raw): ImportTarget => {
    if (FIELD_HEADER.test(raw.trim())) return raw.trim() as ImportTarget;
    const h = normaliseHeader(raw);
    let target: ImportTarget | undefined = specific[h] ?? (ignored.has(h) ? 'ignore' : synonymOf.get(h));
    if (!target && /\b(e ?mail|courriel|correo)\b/.test(h) && !taken.has('email')) target = 'email';
    if (target?.startsWith('field:')) {
      if (usedFieldKeys.has(target.slice(6))) target = undefined;
      else usedFieldKeys.add(target.slice(6));
    }
    if (target && target !== 'ignore' && target !== 'tags' && !target.startsWith('field:')) {
      if (taken.has(target)) target = undefined;
      else taken.add(target);
    }
    if (!target) {
      const key = fieldKeyFor(raw);
      if (!key || usedFieldKeys.has(key)) return 'ignore';
      usedFieldKeys.add(key);
      return `field:${key}`;
    }
    return target;
  });
}

const STATUS_WORDS: Record<string, ContactStatus> = {
  active: 'active',
  subscribed: 'active',
  confirmed: 'active',
  cold: 'active',
  unconfirmed: 'unconfirmed',
  pending: 'unconfirmed',
  unsubscribed: 'unsubscribed',
  inactive: 'unsubscribed',
  cancelled: 'unsubscribed',
  canceled: 'unsubscribed',
  'opted out': 'unsubscribed',
  bounced: 'bounced',
  cleaned: 'bounced',
  'hard bounce': 'bounced',
  complained: 'complained',
  spam: 'complained',
  'spam complaint': 'complained',
};

/** A status word from another tool, or undefined when it means nothing we know. */
export function statusFromWord(value: string): ContactStatus | undefined {
  return STATUS_WORDS[normaliseHeader(value)];
}

export function isTruthy(value: string): boolean {
  return ['true', 'yes', 'y', '1', 'x', 'unsubscribed', 'opted out'].includes(value.trim().toLowerCase());
}

/** Tags in one cell: `a, b`, `"a","b"` (Mailchimp) or `a;b`. */
export function splitTags(value: string): string[] {
  return value
    .split(/[,;|]/)
    .map((t) => t.trim().replace(/^"+|"+$/g, '').trim())
    .filter(Boolean)
    .map((t) => t.slice(0, 100));
}

/**
 * The tags or lists cell of Onehour's export: names joined by ", ", a name that holds a comma
 * or a quote written in quotes ("Weekly, letter"). Read back into exactly those names.
 */
export function splitNameList(value: string): string[] {
  if (!value.trim()) return [];
  try {
    const [record] = parseCsv(value, { delimiter: ',', ltrim: true, relax_quotes: true, record_delimiter: ['\u0000'] }) as string[][];
    return (record ?? []).map((n) => n.trim()).filter(Boolean).map((n) => n.slice(0, 100));
  } catch {
    return splitTags(value);
  }
}

/** The delimiter used in the header line: the candidate seen most often outside quotes. */
export function detectDelimiter(firstLine: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  let max = 0;
  for (const [d, n] of counts) if (n > max) [best, max] = [d, n];
  return best;
}

/** utf8 unless the bytes are not valid UTF-8, then windows-1252 (Excel's "CSV" on Windows). */
export function detectEncoding(head: Buffer): 'utf8' | 'windows-1252' | 'utf16' {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'utf16';
  try {
    // stream: a multi-byte character cut at the end of the sample is not an error
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return 'utf8';
  } catch {
    return 'windows-1252';
  }
}
