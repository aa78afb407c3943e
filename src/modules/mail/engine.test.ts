// The sending engine under real processes on PostgreSQL: a worker SIGKILLed mid-broadcast
// loses no recipient and repeats none beyond the measured window, and two processes share
// one global rate limit. (PostgreSQL only: PGlite is one process by design.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testSettings } from '../../config.js';
import { createTestApp, soakOrCrashTest, type TestApp } from '../../../test/support/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { POSTAL, seedAudience } from './test-helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/mail-worker.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'error', JOB_POLL_SECONDS: '0.5', JOB_EXPIRE_SECONDS: '30', PUBLIC_URL: 'http://127.0.0.1:3000', MAIL_POSTAL_ADDRESS: POSTAL, MAIL_FROM: 'Shop <news@shop.example>', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function statusOf(t: TestApp, id: string): Promise<string> {
  return (await t.app.database.execute<{ status: string }>('select status from broadcasts where id = $1', [id])).rows[0]!.status;
}

if (testSettings().databaseUrl) {
  describe('broadcast engine across processes [pg]', () => {
    let t: TestApp;
    let sink: SmtpSink;
    const children: ChildProcess[] = [];
    before(async () => {
      sink = await startSmtpSink({ keepRaw: false });
      t = await createTestApp('pg', { config: { MAIL_POSTAL_ADDRESS: POSTAL } });
    });
    after(async () => {
      for (const c of children) await killHard(c);
      await t.close();
      await sink.close();
    });

    it('a 20 000-recipient broadcast survives three SIGKILLs: every recipient exactly once, finished only at the end', { ...soakOrCrashTest, timeout: 300_000 }, async () => {
      const N = 20_000;
      const { listId } = await seedAudience(t.app, N, { domain: 'crash.test' });
      const b = await t.app.mail.broadcasts.create({ name: 'Crash test', subject: 'Hi {{ contact.first_name | default: "there" }}', body: 'Hello from **Onehour**. [Read more](https://shop.example/more)', listId }, { kind: 'system' });
      await t.app.mail.broadcasts.schedule(b.id, null, { kind: 'system' });
      const env = { DATABASE_URL: t.url!, SMTP_URL: sink.url, MAIL_RATE_PER_SECOND: '0', MAIL_SMTP_CONNECTIONS: '5' };
      const kills = [0, 1, 2].map(() => Math.floor(N * (0.1 + Math.random() * 0.75))).sort((a, b) => a - b);
      const killedAt: number[] = [];
      let child = await startWorker(env);
      children.push(child);
      for (const at of kills) {
        while (sink.messages.length < at) {
          assert.notEqual(await statusOf(t, b.id), 'finished', 'finished before all were sent');
          await new Promise((r) => setTimeout(r, 20));
        }
        await killHard(child);
        killedAt.push(sink.messages.length);
        child = await startWorker(env);
        children.push(child);
      }
      const deadline = Date.now() + 240_000;
      let uniqueAtFinish = -1;
      for (;;) {
        const unique = new Set(sink.messages.map((m) => m.to)).size;
        if ((await statusOf(t, b.id)) === 'finished') {
          uniqueAtFinish = unique;
          break;
        }
        assert.ok(Date.now() < deadline, `not finished in time: ${unique} of ${N} recipients reached`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await killHard(child);
      const mine = sink.messages.filter((m) => m.to.endsWith('@crash.test'));
      const byRecipient = new Map<string, Set<string>>();
      for (const m of mine) byRecipient.set(m.to, (byRecipient.get(m.to) ?? new Set()).add(m.messageId));
      const pairs = new Set(mine.map((m) => `${m.to} ${m.messageId}`));
      const stats = await t.app.mail.broadcasts.stats(b.id);
      const duplicates = mine.length - byRecipient.size;
      console.log(`# crash test: killed after ${killedAt.join(', ')} messages; ${mine.length} deliveries, ${byRecipient.size} recipients, ${duplicates} duplicate deliveries (same Message-ID), ${stats.reclaimed} rows reclaimed after a lease ran out`);
      assert.equal(uniqueAtFinish, N, 'finished only when every recipient had their message');
      assert.equal(byRecipient.size, N, 'every recipient got the broadcast');
      assert.equal(pairs.size, N, 'each recipient saw exactly one Message-ID');
      assert.ok([...byRecipient.values()].every((ids) => ids.size === 1));
      assert.equal(stats.sent, N);
      assert.equal(stats.failed, 0);
      assert.ok(duplicates <= stats.reclaimed, `duplicates (${duplicates}) are bounded by the rows the engine knows it may have resent (${stats.reclaimed})`);
    });

    it('two sending processes share the global rate: no one-second window above the limit', { timeout: 120_000 }, async () => {
      const LIMIT = 20;
      const N = 160;
      await t.app.mail.updateSettings({ ratePerSecond: LIMIT });
      const { listId } = await seedAudience(t.app, N, { domain: 'throttle.test' });
      const url = new URL(sink.url);
      const a = await startWorker({ DATABASE_URL: t.url!, SMTP_URL: `smtp://p1:secret@${url.host}`, MAIL_RATE_PER_SECOND: String(LIMIT), MAIL_SEND_WORKERS: '8' });
      const c = await startWorker({ DATABASE_URL: t.url!, SMTP_URL: `smtp://p2:secret@${url.host}`, MAIL_RATE_PER_SECOND: String(LIMIT), MAIL_SEND_WORKERS: '8' });
      children.push(a, c);
      const b = await t.app.mail.broadcasts.create({ name: 'Throttle test', subject: 'Hi', body: 'Hello', listId }, { kind: 'system' });
      await t.app.mail.broadcasts.schedule(b.id, null, { kind: 'system' });
      const deadline = Date.now() + 60_000;
      while ((await statusOf(t, b.id)) !== 'finished') {
        assert.ok(Date.now() < deadline, 'throttled broadcast did not finish');
        await new Promise((r) => setTimeout(r, 200));
      }
      const mine = sink.messages.filter((m) => m.to.endsWith('@throttle.test'));
      assert.equal(new Set(mine.map((m) => m.to)).size, N);
      const times = mine.map((m) => m.at).sort((x, y) => x - y);
      let worst = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[j]! <= times[i]! - 1000) j++;
        worst = Math.max(worst, i - j + 1);
      }
      const users = new Set(mine.map((m) => m.user));
      if (process.env.DEBUG_THROTTLE) console.log(times.map((x) => Math.round(x - times[0]!)).join(' '));
      console.log(`# throttle test: ${N} messages over ${((times.at(-1)! - times[0]!) / 1000).toFixed(1)} s, busiest one-second window ${worst} (limit ${LIMIT}), senders ${[...users].join(', ')}`);
      assert.ok(worst <= LIMIT, `a one-second window held ${worst} messages (limit ${LIMIT})`);
      assert.deepEqual([...users].sort(), ['p1', 'p2'], 'both processes sent');
      await killHard(a);
      await killHard(c);
    });
  });
}
