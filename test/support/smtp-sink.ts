// An SMTP server in the test process standing in for the mail provider: it receives what
// Onehour sends, keeps each message (raw + parsed) and can refuse chosen recipients.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface SinkMessage {
  raw: string;
  to: string;
  from: string;
  messageId: string;
  /** SMTP user of the session (tells sending processes apart) */
  user: string | null;
  /** performance.timeOrigin + performance.now() when the server accepted it (ms) */
  at: number;
}

export interface SmtpSink {
  port: number;
  url: string;
  messages: SinkMessage[];
  /** answer RCPT TO for this address with this code (e.g. 550 or 451) */
  refuse(match: (address: string) => number | null): void;
  parse(m: SinkMessage): Promise<ParsedMail>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { keepRaw?: boolean } = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  let refuse: (address: string) => number | null = () => null;
  const options: SMTPServerOptions = {
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    maxClients: 200,
    onAuth(auth, _session, cb) {
      cb(null, { user: auth.username });
    },
    onRcptTo(address, _session, cb) {
      const code = refuse(address.address);
      if (code) {
        const err = new Error(code >= 500 ? '5.1.1 User unknown' : '4.2.1 Try again later') as Error & { responseCode: number };
        err.responseCode = code;
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
        const messageId = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? '';
        messages.push({
          raw: opts.keepRaw === false ? '' : raw,
          to: session.envelope.rcptTo[0]?.address ?? '',
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          messageId,
          user: (session.user as string | undefined) ?? null,
          at: performance.timeOrigin + performance.now(),
        });
        cb();
      });
    },
  };
  const server = new SMTPServer(options);
  // A sending process that is SIGKILLed resets its connections: expected here, not an error.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuse(match) {
      refuse = match;
    },
    parse: (m) => simpleParser(m.raw),
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: ${messages.length} of ${count} messages after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
