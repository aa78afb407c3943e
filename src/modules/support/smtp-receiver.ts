// The built-in SMTP receiver (off by default: SUPPORT_SMTP_PORT). It accepts mail for the
// support address and its plus addresses only, and answers 250 only after the message and its
// conversation are committed: a crash or a failed commit before that leaves the sender without
// a 250, so the sending server keeps the message and tries again (RFC 5321 §4.5.4.1); the
// retry is stored once (intake is idempotent on the Message-ID).
import type { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Logger } from 'pino';
import { DomainError } from '../../errors.js';
import { parseInbound } from './inbound.js';
import type { SupportService } from './service.js';

export interface SmtpReceiverOptions {
  host: string;
  port: number;
  /** the largest message accepted (SIZE extension; larger → 552) */
  maxBytes: number;
  /** authserv-ids of the MTA in front whose Authentication-Results are believed */
  trustedAuthServ: string[];
  log: Logger;
}

type SmtpError = Error & { responseCode?: number };
function smtpError(code: number, message: string): SmtpError {
  const err: SmtpError = new Error(message);
  err.responseCode = code;
  return err;
}

export class SmtpReceiver {
  private server: SMTPServer | null = null;
  port = 0;

  constructor(
    private readonly support: SupportService,
    private readonly opts: SmtpReceiverOptions,
  ) {}

  async start(): Promise<void> {
    const { opts, support } = this;
    // Loaded when the receiver is switched on (SUPPORT_SMTP_PORT), not on every start.
    const { SMTPServer } = await import('smtp-server');
    this.server = new SMTPServer({
      name: 'onehour',
      banner: 'Onehour support intake',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: opts.maxBytes,
      logger: false,
      maxClients: 50,
      socketTimeout: 60_000,
      onRcptTo: async (address, _session, cb) => {
        const settings = await support.settings();
        const [local, domain] = settings.address.split('@');
        const rcpt = address.address.toLowerCase();
        const ok = rcpt === settings.address || (rcpt.endsWith(`@${domain}`) && rcpt.startsWith(`${local}+`));
        cb(ok ? undefined : smtpError(550, '5.1.1 No such mailbox here'));
      },
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (stream.sizeExceeded) return cb(smtpError(552, `5.3.4 Message too big: the limit is ${Math.round(opts.maxBytes / 1_048_576)} MB`));
          const raw = Buffer.concat(chunks);
          void (async () => {
            try {
              const msg = await parseInbound(raw, { envelopeTo: session.envelope.rcptTo.map((r) => r.address), trustedAuthServ: opts.trustedAuthServ });
              const result = await support.ingest(msg, 'smtp');
              cb(null, result.outcome === 'duplicate' ? 'Already have it, thanks' : result.outcome === 'dropped_loop' ? 'Accepted (loop cut: not stored)' : `Queued as ${result.messageId}`);
            } catch (err) {
              if (err instanceof DomainError && err.code === 'validation_failed') return cb(smtpError(550, `5.6.0 ${err.message}`));
              opts.log.error({ err }, 'support intake: a message could not be stored; the sender will retry');
              cb(smtpError(451, '4.3.0 Could not store the message now; try again later'));
            }
          })();
        });
        stream.on('error', (err) => cb(err));
      },
    });
    this.server.on('error', (err) => opts.log.error({ err }, 'support SMTP receiver error'));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(opts.port, opts.host, () => resolve());
    });
    const addr = (this.server as unknown as { server: { address(): { port: number } } }).server.address();
    this.port = addr.port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }
}
