// The data folder holds the secret key and password hashes: after a real start-up, with a
// permissive umask and an older install's loose files, nothing under DATA_DIR may be readable
// (or writable, or searchable) by the group or other users.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOnehour } from '../main.js';
import { backends, createPgDatabase, OWNER, testConfig } from '../../test/support/harness.js';

function looseEntries(root: string): string[] {
  const loose: string[] = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) loose.push(`${path.relative(root, p) || '.'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return loose;
}

function countEntries(root: string): number {
  let n = 0;
  const walk = (p: string) => {
    n++;
    if (fs.lstatSync(p).isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return n;
}

for (const backend of backends()) {
  describe(`data folder permissions [${backend}]`, () => {
    it('start-up makes DATA_DIR and every file in it owner-only, old files included, and new files are created so', async () => {
      const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-perms-'));
      const dataDir = path.join(parent, 'data');
      // An older install: a world-readable folder and files, and a process started under umask 000.
      fs.mkdirSync(path.join(dataDir, 'files', 'old'), { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'files', 'old', 'guide.pdf'), 'pdf');
      fs.chmodSync(path.join(dataDir, 'files', 'old', 'guide.pdf'), 0o666);
      for (const d of [dataDir, path.join(dataDir, 'files'), path.join(dataDir, 'files', 'old')]) fs.chmodSync(d, 0o777);
      const previousUmask = process.umask(0o000);
      const pg = backend === 'pg' ? await createPgDatabase() : null;
      const running = await startOnehour(
        testConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', ...(pg ? { DATABASE_URL: pg.url } : {}) }),
      );
      try {
        // Work that writes: the owner account (password hash, sessions) and an uploaded file.
        const setup = await fetch(`${running.url}/api/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
        assert.equal(setup.status, 200);
        fs.writeFileSync(path.join(dataDir, 'files', 'written-after-start.bin'), 'x');
        fs.mkdirSync(path.join(dataDir, 'imports'), { recursive: true });
      } finally {
        await running.stop();
        process.umask(previousUmask);
        await pg?.drop();
      }
      if (backend === 'pglite') assert.ok(fs.existsSync(path.join(dataDir, 'pgdata')), 'the embedded database lives in the folder');
      assert.ok(countEntries(dataDir) > (backend === 'pglite' ? 100 : 4), 'the walk saw the whole folder');
      assert.deepEqual(looseEntries(dataDir), []);
      fs.rmSync(parent, { recursive: true, force: true });
    });
  });
}
