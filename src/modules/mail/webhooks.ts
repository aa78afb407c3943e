// Bounce and complaint notifications from providers, each checked for authenticity the way
// that provider signs them, then turned into BounceReports. Pure functions of the request:
// the routes hand in headers and the exact body bytes.
import { createHmac, createPublicKey, createVerify, timingSafeEqual, verify as verifySignature, X509Certificate } from 'node:crypto';
import { DomainError } from '../../errors.js';
import type { BounceReport } from './bounces.js';

const unauthorized = (why: string) => new DomainError('forbidden', `Webhook refused: ${why}`);

function safeEq(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function asArray<T>(v: T | T[] | undefined | null): T[] {
  return v == null ? [] : Array.isArray(v) ? v : [v];
}

// ---- Postmark: HTTP basic auth set on the webhook (Postmark does not sign its payloads) ----

export function verifyPostmark(authorization: string | undefined, expected: string | undefined): void {
  if (!expected) throw new DomainError('unavailable', 'Postmark webhooks are not configured (set MAIL_WEBHOOK_POSTMARK_AUTH)');
  const given = authorization?.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString() : '';
  if (!safeEq(given, expected)) throw unauthorized('wrong or missing basic-auth credentials');
}

export function parsePostmark(body: Record<string, unknown>): BounceReport[] {
  const type = String(body.Type ?? body.RecordType ?? '');
  const email = String(body.Email ?? '');
  if (!email) return [];
  const id = body.ID != null ? String(body.ID) : null;
  const at = body.BouncedAt ?? body.ReceivedAt;
  const occurredAt = typeof at === 'string' ? new Date(at) : undefined;
  const detail = String(body.Description ?? body.Details ?? type);
  const messageId = (body.Metadata as Record<string, string> | undefined)?.messageId ?? null;
  if (body.RecordType === 'SpamComplaint' || type === 'SpamComplaint') return [{ email, kind: 'complaint', provider: 'postmark', providerEventId: id, detail, messageId, occurredAt }];
  if (body.RecordType !== undefined && body.RecordType !== 'Bounce') return [];
  const hard = ['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated', 'Unknown', 'SpamNotification', 'Blocked'].includes(type);
  const soft = ['SoftBounce', 'Transient', 'DnsError', 'MailboxFull', 'AutoResponder'].includes(type);
  if (!hard && !soft) return [];
  if (type === 'AutoResponder') return [];
  return [{ email, kind: hard ? 'hard' : 'soft', provider: 'postmark', providerEventId: id, detail, messageId, occurredAt }];
}

// ---- Mailgun: HMAC-SHA256(signing key, timestamp + token) ---------------------------------
//
// Mailgun signs only `timestamp + token`, not the event. What binds the event to that
// signature: the signature block must come in the same JSON body as the event; the token is
// single use (the route remembers it for the whole window, so a captured signature cannot
// carry a second, altered event); the timestamp must be within the window; and the event
// cannot have happened after it was signed.

/** How far a Mailgun signature's timestamp may be from now. */
export const MAILGUN_WINDOW_SECONDS = 15 * 60;

export interface MailgunSignature {
  token: string;
  /** when the window of this timestamp closes: the token must be remembered until then */
  expiresAt: Date;
}

export function verifyMailgun(body: Record<string, unknown>, key: string | undefined, now: Date): MailgunSignature {
  if (!key) throw new DomainError('unavailable', 'Mailgun webhooks are not configured (set MAIL_WEBHOOK_MAILGUN_KEY)');
  const sig = body.signature as { timestamp?: unknown; token?: unknown; signature?: unknown } | undefined;
  if (!sig || typeof sig !== 'object' || typeof sig.timestamp !== 'string' || typeof sig.token !== 'string' || typeof sig.signature !== 'string') throw unauthorized('no signature');
  if (!/^\d{1,12}$/.test(sig.timestamp) || sig.token.length === 0 || sig.token.length > 200) throw unauthorized('malformed signature');
  const expected = createHmac('sha256', key).update(sig.timestamp + sig.token).digest('hex');
  if (!safeEq(expected, sig.signature)) throw unauthorized('bad signature');
  const signedAt = Number(sig.timestamp);
  if (Math.abs(now.getTime() / 1000 - signedAt) > MAILGUN_WINDOW_SECONDS) throw unauthorized('stale timestamp');
  const event = body['event-data'] as Record<string, unknown> | undefined;
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw unauthorized('no event data beside the signature');
  // A minute of clock skew between Mailgun's machines; an event newer than its signature was not signed with it.
  if (event.timestamp !== undefined && !(Number(event.timestamp) <= signedAt + 60)) throw unauthorized('the event is newer than its signature');
  return { token: sig.token, expiresAt: new Date((signedAt + MAILGUN_WINDOW_SECONDS) * 1000) };
}

export function parseMailgun(body: Record<string, unknown>): BounceReport[] {
  const e = (body['event-data'] ?? {}) as Record<string, any>;
  const email = String(e.recipient ?? '');
  if (!email) return [];
  const messageId = e.message?.headers?.['message-id'] ? `<${String(e.message.headers['message-id']).replace(/^<|>$/g, '')}>` : null;
  const occurredAt = e.timestamp ? new Date(Number(e.timestamp) * 1000) : undefined;
  const detail = String(e['delivery-status']?.description || e['delivery-status']?.message || e.reason || e.event);
  if (e.event === 'complained') return [{ email, kind: 'complaint', provider: 'mailgun', providerEventId: e.id ?? null, detail, messageId, occurredAt }];
  if (e.event === 'failed') {
    return [{ email, kind: e.severity === 'permanent' ? 'hard' : 'soft', provider: 'mailgun', providerEventId: e.id ?? null, detail, messageId, occurredAt }];
  }
  return [];
}

// ---- SendGrid: ECDSA (P-256, SHA-256) over timestamp + raw body --------------------------

export function verifySendgrid(raw: Buffer | undefined, signature: string | undefined, timestamp: string | undefined, publicKey: string | undefined, now: Date): void {
  if (!publicKey) throw new DomainError('unavailable', 'SendGrid webhooks are not configured (set MAIL_WEBHOOK_SENDGRID_KEY)');
  if (!raw || !signature || !timestamp) throw unauthorized('no signature');
  const key = publicKey.includes('BEGIN') ? createPublicKey(publicKey) : createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
  const ok = verifySignature('sha256', Buffer.concat([Buffer.from(timestamp), raw]), key, Buffer.from(signature, 'base64'));
  if (!ok) throw unauthorized('bad signature');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > 15 * 60) throw unauthorized('stale timestamp');
}

export function parseSendgrid(body: unknown): BounceReport[] {
  const out: BounceReport[] = [];
  for (const e of asArray(body as Record<string, any>[])) {
    const email = String(e?.email ?? '');
    if (!email) continue;
    const base = {
      email,
      provider: 'sendgrid',
      providerEventId: e.sg_event_id ?? null,
      messageId: typeof e['smtp-id'] === 'string' ? e['smtp-id'] : null,
      occurredAt: e.timestamp ? new Date(Number(e.timestamp) * 1000) : undefined,
      detail: String(e.reason ?? e.status ?? e.event),
    };
    if (e.event === 'spamreport') out.push({ ...base, kind: 'complaint' });
    else if (e.event === 'bounce') out.push({ ...base, kind: e.type === 'blocked' || String(e.status ?? '').startsWith('4') ? 'soft' : 'hard' });
    else if (e.event === 'dropped' && /bounced address|invalid/i.test(String(e.reason))) out.push({ ...base, kind: 'hard' });
  }
  return out;
}

// ---- Amazon SES through SNS: the SNS message signature, against the configured certificate ----

const SNS_FIELDS: Record<string, string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/**
 * SNS signs each message with the key of a certificate it names by URL. Fetching that URL
 * needs the internet at request time; instead the operator stores the certificate once
 * (MAIL_WEBHOOK_SNS_CERT) and we verify against it, checking that the message names an
 * amazonaws.com certificate URL and, when set, the expected topic.
 */
export function verifySns(msg: Record<string, string>, certPem: string | undefined, topic: string | undefined): void {
  if (!certPem) throw new DomainError('unavailable', 'Amazon SES (SNS) webhooks are not configured (set MAIL_WEBHOOK_SNS_CERT)');
  const fields = SNS_FIELDS[msg.Type ?? ''];
  if (!fields || !msg.Signature) throw unauthorized('not a signed SNS message');
  if (!/^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(msg.SigningCertURL ?? '')) throw unauthorized('certificate URL is not Amazon SNS');
  if (topic && msg.TopicArn !== topic) throw unauthorized('unexpected topic');
  const text = fields.filter((f) => msg[f] !== undefined).map((f) => `${f}\n${msg[f]}\n`).join('');
  const algo = msg.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1';
  const cert = new X509Certificate(certPem);
  const ok = createVerify(algo).update(text, 'utf8').verify(cert.publicKey, msg.Signature, 'base64');
  if (!ok) throw unauthorized('bad signature');
}

export function parseSes(msg: Record<string, string>): BounceReport[] {
  if (msg.Type !== 'Notification') return [];
  let n: Record<string, any>;
  try {
    n = JSON.parse(msg.Message ?? '{}');
  } catch {
    return [];
  }
  const type = n.notificationType ?? n.eventType;
  const headers = asArray(n.mail?.headers as { name: string; value: string }[]);
  const messageId = n.mail?.commonHeaders?.messageId ?? headers.find((h) => h.name.toLowerCase() === 'message-id')?.value ?? null;
  if (type === 'Bounce') {
    const kind = n.bounce?.bounceType === 'Permanent' ? 'hard' : 'soft';
    return asArray(n.bounce?.bouncedRecipients as Record<string, string>[]).map((r, i) => ({
      email: r.emailAddress!,
      kind,
      provider: 'ses',
      providerEventId: `${n.bounce?.feedbackId ?? msg.MessageId}:${i}`,
      detail: r.diagnosticCode ?? `${n.bounce?.bounceType}/${n.bounce?.bounceSubType}`,
      messageId,
      occurredAt: n.bounce?.timestamp ? new Date(n.bounce.timestamp) : undefined,
    }));
  }
  if (type === 'Complaint') {
    return asArray(n.complaint?.complainedRecipients as Record<string, string>[]).map((r, i) => ({
      email: r.emailAddress!,
      kind: 'complaint' as const,
      provider: 'ses',
      providerEventId: `${n.complaint?.feedbackId ?? msg.MessageId}:${i}`,
      detail: n.complaint?.complaintFeedbackType ?? 'complaint',
      messageId,
      occurredAt: n.complaint?.timestamp ? new Date(n.complaint.timestamp) : undefined,
    }));
  }
  return [];
}

// ---- DSN (RFC 3464) messages, e.g. piped from the bounce mailbox --------------------------

/**
 * Reads a delivery status notification: the per-recipient fields (Final-Recipient, Action,
 * Status, Diagnostic-Code) and the Message-ID of the original message it returns.
 * Status 5.x.x is a hard bounce, 4.x.x a soft one. A feedback report (RFC 5965, ARF) with
 * Feedback-Type: abuse is a complaint.
 */
export function parseDsn(raw: string): BounceReport[] {
  const text = raw.replace(/\r\n/g, '\n');
  const unfolded = text.replace(/\n[ \t]+/g, ' ');
  const ids = [...unfolded.matchAll(/^Message-ID:\s*(<[^>]+>)/gim)].map((m) => m[1]!);
  // The report's own Message-ID comes first; the returned message's comes after it.
  const original = ids.length > 1 ? ids[ids.length - 1]! : (ids.find((id) => /^<r\d+\./i.test(id)) ?? null);
  const dsnId = ids[0] ?? null;
  if (/^Feedback-Type:\s*abuse/im.test(unfolded)) {
    const rcpt = /^(?:Original-Rcpt-To|Removal-Recipient):\s*(?:rfc822;\s*)?(\S+@\S+)/im.exec(unfolded)?.[1] ?? /^To:\s*.*?<?([^<>\s]+@[^<>\s]+)>?\s*$/im.exec(unfolded.split(/\n\n/).slice(1).join('\n\n'))?.[1];
    return rcpt ? [{ email: rcpt, kind: 'complaint', provider: 'dsn', providerEventId: dsnId, detail: 'abuse report (ARF)', messageId: original }] : [];
  }
  const out: BounceReport[] = [];
  const blocks = unfolded.split(/\n\s*\n/);
  for (const block of blocks) {
    const rcpt = /^Final-Recipient:\s*rfc822;\s*<?([^>\s]+)>?/im.exec(block)?.[1];
    const action = /^Action:\s*(\S+)/im.exec(block)?.[1]?.toLowerCase();
    if (!rcpt || !action) continue;
    if (action !== 'failed' && action !== 'delayed') continue;
    const status = /^Status:\s*(\d\.\d{1,3}\.\d{1,3})/im.exec(block)?.[1] ?? (action === 'failed' ? '5.0.0' : '4.0.0');
    const diag = /^Diagnostic-Code:\s*(.+)$/im.exec(block)?.[1] ?? '';
    out.push({
      email: rcpt,
      kind: status.startsWith('5') ? 'hard' : 'soft',
      provider: 'dsn',
      providerEventId: dsnId ? `${dsnId}:${rcpt.toLowerCase()}` : null,
      detail: `${status} ${diag}`.trim(),
      messageId: original,
    });
  }
  return out;
}
