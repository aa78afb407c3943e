// Building broadcast messages: Liquid render, MIME and DKIM for each recipient. Pure work,
// no database and no I/O: the engine (engine.ts) decides when, previews reuse its parts.
import type { Signer } from '../../crypto.js';
import type { MailSettings } from './context.js';
import type { DkimSigner } from './dkim.js';
import { buildMime, domainOf } from './mime.js';
import { compileBroadcast, type BroadcastContent, type CompiledBroadcast, type FooterSettings, type RecipientContext } from './render.js';
import { mailUrls, type MailUrls } from './tokens.js';

/** What a broadcast message is made of (plain data, cached per broadcast version). */
export interface ComposeSpec {
  /** changes whenever anything below changes: the compiled templates are cached by it */
  key: string;
  broadcast: { id: string; list_id: string | null; track: boolean };
  content: BroadcastContent;
  footer: FooterSettings;
  settings: Pick<MailSettings, 'fromAddress' | 'replyTo' | 'businessName' | 'trackingEnabled'>;
  /** the domain of Message-IDs (the DKIM domain, or the From address's) */
  domain: string;
}

export interface ComposeRecipient {
  /** broadcast_recipients.id: names the Message-ID and the tracking links */
  id: number;
  contact: RecipientContext['contact'];
}

export function messageIdFor(recipientId: number, broadcastId: string, domain: string): string {
  return `<r${recipientId}.${broadcastId.slice(0, 8)}@${domain}>`;
}

/** Compiled templates kept per spec key (a handful of broadcasts at a time). */
const CACHE_SIZE = 8;

export class MessageComposer {
  readonly urls: MailUrls;
  private readonly compiled = new Map<string, CompiledBroadcast>();

  constructor(
    signer: Signer,
    publicUrl: string,
    private readonly dkim: DkimSigner | null,
  ) {
    this.urls = mailUrls(signer, publicUrl);
  }

  recipientContext(
    b: Pick<ComposeSpec['broadcast'], 'id' | 'list_id' | 'track'>,
    settings: Pick<MailSettings, 'trackingEnabled'>,
    recipientId: number | null,
    contact: RecipientContext['contact'],
  ): RecipientContext {
    const tracking = settings.trackingEnabled && b.track && recipientId !== null;
    return {
      contact,
      unsubscribeUrl: this.urls.unsubscribe({ c: contact.id, b: b.id, l: b.list_id }),
      preferencesUrl: this.urls.preferences(contact.id),
      openUrl: tracking ? this.urls.open(recipientId!) : null,
      clickUrl: tracking ? (idx) => this.urls.click(recipientId!, idx) : null,
    };
  }

  /** RFC 2369 + RFC 8058 headers of a bulk message (signed by DKIM with the rest). */
  listHeaders(b: Pick<ComposeSpec['broadcast'], 'id' | 'list_id'>, contactId: string, settings: Pick<MailSettings, 'fromAddress' | 'businessName'>): [string, string][] {
    const claim = { c: contactId, b: b.id, l: b.list_id };
    const domain = domainOf(settings.fromAddress);
    return [
      ['List-Unsubscribe', `<${this.urls.unsubscribe(claim)}>, <${this.urls.unsubscribeMailto(claim, domain)}>`],
      ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
      ['List-Id', `${settings.businessName.replace(/[<>"\r\n]/g, '')} <${(b.list_id ?? 'all').slice(0, 8)}.${domain}>`],
      ['Feedback-ID', `${b.id.slice(0, 8)}:broadcast:onehour`],
      ['Precedence', 'bulk'],
    ];
  }

  private compiledFor(spec: ComposeSpec): CompiledBroadcast {
    let c = this.compiled.get(spec.key);
    if (!c) {
      c = compileBroadcast(spec.content, spec.footer);
      if (this.compiled.size >= CACHE_SIZE) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(spec.key, c);
    }
    return c;
  }

  /** One message, MIME-encoded, not yet signed. */
  private build(spec: ComposeSpec, compiled: CompiledBroadcast, r: ComposeRecipient, now: Date): string {
    const m = compiled.render(this.recipientContext(spec.broadcast, spec.settings, r.id, r.contact));
    return buildMime({
      from: spec.settings.fromAddress,
      // Name and address apart: a name like `Eve <e@x>, "Bob"` is text, never a second recipient.
      to: { name: r.contact.name ?? '', address: r.contact.email },
      replyTo: spec.settings.replyTo || undefined,
      subject: m.subject,
      messageId: messageIdFor(r.id, spec.broadcast.id, spec.domain),
      date: now,
      text: m.text,
      html: m.html,
      headers: this.listHeaders(spec.broadcast, r.contact.id, spec.settings),
    });
  }

  /** Signed messages for these recipients, rendering here and signing on libuv's thread pool. */
  async compose(spec: ComposeSpec, recipients: ComposeRecipient[], now: Date): Promise<string[]> {
    const compiled = this.compiledFor(spec);
    return Promise.all(
      recipients.map((r) => {
        const raw = this.build(spec, compiled, r, now);
        return this.dkim ? this.dkim.sign(raw, now) : Promise.resolve(raw);
      }),
    );
  }
}
