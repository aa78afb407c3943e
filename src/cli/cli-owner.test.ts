// The `onehour` command's maintenance commands as a user runs them: a real process on a real data
// folder (kept apart from cli.test.ts: creating the owner with the demo is the slowest part, and
// the two files run side by side).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runNode } from '../../test/support/processes.js';

const CLI = 'bin/onehour.js';

const run = (args: string[], env: Record<string, string>, input?: string) => runNode([CLI, ...args], env, input);

describe('maintenance commands on the embedded database', () => {
  it('CLI: create-owner with the demo, reset-password, export', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-cli-'));
    const env = { DATA_DIR: dataDir };
    try {
      const created = await run(['create-owner', '--email', 'boss@example.com', '--name', 'Boss', '--demo'], env, 'a very secret passphrase\n');
      assert.equal(created.code, 0, created.output);
      assert.match(created.output, /Owner boss@example.com created/);
      assert.match(created.output, /Demo business loaded/);
      const twice = await run(['create-owner', '--email', 'x@example.com', '--password', 'another long password'], env);
      assert.equal(twice.code, 1);
      assert.match(twice.output, /already has an owner/);
      const short = await run(['reset-password', '--email', 'boss@example.com', '--password', 'short'], env);
      assert.equal(short.code, 1);
      assert.match(short.output, /at least 12 characters/);
      const reset = await run(['reset-password', '--email', 'BOSS@example.com', '--password', 'a brand new passphrase'], env);
      assert.equal(reset.code, 0, reset.output);
      const file = path.join(dataDir, 'backup.jsonl.gz');
      const exported = await run(['export', '-o', file], env);
      assert.equal(exported.code, 0, exported.output);
      const lines = gunzipSync(fs.readFileSync(file)).toString().trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines[0].format, 'onehour-export');
      assert.ok(lines[0].tables.includes('users') && lines[0].tables.includes('events'));
      const users = lines.filter((l) => l.table === 'users');
      assert.ok(users.some((u) => u.row.email === 'boss@example.com' && u.row.role === 'owner'));
      assert.ok(users.length >= 4, 'demo assistants are exported too');
      assert.ok(lines.filter((l) => l.table === 'events').length > 100, 'a year of demo history');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
