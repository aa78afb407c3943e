// The `onehour` command as a user runs it: real processes, real ports, real data folders.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runNode, spawnNode } from '../../test/support/processes.js';

const CLI = 'bin/onehour.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A data folder of the test's own, removed when the file's tests end. */
const made: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-cli-'));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], env: Record<string, string>, input?: string) => runNode([CLI, ...args], env, input);

function assertHelpfulFailure(result: { code: number | null; output: string }, setting: string) {
  assert.equal(result.code, 78, result.output);
  assert.match(result.output, new RegExp(setting));
  assert.doesNotMatch(result.output, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace as the explanation');
}

describe('start-up refuses bad configuration with a message naming the setting', () => {
  it('unknown DATABASE_URL scheme', async () => {
    assertHelpfulFailure(await run(['start'], { DATABASE_URL: 'mysql://localhost/x', PORT: String(await freePort()) }), 'DATABASE_URL');
  });
  it('malformed PUBLIC_URL', async () => {
    assertHelpfulFailure(await run(['start'], { PUBLIC_URL: 'shop.example.com', DATA_DIR: tmpDir() }), 'PUBLIC_URL');
  });
  it('port in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      assertHelpfulFailure(await run(['start'], { PORT: String(port), DATA_DIR: tmpDir() }), 'PORT');
    } finally {
      blocker.close();
    }
  });
  it('data folder that cannot be written', async () => {
    // A path below a regular file can never be created, whoever runs the test (root included).
    const file = path.join(tmpDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    assertHelpfulFailure(await run(['start'], { DATA_DIR: path.join(file, 'data'), PORT: String(await freePort()) }), 'DATA_DIR');
  });
  it('unreachable PostgreSQL', async () => {
    assertHelpfulFailure(await run(['start'], { DATABASE_URL: `postgres://nobody@127.0.0.1:${await freePort()}/x`, PORT: String(await freePort()) }), 'DATABASE_URL');
  });
});

describe('embedded database in a data folder', () => {
  it('starts, refuses a second process on the same folder, stops on SIGTERM and keeps its data', async () => {
    const dataDir = tmpDir();
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' };
    const base = `http://127.0.0.1:${port}`;
    const first = spawnNode([CLI, 'start'], env);
    try {
      await first.waitFor(/Onehour is running at/);
      assert.match(first.output(), new RegExp(`http://127.0.0.1:${port}`));
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      const setup = await fetch(`${base}/api/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'owner@example.com', name: 'Owner', password: 'a long enough password' }),
      });
      assert.equal(setup.status, 200);

      const second = await run(['start'], { ...env, PORT: String(await freePort()) });
      assert.equal(second.code, 78);
      assert.match(second.output, new RegExp(`data folder ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use`));
      assert.match(second.output, new RegExp(`process ${first.child.pid}`));
      assert.equal((await fetch(`${base}/readyz`)).status, 200, 'the first process keeps running');

      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0, 'a clean exit on SIGTERM');
      assert.match(first.output(), /stopped/);
    } finally {
      first.child.kill('SIGKILL');
    }
    const again = spawnNode([CLI, 'start'], env);
    try {
      await again.waitFor(/Onehour is running at/);
      const session = await (await fetch(`${base}/api/auth/session`)).json();
      assert.equal(session.needsSetup, false, 'the owner created before the restart is still there');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
