// Inbound mail from providers, each verified the way that provider allows, then turned into
// the raw message (or its fields) the inbox parses:
// - Postmark: HTTP basic auth set on the inbound webhook URL (Postmark does not sign).
// - Mailgun: HMAC-SHA256(signing key, timestamp + token), token single use, 15-minute window;
//   the route must forward to a URL ending in "mime" so Mailgun posts `body-mime` (the raw message).
// - Amazon SES: a receipt rule's SNS action; the SNS signature is checked by the mail module's
//   verifier (one implementation); the notification carries the raw message in `content`.
// - SendGrid Inbound Parse: basic auth in the configured URL (https://user:pass@host/…), with
//   "POST the raw, full MIME message" on. SendGrid's signed-webhook option covers its Event
//   Webhook, not Inbound Parse, so basic auth over HTTPS is the check here (docs/support.md).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError, invalid } from '../../errors.js';
import type { AuthVerdict } from './inbound.js';

const refuse = (why: string) => new DomainError('forbidden', `Webhook refused: ${why}`);

function safeEq(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifyBasicAuth(authorization: string | undefined, expected: string | undefined, provider: string, setting: string): void {
  if (!expected) throw new DomainError('not_found', `${provider} inbound mail is not configured (set ${setting})`);
  const given = authorization?.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString() : '';
  if (!safeEq(given, expected)) throw refuse('wrong or missing basic-auth credentials');
}

export const MAILGUN_WINDOW_SECONDS = 15 * 60;

export function verifyMailgunInbound(fields: { timestamp?: string; token?: string; signature?: string }, key: string | undefined, now: Date): { token: string; expiresAt: Date } {
  if (!key) throw new DomainError('not_found', 'Mailgun inbound mail is not configured (set SUPPORT_MAILGUN_KEY)');
  const { timestamp, token, signature } = fields;
  if (!timestamp || !token || !signature) throw refuse('no signature');
  if (!/^\d{1,12}$/.test(timestamp) || token.length > 200) throw refuse('malformed signature');
  const expected = createHmac('sha256', key).update(timestamp + token).digest('hex');
  if (!safeEq(expected, signature)) throw refuse('bad signature');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAILGUN_WINDOW_SECONDS) throw refuse('stale timestamp');
  return { token, expiresAt: new Date((Number(timestamp) + MAILGUN_WINDOW_SECONDS) * 1000) };
}

/** Mailgun's verdict headers (X-Mailgun-Spf, X-Mailgun-Dkim-Check-Result) as an auth verdict. */
export function mailgunAuth(fields: Record<string, string>): AuthVerdict {
  const spf = fields['X-Mailgun-Spf']?.toLowerCase();
  const dkim = fields['X-Mailgun-Dkim-Check-Result']?.toLowerCase();
  return spf || dkim ? { spf, dkim, source: 'mailgun' } : {};
}

/** The raw message of an SES "Received" notification (UTF-8 or Base64 encoding) and its verdicts. */
export function sesInbound(message: string): { raw: Buffer; auth: AuthVerdict; recipients: string[] } | null {
  let n: Record<string, any>;
  try {
    n = JSON.parse(message);
  } catch {
    throw invalid('The SNS message is not JSON');
  }
  if (n.notificationType !== 'Received') return null;
  if (typeof n.content !== 'string') throw invalid('The SES notification has no content: use an SNS action (not S3) in the receipt rule');
  const looksRaw = /^[\x21-\x39\x3b-\x7e]+:/m.test(n.content.slice(0, 200));
  const raw = looksRaw ? Buffer.from(n.content, 'utf8') : Buffer.from(n.content, 'base64');
  const v = (x: { status?: string } | undefined) => x?.status?.toLowerCase();
  const r = n.receipt ?? {};
  return { raw, auth: { spf: v(r.spfVerdict), dkim: v(r.dkimVerdict), dmarc: v(r.dmarcVerdict), source: 'ses' }, recipients: Array.isArray(r.recipients) ? r.recipients.map(String) : [] };
}

/** SendGrid's SPF and dkim fields ("{@example.com : pass}") as an auth verdict. */
export function sendgridAuth(fields: Record<string, string>): AuthVerdict {
  const spf = fields.SPF?.toLowerCase();
  const dkimField = fields.dkim ?? '';
  const dkim = /:\s*pass/i.test(dkimField) ? 'pass' : /:\s*fail/i.test(dkimField) ? 'fail' : dkimField ? 'none' : undefined;
  return spf || dkim ? { spf, dkim, source: 'sendgrid' } : {};
}

/** Postmark's JSON inbound message as raw MIME headers + bodies (RawEmail when the stream sends it). */
export interface PostmarkInbound {
  RawEmail?: string;
  FromFull?: { Email?: string; Name?: string };
  From?: string;
  ToFull?: { Email?: string }[];
  CcFull?: { Email?: string }[];
  OriginalRecipient?: string;
  Subject?: string;
  TextBody?: string;
  HtmlBody?: string;
  Date?: string;
  Headers?: { Name?: string; Value?: string }[];
  Attachments?: { Name?: string; Content?: string; ContentType?: string; ContentLength?: number }[];
}

const COMPOSER_OWNS = new Set(['from', 'to', 'cc', 'subject', 'date', 'mime-version', 'content-type', 'content-transfer-encoding', 'message-id']);

/** nodemailer's composer, loaded with the first provider message that needs one, then kept (not re-imported per message). */
let mailComposerModule: Promise<typeof import('nodemailer/lib/mail-composer/index.js')> | null = null;

/** Postmark's JSON as a raw message: its RawEmail when the inbound stream includes it, else rebuilt from the fields. */
export async function postmarkToRaw(body: PostmarkInbound): Promise<{ raw: Buffer; auth: AuthVerdict }> {
  const headers = (body.Headers ?? []).filter((h) => typeof h?.Name === 'string' && typeof h?.Value === 'string') as { Name: string; Value: string }[];
  const spfHeader = headers.find((h) => h.Name.toLowerCase() === 'received-spf')?.Value;
  const auth: AuthVerdict = spfHeader ? { spf: spfHeader.trim().split(/\s+/)[0]!.toLowerCase(), source: 'postmark' } : {};
  if (typeof body.RawEmail === 'string' && body.RawEmail.length) return { raw: Buffer.from(body.RawEmail, 'utf8'), auth };
  const from = body.FromFull?.Email ?? body.From;
  if (typeof from !== 'string' || !from) throw invalid('The Postmark message has no sender');
  const { default: MailComposer } = await (mailComposerModule ??= import('nodemailer/lib/mail-composer/index.js'));
  const messageId = headers.find((h) => h.Name.toLowerCase() === 'message-id')?.Value;
  const composer = new MailComposer({
    from: { name: body.FromFull?.Name ?? '', address: from },
    to: (body.ToFull ?? []).flatMap((t) => (t.Email ? [t.Email] : [])),
    cc: (body.CcFull ?? []).flatMap((t) => (t.Email ? [t.Email] : [])),
    subject: String(body.Subject ?? ''),
    text: typeof body.TextBody === 'string' ? body.TextBody : undefined,
    html: typeof body.HtmlBody === 'string' ? body.HtmlBody : undefined,
    messageId,
    date: body.Date ? new Date(body.Date) : undefined,
    headers: headers.filter((h) => !COMPOSER_OWNS.has(h.Name.toLowerCase())).map((h) => ({ key: h.Name, value: h.Value })),
    attachments: (body.Attachments ?? []).map((a) => ({ filename: String(a.Name ?? 'attachment'), content: String(a.Content ?? ''), encoding: 'base64', contentType: String(a.ContentType ?? 'application/octet-stream') })),
  });
  const raw = await new Promise<Buffer>((resolve, reject) => composer.compile().build((err: Error | null, out: Buffer) => (err ? reject(err) : resolve(out))));
  return { raw, auth };
}

/** The fields of a form post (multipart or urlencoded), as Mailgun and SendGrid send them. */
export async function formFields(raw: Buffer, contentType: string | undefined): Promise<Record<string, string>> {
  if (!contentType || !/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(contentType)) throw invalid('Expected a form post (multipart/form-data or urlencoded)');
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalid('The form post could not be read');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string') out[k] = v;
  else out[k] = Buffer.from(await (v as Blob).arrayBuffer()).toString('utf8');
  return out;
}
