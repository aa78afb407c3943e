// The wire: a small pool of SMTP connections ("lanes"), each sending one message at a
// time, built on nodemailer's SMTPConnection. Our own pool rather than nodemailer's because
// the engine needs a lane that is already connected and authenticated BEFORE it waits for
// its rate-limit slot: then a message reaches the server a steady few milliseconds after
// its slot, and a slow connection set-up can never bunch several messages into one second.
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';

export interface SmtpFailure {
  /** 5xx (or a refused recipient): do not retry, count it as a bounce */
  permanent: boolean;
  code: number | null;
  message: string;
}

/** Messages per connection before it is renewed (servers limit this; 100 is a common cap). */
const MESSAGES_PER_CONNECTION = 100;

export class Lane {
  sent = 0;
  broken = false;
  constructor(readonly connection: SMTPConnection) {}

  send(envelope: { from: string; to: string }, raw: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.connection.send({ from: envelope.from, to: [envelope.to] }, raw, (err, info) => {
        if (!err) return resolve(String(info?.response ?? ''));
        const e = err as { code?: string; responseCode?: number };
        // The server refused this message (a recipient, the content), the session is fine:
        // RSET it before the next message, as nodemailer's own pool does. Anything else (or a
        // 421 "closing") ends the connection.
        if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421) {
          this.connection.reset((resetErr) => {
            if (resetErr) this.broken = true;
            reject(err);
          });
          return;
        }
        this.broken = true;
        reject(err);
      });
    });
  }
}

export class SmtpTransport {
  private readonly options: Record<string, unknown>;
  private readonly all = new Set<Lane>();
  private connecting = 0;
  private idle: Lane[] = [];
  private waiting: ((lane: Lane | Error) => void)[] = [];
  private closed = false;

  constructor(
    url: string,
    private readonly maxConnections: number,
  ) {
    this.options = { ...(parseConnectionUrl(url) as Record<string, unknown>), connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };
  }

  /** A connected, authenticated, idle lane (waits for one when all are busy). */
  async acquire(): Promise<Lane> {
    if (this.closed) throw new Error('SMTP transport is closed');
    for (let lane = this.idle.pop(); lane; lane = this.idle.pop()) {
      if (!lane.broken) return lane;
      this.all.delete(lane);
    }
    if (this.all.size + this.connecting < this.maxConnections) return this.connect();
    const got = await new Promise<Lane | Error>((resolve) => this.waiting.push(resolve));
    if (got instanceof Error) throw got;
    return got;
  }

  release(lane: Lane): void {
    lane.sent++;
    if (lane.broken || lane.sent >= MESSAGES_PER_CONNECTION || this.closed) {
      this.all.delete(lane);
      if (lane.broken) lane.connection.close();
      else lane.connection.quit();
      const next = this.waiting.shift();
      if (next) this.connect().then(next, next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(lane);
    else this.idle.push(lane);
  }

  private async connect(): Promise<Lane> {
    this.connecting++;
    try {
      const lane = await new Promise<Lane>((resolve, reject) => {
        const connection = new SMTPConnection(this.options as never);
        const lane = new Lane(connection);
        let settled = false;
        const fail = (err: Error) => {
          if (settled) return;
          settled = true;
          connection.close();
          reject(err);
        };
        connection.on('error', (err: Error) => {
          lane.broken = true;
          fail(err);
        });
        connection.on('end', () => {
          lane.broken = true;
          if (this.idle.includes(lane)) {
            this.idle = this.idle.filter((l) => l !== lane);
            this.all.delete(lane);
          }
          fail(new Error('SMTP connection closed during set-up'));
        });
        connection.connect(() => {
          const auth = this.options.auth as { user?: string; pass?: string } | undefined;
          if (!auth?.user) {
            settled = true;
            return resolve(lane);
          }
          connection.login({ user: auth.user, pass: auth.pass ?? '' } as never, (err) => {
            if (err) return fail(err);
            settled = true;
            resolve(lane);
          });
        });
      });
      this.all.add(lane);
      return lane;
    } finally {
      this.connecting--;
    }
  }

  /** Sends one message on any lane (transactional mail). */
  async send(envelope: { from: string; to: string }, raw: string): Promise<string> {
    const lane = await this.acquire();
    try {
      return await lane.send(envelope, raw);
    } finally {
      this.release(lane);
    }
  }

  close(): void {
    this.closed = true;
    for (const lane of this.idle) lane.connection.quit();
    this.idle = [];
    this.all.clear();
    for (const w of this.waiting.splice(0)) w(new Error('SMTP transport is closed'));
  }
}

/**
 * A refused recipient or a 5xx answer is permanent (a bounce); 4xx and connection trouble
 * are temporary (retried with backoff).
 */
export function classifySmtpError(err: unknown): SmtpFailure {
  const e = err as { responseCode?: number; code?: string; message?: string; rejectedErrors?: { responseCode?: number }[] };
  const code = e.responseCode ?? e.rejectedErrors?.[0]?.responseCode ?? null;
  const message = String(e.message ?? err).slice(0, 500);
  return { permanent: code !== null && code >= 500, code, message };
}
