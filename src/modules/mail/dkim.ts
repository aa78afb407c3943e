// DKIM signing (RFC 6376, relaxed/relaxed, rsa-sha256; ed25519-sha256 per RFC 8463 when the
// key is Ed25519). Our own signer rather than nodemailer's: it signs with a parsed KeyObject
// on libuv's thread pool (crypto.sign with a callback), so a broadcast's RSA work runs on
// every core instead of blocking the event loop, and List-Unsubscribe / List-Unsubscribe-Post
// are always among the signed headers. An independent verifier (mailauth) checks it in tests.
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';

export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: string;
}

/** Signed when present, in this order. */
const SIGNED_HEADERS = [
  'from', 'to', 'subject', 'date', 'message-id', 'reply-to', 'mime-version', 'content-type',
  'list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'feedback-id',
];

function canonicalBody(body: string): string {
  // Relaxed: WSP runs become one space, WSP at line ends goes, empty lines at the end go.
  // Whole-string regexes: a broadcast signs hundreds of bodies per second.
  // (Single spaces, the common case, match neither pattern and cost nothing.)
  const out = body.replace(/[ \t]+\r\n/g, '\r\n').replace(/[ \t]+$/, '').replace(/ [ \t]+|\t[ \t]*/g, ' ').replace(/(\r\n)+$/, '');
  return out.length ? out + '\r\n' : '';
}

function canonicalHeader(name: string, value: string): string {
  return `${name.toLowerCase()}:${value.replace(/\r\n(?=[ \t])/g, '').replace(/[ \t]+/g, ' ').trim()}`;
}

export class DkimSigner {
  private readonly key: KeyObject;
  private readonly algorithm: 'rsa-sha256' | 'ed25519-sha256';

  constructor(private readonly config: DkimKey) {
    this.key = createPrivateKey(config.privateKey);
    this.algorithm = this.key.asymmetricKeyType === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256';
  }

  get domain(): string {
    return this.config.domain;
  }

  /** Returns the message with a DKIM-Signature header in front. */
  async sign(message: string, now: Date): Promise<string> {
    const split = message.indexOf('\r\n\r\n');
    const head = message.slice(0, split);
    const bodyPart = message.slice(split + 4);
    const bh = createHash('sha256').update(canonicalBody(bodyPart)).digest('base64');

    // Unfolded header fields by lower-case name (the last instance is the one signed first).
    const fields = new Map<string, string>();
    for (const raw of head.split(/\r\n(?![ \t])/)) {
      const colon = raw.indexOf(':');
      if (colon > 0) fields.set(raw.slice(0, colon).trim().toLowerCase(), raw.slice(colon + 1));
    }
    const names = SIGNED_HEADERS.filter((n) => fields.has(n));
    const signedData = names.map((n) => canonicalHeader(n, fields.get(n)!) + '\r\n').join('');
    const tags =
      `v=1; a=${this.algorithm}; c=relaxed/relaxed; d=${this.config.domain}; s=${this.config.selector}; ` +
      `t=${Math.floor(now.getTime() / 1000)}; h=${names.join(':')}; bh=${bh}; b=`;
    const data = Buffer.from(signedData + canonicalHeader('DKIM-Signature', tags));
    const signature = await new Promise<Buffer>((resolve, reject) => {
      if (this.algorithm === 'ed25519-sha256') {
        sign(null, createHash('sha256').update(data).digest(), this.key, (err, sig) => (err ? reject(err) : resolve(sig)));
      } else {
        sign('sha256', data, this.key, (err, sig) => (err ? reject(err) : resolve(sig)));
      }
    });
    const b = signature.toString('base64').replace(/.{1,72}/g, '$&\r\n\t').replace(/\r\n\t$/, '');
    const header = `DKIM-Signature: ${tags.replace(/; (?=h=|bh=)/g, ';\r\n\t')}${b}`;
    return `${header}\r\n${message}`;
  }
}
