// The sending side of the support benchmark, in its own process (as the sending mail servers
// are): C pooled SMTP connections, messages numbered from 0; every second one a reply to the
// one before it (In-Reply-To and References), both going out at the same time on two
// connections. Answers {seconds, failed} over IPC when done.
import nodemailer from 'nodemailer';
import { plainMessage } from '../src/modules/support/test-mail.js';

process.on('message', async (m: { port: number; messages: number; concurrency: number; tag: string }) => {
  const transports = Array.from({ length: m.concurrency }, () =>
    nodemailer.createTransport({ host: '127.0.0.1', port: m.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity }),
  );
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    transports.map(async (tr) => {
      for (;;) {
        const i = next++;
        if (i >= m.messages) return;
        const customer = Math.floor(i / 2);
        const reply = i % 2 === 1;
        const from = `c${customer}.${m.tag}@bench.example`;
        const raw = plainMessage({
          from: `Customer ${customer} <${from}>`,
          subject: reply ? `Re: Question ${customer}` : `Question ${customer}`,
          messageId: `<${m.tag}.${i}@bench.example>`,
          inReplyTo: reply ? `<${m.tag}.${i - 1}@bench.example>` : undefined,
          references: reply ? [`<${m.tag}.${i - 1}@bench.example>`] : undefined,
          text: 'Hello, a question about my order.',
        });
        try {
          await tr.sendMail({ envelope: { from, to: ['support@shop.test'] }, raw });
        } catch {
          failed++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  transports.forEach((t) => t.close());
  process.send!({ seconds, failed });
});
process.send!({ ready: true });
