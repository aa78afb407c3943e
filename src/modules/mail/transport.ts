// The wire: a nodemailer SMTP pool that sends messages we built and signed ourselves
// (raw), so one pipeline serves transactional mail and broadcasts.
import nodemailer, { type Transporter } from 'nodemailer';

export interface SmtpOutcome {
  /** the server's answer, e.g. "250 2.0.0 Ok: queued as ABC" */
  response: string;
}

export interface SmtpFailure {
  /** 5xx (or a refused recipient): do not retry, count it as a bounce */
  permanent: boolean;
  code: number | null;
  message: string;
}

export class SmtpTransport {
  private readonly transporter: Transporter;

  constructor(url: string, connections: number) {
    // url carries host, port, credentials and TLS (smtp:// or smtps://); the pool keeps
    // `connections` sessions open and reuses them for many messages.
    this.transporter = nodemailer.createTransport({ url, pool: true, maxConnections: connections, maxMessages: 1000 } as never);
  }

  async send(envelope: { from: string; to: string }, raw: string): Promise<SmtpOutcome> {
    const info = await this.transporter.sendMail({ envelope, raw });
    return { response: String(info.response ?? '') };
  }

  close(): void {
    this.transporter.close();
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
