// Saving uploads: the size limit, and nothing left behind when an upload is refused or breaks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { saveStream } from './files.js';

function chunks(n: number, size: number): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < n; i++) yield Buffer.alloc(size, 97);
  })());
}

describe('saveStream', () => {
  it('writes the whole stream and reports its size to the byte', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    try {
      let seen = 0;
      const size = await saveStream(chunks(10, 1000), path.join(dir, 'a.bin'), { maxBytes: 10_000, onChunk: (c) => (seen += c.length) });
      assert.equal(size, 10_000);
      assert.equal(seen, 10_000);
      assert.equal(fs.statSync(path.join(dir, 'a.bin')).size, 10_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a stream over the limit with too_large and leaves no file, every time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    try {
      // Many times: the stray file this guards against came from a race, not every run.
      for (let i = 0; i < 50; i++) {
        await assert.rejects(saveStream(chunks(3, 5000), path.join(dir, `big-${i}.bin`), { maxBytes: 8000, tooLarge: (m) => `over ${m} bytes` }), (err: Error & { code?: string }) => err.code === 'too_large' && /over 8000 bytes/.test(err.message));
      }
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a source that breaks mid-way leaves no file; an existing file is never overwritten', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onehour-files-'));
    try {
      const broken = new Readable({ read() {} });
      broken.push(Buffer.alloc(100));
      setImmediate(() => broken.destroy(new Error('connection reset')));
      await assert.rejects(saveStream(broken, path.join(dir, 'broken.bin')), /connection reset/);
      assert.deepEqual(fs.readdirSync(dir), []);
      fs.writeFileSync(path.join(dir, 'kept.bin'), 'original');
      await assert.rejects(saveStream(chunks(1, 10), path.join(dir, 'kept.bin')), /EEXIST/);
      assert.equal(fs.readFileSync(path.join(dir, 'kept.bin'), 'utf8'), 'original');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
