// How intake stores messages: group commit (messages arriving together share a transaction;
// one bad message fails alone, its batch-mates are stored) and the sweeper of attachment files
// a crash left without their row.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { backends, createTestApp, type TestApp } from '../../../test/support/harness.js';
import { parseInbound, type InboundMessage } from './inbound.js';
import { plainMessage } from './test-mail.js';
import { LOOKUP, lookupIntake } from './intake-sql.js';

const rows = (res: unknown): Record<string, unknown>[] => ((res as { rows?: Record<string, unknown>[] }).rows ?? (res as Record<string, unknown>[]));

for (const backend of backends()) {
  describe(`support intake storage [${backend}]`, () => {
    let t: TestApp;
    let filesDir: string;

    before(async () => {
      // A folder of its own: the sweeper walks all of it.
      filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'support-files-'));
      t = await createTestApp(backend, { config: { SUPPORT_ADDRESS: 'support@shop.test', FILES_DIR: filesDir } });
    });
    after(async () => {
      await t.close();
      fs.rmSync(filesDir, { recursive: true, force: true });
    });

    const message = (i: number, extra: Partial<Parameters<typeof plainMessage>[0]> = {}) =>
      parseInbound(plainMessage({ from: `Customer ${i} <gc${i}@customer.example>`, subject: `Batch question ${i}`, messageId: `<gc${i}@customer.example>`, ...extra }));

    it('messages that arrive together share a transaction; a message the database refuses fails alone and its batch-mates are stored once each', async () => {
      const good = await Promise.all([1, 2, 3, 4, 5].map((i) => message(i)));
      // A NUL character in the text: PostgreSQL refuses it in a text column, so its statement fails inside the batch.
      const bad: InboundMessage = { ...(await message(6)), text: 'broken \u0000 text' };
      const before = t.app.support.intakeStats();
      const outcomes = await Promise.allSettled([...good.slice(0, 3), bad, ...good.slice(3)].map((m) => t.app.support.ingest(m, 'smtp')));
      const after = t.app.support.intakeStats();
      assert.ok(after.batches - before.batches < after.items - before.items, `several messages in one transaction (${after.items - before.items} messages, ${after.batches - before.batches} transactions)`);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      for (const o of outcomes) if (o.status === 'fulfilled') assert.equal(o.value.outcome, 'stored');
      const stored = rows(await t.app.db.execute(sql`select message_id, count(*)::int as n from support_messages where message_id like '<gc%' group by message_id order by message_id`));
      assert.deepEqual(stored.map((r) => [r.message_id, Number(r.n)]), [1, 2, 3, 4, 5].map((i) => [`<gc${i}@customer.example>`, 1]));
      const events = rows(await t.app.db.execute(sql`select count(*)::int as n from events where type = 'support.message_received' and data->>'messageId' in (select id::text from support_messages where message_id like '<gc%')`));
      assert.equal(Number(events[0]!.n), 5, 'one message_received event per stored message');
      // The same messages again, together: each recognised as a duplicate, nothing stored twice.
      const again = await Promise.all(good.map((m) => t.app.support.ingest(m, 'smtp')));
      assert.deepEqual(again.map((r) => r.outcome), ['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    });

    it('a message and its reply in one batch thread into one conversation', async () => {
      const first = await message(20, { subject: 'Refund?' });
      const reply = await message(20, { subject: 'Re: Refund?', messageId: '<gc20b@customer.example>', inReplyTo: '<gc20@customer.example>', references: ['<gc20@customer.example>'] });
      const [a, b] = await Promise.all([t.app.support.ingest(first, 'smtp'), t.app.support.ingest(reply, 'smtp')]);
      assert.equal(a.created, true);
      assert.equal(b.conversationId, a.conversationId);
    });

    it("a message's lookup reads its sender's conversations, not every inbound message, even under a plan made before any statistics", async () => {
      // 300 other customers' messages in tables never analysed (as on a new install, and as a
      // prepared statement's generic plan sees them), then the lookup of a new message from one
      // more customer, its plan forced generic: every node's rows are counted.
      // Never analysed for the whole test: PostgreSQL's autovacuum would otherwise analyse them
      // part-way at random, and with statistics on 300 rows any plan is as cheap as another.
      if (backend === 'pg') await t.app.database.execute('alter table support_messages set (autovacuum_enabled = false); alter table support_conversations set (autovacuum_enabled = false)');
      for (let from = 0; from < 300; from += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, (_, k) => message(1000 + from + k)));
        await Promise.all(batch.map((m) => t.app.support.ingest(m, 'smtp')));
      }
      const mine = await message(2000, { subject: 'Where is my order?' });
      const stored = await t.app.support.ingest(mine, 'smtp');
      const contact = rows(await t.app.db.execute(sql`select contact_id from support_conversations where id = ${stored.conversationId}`))[0]!.contact_id as string;
      const hour = new Date(Date.now() - 3_600_000).toISOString();
      const args = `'<new@customer.example>', '${contact}', '', '["<gc2000@customer.example>"]', '', 'where is my order', '${hour}', '${hour}'`;
      const plan = await t.app.database.transaction(async (tx) => {
        const exec = t.app.database.executorFor(tx);
        await exec('set local plan_cache_mode = force_generic_plan');
        await exec(`prepare lookup_plan_test as ${LOOKUP}`);
        try {
          const res = await exec<Record<string, unknown>>(`explain (analyze, format json) execute lookup_plan_test(${args})`);
          const out = Object.values(res.rows[0]!)[0];
          return (typeof out === 'string' ? JSON.parse(out) : out) as [{ Plan: PlanNode }];
        } finally {
          await exec('deallocate lookup_plan_test');
        }
      });
      type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Actual Rows': number; 'Actual Loops': number; 'Rows Removed by Filter'?: number; 'Rows Removed by Index Recheck'?: number; Plans?: PlanNode[] };
      const outline = (n: PlanNode, depth = 0): string =>
        [`${'  '.repeat(depth)}${n['Node Type']} ${n['Index Name'] ?? n['Relation Name'] ?? ''} rows=${n['Actual Rows']} loops=${n['Actual Loops']}`, ...(n.Plans ?? []).map((c) => outline(c, depth + 1))].join('\n');
      // rows a node returned and rows it read and threw away, over all its loops
      const touched = (n: PlanNode): number =>
        (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) * n['Actual Loops'] + (n.Plans ?? []).reduce((sum, c) => sum + touched(c), 0);
      const total = touched(plan[0].Plan);
      // The customer's own conversation and message, a few times over; walking the inbox would be 300+.
      assert.ok(total < 60, `the lookup's plan touched ${total} rows:\n${outline(plan[0].Plan)}`);
      // and it finds the thread: the message it answers is in the sender's conversation
      const found = await lookupIntake((text, params) => t.app.database.execute(text, params), {
        messageId: '<new@customer.example>', contactId: contact, token: '', refs: ['<gc2000@customer.example>'], threadIndex: '',
        subjectKey: 'where is my order', subjectSince: new Date(hour), recentSince: new Date(hour),
      });
      assert.equal(found.thread?.id, stored.conversationId);
    });

    it('the sweeper removes an old attachment file no row names, and keeps a referenced file and a fresh orphan', async () => {
      // A referenced file: a message with an attachment stored through intake.
      const raw = plainMessage({ from: 'Ann <ann.sweep@customer.example>', subject: 'Scan', messageId: '<sweep1@customer.example>' }).replace(
        '\r\nContent-Type: text/plain; charset=UTF-8\r\n',
        '\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream; name="scan.bin"\r\nContent-Disposition: attachment; filename="scan.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgc=\r\n--b--\r\n\r\n',
      );
      const stored = await t.app.support.ingest(await parseInbound(raw), 'smtp');
      const [att] = rows(await t.app.db.execute(sql`select stored_path from support_attachments where message_id = ${stored.messageId}`));
      const referenced = path.join(filesDir, String(att!.stored_path));
      assert.ok(fs.existsSync(referenced));
      // Orphans as a crash leaves them: files in a message folder whose transaction never committed.
      const orphanDir = path.join(filesDir, 'support', 'ab', 'abcdef00-0000-4000-8000-000000000001');
      const freshDir = path.join(filesDir, 'support', 'ab', 'abcdef00-0000-4000-8000-000000000002');
      fs.mkdirSync(orphanDir, { recursive: true });
      fs.mkdirSync(freshDir, { recursive: true });
      fs.writeFileSync(path.join(orphanDir, '0'), 'left by a crash');
      fs.writeFileSync(path.join(freshDir, '0'), 'its transaction may still be running');
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
      fs.utimesSync(path.join(orphanDir, '0'), twoHoursAgo, twoHoursAgo);
      fs.utimesSync(referenced, twoHoursAgo, twoHoursAgo);

      const swept = await t.app.support.sweepOrphanFiles();
      assert.equal(swept.removed, 1);
      assert.equal(fs.existsSync(path.join(orphanDir, '0')), false, 'the old orphan is removed');
      assert.equal(fs.existsSync(orphanDir), false, 'and its empty folder');
      assert.equal(fs.existsSync(referenced), true, 'a file a row names is kept, however old');
      assert.deepEqual(fs.readFileSync(referenced), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]));
      assert.equal(fs.existsSync(path.join(freshDir, '0')), true, 'a fresh orphan is kept (grace period)');
      // Again: nothing more to remove.
      assert.equal((await t.app.support.sweepOrphanFiles()).removed, 0);
    });
  });
}
