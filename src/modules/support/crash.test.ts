// "A crash during intake loses nothing", shown with real crashes: the Onehour server
// (startOnehour, as `onehour start`, with the support SMTP receiver on) takes 60 messages over 4
// SMTP connections and is SIGKILLed mid-stream, once a third of them are committed. Started
// again, it kills itself right after committing the 10th message it takes in, before that
// message's 250 (the narrowest window: stored, and the sender does not know). Started a third
// time, it gets every message that did not get its 250, as a real sending server resends. Then: every
// message is stored exactly once (the 250'd ones and the resent ones, deduplicated by
// Message-ID), each customer has one conversation with only their own messages, each message
// has one `support.message_received` event, and every attachment's file has its bytes.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { openDatabase, type Database } from '../../db/client.js';
import { backends, createPgDatabase, soakOrCrashTest, waitFor, type Backend } from '../../../test/support/harness.js';
import { spawnNode, type Spawned } from '../../../test/support/processes.js';
import { plainMessage } from './test-mail.js';

const SERVER = 'src/modules/support/fixtures/intake-server.ts';
const N = 60;
const CUSTOMERS = N / 3;
const CONNECTIONS = 4;

interface Outgoing {
  i: number;
  from: string;
  messageId: string;
  raw: string;
  /** sha256 of the attachment, when the message has one */
  attachment: { name: string; sha256: string; size: number } | null;
  /** the server's answer once it was a 250 */
  accepted: string | null;
}

/** Customer c writes a question, a reply to it and a reply to that (References: the whole chain); every 4th message carries a binary attachment. */
function messages(tag: string): Outgoing[] {
  const out: Outgoing[] = [];
  for (let i = 0; i < N; i++) {
    const c = i % CUSTOMERS;
    const step = Math.floor(i / CUSTOMERS);
    const from = `c${c}.${tag}@crash.example`;
    const id = (s: number) => `<${tag}.${c}.${s}@crash.example>`;
    const chain = Array.from({ length: step }, (_, s) => id(s));
    const text = `Question ${c}, message ${step}.`;
    let raw = plainMessage({
      from: `Customer ${c} <${from}>`,
      subject: step ? `Re: Question ${c}` : `Question ${c}`,
      messageId: id(step),
      inReplyTo: chain.at(-1),
      references: chain,
      text,
    });
    let attachment: Outgoing['attachment'] = null;
    if (i % 4 === 0) {
      const bytes = randomBytes(20_000 + i * 100);
      const name = `scan-${c}-${step}.bin`;
      attachment = { name, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
      const [head] = raw.split('\r\nContent-Type: text/plain; charset=UTF-8\r\n');
      raw = [
        head,
        'Content-Type: multipart/mixed; boundary="part"',
        '',
        '--part',
        'Content-Type: text/plain; charset=UTF-8',
        '',
        text,
        '--part',
        `Content-Type: application/octet-stream; name="${name}"`,
        `Content-Disposition: attachment; filename="${name}"`,
        'Content-Transfer-Encoding: base64',
        '',
        bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
        '--part--',
        '',
      ].join('\r\n');
    }
    out.push({ i, from, messageId: id(step), raw, attachment, accepted: null });
  }
  return out;
}

/** Sends the messages not yet accepted over C connections; a connection that fails stops (as an MTA defers the rest to its next try). */
async function sendAll(port: number, list: Outgoing[]): Promise<void> {
  const queue = list.filter((m) => !m.accepted);
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const tr = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity, connectionTimeout: 10_000, socketTimeout: 30_000 });
      try {
        for (let m = queue.shift(); m; m = queue.shift()) {
          try {
            const info = await tr.sendMail({ envelope: { from: m.from, to: ['support@shop.test'] }, raw: m.raw });
            if (/^250\b/.test(info.response)) m.accepted = info.response;
          } catch {
            return;
          }
        }
      } finally {
        tr.close();
      }
    }),
  );
}

async function startServer(env: Record<string, string>, dieAfterCommits = 0): Promise<{ proc: Spawned; port: number }> {
  const proc = spawnNode([SERVER, String(dieAfterCommits)], env);
  const line = await proc.waitFor(/Support mail \(SMTP\) on [^\s]+:\d+/);
  return { proc, port: Number(line.split(':').at(-1)) };
}

for (const backend of backends()) {
  describe(`support: a server killed during SMTP intake loses nothing [${backend}]`, soakOrCrashTest, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'support-crash-'));
    const procs: Spawned[] = [];
    let pgDrop: (() => Promise<void>) | null = null;
    after(async () => {
      for (const p of procs) p.child.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      await pgDrop?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it(`${N} messages over ${CONNECTIONS} connections, SIGKILL at a third, a death right after a commit, restart and resend: each stored once, threads intact`, { timeout: 600_000 }, async (t) => {
      const filesDir = path.join(dataDir, 'files');
      const env: Record<string, string> = {
        HOST: '127.0.0.1', PORT: '0', PUBLIC_URL: 'http://127.0.0.1:3000', DATA_DIR: dataDir, FILES_DIR: filesDir, LOG_LEVEL: 'warn',
        SUPPORT_SMTP_PORT: '0', SUPPORT_ADDRESS: 'support@shop.test', JOBS_ENABLED: 'false',
      };
      let probe: Database | null = null;
      if (backend === 'pg') {
        const created = await createPgDatabase({ migrated: true });
        pgDrop = created.drop;
        env.DATABASE_URL = created.url;
        probe = await openDatabase({ kind: 'pg', url: created.url }, { poolSize: 2 });
      }
      const list = messages(`k${randomBytes(3).toString('hex')}`);
      try {
        const first = await startServer(env);
        procs.push(first.proc);
        const sending = sendAll(first.port, list);
        // The kill point is committed work, not a timer: rows on PostgreSQL (read beside the
        // server); on PGlite (one process owns the folder) the 250s, each sent only after its commit.
        const committed = async () =>
          probe ? Number((await probe.execute<{ n: number }>(`select count(*)::int as n from support_messages where direction = 'inbound'`)).rows[0]!.n) : list.filter((m) => m.accepted).length;
        await waitFor(async () => (await committed()) >= N / 3, { timeoutMs: 120_000, intervalMs: 10, what: `${N / 3} messages committed` });
        first.proc.child.kill('SIGKILL');
        await first.proc.exited;
        await sending;
        const acked = list.filter((m) => m.accepted).length;
        t.diagnostic(`killed from outside with ${acked} of ${N} answered 250${probe ? `, ${await committed()} committed` : ''}`);
        assert.ok(acked >= N / 3 - CONNECTIONS && acked < N, `the kill came mid-stream (${acked} answered)`);

        const second = await startServer(env, 10);
        procs.push(second.proc);
        await sendAll(second.port, list);
        assert.equal(await second.proc.exited, null, 'the second server died by its own SIGKILL');
        const dying = /dying after commit 10 \((<[^>]+>)\)/.exec(second.proc.output());
        assert.ok(dying, second.proc.output());
        const unanswered = list.find((m) => m.messageId === dying[1])!;
        assert.equal(unanswered.accepted, null, 'the message committed at the kill got no 250');
        const acked2 = list.filter((m) => m.accepted).length;
        t.diagnostic(`the second server died after its 10th commit, ${acked2} of ${N} answered 250 by then`);
        assert.ok(acked2 < N);

        const third = await startServer(env);
        procs.push(third.proc);
        const resent = list.filter((m) => !m.accepted);
        await sendAll(third.port, list);
        const refused = list.filter((m) => !m.accepted);
        assert.deepEqual(refused.map((m) => m.messageId), [], 'every resent message is answered 250 after the restart');
        const already = resent.filter((m) => /Already have it/.test(m.accepted!));
        t.diagnostic(`resent ${resent.length}; ${already.length} of them had been committed before a kill without their 250 reaching the sender`);
        assert.ok(already.some((m) => m === unanswered), 'the message stored without its 250 was recognised when resent');

        if (!probe) {
          // PGlite: one process on the folder: stop the server, then read it.
          third.proc.child.kill('SIGTERM');
          assert.equal(await third.proc.exited, 0, third.proc.output());
          probe = await openDatabase({ kind: 'pglite', dataDir });
        }
        const db = probe;
        const q = async <T>(text: string, values: unknown[] = []) => (await db.execute<T>(text, values)).rows;

        // Exactly once, by Message-ID: the 250'd and the resent.
        const stored = await q<{ message_id: string; n: number }>(`select message_id, count(*)::int as n from support_messages where direction = 'inbound' group by message_id`);
        assert.deepEqual(stored.filter((r) => Number(r.n) !== 1), [], 'no message stored twice');
        assert.deepEqual(stored.map((r) => r.message_id).sort(), list.map((m) => m.messageId).sort(), 'every message stored');
        const events = await q<{ n: number }>(`select count(*)::int as n from events where type = 'support.message_received'`);
        assert.equal(Number(events[0]!.n), N, 'one message_received event per message');

        // Threads: one conversation per customer, holding only that customer's three messages.
        const convs = await q<{ id: string; email: string; contact_id: string; message_count: number; senders: string[]; n: number }>(
          `select c.id, c.email, c.contact_id, c.message_count, array_agg(distinct m.from_address) as senders, count(m.id)::int as n
             from support_conversations c join support_messages m on m.conversation_id = c.id group by c.id`,
        );
        assert.equal(convs.length, CUSTOMERS, 'one conversation per customer');
        for (const c of convs) {
          assert.deepEqual(c.senders, [c.email], `conversation of ${c.email} holds only that customer's mail`);
          assert.equal(Number(c.n), 3);
          assert.equal(Number(c.message_count), 3);
        }
        assert.equal(new Set(convs.map((c) => c.contact_id)).size, CUSTOMERS, 'each conversation its own contact');

        // Attachments: one row each, the file on disk with the sent bytes.
        const files = await q<{ message_id: string; filename: string; size: number; stored_path: string | null }>(
          `select m.message_id, a.filename, a.size, a.stored_path from support_attachments a join support_messages m on m.id = a.message_id`,
        );
        const withFiles = list.filter((m) => m.attachment);
        assert.equal(files.length, withFiles.length, 'one attachment row per attachment sent');
        for (const m of withFiles) {
          const row = files.find((f) => f.message_id === m.messageId);
          assert.ok(row?.stored_path, `attachment of ${m.messageId} kept`);
          assert.equal(row.filename, m.attachment!.name);
          assert.equal(Number(row.size), m.attachment!.size);
          const bytes = fs.readFileSync(path.join(filesDir, row.stored_path));
          assert.equal(createHash('sha256').update(bytes).digest('hex'), m.attachment!.sha256, `attachment of ${m.messageId} intact`);
        }
      } finally {
        await probe?.close();
      }
    });
  });
}
